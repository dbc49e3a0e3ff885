"""The period review's recognition and counts (SPEC §8), on hand-made years: every expected figure is counted
by hand from the rows written here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.config.links import KIND_COLLECTIVE, KIND_PERSON, Confirmation, Occurrence
from pipeline.intake.ours import OurWorkbook
from pipeline.scoring.period import BIRTH_ONE_OFF, MOVED, SHARED_NAME, lineages, review
from pipeline.scoring.score import COMPREHENSIVE, FIELD, NOT_REACHED
from pipeline.vi.text import canonical_key
from schemas.consolidated import SHEET_COLLECTIVES, SHEET_INDIVIDUALS, detail_columns, report_columns

YEARS = ("2017-2018", "2018-2019", "2019-2020")
ROSTER = pd.DataFrame({
    "ma_don_vi": ["A1", "B1", "B2", "B3", "C1"],
    "ten_don_vi": ["Trường A", "Trường TH B", "Trường THCS B", "Trường TH&THCS B", "Trường C"],
    "ma_tien_than": [(), (), (), ("B1", "B2"), ()],
})
UNIT_NAMES = dict(zip(ROSTER["ma_don_vi"], ROSTER["ten_don_vi"]))


def _person(unit: str, name: str, born: int, cls: str, score: float, area: str = "Đà Bắc") -> dict[str, Any]:
    return {"ma_don_vi": unit, "dv_ten_don_vi": UNIT_NAMES[unit], "dv_dia_ban": area, "dv_cap_hoc": "TH",
            "ho_ten": name, "nam_sinh": float(born), "gioi_tinh": "Nữ", "dan_toc": "Kinh", "chuc_vu": "Giáo viên",
            "xep_loai": cls, "diem": score, "tom_tat": f"thành tích {name}"}


def _team(unit: str, name: str, cls: str, score: float) -> dict[str, Any]:
    return {"ma_don_vi": unit, "dv_ten_don_vi": UNIT_NAMES[unit], "dv_dia_ban": "Đà Bắc", "dv_cap_hoc": "TH",
            "ten_tap_the": name, "xep_loai": cls, "diem": score}


def _book(year: str, people: list[dict[str, Any]], teams: list[dict[str, Any]] = (),
          submitted: int = 3) -> OurWorkbook:
    def frame(rows: list[dict[str, Any]], sheet: str) -> pd.DataFrame:
        keys = [key for key, _ in detail_columns(sheet)]
        return pd.DataFrame([{key: row.get(key) for key in keys} for row in rows], columns=keys)

    reports = pd.DataFrame([{key: None for key, _ in report_columns()} | {"ma_don_vi": "A1", "so_tin_bai": 4,
                                                                          "co_ke_hoach": "Có"},
                            {key: None for key, _ in report_columns()} | {"ma_don_vi": "C1", "so_tin_bai": 3,
                                                                          "co_ke_hoach": "Không"}])
    submissions = pd.DataFrame({"tinh_trang": ["Đã nộp — hợp lệ"] * submitted + ["Chưa nộp"]})
    return OurWorkbook(Path(f"TongHop_DienHinh_{year}.xlsx"), {"nam_hoc": year}, frame(list(teams), SHEET_COLLECTIVES),
                       frame(people, SHEET_INDIVIDUALS), reports, submissions)


def _years() -> dict[str, OurWorkbook]:
    """Three years, built so that each rule of recognition shows once."""
    return {
        "2017-2018": _book("2017-2018", [
            _person("A1", "Hoàng Văn Hoà", 1980, COMPREHENSIVE, 92.0),  # exemplar all three years, name typed 3 ways
            _person("B1", "Lò Thị Mai", 1985, FIELD, 75.0),  # before the merger (B1, B2 → B3)
            _person("A1", "Đinh Văn Nam", 1975, FIELD, 71.0),  # moves to C1 in the last year
            _person("C1", "Bùi Thị Lan", 1990, NOT_REACHED, 50.0),
        ], [_team("B1", "Tổ công đoàn Văn phòng", FIELD, 70.0), _team("B2", "Tổ công đoàn Văn phòng", FIELD, 72.0)]),
        "2018-2019": _book("2018-2019", [
            _person("A1", "HOÀNG VĂN HÒA", 1980, COMPREHENSIVE, 90.0),
            _person("B3", "Lò Thị Mai", 1985, FIELD, 80.0),  # the merged school continues B1
            _person("A1", "Đinh Văn Nam", 1975, COMPREHENSIVE, 88.0),
            _person("C1", "Bùi Thị Lan", 1990, FIELD, 70.0),
        ], [_team("B3", "Tổ công đoàn Văn phòng", COMPREHENSIVE, 91.0)]),
        "2019-2020": _book("2019-2020", [
            _person("A1", "Hoàng  Văn hòa", 1980, FIELD, 80.0),
            _person("B3", "Lò Thị Mai", 1985, NOT_REACHED, 60.0),
            _person("C1", "Đinh Văn Nam", 1975, COMPREHENSIVE, 95.0),  # moved: same name and birth year, other unit
            _person("C1", "Bùi Thị Lan", 1991, FIELD, 72.0),  # birth year typed one off
            _person("C1", "Vi Văn Tùng", 1988, COMPREHENSIVE, 85.0),  # a new exemplar
        ], [_team("B3", "Tổ công đoàn Văn phòng", FIELD, 78.0)], submitted=4),
    }


def _row(frame: pd.DataFrame, name: str, unit: str | None = None) -> pd.DataFrame:
    found = frame[frame["ten"].map(canonical_key) == canonical_key(name)]
    return found if unit is None else found[found["ma_don_vi"] == unit]


def test_lineage_joins_a_merged_school_with_both_schools_it_replaced() -> None:
    found = lineages(ROSTER)
    assert found["B1"] == found["B2"] == found["B3"] == "B1"
    assert found["A1"] == "A1" and found["C1"] == "C1"


def test_tone_and_case_variants_and_a_merger_are_one_person() -> None:
    period = review(_years(), YEARS, ROSTER)
    hoa = _row(period.individuals, "Hoàng Văn Hòa")
    assert len(hoa) == 1
    assert hoa.iloc[0][list(YEARS)].tolist() == [COMPREHENSIVE, COMPREHENSIVE, FIELD]
    assert (hoa.iloc[0]["so_nam"], hoa.iloc[0]["nam_dau"], hoa.iloc[0]["lien_tiep"]) == (3, "2017-2018", 3)
    assert hoa.iloc[0]["diem_tb"] == pytest.approx((92 + 90 + 80) / 3, abs=0.05)
    mai = _row(period.individuals, "Lò Thị Mai")
    assert len(mai) == 1
    assert mai.iloc[0]["ma_don_vi"] == "B3"  # the latest code
    assert mai.iloc[0]["ma_cac_nam"] == "2017-2018: B1; 2018-2019: B3; 2019-2020: B3"
    assert (mai.iloc[0]["so_nam"], mai.iloc[0]["lien_tiep"]) == (2, 0)  # not an exemplar in the last year


def test_the_moved_teacher_and_the_birth_year_one_off_stay_apart_and_are_listed() -> None:
    period = review(_years(), YEARS, ROSTER)
    nam = _row(period.individuals, "Đinh Văn Nam")
    assert sorted(nam["ma_don_vi"]) == ["A1", "C1"]
    lan = _row(period.individuals, "Bùi Thị Lan")
    assert sorted(lan["nam_sinh"]) == [1990, 1991]
    links = period.uncertain
    people = links[links["loai"] == KIND_PERSON]
    assert len(people) == 2
    moved = people[people["ly_do"] == MOVED].iloc[0]
    assert (moved["nam_hoc_1"], moved["ma_don_vi_1"], moved["nam_hoc_2"], moved["ma_don_vi_2"]) == (
        "2018-2019", "A1", "2019-2020", "C1")
    assert moved["nam_sinh_1"] == moved["nam_sinh_2"] == 1975 and moved["xac_nhan"] == ""
    typo = people[people["ly_do"] == BIRTH_ONE_OFF].iloc[0]
    assert (typo["ma_don_vi_1"], typo["nam_sinh_1"], typo["ma_don_vi_2"], typo["nam_sinh_2"]) == ("C1", 1990, "C1", 1991)


def test_a_team_name_two_predecessors_had_is_listed_not_merged() -> None:
    period = review(_years(), YEARS, ROSTER)
    teams = _row(period.collectives, "Tổ công đoàn Văn phòng")
    assert sorted(teams["ma_don_vi"]) == ["B1", "B2", "B3"]  # three rows: B3's is neither B1's nor B2's for sure
    shared = period.uncertain[period.uncertain["loai"] == KIND_COLLECTIVE]
    assert set(zip(shared["ma_don_vi_1"], shared["ma_don_vi_2"])) == {("B1", "B3"), ("B2", "B3")}
    assert set(shared["ly_do"]) == {SHARED_NAME[KIND_COLLECTIVE]}


def test_a_confirmation_merges_on_the_next_review_and_is_listed_as_settled() -> None:
    same = Confirmation(KIND_PERSON, Occurrence("2018-2019", "A1", canonical_key("Đinh Văn Nam"), 1975),
                        Occurrence("2019-2020", "C1", canonical_key("Đinh Văn Nam"), 1975), True, 2)
    apart = Confirmation(KIND_PERSON, Occurrence("2018-2019", "C1", canonical_key("Bùi Thị Lan"), 1990),
                         Occurrence("2019-2020", "C1", canonical_key("Bùi Thị Lan"), 1991), False, 3)
    team = Confirmation(KIND_COLLECTIVE, Occurrence("2017-2018", "B2", canonical_key("Tổ công đoàn Văn phòng"), None),
                        Occurrence("2018-2019", "B3", canonical_key("tổ công đoàn văn phòng"), None), True, 4)
    period = review(_years(), YEARS, ROSTER, [same, apart, team])
    nam = _row(period.individuals, "Đinh Văn Nam")
    assert len(nam) == 1
    assert nam.iloc[0][list(YEARS)].tolist() == [FIELD, COMPREHENSIVE, COMPREHENSIVE]
    assert nam.iloc[0]["ma_cac_nam"] == "2017-2018: A1; 2018-2019: A1; 2019-2020: C1"
    assert (nam.iloc[0]["so_nam"], nam.iloc[0]["lien_tiep"]) == (3, 3)
    assert len(_row(period.individuals, "Bùi Thị Lan")) == 2  # "Không": kept apart
    settled = period.uncertain[period.uncertain["xac_nhan"] != ""]
    assert sorted(settled["xac_nhan"]) == ["Có", "Có", "Không"]
    # B3's team is B2's (settled), so B1's, which existed beside B2's in 2017-2018, is another: nothing left open
    assert (period.uncertain["xac_nhan"] == "").sum() == 0
    teams = _row(period.collectives, "Tổ công đoàn Văn phòng")
    assert sorted(teams["ma_don_vi"]) == ["B1", "B3"]
    merged = teams[teams["ma_don_vi"] == "B3"].iloc[0]
    assert merged["ma_cac_nam"] == "2017-2018: B2; 2018-2019: B3; 2019-2020: B3" and merged["so_nam"] == 3


def test_a_confirmation_that_matches_nothing_is_said() -> None:
    ghost = Confirmation(KIND_PERSON, Occurrence("2018-2019", "A1", canonical_key("Không Có Ai"), 1970),
                         Occurrence("2019-2020", "C1", canonical_key("Không Có Ai"), 1970), True, 7)
    period = review(_years(), YEARS, ROSTER, [ghost])
    assert period.notes == ["lien_ket.xlsx, dòng 7: không tìm thấy cá nhân như dòng này ghi trong các năm đã tổng hợp; "
                            "dòng này chưa được áp dụng."]


def test_counts_per_year_new_exemplars_and_sustained() -> None:
    figures = review(_years(), YEARS, ROSTER).figures.set_index("chi_tieu")
    # persons: 2017 Hòa, Mai, Nam; 2018 Hòa, Mai, Nam, Lan(1990); 2019 Hòa, Nam(C1), Lan(1991), Tùng
    assert figures.loc["Cá nhân được đề nghị"].tolist() == [4, 4, 5]
    assert figures.loc["Cá nhân là điển hình"].tolist() == [3, 4, 4]
    new = figures.loc["— trong đó điển hình mới (nhân tố mới)"]
    assert new.iloc[1].tolist() == [3, 1, 3]  # 2018: Lan; 2019: Nam at C1, Lan 1991, Tùng (unconfirmed links)
    assert figures.loc["— điển hình 2 năm liên tiếp"].iloc[1].tolist() == [0, 3, 1]  # 2019: only Hòa
    assert figures.loc["— điển hình 3 năm liên tiếp"].iloc[1].tolist() == [0, 0, 1]
    # collectives: 2017 B1, B2 teams; 2018 B3's; 2019 B3's — B3's is new in 2018 and sustained in 2019
    assert figures.loc["Tập thể là điển hình"].tolist() == [2, 1, 1]
    assert new.iloc[0].tolist() == [2, 1, 0]
    assert figures.loc["Đơn vị đã nộp báo cáo"].tolist() == [3, 3, 4]


def test_new_sheet_lists_each_first_exemplar_year_once() -> None:
    new = review(_years(), YEARS, ROSTER).new
    persons = new[new["loai"] == KIND_PERSON]
    assert persons.groupby("nam_hoc").size().to_dict() == {"2017-2018": 3, "2018-2019": 1, "2019-2020": 3}
    assert set(persons[persons["nam_hoc"] == "2019-2020"]["ten"]) == {"Đinh Văn Nam", "Bùi Thị Lan", "Vi Văn Tùng"}


def test_honours_put_the_longest_sustained_first_then_the_mean_score() -> None:
    honours = review(_years(), YEARS, ROSTER).honours_individual
    names = [canonical_key(n) for n in honours["ten"]]
    # Hòa: 3 years; Mai 2 years (mean 71.7), Nam at A1 2 years (79.5); then one-year exemplars by score
    assert names[:3] == [canonical_key("Hoàng Văn Hòa"), canonical_key("Đinh Văn Nam"), canonical_key("Lò Thị Mai")]
    assert list(honours["so_nam"]) == sorted(honours["so_nam"], reverse=True)
    assert (honours["so_nam"] > 0).all()
    ones = honours[honours["so_nam"] == 1]
    assert list(ones["diem_tb"]) == sorted(ones["diem_tb"], reverse=True)


def test_a_missing_year_is_blank_never_guessed() -> None:
    books = _years()
    del books["2018-2019"]
    period = review(books, YEARS, ROSTER)
    assert period.present == ("2017-2018", "2019-2020")
    figures = period.figures.set_index("chi_tieu")
    assert figures.loc["Cá nhân là điển hình"].tolist()[1] is None
    assert figures.loc["— điển hình 2 năm liên tiếp"].iloc[1].tolist() == [0, None, 0]
    hoa = _row(period.individuals, "Hoàng Văn Hòa").iloc[0]
    assert (hoa["so_nam"], hoa["lien_tiep"]) == (2, 1)


def test_reports_are_summed_per_year() -> None:
    reports = review(_years(), YEARS, ROSTER).reports.set_index("chi_tieu")
    assert reports.loc["so_tin_bai"].tolist() == [7, 7, 7]
    assert reports.loc["co_ke_hoach"].tolist() == [1, 1, 1]
    assert reports.loc["ma_don_vi"].tolist() == [2, 2, 2]


def test_the_two_and_three_year_lists() -> None:
    people = review(_years(), YEARS, ROSTER).individuals
    by_years = {n: sorted(canonical_key(t) for t in people[people["so_nam"] == n]["ten"]) for n in (1, 2, 3)}
    assert by_years[3] == [canonical_key("Hoàng Văn Hòa")]
    # Mai (2017, 2018 through the merger) and Nam at A1 (2017, 2018); Nam at C1, Lan 1991 and Tùng are one-year
    assert by_years[2] == sorted([canonical_key("Lò Thị Mai"), canonical_key("Đinh Văn Nam")])
    assert sorted(by_years[1]) == sorted(canonical_key(n) for n in ("Đinh Văn Nam", "Bùi Thị Lan", "Bùi Thị Lan",
                                                                      "Vi Văn Tùng"))
    sustained = people[people["lien_tiep"] >= 2]  # exemplar the last two years running: only Hòa
    assert [canonical_key(t) for t in sustained["ten"]] == [canonical_key("Hoàng Văn Hòa")]
