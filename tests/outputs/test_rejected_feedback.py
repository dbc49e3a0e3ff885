"""Every rejected file gets a feedback workbook saying what is wrong and what to send instead; a file whose
unit cannot be read is shown in Tình hình nộp under the unit its name suggests (a hint for staff), and the
figures of Tổng quan agree with the manifest."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import xlsxwriter

from pipeline.cli import main
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[2]


def _rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_rejected_files_get_feedback_and_are_counted(config, tmp_path: Path) -> None:
    year = config.for_year(YEAR)
    good, guessed, coded = (year.units.iloc[n] for n in (2, 6, 9))
    inbox = tmp_path / "inbox"
    (inbox / "dot 2").mkdir(parents=True)
    write_template(year, inbox / "tot.xlsx", make_unit_data(good, YEAR, seed=1).fill())
    # not our template (F06), named after the school as staff saved the attachment
    foreign = xlsxwriter.Workbook(str(inbox / "dot 2" / f"Bao cao {guessed['ma_don_vi']}.xlsx"))
    foreign.add_worksheet("Danh sách").write_row(0, 0, ["Họ tên", "Năm sinh"])
    foreign.close()
    # our template with the unit code left empty (F10), the unit named in the file name only
    data = make_unit_data(coded, YEAR, seed=2)
    data.unit["ma_don_vi"] = None
    plain = "Truong khong ro.xlsx"
    write_template(year, inbox / plain, data.fill())
    outbox = tmp_path / "outbox"
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    folder = outbox / YEAR
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rejected = [f for f in manifest["files"] if f["status"] == "rejected"]
    assert len(rejected) == 2 and all(f["unit"] is None for f in rejected)

    named = sorted(p.name for p in (folder / "phan_hoi").glob("chua_ro_don_vi_*.xlsx"))
    feedback = [name for name in named if "_danh_dau_" not in name]
    assert len(feedback) == 2 and any(name.startswith("chua_ro_don_vi_Bao_cao_") for name in feedback)
    # the template without a code is the school's own workbook: a marked copy shows the empty code cell
    assert [name for name in named if "_danh_dau_" in name] == [
        f"{next(n for n in feedback if 'Truong_khong_ro' in n)[:-5]}_danh_dau_Truong khong ro.xlsx"]
    foreign_book = openpyxl.load_workbook(folder / "phan_hoi" / next(n for n in feedback if "Bao_cao" in n))
    status = [v for row in foreign_book["Tình trạng"].iter_rows(values_only=True) for v in row if v]
    assert "không đọc được mã đơn vị trong tệp (xem trang Lỗi và cảnh báo)" in status
    assert f"Bao cao {guessed['ma_don_vi']}.xlsx" in status  # the file's name, not staff's folders
    assert not any("dot 2" in str(v) for v in status)
    assert not any(str(v).startswith("Có dòng lỗi") for v in status)  # only the advice that applies
    findings = _rows(foreign_book["Lỗi và cảnh báo"])
    assert [f["Mã lỗi"] for f in findings] == ["F06"]
    assert findings[0]["Cần (lỗi) / đã hiểu (cảnh báo)"].endswith("rồi gửi lại")

    book = openpyxl.load_workbook(folder / f"TongHop_DienHinh_{YEAR}.xlsx")
    submissions = {r["Mã đơn vị"]: r for r in _rows(book["Tình hình nộp"]) if r["Mã đơn vị"]}
    hinted = submissions[guessed["ma_don_vi"]]
    assert hinted["Tình trạng"] == "Có tệp bị từ chối"  # not "Chưa nộp"
    assert hinted["Tệp"] == f"dot 2/Bao cao {guessed['ma_don_vi']}.xlsx (đoán theo tên tệp)"
    assert submissions[good["ma_don_vi"]]["Tình trạng"] == "Đã nộp — hợp lệ"
    unknown = [r for r in _rows(book["Tình hình nộp"]) if not r["Mã đơn vị"]]
    assert sorted(r["Tệp"] for r in unknown) == sorted(f["path"] for f in rejected)
    assert any(str(r["Tên đơn vị"]).startswith(f"(không đọc được mã đơn vị; đoán theo tên tệp: "
                                               f"{guessed['ma_don_vi']}") for r in unknown)
    figures = {row[0]: row[6] for row in book["Tổng quan"].iter_rows(values_only=True)
               if isinstance(row[0], str) and isinstance(row[6], int)}
    assert figures["Đơn vị có tệp bị từ chối"] == 1  # the hinted unit
    assert figures["Tệp bị từ chối không đọc được mã đơn vị"] == len(rejected)
    assert figures["Đơn vị đã nộp hợp lệ"] == sum(f["status"] == "accepted" for f in manifest["files"])
