"""Marked copies are rebuilt from values: nothing live of the school's file survives into what staff open."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from pipeline.outputs.marked import NOTE_SHEET, write_marked_copy
from pipeline.samples.sample import list_cell, make_unit_data
from pipeline.template.writer import write_template
from schemas.rules import finding

YEAR = "2019-2020"
LIVE = re.compile(rb"<f[ >]|<f/>|ddeLink|externalLink|<hyperlink[ >]|vbaProject|oleObject")


def _hostile_copy(config, tmp_path: Path) -> tuple[Path, str]:
    """A school's file with a DDE formula, an external reference and a hyperlink typed into it."""
    year = config.for_year(YEAR)
    data = make_unit_data(year.units.iloc[2], YEAR, seed=1)
    source = tmp_path / "truong.xlsx"
    write_template(year, source, data.fill())
    book = openpyxl.load_workbook(source)
    sheet = book["Cá nhân"]
    sheet["Z1"] = "=cmd|' /C calc'!A0"
    sheet["Z2"] = "='\\\\maychu\\chia_se\\[so_lieu.xlsx]Sheet1'!A1"
    sheet["Z3"].hyperlink = "http://example.invalid/"
    sheet["Z3"] = "liên kết"
    book.save(source)
    return source, list_cell("Cá nhân", "nam_sinh", 0)


def test_marked_copy_keeps_values_and_drops_everything_live(config, tmp_path: Path) -> None:
    source, cell = _hostile_copy(config, tmp_path)
    found = [finding("R04", "truong.xlsx", sheet="Cá nhân", cell=cell, column="Năm sinh", value='"1944"', low=1949,
                     high=2001),
             finding("W13", "truong.xlsx", "shown", sheet="_meta")]
    target = tmp_path / "out" / "copy.xlsx"
    assert write_marked_copy(source, found, target)
    with zipfile.ZipFile(target) as archive:
        for name in archive.namelist():
            assert not LIVE.search(archive.read(name)), name
        assert not [n for n in archive.namelist() if "externalLink" in n or n.endswith(".bin")]
    copy, original = openpyxl.load_workbook(target), openpyxl.load_workbook(source, data_only=True)
    assert copy.sheetnames == [NOTE_SHEET, *original.sheetnames]
    assert copy["Cá nhân"][cell].fill.fgColor.rgb.endswith("FFC7CE")
    assert copy["Cá nhân"][cell].comment.text.startswith("[R04] Lỗi dòng: Số ngoài khoảng cho phép, tại Cá nhân!")
    assert copy["_meta"].sheet_properties.tabColor.rgb.endswith("FFC000")
    assert copy["_meta"].sheet_state == "hidden"
    assert copy["Cá nhân"]["B4"].value == original["Cá nhân"]["B4"].value  # the school's values, unchanged
    assert copy["Cá nhân"]["Z1"].value is None or not str(copy["Cá nhân"]["Z1"].value).startswith("=")
