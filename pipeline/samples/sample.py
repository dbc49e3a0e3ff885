"""Realistic fictional submissions: one unit's data as values for the template (SPEC §10).

Each roster unit gets a latent quality that drives its counts and ratings, so that scores spread over
every classification. Deterministic: a unit's data depends only on the seed, the year and its code.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.config.schoolyear import year_start
from pipeline.samples.fakenames import ETHNIC_WEIGHTS_HOA_BINH, make_person
from pipeline.template.writer import Fill
from schemas.submission import (
    AGENCY_MODEL,
    SCHOOL_MODEL,
)

PUPILS = {"MN": (120, 380), "TH": (300, 900), "THCS": (250, 750), "TH&THCS": (350, 900), "THPT": (600, 1450),
          "PTDTNT": (180, 450), "GDNN-GDTX": (150, 520)}
RATINGS = ("Tốt", "Khá", "Trung bình", "Chưa thực hiện")
SECONDARY_TEAMS = ["Tổ chuyên môn Toán - Tin", "Tổ chuyên môn Ngữ văn", "Tổ chuyên môn Khoa học tự nhiên",
                   "Tổ chuyên môn Ngoại ngữ", "Tổ chuyên môn Lịch sử - Địa lý", "Tổ công đoàn Văn phòng"]
TEAMS = {  # teams that nominate themselves, by level (cấp học)
    "MN": ["Tổ chuyên môn Nhà trẻ", "Tổ chuyên môn Mẫu giáo lớn", "Tổ công đoàn Nuôi dưỡng", "Tổ công đoàn Văn phòng"],
    "TH": ["Tổ công đoàn khối 1 - 2", "Tổ chuyên môn khối 3", "Tổ chuyên môn khối 4 - 5", "Tổ công đoàn Văn phòng"],
    "GDNN-GDTX": ["Tổ Giáo dục thường xuyên", "Tổ Hướng nghiệp - Dạy nghề", "Tổ công đoàn Văn phòng"],
}
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
    teams = TEAMS.get(str(unit["cap_hoc"]), SECONDARY_TEAMS) if school else AGENCY_TEAMS
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


