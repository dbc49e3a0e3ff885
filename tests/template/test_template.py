"""The school template read back with openpyxl: sheets, headers, dropdowns, protection, print setup, meta."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import __version__
from pipeline.template.writer import TEMPLATE_ID, TEMPLATE_VERSION, template_path

SHEETS = ["Hướng dẫn", "Đơn vị", "Tập thể", "Cá nhân", "Kết quả", "_meta", "_lists"]

# The header labels of SPEC §4.1 and §4.2, in order, as the spec writes them.
COLLECTIVE_LABELS = [
    "STT", "Tên tập thể", "Loại mô hình", "Lĩnh vực điển hình", "Tổng số học sinh",
    "Số học sinh đạt mức khá, giỏi", "Tổng số giáo viên", "Số giáo viên dạy giỏi các cấp còn hiệu lực",
    'Thực hiện cuộc vận động "Mỗi thầy, cô giáo là một tấm gương đạo đức, tự học và sáng tạo"',
    'Phong trào "Xây dựng trường học thân thiện, học sinh tích cực"',
    'Phong trào "Đổi mới sáng tạo trong dạy và học"', "Thực hiện quy chế dân chủ ở cơ sở",
    "Chăm lo đời sống vật chất, tinh thần đoàn viên", "Cải cách hành chính",
    "Thực hành tiết kiệm, chống lãng phí", "Học tập nâng cao trình độ",
    "Đóng góp các quỹ, hoạt động nhân đạo, từ thiện (nghìn đồng)", "Đạt chuẩn văn hóa (trường học / cơ quan)",
    "Xếp loại CĐCS", "Danh hiệu thi đua của tập thể", "Tóm tắt thành tích",
]
INDIVIDUAL_LABELS = [
    "STT", "Họ và tên", "Giới tính", "Năm sinh", "Dân tộc", "Chức vụ", "Lãnh đạo, quản lý",
    "Tập thể do mình đứng đầu (STT ở trang Tập thể)", "Xếp loại mức độ hoàn thành nhiệm vụ", "Danh hiệu thi đua",
    "Sáng kiến / đề tài được công nhận, cấp cao nhất", "Giáo viên dạy giỏi, cấp cao nhất",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; đổi mới tác phong, lề lối làm việc",
    "Gia đình văn hóa", "Tham gia hoạt động nhân đạo, từ thiện", "Bị kỷ luật trong năm học",
    "Lĩnh vực điển hình", "Tóm tắt thành tích",
]
UNIT_LABELS = [
    "Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học", "Địa bàn", "Năm học", "Tổng số CB-GV-NV",
    "Số đoàn viên", "Số Lao động tiên tiến", "Số Chiến sĩ thi đua cơ sở", "Số người bị kỷ luật",
    "Người lập biểu", "Chức vụ", "Điện thoại", "Email", "Ngày lập",
]
# column label → label set of its dropdown
COLLECTIVE_DROPDOWNS = {
    "Loại mô hình": "loai_mo_hinh", "Lĩnh vực điển hình": "linh_vuc", "Cải cách hành chính": "muc_do",
    "Đạt chuẩn văn hóa (trường học / cơ quan)": "co_khong", "Xếp loại CĐCS": "xep_loai_cdcs",
    "Danh hiệu thi đua của tập thể": "danh_hieu_tap_the",
}
INDIVIDUAL_DROPDOWNS = {
    "Giới tính": "gioi_tinh", "Lãnh đạo, quản lý": "co_khong", "Danh hiệu thi đua": "danh_hieu_ca_nhan",
    "Xếp loại mức độ hoàn thành nhiệm vụ": "xep_loai_nhiem_vu", "Gia đình văn hóa": "co_khong",
    "Sáng kiến / đề tài được công nhận, cấp cao nhất": "sang_kien", "Bị kỷ luật trong năm học": "co_khong",
    "Giáo viên dạy giỏi, cấp cao nhất": "gv_gioi",
}


def _headers(sheet: Worksheet, row: int = 3) -> list[str]:
    return [str(c.value).removesuffix(" *") for c in sheet[row] if c.value is not None]


def _list_values(workbook: openpyxl.Workbook, formula: str) -> list[str]:
    """The values behind a list validation's source (a defined name on `_lists`)."""
    name = formula.lstrip("=")
    destinations = list(workbook.defined_names[name].destinations)
    assert len(destinations) == 1
    sheet_name, ref = destinations[0]
    return [cell.value for row in workbook[sheet_name][ref.replace("$", "")] for cell in row]


def _validations_by_column(sheet: Worksheet, header_row: int = 3) -> dict[str, object]:
    headers = {c.column_letter: str(c.value).removesuffix(" *") for c in sheet[header_row] if c.value}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            found[headers.get(letter, cell_range.coord)] = (validation, cell_range)
    return found


@pytest.fixture(scope="module")
def book(template_factory) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_factory("2018-2019"))


def test_written_where_the_spec_says(template_factory, tmp_path: Path) -> None:
    path = template_factory("2018-2019")
    assert path == template_path(path.parents[2], "2018-2019")
    assert path.name == "Mau_DienHinh_2018-2019.xlsx" and path.parent.name == "template"
    assert path.parents[1].name == "2018-2019"


def test_sheet_names_and_visibility(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    states = {sheet.title: sheet.sheet_state for sheet in book.worksheets}
    assert states == {**{name: "visible" for name in SHEETS[:5]}, "_meta": "hidden", "_lists": "hidden"}


def test_list_sheet_headers_are_the_spec_labels(book: openpyxl.Workbook) -> None:
    assert _headers(book["Tập thể"]) == [*COLLECTIVE_LABELS, "Cần sửa", "Số lỗi"]
    assert _headers(book["Cá nhân"]) == [*INDIVIDUAL_LABELS, "Cần sửa", "Số lỗi"]


def test_required_columns_are_marked(book: openpyxl.Workbook) -> None:
    raw = [c.value for c in book["Cá nhân"][3]]
    assert "Họ và tên *" in raw and "Tóm tắt thành tích *" in raw
    assert "Tập thể do mình đứng đầu (STT ở trang Tập thể) *" in raw  # required for leaders
    assert "Tập thể do mình đứng đầu (STT ở trang Tập thể)" not in raw


def test_unit_form_labels_and_prefilled_year(book: openpyxl.Workbook) -> None:
    sheet = book["Đơn vị"]
    labels = [str(sheet.cell(row, 1).value).removesuffix(" *") for row in range(5, 5 + len(UNIT_LABELS))]
    assert labels == UNIT_LABELS
    year_row = 5 + UNIT_LABELS.index("Năm học")
    assert sheet.cell(year_row, 2).value == "2018-2019"
    assert sheet.cell(year_row, 2).protection.locked is True


def test_report_form_covers_spec_4_3(book: openpyxl.Workbook) -> None:
    labels = [str(c.value) for c in book["Kết quả"]["A"][4:] if c.value]
    text = " | ".join(labels)
    for words in ("kế hoạch", "Ngày ban hành kế hoạch", "tập thể điển hình được phát hiện",
                  "cá nhân điển hình được lựa chọn", "bồi dưỡng", "nhân rộng", "biểu dương cấp đơn vị",
                  "biểu dương cấp ngành", "biểu dương cấp tỉnh trở lên", "buổi tuyên truyền", "tin, bài",
                  "Đánh giá chung", "Đề xuất, kiến nghị"):
        assert words in text


@pytest.mark.parametrize("year", ["2017-2018", "2018-2019", "2019-2020"])
def test_dropdowns_equal_that_years_label_sets(template_factory, config, year: str) -> None:
    workbook = openpyxl.load_workbook(template_factory(year))
    vocab = config.for_year(year).vocab
    for sheet_name, dropdowns in (("Tập thể", COLLECTIVE_DROPDOWNS), ("Cá nhân", INDIVIDUAL_DROPDOWNS)):
        validations = _validations_by_column(workbook[sheet_name])
        for label, vocab_name in dropdowns.items():
            validation, cell_range = validations[label]
            assert validation.type == "list"
            assert _list_values(workbook, validation.formula1) == vocab[vocab_name].labels, (sheet_name, label)
            assert cell_range.min_row == 4 and cell_range.max_row >= 203


def test_ethnic_group_is_suggested_not_imposed(book: openpyxl.Workbook, config) -> None:
    validation, _ = _validations_by_column(book["Cá nhân"])["Dân tộc"]
    assert validation.type == "list" and validation.errorStyle == "information"  # other groups can be typed
    assert _list_values(book, validation.formula1) == config.for_year("2018-2019").vocab["dan_toc"].labels
    assert _list_values(book, validation.formula1)[:2] == ["Kinh", "Mường"]


def test_rating_columns_offer_the_rating_scale(book: openpyxl.Workbook) -> None:
    validations = _validations_by_column(book["Tập thể"])
    values = _list_values(book, validations["Thực hiện quy chế dân chủ ở cơ sở"][0].formula1)
    assert values == ["Tốt", "Khá", "Trung bình", "Chưa thực hiện", "Không áp dụng"]


@pytest.mark.parametrize("year", ["2017-2018", "2018-2019", "2019-2020"])
def test_unit_codes_are_the_roster_units_valid_that_year(template_factory, config, year: str) -> None:
    workbook = openpyxl.load_workbook(template_factory(year))
    validation = next(v for v in workbook["Đơn vị"].data_validations.dataValidation if "B5" in str(v.sqref))
    codes = _list_values(workbook, validation.formula1)
    assert codes == list(config.for_year(year).units["ma_don_vi"])
    assert len(codes) == len(set(codes))


def test_merged_and_moved_units_follow_the_years(template_factory) -> None:
    def codes(year: str) -> list[str]:
        workbook = openpyxl.load_workbook(template_factory(year))
        return _list_values(workbook, "=ds_don_vi")

    def areas(year: str) -> list[str]:
        return _list_values(openpyxl.load_workbook(template_factory(year)), "=ds_dia_ban")

    # Primary 02101 and lower-secondary 02102 merged into TH&THCS 02103 from 2018-2019.
    assert "02101" in codes("2017-2018") and "02103" not in codes("2017-2018")
    assert "02101" not in codes("2018-2019") and "02103" in codes("2018-2019")
    # Kỳ Sơn joined TP Hòa Bình at the end of 2019: its units stay, the area goes.
    assert "Kỳ Sơn" in areas("2018-2019") and "Kỳ Sơn" not in areas("2019-2020")
    assert "03001" in codes("2019-2020")


def test_later_wording_appears_in_later_years(template_factory) -> None:
    old = _list_values(openpyxl.load_workbook(template_factory("2019-2020")), "=ds_xep_loai_nhiem_vu")
    new = _list_values(openpyxl.load_workbook(template_factory("2020-2021")), "=ds_xep_loai_nhiem_vu")
    assert "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực" in old
    assert "Hoàn thành nhiệm vụ" in new and "Hoàn thành nhiệm vụ nhưng còn hạn chế về năng lực" not in new
    cdcs = _list_values(openpyxl.load_workbook(template_factory("2020-2021")), "=ds_xep_loai_cdcs")
    assert cdcs[0] == "Hoàn thành xuất sắc nhiệm vụ"


def test_range_validation_with_vietnamese_messages(book: openpyxl.Workbook) -> None:
    validations = _validations_by_column(book["Cá nhân"])
    birth, _ = validations["Năm sinh"]
    assert birth.type == "whole" and birth.operator in (None, "between")  # OOXML default
    assert (int(birth.formula1), int(birth.formula2)) == (2018 - 70, 2018 - 18)
    assert birth.showErrorMessage and birth.errorStyle in (None, "stop")
    assert "1948" in birth.error and "2000" in birth.error and "số nguyên" in birth.error
    assert birth.prompt and birth.promptTitle == "Năm sinh"
    money, _ = _validations_by_column(book["Tập thể"])["Đóng góp các quỹ, hoạt động nhân đạo, từ thiện (nghìn đồng)"]
    assert money.type == "decimal" and float(money.formula1) == 0
    summary, _ = _validations_by_column(book["Tập thể"])["Tóm tắt thành tích"]
    assert summary.type == "textLength" and int(summary.formula1) == 2000


def test_only_data_cells_are_unlocked(book: openpyxl.Workbook) -> None:
    for name in SHEETS[:5]:
        assert book[name].protection.sheet is True, name
    sheet = book["Tập thể"]
    width = len(COLLECTIVE_LABELS)
    for row in (4, 100, 203):
        for col in range(1, width + 1):
            assert sheet.cell(row, col).protection.locked is False, (row, col)
        assert sheet.cell(row, width + 1).protection.locked is True  # Cần sửa (formula)
        assert sheet.cell(row, width + 2).protection.locked is True  # Số lỗi (formula)
    assert all(cell.protection.locked for cell in sheet[3])  # headers
    assert sheet.cell(204, 1).protection.locked is True  # beyond the formatted rows
    individuals = book["Cá nhân"]
    assert individuals.cell(303, 1).protection.locked is False
    unit = book["Đơn vị"]
    assert unit["B5"].protection.locked is False and unit["A5"].protection.locked is True
    assert unit["C5"].protection.locked is True and unit["B2"].protection.locked is True


def test_self_check_formulas_exist_and_no_macros(book: openpyxl.Workbook, template_factory) -> None:
    sheet = book["Cá nhân"]
    width = len(INDIVIDUAL_LABELS)
    assert str(sheet.cell(4, width + 1).value).startswith("=IF(COUNTA($A4:$R4)=0")
    assert sheet.cell(4, width + 2).value == '=LEN(S4)-LEN(SUBSTITUTE(S4,";",""))'
    assert str(book["Đơn vị"]["B2"].value).startswith("=SUM('Tập thể'!$W$4:$W$203)")
    assert sheet.conditional_formatting, "cells with problems are highlighted"
    with zipfile.ZipFile(template_factory("2018-2019")) as archive:
        assert not [n for n in archive.namelist() if "vba" in n.lower()]


def test_print_setup_is_a4_landscape_with_repeated_headers(book: openpyxl.Workbook) -> None:
    for name in SHEETS[:5]:
        setup = book[name].page_setup
        assert setup.orientation == "landscape", name
        assert int(setup.paperSize) == 9, name  # A4
        assert book[name].sheet_properties.pageSetUpPr.fitToPage, name
    assert book["Tập thể"].print_title_rows == "$3:$3"
    assert book["Cá nhân"].print_title_cols == "$A:$B"
    assert book["Tập thể"].freeze_panes == "C4"


def test_meta_identifies_the_template(book: openpyxl.Workbook, config) -> None:
    meta = {row[0].value: row[1].value for row in book["_meta"].iter_rows(min_row=2) if row[0].value}
    assert meta["mau_id"] == TEMPLATE_ID
    assert meta["phien_ban"] == TEMPLATE_VERSION
    assert meta["nam_hoc"] == "2018-2019"
    assert meta["cong_cu"] == __version__
    assert meta["cau_hinh_sha256"] == config.sha256
    generated = dt.datetime.fromisoformat(meta["tao_luc"])
    assert abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - generated) < dt.timedelta(hours=1)


def test_guide_summarises_the_criteria(book: openpyxl.Workbook, config) -> None:
    sheet = book["Hướng dẫn"]
    rows = [(r[1].value, r[2].value, r[3].value) for r in sheet.iter_rows(min_row=1) if r[3].value is not None
            and isinstance(r[3].value, (int, float))]
    criteria = config.for_year("2018-2019").criteria
    expected = [(g.name, c.name, c.points) for t in criteria.targets for g in t.groups for c in g.criteria]
    assert rows == expected
    assert sum(points for _, _, points in rows) == 300  # three targets of 100 points each


def test_self_check_messages_never_contain_the_separator(config) -> None:
    from pipeline.template.selfcheck import SEPARATOR, CheckContext, column_checks
    from schemas.submission import SHEET_MODELS, column_specs

    context = CheckContext("Có", "A", "B", "Không áp dụng", 2018, "X", "da_nhap")
    for model in SHEET_MODELS.values():
        for check in column_checks(column_specs(model), context, form=False):
            assert SEPARATOR not in check.message, check.message


def test_report_has_a_date_and_signature_lines_inside_its_print_area(template_factory) -> None:
    sheet = openpyxl.load_workbook(template_factory("2018-2019"))["Kết quả"]
    texts = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    for text in ("……………, ngày …… tháng …… năm 20……", "NGƯỜI LẬP BIỂU", "TM. BAN CHẤP HÀNH CÔNG ĐOÀN CƠ SỞ",
                 "CHỦ TỊCH", "(Ký, ghi rõ họ tên, đóng dấu)"):
        assert text in texts, text
    last = int(str(sheet.print_area).rsplit("$", 1)[1])
    assert texts["(Ký, ghi rõ họ tên, đóng dấu)"].row + 3 <= last  # room to sign, printed


def test_prompts_fit_excel_limits_and_end_at_a_word(template_factory) -> None:
    book = openpyxl.load_workbook(template_factory("2018-2019"))
    for sheet in book.worksheets:
        for validation in sheet.data_validations.dataValidation:
            for text, limit in ((validation.promptTitle, 32), (validation.prompt, 255), (validation.error, 255)):
                if text:
                    assert len(text) <= limit, (sheet.title, text)
                    assert not text.endswith(" ") and (len(text) < limit - 1 or text.endswith("…")), text


def test_no_cell_of_the_template_holds_a_number_as_text(template_factory) -> None:
    import re

    number = re.compile(r"-?\d[\d.,]*( ?%)?")
    book = openpyxl.load_workbook(template_factory("2018-2019"))
    for sheet in book.worksheets:
        if sheet.sheet_state == "visible":
            for row in sheet.iter_rows():
                for cell in row:
                    assert not (isinstance(cell.value, str) and number.fullmatch(cell.value)), (
                        sheet.title, cell.coordinate, cell.value)
