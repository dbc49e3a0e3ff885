"""Configurations of other levels, for the roll-up's demo and tests (SPEC §10): a second body below (its own
name and units) and the level above (whose roster lists the bodies below). Copies of a configuration with a few
settings and the roster replaced; everything else (label sets, criteria) stays as it is.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

from pipeline.config.roster import ROSTER_COLUMNS, ROSTER_SHEET

ROSTER_FILE = "don_vi.xlsx"
SETTINGS_FILE = "cai_dat.toml"
# The level above a province's education union: the provincial labour federation.
UPPER = {"co_quan_cap_tren": "TỔNG LĐLĐ VIỆT NAM", "co_quan_ban_hanh": "LĐLĐ TỈNH HÒA BÌNH",
         "ten_co_quan": "Liên đoàn Lao động tỉnh", "ky_hieu": "LĐLĐ",
         "kinh_gui": "Đoàn Chủ tịch Tổng Liên đoàn Lao động Việt Nam"}


# A second body below the provincial federation, for the roll-up demo: the civil servants' union and a few of its
# (fictional) agencies, with codes of their own.
CIVIL_SERVANTS = {"co_quan_ban_hanh": "CÔNG ĐOÀN VIÊN CHỨC TỈNH", "ten_co_quan": "Công đoàn Viên chức tỉnh",
                  "ky_hieu": "CĐVC"}
AGENCIES = (("VC001", "Văn phòng Ủy ban nhân dân tỉnh", 48), ("VC002", "Sở Tài chính", 41),
            ("VC003", "Sở Tư pháp", 33), ("VC004", "Sở Nội vụ", 37))


def body_config(source: Path, target: Path, settings: Mapping[str, str], codes: Sequence[str]) -> Path:
    """A copy of ``source`` for another body: some settings replaced, the roster cut to the rows of ``codes``."""
    _copy(source, target, settings)
    rows = CalamineWorkbook.from_path(str(source / ROSTER_FILE)).get_sheet_by_name(ROSTER_SHEET).to_python()
    _write_roster(target / ROSTER_FILE, rows[0], [r for r in rows[1:] if r and r[0] in codes])
    return target


def agencies_config(source: Path, target: Path, first_year: str) -> Path:
    """The civil servants' union: its settings and its agencies (:data:`AGENCIES`)."""
    _copy(source, target, CIVIL_SERVANTS)
    rows = [[code, name, "Cơ quan, đơn vị", "Cơ quan", "TP Hòa Bình", float(members), first_year, "", ""]
            for code, name, members in AGENCIES]
    _write_roster(target / ROSTER_FILE, list(ROSTER_COLUMNS.values()), rows)
    return target


def upper_config(source: Path, target: Path, bodies: Sequence[tuple[str, str, int]], first_year: str,
                 settings: Mapping[str, str] = UPPER) -> Path:
    """A copy of ``source`` for the level above: its roster lists the bodies below (code, name, members)."""
    _copy(source, target, settings)
    header = list(ROSTER_COLUMNS.values())
    rows = [[code, name, "Cơ quan, đơn vị", "Cơ quan", "TP Hòa Bình", float(members), first_year, "", ""]
            for code, name, members in bodies]
    _write_roster(target / ROSTER_FILE, header, rows)
    return target


def _copy(source: Path, target: Path, settings: Mapping[str, str]) -> None:
    shutil.copytree(source, target, dirs_exist_ok=True)
    for optional in ("so_nhan.xlsx", "lien_ket.xlsx"):
        (target / optional).unlink(missing_ok=True)
    text = (source / SETTINGS_FILE).read_text(encoding="utf-8")
    for key, value in settings.items():
        text, found = re.subn(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', text)
        assert found == 1, key
    (target / SETTINGS_FILE).write_text(text, encoding="utf-8")


def _write_roster(path: Path, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    path.unlink(missing_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet(ROSTER_SHEET)
    sheet.write_row(0, 0, [str(h) for h in header])
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(number, col, value)
            elif value not in (None, ""):
                sheet.write_string(number, col, str(value))
    workbook.close()
