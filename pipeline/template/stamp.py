"""Filled copies of the template at scale: written once, each school's values then stamped into its data cells.

Writing a filled template through :func:`~pipeline.template.writer.write_template` costs about half a second of CPU
(thousands of self-check formulas rendered and serialised, the lists, the compression), the same for every school:
50,000 sample submissions would take three hours. A :class:`Stamp` writes the blank template once, finds its data
cells in the sheets' XML, and for each school replaces just those cells with the school's values, as the writer would
write them (numbers and dates as numbers, text as text — inline, so the shared strings stay the blank's).

Only what the writer writes plainly is stamped; anything else (text with control characters, a `_meta` override…)
is refused (:meth:`Stamp.filled` returns None) and goes through the writer. ``tests/template/test_stamp.py`` reads
stamped and written copies to the same frames.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline.config.year import YearConfig
from pipeline.template.writer import (
    LIST_ROWS,
    SHEET_ORDER,
    Fill,
    form_cell,
    list_cell,
    write_template,
)
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_REPORT,
    SHEET_UNIT,
    CollectiveRow,
    IndividualRow,
    ReportForm,
    UnitForm,
    column_specs,
)

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")?[^>]*?(?:/>|>.*?</c>)', re.S)
_TIME = re.compile(r"(<dcterms:(?:created|modified) [^>]*>)[^<]*(</dcterms:)")
_PLAIN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^<r>")  # the writer escapes
_TEXT_LIMIT = 32767  # characters in a cell (the writer truncates longer text)
_CORE = "docProps/core.xml"
_EPOCH, _SERIAL_FROM = dt.datetime(1899, 12, 31), dt.datetime(1900, 3, 1)  # dates earlier go through the writer
_LISTS = {SHEET_COLLECTIVES: CollectiveRow, SHEET_INDIVIDUALS: IndividualRow}
_FORMS = {SHEET_UNIT: UnitForm, SHEET_REPORT: ReportForm}


class Stamp:
    """The blank template of a year (and area), ready to take each school's values."""

    def __init__(self, year: YearConfig, generated: dt.datetime, area: str | None = None) -> None:
        self.school_year = year.school_year
        with tempfile.TemporaryDirectory() as folder:
            blank = Path(folder) / "blank.xlsx"
            write_template(year, blank, generated=generated, area=area)
            with zipfile.ZipFile(blank) as archive:
                self._parts = [(info, archive.read(info)) for info in archive.infolist()]
        sheet_part = {name: f"xl/worksheets/sheet{n}.xml" for n, name in enumerate(SHEET_ORDER, start=1)}
        self._sheets = {name: sheet_part[name] for name in (*_LISTS, *_FORMS)}
        self._xml = {name: self._part(part).decode("utf-8") for name, part in self._sheets.items()}
        self._cells = {name: {m.group(1): (m.start(), m.end(), m.group(2) or "") for m in _CELL.finditer(xml)}
                       for name, xml in self._xml.items()}
        self._core = self._part(_CORE).decode("utf-8")

    def filled(self, fill: Fill, saved: dt.datetime | None = None) -> bytes | None:
        """The template with ``fill``'s values, saved at ``saved`` (UTC; default: when it was generated), as .xlsx
        bytes; None when a value is not one the stamp writes as the writer would (write that file with the writer)."""
        if fill.meta:
            return None
        values = {SHEET_UNIT: self._form(SHEET_UNIT, fill.unit), SHEET_REPORT: self._form(SHEET_REPORT, fill.report)}
        for sheet, model in _LISTS.items():
            keys = column_specs(model)
            values[sheet] = {list_cell(sheet, key, offset): value
                             for offset, row in enumerate(fill.rows(sheet)[:LIST_ROWS[sheet]])
                             for key, value in row.items() if key in keys and value is not None}
        changed: dict[str, bytes] = {}
        for sheet, cells in values.items():
            xml = self._stamped(sheet, cells)
            if xml is None:
                return None
            changed[self._sheets[sheet]] = xml.encode("utf-8")
        if saved is not None:
            moment = saved.strftime("%Y-%m-%dT%H:%M:%SZ")
            changed[_CORE] = _TIME.sub(lambda m: f"{m.group(1)}{moment}{m.group(2)}", self._core).encode("utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for info, content in self._parts:
                archive.writestr(info, changed.get(info.filename, content))
        return buffer.getvalue()

    def _part(self, name: str) -> bytes:
        return next(content for info, content in self._parts if info.filename == name)

    def _form(self, sheet: str, values: Mapping[str, Any]) -> dict[str, Any]:
        cells = {}
        for key in column_specs(_FORMS[sheet]):
            value = values.get(key)
            if key == UnitForm.nam_hoc:
                value = None if value in (None, self.school_year) else str(value)  # pre-filled with the year
            if value is not None:  # None: blank, or the roster's formula (FROM_ROSTER), as in the blank
                cells[form_cell(sheet, key)] = value
        return cells

    def _stamped(self, sheet: str, values: Mapping[str, Any]) -> str | None:
        xml, cells, pieces, at = self._xml[sheet], self._cells[sheet], [], 0
        if not cells.keys() >= values.keys():
            return None
        for start, end, style, ref, value in sorted((*cells[ref], ref, value) for ref, value in values.items()):
            element = _element(ref, style, value)
            if element is None:
                return None
            pieces += [xml[at:start], element]
            at = end
        pieces.append(xml[at:])
        return "".join(pieces)


def _element(ref: str, style: str, value: Any) -> str | None:
    """The cell as xlsxwriter writes ``value`` with the writer of its type (see ``writer._write_entry``)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None or value < _SERIAL_FROM:
            return None
        delta = value - _EPOCH  # xlsxwriter's arithmetic, to the last bit; +1: Excel's 29 February 1900
        value = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / (60 * 60 * 24) + 1
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            return None  # the writer refuses them
        return f'<c r="{ref}"{style}><v>{value:.16G}</v></c>'
    text = str(value)
    if len(text) > _TEXT_LIMIT or _PLAIN_TEXT.search(text):
        return None
    space = ' xml:space="preserve"' if re.search(r"^\s|\s$", text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
