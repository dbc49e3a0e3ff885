"""Scoring computed by hand: every criterion at its thresholds, gates, Không áp dụng, leaders, classes, ties."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from pipeline.config.criteria import Criteria, Criterion, Group, Target
from pipeline.scoring.score import (
    COMPREHENSIVE,
    FIELD,
    INELIGIBLE,
    NOT_REACHED,
    NOT_SCORED,
    score_collectives,
    score_individuals,
    score_row,
)

YEAR = "2019-2020"
SCHOOL = "Công đoàn trường học (GD-ĐT)"


@pytest.fixture(scope="module")
def criteria(config) -> Criteria:
    return config.for_year(YEAR).criteria


def school(**changes: Any) -> dict[str, Any]:
    """A school collective that earns all 100 points with 10 members."""
    row = {"tep": "a.xlsx", "ma_don_vi": "01003", "dong": 4, "stt": 1, "ten_tap_the": "Công đoàn trường A",
           "loai_mo_hinh": SCHOOL, "so_hoc_sinh": 1000, "so_hs_kha_gioi": 700, "so_giao_vien": 1000, "so_gv_gioi": 400,
           "cuoc_van_dong": "Tốt", "truong_hoc_than_thien": "Tốt", "doi_moi_sang_tao": "Tốt", "dan_chu_co_so": "Tốt",
           "cham_lo_doan_vien": "Tốt", "cai_cach_hanh_chinh": "Không áp dụng", "tiet_kiem": "Tốt",
           "hoc_tap_nang_cao": "Tốt", "dong_gop_quy": 2000.0, "chuan_van_hoa": "Có",
           "xep_loai_cdcs": "Vững mạnh xuất sắc", "danh_hieu": "Tập thể lao động xuất sắc"}
    return row | changes


def person(**changes: Any) -> dict[str, Any]:
    """An individual who earns all 100 points."""
    row = {"tep": "a.xlsx", "ma_don_vi": "01003", "dong": 4, "stt": 1, "ho_ten": "Nguyễn Thị Hương",
           "la_lanh_dao": "Không", "tap_the_dung_dau": None, "xep_loai_nhiem_vu": "Hoàn thành xuất sắc nhiệm vụ",
           "danh_hieu": "Chiến sĩ thi đua cấp tỉnh", "sang_kien": "Cấp tỉnh", "gv_gioi": "Cấp quốc gia",
           "hoc_tap_lam_theo_bac": "Tốt", "gia_dinh_van_hoa": "Có", "nhan_dao_tu_thien": "Tốt", "ky_luat": "Không"}
    return row | changes


def school_points(criteria: Criteria, code: str, **changes: Any) -> float | None:
    return score_row(criteria.target("truong_hoc"), school(**changes), 10, criteria)[f"diem__{code}"]


@pytest.mark.parametrize(("good", "points"), [(700, 15), (699, 10), (500, 10), (499, 5), (300, 5), (299, 0), (0, 0)])
def test_share_of_good_pupils(criteria, good, points) -> None:
    assert school_points(criteria, "ty_le_hs_kha_gioi", so_hs_kha_gioi=good) == points


@pytest.mark.parametrize(("good", "points"), [(400, 15), (399, 10), (250, 10), (249, 5), (100, 5), (99, 0)])
def test_share_of_good_teachers(criteria, good, points) -> None:
    assert school_points(criteria, "ty_le_gv_gioi", so_gv_gioi=good) == points


@pytest.mark.parametrize(("money", "points"), [(2000, 10), (1999, 6), (1000, 6), (999, 3), (1, 3), (0, 0)])
def test_contributions_per_member(criteria, money, points) -> None:  # 10 members: 2000 → 200 per member
    assert school_points(criteria, "dong_gop_quy", dong_gop_quy=float(money)) == points


@pytest.mark.parametrize(("rating", "points"), [("Tốt", 10), ("Khá", 6), ("Trung bình", 3), ("Chưa thực hiện", 0),
                                                ("Không áp dụng", None)])
def test_ratings(criteria, rating, points) -> None:
    assert school_points(criteria, "cuoc_van_dong", cuoc_van_dong=rating) == points


@pytest.mark.parametrize(("level", "points"), [("Vững mạnh xuất sắc", 10), ("Vững mạnh", 6), ("Khá", 0)])
def test_union_rating_table(criteria, level, points) -> None:
    assert school_points(criteria, "xep_loai_cdcs", xep_loai_cdcs=level) == points


@pytest.mark.parametrize(("title", "points"), [("Tập thể lao động xuất sắc", 10), ("Tập thể lao động tiên tiến", 5),
                                               ("Không", 0)])
def test_collective_titles(criteria, title, points) -> None:
    assert school_points(criteria, "danh_hieu", danh_hieu=title) == points


@pytest.mark.parametrize(("column", "value", "points"), [
    ("danh_hieu", "Chiến sĩ thi đua cấp tỉnh", 20), ("danh_hieu", "Chiến sĩ thi đua cơ sở", 15),
    ("danh_hieu", "Lao động tiên tiến", 8), ("danh_hieu", "Không", 0),
    ("sang_kien", "Cấp tỉnh", 20), ("sang_kien", "Cấp ngành, huyện", 14), ("sang_kien", "Cấp cơ sở", 8),
    ("sang_kien", "Không", 0),
    ("gv_gioi", "Cấp quốc gia", 20), ("gv_gioi", "Cấp tỉnh", 16), ("gv_gioi", "Cấp huyện", 10),
    ("gv_gioi", "Cấp trường", 5), ("gv_gioi", "Không", 0), ("gv_gioi", "Không áp dụng", None),
    ("hoc_tap_lam_theo_bac", "Khá", 9), ("gia_dinh_van_hoa", "Không", 0), ("nhan_dao_tu_thien", "Trung bình", 4.5),
])
def test_individual_criteria(criteria, column, value, points) -> None:
    result = score_row(criteria.target("ca_nhan"), person(**{column: value}), None, criteria)
    assert result[f"diem__{column}"] == points


def test_full_marks_and_not_applicable_drops_out_of_both_sides(criteria) -> None:
    assert score_row(criteria.target("truong_hoc"), school(), 10, criteria)["diem"] == 100.0
    # gv_gioi Không áp dụng: 20 points leave both sides; Lao động tiên tiến instead of CSTĐ tỉnh: 8 of 20.
    result = score_row(criteria.target("ca_nhan"), person(gv_gioi="Không áp dụng", danh_hieu="Lao động tiên tiến"),
                       None, criteria)
    assert result["diem"] == round(100 * 68 / 80, 1) == 85.0
    assert result["nhom__Chuyên môn"] is None


def test_agency_scores_reform_and_democracy(criteria) -> None:
    row = school(loai_mo_hinh="Công đoàn cơ quan, đơn vị kiểu mẫu", cai_cach_hanh_chinh="Khá", dan_chu_co_so="Trung bình")
    result = score_row(criteria.target("co_quan"), row, 10, criteria)
    # 15 + 4.5 (dân chủ 30 %) + 15 + 10 + 9 (cải cách 60 %) + 10 + 10 + 10 = 83.5
    assert result["diem"] == 83.5 and result["xep_loai"] == COMPREHENSIVE


@pytest.mark.parametrize(("changes", "reasons"), [
    ({"chuan_van_hoa": "Không"}, "Trường chưa đạt chuẩn văn hóa"),
    ({"xep_loai_cdcs": "Khá"}, "CĐCS chưa đạt vững mạnh"),
    ({"chuan_van_hoa": "Không", "xep_loai_cdcs": "Trung bình"},
     "Trường chưa đạt chuẩn văn hóa; CĐCS chưa đạt vững mạnh"),
])
def test_collective_gates(criteria, changes, reasons) -> None:
    result = score_row(criteria.target("truong_hoc"), school(**changes), 10, criteria)
    assert result["xep_loai"] == INELIGIBLE and result["ly_do"] == reasons


@pytest.mark.parametrize(("changes", "reasons"), [
    ({"xep_loai_nhiem_vu": "Hoàn thành tốt nhiệm vụ"}, "Chưa hoàn thành xuất sắc nhiệm vụ"),
    ({"ky_luat": "Có"}, "Bị kỷ luật trong năm học"),
])
def test_individual_gates(criteria, changes, reasons) -> None:
    result = score_row(criteria.target("ca_nhan"), person(**changes), None, criteria)
    assert result["xep_loai"] == INELIGIBLE and result["ly_do"] == reasons


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows)


def test_leader_gate_follows_the_collective_they_head(criteria) -> None:
    collectives = score_collectives(_frame([
        school(),  # STT 1: exemplar
        school(stt=2, dong=5, ten_tap_the="Tổ Toán", cuoc_van_dong="Trung bình", truong_hoc_than_thien="Trung bình",
               doi_moi_sang_tao="Trung bình", cham_lo_doan_vien="Trung bình", so_hs_kha_gioi=0, so_gv_gioi=0),
        school(stt=3, dong=6, ten_tap_the="Tổ Văn", chuan_van_hoa="Không"),
    ]), {("a.xlsx", "01003"): 10}, criteria, errors=set())
    assert list(collectives["xep_loai"]) == [COMPREHENSIVE, NOT_REACHED, INELIGIBLE]
    people = score_individuals(_frame([
        person(la_lanh_dao="Có", tap_the_dung_dau=1),
        person(dong=5, stt=2, ho_ten="Bùi Văn Đức", la_lanh_dao="Có", tap_the_dung_dau=2),
        person(dong=6, stt=3, ho_ten="Đinh Thị Ánh", la_lanh_dao="Có", tap_the_dung_dau=3),
        person(dong=7, stt=4, ho_ten="Quách Văn Lực", la_lanh_dao="Có", tap_the_dung_dau=9),
    ]), collectives, criteria, errors=set())
    assert list(people["xep_loai"]) == [COMPREHENSIVE, INELIGIBLE, INELIGIBLE, INELIGIBLE]
    assert list(people["ly_do"])[1:] == [
        "Tập thể do mình đứng đầu chưa là tập thể điển hình (tập thể STT 2: Chưa đạt)",
        "Tập thể do mình đứng đầu chưa là tập thể điển hình (tập thể STT 3: Không đủ điều kiện)",
        "Tập thể do mình đứng đầu chưa là tập thể điển hình (tập thể STT 9: không có)",
    ]


def test_rows_with_errors_are_not_scored(criteria) -> None:
    scored = score_collectives(_frame([school()]), {("a.xlsx", "01003"): 10}, criteria, errors={("a.xlsx", 4)})
    assert scored.loc[0, "xep_loai"] == NOT_SCORED and pd.isna(scored.loc[0, "diem"])
    assert pd.isna(scored.loc[0, "hang"]) and not scored.loc[0, "de_nghi"]


def _synthetic(groups: list[int]) -> Criteria:
    """A criteria set of groups, each one `bang` criterion worth 1000 on its own column (g0, g1, …)."""
    target = Target("t", "T", "ca_nhan", None, (), tuple(
        Group(f"G{i}", (Criterion(f"c{i}", f"c{i}", "bang", 1000, column=f"g{i}",
                                  table={str(v): v for v in range(0, 1001)}),)) for i in range(len(groups))))
    return Criteria("x", {}, 80, 50, 60, 90, {}, {}, (target,))


@pytest.mark.parametrize(("earned", "expected", "strong"), [
    ([799], NOT_REACHED, ""),  # 79.9: not comprehensive, no group ≥ 90 %
    ([800], COMPREHENSIVE, ""),  # 80.0
    ([1000, 198], NOT_REACHED, ""),  # 59.9 with a group at 100 %
    ([1000, 200], FIELD, "G0"),  # 60.0
    ([499, 1000, 1000], FIELD, "G1, G2"),  # 83.3 but one group at 49.9 %
    ([500, 1000, 1000], COMPREHENSIVE, ""),  # the same group at 50 %
    ([899, 400], NOT_REACHED, ""),  # 65.0, best group 89.9 %
    ([900, 400], FIELD, "G0"),  # best group 90 %
])
def test_classification_boundaries(earned, expected, strong) -> None:
    criteria = _synthetic(earned)
    row = {f"g{i}": str(value) for i, value in enumerate(earned)}
    result = score_row(criteria.targets[0], row, None, criteria)
    assert result["xep_loai"] == expected, result
    assert result["nhom_manh"] == strong


def test_ties_break_on_groups_in_order_then_vietnamese_name(criteria) -> None:
    # Groups of the school model: Chất lượng 30, Cuộc vận động 30, Công đoàn 20, Nhân đạo 10, Danh hiệu 10.
    rows = [
        school(ten_tap_the="Tổ An", dong=4, stt=1, cuoc_van_dong="Khá", doi_moi_sang_tao="Khá"),  # 30 22 20 → 92
        school(ten_tap_the="Tổ Bình", dong=5, stt=2, so_gv_gioi=399),  # 25 30 20 → 95
        school(ten_tap_the="Tổ Ăn", dong=6, stt=3, cuoc_van_dong="Khá", xep_loai_cdcs="Vững mạnh"),  # 30 26 16 → 92
        school(ten_tap_the="Tổ Ân", dong=7, stt=4, so_hs_kha_gioi=699, so_gv_gioi=399),  # 20 30 20 → 90
        school(ten_tap_the="Tổ Anh Đào", dong=8, stt=5, truong_hoc_than_thien="Khá",
               cham_lo_doan_vien="Khá"),  # 30 26 16 → 92
        school(ten_tap_the="Tổ Anh", dong=9, stt=6, doi_moi_sang_tao="Khá", xep_loai_cdcs="Vững mạnh"),  # 30 26 16
    ]
    scored = score_collectives(_frame(rows), {("a.xlsx", "01003"): 10}, criteria, errors=set())
    ordered = scored.sort_values("hang")
    assert list(ordered["diem"]) == [95.0, 92.0, 92.0, 92.0, 92.0, 90.0]
    # Equal scores: group 2 decides (26 before 22), then the name: a < ă, "Anh" < "Anh Đào" < "Ăn".
    assert list(ordered["ten_tap_the"]) == ["Tổ Bình", "Tổ Anh", "Tổ Anh Đào", "Tổ Ăn", "Tổ An", "Tổ Ân"]
    assert list(ordered["hang"]) == [1, 2, 3, 4, 5, 6]
    assert ordered["de_nghi"].all()


def test_quota_proposes_the_best_only(criteria) -> None:
    from dataclasses import replace

    limited = replace(criteria, quotas={"truong_hoc": 2})
    rows = [school(ten_tap_the=f"Tổ {i}", dong=4 + i, stt=1 + i, so_gv_gioi=400 - 160 * (i % 2)) for i in range(4)]
    scored = score_collectives(_frame(rows), {("a.xlsx", "01003"): 10}, limited, errors=set())
    assert list(scored.sort_values("hang")["de_nghi"]) == [True, True, False, False]
