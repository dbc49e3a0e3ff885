"""Small helpers over xlsxwriter for our outputs: safe, deterministic workbooks and plain tables.

Safe: school text is always written with ``write_string`` (never a formula or link) and the workbook
options turn xlsxwriter's formula and URL guessing off. Deterministic: document properties carry a
fixed timestamp, so a re-run on the same inbox writes byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline import __version__
from pipeline.config.year import Settings
from pipeline.intake.cells import is_missing
from schemas.consolidated import SHEET_META, WORKBOOK_VERSION

FONT = "Times New Roman"
FIXED_TIME = dt.datetime(2020, 1, 1)  # document property timestamps: fixed so re-runs are byte-identical
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "in_memory": True,  # parts assembled in memory, not in temporary files (our workbooks are small)
                # The default font, in which Excel and LibreOffice measure column widths: Times New Roman (or
                # its metric twin Liberation Serif) is on every PC, Calibri is not (LibreOffice without it
                # widens every column by an eighth and the documents no longer fit their page).
                "default_format_properties": {"font_name": "Times New Roman", "font_size": 11, "font_scheme": "none"}}
LINE_HEIGHT = 13.0  # points per wrapped line of 11 pt Times New Roman (a one-line row keeps Excel's 15)


def row_height(lines: int) -> float:
    """The height (pt) of a row of ``lines`` wrapped lines of 11 pt text, at most Excel's 409."""
    return min(max(LINE_HEIGHT * lines + 3, 15.0), 409.0)
PAPER_A4 = 9

_BASE = {"font_name": FONT, "font_size": 11, "valign": "top"}
_CELL = {**_BASE, "text_wrap": True, "border": 1}
STYLES: dict[str, dict[str, Any]] = {
    "cell": _CELL,
    "error": {**_CELL, "font_color": "#9C0006", "bg_color": "#FFC7CE"},
    "warning": {**_CELL, "bg_color": "#FFEB9C"},
    "good": {**_CELL, "bg_color": "#C6EFCE"},
}
# Number formats with the Vietnamese locale tag: LibreOffice shows 1.234 and 76,8 whatever the machine's
# locale; Excel takes the separators from the PC's regional settings (Vietnamese on the staff's PCs).
NUMBER_FORMATS = {"integer": "[$-42A]#,##0", "number": "[$-42A]#,##0.###", "score": "[$-42A]0.0",
                  "decimal": "[$-42A]#,##0.0"}
KINDS = {"text": {}, "integer": {"num_format": NUMBER_FORMATS["integer"], "align": "center"},
         "number": {"num_format": NUMBER_FORMATS["number"]},
         "plain": {"num_format": "0", "align": "center"},  # years, STT, row numbers: no grouping
         "score": {"num_format": NUMBER_FORMATS["score"], "align": "center"},
         "date": {"num_format": "dd/mm/yyyy", "align": "center"}}


def new_workbook(path: Path, title: str, *, created: dt.datetime = FIXED_TIME, in_memory: bool = True,
                 **properties: str) -> Workbook:
    """A workbook with safe options (school text never becomes a formula or a link) and fixed properties.

    Args:
        created: the creation time in the document properties (fixed by default, so re-runs are identical).
        in_memory: parts assembled in memory (quicker for small workbooks); the consolidated workbook of thousands
            of files assembles its parts in temporary files instead (its sheets' XML held at once was a spike of
            hundreds of MB at 5,000 files).
        properties: more document properties (``subject``, ``comments``…).
    """
    workbook = xlsxwriter.Workbook(str(path), {**SAFE_OPTIONS, "in_memory": in_memory})
    workbook.set_properties({"title": title, **properties, "author": "Công đoàn Giáo dục tỉnh", "created": created})
    return workbook


def add_streamed_worksheet(workbook: Workbook, name: str) -> Worksheet:
    """A worksheet whose rows go to a temporary file as they are written, when the workbook is assembled on disk
    (``in_memory=False``): its cells are not held until ``close()``. Rows must then come in order, and a row is
    final once the next one is begun (what a long table written top to bottom does).

    xlsxwriter offers this (``constant_memory``) for a whole workbook only, and the consolidated workbook's document
    sheets write back into earlier rows; xlsxwriter reads the workbook's flag when a sheet is added and each sheet's
    own when the file is assembled, so the flag set around ``add_worksheet`` streams this sheet alone
    (``tests/outputs/test_summary.py`` reads a streamed workbook back cell by cell).
    """
    if workbook.in_memory:
        return workbook.add_worksheet(name)
    workbook.constant_memory = True
    try:
        return workbook.add_worksheet(name)
    finally:
        workbook.constant_memory = False  # at close(), the workbook's flag would close every sheet's row file


class Formats:
    """The formats of our output workbooks; cell formats come in a style (colour) × kind (number format)."""

    def __init__(self, workbook: Workbook) -> None:
        self.workbook = workbook
        self.title = workbook.add_format({**_BASE, "bold": True, "font_size": 14})
        self.bold = workbook.add_format({**_BASE, "bold": True})
        self.plain = workbook.add_format(_BASE)
        self.text = workbook.add_format({**_BASE, "text_wrap": True})
        self.header = workbook.add_format({**_BASE, "bold": True, "text_wrap": True, "border": 1, "align": "center",
                                           "valign": "vcenter", "bg_color": "#DDEBF7"})
        self._cells: dict[tuple[str, str], Format] = {}

    def cell(self, style: str = "cell", kind: str = "text") -> Format:
        """The format of a table cell of ``style`` holding a value of ``kind``."""
        if (style, kind) not in self._cells:
            self._cells[style, kind] = self.workbook.add_format({**STYLES[style], **KINDS[kind]})
        return self._cells[style, kind]


def write_value(sheet: Worksheet, row: int, col: int, value: Any, formats: Formats, style: str = "cell",
                kind: str | None = None) -> None:
    """Write one value with the right writer: numbers as numbers, dates as dates, everything else as text.

    Args:
        kind: the number format of a numeric value (a key of KINDS: ``plain`` for years and row numbers,
            ``score`` for scores); by default ``integer`` or ``number`` by the value.
    """
    if is_missing(value):
        sheet.write_blank(row, col, None, formats.cell(style))
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Có" if value else "Không", formats.cell(style))
    elif isinstance(value, (int, float)):
        kind = kind or ("integer" if float(value).is_integer() else "number")
        sheet.write_number(row, col, value, formats.cell(style, kind))
    elif isinstance(value, (dt.date, dt.datetime)):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, moment, formats.cell(style, "date"))
    else:
        sheet.write_string(row, col, str(value), formats.cell(style))


def write_table(sheet: Worksheet, top: int, headers: Sequence[str], rows: Iterable[Sequence[Any]],
                formats: Formats, widths: Sequence[float], styles: Sequence[str] | None = None,
                kinds: Mapping[int, str] | None = None) -> int:
    """A header row and data rows from ``top``, with row heights fitted to wrapped text.

    Args:
        widths: column widths (characters); also used to estimate how many lines wrapped text takes.
        styles: optional style per row ("error", "warning", "good"), e.g. to colour errors.
        kinds: the number format of some columns (column → key of KINDS), see :func:`write_value`.

    Returns:
        The next free row.
    """
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, formats.header)
    sheet.set_row(top, row_height(max(text_lines(h, widths[c]) for c, h in enumerate(headers))))
    row_number = top
    for index, values in enumerate(rows):
        row_number += 1
        style = styles[index] if styles is not None else "cell"
        for col, value in enumerate(values):
            write_value(sheet, row_number, col, value, formats, style, (kinds or {}).get(col))
        lines = max((text_lines(v, widths[c]) for c, v in enumerate(values) if isinstance(v, str)), default=1)
        if lines > 1:
            sheet.set_row(row_number, row_height(lines))
    return row_number + 1


# Times New Roman 11 fits about one character per unit of column width (measured on LibreOffice's pages).
CHARS_PER_WIDTH = 1.05


def text_lines(text: str, width: float, chars_per_width: float = CHARS_PER_WIDTH) -> int:
    """Lines a wrapped text takes in a column ``width`` units wide: words wrapped greedily as Excel and
    LibreOffice wrap them (an estimate of the widths; neither application fits row heights for us)."""
    capacity = max(width * chars_per_width - 0.5, 1)
    text = str(text)
    if len(text) <= capacity and "\n" not in text:
        return 1  # most cells: one line, no need to wrap words
    lines = 0
    for part in text.split("\n"):
        used, count = 0.0, 1
        for word in part.split():
            size = float(len(word))
            if used and used + 1 + size > capacity:
                count, used = count + 1, 0.0
            while size > capacity:  # a word longer than the line breaks inside
                count, size = count + 1, size - capacity
            used = used + 1 + size if used else size
        lines += count
    return lines


PRINTABLE_PX = (297 - 2 * 10.2) * 96 / 25.4  # A4 landscape between margins of 0.4 inch, at 100 %
LEGIBLE_SCALE = 0.7  # below this, 11 pt text prints under 8 pt


def pages_wide(widths: Sequence[float], repeated: int = 0) -> int:
    """Pages across a table needs to print at LEGIBLE_SCALE or more, its first ``repeated`` columns on each."""
    px = [7 * w + 5 for w in widths]
    room = PRINTABLE_PX / LEGIBLE_SCALE
    if sum(px) <= room:
        return 1
    kept = sum(px[:repeated])
    return math.ceil((sum(px) - kept) / max(room - kept, 1))


def print_landscape(sheet: Worksheet, *, repeat_header: int | None = None, widths: Sequence[float] = (),
                    repeat_columns: int | None = None) -> None:
    """A4 landscape, the header row repeated, page numbers in the footer; one page wide when that stays
    legible, else across then down with columns ``0…repeat_columns`` (the unit and the name) on every page."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    wide = pages_wide(widths, (repeat_columns or 0) + 1) if widths else 1
    sheet.fit_to_pages(wide, 0)
    if wide > 1:
        sheet.print_across()
        if repeat_columns is not None:
            sheet.repeat_columns(0, repeat_columns)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if repeat_header is not None:
        sheet.repeat_rows(repeat_header)
    sheet.set_footer("&R&8Trang &P/&N")


META_DESCRIPTIONS = {
    "loai": "Loại tài liệu", "phien_ban": "Phiên bản cấu trúc", "nam_hoc": "Năm học", "cong_cu": "Phiên bản chương trình",
    "co_quan_cap_tren": "Cơ quan cấp trên", "co_quan": "Cơ quan lập", "cau_hinh_sha256": "Mã băm cấu hình",
    "tieu_chi_sha256": "Mã băm tiêu chí", "ngay_van_ban": "Ngày ghi trên văn bản",
}


def write_meta(workbook: Workbook, kind: str, school_year: str, settings: Settings, config_sha256: str,
               criteria_sha256: str, document_date: dt.date | None = None) -> None:
    """The hidden `_meta` sheet every workbook we write carries (SPEC §7): what it is, for which year, by whom,
    under which configuration — how the level above (and the period review) recognises and trusts it."""
    values = {"loai": kind, "phien_ban": WORKBOOK_VERSION, "nam_hoc": school_year, "cong_cu": __version__,
              "co_quan_cap_tren": settings.parent_body, "co_quan": settings.issuing_body,
              "cau_hinh_sha256": config_sha256, "tieu_chi_sha256": criteria_sha256,
              "ngay_van_ban": document_date.isoformat() if document_date else ""}
    sheet = workbook.add_worksheet(SHEET_META)
    sheet.write_row(0, 0, ["khoa", "gia_tri", "mo_ta"])
    for row, (key, value) in enumerate(values.items(), start=1):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
        sheet.write_string(row, 2, META_DESCRIPTIONS[key])
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 66)
    sheet.set_column(2, 2, 28)
    sheet.hide()
