"""Marked copies: the school's own workbook, rebuilt from its values, with the problem cells coloured and commented.

The copy is written anew with xlsxwriter from the values python-calamine read (the guard has already passed the
file): nothing live of the school's file survives — no formula, no DDE, no external link, no macro, no embedded
object — and a first sheet says so. Every sheet keeps its name, its visibility and every value in its cell;
the cells that have findings are coloured (errors red, warnings yellow) and carry the messages as a comment; a
finding without a cell colours its sheet's tab. Written deterministically (fixed properties), so that a re-run
gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, SheetVisibleEnum
from xlsxwriter.utility import xl_cell_to_rowcol
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.config.limits import LIMITS, Limits
from pipeline.intake.discover import readable_path
from pipeline.intake.guard import Inflated, guard_bytes
from pipeline.intake.read import parser_copy
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.xlsx import FONT, new_workbook
from schemas.rules import SEVERITY_LABEL, Finding

MARKABLE = (".xlsx", ".xlsm")
UNSAFE_TO_OPEN = {"F01", "F02", "F03", "F04", "F05"}
ERROR_FILL, WARNING_FILL = "#FFC7CE", "#FFEB9C"
ERROR_TAB, WARNING_TAB = "#C00000", "#FFC000"
NOTE_SHEET = "Đọc trước"
COLUMN_WIDTH = 16
NOTE = (
    "Đây là bản sao tệp của đơn vị do Công đoàn ngành đánh dấu: ô tô đỏ có lỗi, ô tô vàng có cảnh báo; "
    "rê chuột vào ô để đọc ghi chú. Bản sao chỉ giữ giá trị của các ô: công thức, danh sách chọn, liên kết, "
    "macro và đối tượng nhúng của tệp gốc đã được bỏ đi để bản sao an toàn khi mở.",
    "Hãy sửa trên tệp gốc của đơn vị (hoặc trên biểu mẫu của năm học) rồi gửi lại; không gửi lại bản sao này.",
)


STEM_CHARS, STEM_BYTES = 60, 150  # of the school's file name in the copy's: within 255 bytes and Windows' 260


def marked_path(folder: Path, unit: str, source: Path) -> Path:
    """``phan_hoi/<mã đơn vị>_danh_dau_<tên tệp>.xlsx``; a long name is cut (at a character, within
    :data:`STEM_CHARS` characters and :data:`STEM_BYTES` bytes) and ends with six hex digits of itself, so
    that two long names that begin alike stay apart."""
    stem = readable_path(source.stem)
    short = stem[:STEM_CHARS]
    while len(short.encode("utf-8")) > STEM_BYTES:
        short = short[:-1]
    if short != stem:
        short = f"{short.rstrip()}_{hashlib.sha256(stem.encode('utf-8')).hexdigest()[:6]}"
    return folder / f"{unit}_danh_dau_{short}.xlsx"


def write_marked_copy(source: Path, findings: Sequence[Finding], target: Path, limits: Limits = LIMITS) -> bool:
    """Rebuild ``source`` from its values with every finding's cell marked; False if it cannot be marked.

    Args:
        source: the school's file (never modified).
        findings: the findings of that file; those without a cell mark their sheet's tab.
        target: where the copy goes.
        limits: the settings' limits, within which the file is guarded again before it is parsed again.
    """
    if source.suffix.lower() not in MARKABLE or not any(f.sheet for f in findings):
        return False
    if any(f.rule in UNSAFE_TO_OPEN for f in findings):
        return False  # the guard or the reader refused it: no reader may try again
    try:
        data = source.read_bytes()  # by bytes: any name, even one not UTF-8
        seen = Inflated()  # read again: guarded again (the file may have changed), then parsed as the reader does
        if guard_bytes(data, seen, limits) is not None:
            return False
        book = CalamineWorkbook.from_filelike(io.BytesIO(parser_copy(data, seen)))
        try:
            sheets = [(m.name, m.visible != SheetVisibleEnum.Visible,
                       book.get_sheet_by_name(m.name).to_python(skip_empty_area=False)) for m in book.sheets_metadata]
        finally:
            book.close()
    except Exception:  # noqa: BLE001 — a file that cannot be read again simply gets no marked copy
        return False
    notes: dict[str, dict[str, list[Finding]]] = {}
    for item in findings:
        notes.setdefault(item.sheet, {}).setdefault(item.cell, []).append(item)
    if not any(name in notes for name, _, _ in sheets):
        return False
    with atomic_path(target) as temporary:
        workbook = new_workbook(temporary, f"Bản đánh dấu: {readable_path(source.name)}")
        _write_note(workbook)
        for name, hidden, grid in sheets:
            _write_sheet(workbook, name, hidden, grid, notes.get(name, {}))
        workbook.close()
    return True


def _write_note(workbook: Workbook) -> None:
    sheet = workbook.add_worksheet(NOTE_SHEET)
    text = workbook.add_format({"font_name": FONT, "font_size": 12, "text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 72)
    for row, line in enumerate(NOTE):
        sheet.write_string(row, 0, line, text)
        sheet.set_row(row, 80)
    sheet.set_paper(9)  # A4, the note on one page
    sheet.fit_to_pages(1, 1)


def _write_sheet(workbook: Workbook, name: str, hidden: bool, grid: list[list[Any]],
                 notes: dict[str, list[Finding]]) -> None:
    sheet = workbook.add_worksheet(name)
    plain = workbook.add_format({"font_name": FONT, "font_size": 11})
    dates = workbook.add_format({"font_name": FONT, "font_size": 11, "num_format": "dd/mm/yyyy"})
    marks: dict[tuple[bool, bool], Any] = {}  # (error, date) → format of a marked cell
    sheet.set_column(0, max((len(row) for row in grid), default=1) - 1, COLUMN_WIDTH)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is not None and value != "":  # most cells of a template are empty: no call for them
                _write_value(sheet, r, c, value, dates if isinstance(value, (dt.date, dt.time)) else plain)
    for cell, found in notes.items():
        error = any(f.severity != "warning" for f in found)
        if not cell:
            sheet.set_tab_color(ERROR_TAB if error else WARNING_TAB)
            continue
        r, c = xl_cell_to_rowcol(cell)
        value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        kind = (error, isinstance(value, dt.date))
        if kind not in marks:
            marks[kind] = workbook.add_format({"font_name": FONT, "font_size": 11,
                                               "bg_color": ERROR_FILL if error else WARNING_FILL,
                                               **({"num_format": "dd/mm/yyyy"} if kind[1] else {})})
        _write_value(sheet, r, c, value, marks[kind], blank_too=True)
        text = "\n".join(f"[{f.rule}] {SEVERITY_LABEL[f.severity]}: {f.message()}" for f in found)
        sheet.write_comment(r, c, text, {"author": "Công đoàn ngành", "x_scale": 3, "y_scale": 2})
    if hidden:
        sheet.hide()


def _write_value(sheet: Worksheet, row: int, col: int, value: Any, fmt: Any, *, blank_too: bool = False) -> None:
    """One value as a value of its kind; text is always text (never a formula or a link)."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        if blank_too:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        if math.isfinite(value):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, col, dt.datetime.combine(dt.date(1899, 12, 31), value), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)
