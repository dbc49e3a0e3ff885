"""Reading our own consolidated workbooks back (SPEC §8 the period review, §10 the roll-up).

A ``TongHop_DienHinh_<năm học>.xlsx`` is an input like any other: its bytes pass the submissions' guard, then
it is recognised by its hidden `_meta` sheet (``loai``, ``phien_ban``, ``nam_hoc``) and by the sheets and
headers of :mod:`schemas.consolidated`; anything else is refused with a Vietnamese message saying what was found
and what is expected. Columns are found by header, never by position (staff may have moved or added columns);
values come back as the reader found them, one frame per sheet, with the Excel row of each (``hang_excel``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_col_to_name

from pipeline.config.limits import LIMITS, Limits
from pipeline.intake.cells import as_text, is_blank
from pipeline.intake.discover import describe_os_error
from pipeline.intake.guard import guard_bytes
from pipeline.vi.text import loose_key
from schemas.consolidated import (
    KIND_CONSOLIDATED,
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_META,
    SHEET_REPORTS,
    SHEET_SUBMISSIONS,
    SUBMISSION_COLUMNS,
    TOTAL_LABEL,
    WORKBOOK_VERSION,
    detail_columns,
    report_columns,
)

EXCEL_ROW = "hang_excel"  # the row of a value in our workbook (for messages about it)
EXPECTED = ("bản tổng hợp TongHop_DienHinh_<năm học>.xlsx do chương trình này ghi (có trang ẩn _meta và các trang "
            "Tập thể, Cá nhân, Kết quả thực hiện, Tình hình nộp), không sửa tên trang hay tiêu đề cột")


@dataclass(frozen=True)
class OurWorkbook:
    """One consolidated workbook, read back."""

    path: Path
    meta: Mapping[str, str]  # `_meta`: loai, phien_ban, nam_hoc, co_quan, cau_hinh_sha256…
    collectives: pd.DataFrame  # keys of detail_columns(SHEET_COLLECTIVES), raw values, and EXCEL_ROW
    individuals: pd.DataFrame
    reports: pd.DataFrame  # per unit (the totals row is not read: totals are recomputed)
    submissions: pd.DataFrame  # every roster unit of that year, and the unknown files
    letters: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # sheet → key → column letter

    @property
    def school_year(self) -> str:
        return self.meta["nam_hoc"]

    @property
    def body(self) -> str:
        """The issuing body that wrote it."""
        return self.meta.get("co_quan", "")


@dataclass(frozen=True)
class Refused:
    """Why a file is not one of our consolidated workbooks: what was found, what is expected (Vietnamese)."""

    path: Path
    found: str
    expected: str = EXPECTED
    rule: str = "F14"  # not a consolidated workbook; the guard's own rule (F01–F04) when it refused the bytes

    def message(self) -> str:
        return f'Tệp "{self.path.name}": {self.found}; cần {self.expected}.'


def read_ours(path: Path, data: bytes, *, kind: str = KIND_CONSOLIDATED, limits: Limits = LIMITS
              ) -> OurWorkbook | Refused:
    """Read one consolidated workbook from its bytes (``data``, read once by the caller), within ``limits``."""
    guarded = guard_bytes(data, limits=limits)
    if guarded is not None:
        return Refused(path, guarded.found, guarded.expected, guarded.rule)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as error:
        why = describe_os_error(error) if isinstance(error, OSError) else "cấu trúc bảng tính không đọc được"
        return Refused(path, f"không mở được tệp ({why})")
    names = {loose_key(name): name for name in book.sheet_names}
    if loose_key(SHEET_META) not in names:
        return Refused(path, "không có trang ẩn _meta (có thể là bài nộp của một trường hoặc một bảng tính khác)")
    meta = _meta(book, names[loose_key(SHEET_META)])
    if meta.get("loai") != kind:
        return Refused(path, f'trang _meta ghi loại tài liệu "{meta.get("loai", "")}" (có thể là biểu mẫu hay phản '
                             "hồi, không phải bản tổng hợp)")
    if meta.get("phien_ban") != WORKBOOK_VERSION:
        return Refused(path, f'phiên bản cấu trúc "{meta.get("phien_ban", "")}"',
                       f"bản tổng hợp phiên bản {WORKBOOK_VERSION}: tổng hợp lại năm học đó bằng phiên bản này của "
                       "chương trình")
    if not meta.get("nam_hoc"):
        return Refused(path, "trang _meta không ghi năm học")
    frames: dict[str, pd.DataFrame] = {}
    letters: dict[str, dict[str, str]] = {}
    for sheet, columns in ((SHEET_COLLECTIVES, detail_columns(SHEET_COLLECTIVES)),
                           (SHEET_INDIVIDUALS, detail_columns(SHEET_INDIVIDUALS)),
                           (SHEET_REPORTS, report_columns()), (SHEET_SUBMISSIONS, SUBMISSION_COLUMNS)):
        found = _table(book, names, sheet, columns)
        if isinstance(found, str):
            return Refused(path, found)
        frames[sheet], letters[sheet] = found
    reports = frames[SHEET_REPORTS]
    reports = reports[reports["ten_don_vi"].map(as_text) != TOTAL_LABEL].reset_index(drop=True)
    return OurWorkbook(path, meta, frames[SHEET_COLLECTIVES], frames[SHEET_INDIVIDUALS], reports,
                       frames[SHEET_SUBMISSIONS], letters)


def _meta(book: CalamineWorkbook, sheet: str) -> dict[str, str]:
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return {as_text(row[0]): as_text(row[1]) for row in rows[1:] if len(row) >= 2 and as_text(row[0])}


def _table(book: CalamineWorkbook, names: Mapping[str, str], sheet: str,
           columns: tuple[tuple[str, str], ...]) -> tuple[pd.DataFrame, dict[str, str]] | str:
    """A table with one header row, continued on "<sheet> (2)", "<sheet> (3)"… past Excel's row limit; and the
    column letter of each key (on its first part)."""
    parts = []
    for number in range(1, 1000):
        name = names.get(loose_key(sheet if number == 1 else f"{sheet} ({number})"))
        if name is None:
            break
        parts.append(name)
    if not parts:
        return f'không có trang "{sheet}"'
    frames = []
    letters: dict[str, str] = {}
    for name in parts:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header = [loose_key(as_text(cell)) for cell in rows[0]] if rows else []
        where: dict[str, int] = {}
        for index, label in enumerate(header):
            where.setdefault(label, index)
        missing = [label for _, label in columns if loose_key(label) not in where]
        if missing:
            return f'trang "{name}" thiếu cột {", ".join(repr(m) for m in missing)}'
        at = [where[loose_key(label)] for _, label in columns]
        letters = letters or {key: xl_col_to_name(index) for (key, _), index in zip(columns, at)}
        records: list[list[Any]] = []
        for excel_row, row in enumerate(rows[1:], start=2):
            values = [row[i] if i < len(row) else None for i in at]
            if any(not is_blank(v) for v in values):
                records.append([*(None if is_blank(v) else v for v in values), excel_row])
        frames.append(pd.DataFrame.from_records(records, columns=[*(key for key, _ in columns), EXCEL_ROW]))
    return (pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]), letters

