"""Normalisation: raw values → typed, canonical values, column by column, every guess a warning (SPEC §5).

Text becomes NFC (legacy TCVN3/VNI converted), numbers and dates are parsed the Vietnamese way,
enumerations go through that year's label sets to their canonical level. A value that cannot be read is
a row finding and becomes missing; the cell is remembered as *flagged* so that validation does not
report it twice. Work is done once per distinct value of a workbook (a label set is looked up once for
"Tốt", however many cells hold it), then spread over the cells that hold it. Pure: a raw workbook in, a
:class:`Submission` out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from pipeline.config.labels import Vocabulary
from pipeline.config.limits import LIMITS, Limits
from pipeline.config.schoolyear import parse_school_year
from pipeline.intake.cells import as_text, is_blank, is_error, parse_date, parse_number
from pipeline.intake.read import ROW, SPECS, RawWorkbook
from pipeline.vi.legacy import ENCODINGS, convert_legacy, fix_legacy
from pipeline.vi.numbers import vi_number
from pipeline.vi.text import clean_text
from schemas.rules import Finding, finding
from schemas.submission import SHEET_UNIT, UnitForm

LEGACY_NAME = {"TCVN3": "TCVN3 (ABC, phông .VnTime)", "VNI": "VNI (phông VNI-Times)"}
SHOWN_CHARS = 100  # a text over the cell length limit is quoted this far in its message
CACHED_KINDS = ("int", "stt", "number", "date", "year", "enum", "code")  # values that repeat across cells


class Note(NamedTuple):
    """A finding about a value, before it is placed in a cell: rule, variant, template values."""

    rule: str
    variant: str
    values: Mapping[str, Any]


class Normalised(NamedTuple):
    """One value normalised: the typed value (None when unreadable), its notes and legacy conversions."""

    value: Any
    notes: tuple[Note, ...] = ()
    legacy: tuple[tuple[str, str, str], ...] = ()  # (encoding, as typed, converted)


@dataclass(frozen=True)
class Submission:
    """One file after normalisation: one frame of typed values per sheet, with provenance.

    ``frames`` hold ``dong`` (the Excel row; 0 on a form, which has one row) and one column per canonical
    key, as Python values (None when missing); ``cells`` is key → column letter on a list sheet and key →
    cell on a form.
    """

    file: str
    meta: Mapping[str, str]
    sheet_names: Mapping[str, str]  # template sheet → name in the file
    cells: Mapping[str, Mapping[str, str]]
    frames: Mapping[str, pd.DataFrame]
    findings: tuple[Finding, ...] = ()
    flagged: frozenset[tuple[str, int, str]] = field(default_factory=frozenset)  # (sheet, row, key) reported

    def form(self, sheet: str) -> dict[str, Any]:
        """The fields of a form sheet as key → value (empty when the sheet is missing)."""
        frame = self.frames.get(sheet)
        if frame is None or frame.empty:
            return {}
        return {key: value for key, value in frame.iloc[0].items() if key != ROW}

    @functools.cached_property
    def unit(self) -> dict[str, Any]:
        """The `Đơn vị` form (built once: identity, validation and supersession all ask for it)."""
        return self.form(SHEET_UNIT)

    def sheet_name(self, sheet: str) -> str:
        """The name the file gives a template sheet."""
        return self.sheet_names.get(sheet, sheet)

    def cell_of(self, sheet: str, key: str, row: int) -> str:
        """The cell of one value: ``F12`` on a list sheet (row = Excel row), ``B5`` on a form."""
        cells = self.cells.get(sheet, {})
        if row == 0:
            return cells.get(key, "")
        return f"{cells.get(key, '?')}{row}"

    def unit_only(self) -> Submission:
        """The same submission with only its `Đơn vị` form: what outputs need once the rows are consolidated
        (feedback sent to a worker process need not carry every row again)."""
        return replace(self, frames={k: v for k, v in self.frames.items() if k == SHEET_UNIT}, cells={})

    def with_unit_code(self, code: str) -> Submission:
        """The same submission with the unit code on its `Đơn vị` form replaced (a restored leading zero)."""
        return self.with_unit_values({UnitForm.ma_don_vi: code})

    def with_unit_values(self, values: Mapping[str, object]) -> Submission:
        """The same submission with some fields of its `Đơn vị` form set."""
        unit = self.frames[SHEET_UNIT].copy()
        for key, value in values.items():
            unit[key] = pd.array([value], dtype=object)
        return replace(self, frames={**self.frames, SHEET_UNIT: unit})


def normalise_value(value: object, meta: Mapping[str, Any], vocabularies: Mapping[str, Vocabulary],
                    limits: Limits = LIMITS) -> Normalised:
    """Normalise one raw value of a column described by ``meta`` (never raises on the value).

    Args:
        value: as the reader found it (not blank).
        meta: the column's metadata (:func:`schemas.submission.column_specs`).
        vocabularies: the lookups of the school year's label sets.
        limits: the settings' limits: a number's magnitude at most ``number_max`` (beyond 10^15 a float loses whole
            units and an Int64 column overflows at 1e19), a text within ``text_chars`` characters.
    """
    shown = f'"{clean_text(as_text(value))}"'
    if is_error(value):
        return Normalised(None, (Note("R12", "", {"value": shown}),))
    kind = meta["kind"]
    if kind in ("int", "stt", "number"):
        if isinstance(value, str) and "%" in value:  # a rate where a count or an amount belongs
            return Normalised(None, (Note("R03", "percent", {"value": shown}),))
        parsed = parse_number(value)
        variant = "number" if kind == "number" else "integer"
        if parsed.value is None:
            return Normalised(None, (Note("R03", variant, {"value": shown}),))
        number = float(parsed.value)  # type: ignore[arg-type]
        if abs(number) > limits.number_max:
            return Normalised(None, (Note("R04", "limit", {"value": shown, "limit": show_number(limits.number_max)}),))
        if kind != "number" and not number.is_integer():
            return Normalised(None, (Note("R03", "integer", {"value": shown}),))
        notes = (Note("W02", "", {"value": shown, "number": show_number(number)}),) if parsed.guessed else ()
        return Normalised(number if kind == "number" else int(number), notes)
    if kind == "date":
        parsed = parse_date(value)
        if parsed.value is None:
            return Normalised(None, (Note("R03", "date", {"value": shown}),))
        notes = (Note("W04", "", {"value": shown, "date": parsed.value}),) if parsed.guessed else ()
        return Normalised(parsed.value, notes)
    legacy: list[tuple[str, str, str]] = []
    text = _text(value, legacy)
    if text is None:
        return Normalised(None, (), tuple(legacy))
    if len(text) > limits.text_chars:  # names, lists and reports alike: nothing longer reaches the outputs
        shown = f'"{text[:SHOWN_CHARS]}…" ({vi_number(len(text))} ký tự)'
        return Normalised(None, (Note("R05", "", {"value": shown, "max_len": vi_number(limits.text_chars)}),),
                          tuple(legacy))
    quoted = f'"{text}"'
    if kind == "year":
        year = parse_school_year(text)
        if year is None:
            return Normalised(None, (Note("R03", "year", {"value": quoted}),), tuple(legacy))
        notes = (Note("W05", "", {"value": quoted, "year": year}),) if year != text else ()
        return Normalised(year, notes, tuple(legacy))
    if kind == "enum":
        vocabulary = vocabularies.get(meta["vocab"])
        if vocabulary is None:
            return Normalised(text, (), tuple(legacy))
        code, guessed = vocabulary.lookup(text)
        if code is None:  # a short legacy word can pass for Unicode ("Cã" is TCVN3 "Có"): the list decides
            for encoding in ENCODINGS:
                converted = clean_text(convert_legacy(text, encoding))
                code, _ = vocabulary.lookup(converted)
                if code is not None:
                    return Normalised(code, (), (*legacy, (encoding, text, converted)))
            return Normalised(None, (Note("R02", "", {"value": quoted, "labels": vocabulary.expected()}),),
                              tuple(legacy))
        notes = (Note("W03", "", {"value": quoted, "label": vocabulary.label_set.label_of(code)}),) if guessed else ()
        return Normalised(code, notes, tuple(legacy))
    suggested = vocabularies.get(meta.get("suggest", ""))
    if suggested is not None:  # free text with a suggestion list: known values in one spelling, others kept
        code, guessed = suggested.lookup(text)
        if code is not None and code != text:
            notes = (Note("W03", "", {"value": quoted, "label": code}),) if guessed else ()
            return Normalised(code, notes, tuple(legacy))
    return Normalised(text, (), tuple(legacy))


def normalise_workbook(raw: RawWorkbook, vocabularies: Mapping[str, Vocabulary],
                       limits: Limits = LIMITS) -> Submission:
    """Turn a raw workbook into typed values, sheet by sheet and column by column.

    Args:
        raw: as read by :func:`pipeline.intake.read.read_workbook` (not rejected).
        vocabularies: the lookups of the label sets of the school year being consolidated.
        limits: the settings' limits on numbers and texts (:func:`normalise_value`).
    """
    findings = list(raw.findings)
    flagged: set[tuple[str, int, str]] = set()
    legacy: list[tuple[tuple[int, int, int, int], str, str, str, str, str]] = []  # (order, sheet, enc, cell, …)
    frames: dict[str, pd.DataFrame] = {}
    cache: dict[tuple[Any, ...], Normalised] = {}
    for position, (sheet, table) in enumerate(raw.sheets.items()):
        specs = SPECS[sheet]
        found = {column: index for index, column in enumerate(table.rows.columns)}
        values = table.rows.to_numpy(dtype=object)
        excel_rows = [int(r) for r in values[:, found[ROW]]]
        typed_block = np.full((len(excel_rows), len(specs) + 1), None, dtype=object)
        typed_block[:, 0] = excel_rows
        for index, (key, meta) in enumerate(specs.items()):
            if key not in found:
                continue
            cached = meta["kind"] in CACHED_KINDS or bool(meta.get("suggest"))
            column = values[:, found[key]]
            for order, (excel_row, value) in enumerate(zip(excel_rows, column)):
                if is_blank(value):
                    continue
                if cached:
                    lookup = (meta["kind"], meta.get("vocab"), meta.get("suggest"), type(value), value)
                    result = cache.get(lookup)
                    if result is None:
                        result = cache[lookup] = normalise_value(value, meta, vocabularies, limits)
                else:
                    result = normalise_value(value, meta, vocabularies, limits)
                typed_block[order, index + 1] = result.value
                if not (result.notes or result.legacy):
                    continue
                cell = table.cells[key] if excel_row == 0 else f"{table.cells[key]}{excel_row}"
                for note in result.notes:
                    findings.append(finding(note.rule, raw.file, note.variant, sheet=table.found_name, cell=cell,
                                            column=meta["label"], row=excel_row, key=key, **note.values))
                    if note.rule.startswith("R"):
                        flagged.add((table.found_name, excel_row, key))
                for step, (encoding, typed_text, converted) in enumerate(result.legacy):
                    legacy.append(((position, order, index, step), table.found_name, encoding, cell, typed_text,
                                   converted))
        frames[sheet] = pd.DataFrame(typed_block, columns=[ROW, *specs], dtype=object, copy=False)
    findings += _legacy_findings(raw.file, legacy)
    return Submission(raw.file, dict(raw.meta), {sheet: t.found_name for sheet, t in raw.sheets.items()},
                      {sheet: dict(t.cells) for sheet, t in raw.sheets.items()}, frames, tuple(findings),
                      frozenset(flagged))


def _text(value: object, conversions: list[tuple[str, str, str]]) -> str | None:
    """A cell as clean NFC text, converting legacy encodings (each conversion appended to ``conversions``)."""
    text = as_text(value)
    fixed, encoding = fix_legacy(text)
    cleaned = clean_text(fixed)
    if encoding is not None:
        conversions.append((encoding, clean_text(text), cleaned))
    return cleaned or None


def _legacy_findings(file: str, conversions: list[tuple[tuple[int, int, int, int], str, str, str, str, str]]
                     ) -> list[Finding]:
    """One W01 per sheet and encoding (a file typed with .VnTime fonts converts in every cell), naming the first
    cell in reading order (row by row, left to right) and how many others."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for _, sheet, encoding, cell, typed, converted in sorted(conversions, key=lambda c: c[0]):
        groups.setdefault((sheet, encoding), []).append((cell, typed, converted))
    findings = []
    for (sheet, encoding), cells in groups.items():
        cell, typed, converted = cells[0]
        more = f" và {len(cells) - 1} ô khác" if len(cells) > 1 else ""
        findings.append(finding("W01", file, sheet=sheet, cell=cell, row=int("".join(filter(str.isdigit, cell)) or 0),
                                typed=typed, more=more, encoding=LEGACY_NAME[encoding], converted=converted))
    return findings


show_number = vi_number  # a number the Vietnamese way: ``.`` groups thousands, ``,`` is the decimal mark
