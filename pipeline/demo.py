"""Sample submissions: the real template filled with realistic, fictional data (SPEC §10).

Each roster unit gets a latent quality that drives its counts and ratings, so that scores spread over
every classification. A ``faulty`` share of files carries faults from :data:`FAULTS`, a catalogue that
covers every rule of :mod:`pipeline.rules` that a file can trigger, plus the quirks schools produce
without breaking a rule (NFD text). Deterministic for a seed: each unit's data depends only on the seed
and its code. Files go through :func:`pipeline.template.write_template`, so they cannot drift from the
template.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from pipeline.config import Config
from pipeline.fakenames import ETHNIC_WEIGHTS_HOA_BINH, make_person
from pipeline.schoolyear import year_start
from pipeline.template import (
    FORM_HEADER_ROW,
    LIST_HEADER_ROW,
    Fill,
    TemplateInputs,
    generated_at,
    write_template,
)
from pipeline.vi.legacy import TCVN3_TO_UNICODE, VNI_TO_UNICODE
from schemas.submission import (
    AGENCY_MODEL,
    SCHOOL_MODEL,
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_REPORT,
    SHEET_UNIT,
    CollectiveRow,
    IndividualRow,
    ReportForm,
    UnitForm,
    column_specs,
)

PUPILS = {"MN": (120, 380), "TH": (300, 900), "THCS": (250, 750), "TH&THCS": (350, 900), "THPT": (600, 1450),
          "PTDTNT": (180, 450), "GDNN-GDTX": (150, 520)}
RATINGS = ("Tốt", "Khá", "Trung bình", "Chưa thực hiện")
TEAMS = ["Tổ chuyên môn Toán - Tin", "Tổ chuyên môn Ngữ văn", "Tổ công đoàn khối 1 - 2", "Tổ chuyên môn Khoa học tự nhiên",
         "Tổ công đoàn Văn phòng", "Tổ chuyên môn Ngoại ngữ", "Tổ công đoàn Nhà trẻ", "Tổ chuyên môn Lịch sử - Địa lý"]
AGENCY_TEAMS = ["Tổ công đoàn Văn phòng", "Tổ công đoàn Phòng Kế hoạch - Tài chính", "Tổ công đoàn Phòng Tổ chức cán bộ"]
ROLES = ["Giáo viên", "Giáo viên", "Giáo viên", "Tổ trưởng chuyên môn", "Giáo viên chủ nhiệm", "Kế toán",
         "Nhân viên văn thư", "Tổng phụ trách Đội", "Phó Hiệu trưởng"]
ACHIEVEMENTS = [
    "Nhiều năm liền hoàn thành xuất sắc nhiệm vụ; tích cực đổi mới phương pháp dạy học, ứng dụng công nghệ thông tin.",
    "Có sáng kiến kinh nghiệm được công nhận; bồi dưỡng học sinh giỏi đạt nhiều giải.",
    "Gương mẫu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; tích cực tham gia từ thiện.",
    "Vận động quyên góp ủng hộ học sinh có hoàn cảnh khó khăn vùng cao; xây dựng tập thể đoàn kết.",
    "Đi đầu trong phong trào thi đua dạy tốt, học tốt; duy trì sĩ số học sinh vùng đặc biệt khó khăn.",
]
DEMO_MARKER = ".du-lieu-mau"  # lists the files the demo wrote in a folder, so that it may rewrite them
PLACEHOLDERS = {"README.md", ".gitkeep"}  # the repository's own files in inbox/
SURPLUS_FILES = {  # not submissions: discovered, listed as ignored
    "Cong van huong dan DHTT.pdf": b"%PDF-1.4\n% fictional instructions\n",
    "Thumbs.db": b"\x00" * 64,
}


@dataclass
class UnitData:
    """One unit's submission, as values for the template's data cells."""

    code: str
    name: str
    unit: dict[str, Any]
    report: dict[str, Any]
    collectives: list[dict[str, Any]]
    individuals: list[dict[str, Any]]
    meta: dict[str, str] = field(default_factory=dict)

    def fill(self) -> Fill:
        """The template fill of this data."""
        return Fill(self.unit, self.report, self.collectives, self.individuals, self.meta)


@dataclass(frozen=True)
class Location:
    """Where a fault shows: the rule, the sheet (template name) and cell it is reported at ("" = file)."""

    rule: str
    sheet: str = ""
    cell: str = ""


def list_cell(sheet: str, key: str, index: int) -> str:
    """The cell of ``key`` in the ``index``-th data row of a list sheet of the template."""
    keys = list(column_specs(CollectiveRow if sheet == SHEET_COLLECTIVES else IndividualRow))
    return f"{xl_col_to_name(keys.index(key))}{LIST_HEADER_ROW + 1 + index}"


def form_cell(sheet: str, key: str) -> str:
    """The value cell of ``key`` on a form sheet of the template."""
    keys = list(column_specs(UnitForm if sheet == SHEET_UNIT else ReportForm))
    return f"B{FORM_HEADER_ROW + 1 + keys.index(key)}"


# ---------------------------------------------------------------------------------------------- data
def make_unit_data(unit: pd.Series, school_year: str, seed: int) -> UnitData:
    """Realistic fictional data for one roster unit; depends only on the seed, the year and the code."""
    rng = random.Random(f"{seed}/{school_year}/{unit['ma_don_vi']}")
    start = year_start(school_year)
    quality = rng.betavariate(2.4, 1.7)
    school = unit["loai_don_vi"] == "Trường học"
    members = int(unit["so_doan_vien"])
    staff = members + rng.randint(0, 6)
    advanced = min(staff, round(staff * min(0.95, 0.5 + 0.45 * quality + rng.uniform(-0.05, 0.05))))
    soldiers = min(int(advanced * 0.15), round(advanced * 0.12 * quality + rng.random()))
    writer = make_person(rng, ethnic_weights=ETHNIC_WEIGHTS_HOA_BINH)
    made = dt.date(start + 1, 5, 15) + dt.timedelta(days=rng.randint(0, 40))
    form = {
        "ma_don_vi": unit["ma_don_vi"], "ten_don_vi": unit["ten_don_vi"], "loai_don_vi": unit["loai_don_vi"],
        "cap_hoc": unit["cap_hoc"], "dia_ban": unit["dia_ban"], "tong_so_cbgvnv": staff,
        "so_doan_vien": members, "so_lao_dong_tien_tien": advanced, "so_cstd_co_so": soldiers,
        "so_bi_ky_luat": 1 if rng.random() < 0.04 else 0, "nguoi_lap_bieu": writer.ho_ten,
        "chuc_vu": "Chủ tịch công đoàn", "dien_thoai": f"09{rng.randint(10_000_000, 99_999_999)}",
        "email": f"congdoan.{unit['ma_don_vi']}@truonghoc.example", "ngay_lap": made,
    }
    collectives = [_collective(rng, unit, 1, f"Công đoàn {unit['ten_don_vi']}", quality, school, members)]
    teams = TEAMS if school else AGENCY_TEAMS
    for number, team in enumerate(rng.sample(teams, k=rng.choice([0, 1, 1, 2, 3])), start=2):
        collectives.append(_collective(rng, unit, number, team, quality, school, max(5, members // 4)))
    people = []
    count = max(2, min(12, members // 6 + rng.randint(-1, 2)))
    for number in range(1, count + 1):
        people.append(_individual(rng, number, start, quality, school, collectives))
    report = _report(rng, quality, collectives, people, start)
    return UnitData(unit["ma_don_vi"], unit["ten_don_vi"], form, report, collectives, people)


def _rating(rng: random.Random, quality: float) -> str:
    draw = rng.random()
    if draw < 0.15 + 0.75 * quality:
        return "Tốt"
    if draw < 0.55 + 0.4 * quality:
        return "Khá"
    return "Trung bình" if draw < 0.97 else "Chưa thực hiện"


def _collective(rng: random.Random, unit: pd.Series, number: int, name: str, quality: float, school: bool,
                members: int) -> dict[str, Any]:
    quality = min(1.0, max(0.0, quality + rng.uniform(-0.15, 0.15)))
    row: dict[str, Any] = {"stt": number, "ten_tap_the": name, "loai_mo_hinh": SCHOOL_MODEL if school else AGENCY_MODEL,
                           "linh_vuc": rng.choice(["Toàn diện", "Toàn diện", "Dạy và học", "Hoạt động công đoàn",
                                                   "Nhân đạo, từ thiện"] if school else
                                                  ["Toàn diện", "Cải cách hành chính", "Hoạt động công đoàn"])}
    if school:
        low, high = PUPILS.get(str(unit["cap_hoc"]), (200, 800))
        pupils = rng.randint(low, high) if number == 1 else rng.randint(60, 250)
        teachers = max(4, int(members * 0.85)) if number == 1 else rng.randint(5, 14)
        row |= {"so_hoc_sinh": pupils, "so_hs_kha_gioi": round(pupils * min(0.95, max(0.1, 0.2 + 0.65 * quality
                                                                                          + rng.uniform(-0.1, 0.1)))),
                "so_giao_vien": teachers, "so_gv_gioi": round(teachers * min(0.7, max(0.0, 0.05 + 0.45 * quality
                                                                                        + rng.uniform(-0.08, 0.08))))}
    for key in ("cuoc_van_dong", "truong_hoc_than_thien", "doi_moi_sang_tao", "dan_chu_co_so", "cham_lo_doan_vien",
                "tiet_kiem", "hoc_tap_nang_cao"):
        row[key] = _rating(rng, quality)
    row["cai_cach_hanh_chinh"] = "Không áp dụng" if school and rng.random() < 0.6 else _rating(rng, quality)
    row["dong_gop_quy"] = round(members * rng.uniform(20, 330) * (0.4 + quality), -1)
    row["chuan_van_hoa"] = "Có" if rng.random() < 0.8 + 0.2 * quality else "Không"
    row["xep_loai_cdcs"] = ("Vững mạnh xuất sắc" if quality > 0.7 else "Vững mạnh" if quality > 0.3 else
                            rng.choice(["Khá", "Trung bình"]))
    row["danh_hieu"] = ("Tập thể lao động xuất sắc" if quality > 0.72 else "Tập thể lao động tiên tiến"
                        if quality > 0.35 else "Không")
    row["tom_tat"] = " ".join(rng.sample(ACHIEVEMENTS, k=2))
    return row


def _individual(rng: random.Random, number: int, start: int, quality: float, school: bool,
                collectives: list[dict[str, Any]]) -> dict[str, Any]:
    person = make_person(rng, ethnic_weights=ETHNIC_WEIGHTS_HOA_BINH)
    quality = min(1.0, max(0.0, quality + rng.uniform(-0.25, 0.25)))
    leader = number == 1 or (number == 2 and len(collectives) > 1)
    role = ("Hiệu trưởng" if school else "Giám đốc") if number == 1 else (
        "Tổ trưởng chuyên môn" if leader else rng.choice(ROLES if school else ["Chuyên viên", "Kế toán", "Văn thư"]))
    row: dict[str, Any] = {
        "stt": number, "ho_ten": person.ho_ten, "gioi_tinh": person.gioi_tinh,
        "nam_sinh": start - rng.randint(24 if not leader else 35, 57), "dan_toc": person.dan_toc, "chuc_vu": role,
        "la_lanh_dao": "Có" if leader else "Không", "tap_the_dung_dau": number if leader else None,
        "xep_loai_nhiem_vu": "Hoàn thành xuất sắc nhiệm vụ" if rng.random() < 0.55 + 0.4 * quality else
        "Hoàn thành tốt nhiệm vụ",
        "danh_hieu": "Chiến sĩ thi đua cấp tỉnh" if rng.random() < 0.08 * quality else
        "Chiến sĩ thi đua cơ sở" if rng.random() < 0.15 + 0.5 * quality else "Lao động tiên tiến",
        "sang_kien": rng.choices(["Cấp tỉnh", "Cấp ngành, huyện", "Cấp cơ sở", "Không"],
                                 [0.05 + 0.15 * quality, 0.1 + 0.25 * quality, 0.45, 0.4 - 0.4 * quality])[0],
        "gv_gioi": rng.choices(["Cấp quốc gia", "Cấp tỉnh", "Cấp huyện", "Cấp trường", "Không"],
                               [0.01, 0.1 + 0.2 * quality, 0.2, 0.3, 0.3 - 0.2 * quality])[0]
        if school and role not in ("Kế toán", "Nhân viên văn thư") else "Không áp dụng",
        "hoc_tap_lam_theo_bac": _rating(rng, quality), "gia_dinh_van_hoa": "Có" if rng.random() < 0.93 else "Không",
        "nhan_dao_tu_thien": _rating(rng, quality), "ky_luat": "Có" if rng.random() < 0.01 else "Không",
        "linh_vuc": rng.choice(["Toàn diện", "Dạy và học", "Dạy và học", "Hoạt động công đoàn", "Nhân đạo, từ thiện"]),
        "tom_tat": rng.choice(ACHIEVEMENTS),
    }
    if leader and number > len(collectives):
        row["tap_the_dung_dau"] = 1
    return row


def _report(rng: random.Random, quality: float, collectives: list[dict[str, Any]], people: list[dict[str, Any]],
            start: int) -> dict[str, Any]:
    found_c, found_p = len(collectives) + rng.randint(0, 3), len(people) + rng.randint(0, 6)
    return {
        "co_ke_hoach": "Có" if rng.random() < 0.9 else "Không",
        "ngay_ke_hoach": dt.date(start, 9, 5) + dt.timedelta(days=rng.randint(0, 50)),
        "so_tap_the_phat_hien": found_c, "so_ca_nhan_phat_hien": found_p,
        "so_tap_the_lua_chon": len(collectives), "so_ca_nhan_lua_chon": len(people),
        "so_boi_duong": rng.randint(1, max(1, len(people))), "so_nhan_rong": round(rng.randint(0, 4) * quality),
        "so_bieu_duong_don_vi": rng.randint(1, len(people)), "so_bieu_duong_nganh": rng.randint(0, 2),
        "so_bieu_duong_tinh": 1 if rng.random() < 0.1 * quality else 0,
        "so_buoi_tuyen_truyen": rng.randint(1, 8), "so_tin_bai": rng.randint(0, 12),
        "danh_gia_chung": "Đơn vị triển khai kế hoạch nghiêm túc, phát hiện và bồi dưỡng được nhiều nhân tố mới.",
        "de_xuat": "Đề nghị Công đoàn ngành tổ chức tọa đàm chia sẻ kinh nghiệm giữa các đơn vị.",
    }


# ---------------------------------------------------------------------------------------------- faults
@dataclass
class FaultContext:
    """What a fault may use: randomness, the year, the other units' data (for cross-unit faults)."""

    rng: random.Random
    start: int
    others: list[UnitData]


DataFault = Callable[[UnitData, FaultContext], Location]
FileFault = Callable[[Path, FaultContext], Location]


@dataclass(frozen=True)
class Fault:
    """One entry of the catalogue: how to break a file, and which rule must then fire where."""

    rule: str
    description: str
    data: DataFault | None = None
    file: FileFault | None = None
    resubmit: bool = False  # write an older version of the file first (it must be superseded)


def _person(data: UnitData, key: str, value: Any, rule: str, index: int = 0) -> Location:
    data.individuals[index][key] = value
    return Location(rule, SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, key, index))


def _collective_value(data: UnitData, key: str, value: Any, rule: str, index: int = 0) -> Location:
    data.collectives[index][key] = value
    return Location(rule, SHEET_COLLECTIVES, list_cell(SHEET_COLLECTIVES, key, index))


def _unit_value(data: UnitData, key: str, value: Any, rule: str) -> Location:
    data.unit[key] = value
    return Location(rule, SHEET_UNIT, form_cell(SHEET_UNIT, key))


def _agency_without_reform(data: UnitData, _: FaultContext) -> Location:
    data.collectives[0]["loai_mo_hinh"] = AGENCY_MODEL
    return _collective_value(data, "cai_cach_hanh_chinh", "Không áp dụng", "R10")


def _duplicate_number(data: UnitData, _: FaultContext) -> Location:
    if len(data.collectives) < 2:
        data.collectives.append(dict(data.collectives[0], ten_tap_the="Tổ công đoàn Văn phòng"))
    return _collective_value(data, "stt", data.collectives[0]["stt"], "R09", index=1)


def _same_person_twice(data: UnitData, _: FaultContext) -> Location:
    twin = dict(data.individuals[0], stt=len(data.individuals) + 1, la_lanh_dao="Không", tap_the_dung_dau=None)
    data.individuals.append(twin)
    return Location("R11", SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, "ho_ten", len(data.individuals) - 1))


def _person_from_other_unit(data: UnitData, context: FaultContext) -> Location:
    source = next(o for o in context.others if o.code != data.code)
    twin = dict(source.individuals[-1], stt=len(data.individuals) + 1, la_lanh_dao="Không", tap_the_dung_dau=None)
    data.individuals.append(twin)
    return Location("W12", SHEET_INDIVIDUALS, list_cell(SHEET_INDIVIDUALS, "ho_ten", len(data.individuals) - 1))


def _legacy(table: dict[str, str], rule: str, *, whole_file: bool = False) -> DataFault:
    """Re-type text in a legacy encoding, as a .VnTime or VNI-Times user would: the first collective's
    summary, or every text of the file (names, lists, summaries) when ``whole_file``."""
    encode = {unicode: legacy for legacy, unicode in table.items()}

    def legacy(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return "".join(encode.get(ch, ch) for ch in unicodedata.normalize("NFC", value))

    def fault(data: UnitData, _: FaultContext) -> Location:
        if whole_file:
            keep = {"ma_don_vi", "nam_hoc", "email", "dien_thoai"}
            data.unit.update({k: legacy(v) for k, v in data.unit.items() if k not in keep})
            data.report.update({k: legacy(v) for k, v in data.report.items()})
            for row in data.collectives + data.individuals:
                row.update({k: legacy(v) for k, v in row.items()})
        return _collective_value(data, "tom_tat", legacy(data.collectives[0]["tom_tat"]), rule)
    return fault


def _plausibility_advanced(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_lao_dong_tien_tien"] = data.unit["tong_so_cbgvnv"] // 3
    data.unit["so_cstd_co_so"] = 0
    return _collective_value(data, "danh_hieu", "Tập thể lao động tiên tiến", "W09")


def _plausibility_excellent(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_lao_dong_tien_tien"] = data.unit["tong_so_cbgvnv"] // 2
    return _collective_value(data, "danh_hieu", "Tập thể lao động xuất sắc", "W10")


def _too_many_soldiers(data: UnitData, _: FaultContext) -> Location:
    data.unit["so_cstd_co_so"] = max(3, data.unit["so_lao_dong_tien_tien"] // 3)
    return Location("W11", SHEET_UNIT, form_cell(SHEET_UNIT, "so_cstd_co_so"))


def _with_openpyxl(edit: Callable[[openpyxl.Workbook], Location]) -> FileFault:
    def fault(path: Path, _: FaultContext) -> Location:
        workbook = openpyxl.load_workbook(path)
        location = edit(workbook)
        workbook.save(path)
        return location
    return fault


def _rename_sheet(workbook: openpyxl.Workbook) -> Location:
    workbook[SHEET_INDIVIDUALS].title = "Ca nhan (sua)"
    return Location("W06")


def _insert_column(workbook: openpyxl.Workbook) -> Location:
    sheet = workbook[SHEET_INDIVIDUALS]
    sheet.insert_cols(3)
    sheet.cell(LIST_HEADER_ROW, 3).value = "Ghi chú của trường"
    return Location("W07", SHEET_INDIVIDUALS, f"C{LIST_HEADER_ROW}")


def _swap_columns(workbook: openpyxl.Workbook) -> Location:
    """Swap Giới tính and Năm sinh, values and headers, as a school reorganising its sheet would."""
    sheet = workbook[SHEET_INDIVIDUALS]
    keys = list(column_specs(IndividualRow))
    left, right = keys.index("gioi_tinh") + 1, keys.index("nam_sinh") + 1
    for row in range(LIST_HEADER_ROW, sheet.max_row + 1):
        a, b = sheet.cell(row, left), sheet.cell(row, right)
        a.value, b.value = b.value, a.value
    return Location("W07", SHEET_INDIVIDUALS, f"A{LIST_HEADER_ROW}")


def _drop_column(workbook: openpyxl.Workbook) -> Location:
    sheet = workbook[SHEET_INDIVIDUALS]
    sheet.delete_cols(list(column_specs(IndividualRow)).index("dan_toc") + 1)
    return Location("F12", SHEET_INDIVIDUALS)


def _drop_sheet(workbook: openpyxl.Workbook) -> Location:
    del workbook[SHEET_REPORT]
    return Location("F09", SHEET_REPORT)


def _show_meta(workbook: openpyxl.Workbook) -> Location:
    workbook["_meta"].sheet_state = "visible"
    return Location("W13")


def _not_a_spreadsheet(path: Path, _: FaultContext) -> Location:
    path.write_text("Kính gửi Công đoàn ngành,\nĐơn vị xin gửi báo cáo điển hình tiên tiến.\n", encoding="utf-8")
    return Location("F01")


def _encrypted(path: Path, _: FaultContext) -> Location:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(path.read_bytes())
    with path.open("wb") as target:
        OOXMLFile(plain).encrypt("matkhau123", target)
    return Location("F02")


def _zip_bomb(path: Path, _: FaultContext) -> Location:
    original = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/anh_chup.bin", b"\0" * (64 << 20))  # 64 MB of zeros, ~64 KB deflated
    return Location("F03")


def _huge_extent(path: Path, _: FaultContext) -> Location:
    workbook = openpyxl.load_workbook(path)
    workbook[SHEET_INDIVIDUALS]["XFD1048576"] = "."
    workbook.save(path)
    return Location("F04")


def _not_our_template(path: Path, _: FaultContext) -> Location:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(["STT", "Họ tên", "Thành tích"])
    sheet.append([1, "Nguyễn Văn An", "Lao động tiên tiến"])
    workbook.save(path)
    return Location("F06")


FAULTS: list[Fault] = [
    Fault("F01", "tệp không phải bảng tính, đặt đuôi .xlsx", file=_not_a_spreadsheet),
    Fault("F02", "tệp đặt mật khẩu", file=_encrypted),
    Fault("F03", "tệp nén bất thường (zip bomb)", file=_zip_bomb),
    Fault("F04", "ô ở XFD1048576 làm vùng dữ liệu khổng lồ", file=_huge_extent),
    Fault("F06", "bảng tính riêng của trường, không phải biểu mẫu", file=_not_our_template),
    Fault("F07", "biểu mẫu phiên bản cũ", data=lambda d, c: (d.meta.update(phien_ban="0.9"), Location("F07"))[1]),
    Fault("F08", "năm học trên trang Đơn vị khác biểu mẫu",
          data=lambda d, c: _unit_value(d, "nam_hoc", f"{c.start - 1}-{c.start}", "F08")),
    Fault("F09", "xóa trang Kết quả", file=_with_openpyxl(_drop_sheet)),
    Fault("F10", "bỏ trống mã đơn vị", data=lambda d, c: _unit_value(d, "ma_don_vi", None, "F10")),
    Fault("F11", "mã đơn vị không có trong danh mục", data=lambda d, c: _unit_value(d, "ma_don_vi", "99999", "F11")),
    Fault("F12", "xóa cột Dân tộc", file=_with_openpyxl(_drop_column)),
    Fault("R01", "bỏ trống Dân tộc", data=lambda d, c: _person(d, "dan_toc", None, "R01")),
    Fault("R02", "giá trị ngoài danh sách", data=lambda d, c: _collective_value(d, "xep_loai_cdcs", "Xuất sắc lắm", "R02")),
    Fault("R03", "chữ trong ô số", data=lambda d, c: _person(d, "nam_sinh", "không rõ", "R03")),
    Fault("R04", "năm sinh ngoài khoảng", data=lambda d, c: _person(d, "nam_sinh", c.start - 75, "R04")),
    Fault("R05", "tóm tắt quá dài", data=lambda d, c: _person(d, "tom_tat", "Thành tích nổi bật. " * 120, "R05")),
    Fault("R06", "số học sinh khá giỏi lớn hơn tổng số", data=lambda d, c: _force_school_r06(d)),
    Fault("R07", "họ tên một chữ", data=lambda d, c: _person(d, "ho_ten", "Hương", "R07", index=-1 + len(d.individuals))),
    Fault("R08", "lãnh đạo ghi STT tập thể không có", data=lambda d, c: _person(d, "tap_the_dung_dau", 99, "R08")),
    Fault("R09", "STT tập thể bị trùng", data=_duplicate_number),
    Fault("R10", "cơ quan chọn Không áp dụng cho cải cách hành chính", data=_agency_without_reform),
    Fault("R11", "một người hai dòng", data=_same_person_twice),
    Fault("R12", "ô chứa mã lỗi #N/A dán từ nơi khác", data=lambda d, c: _person(d, "nam_sinh", "#N/A", "R12")),
    Fault("W01", "cả tệp gõ chữ TCVN3 (.VnTime)", data=_legacy(TCVN3_TO_UNICODE, "W01", whole_file=True)),
    Fault("W01", "chữ VNI (VNI-Times)", data=_legacy(VNI_TO_UNICODE, "W01")),
    Fault("W02", "số ghi dạng chữ kiểu Việt Nam", data=lambda d, c: _collective_value(d, "dong_gop_quy", "12.500", "W02")),
    Fault("W03", "viết tắt HTXSNV", data=lambda d, c: _person(d, "xep_loai_nhiem_vu", "HTXSNV", "W03")),
    Fault("W04", "ngày ghi dạng chữ", data=lambda d, c: _unit_value(d, "ngay_lap", f"28/05/{c.start + 1}", "W04")),
    Fault("W05", "năm học ghi kiểu khác", data=lambda d, c: _unit_value(d, "nam_hoc", f"{c.start} – {c.start + 1}", "W05")),
    Fault("W06", "đổi tên trang Cá nhân", file=_with_openpyxl(_rename_sheet)),
    Fault("W07", "chèn cột Ghi chú", file=_with_openpyxl(_insert_column)),
    Fault("W07", "đổi chỗ cột Giới tính và Năm sinh", file=_with_openpyxl(_swap_columns)),
    Fault("W08", "tên đơn vị khác danh mục",
          data=lambda d, c: _unit_value(d, "ten_don_vi", d.unit["ten_don_vi"].replace("Trường ", ""), "W08")),
    Fault("W09", "Tập thể lao động tiên tiến khi ít Lao động tiên tiến", data=_plausibility_advanced),
    Fault("W10", "Tập thể lao động xuất sắc khi chưa đủ điều kiện", data=_plausibility_excellent),
    Fault("W11", "quá nhiều Chiến sĩ thi đua cơ sở", data=_too_many_soldiers),
    Fault("W12", "người đã được đơn vị khác đề nghị", data=_person_from_other_unit),
    Fault("W13", "hiện trang _meta", file=_with_openpyxl(_show_meta)),
    Fault("W14", "gửi lại tệp mới (tệp cũ bị thay)", data=lambda d, c: Location("W14"), resubmit=True),
]
"""Every fault a sample file can carry. F05 (a reader crash) has no data form: tests inject it."""


def _force_school_r06(data: UnitData) -> Location:
    data.collectives[0].update(loai_mo_hinh=SCHOOL_MODEL, so_hoc_sinh=300, so_hs_kha_gioi=350, so_giao_vien=30,
                               so_gv_gioi=10)
    return Location("R06", SHEET_COLLECTIVES, list_cell(SHEET_COLLECTIVES, "so_hs_kha_gioi", 0))


# ---------------------------------------------------------------------------------------------- writing
def clear_demo_inbox(inbox: Path) -> str | None:
    """Remove the files an earlier demo wrote in ``inbox``; refuse if anything else is there.

    Returns:
        None when the folder is ready, or a Vietnamese message saying why sample data must not go there.
    """
    if not inbox.exists():
        return None
    marker = inbox / DEMO_MARKER
    present = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
    previous: set[str] = set()
    if marker.exists():
        try:
            previous = set(json.loads(marker.read_text(encoding="utf-8")))
        except ValueError:  # a marker of an earlier version: the whole folder was sample data
            previous = present - PLACEHOLDERS
    foreign = sorted(present - previous - PLACEHOLDERS - {DEMO_MARKER})
    if foreign:
        return (f'Thư mục "{inbox}" đã có {len(foreign)} tệp không phải dữ liệu mẫu (ví dụ "{foreign[0]}"); dữ '
                "liệu mẫu không được trộn với bài nộp thật. Hãy chọn thư mục khác: --inbox demo/inbox")
    for relative in sorted(previous & present):
        (inbox / relative).unlink()
    for folder in sorted((p for p in inbox.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    marker.unlink(missing_ok=True)
    return None


def mark_demo_inbox(result: "DemoResult") -> None:
    """Record which files the demo wrote, so that the next demo may replace them (and nothing else)."""
    written = sorted(p.relative_to(result.inbox).as_posix() for p in result.files)
    (result.inbox / DEMO_MARKER).write_text(json.dumps(written, ensure_ascii=False, indent=0), encoding="utf-8")


@dataclass
class DemoResult:
    """What was written: files, the faults each carries (where they must be reported), the roster used."""

    inbox: Path
    files: list[Path]  # every file written, submissions and the ignored extras
    expected: dict[str, list[Location]]  # relative path → faults
    config_dir: Path | None = None  # a synthetic configuration, when more units than the roster were asked
    submissions: int = 0  # spreadsheets among the files


def write_demo(config: Config, school_year: str, inbox: Path, *, units: int | None = None, seed: int = 2020,
               faulty: float = 0.15, faults: list[Fault] | None = None) -> DemoResult:
    """Write sample submissions for the roster's units into ``inbox``.

    Args:
        config: the configuration (its roster, label sets and criteria shape the template).
        school_year: the year of the template.
        inbox: where to write (created if needed); existing files are left alone.
        units: how many units (default: every roster unit of the year); beyond the roster, a synthetic
            roster of that size is written to ``<inbox>-cau-hinh/`` with the rest of the configuration.
        seed: randomness seed; the same seed writes the same files.
        faulty: share of files carrying faults (0 to 1).
        faults: the faults to spread (default: the whole catalogue, in order).
    """
    rng = random.Random(f"{seed}/{school_year}/demo")
    roster = config.units(school_year)
    config_dir = None
    if units is not None and units > len(roster):
        config_dir = inbox.parent / f"{inbox.name}-cau-hinh"
        roster = _synthetic_roster(config, school_year, units, config_dir)
        from pipeline.config import load_config

        config = load_config(config_dir)
        roster = config.units(school_year)
    elif units is not None:
        roster = roster.iloc[sorted(rng.sample(range(len(roster)), units))].reset_index(drop=True)
    inputs = TemplateInputs(school_year, config.vocab(school_year), config.units(school_year),
                            config.criteria(school_year), generated_at(), config.sha256)
    data = [make_unit_data(row, school_year, seed) for _, row in roster.iterrows()]
    catalogue = list(FAULTS if faults is None else faults)
    if faults is None:
        rng.shuffle(catalogue)  # a small faulty share still gets a mix of file, row and warning faults
    count = min(len(data), round(faulty * len(data))) if catalogue else 0
    chosen = rng.sample(range(len(data)), count)
    plan = {index: catalogue[n % len(catalogue)] for n, index in enumerate(chosen)}
    context = FaultContext(rng, year_start(school_year), data)
    inbox.mkdir(parents=True, exist_ok=True)
    result = DemoResult(inbox, [], {}, config_dir)
    for index, unit_data in enumerate(data):
        relative = _file_name(rng, unit_data, school_year, roster.iloc[index])
        fault = plan.get(index)
        if fault is None and rng.random() < 0.1:
            unit_data = _as_nfd(unit_data)  # pasted from a Mac or a web page: NFD text, no rule broken
        location = fault.data(unit_data, context) if fault and fault.data else None
        if fault and fault.resubmit:
            older = replace(unit_data, unit=dict(unit_data.unit, ngay_lap=unit_data.unit["ngay_lap"] -
                                                 dt.timedelta(days=12)))
            first = relative.with_name(f"{relative.stem} (lan 1){relative.suffix}")
            _write(inputs, older, inbox / first, result)
            result.expected[first.as_posix()] = [Location("W14")]
        path = inbox / relative
        _write(inputs, unit_data, path, result)
        if fault and fault.file:
            location = fault.file(path, context)
        if location is not None and not fault.resubmit:  # type: ignore[union-attr]
            result.expected[relative.as_posix()] = [location]
    result.submissions = len(result.files)
    for name, content in SURPLUS_FILES.items():
        (inbox / name).write_bytes(content)
        result.files.append(inbox / name)
    lock = inbox / f"~${result.files[0].name}"
    lock.write_bytes(b"\x0bNguoi dung" + b"\x00" * 150)
    result.files.append(lock)
    return result


def _write(inputs: TemplateInputs, data: UnitData, path: Path, result: DemoResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_template(inputs, path, data.fill())
    made = data.unit.get("ngay_lap")
    if isinstance(made, dt.date):  # received by e-mail a few days after it was made, some after the deadline
        delay = int(data.code[-2:] or 0) % 17 if data.code[-2:].isdigit() else 3
        arrived = dt.datetime.combine(made + dt.timedelta(days=delay), dt.time(9, 30))
        os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    result.files.append(path)


def _file_name(rng: random.Random, data: UnitData, school_year: str, unit: pd.Series) -> Path:
    """Names and folders as staff receive them by e-mail: varied, partly nested, no fixed pattern."""
    ascii_name = unicodedata.normalize("NFKD", data.name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = "".join(ch for ch in ascii_name if not unicodedata.combining(ch))
    name = rng.choice([f"DHTT_{school_year}_{data.code}.xlsx", f"{ascii_name} - bao cao DHTT.xlsx",
                       f"Bao cao dien hinh {data.code}.xlsx", f"{data.code}_{ascii_name.replace(' ', '_')}.xlsx"])
    draw = rng.random()
    area = "".join(ch for ch in unicodedata.normalize("NFKD", str(unit["dia_ban"]).replace("Đ", "D"))
                   if not unicodedata.combining(ch))
    if draw < 0.4:
        return Path(name)
    if draw < 0.7:
        return Path(school_year) / name
    return Path(school_year) / area / name


def _as_nfd(data: UnitData) -> UnitData:
    def nfd(value: Any) -> Any:
        return unicodedata.normalize("NFD", value) if isinstance(value, str) and value != data.code else value

    return replace(data, unit={k: nfd(v) for k, v in data.unit.items()},
                   collectives=[{k: nfd(v) for k, v in row.items()} for row in data.collectives],
                   individuals=[{k: nfd(v) for k, v in row.items()} for row in data.individuals])


def _synthetic_roster(config: Config, school_year: str, count: int, target: Path) -> pd.DataFrame:
    """A configuration copy whose roster has ``count`` fictional units (for benchmarks)."""
    import xlsxwriter

    target.mkdir(parents=True, exist_ok=True)
    for item in config.directory.iterdir():
        if item.is_file() and item.name != "don_vi.xlsx":
            shutil.copy2(item, target / item.name)
    base = config.units(school_year)
    workbook = xlsxwriter.Workbook(str(target / "don_vi.xlsx"), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("Đơn vị")
    headers = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học", "Địa bàn", "Số đoàn viên", "Từ năm học",
               "Đến năm học", "Mã đơn vị tiền thân"]
    sheet.write_row(0, 0, headers)
    for n in range(count):
        model = base.iloc[n % len(base)]
        sheet.write_row(n + 1, 0, [f"9{n:05d}", f"{model['ten_don_vi']} số {n // len(base) + 1}",
                                   model["loai_don_vi"], model["cap_hoc"], model["dia_ban"]])
        sheet.write_number(n + 1, 5, int(model["so_doan_vien"]))
        sheet.write_row(n + 1, 6, [school_year, school_year, ""])
    workbook.close()
    return base
