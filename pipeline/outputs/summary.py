"""Writing ``TongHop_DienHinh_<năm học>.xlsx``, the consolidated workbook (SPEC §7, §10).

Layout only: every figure comes from :class:`pipeline.consolidate.Consolidation`. `Tổng quan` and
`Đề nghị biểu dương` are documents (official header, A4, signature); the other sheets are tables with
one header row so that the level above can read them by program.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline import __version__
from pipeline.config.criteria import Criteria
from pipeline.config.year import Settings, YearConfig
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.document import DocumentSheet, DocumentStyles, Grid, lines_of, rows_height
from pipeline.outputs.official import FONT, LIST, REPORT, SIZE, Page, PageFill
from pipeline.outputs.xlsx import (
    Formats,
    add_streamed_worksheet,
    new_workbook,
    print_landscape,
    row_height,
    text_lines,
    write_meta,
    write_table,
    write_value,
)
from pipeline.scoring.consolidate import Consolidation, proposal_form
from pipeline.vi.numbers import vi_number
from schemas.consolidated import (
    DETAIL_HEAD,
    DETAIL_TAIL,
    KIND_CONSOLIDATED,
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_REPORTS,
    SHEET_SUBMISSIONS,
    SUBMISSION_COLUMNS,
    report_columns,
)
from schemas.rules import SEVERITY_LABEL
from schemas.scored import GROUP_PREFIX, POINTS_PREFIX, Scores
from schemas.submission import CollectiveRow, IndividualRow, Provenance, UnitForm, column_specs

SPEC_WIDTHS = {"stt": 5, "ten_tap_the": 24, "ho_ten": 22, "tom_tat": 40, "chuc_vu": 14, "nam_sinh": 7,
               "gioi_tinh": 6}  # the detail sheets' input columns (others 12)
MAX_DATA_ROWS = 1_048_575  # Excel's row limit less the header: longer tables continue on "<sheet> (2)"…


def summary_path(folder: Path, school_year: str) -> Path:
    """``<folder>/TongHop_DienHinh_<năm học>.xlsx`` (the folder: ``outbox/<năm học>/`` or its staging folder)."""
    return folder / f"TongHop_DienHinh_{school_year}.xlsx"


# Nominations up to which the consolidated workbook is assembled in memory (a province); a larger one is assembled in
# temporary files, its two long tables streamed row by row (xlsx.add_streamed_worksheet).
IN_MEMORY_ROWS = 20_000


def write_summary(result: Consolidation, config: YearConfig, path: Path) -> None:
    """Write the consolidated workbook atomically."""
    criteria = config.criteria
    with atomic_path(path) as temporary:
        workbook = new_workbook(temporary, f"Tổng hợp điển hình tiên tiến năm học {result.school_year}",
                                in_memory=len(result.collectives) + len(result.individuals) < IN_MEMORY_ROWS)
        formats = Formats(workbook)
        styles = DocumentStyles(workbook)
        _overview(workbook, styles, result, config)
        _proposals(workbook, styles, result, config)
        _nominations(workbook, formats, SHEET_COLLECTIVES, result.collectives, column_specs(CollectiveRow), criteria,
                     "tap_the")
        _nominations(workbook, formats, SHEET_INDIVIDUALS, result.individuals, column_specs(IndividualRow), criteria,
                     "ca_nhan")
        _reports(workbook, formats, result)
        _submissions(workbook, formats, result)
        _messages(workbook, formats, result)
        _criteria(workbook, formats, criteria, config)
        write_meta(workbook, KIND_CONSOLIDATED, result.school_year, config.settings, config.config_sha256,
                   config.criteria_sha256, result.document_date)
        workbook.close()


# Tổng quan, portrait: the issuing body over columns 0–2 (its short line under column 1, centred), the
# motto over 3–7; the tables below use the same columns (labels over 0–1).
OVERVIEW_GRID = Grid(widths=(11, 12, 11, 8.8, 8.8, 8.8, 8.8, 8.8), left=(0, 2), line=(1, 1), right=(3, 7))
# Đề nghị biểu dương, landscape: the list's own columns; the issuing body over 0–3 (line under 2), motto over 4–6.
PROPOSAL_GRID = Grid(widths=(4, 19, 12, 21, 22, 41, 5), left=(0, 3), line=(2, 2), right=(4, 6))
PROPOSAL_HEADERS = ("TT", "Họ và tên (Tên tập thể)", "Chức vụ", "Đơn vị", "Hình thức đề nghị", "Tóm tắt thành tích",
                    "Ghi chú")
# Pages of a list a sheet holds: under Excel's 1,023 manual page breaks (document.MAX_PAGE_BREAKS), with room for
# the page the last row and the signature kept with it may add on the last sheet
LIST_PAGES = 1000
CHART_ROWS = 15  # rows (of CHART_ROW_HEIGHT pt) under each chart
CHART_ROW_HEIGHT = 15.0


def _overview(workbook: Workbook, styles: DocumentStyles, result: Consolidation, config: YearConfig) -> None:
    doc = DocumentSheet(workbook, "Tổng quan", OVERVIEW_GRID, Page(landscape=False), styles)
    sheet, last = doc.sheet, OVERVIEW_GRID.last
    doc.head(REPORT, f"Kết quả phát hiện, bồi dưỡng và nhân rộng điển hình tiên tiến năm học {result.school_year}",
             result.document_date, config.settings, sent_up=True)

    doc.paragraph("I. SỐ LIỆU CHÍNH", styles.heading)
    doc.table_row([((0, 5), "Chỉ tiêu"), ((6, last), "Số lượng")], styles.table_header)
    for label, value in result.figures:
        doc.table_row([((0, 5), label), ((6, last), value)])
    headers = ["Đơn vị", "Đã nộp", "Tập thể", "Tập thể đề nghị", "Cá nhân", "Cá nhân đề nghị"]
    charts = []
    for title, frame, key, label in (("II. THEO ĐỊA BÀN", result.by_area, "dia_ban", "Địa bàn"),
                                     ("III. THEO CẤP HỌC", result.by_level, "cap_hoc", "Cấp học")):
        doc.space()
        doc.paragraph(title, styles.heading)
        top = doc.table_row([((0, 1), label), *(((c, c), h) for c, h in enumerate(headers, start=2))],
                        styles.table_header)
        for r in frame.to_dict("records"):
            doc.table_row([((0, 1), r[key]), *(((c, c), r[k]) for c, k in enumerate(
                ("don_vi", "da_nop", "tap_the", "tap_the_de_nghi", "ca_nhan", "ca_nhan_de_nghi"), start=2))])
        charts.append((top, doc.row - 1, label))
    keep = []
    doc.space()
    doc.paragraph("IV. BIỂU ĐỒ", styles.heading)
    for top, bottom, label in charts:
        chart = workbook.add_chart({"type": "column"})
        for col, name in ((5, "Tập thể đề nghị biểu dương"), (7, "Cá nhân đề nghị biểu dương")):
            chart.add_series({
                "name": name,
                "categories": ["Tổng quan", top + 1, 0, bottom, 0],
                "values": ["Tổng quan", top + 1, col, bottom, col],
                "data_labels": {"value": True, "font": {"name": FONT, "size": 8}},
            })
        chart.set_title({"name": f"Đề nghị biểu dương theo {label.lower()}", "name_font": {"name": FONT, "size": 12}})
        chart.set_x_axis({"num_font": {"name": FONT, "size": 9, "rotation": -45}})
        chart.set_y_axis({"num_font": {"name": FONT, "size": 9}, "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
        chart.set_size({"width": 560, "height": int(CHART_ROWS * CHART_ROW_HEIGHT * 4 / 3) - 8})
        first = doc.row
        for _ in range(CHART_ROWS):
            doc.add_row(CHART_ROW_HEIGHT)
        sheet.insert_chart(first, 0, chart, {"x_offset": 10, "object_position": 3})
        keep.append((first, doc.row))
        doc.space()
    doc.space()
    keep.append(doc.signature(config.settings, left=(0, 2), right=(3, last)))
    doc.finish(keep=keep)


def _proposals(workbook: Workbook, styles: DocumentStyles, result: Consolidation, config: YearConfig) -> None:
    sections = []
    for section, frame, person in (("I. TẬP THỂ", result.proposals_collective, False),
                                   ("II. CÁ NHÂN", result.proposals_individual, True)):
        sections.append((section, [
            (record[IndividualRow.ho_ten] if person else record[CollectiveRow.ten_tap_the],
             (record.get(IndividualRow.chuc_vu) or "") if person else "", record[Scores.dv_ten_don_vi],
             proposal_form(record), record[CollectiveRow.tom_tat] or "", "")
            for record in frame.to_dict("records")]))
    proposal_list(workbook, styles, "Đề nghị biểu dương",
                  f"Tập thể, cá nhân đề nghị biểu dương điển hình tiên tiến năm học {result.school_year}",
                  result.document_date, config.settings, sections)


def proposal_list(workbook: Workbook, styles: DocumentStyles, name: str, summary: str, day: dt.date,
                  settings: Settings, sections: Sequence[tuple[str, Sequence[Sequence[str]]]]) -> None:
    """A list sent up for commendation (SPEC §7: TT | Họ và tên (Tên tập thể) | Chức vụ | Đơn vị | Hình thức đề
    nghị | Tóm tắt thành tích | Ghi chú), one section per kind, the signature kept with its last rows.

    A list longer than LIST_PAGES pages (a national one) continues on ``<name> (2)``…, each sheet from its table
    header, its page numbers going on: Excel keeps 1,023 manual page breaks a sheet, and past them the
    application would break the pages itself, the signature no longer kept with the list.

    Args:
        sections: a title ("I. TẬP THỂ") and rows of the six texts after TT, per section.
    """
    sheets = _ListSheets(workbook, name, styles, rows=sum(1 + len(rows) for _, rows in sections))
    sheets.doc.head(LIST, summary, day, settings, sent_up=True)
    sheets.start()
    for section, rows in sections:
        sheet, row = sheets.add_row(rows_height(1, SIZE["table"]))
        sheet.merge_range(row, 0, row, PROPOSAL_GRID.last, f"{section} ({len(rows)})", styles.table_section)
        for number, texts in enumerate(rows, start=1):
            lines = max(lines_of(str(t), PROPOSAL_GRID.widths[c], SIZE["table"]) for c, t in enumerate(texts, start=1))
            sheet, row = sheets.add_row(rows_height(lines, SIZE["table"]))
            sheet.write_number(row, 0, number, styles.table_centre)
            for col, text in enumerate(texts, start=1):
                if text:
                    sheet.write_string(row, col, str(text), styles.table_text)
                else:
                    sheet.write_blank(row, col, None, styles.table_text)
    sheets.sign(settings)


class _ListSheets:
    """The sheets a list is written on, each from its table header: the next one when a row would start page
    LIST_PAGES + 1 of the current one, but for the list's last row, which stays with the row before it (the
    signature keeps the last two rows on its page)."""

    def __init__(self, workbook: Workbook, name: str, styles: DocumentStyles, *, rows: int) -> None:
        """``rows``: the rows the list will have (section titles included)."""
        self.workbook, self.name, self.styles = workbook, name, styles
        self.doc = DocumentSheet(workbook, name, PROPOSAL_GRID, Page(landscape=True), styles)
        self.sheets = 1
        self.header = 0
        self.left = rows  # rows still to add
        self.listed: list[int] = []  # the list's rows on the current sheet
        self.fill: PageFill  # the current sheet's pages, from start()

    def start(self) -> None:
        """The table header, after what the sheet holds already (the document's head on the first)."""
        self.header = self.doc.add_row(rows_height(2, SIZE["table"]))
        for col, text in enumerate(PROPOSAL_HEADERS):
            self.doc.sheet.write_string(self.header, col, text, self.styles.table_header)
        self.fill = self.doc.fill(repeat=self.header)
        self.listed = []

    def add_row(self, height: float) -> tuple[Worksheet, int]:
        """A row of the list, ``height`` high: its sheet and row."""
        self.left -= 1
        if self.fill.add(height, repeated=True) and self.fill.pages > LIST_PAGES and self.left:
            first_page = self.doc.first_page + len(self.doc.finish(repeat=self.header)) + 1
            self.sheets += 1
            self.doc = DocumentSheet(self.workbook, f"{self.name} ({self.sheets})", PROPOSAL_GRID,
                                     Page(landscape=True), self.styles, first_page=first_page)
            self.start()
            self.fill.add(height, repeated=True)
        self.listed.append(self.doc.row)
        return self.doc.sheet, self.doc.add_row(height)

    def sign(self, settings: Settings) -> None:
        """The signature after the list, kept on one page with the list's last two rows; the last sheet finished."""
        doc, listed = self.doc, self.listed
        doc.space(12.0)
        tail_from = listed[-2] if len(listed) >= 2 else listed[-1]
        _, end = doc.signature(settings, left=(0, 2), right=(4, PROPOSAL_GRID.last))
        doc.finish(keep=[(tail_from, end)], repeat=self.header)


def _nominations(workbook: Workbook, formats: Formats, name: str, frame: pd.DataFrame,
                 specs: dict[str, dict[str, Any]], criteria: Criteria, kind: str) -> None:
    """A machine-readable table: one header row, inputs, gate results, points, class, rank, provenance."""
    targets = [t for t in criteria.targets if t.kind == kind]
    point_columns: dict[str, str] = {}
    group_columns: dict[str, str] = {}
    for target in targets:
        for group in target.groups:
            group_columns.setdefault(f"{GROUP_PREFIX}{group.name}", f"Nhóm: {group.name}")
            for criterion in group.criteria:
                point_columns.setdefault(f"{POINTS_PREFIX}{criterion.code}", f"Điểm: {criterion.name}")
    columns = [*DETAIL_HEAD, *((k, m["label"]) for k, m in specs.items()), ("_gate", "Đạt điều kiện"),
               *point_columns.items(), *group_columns.items(),
               *(("_proposed" if k == Scores.de_nghi else k, label) for k, label in DETAIL_TAIL)]
    rows = []
    for record in frame.to_dict("records"):
        record["_gate"] = "Không" if record.get(Scores.xep_loai) == "Không đủ điều kiện" else (
            "" if record.get(Scores.diem) is None or pd.isna(record.get(Scores.diem)) else "Có")
        record["_proposed"] = "Có" if record.get(Scores.de_nghi) else "Không"
        rows.append([record.get(key) for key, _ in columns])
    widths = [7, 22, 10, 8, 9, 16, *(SPEC_WIDTHS.get(k, 12) for k in specs), 9, *(9 for _ in point_columns),
              *(9 for _ in group_columns), 7, 20, 18, 6, 9, 30, 30, 6]
    shown_as = {"stt": "plain", "nam_sinh": "plain", "dong": "plain", "hang": "plain", "diem": "score"}
    kinds = {col: shown_as[key] for col, (key, _) in enumerate(columns) if key in shown_as}
    for part, start in enumerate(range(0, max(len(rows), 1), MAX_DATA_ROWS), start=1):
        sheet = add_streamed_worksheet(workbook, name if part == 1 else f"{name} ({part})")  # top to bottom
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.set_row(0, row_height(min(max(text_lines(h, widths[c]) for c, (_, h) in enumerate(columns)), 10)))
        for col, (_, header) in enumerate(columns):
            sheet.write_string(0, col, header, formats.header)
        for offset, values in enumerate(rows[start:start + MAX_DATA_ROWS], start=1):
            for col, value in enumerate(values):
                write_value(sheet, offset, col, value, formats, kind=kinds.get(col))
            lines = max((text_lines(v, widths[c]) for c, v in enumerate(values) if isinstance(v, str) and len(v) > 8),
                        default=1)
            if lines > 1:  # wrapped text: the row as tall as its longest cell (LibreOffice does not fit it)
                sheet.set_row(offset, row_height(lines))
        sheet.freeze_panes(1, len(DETAIL_HEAD) + (0 if kind == "tap_the" else 2))
        sheet.autofilter(0, 0, max(len(rows[start:start + MAX_DATA_ROWS]), 1), len(columns) - 1)
        # too wide for one legible page: printed across then down, the unit and the name on every page
        name_col = next(n for n, (key, _) in enumerate(columns) if key in (CollectiveRow.ten_tap_the, IndividualRow.ho_ten))
        print_landscape(sheet, repeat_header=0, widths=widths, repeat_columns=name_col)


def _reports(workbook: Workbook, formats: Formats, result: Consolidation) -> None:
    sheet = workbook.add_worksheet(SHEET_REPORTS)
    columns = report_columns()
    headers = [label for _, label in columns]
    rows = [[r.get(key) for key, _ in columns] for r in result.reports.to_dict("records")]
    styles = ["cell"] * (len(rows) - 1) + ["good"]
    write_table(sheet, 0, headers, rows, formats, widths=[9, 30, *([12] * (len(columns) - 4)), 40, 40], styles=styles)
    sheet.freeze_panes(1, 2)
    print_landscape(sheet, repeat_header=0)


def _submissions(workbook: Workbook, formats: Formats, result: Consolidation) -> None:
    sheet = workbook.add_worksheet(SHEET_SUBMISSIONS)
    keys, headers = [k for k, _ in SUBMISSION_COLUMNS], [h for _, h in SUBMISSION_COLUMNS]
    rows = [[r[k] for k in keys] for r in result.submissions.to_dict("records")]
    styles = [{"Chưa nộp": "warning", "Có tệp bị từ chối": "error"}.get(r[4], "cell") for r in rows]
    write_table(sheet, 0, headers, rows, formats, widths=[9, 34, 12, 10, 20, 40, 8, 11, 16, 10, 8, 8, 7, 8], styles=styles)
    sheet.freeze_panes(1, 2)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    print_landscape(sheet, repeat_header=0)


def _messages(workbook: Workbook, formats: Formats, result: Consolidation) -> None:
    sheet = workbook.add_worksheet("Lỗi và cảnh báo")
    headers = ["Tệp", "Mã đơn vị", "Mức độ", "Mã lỗi", "Ô", "Cột", "Gặp", "Cần (lỗi) / đã hiểu (cảnh báo)",
               "Ghi chú cho cán bộ"]  # the last column is never in a school's feedback
    rows = [[r[Provenance.tep], r[Provenance.ma_don_vi], SEVERITY_LABEL[r["muc_do"]], r["ma_loi"], r["o"], r["cot"],
             r["gap"], r["can"], r["ghi_chu"]] for r in result.messages.to_dict("records")]
    styles = ["warning" if r["muc_do"] == "warning" else "error" for r in result.messages.to_dict("records")]
    write_table(sheet, 0, headers, rows, formats, widths=[32, 9, 9, 6, 13, 24, 28, 40, 24], styles=styles)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    print_landscape(sheet, repeat_header=0)


def _criteria(workbook: Workbook, formats: Formats, criteria: Criteria, config: YearConfig) -> None:
    """The criteria used, as sentences staff and the level above read (the program's codes stay in config)."""
    sheet = workbook.add_worksheet("Tiêu chí")
    labels = {key: str(meta["label"]) for model in (CollectiveRow, IndividualRow, UnitForm)
              for key, meta in column_specs(model).items()}
    rows: list[Sequence[Any]] = []
    for target in criteria.targets:
        for gate in target.gates:
            rule = ("tập thể do mình đứng đầu cũng đạt điển hình" if gate.leader else
                    f"{labels.get(gate.column, gate.column)}: {' hoặc '.join(gate.accepted)}")
            rows.append([target.name, "Điều kiện bắt buộc", gate.reason, rule, None, ""])
        for group in target.groups:
            for criterion in group.criteria:
                rows.append([target.name, group.name, criterion.name, _how(criterion, labels), criterion.points,
                             _levels(criterion, criteria)])
    rows.append(["Xếp loại", "Điển hình toàn diện", f"điểm từ {vi_number(criteria.comprehensive_score)} trở lên",
                 f"và mọi nhóm đạt từ {vi_number(criteria.comprehensive_group)} % số điểm của nhóm", None, ""])
    rows.append(["Xếp loại", "Điển hình trên lĩnh vực", f"điểm từ {vi_number(criteria.field_score)} trở lên",
                 f"và ít nhất một nhóm đạt từ {vi_number(criteria.field_group)} % số điểm của nhóm", None, ""])
    names = {t.code: t.name for t in criteria.targets} | {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}
    for code, quota in criteria.quotas.items():
        rows.append(["Chỉ tiêu đề nghị", names.get(code, code), "số đề nghị biểu dương tối đa",
                     "không giới hạn" if quota == 0 else vi_number(quota), None, ""])
    rows.append(["Phiên bản", f"tiêu chí {criteria.version}", f"chương trình {__version__}",
                 f"mã kiểm tra cấu hình {config.config_sha256[:16]}…", None, ""])
    write_table(sheet, 0, ["Đối tượng", "Nhóm", "Tiêu chí", "Cách tính", "Điểm tối đa", "Mức và điểm"], rows,
                formats, widths=[26, 24, 44, 40, 9, 50])
    sheet.freeze_panes(1, 0)
    print_landscape(sheet, repeat_header=0)


def _how(criterion: Any, labels: Mapping[str, str]) -> str:
    """How a criterion is computed, in words."""
    if criterion.method == "ty_le":
        return (f"tỷ lệ % = {labels.get(criterion.numerator, criterion.numerator)} ÷ "
                f"{labels.get(criterion.denominator, criterion.denominator)}")
    if criterion.method == "binh_quan":
        return (f"{labels.get(criterion.numerator, criterion.numerator)} chia cho "
                f"{labels.get(criterion.denominator, criterion.denominator) if criterion.denominator else 'số đoàn viên'}")
    source = labels.get(criterion.column, criterion.column)
    return f"theo mức độ thực hiện ở cột {source}" if criterion.method == "muc_do" else f"theo cột {source}"


def _levels(criterion: Any, criteria: Criteria) -> str:
    """The points of each level or threshold: "từ 70 % trở lên: 15 điểm; …"."""
    if criterion.table is not None:
        return "; ".join(f"{level}: {vi_number(points)} điểm" for level, points in criterion.table.items())
    if criterion.thresholds:
        unit = " %" if criterion.method == "ty_le" else " nghìn đồng" if criterion.method == "binh_quan" else ""
        return "; ".join(f"{'trên' if t.strict else 'từ'} {vi_number(t.bound)}{unit}{'' if t.strict else ' trở lên'}: "
                         f"{vi_number(t.points)} điểm" for t in criterion.thresholds) + "; thấp hơn: 0 điểm"
    return "; ".join(f"{level}: {vi_number(percent)} % số điểm" for level, percent in criteria.rating_percent.items())
