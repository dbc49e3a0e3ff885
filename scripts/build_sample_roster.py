"""Write the sample roster `config/don_vi.xlsx`: fictional units over the real areas of Hòa Bình.

Run once by a maintainer (`python scripts/build_sample_roster.py`); staff then edit the workbook in
Excel. Names of schools are invented from common place-name syllables; only the areas are real.
Deterministic: the same workbook every run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

OUT = Path(__file__).resolve().parents[1] / "config" / "don_vi.xlsx"
FIRST, LAST = "2017-2018", "2019-2020"
# Kỳ Sơn district was merged into Hòa Bình city by Resolution 830/NQ-UBTVQH14 (17/12/2019):
# from school year 2019-2020 its units report under the city.
KY_SON_LAST = "2018-2019"
MERGE_YEAR = "2018-2019"  # TH + THCS pairs merged into TH&THCS schools from this year

HEADERS = [
    "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học", "Địa bàn", "Số đoàn viên",
    "Từ năm học", "Đến năm học", "Mã đơn vị tiền thân", "Ghi chú",
]
SCHOOL, AGENCY = "Trường học", "Cơ quan, đơn vị"

# (area code, area name, [(level, name, members), ...])
AREAS: list[tuple[str, str, list[tuple[str, str, int]]]] = [
    ("01", "TP Hòa Bình", [
        ("MN", "Trường Mầm non Hoa Ban", 34), ("TH", "Trường Tiểu học Sông Đà", 41),
        ("THCS", "Trường THCS Hữu Nghị", 38), ("THPT", "Trường THPT Hoàng Văn Thụ", 86),
        ("THPT", "Trường THPT Lạc Long Quân", 72),
    ]),
    ("02", "Đà Bắc", [
        ("MN", "Trường Mầm non Hoa Sen", 26), ("THPT", "Trường THPT Đà Bắc", 64),
        ("PTDTNT", "Trường PT DTNT THCS Đà Bắc", 31),
    ]),
    ("03", "Kỳ Sơn", [
        ("MN", "Trường Mầm non Dân Hòa", 22), ("TH", "Trường Tiểu học Mông Hóa", 27),
        ("THPT", "Trường THPT Kỳ Sơn", 55),
    ]),
    ("04", "Lương Sơn", [
        ("MN", "Trường Mầm non Hoa Mai", 30), ("TH", "Trường Tiểu học Thành Lập", 33),
        ("THCS", "Trường THCS Nhuận Trạch", 29), ("THPT", "Trường THPT Lương Sơn", 78),
        ("THPT", "Trường THPT Nam Lương Sơn", 61),
    ]),
    ("05", "Kim Bôi", [
        ("MN", "Trường Mầm non Suối Hoa", 24), ("TH", "Trường Tiểu học Hạ Bì", 28),
        ("THPT", "Trường THPT Kim Bôi", 67), ("THPT", "Trường THPT Bắc Sơn", 49),
    ]),
    ("06", "Cao Phong", [
        ("MN", "Trường Mầm non Thu Phong", 21), ("THCS", "Trường THCS Bắc Phong", 26),
        ("THPT", "Trường THPT Cao Phong", 58),
    ]),
    ("07", "Tân Lạc", [
        ("MN", "Trường Mầm non Mường Khến", 25), ("TH", "Trường Tiểu học Phong Phú", 30),
        ("THPT", "Trường THPT Tân Lạc", 70), ("THPT", "Trường THPT Mường Bi", 52),
    ]),
    ("08", "Mai Châu", [
        ("MN", "Trường Mầm non Chiềng Châu", 23), ("TH", "Trường Tiểu học Vạn Mai", 27),
        ("THPT", "Trường THPT Mai Châu", 60), ("PTDTNT", "Trường PT DTNT THCS Mai Châu", 29),
    ]),
    ("09", "Lạc Sơn", [
        ("MN", "Trường Mầm non Vũ Bình", 28), ("TH", "Trường Tiểu học Nhân Nghĩa", 35),
        ("THCS", "Trường THCS Ân Nghĩa", 31), ("THPT", "Trường THPT Lạc Sơn", 82),
        ("THPT", "Trường THPT Quyết Thắng", 54),
    ]),
    ("10", "Yên Thủy", [
        ("MN", "Trường Mầm non Lạc Thịnh", 24), ("THCS", "Trường THCS Bảo Hiệu", 27),
        ("THPT", "Trường THPT Yên Thủy A", 63), ("THPT", "Trường THPT Yên Thủy B", 48),
    ]),
    ("11", "Lạc Thủy", [
        ("MN", "Trường Mầm non Thanh Nông", 22), ("TH", "Trường Tiểu học Phú Thành", 29),
        ("THPT", "Trường THPT Lạc Thủy", 66), ("THPT", "Trường THPT Thanh Hà", 45),
    ]),
]

# Pairs of a primary and a lower-secondary school merged into one TH&THCS school in MERGE_YEAR.
MERGES = [
    ("02", "Đà Bắc", "Tân Minh", 17, 19),
    ("05", "Kim Bôi", "Vĩnh Đồng", 15, 18),
    ("07", "Tân Lạc", "Ngọc Mỹ", 14, 16),
]

PROVINCE = [  # (code, name, type, level, area, members)
    ("12001", "Trường THPT Chuyên Hoàng Văn Thụ", SCHOOL, "THPT", "TP Hòa Bình", 92),
    ("12002", "Trường PT DTNT tỉnh Hòa Bình", SCHOOL, "PTDTNT", "TP Hòa Bình", 74),
    ("12003", "Trung tâm GDNN-GDTX huyện Lạc Sơn", SCHOOL, "GDNN-GDTX", "Lạc Sơn", 23),
    ("12004", "Trung tâm GDNN-GDTX huyện Lương Sơn", SCHOOL, "GDNN-GDTX", "Lương Sơn", 19),
    ("12005", "Trung tâm GDTX tỉnh Hòa Bình", SCHOOL, "GDNN-GDTX", "TP Hòa Bình", 27),
    ("13001", "Cơ quan Sở Giáo dục và Đào tạo", AGENCY, "Cơ quan", "TP Hòa Bình", 63),
    ("13002", "Trung tâm Kỹ thuật tổng hợp - Hướng nghiệp tỉnh", AGENCY, "Cơ quan", "TP Hòa Bình", 18),
    ("13003", "Ban Quản lý dự án giáo dục tỉnh", AGENCY, "Cơ quan", "TP Hòa Bình", 12),
]


def roster_rows() -> list[list[object]]:
    """Every roster row, in code order."""
    rows: list[list[object]] = []
    for area_code, area, units in AREAS:
        for seq, (level, name, members) in enumerate(units, start=1):
            code = f"{area_code}{seq:03d}"
            if area == "Kỳ Sơn":
                rows.append([code, name, SCHOOL, level, area, members, FIRST, KY_SON_LAST, "",
                             "Huyện Kỳ Sơn nhập vào TP Hòa Bình từ cuối năm 2019"])
                rows.append([code, name, SCHOOL, level, "TP Hòa Bình", members, "2019-2020", "", "",
                             "Trước năm học 2019-2020 thuộc huyện Kỳ Sơn"])
            else:
                rows.append([code, name, SCHOOL, level, area, members, FIRST, "", "", ""])
    for area_code, area, commune, th_members, thcs_members in MERGES:
        th, thcs, merged = f"{area_code}101", f"{area_code}102", f"{area_code}103"
        before = "2017-2018"
        rows.append([th, f"Trường Tiểu học {commune}", SCHOOL, "TH", area, th_members, FIRST, before, "",
                     f"Sáp nhập vào Trường TH&THCS {commune}"])
        rows.append([thcs, f"Trường THCS {commune}", SCHOOL, "THCS", area, thcs_members, FIRST, before, "",
                     f"Sáp nhập vào Trường TH&THCS {commune}"])
        rows.append([merged, f"Trường TH&THCS {commune}", SCHOOL, "TH&THCS", area,
                     th_members + thcs_members, MERGE_YEAR, "", f"{th}; {thcs}",
                     "Thành lập trên cơ sở sáp nhập hai trường"])
    for code, name, kind, level, area, members in PROVINCE:
        rows.append([code, name, kind, level, area, members, FIRST, "", "", ""])
    return sorted(rows, key=lambda r: (str(r[0]), str(r[6])))


def main() -> None:
    """Write the roster workbook deterministically."""
    workbook = xlsxwriter.Workbook(str(OUT), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": "Danh mục đơn vị", "created": dt.datetime(2017, 8, 1)})
    head = workbook.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1,
                                "valign": "vcenter", "font_name": "Times New Roman", "font_size": 12})
    text = workbook.add_format({"num_format": "@", "font_name": "Times New Roman", "font_size": 12})
    sheet = workbook.add_worksheet("Đơn vị")
    sheet.write_row(0, 0, HEADERS, head)
    for r, row in enumerate(roster_rows(), start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value), text)
    for c, width in enumerate([11, 44, 16, 11, 14, 10, 11, 11, 16, 44]):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(roster_rows()), len(HEADERS) - 1)
    notes = workbook.add_worksheet("Hướng dẫn")
    notes.set_column(0, 0, 100)
    for r, line in enumerate([
        "DANH MỤC ĐƠN VỊ — hướng dẫn sửa",
        "Mỗi dòng là một đơn vị trong các năm học ghi ở cột Từ năm học – Đến năm học (để trống Đến năm học"
        " nếu đơn vị vẫn còn).",
        "Mã đơn vị không đổi theo thời gian. Khi đơn vị đổi địa bàn (ví dụ huyện Kỳ Sơn nhập vào TP Hòa Bình),"
        " thêm một dòng cùng mã với năm học mới và địa bàn mới.",
        "Khi sáp nhập, đơn vị mới có mã mới; ghi mã các đơn vị cũ ở cột Mã đơn vị tiền thân, cách nhau"
        " bằng dấu chấm phẩy (;).",
        "Loại đơn vị: Trường học hoặc Cơ quan, đơn vị. Cấp học, Địa bàn: theo danh mục trong tệp bo_nhan.toml.",
        "Năm học ghi dạng 2018-2019. Số đoàn viên là số nguyên.",
    ]):
        notes.write_string(r, 0, line, text)
    workbook.close()


if __name__ == "__main__":
    main()
