"""The period review end to end (SPEC §8): three generated school years consolidated, then `review`; every
figure checked against the consolidated workbooks read independently with openpyxl."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.config.links import COLUMNS as LINK_COLUMNS
from pipeline.outputs.review import SHEETS
from pipeline.scoring.period import BIRTH_ONE_OFF, MOVED, SHARED_NAME
from pipeline.vi.text import canonical_key
from tests.libreoffice import convert, needs_libreoffice

YEARS = ["2017-2018", "2018-2019", "2019-2020"]
EXEMPLAR = {"Điển hình toàn diện", "Điển hình trên lĩnh vực"}


def _table(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.fixture(scope="module")
def review(period_run):
    return openpyxl.load_workbook(period_run["review"])


@pytest.fixture(scope="module")
def consolidated(period_run):
    """Each year's `Cá nhân` and `Tập thể` rows, as the consolidated workbooks hold them."""
    found = {}
    for year in YEARS:
        book = openpyxl.load_workbook(period_run["outbox"] / year / f"TongHop_DienHinh_{year}.xlsx", read_only=True)
        found[year] = {sheet: _table(book[sheet]) for sheet in ("Cá nhân", "Tập thể", "Tình hình nộp")}
    return found


def test_sheets_meta_and_machine_readable_headers(review) -> None:
    assert review.sheetnames == [*SHEETS, "_meta"]
    meta = {row[0]: row[1] for row in review["_meta"].iter_rows(min_row=2, values_only=True)}
    assert meta["loai"] == "tong_ket_giai_doan" and meta["nam_hoc"] == "2017-2018/2019-2020"
    header = [c.value for c in review["Tập thể qua các năm"][1]]
    assert header[:3] == ["Mã đơn vị", "Tên đơn vị", "Tên tập thể"]
    assert header[3:9] == [*YEARS, "Số năm là điển hình", "Năm đầu là điển hình", "Số năm liên tiếp đến năm cuối"]
    assert "Mã đơn vị các năm" in header
    header = [c.value for c in review["Cá nhân qua các năm"][1]]
    assert header[:6] == ["Mã đơn vị", "Tên đơn vị", "Họ và tên", "Năm sinh", "Giới tính", "Dân tộc"]
    assert header[6:9] == YEARS
    assert [c.value for c in review["Cần xác nhận"][1]] == list(LINK_COLUMNS.values())


def test_yearly_counts_equal_the_consolidated_workbooks(review, consolidated) -> None:
    overview = {row[0]: row[-3:] for row in review["Tổng quan"].iter_rows(values_only=True)
                if isinstance(row[0], str) and all(isinstance(v, (int, float)) for v in row[-3:])}
    for index, year in enumerate(YEARS):
        people = consolidated[year]["Cá nhân"]
        teams = consolidated[year]["Tập thể"]
        assert overview["Cá nhân được đề nghị"][index] == len({(r["Mã đơn vị"], canonical_key(r["Họ và tên"]),
                                                                r["Năm sinh"]) for r in people})
        assert overview["Cá nhân là điển hình"][index] == len({(r["Mã đơn vị"], canonical_key(r["Họ và tên"]),
                                                                r["Năm sinh"]) for r in people
                                                               if r["Xếp loại"] in EXEMPLAR})
        assert overview["Tập thể là điển hình"][index] == sum(r["Xếp loại"] in EXEMPLAR for r in teams)
        submitted = sum(str(r["Tình trạng"]).startswith("Đã nộp") for r in consolidated[year]["Tình hình nộp"])
        assert overview["Đơn vị đã nộp báo cáo"][index] == submitted


def test_entities_carry_their_class_each_year_and_the_counts_follow(review, consolidated) -> None:
    people = _table(review["Cá nhân qua các năm"])
    for person in people:
        classes = [person[y] for y in YEARS]
        flags = [c in EXEMPLAR for c in classes]
        assert person["Số năm là điển hình"] == sum(flags)
        run = 0
        for flag in reversed(flags):
            if not flag:
                break
            run += 1
        assert person["Số năm liên tiếp đến năm cuối"] == run
        assert person["Năm đầu là điển hình"] == (YEARS[flags.index(True)] if any(flags) else None)
    # every nomination of every year is in exactly one row
    for year in YEARS:
        assert sum(p[year] is not None for p in people) == len({
            (r["Mã đơn vị"], canonical_key(r["Họ và tên"]), r["Năm sinh"]) for r in consolidated[year]["Cá nhân"]})


def test_the_merged_school_continues_the_schools_it_replaced(review) -> None:
    people = _table(review["Cá nhân qua các năm"])
    continued = [p for p in people if str(p["Mã đơn vị các năm"]).startswith("2017-2018: 02101; 2018-2019: 02103")
                 or str(p["Mã đơn vị các năm"]).startswith("2017-2018: 02102; 2018-2019: 02103")]
    assert continued, "the principal of a school that merged is nominated at the merged school the next year"
    assert all(p["Mã đơn vị"] == "02103" for p in continued)
    links = _table(review["Cần xác nhận"])
    shared = [r for r in links if r["Lý do"] == SHARED_NAME["Tập thể"]]
    assert {(r["Mã đơn vị (1)"], r["Mã đơn vị (2)"]) for r in shared} == {("02101", "02103"), ("02102", "02103")}
    assert {r["Tên (1)"] for r in shared} == {"Tổ công đoàn Văn phòng"}


def test_areas_are_named_as_each_year_names_them(review) -> None:
    overview = list(review["Tổng quan"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(overview) if row[0] == "II. ĐIỂN HÌNH THEO ĐỊA BÀN")
    table = {row[0]: row[-3:] for row in overview[start + 2:start + 20] if row[0] and row[0][0] != "I"}
    assert table["Kỳ Sơn"][2] == 0  # Kỳ Sơn joined the city at the end of 2019: no exemplar named there after
    assert table["TP Hòa Bình"][2] > 0


def test_moved_teacher_and_birth_year_one_off_are_listed_and_confirmations_merge(period_run, review) -> None:
    links = _table(review["Cần xác nhận"])
    moved = [r for r in links if r["Lý do"] == MOVED]
    typo = [r for r in links if r["Lý do"] == BIRTH_ONE_OFF]
    assert len(moved) == 1 and len(typo) == 1
    move = moved[0]
    assert move["Mã đơn vị (1)"] != move["Mã đơn vị (2)"] and move["Năm sinh (1)"] == move["Năm sinh (2)"]
    assert (move["Năm học (1)"], move["Năm học (2)"]) == ("2018-2019", "2019-2020")
    assert abs(typo[0]["Năm sinh (1)"] - typo[0]["Năm sinh (2)"]) == 1
    people = _table(review["Cá nhân qua các năm"])

    def rows_of(link, side: str) -> list[dict]:
        return [p for p in people if canonical_key(p["Họ và tên"]) == canonical_key(link[f"Tên ({side})"])
                and p["Năm sinh"] == link[f"Năm sinh ({side})"] and p["Mã đơn vị"] == link[f"Mã đơn vị ({side})"]]

    assert len(rows_of(move, "1")) == 1 and len(rows_of(move, "2")) == 1  # two rows, not merged
    # staff copy the header and the moved teacher's row into config/lien_ket.xlsx and answer "Có"
    config = period_run["base"] / "config-confirmed"
    shutil.copytree(period_run["config"], config)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(LINK_COLUMNS.values()))
    sheet.append([*(move[h] for h in list(LINK_COLUMNS.values())[:-1]), "Có"])
    book.save(config / "lien_ket.xlsx")
    outbox = period_run["base"] / "outbox-confirmed"
    shutil.copytree(period_run["outbox"], outbox)
    assert main(["review", "--config", str(config), "--outbox", str(outbox)]) == 0
    again = openpyxl.load_workbook(outbox / "TongKet_DienHinh_2017-2018_2019-2020.xlsx")
    people = _table(again["Cá nhân qua các năm"])
    merged = [p for p in people if canonical_key(p["Họ và tên"]) == canonical_key(move["Tên (1)"])
              and p["Năm sinh"] == move["Năm sinh (1)"] and move["Mã đơn vị (2)"] in str(p["Mã đơn vị các năm"])]
    assert len(merged) == 1
    assert f"2018-2019: {move['Mã đơn vị (1)']}" in merged[0]["Mã đơn vị các năm"]
    settled = [r for r in _table(again["Cần xác nhận"]) if r["Xác nhận (Có/Không)"] == "Có"]
    assert len(settled) == 1 and settled[0]["Lý do"] == "đã xác nhận"
    assert len(_table(again["Cá nhân qua các năm"])) == len(_table(review["Cá nhân qua các năm"])) - 1


def test_a_bad_answer_in_the_links_file_is_a_configuration_error(period_run, tmp_path: Path, capsys) -> None:
    config = tmp_path / "config"
    shutil.copytree(period_run["config"], config)
    book = openpyxl.Workbook()
    book.active.append(list(LINK_COLUMNS.values()))
    values = {"loai": "Cá nhân", "nam_hoc_1": "2018-2019", "ma_don_vi_1": "01001", "ten_1": "Lò Văn A",
              "nam_sinh_1": 1980, "nam_hoc_2": "2019-2020", "ma_don_vi_2": "01002", "ten_2": "Lò Văn A",
              "nam_sinh_2": 1980, "xac_nhan": "có lẽ"}
    book.active.append([values.get(key) for key in LINK_COLUMNS])
    book.save(config / "lien_ket.xlsx")
    assert main(["review", "--config", str(config), "--outbox", str(period_run["outbox"])]) == 2
    assert ('config/lien_ket.xlsx, dòng 2, cột "Xác nhận (Có/Không)": gặp "có lẽ", cần "Có" (cùng một người) hoặc '
            '"Không" (khác nhau).') in capsys.readouterr().err


def test_missing_years_are_named_and_an_empty_outbox_is_refused(period_run, tmp_path: Path, capsys) -> None:
    outbox = tmp_path / "outbox"
    shutil.copytree(period_run["outbox"] / "2019-2020", outbox / "2019-2020")
    (outbox / "2018-2019").mkdir()
    (outbox / "2018-2019" / "TongHop_DienHinh_2018-2019.xlsx").write_bytes(
        (period_run["outbox"] / "2018-2019" / "template" / "Mau_DienHinh_2018-2019.xlsx").read_bytes())
    assert main(["review", "--config", str(period_run["config"]), "--outbox", str(outbox)]) == 0
    out = capsys.readouterr().out
    assert "đã đọc bản tổng hợp 1 năm học (2019-2020)" in out
    assert "Chưa có bản tổng hợp năm học 2017-2018 trong thư mục kết quả" in out
    assert 'Tệp "TongHop_DienHinh_2018-2019.xlsx": trang _meta ghi loại tài liệu "" ' in out
    assert main(["review", "--config", str(period_run["config"]), "--outbox", str(tmp_path / "empty")]) == 2
    assert "Chưa có bản tổng hợp nào của các năm học 2017-2018 đến 2019-2020" in capsys.readouterr().err
    assert main(["review", "--from", "2019-2020", "--to", "2017-2018", "--outbox", str(outbox)]) == 2


def test_honours_list_puts_the_longest_sustained_first(review) -> None:
    sheet = review["Đề nghị tôn vinh giai đoạn"]
    forms = [row[4] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int) and row[4]]
    years = [int(f.split("(")[1].split(" năm")[0]) for f in forms if "năm là điển hình" in f]
    assert years, "the honours list has rows"
    sections = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], str)
                and row[0].startswith(("I. TẬP THỂ", "II. CÁ NHÂN"))]
    assert len(sections) == 2
    collective_rows = int(sections[0].split("(")[1].rstrip(")"))
    for part in (years[:collective_rows], years[collective_rows:]):
        assert part == sorted(part, reverse=True)


@needs_libreoffice
def test_review_prints_with_its_documents_in_the_official_format(period_run, tmp_path: Path) -> None:
    pdf = convert(period_run["review"], "pdf", tmp_path)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert re.search(r"Số:\s+/BC-CĐGD", first)
    for text in ("CÔNG ĐOÀN GIÁO DỤC TỈNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO",
                 "Tổng kết xây dựng, nhân rộng điển hình tiên tiến giai đoạn 2017 - 2020",
                 "Kính gửi: Ban Thường vụ Liên đoàn Lao động tỉnh Hòa Bình.", "I. ĐIỂN HÌNH QUA CÁC NĂM HỌC"):
        assert text in first, text
    pages = int(next(line.split()[-1] for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True,
                                                                 text=True, check=True).stdout.splitlines()
                     if line.startswith("Pages:")))
    texts = [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True).stdout for n in range(1, pages + 1)]
    overview_end = next(n for n, t in enumerate(texts) if "TM. BAN THƯỜNG VỤ" in t)
    assert "Nơi nhận:" in texts[overview_end] and "Nguyễn Văn Bình" in texts[overview_end]
    assert any("Điển hình và điển hình mới qua các năm học" in t for t in texts[:overview_end + 1])
    honours = next(n for n, t in enumerate(texts) if "DANH SÁCH" in t)
    assert re.search(r"Số:\s+/DS-CĐGD", texts[honours])
    last = next(n for n in range(pages - 1, -1, -1) if "TM. BAN THƯỜNG VỤ" in texts[n])
    assert last > honours and any(ch.isdigit() for ch in texts[last].split("TM. BAN")[0])  # list rows on its page


def test_a_rerun_writes_the_same_bytes_and_no_formula_from_school_text(period_run, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    shutil.copytree(period_run["outbox"], outbox)
    (outbox / period_run["review"].name).unlink()
    assert main(["review", "--config", str(period_run["config"]), "--outbox", str(outbox)]) == 0
    assert (outbox / period_run["review"].name).read_bytes() == period_run["review"].read_bytes()
    with zipfile.ZipFile(period_run["review"]) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    formulas = [f for text in sheets for f in re.findall(r"<f>([^<]*)</f>", text)]
    assert formulas == []  # every value is written as a value; charts refer to cells, sheets hold no formula
    assert not any("<hyperlink" in text for text in sheets)
