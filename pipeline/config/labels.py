"""Label sets (bộ nhãn): the vocabularies behind every dropdown, keyed by school year (SPEC §3).

Each label set maps every accepted wording and abbreviation to one canonical level (``code``) that
scoring uses; ``label`` is the wording shown in that year's template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.config.schoolyear import parse_school_year, year_start
from pipeline.vi.text import canonical_key, loose_key


@dataclass(frozen=True)
class Level:
    """One level of a label set."""

    code: str
    label: str
    synonyms: tuple[str, ...] = ()
    flags: Mapping[str, Any] = field(default_factory=dict)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every wording that means this level: label, code, then synonyms."""
        return (self.label, self.code, *self.synonyms)


@dataclass(frozen=True)
class LabelSet:
    """A vocabulary valid from ``first`` to ``last`` (inclusive; None = still in force)."""

    name: str
    first: str
    last: str | None
    levels: tuple[Level, ...]

    def covers(self, school_year: str) -> bool:
        """Whether this label set applies in ``school_year``."""
        start = year_start(school_year)
        return year_start(self.first) <= start and (self.last is None or start <= year_start(self.last))

    @property
    def labels(self) -> list[str]:
        """Displayed wordings, in dropdown order."""
        return [level.label for level in self.levels]

    @property
    def codes(self) -> list[str]:
        """Canonical levels, in dropdown order."""
        return [level.code for level in self.levels]

    def label_of(self, code: str) -> str:
        """The displayed wording of a canonical level (the code itself if unknown)."""
        return next((level.label for level in self.levels if level.code == code), code)


def parse_label_sets(raw: Mapping[str, Any], source: str) -> tuple[dict[str, list[LabelSet]], list[str]]:
    """Build label sets from the parsed TOML of ``bo_nhan.toml``.

    Args:
        raw: the parsed TOML document.
        source: the file name, for messages.

    Returns:
        The label sets by name, and the problems found (Vietnamese messages; empty when valid).
    """
    sets: dict[str, list[LabelSet]] = {}
    problems: list[str] = []
    for name, blocks in raw.items():
        if not isinstance(blocks, list):
            problems.append(f'{source}, mục "{name}": cần các khối [[{name}]] có tu, den và muc.')
            continue
        for number, block in enumerate(blocks, start=1):
            where = f'{source}, bộ nhãn "{name}" (khối thứ {number})'
            parsed = _parse_block(name, block, where, problems)
            if parsed is not None:
                sets.setdefault(name, []).append(parsed)
    for name, versions in sets.items():
        versions.sort(key=lambda s: year_start(s.first))
        for before, after in zip(versions, versions[1:]):
            if before.last is None or year_start(before.last) >= year_start(after.first):
                problems.append(
                    f'{source}, bộ nhãn "{name}": khối áp dụng từ {before.first} và khối áp dụng từ '
                    f"{after.first} trùng năm học; cần đặt den của khối trước nhỏ hơn tu của khối sau.")
    return sets, problems


def _parse_block(name: str, block: Any, where: str, problems: list[str]) -> LabelSet | None:
    if not isinstance(block, Mapping):
        problems.append(f"{where}: cần một khối có tu, den và muc.")
        return None
    first = parse_school_year(block.get("tu"))
    if first is None:
        problems.append(f'{where}: tu = "{block.get("tu", "")}", cần một năm học dạng 2017-2018.')
        return None
    last = None
    if block.get("den") is not None:
        last = parse_school_year(block.get("den"))
        if last is None or year_start(last) < year_start(first):
            problems.append(f'{where}: den = "{block.get("den")}", cần một năm học dạng 2019-2020, '
                            f"không trước {first}.")
            return None
    entries = block.get("muc")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{where}: thiếu danh sách muc (mỗi mức có ma, nhan, dong_nghia).")
        return None
    levels: list[Level] = []
    owner: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not str(entry.get("ma", "")).strip():
            problems.append(f"{where}: một mức thiếu ma (mức chuẩn), cần dạng {{ ma = \"…\", nhan = \"…\" }}.")
            continue
        code = str(entry["ma"]).strip()
        label = str(entry.get("nhan") or code).strip()
        synonyms = entry.get("dong_nghia", [])
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            problems.append(f'{where}, mức "{code}": dong_nghia cần là danh sách chữ, ví dụ ["HTXS", "Xuất sắc"].')
            synonyms = []
        level = Level(code, label, tuple(s.strip() for s in synonyms if s.strip()),
                      {k: v for k, v in entry.items() if k not in ("ma", "nhan", "dong_nghia")})
        for spelling in level.spellings:
            key = spelling.casefold()
            if owner.get(key, code) != code:
                problems.append(f'{where}: cách ghi "{spelling}" thuộc cả mức "{owner[key]}" và mức "{code}"; '
                                "mỗi cách ghi chỉ được thuộc một mức.")
            owner[key] = code
        levels.append(level)
    return LabelSet(name, first, last, tuple(levels))


class Vocabulary:
    """Lookup of the accepted spellings of one label set (built once per school year, not per file)."""

    def __init__(self, label_set: LabelSet) -> None:
        self.label_set = label_set
        self.exact: dict[str, str] = {}
        self.loose: dict[str, set[str]] = {}
        for level in label_set.levels:
            for spelling in level.spellings:
                self.exact.setdefault(canonical_key(spelling), level.code)
                self.loose.setdefault(loose_key(spelling), set()).add(level.code)
        self.labels = {canonical_key(level.label): level.code for level in label_set.levels}

    def lookup(self, text: str) -> tuple[str | None, bool]:
        """(canonical level, whether it was a guess) or (None, False) when nothing matches."""
        key = canonical_key(text)
        if key in self.labels:
            return self.labels[key], False
        if key in self.exact:
            return self.exact[key], True
        candidates = self.loose.get(loose_key(text), set())
        if len(candidates) == 1:  # typed without diacritics, unambiguous
            return next(iter(candidates)), True
        return None, False

    def expected(self) -> str:
        """The accepted values, for messages."""
        return ", ".join(self.label_set.labels)
