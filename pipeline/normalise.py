"""Normalisation: raw cells → typed, canonical values, every guess a warning (SPEC §5).

Text becomes NFC (legacy TCVN3/VNI converted), numbers and dates are parsed the Vietnamese way,
enumerations go through that year's label sets to their canonical level. A value that cannot be read is
a row finding and becomes missing; the cell is remembered as *flagged* so that validation does not
report it twice. Pure: a raw workbook in, a :class:`Submission` out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.cells import as_text, is_blank, is_error, parse_date, parse_number
from pipeline.labels import LabelSet
from pipeline.read import RawCell, RawWorkbook
from pipeline.rules import Finding
from pipeline.schoolyear import parse_school_year
from pipeline.vi.legacy import ENCODINGS, convert_legacy, fix_legacy
from pipeline.vi.text import canonical_key, clean_text, loose_key
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_MODELS,
    SHEET_REPORT,
    SHEET_UNIT,
    column_specs,
)

LEGACY_NAME = {"TCVN3": "TCVN3 (ABC, phông .VnTime)", "VNI": "VNI (phông VNI-Times)"}


@dataclass
class Submission:
    """One file after normalisation: typed values with provenance, and what was found on the way."""

    file: str
    meta: dict[str, str]
    unit: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    collectives: list[dict[str, Any]] = field(default_factory=list)  # each has "dong" (Excel row)
    individuals: list[dict[str, Any]] = field(default_factory=list)
    cells: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → key → letter (lists) / cell (forms)
    sheet_names: dict[str, str] = field(default_factory=dict)  # template sheet → name in the file
    findings: list[Finding] = field(default_factory=list)
    flagged: set[tuple[str, int, str]] = field(default_factory=set)  # (sheet, row, key) already reported
    # legacy-encoded cells, reported once per sheet and encoding: (sheet, encoding) → [(cell, typed, converted)]
    legacy: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)


class Vocabulary:
    """Lookup of the accepted spellings of one label set."""

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
        return "một trong: " + ", ".join(self.label_set.labels)


def vocabularies_of(vocab: Mapping[str, LabelSet]) -> dict[str, Vocabulary]:
    """Lookups for every label set of a year (build once per run, not per file)."""
    return {name: Vocabulary(label_set) for name, label_set in vocab.items()}


def normalise_workbook(raw: RawWorkbook, vocabularies: Mapping[str, Vocabulary]) -> Submission:
    """Turn a raw workbook into typed values.

    Args:
        raw: as read by :func:`pipeline.read.read_workbook` (not rejected).
        vocabularies: :func:`vocabularies_of` the label sets of the school year being consolidated.
    """
    submission = Submission(raw.file, dict(raw.meta), findings=list(raw.findings))
    for sheet, table in raw.tables.items():
        specs = column_specs(SHEET_MODELS[sheet])
        submission.sheet_names[sheet] = table.found_name
        records = []
        for excel_row, cells in table.rows:
            record: dict[str, Any] = {"dong": excel_row}
            for key, meta in specs.items():
                raw_cell = cells.get(key)
                record[key] = None if raw_cell is None else _normalise_cell(
                    raw_cell, key, meta, table.found_name, excel_row, vocabularies, submission)
            records.append(record)
        if sheet in (SHEET_UNIT, SHEET_REPORT):
            form = records[0] if records else {}
            setattr(submission, "unit" if sheet == SHEET_UNIT else "report", form)
            submission.cells[sheet] = {key: cell.cell for key, cell in (table.rows[0][1].items() if table.rows else ())}
        else:
            setattr(submission, "collectives" if sheet == SHEET_COLLECTIVES else "individuals", records)
            submission.cells[sheet] = dict(table.letters)
    _report_legacy(submission)
    return submission


def _normalise_cell(raw: RawCell, key: str, meta: Mapping[str, Any], sheet: str, row: int,
                    vocabularies: Mapping[str, Vocabulary], submission: Submission) -> Any:
    value = raw.value
    if is_blank(value):
        return None

    def finding(rule: str, found: str, expected: str) -> None:
        submission.findings.append(Finding(rule, submission.file, sheet=sheet, cell=raw.cell, column=meta["label"],
                                           found=found, expected=expected, row=row, key=key))
        if rule.startswith("R"):
            submission.flagged.add((sheet, row, key))

    shown = f'"{clean_text(as_text(value))}"'
    if is_error(value):
        finding("R12", shown, "một giá trị (sửa công thức hoặc ghi số liệu trực tiếp)")
        return None
    kind = meta["kind"]
    if kind in ("int", "stt", "number"):
        parsed = parse_number(value)
        if parsed.value is None:
            finding("R03", shown, "một số" if kind == "number" else "một số nguyên")
            return None
        number = float(parsed.value)  # type: ignore[arg-type]
        if kind != "number" and not number.is_integer():
            finding("R03", shown, "một số nguyên")
            return None
        if parsed.guessed:
            finding("W02", shown, f"đã hiểu là {_show_number(number)}")
        return number if kind == "number" else int(number)
    if kind == "date":
        parsed = parse_date(value)
        if parsed.value is None:
            finding("R03", shown, "một ngày dạng ngày/tháng/năm, ví dụ 25/05/2019")
            return None
        if parsed.guessed:
            finding("W04", shown, f"đã hiểu là ngày {parsed.value:%d/%m/%Y}")
        return parsed.value
    text = _text(value, lambda encoding, typed, converted: submission.legacy.setdefault(
        (sheet, encoding), []).append((raw.cell, typed, converted)))
    if text is None:
        return None
    if kind == "year":
        year = parse_school_year(text)
        if year is None:
            finding("R03", f'"{text}"', "năm học dạng 2018-2019")
            return None
        if year != text:
            finding("W05", f'"{text}"', f"đã hiểu là năm học {year}")
        return year
    if kind == "enum":
        vocabulary = vocabularies.get(meta["vocab"])
        if vocabulary is None:
            return text
        code, guessed = vocabulary.lookup(text)
        if code is None:  # a short legacy word can pass for Unicode ("Cã" is TCVN3 "Có"): the list decides
            for encoding in ENCODINGS:
                converted = clean_text(convert_legacy(text, encoding))
                code, _ = vocabulary.lookup(converted)
                if code is not None:
                    submission.legacy.setdefault((sheet, encoding), []).append((raw.cell, text, converted))
                    return code
            finding("R02", f'"{text}"', vocabulary.expected())
            return None
        if guessed:
            finding("W03", f'"{text}"', f'đã hiểu là "{vocabulary.label_set.label_of(code)}"')
        return code
    suggested = vocabularies.get(meta.get("suggest", ""))
    if suggested is not None:  # free text with a suggestion list: known values in one spelling, others kept
        code, guessed = suggested.lookup(text)
        if code is not None and code != text:
            if guessed:
                finding("W03", f'"{text}"', f'đã hiểu là "{code}"')
            return code
    return text


def _text(value: object, converted: Any) -> str | None:
    """A cell as clean NFC text, converting legacy encodings (``converted`` is told of each conversion)."""
    text = as_text(value)
    fixed, encoding = fix_legacy(text)
    cleaned = clean_text(fixed)
    if encoding is not None:
        converted(encoding, clean_text(text), cleaned)
    return cleaned or None


def _report_legacy(submission: Submission) -> None:
    """One W01 per sheet and encoding (a file typed with .VnTime fonts converts in every cell)."""
    for (sheet, encoding), cells in submission.legacy.items():
        cell, typed, converted = cells[0]
        more = f" và {len(cells) - 1} ô khác" if len(cells) > 1 else ""
        submission.findings.append(Finding(
            "W01", submission.file, sheet=sheet, cell=cell, found=f'"{typed}"{more} ({LEGACY_NAME[encoding]})',
            expected=f'đã chuyển sang Unicode, ví dụ "{converted}"', row=int("".join(filter(str.isdigit, cell)) or 0)))


def _show_number(number: float) -> str:
    """A number the Vietnamese way: ``.`` groups thousands, ``,`` is the decimal mark."""
    whole = f"{number:,.3f}".rstrip("0").rstrip(".")
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")
