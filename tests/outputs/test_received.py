"""The date a file was received (SPEC §3, §7 Tình hình nộp): the received register, else the time the school
last saved the workbook, else the file's time — each shown with its source, and judged against the deadline."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import xlsxwriter

from pipeline.cli import main
from pipeline.intake.read import last_saved
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template

YEAR = "2019-2020"  # deadline 30/06/2020 in the sample settings
ROOT = Path(__file__).resolve().parents[2]


def _moment(day: str, hour: int = 9) -> float:
    return dt.datetime.combine(dt.datetime.strptime(day, "%d/%m/%Y").date(), dt.time(hour)).timestamp()


def _without_properties(path: Path) -> None:
    """The file as a program that writes no document properties leaves it."""
    data = path.read_bytes()
    with zipfile.ZipFile(path.with_suffix(".zip"), "w") as target, zipfile.ZipFile(path) as source:
        for item in source.infolist():
            if item.filename != "docProps/core.xml":
                target.writestr(item, source.read(item.filename))
    path.with_suffix(".zip").replace(path)
    assert path.read_bytes() != data


def test_received_date_comes_from_register_then_saved_time_then_file_time(config, tmp_path: Path) -> None:
    year = config.for_year(YEAR)
    units = [year.units.iloc[n] for n in (3, 4, 5)]
    inbox, settings = tmp_path / "inbox", tmp_path / "config"
    inbox.mkdir()
    shutil.copytree(ROOT / "config", settings)
    paths = []
    for n, unit in enumerate(units):
        data = make_unit_data(unit, YEAR, seed=n)
        data.unit["ngay_lap"] = dt.date(2020, 6, 20)
        path = inbox / f"don_vi_{n}.xlsx"
        # saved by the school: 29/06 before the deadline for the first two, 02/07 (late) for the third
        saved = dt.datetime(2020, 6, 29, 3) if n < 2 else dt.datetime(2020, 7, 2, 3)
        write_template(year, path, data.fill(), saved=saved)
        if n == 2:
            _without_properties(path)  # no properties: the file's time decides, 05/07 — late
        os.utime(path, (_moment("05/07/2020"), _moment("05/07/2020")))  # staff saved the attachments late
        paths.append(path)
    first, second, third = (str(u["ma_don_vi"]) for u in units)
    register = xlsxwriter.Workbook(str(settings / "so_nhan.xlsx"))
    sheet = register.add_worksheet("Sổ nhận")
    sheet.write_row(0, 0, ["Mã đơn vị", "Ngày nhận", "Năm học"])
    sheet.write_row(1, 0, [first, "01/07/2020", YEAR])  # the văn thư's register: late, whatever the file says
    sheet.write_row(2, 0, [first, "20/06/2020", "2018-2019"])  # another year's row does not apply
    register.close()

    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "outbox"), "--year", YEAR,
                 "--config", str(settings)]) == 0
    book = openpyxl.load_workbook(tmp_path / "outbox" / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx")
    values = list(book["Tình hình nộp"].iter_rows(values_only=True))
    rows = {row[0]: dict(zip(values[0], row)) for row in values[1:]}
    shown = {code: (rows[code]["Ngày nhận"].date(), rows[code]["Nguồn ngày nhận"], rows[code]["Hạn nộp"])
             for code in (first, second, third)}
    assert shown == {
        first: (dt.date(2020, 7, 1), "Sổ nhận (so_nhan.xlsx)", "Trễ hạn"),
        second: (dt.date(2020, 6, 29), "Ngày trường lưu tệp", "Đúng hạn"),
        third: (dt.date(2020, 7, 5), "Ngày giờ của tệp", "Trễ hạn"),
    }


def test_last_saved_reads_the_properties_in_utc_and_tolerates_their_absence(config, tmp_path: Path) -> None:
    year = config.for_year(YEAR)
    path = tmp_path / "a.xlsx"
    write_template(year, path, saved=dt.datetime(2020, 6, 29, 16, 45, 10))
    assert last_saved(path) == dt.datetime(2020, 6, 29, 16, 45, 10)
    _without_properties(path)
    assert last_saved(path) is None
    (tmp_path / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600)  # not a zip: no properties to read
    assert last_saved(tmp_path / "b.xls") is None


def test_a_bad_register_row_is_a_configuration_error_naming_the_row(tmp_path: Path, capsys) -> None:
    settings = tmp_path / "config"
    shutil.copytree(ROOT / "config", settings)
    register = xlsxwriter.Workbook(str(settings / "so_nhan.xlsx"))
    sheet = register.add_worksheet()
    sheet.write_row(0, 0, ["Mã đơn vị", "Ngày nhận"])
    sheet.write_row(1, 0, ["TH001", "07/31/2020"])  # month first
    register.close()
    assert main(["check", str(ROOT / "README.md"), "--config", str(settings)]) == 2
    said = capsys.readouterr()
    assert ('config/so_nhan.xlsx, dòng 2: Mã đơn vị = "TH001", Ngày nhận = "07/31/2020"; cần mã đơn vị và ngày '
            "dạng 25/06/2020.") in said.out + said.err
