"""The consolidated workbook read back: sheets, headers, figures against details, order, safety, PDF."""

from __future__ import annotations

import copy
import re
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl

from pipeline.cli import main
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template
from pipeline.vi.collation import person_sort_key
from schemas.submission import CollectiveRow, IndividualRow, column_specs
from tests.libreoffice import needs_libreoffice

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[2]
SHEETS = ["Tổng quan", "Đề nghị biểu dương", "Tập thể", "Cá nhân", "Kết quả thực hiện", "Tình hình nộp",
          "Lỗi và cảnh báo", "Tiêu chí"]
NAMES = ["Trần Văn Ánh", "Lê Thị Anh", "Phạm Thị Ăn", "Hoàng Văn Ân", "Đỗ Thị Ơn", "Nguyễn Văn Đức",
         "Nguyễn Văn Dũng", "Bùi Thị Ưng", "Đinh Văn Úng", "Quách Thị Ánh", "Lò Văn Ánh"]
HOSTILE = ['=HYPERLINK("http://example.invalid","bấm vào")', "+1+2", "@SUM(A1:A2)", "-2+3", "http://example.invalid"]


def _consolidate(inbox: Path, outbox: Path) -> Path:
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    return outbox / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx"


def _rows(sheet) -> list[dict[str, object]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def test_sheets_and_machine_readable_headers(demo_run) -> None:
    _, book = demo_run
    assert book.sheetnames == [*SHEETS, "_meta"]
    meta = {row[0]: row[1] for row in book["_meta"].iter_rows(min_row=2, values_only=True)}
    assert book["_meta"].sheet_state == "hidden"
    assert meta["loai"] == "tong_hop_dien_hinh" and meta["phien_ban"] == "1.0" and meta["nam_hoc"] == YEAR
    assert meta["co_quan"] == "CÔNG ĐOÀN GIÁO DỤC TỈNH" and meta["co_quan_cap_tren"] == "LĐLĐ TỈNH HÒA BÌNH"
    assert len(meta["cau_hinh_sha256"]) == 64 and len(meta["tieu_chi_sha256"]) == 64
    for name, model in (("Tập thể", CollectiveRow), ("Cá nhân", IndividualRow)):
        header = [c.value for c in book[name][1]]
        labels = [m["label"] for m in column_specs(model).values()]
        assert header[:2] == ["Mã đơn vị", "Tên đơn vị"]
        assert [h for h in header if h in labels] == labels
        for column in ("Điểm", "Xếp loại", "Hạng", "Lý do không đủ điều kiện", "Tệp", "Dòng"):
            assert column in header, (name, column)
        assert any(str(h).startswith("Điểm: ") for h in header)


def test_overview_figures_equal_the_details(demo_run) -> None:
    _, book = demo_run
    overview = book["Tổng quan"]
    figures = {}
    for row in overview.iter_rows(min_row=10, max_row=40, values_only=True):
        if isinstance(row[0], str) and isinstance(row[6], (int, float)):
            figures[row[0]] = row[6]
    collectives, people = _rows(book["Tập thể"]), _rows(book["Cá nhân"])
    classes_c, classes_p = Counter(r["Xếp loại"] for r in collectives), Counter(r["Xếp loại"] for r in people)
    proposed = [r for r in people if r["Đề nghị biểu dương"] == "Có"]
    submissions = _rows(book["Tình hình nộp"])
    assert figures["Tập thể được đề nghị"] == len(collectives)
    assert figures["Tập thể đạt điển hình toàn diện"] == classes_c["Điển hình toàn diện"]
    assert figures["Tập thể đạt điển hình trên lĩnh vực"] == classes_c["Điển hình trên lĩnh vực"]
    assert figures["Tập thể đề nghị biểu dương"] == sum(r["Đề nghị biểu dương"] == "Có" for r in collectives)
    assert figures["Cá nhân được đề nghị"] == len(people)
    assert figures["Cá nhân đạt điển hình toàn diện"] == classes_p["Điển hình toàn diện"]
    assert figures["Cá nhân đề nghị biểu dương"] == len(proposed)
    assert figures["Trong đó nữ"] == sum(r["Giới tính"] == "Nữ" for r in proposed)
    assert figures["Trong đó người dân tộc thiểu số"] == sum(r["Dân tộc"] != "Kinh" for r in proposed)
    assert figures["Đơn vị đã nộp hợp lệ"] == sum(str(r["Tình trạng"]).startswith("Đã nộp") for r in submissions)
    assert figures["Đơn vị chưa nộp"] == sum(r["Tình trạng"] == "Chưa nộp" for r in submissions)
    # the area breakdown adds up to the same totals
    area_rows = []
    started = False
    for row in overview.iter_rows(values_only=True):
        if row[0] == "Địa bàn":
            started = True
            continue
        if started and (row[0] is None or str(row[0]).startswith("III")):
            break
        if started:
            area_rows.append(row)
    assert sum(r[4] for r in area_rows) == len(collectives)
    assert sum(r[7] for r in area_rows) == len(proposed)
    assert len(overview._charts) == 2


def test_submission_status_lists_every_roster_unit_once(demo_run, config) -> None:
    _, book = demo_run
    rows = _rows(book["Tình hình nộp"])
    codes = [r["Mã đơn vị"] for r in rows if r["Mã đơn vị"]]
    assert sorted(codes) == sorted(config.for_year(YEAR).units["ma_don_vi"])
    assert len(codes) == len(set(codes))
    assert {r["Tình trạng"] for r in rows} <= {"Đã nộp — hợp lệ", "Đã nộp — có dòng lỗi", "Có tệp bị từ chối", "Chưa nộp"}
    assert 39 <= sum(r["Tình trạng"] == "Chưa nộp" for r in rows) <= 55 - 16 + 4  # 16 units sent files
    for r in rows:
        assert (r["Tình trạng"] == "Chưa nộp") == (not r["Tệp"])
        if r["Ngày nhận"]:
            assert r["Hạn nộp"] in ("Đúng hạn", "Trễ hạn")


def test_proposal_list_order_and_columns(demo_run) -> None:
    _, book = demo_run
    sheet = book["Đề nghị biểu dương"]
    values = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(values) if row[0] == "TT")
    assert values[header_index] == ("TT", "Họ và tên (Tên tập thể)", "Chức vụ", "Đơn vị", "Hình thức đề nghị",
                                    "Tóm tắt thành tích", "Ghi chú")
    assert values[0][4] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and values[1][4] == "Độc lập - Tự do - Hạnh phúc"
    assert re.fullmatch(r"Hòa Bình, ngày \d\d tháng (0[12]|[3-9]|1[012]) năm 2020", values[4][4])
    sections = [i for i, row in enumerate(values) if isinstance(row[0], str) and row[0].startswith(("I.", "II."))]
    collectives = values[sections[0] + 1:sections[1]]
    people = [row for row in values[sections[1] + 1:] if isinstance(row[0], int)]
    assert [row[0] for row in collectives] == list(range(1, len(collectives) + 1))
    details = {(r["Tên tập thể"], r["Tên đơn vị"]): r for r in _rows(book["Tập thể"]) if r["Đề nghị biểu dương"] == "Có"}
    assert len(collectives) == len(details)
    classes = [details[row[1], row[3]]["Xếp loại"] for row in collectives]
    assert classes == sorted(classes, key=lambda c: 0 if c == "Điển hình toàn diện" else 1)  # comprehensive first
    for row in collectives:
        detail = details[row[1], row[3]]
        field = detail["Lĩnh vực điển hình"]
        if field not in (None, "Toàn diện", "Khác"):  # the field the school chose
            assert row[4] == f"Biểu dương điển hình tiên tiến trên lĩnh vực {field}"
        elif detail["Xếp loại"] == "Điển hình toàn diện":
            assert row[4] == "Biểu dương điển hình tiên tiến toàn diện"
        else:  # the groups it excelled in, as the criteria name them
            assert row[4] == f"Biểu dương điển hình tiên tiến trên lĩnh vực {detail['Nhóm đạt từ 90 %']}"
    assert not any("bác" in row[4] for row in people)  # "Bác" keeps its capital
    people_classes = {(r["Họ và tên"], r["Tên đơn vị"]): r["Xếp loại"] for r in _rows(book["Cá nhân"])}
    for kind in ("Điển hình toàn diện", "Điển hình trên lĩnh vực"):
        group = [row[1] for row in people if people_classes[row[1], row[3]] == kind]
        assert group == sorted(group, key=person_sort_key)
    assert any("TM. BAN THƯỜNG VỤ" == row[4] for row in values) and any("CHỦ TỊCH" == row[4] for row in values)
    assert all(row[6] is None for row in collectives + people)  # Ghi chú: left for staff, no internal score


def test_vietnamese_name_order_and_no_formulas(config, tmp_path: Path) -> None:
    unit = config.for_year(YEAR).units.iloc[5]
    data = make_unit_data(unit, YEAR, seed=1)
    template_row = dict(data.individuals[-1], la_lanh_dao="Không", tap_the_dung_dau=None)
    data.individuals = [dict(template_row, stt=n + 1, ho_ten=name, nam_sinh=1970 + n) for n, name in enumerate(NAMES)]
    data.individuals[0]["tom_tat"] = HOSTILE[0]
    data.individuals[1]["chuc_vu"] = HOSTILE[1]
    data.collectives[0]["tom_tat"] = HOSTILE[2]
    data.collectives[0]["ten_tap_the"] = HOSTILE[3]
    data.unit["nguoi_lap_bieu"] = HOSTILE[4]
    inputs = config.for_year(YEAR)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_template(inputs, inbox / "bai_nop.xlsx", data.fill())
    path = _consolidate(inbox, tmp_path / "outbox")
    book = openpyxl.load_workbook(path)
    order = [r["Họ và tên"] for r in _rows(book["Cá nhân"])]
    # by tên, then tên đệm (Thị < Văn), then họ (Lò < Trần)
    assert order == ["Lê Thị Anh", "Quách Thị Ánh", "Lò Văn Ánh", "Trần Văn Ánh", "Phạm Thị Ăn", "Hoàng Văn Ân",
                     "Nguyễn Văn Dũng", "Nguyễn Văn Đức", "Đỗ Thị Ơn", "Đinh Văn Úng", "Bùi Thị Ưng"]
    feedback = openpyxl.load_workbook(tmp_path / "outbox" / YEAR / "phan_hoi" / f"{unit['ma_don_vi']}.xlsx")
    meta = {row[0]: row[1] for row in feedback["_meta"].iter_rows(min_row=2, values_only=True)}
    assert feedback["_meta"].sheet_state == "hidden" and feedback.sheetnames[-1] == "_meta"
    assert (meta["loai"], meta["nam_hoc"], meta["co_quan"]) == ("phan_hoi_don_vi", YEAR, "CÔNG ĐOÀN GIÁO DỤC TỈNH")
    for workbook in (book, feedback):
        found = set()
        for sheet in workbook.worksheets:
            assert not sheet._hyperlinks, sheet.title
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if cell.value in HOSTILE:
                        found.add(cell.value)
        # written as the school typed them, as text (the feedback shows fewer columns)
        assert found >= ({HOSTILE[1], HOSTILE[3]} if workbook is feedback else set(HOSTILE[:4]))


def test_long_tables_are_split_never_truncated(demo_run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("pipeline.outputs.summary.MAX_DATA_ROWS", 40)
    path, book = demo_run
    inbox = path.parents[2] / "inbox"
    split = openpyxl.load_workbook(_consolidate(inbox, tmp_path / "outbox"))
    parts = [name for name in split.sheetnames if name == "Cá nhân" or name.startswith("Cá nhân (")]
    assert len(parts) >= 2
    rows = [r for name in parts for r in _rows(split[name])]
    assert rows == _rows(book["Cá nhân"])  # every row once, in order, across the parts
    assert all(split[name].max_row <= 41 for name in parts)
    assert [split[name].max_row for name in parts[:-1]] == [41] * (len(parts) - 1)  # full parts before the last


LONG_TABLES = ("Tập thể", "Cá nhân")


def _looks(sheet) -> list[list[tuple]]:
    """Each cell's font, fill, border, alignment and number format (looked up once per distinct style)."""
    styles: dict[tuple[int, ...], tuple] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if tuple(cell._style) not in styles:
                styles[tuple(cell._style)] = (*map(copy.copy, (cell.font, cell.fill, cell.border, cell.alignment)),
                                              cell.number_format)
    return [[styles[tuple(cell._style)] for cell in row] for row in sheet.iter_rows()]


def test_a_large_workbook_streams_its_long_tables_and_reads_cell_for_cell_as_a_small_one(demo_run, tmp_path: Path,
                                                                                         monkeypatch) -> None:
    monkeypatch.setattr("pipeline.outputs.summary.IN_MEMORY_ROWS", 0)  # this small run assembled as a large one
    path, book = demo_run
    large_path = _consolidate(path.parents[2] / "inbox", tmp_path / "outbox")
    large = openpyxl.load_workbook(large_path)
    assert large.sheetnames == book.sheetnames
    for name in book.sheetnames:
        assert list(large[name].iter_rows(values_only=True)) == list(book[name].iter_rows(values_only=True)), name
        assert ({r: d.height for r, d in large[name].row_dimensions.items()} ==
                {r: d.height for r, d in book[name].row_dimensions.items()}), name
        assert ([large[name].freeze_panes, large[name].auto_filter.ref, large[name].print_title_rows] ==
                [book[name].freeze_panes, book[name].auto_filter.ref, book[name].print_title_rows]), name
    for name in LONG_TABLES:  # every cell's style (xlsxwriter numbers the styles of a streamed sheet otherwise)
        assert _looks(large[name]) == _looks(book[name]), name
    with zipfile.ZipFile(large_path) as streamed:
        for name in book.sheetnames[:-1]:  # xlsxwriter names the parts in sheet order
            part = streamed.read(f"xl/worksheets/sheet{book.sheetnames.index(name) + 1}.xml")
            # the long tables' text inline, as xlsxwriter writes a row it no longer holds
            assert (b't="inlineStr"' in part) == (name in LONG_TABLES), name


@needs_libreoffice
def test_consolidated_workbook_prints_on_a4(demo_pdf: Path) -> None:
    pdf = demo_pdf
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = {(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info)}
    assert sizes == {(595, 842), (842, 595)}  # Tổng quan portrait, the lists landscape; all A4
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("BÁO CÁO", "DANH SÁCH", "Kính gửi: Ban Thường vụ Liên đoàn Lao động tỉnh Hòa Bình.", "TM. BAN THƯỜNG VỤ",
                  "Nguyễn Văn Bình", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "I. TẬP THỂ", "II. CÁ NHÂN"):
        assert words in text
