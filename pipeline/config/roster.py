"""The roster of units (danh mục đơn vị, config/don_vi.xlsx): reading and checking it (SPEC §3).

A unit keeps a stable code across school years. A row is one period of a unit's life: a unit that
changed area (Kỳ Sơn → TP Hòa Bình) has two rows with the same code; a unit created by a merger has a new
code and lists its predecessors.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook

from pipeline.config.labels import LabelSet
from pipeline.config.schoolyear import parse_school_year, school_year_of, year_start
from pipeline.vi.text import clean_text, loose_key

ROSTER_SHEET = "Đơn vị"
# key → header label in the roster workbook
ROSTER_COLUMNS = {
    "ma_don_vi": "Mã đơn vị",
    "ten_don_vi": "Tên đơn vị",
    "loai_don_vi": "Loại đơn vị",
    "cap_hoc": "Cấp học",
    "dia_ban": "Địa bàn",
    "so_doan_vien": "Số đoàn viên",
    "tu_nam_hoc": "Từ năm học",
    "den_nam_hoc": "Đến năm học",
    "ma_tien_than": "Mã đơn vị tiền thân",
}
OPTIONAL = {"den_nam_hoc", "ma_tien_than"}
LAST_OPEN = 9999  # year_start used for "still valid"
# A unit code names its feedback file (phan_hoi/<mã>.xlsx): letters, digits, "-" and "_" only, so that no code
# can point outside the outbox ("../x", "a/b") or be a name Windows refuses.
PLAIN_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,39}")


def read_roster(path: Path, data: bytes | None) -> tuple[pd.DataFrame | None, list[str]]:
    """Read the roster workbook (``data``, the bytes of ``path``) into one row per unit period, as text.

    Returns:
        The raw roster frame (columns of :data:`ROSTER_COLUMNS` plus ``dong``, the Excel row), or None,
        and the problems found.
    """
    source = f"{path.parent.name}/{path.name}"
    if data is None:
        return None, [f"Không tìm thấy tệp danh mục đơn vị {source}."]
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError):
        return None, [f"{source}: không mở được tệp Excel (tệp hỏng hoặc không phải bảng tính); cần một tệp .xlsx lưu bằng "
                      "Excel hoặc LibreOffice."]
    names = {loose_key(name): name for name in workbook.sheet_names}
    sheet = names.get(loose_key(ROSTER_SHEET))
    if sheet is None:
        return None, [f'{source}: không có trang "{ROSTER_SHEET}"; các trang hiện có: '
                      f"{', '.join(workbook.sheet_names)}."]
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    if not rows:
        return None, [f'{source}, trang "{sheet}": trang trống; cần dòng tiêu đề và danh sách đơn vị.']
    header = {loose_key(str(cell)): index for index, cell in enumerate(rows[0])}
    missing = [label for key, label in ROSTER_COLUMNS.items()
               if loose_key(label) not in header and key not in OPTIONAL]
    if missing:
        return None, [f'{source}, trang "{sheet}", dòng 1: thiếu cột {", ".join(repr(m) for m in missing)}; '
                      f"cần các cột: {', '.join(ROSTER_COLUMNS.values())}."]
    records = []
    for excel_row, row in enumerate(rows[1:], start=2):
        values = {key: _cell_text(row, header.get(loose_key(label))) for key, label in ROSTER_COLUMNS.items()}
        if any(values.values()):
            records.append({**values, "dong": excel_row})
    return pd.DataFrame.from_records(records, columns=[*ROSTER_COLUMNS, "dong"]), []


def check_roster(raw: pd.DataFrame, vocab_by_year: Mapping[str, Mapping[str, LabelSet]], source: str
                 ) -> tuple[pd.DataFrame, list[str]]:
    """Type and check the raw roster.

    Args:
        raw: as returned by :func:`read_roster`.
        vocab_by_year: label sets of each school year the config knows (for types, levels and areas).
        source: file name, for messages.

    Returns:
        The typed roster (``so_doan_vien`` int, ``tu``/``den`` as start years, ``ma_tien_than`` a tuple)
        and the problems found.
    """
    problems: list[str] = []
    records = []
    for row in raw.to_dict("records"):
        where = f'{source}, trang "{ROSTER_SHEET}", dòng {row["dong"]}'
        code = row["ma_don_vi"]
        if code:
            where += f" (mã {code})"

        def bad(key: str, expected: str, found: str = "") -> None:
            problems.append(f'{where}, cột "{ROSTER_COLUMNS[key]}": gặp "{found or row[key]}", cần {expected}.')

        if not code:
            bad("ma_don_vi", "mã đơn vị (không để trống)", "(trống)")
        elif not PLAIN_CODE.fullmatch(code):
            bad("ma_don_vi", 'mã chỉ gồm chữ cái không dấu, chữ số, "-" hoặc "_" (mã dùng làm tên tệp phản hồi)')
        if not row["ten_don_vi"]:
            bad("ten_don_vi", "tên đơn vị (không để trống)", "(trống)")
        members = _as_int(row["so_doan_vien"])
        if members is None or members < 1:
            bad("so_doan_vien", "một số nguyên lớn hơn 0")
        first = parse_school_year(row["tu_nam_hoc"])
        if first is None:
            bad("tu_nam_hoc", "một năm học dạng 2017-2018")
            continue
        last = parse_school_year(row["den_nam_hoc"]) if row["den_nam_hoc"] else None
        if row["den_nam_hoc"] and (last is None or year_start(last) < year_start(first)):
            bad("den_nam_hoc", f"để trống hoặc một năm học dạng 2019-2020, không trước {first}")
            continue
        start, end = year_start(first), year_start(last) if last else LAST_OPEN
        known_years = [y for y in vocab_by_year if start <= year_start(y) <= end]
        for key in ("loai_don_vi", "cap_hoc", "dia_ban"):
            for year in known_years:
                label_set = vocab_by_year[year].get(key)
                if label_set is not None and row[key] not in label_set.codes:
                    bad(key, f"một trong các giá trị của năm học {year}: {', '.join(label_set.codes)}")
                    break
        records.append({
            **{k: row[k] for k in ("ma_don_vi", "ten_don_vi", "loai_don_vi", "cap_hoc", "dia_ban")},
            "so_doan_vien": members or 0,
            "tu": start,
            "den": end,
            "ma_tien_than": tuple(c.strip() for c in row["ma_tien_than"].replace(",", ";").split(";")
                                  if c.strip()),
            "dong": row["dong"],
        })
    roster = pd.DataFrame.from_records(records, columns=[
        "ma_don_vi", "ten_don_vi", "loai_don_vi", "cap_hoc", "dia_ban", "so_doan_vien", "tu", "den",
        "ma_tien_than", "dong"])
    codes = set(roster["ma_don_vi"])
    for row in roster.to_dict("records"):
        for previous in row["ma_tien_than"]:
            if previous not in codes:
                problems.append(f'{source}, trang "{ROSTER_SHEET}", dòng {row["dong"]} (mã {row["ma_don_vi"]}), '
                                f'cột "{ROSTER_COLUMNS["ma_tien_than"]}": gặp "{previous}", cần mã của một đơn '
                                "vị có trong danh mục.")
    for code, periods in roster.groupby("ma_don_vi", sort=True):
        spans = sorted(zip(periods["tu"], periods["den"], periods["dong"]))
        for (_, end, row_a), (start, _, row_b) in zip(spans, spans[1:]):
            if start <= end:
                problems.append(f'{source}, trang "{ROSTER_SHEET}", dòng {row_a} và dòng {row_b}: mã {code} có hai '
                                f"dòng cùng áp dụng năm học {school_year_of(start)}; cần các khoảng năm học "
                                "không chồng nhau.")
    return roster, problems


def units_in_year(roster: pd.DataFrame, school_year: str) -> pd.DataFrame:
    """The roster rows valid in ``school_year``, one per unit, in code order."""
    start = year_start(school_year)
    valid = roster[(roster["tu"] <= start) & (roster["den"] >= start)]
    return valid.sort_values("ma_don_vi", kind="stable").reset_index(drop=True)


def _cell_text(row: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)) if value is not None else ""


def _as_int(text: str) -> int | None:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
