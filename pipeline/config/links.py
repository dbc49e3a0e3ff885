"""Links staff have settled (``config/lien_ket.xlsx``, optional, SPEC §8).

The period review lists every uncertain link between two occurrences of a collective or a person in
`Cần xác nhận`; staff copy that sheet (its header row and the rows they settle) into ``config/lien_ket.xlsx``
and write ``Có`` (the same) or ``Không`` (different) in the last column. The next review applies them.
The columns are those of `Cần xác nhận`, found by header; rows with an empty last column are not settled yet.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from pipeline.config.limits import LIMITS, Limits
from pipeline.config.register import cell_text
from pipeline.config.schoolyear import parse_school_year
from pipeline.vi.text import canonical_key, clean_text, loose_key
from schemas.rules import show_value

LINKS_FILE = "lien_ket.xlsx"
KIND_COLLECTIVE, KIND_PERSON = "Tập thể", "Cá nhân"
YES, NO = "Có", "Không"
# key → header, in the order of `Cần xác nhận` (the review writes these; the reader finds them by header)
COLUMNS = {
    "loai": "Loại",
    "nam_hoc_1": "Năm học (1)", "ma_don_vi_1": "Mã đơn vị (1)", "don_vi_1": "Tên đơn vị (1)", "ten_1": "Tên (1)",
    "nam_sinh_1": "Năm sinh (1)",
    "nam_hoc_2": "Năm học (2)", "ma_don_vi_2": "Mã đơn vị (2)", "don_vi_2": "Tên đơn vị (2)", "ten_2": "Tên (2)",
    "nam_sinh_2": "Năm sinh (2)",
    "ly_do": "Lý do",
    "xac_nhan": "Xác nhận (Có/Không)",
}
SHOWN_ONLY = {"don_vi_1", "don_vi_2", "ly_do"}  # for staff to read; a settled link is found without them


@dataclass(frozen=True)
class Occurrence:
    """One year's row of a collective or person, as the review identifies it."""

    school_year: str
    unit: str
    name_key: str  # vi.text.canonical_key of the name
    birth_year: int | None  # None for collectives


@dataclass(frozen=True)
class Confirmation:
    """A link staff settled: ``same`` True (``Có``: merge) or False (``Không``: keep apart)."""

    kind: str
    first: Occurrence
    second: Occurrence
    same: bool
    row: int  # its row in lien_ket.xlsx


def load_links(directory: Path, guard: Callable[[Path, Limits], str | None] | None = None, limits: Limits = LIMITS
               ) -> tuple[list[Confirmation], list[str]]:
    """The settled links of ``directory/lien_ket.xlsx`` (none when it is absent) and the problems found."""
    path = directory / LINKS_FILE
    if not path.is_file():
        return [], []
    source = f"{directory.name}/{LINKS_FILE}"
    refused = guard(path, limits) if guard is not None else None
    if refused is not None:
        return [], [f"{source}: {refused}."]
    return read_links(path.read_bytes(), source)


def read_links(data: bytes, source: str) -> tuple[list[Confirmation], list[str]]:
    """Parse the links workbook's bytes; ``source`` names it in messages."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError, IndexError):
        return [], [f"{source}: không mở được tệp Excel; cần một tệp .xlsx chép từ trang Cần xác nhận của bản tổng "
                    "kết giai đoạn."]
    if not rows:
        return [], []
    header = {loose_key(_text(cell)): index for index, cell in enumerate(rows[0])}
    missing = [label for key, label in COLUMNS.items() if loose_key(label) not in header and key not in SHOWN_ONLY]
    if missing:
        return [], [f"{source}, dòng 1: thiếu cột {', '.join(repr(m) for m in missing)}; cần chép cả dòng tiêu đề "
                    "của trang Cần xác nhận."]
    at = {key: header[loose_key(label)] for key, label in COLUMNS.items() if loose_key(label) in header}
    found: list[Confirmation] = []
    problems: list[str] = []
    for excel_row, row in enumerate(rows[1:], start=2):
        values = {key: row[at[key]] if key in at and at[key] < len(row) else None for key in COLUMNS}
        answer = _text(values["xac_nhan"])
        if not answer:
            continue  # not settled yet
        where = f"{source}, dòng {excel_row}"
        if loose_key(answer) not in (loose_key(YES), loose_key(NO)):
            problems.append(f'{where}, cột "{COLUMNS["xac_nhan"]}": gặp {show_value(values["xac_nhan"])}, cần "{YES}" '
                            f'(cùng một {"tập thể" if _text(values["loai"]) == KIND_COLLECTIVE else "người"}) hoặc '
                            f'"{NO}" (khác nhau).')
            continue
        kind = _text(values["loai"])
        if kind not in (KIND_COLLECTIVE, KIND_PERSON):
            problems.append(f'{where}, cột "{COLUMNS["loai"]}": gặp {show_value(values["loai"])}, cần "{KIND_COLLECTIVE}" '
                            f'hoặc "{KIND_PERSON}".')
            continue
        pair = []
        for side in ("1", "2"):
            year = parse_school_year(_text(values[f"nam_hoc_{side}"]))
            unit, name = _text(values[f"ma_don_vi_{side}"]), _text(values[f"ten_{side}"])
            birth = _year(values[f"nam_sinh_{side}"])
            if year is None or not unit or not name or (kind == KIND_PERSON and birth is None):
                problems.append(f"{where}: cần đủ năm học, mã đơn vị, tên{' và năm sinh' if kind == KIND_PERSON else ''} "
                                f"của lần ({side}) như trang Cần xác nhận ghi.")
                break
            pair.append(Occurrence(year, unit, canonical_key(name), birth if kind == KIND_PERSON else None))
        else:
            found.append(Confirmation(kind, pair[0], pair[1], loose_key(answer) == loose_key(YES), excel_row))
    return found, problems


def _year(value: object) -> int | None:
    try:
        number = float(_text(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _text(value: object) -> str:
    """A cell as the review wrote it: text, NFC, single-spaced."""
    return clean_text(cell_text(value))
