"""The received register ``config/so_nhan.xlsx`` (optional, SPEC §3): the date each unit's file was
received, as the văn thư records it — the first source of the date a file was received.

One sheet, a header row with ``Mã đơn vị``, ``Ngày nhận`` and optionally ``Năm học`` (rows without a school
year apply to every year). Dates are Excel dates or text ``dd/mm/yyyy`` (never month-first).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from pipeline.config.schoolyear import parse_school_year
from pipeline.vi.text import loose_key
from schemas.rules import show_value

REGISTER_FILE = "so_nhan.xlsx"
COLUMNS = {"ma_don_vi": "Mã đơn vị", "ngay_nhan": "Ngày nhận", "nam_hoc": "Năm học"}

Register = Mapping[tuple[str | None, str], dt.date]  # (school year or None, unit code) → date received


def read_register(path: Path, data: bytes | None) -> tuple[Register, list[str]]:
    """The register's entries (empty when the file is absent) and the problems found, in Vietnamese."""
    if data is None:
        return {}, []
    source = f"{path.parent.name}/{path.name}"
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError, IndexError):
        return {}, [f"{source}: không mở được tệp Excel; cần một tệp .xlsx có các cột "
                    f"{', '.join(COLUMNS.values())}."]
    if not rows:
        return {}, []
    header = {loose_key(str(cell)): index for index, cell in enumerate(rows[0])}
    missing = [label for key, label in COLUMNS.items() if key != "nam_hoc" and loose_key(label) not in header]
    if missing:
        return {}, [f"{source}, dòng 1: thiếu cột {', '.join(repr(m) for m in missing)}; cần các cột Mã đơn vị, "
                    "Ngày nhận (và Năm học nếu sổ ghi nhiều năm)."]
    code_at, date_at = header[loose_key(COLUMNS["ma_don_vi"])], header[loose_key(COLUMNS["ngay_nhan"])]
    year_at = header.get(loose_key(COLUMNS["nam_hoc"]))
    entries: dict[tuple[str | None, str], dt.date] = {}
    problems: list[str] = []
    for excel_row, row in enumerate(rows[1:], start=2):
        code = cell_text(row[code_at])
        if not code and not cell_text(row[date_at]):
            continue
        day = _date(row[date_at])
        year = None
        if year_at is not None and cell_text(row[year_at]):
            year = parse_school_year(cell_text(row[year_at]))
            if year is None:
                problems.append(f"{source}, dòng {excel_row}: Năm học = {show_value(row[year_at])}, cần dạng "
                                "2019-2020.")
                continue
        if not code or day is None:
            problems.append(f"{source}, dòng {excel_row}: Mã đơn vị = {show_value(row[code_at])}, Ngày nhận = "
                            f"{show_value(row[date_at])}; cần mã đơn vị và ngày dạng 25/06/2020.")
            continue
        entries[year, code] = day
    return entries, problems


def received_in(register: Register, school_year: str) -> dict[str, dt.date]:
    """Unit code → date received, for one school year (its own rows win over rows without a year)."""
    found = {code: day for (year, code), day in register.items() if year is None}
    found |= {code: day for (year, code), day in register.items() if year == school_year}
    return found


def cell_text(value: object) -> str:
    """A configuration cell as text, single-spaced (``1978.0`` → ``1978``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.datetime.strptime(cell_text(value), "%d/%m/%Y").date()
    except ValueError:
        return None
