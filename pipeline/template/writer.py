"""Writing the school template `Mau_DienHinh_<năm học>.xlsx` (SPEC §4): the contract with schools.

Layout (read back by :mod:`pipeline.intake.read` by names and header labels, never by position):

* list sheets (`Tập thể`, `Cá nhân`): title in row 1, hint in row 2, header labels in row 3, data from
  row 4; two trailing columns of ours, ``Cần sửa`` (the row's problems) and ``Số lỗi``;
* form sheets (`Đơn vị`, `Kết quả`): header in row 4, then one field per row — label in A, value in B,
  problem in C, note in D; `Đơn vị` row 2 holds the status: the number of problems left in B2;
* hidden `_lists` (the dropdown lists, as defined names ``ds_<label set>``) and `_meta`.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import CellFormulaTuple, Worksheet

from pipeline import __version__
from pipeline.config.year import YearConfig
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.xlsx import FONT, NUMBER_FORMATS, PAPER_A4, new_workbook
from pipeline.template.selfcheck import (
    CheckContext,
    column_checks,
    problem_count_formula,
    problem_text_formula,
    render,
    year_check,
)
from pipeline.vi.collation import collation_key
from pipeline.vi.numbers import vi_bound, vi_number
from pipeline.vi.text import without_marks
from schemas.submission import (
    AGENCY_MODEL,
    NOT_APPLICABLE,
    SCHOOL_MODEL,
    SHEET_COLLECTIVES,
    SHEET_GUIDE,
    SHEET_INDIVIDUALS,
    SHEET_LISTS,
    SHEET_META,
    SHEET_REPORT,
    SHEET_UNIT,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    YES,
    CollectiveRow,
    IndividualRow,
    ReportForm,
    UnitForm,
    birth_year_range,
    column_specs,
)

LIST_HEADER_ROW = 3  # 1-based Excel row of the header labels on list sheets
LIST_ROWS = {SHEET_COLLECTIVES: 200, SHEET_INDIVIDUALS: 300}  # formatted empty rows (SPEC §4: ≥ 200)
FORM_HEADER_ROW = 4
SHEET_ORDER = (SHEET_GUIDE, SHEET_UNIT, SHEET_COLLECTIVES, SHEET_INDIVIDUALS, SHEET_REPORT, SHEET_META, SHEET_LISTS)
STATUS_CELL = "B2"  # on `Đơn vị`: number of problems left
STATUS_NAME = "so_loi_con_lai"
STARTED_NAME = "da_nhap"
PROBLEM_HEADER, COUNT_HEADER = "Cần sửa", "Số lỗi"
# Đơn vị fields the roster fills by formula from the chosen code (the school may still type over them).
FROM_ROSTER = {"ten_don_vi": "ds_don_vi_ten", "loai_don_vi": "ds_don_vi_loai", "cap_hoc": "ds_don_vi_cap_hoc",
               "dia_ban": "ds_don_vi_dia_ban"}


@dataclass(frozen=True)
class Fill:
    """Values to write into the template's data cells (sample submissions and test fixtures).

    Writing them through the template writer keeps fixtures and the template from drifting apart.
    """

    unit: Mapping[str, Any] = field(default_factory=dict)
    report: Mapping[str, Any] = field(default_factory=dict)
    collectives: Sequence[Mapping[str, Any]] = ()
    individuals: Sequence[Mapping[str, Any]] = ()
    meta: Mapping[str, str] = field(default_factory=dict)  # overrides of `_meta` values

    def rows(self, sheet: str) -> Sequence[Mapping[str, Any]]:
        """The filled rows of a list sheet."""
        return self.collectives if sheet == SHEET_COLLECTIVES else self.individuals


@functools.cache
def _sheet_keys(sheet: str) -> tuple[str, ...]:
    return tuple(column_specs({SHEET_COLLECTIVES: CollectiveRow, SHEET_INDIVIDUALS: IndividualRow, SHEET_UNIT: UnitForm,
                               SHEET_REPORT: ReportForm}[sheet]))


def list_cell(sheet: str, key: str, index: int) -> str:
    """The cell of ``key`` in the ``index``-th data row of a list sheet of the template."""
    return f"{xl_col_to_name(_sheet_keys(sheet).index(key))}{LIST_HEADER_ROW + 1 + index}"


def form_cell(sheet: str, key: str) -> str:
    """The value cell of ``key`` on a form sheet of the template."""
    return f"B{FORM_HEADER_ROW + 1 + _sheet_keys(sheet).index(key)}"


# Roster units one template lists in its code dropdown. A province (~700 units) gets one template; a larger body
# (a national year: ~50,000 schools) gets one per area (địa bàn), each listing its own units: a dropdown of
# thousands helps no school, and every school's file — and every run reading them all — would carry the whole roster.
ONE_TEMPLATE_UP_TO = 1500


@dataclass(frozen=True)
class TemplateFile:
    """One template written by `make template`: the whole roster's, or one area's."""

    path: Path
    area: str | None  # None: every unit of the roster
    units: int  # units in its dropdown


def template_areas(year: YearConfig) -> list[str | None]:
    """``[None]`` (one template for the whole roster), or the roster's areas, one template each."""
    if len(year.units) <= ONE_TEMPLATE_UP_TO:
        return [None]
    return sorted({str(area) for area in year.units["dia_ban"]}, key=collation_key)


def template_units(year: YearConfig, area: str | None) -> pd.DataFrame:
    """The roster units a template lists: all of them, or those of one area."""
    return year.units if area is None else year.units[year.units["dia_ban"].astype(str) == area]


def template_path(outbox: Path, school_year: str, area: str | None = None) -> Path:
    """Where `make template` writes the workbook for ``school_year`` (and ``area``, when there is one per area)."""
    tail = f"_{ascii_slug(area)}" if area else ""
    return outbox / school_year / "template" / f"Mau_DienHinh_{school_year}{tail}.xlsx"


def ascii_slug(text: str) -> str:
    """A file-name part without diacritics or spaces: "TP Hòa Bình" → "TP_Hoa_Binh"."""
    return "_".join(re.findall(r"[0-9A-Za-z]+", without_marks(text))) or "khac"


def build_templates(year: YearConfig, outbox: Path) -> list[TemplateFile]:
    """Write the templates of the school year into the outbox (atomically): one, or one per area
    (:data:`ONE_TEMPLATE_UP_TO`)."""
    written: list[TemplateFile] = []
    taken: set[str] = set()
    for area in template_areas(year):
        target = template_path(outbox, year.school_year, area)
        if target.name.casefold() in taken:  # two areas that differ only by diacritics
            target = target.with_name(f"{target.stem}_{len(taken) + 1}{target.suffix}")
        taken.add(target.name.casefold())
        with atomic_path(target) as temporary:
            write_template(year, temporary, area=area)
        written.append(TemplateFile(target, area, len(template_units(year, area))))
    return written


def generated_at() -> dt.datetime:
    """Now (UTC, whole seconds), or SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0, tzinfo=None)


def write_template(year: YearConfig, path: Path, fill: Fill | None = None, *,
                   generated: dt.datetime | None = None, saved: dt.datetime | None = None,
                   area: str | None = None) -> None:
    """Write the template workbook to ``path``, optionally with values in its data cells.

    Args:
        year: the school year's configuration (label sets, units, criteria).
        area: the area whose units the code dropdown lists (None: the whole roster), see :func:`template_areas`.
        generated: the moment written in `_meta` (default: :func:`generated_at`).
        saved: the last-saved time in the document properties (UTC; default: ``generated``) — a filled
            sample carries the moment its school would have saved it.
    """
    fill = fill or Fill()
    generated = generated or generated_at()
    workbook = new_workbook(path, f"Biểu mẫu điển hình tiên tiến năm học {year.school_year}", created=saved or generated,
                            subject="Đề nghị biểu dương điển hình tiên tiến và báo cáo kết quả thực hiện",
                            comments=f"{TEMPLATE_ID} {TEMPLATE_VERSION}")
    workbook.set_size(1400, 900)
    styles = _Styles(workbook)
    sheets = {name: workbook.add_worksheet(name, worksheet_class=_Worksheet) for name in SHEET_ORDER}
    _write_lists(workbook, sheets[SHEET_LISTS], year, template_units(year, area))
    context = CheckContext(
        yes=year.vocab["co_khong"].label_of(YES),
        school_model=year.vocab["loai_mo_hinh"].label_of(SCHOOL_MODEL),
        agency_model=year.vocab["loai_mo_hinh"].label_of(AGENCY_MODEL),
        not_applicable=year.vocab["muc_do"].label_of(NOT_APPLICABLE),
        year_start=year.start,
        collective_stt=_column_ref(SHEET_COLLECTIVES, 0, LIST_ROWS[SHEET_COLLECTIVES]),
        started=STARTED_NAME,
        dates=year.document_dates,
    )
    _write_guide(sheets[SHEET_GUIDE], year, styles, area)
    problem_cells = [
        _write_list_sheet(sheets[SHEET_COLLECTIVES], SHEET_COLLECTIVES, column_specs(CollectiveRow), year,
                          context, styles, fill,
                          "DANH SÁCH TẬP THỂ ĐỀ NGHỊ BIỂU DƯƠNG ĐIỂN HÌNH TIÊN TIẾN",
                          "Mỗi dòng một tập thể. Cột có dấu * là bắt buộc; ô có mũi tên: chọn trong danh sách. "
                          "Cột Cần sửa cho biết lỗi của dòng; sửa đến khi trống."),
        _write_list_sheet(sheets[SHEET_INDIVIDUALS], SHEET_INDIVIDUALS, column_specs(IndividualRow), year,
                          context, styles, fill,
                          "DANH SÁCH CÁ NHÂN ĐỀ NGHỊ BIỂU DƯƠNG ĐIỂN HÌNH TIÊN TIẾN",
                          "Mỗi dòng một người. Người lãnh đạo, quản lý ghi STT của tập thể do mình đứng đầu "
                          "(trang Tập thể). Cột có dấu * là bắt buộc."),
    ]
    problem_cells += _write_form(sheets[SHEET_UNIT], SHEET_UNIT, column_specs(UnitForm), year, context, styles,
                                 "THÔNG TIN ĐƠN VỊ", fill.unit, unit_form=True)
    problem_cells += _write_form(sheets[SHEET_REPORT], SHEET_REPORT, column_specs(ReportForm), year, context,
                                 styles, "BÁO CÁO KẾT QUẢ XÂY DỰNG VÀ NHÂN RỘNG ĐIỂN HÌNH TIÊN TIẾN",
                                 fill.report, unit_form=False)
    _write_status(workbook, sheets[SHEET_UNIT], problem_cells, styles)
    _write_meta(sheets[SHEET_META], year, fill.meta, generated)
    for name in (SHEET_META, SHEET_LISTS):
        sheets[name].hide()
    sheets[SHEET_GUIDE].activate()
    workbook.close()


class _Worksheet(Worksheet):
    """A worksheet that skips xlsxwriter's future-function rewriting of formulas.

    xlsxwriter runs ~30 regular expressions over every formula to add ``_xlfn.`` prefixes to functions
    newer than Excel 2007, and one more to send dynamic-array functions (FILTER, SORT, UNIQUE…) to their own
    writer; the self-check formulas use none of them, and the checks cost a second per workbook (80 % of the
    write time, then the last 15 %), which matters when generating hundreds of sample submissions.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula

    def _write_formula(self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0) -> int:
        if self._check_dimensions(row, col):
            return -1
        self.table[row][col] = CellFormulaTuple(self._prepare_formula(formula), cell_format, value)
        return 0


class _Styles:
    """The workbook's formats, created once."""

    def __init__(self, workbook: Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        self.title = workbook.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.hint = workbook.add_format({**base, "italic": True, "font_color": "#595959", "text_wrap": True})
        self.title_left = workbook.add_format({**base, "bold": True, "font_size": 14})
        self.hint_left = workbook.add_format({**base, "italic": True, "font_color": "#595959"})
        self.header = workbook.add_format({**base, "bold": True, "text_wrap": True, "align": "center",
                                           "border": 1, "bg_color": "#DDEBF7"})
        self.ours = workbook.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "border": 1,
                                         "bg_color": "#F2F2F2"})
        self.label = workbook.add_format({**base, "text_wrap": True, "border": 1})
        self.problem = workbook.add_format({**base, "font_color": "#C00000", "text_wrap": True, "border": 1})
        self.count = workbook.add_format({**base, "align": "center", "border": 1, "font_color": "#C00000",
                                          "num_format": "0;-0;;@"})  # a blank row shows no 0
        self.note = workbook.add_format({**base, "italic": True, "font_color": "#595959", "text_wrap": True,
                                         "border": 1})
        self.plain = workbook.add_format(base)
        self.sign = workbook.add_format({**base, "bold": True, "align": "center"})
        self.sign_note = workbook.add_format({**base, "italic": True, "align": "center"})
        self.bold = workbook.add_format({**base, "bold": True})
        self.wrap = workbook.add_format({**base, "text_wrap": True, "valign": "top"})
        self.table = workbook.add_format({**base, "text_wrap": True, "border": 1, "valign": "top"})
        self.table_center = workbook.add_format({**base, "border": 1, "align": "center", "valign": "top"})
        self.status = workbook.add_format({**base, "bold": True, "font_size": 12, "font_color": "#C00000",
                                           "align": "center", "border": 2})
        self.status_text = workbook.add_format({**base, "bold": True, "font_size": 12})
        self.bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
        self.row_border = workbook.add_format({"border": 1})
        self.locked_value = workbook.add_format({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2",
                                                 "num_format": "@"})
        entry = {**base, "border": 1, "locked": False, "bg_color": "#FFFDE7"}
        self.entry = {kind: workbook.add_format({**entry, **props}) for kind, props in ENTRY_KINDS.items()}
        # List rows: no border or fill of their own (a row that shows nothing is empty to the printer, so blank
        # rows print no pages); borders come by conditional format once a row is typed in.
        plain_entry = {**base, "locked": False}
        self.list_entry = {kind: workbook.add_format({**plain_entry, **{k: v for k, v in props.items()
                                                                         if k in ("num_format", "align",
                                                                                  "text_wrap")}})
                           for kind, props in ENTRY_KINDS.items()}


ENTRY_KINDS: dict[str, dict[str, Any]] = {  # the number format and alignment of each kind of input cell
    "text": {"num_format": "@", "text_wrap": True},
    "code": {"num_format": "@"},
    "enum": {"num_format": "@", "text_wrap": True},
    "year": {"num_format": "@"},
    "int": {"num_format": NUMBER_FORMATS["integer"], "align": "center"},
    "birth_year": {"num_format": "0", "align": "center"},
    "stt": {"num_format": "0", "align": "center"},
    "number": {"num_format": NUMBER_FORMATS["number"]},
    "date": {"num_format": "dd/mm/yyyy", "align": "center"},
}


def _label(meta: Mapping[str, Any]) -> str:
    """Header text: the label, with * when required in some case."""
    return f"{meta['label']} *" if meta.get("required") else str(meta["label"])


def _column_ref(sheet: str, col: int, rows: int) -> str:
    """Absolute reference to the data cells of one column of a list sheet."""
    first = LIST_HEADER_ROW  # 0-based index of the first data row
    return (f"{quote_sheetname(sheet)}!${xl_col_to_name(col)}${first + 1}:"
            f"${xl_col_to_name(col)}${first + rows}")


def _write_lists(workbook: Workbook, sheet: Worksheet, year: YearConfig, units: pd.DataFrame) -> None:
    """`_lists`: one column per dropdown, each a defined name ``ds_<name>``; ``units`` fill the code's."""
    columns: dict[str, list[str]] = {name: label_set.labels for name, label_set in sorted(year.vocab.items())}
    columns["don_vi"] = list(units["ma_don_vi"])
    columns["don_vi_ten"] = list(units["ten_don_vi"])
    columns["don_vi_loai"] = list(units["loai_don_vi"])
    columns["don_vi_cap_hoc"] = list(units["cap_hoc"])
    columns["don_vi_dia_ban"] = list(units["dia_ban"])
    for col, (name, values) in enumerate(columns.items()):
        sheet.write_string(0, col, name)
        for row, value in enumerate(values, start=1):
            sheet.write_string(row, col, str(value))
        last = max(len(values), 1)
        workbook.define_name(f"ds_{name}", f"={quote_sheetname(SHEET_LISTS)}!${xl_col_to_name(col)}$2:"
                                           f"${xl_col_to_name(col)}${last + 1}")


def _fit(text: str, limit: int) -> str:
    """``text`` within Excel's limit for an input prompt (title 32, message 255 characters), cut at a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}…"


def _validation(meta: Mapping[str, Any], context: CheckContext) -> dict[str, Any]:
    """The data validation of one column: dropdown or range, with Vietnamese messages."""
    name = str(meta.get("short") or meta["label"])
    title = _fit(name, 32)
    hint = str(meta.get("hint") or "")
    kind = meta["kind"]
    if kind in ("enum", "code") and meta.get("vocab"):
        return {"validate": "list", "source": f"=ds_{meta['vocab']}", "input_title": title,
                "input_message": _fit(hint or "Chọn trong danh sách (bấm mũi tên bên phải ô).", 255),
                "error_title": "Giá trị không có trong danh sách",
                "error_message": _fit(f"{name}: hãy chọn một giá trị trong danh sách của ô.", 255)}
    if kind in ("int", "stt", "number"):
        if meta.get("birth_year"):
            low, high = birth_year_range(context.year_start)
        else:
            low, high = meta.get("min", 0), meta.get("max", 10**9)
        what = "số" if kind == "number" else "số nguyên"
        year_bound = bool(meta.get("birth_year"))
        text = f"Nhập {what} từ {vi_bound(low, year=year_bound)} đến {vi_bound(high, year=year_bound)}."
        return {"validate": "decimal" if kind == "number" else "integer", "criteria": "between",
                "minimum": low, "maximum": high, "input_title": title,
                "input_message": _fit(f"{hint} {text}".strip(), 255),
                "error_title": "Số không hợp lệ",
                "error_message": _fit(f"{name}: {text[0].lower()}{text[1:]}", 255)}
    if kind == "date":
        first, last = context.document_dates if meta.get("in_school_year") else (dt.date(2000, 1, 1),
                                                                                 dt.date(2100, 12, 31))
        span = f" từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}" if meta.get("in_school_year") else ""
        return {"validate": "date", "criteria": "between", "minimum": first, "maximum": last, "input_title": title,
                "input_message": _fit(hint or f"Nhập ngày dạng ngày/tháng/năm{span}, ví dụ {last:%d/%m/%Y}.", 255),
                "error_title": "Ngày không hợp lệ",
                "error_message": _fit(f"{name}: cần một ngày dạng ngày/tháng/năm{span}.", 255)}
    if meta.get("suggest"):
        return {"validate": "list", "source": f"=ds_{meta['suggest']}", "error_type": "information",
                "input_title": title, "input_message": _fit(hint, 255), "error_title": "Giá trị ngoài danh sách",
                "error_message": _fit(f"{name}: giá trị này không có trong danh sách gợi ý; bấm OK để giữ nguyên.",
                                      255)}
    if meta.get("max_len"):
        return {"validate": "length", "criteria": "<=", "value": meta["max_len"], "input_title": title,
                "input_message": _fit(hint or f"Tối đa {vi_number(meta['max_len'])} ký tự.", 255),
                "error_title": "Quá dài",
                "error_message": _fit(f"{name}: tối đa {vi_number(meta['max_len'])} ký tự.", 255)}
    return {"validate": "any", "input_title": title, "input_message": _fit(hint, 255)} if hint else {}


def _write_entry(sheet: Worksheet, row: int, col: int, value: Any, fmt: Any) -> None:
    """One data cell: blank, or a value written with the writer of its type (text never as a formula)."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _write_list_sheet(sheet: Worksheet, sheet_name: str, specs: Mapping[str, Mapping[str, Any]],
                      year: YearConfig, context: CheckContext, styles: _Styles, fill: Fill, title: str,
                      hint: str) -> str:
    """A list sheet with its self-checks; returns the reference of its problem-count cells."""
    rows = LIST_ROWS[sheet_name]
    keys = list(specs)
    letters = {key: xl_col_to_name(i) for i, key in enumerate(keys)}
    last = len(keys) - 1
    problem_col, count_col = last + 1, last + 2
    first, end = LIST_HEADER_ROW, LIST_HEADER_ROW + rows - 1  # 0-based data rows
    # Title and hint overflow to the right from A1/A2 (not merged: the sheet prints two pages wide).
    sheet.write_string(0, 0, f"{title} — NĂM HỌC {year.school_year}", styles.title_left)
    sheet.write_string(1, 0, hint, styles.hint_left)
    sheet.set_row(0, 24)
    sheet.set_row(first - 1, 96)
    for col, key in enumerate(keys):
        meta = specs[key]
        if meta.get("suggest") not in (None, *year.vocab):  # no suggestion list this year: plain text
            meta = {k: v for k, v in meta.items() if k != "suggest"}
        sheet.write_string(first - 1, col, _label(meta), styles.header)
        sheet.set_column(col, col, meta.get("width", 14))
        entry = styles.list_entry["birth_year" if meta.get("birth_year") else meta["kind"]]
        filled = fill.rows(sheet_name)
        for row in range(first, end + 1):
            offset = row - first
            _write_entry(sheet, row, col, filled[offset].get(key) if offset < len(filled) else None, entry)
        validation = _validation(meta, context)
        if validation:
            sheet.data_validation(first, col, end, col, validation)
    sheet.write_string(first - 1, problem_col, PROBLEM_HEADER, styles.ours)
    sheet.write_string(first - 1, count_col, COUNT_HEADER, styles.ours)
    sheet.set_column(problem_col, problem_col, 30)
    sheet.set_column(count_col, count_col, 7)

    checks = column_checks(specs, context, form=False)
    stt_column = _column_ref(sheet_name, keys.index("stt"), rows).split("!")[1]
    for row in range(first, end + 1):
        excel_row = row + 1
        parts = [(render(check.condition, f"{letters[check.key]}{excel_row}", letters, excel_row, stt_column),
                  check.message) for check in checks]
        row_range = f"$A{excel_row}:${letters[keys[-1]]}{excel_row}"
        text_cell = xl_rowcol_to_cell(row, problem_col)
        sheet.write_formula(row, problem_col, problem_text_formula(parts, row_range), styles.problem, "")
        sheet.write_formula(row, count_col, problem_count_formula(text_cell), styles.count, 0)
    # Highlight each cell with a problem while the school types.
    top = first + 1
    for key in keys:
        conditions = [render(c.condition, f"{letters[key]}{top}", letters, top, stt_column)
                      for c in checks if c.key == key]
        if conditions:
            started = f"COUNTA($A{top}:${letters[keys[-1]]}{top})>0"
            ors = ",".join(f"IFERROR({c},TRUE)" for c in conditions)
            sheet.conditional_format(first, keys.index(key), end, keys.index(key), {
                "type": "formula", "criteria": f"=AND({started},OR({ors}))", "format": styles.bad})
    # after the highlights (LibreOffice applies the first matching rule of overlapping ranges)
    sheet.conditional_format(first, 0, end, last, {"type": "formula", "format": styles.row_border,
                                                   "criteria": f"=COUNTA($A{top}:${letters[keys[-1]]}{top})>0"})
    sheet.freeze_panes(first, 2)
    sheet.autofilter(first - 1, 0, end, count_col)
    # The print area: the school's columns (not our check columns); pages without a typed row are not printed.
    _print_setup(sheet, end, last, repeat_to=first - 1, pages_wide=2)
    sheet.protect("", _PROTECTION)
    return (f"{quote_sheetname(sheet_name)}!${xl_col_to_name(count_col)}${first + 1}:"
            f"${xl_col_to_name(count_col)}${end + 1}")


def _write_form(sheet: Worksheet, sheet_name: str, specs: Mapping[str, Mapping[str, Any]],
                year: YearConfig, context: CheckContext, styles: _Styles, title: str,
                values: Mapping[str, Any], *, unit_form: bool) -> list[str]:
    """A label/value form; returns the references of its problem counts."""
    sheet.merge_range(0, 0, 0, 3, title, styles.title)
    header = FORM_HEADER_ROW - 1
    for col, (text, width) in enumerate([("Nội dung", 46), ("Giá trị", 36), (PROBLEM_HEADER, 34),
                                         ("Ghi chú", 40)]):
        sheet.write_string(header, col, text, styles.header)
        sheet.set_column(col, col, width)
    sheet.write_string(header, 4, COUNT_HEADER, styles.ours)
    sheet.set_column(4, 4, 7, None, {"hidden": True})
    if not unit_form:
        sheet.merge_range(1, 0, 1, 3, "Số liệu trong năm học; ô để trống được hiểu là 0. Nhập ở cột Giá trị.",
                          styles.hint)
    checks = column_checks(specs, context, form=True)
    count_cells = []
    for index, (key, meta) in enumerate(specs.items()):
        row = header + 1 + index
        cell = f"B{row + 1}"
        sheet.write_string(row, 0, _label(meta), styles.label)
        if meta.get("max_len"):
            sheet.set_row(row, 75)  # free text: room for a paragraph
        if key == "nam_hoc":
            sheet.write_string(row, 1, str(values.get(key, year.school_year)), styles.locked_value)
            check = year_check(year.school_year)
            conditions = [(render(check.condition, cell, {}, row + 1), check.message)]
        else:
            if unit_form and key in FROM_ROSTER and values.get(key) is None:
                # filled from the roster once the code is chosen; a value given (a fixture's school typing
                # over it) is written as the value, as the school's program would save it
                code = f"$B${header + 2 + list(specs).index(UnitForm.ma_don_vi)}"
                sheet.write_formula(row, 1, f'=IF(LEN(TRIM({code}))=0,"",IFERROR(INDEX({FROM_ROSTER[key]},'
                                            f'MATCH(TRIM({code}),ds_don_vi,0)),""))', styles.entry[meta["kind"]],
                                    "")
            else:
                _write_entry(sheet, row, 1, values.get(key), styles.entry[meta["kind"]])
            validation = _validation(meta, context)
            if validation:
                sheet.data_validation(row, 1, row, 1, validation)
            conditions = [(render(c.condition, cell, {}, row + 1), c.message) for c in checks if c.key == key]
        text = problem_text_formula(conditions, None) if conditions else '=""'
        sheet.write_formula(row, 2, text, styles.problem, "")
        sheet.write_formula(row, 4, problem_count_formula(f"C{row + 1}"), styles.count, 0)
        note = _form_note(key, meta, cell)
        if note.startswith("="):
            sheet.write_formula(row, 3, note, styles.note, "")
        else:
            sheet.write_string(row, 3, note, styles.note)
        if conditions:
            ors = ",".join(f"IFERROR({c},TRUE)" for c, _ in conditions)
            sheet.conditional_format(row, 1, row, 1, {"type": "formula", "criteria": f"=OR({ors})",
                                                      "format": styles.bad})
        count_cells.append(f"{quote_sheetname(sheet_name)}!$E${row + 1}")
    last_row = header + len(specs)
    if not unit_form:  # the report is signed: date, the one who made it, the union's chairman and its seal
        sign = last_row + 2
        sheet.merge_range(sign, 2, sign, 3, "……………, ngày …… tháng …… năm 20……", styles.sign_note)
        sheet.write_string(sign + 1, 0, "NGƯỜI LẬP BIỂU", styles.sign)
        sheet.merge_range(sign + 1, 2, sign + 1, 3, "TM. BAN CHẤP HÀNH CÔNG ĐOÀN CƠ SỞ", styles.sign)
        sheet.write_string(sign + 2, 0, "(Ký, ghi rõ họ tên)", styles.sign_note)
        sheet.merge_range(sign + 2, 2, sign + 2, 3, "CHỦ TỊCH", styles.sign)
        sheet.merge_range(sign + 3, 2, sign + 3, 3, "(Ký, ghi rõ họ tên, đóng dấu)", styles.sign_note)
        last_row = sign + 8  # room to sign
    sheet.set_row(0, 24)
    _print_setup(sheet, last_row, 3, repeat_to=None)
    sheet.protect("", _PROTECTION)
    return [f"{quote_sheetname(sheet_name)}!$E${header + 2}:$E${last_row + 1}"]


def _form_note(key: str, meta: Mapping[str, Any], cell: str) -> str:
    """Column D of a form: the roster's record for the chosen code, or the field's hint."""
    if key == "ma_don_vi":
        return (f'=IF(LEN(TRIM({cell}))=0,"Chọn mã; tên theo danh mục sẽ hiện ở đây",'
                f'IFERROR("Theo danh mục: "&INDEX(ds_don_vi_ten,MATCH(TRIM({cell}),ds_don_vi,0))&" — "'
                f'&INDEX(ds_don_vi_cap_hoc,MATCH(TRIM({cell}),ds_don_vi,0))&", "'
                f'&INDEX(ds_don_vi_dia_ban,MATCH(TRIM({cell}),ds_don_vi,0)),"Mã không có trong danh mục"))')
    return str(meta.get("hint") or "")


def _write_status(workbook: Workbook, sheet: Worksheet, count_ranges: list[str], styles: _Styles) -> None:
    """`Đơn vị` row 2: how many problems remain, and whether the workbook is in use at all."""
    total = "+".join(f"SUM({ref})" for ref in count_ranges)
    sheet.write_string(1, 0, "Số lỗi còn phải sửa trong biểu mẫu:", styles.status_text)
    sheet.write_formula(1, 1, f"={total}", styles.status, 0)
    sheet.write_formula(1, 2, f'=IF({STATUS_NAME}>0,"Còn lỗi: xem cột {PROBLEM_HEADER} ở các trang",'
                              f'IF({STARTED_NAME},"Không còn lỗi — có thể gửi","Chưa nhập dữ liệu"))',
                        styles.status_text, "Chưa nhập dữ liệu")
    sheet.set_row(1, 24)
    workbook.define_name(STATUS_NAME, f"={quote_sheetname(SHEET_UNIT)}!$B$2")
    # In use once anything is typed on the unit form or on a list sheet (the year is pre-filled).
    unit_inputs = f"{quote_sheetname(SHEET_UNIT)}!$B${FORM_HEADER_ROW + 1}:$B${FORM_HEADER_ROW + 30}"
    lists = [f"{quote_sheetname(name)}!$A${LIST_HEADER_ROW + 1}:${xl_col_to_name(len(column_specs(model)) - 1)}"
             f"${LIST_HEADER_ROW + rows}"
             for (name, rows), model in zip(LIST_ROWS.items(), (CollectiveRow, IndividualRow))]
    report = f"{quote_sheetname(SHEET_REPORT)}!$B${FORM_HEADER_ROW + 1}:$B${FORM_HEADER_ROW + 30}"
    # (LEN, not COUNTA: the roster-filled cells hold formulas, which COUNTA counts even while they show nothing)
    workbook.define_name(STARTED_NAME, f"=(SUMPRODUCT(--(LEN({unit_inputs})>0))-1+COUNTA({lists[0]})+COUNTA({lists[1]})"
                                       f"+COUNTA({report}))>0")


_PROTECTION = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_columns": True,
    "format_rows": True,
    "autofilter": True,
    "sort": False,
    "insert_rows": False,
    "delete_rows": False,
    "objects": True,
}


def _print_setup(sheet: Worksheet, last_row: int, last_col: int, *, repeat_to: int | None,
                 pages_wide: int = 1) -> None:
    """A4 landscape, ``pages_wide`` pages wide, header rows repeated, page numbers in the footer.

    Wide list sheets print two pages wide, STT and name repeated on each, so that text stays ≥ 8 pt.
    """
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    sheet.fit_to_pages(pages_wide, 0)
    if pages_wide > 1:
        sheet.repeat_columns(0, 1)
        sheet.print_across()  # page 1 then its right half, before the next rows
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()
    sheet.print_area(0, 0, last_row, last_col)
    if repeat_to is not None:
        sheet.repeat_rows(repeat_to, repeat_to)
    sheet.set_footer("&L&8Biểu mẫu điển hình tiên tiến&R&8Trang &P/&N")


def _write_guide(sheet: Worksheet, year: YearConfig, styles: _Styles, area: str | None = None) -> None:
    """`Hướng dẫn`: how to fill the workbook in, and the criteria summarised."""
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 1, 44)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 3, 10)
    sheet.merge_range(0, 0, 0, 3, f"HƯỚNG DẪN ĐIỀN BIỂU MẪU ĐIỂN HÌNH TIÊN TIẾN — NĂM HỌC {year.school_year}",
                      styles.title)
    steps = [
        ("1", "Trang Đơn vị", "Chọn Mã đơn vị trong danh sách (tên theo danh mục hiện ở cột Ghi chú), rồi điền "
                              "các ô màu vàng nhạt. Năm học đã ghi sẵn, không sửa."
                              + (f" Biểu mẫu này dành cho các đơn vị thuộc địa bàn {area}: danh sách chỉ có các đơn "
                                 "vị đó." if area else "")),
        ("2", "Trang Tập thể", "Mỗi dòng một tập thể đề nghị biểu dương; ghi STT 1, 2, 3… Với công đoàn trường học "
                               "phải ghi số học sinh, số giáo viên (đếm người, không ghi tỷ lệ %)."),
        ("3", "Trang Cá nhân", "Mỗi dòng một người. Người lãnh đạo, quản lý ghi STT của tập thể do mình đứng đầu "
                               "ở trang Tập thể; tập thể đó cũng phải được đề nghị."),
        ("4", "Trang Kết quả", "Báo cáo kết quả thực hiện kế hoạch xây dựng, nhân rộng điển hình trong năm học."),
        ("5", "Kiểm tra", "Ô có lỗi được tô đỏ; cột Cần sửa nói rõ lỗi. Ô B2 trang Đơn vị đếm số lỗi còn lại: "
                          "sửa đến khi bằng 0 rồi gửi tệp cho Công đoàn ngành."),
        ("6", "Lưu ý", "Không đổi tên trang, không xóa hay chèn cột, không sửa dòng tiêu đề. Có thể dán chữ từ Word "
                       "(chọn Dán giá trị). Nộp lại tệp mới thì tệp có Ngày lập mới nhất được dùng."),
    ]
    sheet.write_string(2, 0, "TT", styles.header)
    sheet.write_string(2, 1, "Bước", styles.header)
    sheet.merge_range(2, 2, 2, 3, "Cách làm", styles.header)
    for i, (number, step, how) in enumerate(steps, start=3):
        sheet.write_number(i, 0, int(number), styles.table_center)  # a number, not text
        sheet.write_string(i, 1, step, styles.table)
        sheet.merge_range(i, 2, i, 3, how, styles.table)
        sheet.set_row(i, 32 if len(how) < 160 else 46)  # the area's template says whose units it lists
    row = 3 + len(steps) + 1
    students = year.vocab.get("ket_qua_hoc_sinh")
    if students is not None:
        counted = [level.label for level in students.levels if level.flags.get("kha_gioi")]
        sheet.merge_range(row, 0, row, 3, "Học sinh khá, giỏi gồm: " + "; ".join(counted) + ".", styles.wrap)
        sheet.set_row(row, 32)
        row += 2
    sheet.merge_range(row, 0, row, 3, "TIÊU CHÍ CHẤM ĐIỂM (tóm tắt; điểm tối đa 100)", styles.bold)
    row += 1
    criteria = year.criteria
    for target in criteria.targets:
        gates = "; ".join(g.reason for g in target.gates)
        sheet.merge_range(row, 0, row, 3, f"{target.name} — không xét nếu: {gates}.", styles.bold)
        sheet.set_row(row, 30)
        row += 1
        for group in target.groups:
            for crit in group.criteria:
                sheet.write_string(row, 0, "", styles.table)
                sheet.write_string(row, 1, group.name, styles.table)
                sheet.write_string(row, 2, crit.name, styles.table)
                sheet.write_number(row, 3, crit.points, styles.table_center)
                row += 1
    rating = ", ".join(f"{level} {percent:g}%" for level, percent in criteria.rating_percent.items())
    closing = (f"Mức độ thực hiện được tính: {rating} số điểm của tiêu chí; tiêu chí Không áp dụng không tính. "
               f"Điển hình toàn diện: từ {criteria.comprehensive_score:g} điểm và mọi nhóm đạt từ "
               f"{criteria.comprehensive_group:g}%. Điển hình trên lĩnh vực: từ {criteria.field_score:g} điểm và "
               f"có nhóm đạt từ {criteria.field_group:g}%.")
    sheet.merge_range(row + 1, 0, row + 1, 3, closing, styles.wrap)
    sheet.set_row(row + 1, 48)
    _print_setup(sheet, row + 1, 3, repeat_to=None)
    sheet.protect("", _PROTECTION)


def _write_meta(sheet: Worksheet, year: YearConfig, overrides: Mapping[str, str], generated: dt.datetime
                ) -> None:
    """`_meta`: what identifies this template (checked when a file comes back)."""
    rows = [
        ("mau_id", TEMPLATE_ID, "Mã biểu mẫu"),
        ("phien_ban", TEMPLATE_VERSION, "Phiên bản biểu mẫu"),
        ("nam_hoc", year.school_year, "Năm học"),
        ("tao_luc", generated.strftime("%Y-%m-%dT%H:%M:%S"), "Thời điểm tạo (UTC)"),
        ("cong_cu", __version__, "Phiên bản chương trình"),
        ("cau_hinh_sha256", year.config_sha256, "Mã băm cấu hình"),
    ]
    sheet.write_row(0, 0, ["khoa", "gia_tri", "mo_ta"])
    for r, (key, value, description) in enumerate(rows, start=1):
        for c, text in enumerate((key, overrides.get(key, value), description)):
            sheet.write_string(r, c, text)
    sheet.protect("", _PROTECTION)
