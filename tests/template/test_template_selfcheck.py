"""The template's self-checks, recalculated by LibreOffice as a school's spreadsheet program would."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.libreoffice import convert, convert_many, needs_libreoffice

pytestmark = needs_libreoffice

UNIT = {  # Đơn vị, column B from row 5, in form order (row 10, the year, is pre-filled)
    5: "01003", 6: "Trường THCS Hữu Nghị", 7: "Trường học", 8: "THCS", 9: "TP Hòa Bình",
    11: 40, 12: 38, 13: 30, 14: 4, 15: 0, 16: "Nguyễn Thị Lan", 17: "Chủ tịch công đoàn",
    18: "0912345678", 19: "lan.nt@example.invalid", 20: dt.datetime(2019, 5, 25),
}
COLLECTIVE = [1, "Công đoàn trường THCS Hữu Nghị", "Công đoàn trường học (GD-ĐT)", "Toàn diện", 620, 410, 38, 14,
              "Tốt", "Tốt", "Khá", "Tốt", "Tốt", "Không áp dụng", "Tốt", "Khá", 9500, "Có", "Vững mạnh xuất sắc",
              "Tập thể lao động xuất sắc", "Nhiều năm liền đạt tập thể lao động xuất sắc."]
PERSON = [1, "Nguyễn Thị Hương", "Nữ", 1978, "Mường", "Hiệu trưởng", "Có", 1, "Hoàn thành xuất sắc nhiệm vụ",
          "Chiến sĩ thi đua cơ sở", "Cấp tỉnh", "Cấp tỉnh", "Tốt", "Có", "Tốt", "Không", "Toàn diện",
          "Gương mẫu, có sáng kiến cấp tỉnh."]
DAN_TOC = 4  # 0-based position of Dân tộc in PERSON
NAM_SINH = 3


def _fill(template: Path, target: Path, *, collectives: list[list], people: list[list], unit: bool = True,
          **form: object) -> Path:
    workbook = openpyxl.load_workbook(template)
    if unit:
        for row, value in {**UNIT, **{int(k.lstrip("_")): v for k, v in form.items()}}.items():
            workbook["Đơn vị"].cell(row, 2).value = value
        workbook["Kết quả"]["B5"].value = "Có"
    for offset, values in enumerate(collectives):
        for col, value in enumerate(values, start=1):
            workbook["Tập thể"].cell(4 + offset, col).value = value
    for offset, values in enumerate(people):
        for col, value in enumerate(values, start=1):
            workbook["Cá nhân"].cell(4 + offset, col).value = value
    workbook.save(target)
    return target


def _code_only(template: Path, target: Path) -> Path:
    """Only the unit code chosen on Đơn vị: name, type, level and area come from the roster by formula."""
    workbook = openpyxl.load_workbook(template)
    workbook["Đơn vị"]["B5"].value = UNIT[5]
    workbook.save(target)
    return target


def _variant(values: list, **changes: object) -> list:
    copy = list(values)
    for index, value in changes.items():
        copy[int(index.lstrip("_"))] = value
    return copy


@pytest.fixture(scope="module")
def recalculated(template_factory, tmp_path_factory: pytest.TempPathFactory) -> dict[str, openpyxl.Workbook]:
    """Each filled copy, recalculated by LibreOffice and read back with cached values."""
    template = template_factory("2018-2019")
    work = tmp_path_factory.mktemp("filled")
    missing = _variant(PERSON, **{f"_{DAN_TOC}": None, "_0": 2, "_1": "Bùi Văn Đức", "_6": "Không", "_7": None})
    too_old = _variant(PERSON, **{f"_{NAM_SINH}": 1930, "_0": 3, "_1": "Đinh Thị Ánh", "_6": "Không",
                                  "_7": None})
    agency = _variant(COLLECTIVE, _0=2, _2="Công đoàn cơ quan, đơn vị kiểu mẫu")  # keeps Không áp dụng
    broken = [
        _variant(COLLECTIVE, _5=700),  # more good pupils than pupils
        agency,
    ]
    bad_people = [
        _variant(PERSON, _7=9),  # heads a collective that is not on Tập thể
        _variant(PERSON, _0=2, _1="Hương", _2="Nữ giới"),  # one-word name, value not in the list
    ]
    files = {
        "clean": _fill(template, work / "clean.xlsx", collectives=[], people=[], unit=False),
        "valid": _fill(template, work / "valid.xlsx", collectives=[COLLECTIVE], people=[PERSON]),
        "two_problems": _fill(template, work / "two_problems.xlsx", collectives=[COLLECTIVE],
                              people=[PERSON, missing, too_old]),
        "cross_rules": _fill(template, work / "cross_rules.xlsx", collectives=broken, people=bad_people,
                             _20=dt.datetime(2020, 1, 2)),  # Ngày lập after 31/12/2019, the window's end for 2018-2019
        "code_only": _code_only(template, work / "code_only.xlsx"),
    }
    converted = convert_many(list(files.values()), "xlsx", work / "recalculated")
    return {name: openpyxl.load_workbook(path, data_only=True) for name, path in zip(files, converted)}


def test_clean_copy_has_no_problems(recalculated) -> None:
    unit = recalculated["clean"]["Đơn vị"]
    assert unit["B2"].value == 0
    assert unit["C2"].value == "Chưa nhập dữ liệu"


def test_complete_valid_nomination_has_no_problems(recalculated) -> None:
    book = recalculated["valid"]
    assert book["Đơn vị"]["B2"].value == 0
    assert book["Đơn vị"]["C2"].value == "Không còn lỗi — có thể gửi"
    assert book["Đơn vị"]["D5"].value == "Theo danh mục: Trường THCS Hữu Nghị — THCS, TP Hòa Bình"
    assert book["Tập thể"]["V4"].value in ("", None) and book["Tập thể"]["W4"].value == 0
    assert book["Cá nhân"]["S4"].value in ("", None) and book["Cá nhân"]["T4"].value == 0


def test_status_counts_exactly_the_problems_left(recalculated) -> None:
    book = recalculated["two_problems"]
    assert book["Đơn vị"]["B2"].value == 2
    assert book["Đơn vị"]["C2"].value == "Còn lỗi: xem cột Cần sửa ở các trang"
    people = book["Cá nhân"]
    assert people["S4"].value in ("", None)
    assert people["S5"].value == "Thiếu Dân tộc; " and people["T5"].value == 1
    assert people["S6"].value == "Năm sinh: cần số nguyên từ 1948 đến 2000; " and people["T6"].value == 1


def test_choosing_the_code_fills_name_type_level_and_area_from_the_roster(recalculated) -> None:
    unit = recalculated["code_only"]["Đơn vị"]
    assert [unit[f"B{row}"].value for row in (6, 7, 8, 9)] == [UNIT[6], UNIT[7], UNIT[8], UNIT[9]]
    clean = recalculated["clean"]["Đơn vị"]
    assert all(clean[f"B{row}"].value in ("", None) for row in (6, 7, 8, 9))  # no code, nothing shown


def test_cross_rules_are_checked(recalculated) -> None:
    book = recalculated["cross_rules"]
    collectives, people = book["Tập thể"], book["Cá nhân"]
    assert collectives["V4"].value == "Số HS khá, giỏi lớn hơn Tổng số học sinh; "
    assert collectives["V5"].value == "Cải cách hành chính: cơ quan, đơn vị không được chọn Không áp dụng; "
    assert people["S4"].value == "Tập thể đứng đầu: không có STT này ở trang Tập thể; "
    assert people["S5"].value == "Giới tính: chọn trong danh sách; Họ và tên: cần đủ họ và tên; "
    # the list rows' problems, 1 + 1 + 1 + 2, and the form's one (its Ngày lập)
    assert book["Đơn vị"]["B2"].value == 6


def test_template_prints_on_a4_landscape(template_factory, tmp_path: Path) -> None:
    pdf = convert(template_factory("2018-2019"), "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)}
    assert sizes == {(842, 595)}  # every page A4 landscape, in points
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("HƯỚNG DẪN ĐIỀN BIỂU MẪU", "THÔNG TIN ĐƠN VỊ", "DANH SÁCH TẬP THỂ ĐỀ NGHỊ",
                  "DANH SÁCH CÁ NHÂN ĐỀ NGHỊ", "BÁO CÁO KẾT QUẢ", "Trang 1/"):
        assert words in text
    assert "_meta" not in text and "mau_id" not in text  # hidden sheets are not printed


def test_a_filled_template_prints_only_the_rows_used(template_factory, tmp_path: Path) -> None:
    """Three people and one collective: each list prints on one page width-pair, not 26 blank pages."""
    people = [PERSON, _variant(PERSON, _0=2, _1="Bùi Văn Đức", _6="Không", _7=None),
              _variant(PERSON, _0=3, _1="Đinh Thị Ánh", _6="Không", _7=None)]
    filled = _fill(template_factory("2018-2019"), tmp_path / "ba_nguoi.xlsx", collectives=[COLLECTIVE], people=people)
    pdf = convert(filled, "pdf", tmp_path)
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    people_pages = [p for p in pages if "Họ và tên" in p and "Giới tính" in p or "Bùi Văn Đức" in p]
    assert 1 <= len(people_pages) <= 4
    assert all(name in "".join(pages) for name in ("Nguyễn Thị Hương", "Bùi Văn Đức", "Đinh Thị Ánh"))
    assert len([p for p in pages if p.strip()]) <= 10  # guide 2, unit 1, lists 2 + 2, report 1 (was 30 and more)


def test_a_ngay_lap_outside_the_plausible_dates_is_flagged_in_the_form(recalculated) -> None:
    unit = recalculated["cross_rules"]["Đơn vị"]
    assert unit["C20"].value == "Ngày lập: cần ngày từ 01/01/2018 đến 31/12/2019; "
