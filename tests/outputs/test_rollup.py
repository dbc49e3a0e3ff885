"""The roll-up (`consolidate --rollup`, SPEC §10): the consolidated workbooks of two bodies below, checked, scored
again under this level's criteria, merged with their provenance; and a roll-up of that roll-up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pipeline.cli import main
from pipeline.samples.levels import UPPER, upper_config
from schemas.consolidated import count_columns, report_columns

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[2]
BODIES = [("CDGD", "Công đoàn Giáo dục tỉnh", 9000), ("CDVC", "Công đoàn Viên chức tỉnh", 2000)]


def _table(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _rollup(config: Path, inbox: Path, outbox: Path) -> openpyxl.Workbook:
    assert main(["consolidate", "--rollup", "--year", YEAR, "--config", str(config), "--inbox", str(inbox),
                 "--outbox", str(outbox)]) == 0
    return openpyxl.load_workbook(outbox / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx")


@pytest.fixture(scope="module")
def levels(period_run, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two bodies' consolidated workbooks — the education union's last year and the civil servants' union's, both
    from the period fixture's demo, which also wrote the level above's configuration — and a school's submission
    sent up by mistake."""
    base = tmp_path_factory.mktemp("rollup")
    levels = period_run["base"] / "cap-tren"
    inbox = base / "inbox"
    inbox.mkdir()
    education = period_run["outbox"] / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx"
    civil = levels / "outbox-vien-chuc" / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx"
    shutil.copy(education, inbox / "CDGD_TongHop_2019-2020.xlsx")
    shutil.copy(civil, inbox / "CDVC_TongHop_2019-2020.xlsx")
    school = next(p for p in sorted((period_run["base"] / "inbox" / YEAR).rglob("*.xlsx")) if not p.name.startswith("~$"))
    shutil.copy(school, inbox / "truong_gui_nham.xlsx")
    upper = levels / "cau-hinh"
    assert {row[0] for row in CalamineWorkbook.from_path(str(upper / "don_vi.xlsx")).get_sheet_by_index(0).to_python()[1:]
            } == {code for code, _, _ in BODIES}
    return {"base": base, "inbox": inbox, "upper": upper, "education": education, "civil": civil}


def test_the_demo_rolled_up_both_bodies(period_run) -> None:
    outbox = period_run["base"] / "cap-tren" / "outbox" / YEAR
    manifest = json.loads((outbox / "manifest.json").read_text(encoding="utf-8"))
    assert sorted((f["unit"], f["status"]) for f in manifest["files"]) == [("CDGD", "accepted"), ("CDVC", "accepted")]


@pytest.fixture(scope="module")
def rolled(levels) -> openpyxl.Workbook:
    return _rollup(levels["upper"], levels["inbox"], levels["base"] / "outbox")


def _inputs(levels) -> dict[str, openpyxl.Workbook]:
    return {"CDGD_TongHop_2019-2020.xlsx": openpyxl.load_workbook(levels["education"]),
            "CDVC_TongHop_2019-2020.xlsx": openpyxl.load_workbook(levels["civil"])}


@pytest.mark.parametrize("sheet", ["Tập thể", "Cá nhân"])
def test_every_nomination_of_the_inputs_appears_once_with_its_provenance_and_score(levels, rolled, sheet) -> None:
    rows = _table(rolled[sheet])
    expected = {}
    for name, book in _inputs(levels).items():
        body = {row[0]: row[1] for row in book["_meta"].iter_rows(min_row=2, values_only=True)}["co_quan"]
        for number, row in enumerate(_table(book[sheet]), start=2):
            expected[name, number] = (row["Mã đơn vị"], body, row["Điểm"], row["Xếp loại"])
    found = {(r["Tệp"], r["Dòng"]): (r["Mã đơn vị"], r["Cơ quan gửi"], r["Điểm"], r["Xếp loại"]) for r in rows}
    assert len(found) == len(rows)  # each once
    assert found == expected  # every row, its school, its body, and (same criteria) the same score and class


def test_report_totals_are_the_sums_of_the_inputs(levels, rolled) -> None:
    labels = dict(report_columns())
    totals = {}
    for book in _inputs(levels).values():
        last = _table(book["Kết quả thực hiện"])[-1]
        assert last["Tên đơn vị"] == "Tổng cộng"
        for key in count_columns():
            totals[key] = totals.get(key, 0) + last[labels[key]]
    ours = _table(rolled["Kết quả thực hiện"])[-1]
    assert {key: ours[labels[key]] for key in count_columns()} == totals
    named = {(r["Mã đơn vị"], r["Tên đơn vị"]) for r in _table(rolled["Kết quả thực hiện"])[:-1]}
    inputs = {(r["Mã đơn vị"], r["Tên đơn vị"]) for book in _inputs(levels).values()
              for r in _table(book["Kết quả thực hiện"])[:-1]}
    assert named == inputs  # every school's report, under its own name


def test_the_bodies_below_are_listed_and_a_school_file_is_rejected(levels, rolled) -> None:
    status = {r["Mã đơn vị"]: r for r in _table(rolled["Tình hình nộp"])}
    assert status["CDGD"]["Tình trạng"].startswith("Đã nộp") and status["CDVC"]["Tình trạng"].startswith("Đã nộp")
    assert status["CDGD"]["Tệp"] == "CDGD_TongHop_2019-2020.xlsx"
    manifest = json.loads((levels["base"] / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    files = {f["path"]: f for f in manifest["files"]}
    assert files["truong_gui_nham.xlsx"]["status"] == "rejected"
    messages = [r for r in _table(rolled["Lỗi và cảnh báo"]) if r["Tệp"] == "truong_gui_nham.xlsx"]
    assert [m["Mã lỗi"] for m in messages] == ["F14"]
    assert "bản tổng hợp TongHop_DienHinh" in messages[0]["Cần (lỗi) / đã hiểu (cảnh báo)"]
    assert files["CDGD_TongHop_2019-2020.xlsx"]["unit"] == "CDGD"


def test_an_edited_score_is_scored_again_and_reported_with_its_cell(levels, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    edited = openpyxl.load_workbook(levels["civil"])
    sheet = edited["Cá nhân"]
    header = [c.value for c in sheet[1]]
    column = header.index("Điểm") + 1
    original = sheet.cell(2, column).value
    sheet.cell(2, column).value = 99.9
    edited.save(inbox / "CDVC_TongHop_2019-2020.xlsx")
    book = _rollup(levels["upper"], inbox, tmp_path / "outbox")
    person = next(r for r in _table(book["Cá nhân"]) if r["Dòng"] == 2)
    assert person["Điểm"] == original  # this level's score is the one used
    warnings = [r for r in _table(book["Lỗi và cảnh báo"]) if r["Mã lỗi"] == "W15"]
    letter = openpyxl.utils.get_column_letter(column)
    assert [(w["Ô"], w["Gặp"]) for w in warnings] == [(f"Cá nhân!{letter}2", "điểm 99,9")]
    assert warnings[0]["Mức độ"] == "Cảnh báo"
    shown = f"{original:.1f}".replace(".", ",").removesuffix(",0")
    assert f"điểm tính lại theo tiêu chí cấp này {shown}" in warnings[0]["Cần (lỗi) / đã hiểu (cảnh báo)"]


def test_a_body_not_in_the_roster_is_rejected(levels, tmp_path: Path) -> None:
    config = upper_config(ROOT / "config", tmp_path / "config", BODIES[:1], "2017-2018")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(levels["civil"], inbox / "CDVC.xlsx")
    book = _rollup(config, inbox, tmp_path / "outbox")
    messages = _table(book["Lỗi và cảnh báo"])
    assert [(m["Mã lỗi"], m["Gặp"]) for m in messages] == [("F14", 'bản tổng hợp của "CÔNG ĐOÀN VIÊN CHỨC TỈNH"')]


def test_a_rollup_of_rollups_gives_the_same_scores(levels, rolled, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(levels["base"] / "outbox" / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx", inbox / "LDLD_HoaBinh.xlsx")
    top = upper_config(ROOT / "config", tmp_path / "config", [("HB", "LĐLĐ tỉnh Hòa Bình", 60000)],
                       "2017-2018", settings={**UPPER, "co_quan_cap_tren": "QUỐC HỘI", "co_quan_ban_hanh":
                                              "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM"})
    book = _rollup(top, inbox, tmp_path / "outbox")
    for sheet in ("Tập thể", "Cá nhân"):
        below = _table(rolled[sheet])
        above = _table(book[sheet])
        assert len(above) == len(below)
        for row in above:
            source = below[row["Dòng"] - 2]  # its row in the roll-up below
            assert (row["Mã đơn vị"], row["Điểm"], row["Xếp loại"], row["Hạng"]) == (
                source["Mã đơn vị"], source["Điểm"], source["Xếp loại"], source["Hạng"])
            assert row["Cơ quan gửi"] == "LĐLĐ TỈNH HÒA BÌNH"
    assert not [r for r in _table(book["Lỗi và cảnh báo"]) if r["Mã lỗi"] == "W15"]


def test_breakdowns_count_the_schools_that_nominated_through_the_bodies(levels, rolled) -> None:
    schools = {}
    for book in _inputs(levels).values():
        for sheet in ("Tập thể", "Cá nhân"):
            for row in _table(book[sheet]):
                schools[row["Mã đơn vị"]] = row["Địa bàn"]
    overview = list(rolled["Tổng quan"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(overview) if row[0] == "II. THEO ĐỊA BÀN") + 2
    end = next(i for i, row in enumerate(overview) if row[0] == "III. THEO CẤP HỌC")
    table = {row[0]: (row[2], row[3]) for row in overview[start:end] if row[0]}
    expected = {}
    for area in schools.values():
        expected[area] = expected.get(area, 0) + 1
    assert table == {area: (count, count) for area, count in expected.items()}


def test_two_bodies_numbering_their_units_alike_keep_their_own_names(levels, tmp_path: Path) -> None:
    """A code the education union gives a school, the civil servants' union gives an agency: each row keeps its
    own unit's name and members (units are told apart by the file they came in)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(levels["education"], inbox / "CDGD.xlsx")
    taken = _table(openpyxl.load_workbook(levels["education"])["Tập thể"])[0]["Mã đơn vị"]
    civil = openpyxl.load_workbook(levels["civil"])
    for sheet in ("Tập thể", "Cá nhân", "Kết quả thực hiện"):
        header = [c.value for c in civil[sheet][1]]
        column = header.index("Mã đơn vị") + 1
        for row in range(2, civil[sheet].max_row + 1):
            if civil[sheet].cell(row, column).value:
                civil[sheet].cell(row, column).value = taken  # every agency renumbered to the school's code
    civil.save(inbox / "CDVC.xlsx")
    book = _rollup(levels["upper"], inbox, tmp_path / "outbox")
    names = {(r["Tệp"], r["Tên đơn vị"]) for r in _table(book["Tập thể"]) if r["Mã đơn vị"] == taken}
    education_name = _table(openpyxl.load_workbook(levels["education"])["Tập thể"])[0]["Tên đơn vị"]
    civil_names = {r["Tên đơn vị"] for r in _table(openpyxl.load_workbook(levels["civil"])["Tập thể"])}
    assert ("CDGD.xlsx", education_name) in names
    assert {n for t, n in names if t == "CDVC.xlsx"} <= civil_names and education_name not in civil_names
