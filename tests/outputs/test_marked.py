"""Marked copies are rebuilt from values: nothing live of the school's file survives into what staff open."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from pipeline.outputs.marked import NOTE_SHEET, write_marked_copy
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import list_cell, write_template
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


def test_a_macro_and_an_embedded_object_never_reach_the_marked_copy(config, tmp_path: Path) -> None:
    """An .xlsm with a VBA project and an embedded OLE object: the copy is rebuilt from values, as .xlsx, without
    either, and its note says that macros and embedded objects were dropped."""
    source, cell = _hostile_copy(config, tmp_path)
    macro = tmp_path / "truong.xlsm"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(macro, "w", zipfile.ZIP_DEFLATED) as target:
        for member in original.infolist():
            target.writestr(member, original.read(member))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name = \"Module1\"" * 40)
        target.writestr("xl/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 2048)
    found = [finding("R04", "truong.xlsm", sheet="Cá nhân", cell=cell, column="Năm sinh", value='"1944"', low=1949,
                     high=2001)]
    copy = tmp_path / "out" / "copy.xlsx"
    assert write_marked_copy(macro, found, copy)
    with zipfile.ZipFile(copy) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".bin") or "embeddings" in n or "vba" in n.lower()]
    book = openpyxl.load_workbook(copy)
    assert "macro và đối tượng nhúng của tệp gốc đã được bỏ đi" in book[NOTE_SHEET]["A1"].value
    assert book["Cá nhân"][cell].comment.text.startswith("[R04]")


def test_no_output_of_a_run_carries_anything_live_from_a_school(config, tmp_path: Path) -> None:
    """Every workbook and document a consolidation writes — the summary, the dossier, each feedback and marked
    copy — scanned as XML: no formula, hyperlink, external reference, DDE, macro or embedded object in any
    sheet (the summary's charts refer to its own cells, in chart parts only), and text typed as a formula or a
    link by a school stays text."""
    from pipeline.cli import main

    source, cell = _hostile_copy(config, tmp_path)
    book = openpyxl.load_workbook(source)
    book["Cá nhân"][cell] = 1900  # an error: the file gets a marked copy
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.save(inbox / "truong.xlsx")
    year = config.for_year(YEAR)
    data = make_unit_data(year.units.iloc[3], YEAR, seed=2)
    data.individuals[0]["tom_tat"] = '=HYPERLINK("http://example.invalid","bấm")'
    data.individuals[0]["nam_sinh"] = 1900  # an error, so this file gets a marked copy too
    data.collectives[0]["ten_tap_the"] = "=cmd|' /C calc'!A0"
    write_template(year, inbox / "thu_hai.xlsx", data.fill())
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "outbox"), "--year", YEAR,
                 "--config", str(config.directory)]) == 0
    outputs = [p for p in (tmp_path / "outbox" / YEAR).rglob("*") if p.suffix in (".xlsx", ".docx")]
    assert len([p for p in outputs if "_danh_dau_" in p.name]) == 2 and any(p.suffix == ".docx" for p in outputs)
    for path in outputs:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith(("xl/charts/", "xl/drawings/")):
                    continue  # our own charts, over our own cells
                part = archive.read(name)
                assert not LIVE.search(part), (path.name, name)
                assert b'TargetMode="External"' not in part, (path.name, name)
                if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):  # fields: the page number only
                    assert re.findall(rb'w:instr="([^"]*)"', part) in ([], [b"PAGE"]), (path.name, name)
                    assert b"<w:instrText" not in part and b"<w:hyperlink" not in part, (path.name, name)
            assert not [n for n in archive.namelist() if "externalLink" in n or n.endswith(".bin")], path.name
