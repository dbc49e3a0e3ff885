"""Writing ``TongHop_DienHinh_<năm học>.xlsx``, the consolidated workbook (SPEC §7, §10).

Layout only: every figure comes from :class:`pipeline.consolidate.Consolidation`. `Tổng quan` and
`Đề nghị biểu dương` are documents (official header, A4, signature); the other sheets are tables with
one header row so that the level above can read them by program.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline import __version__
from pipeline.config.criteria import Criteria
from pipeline.config.year import YearConfig
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.xlsx import (
    FONT,
    LINE_HEIGHT,
    Formats,
    new_workbook,
    print_landscape,
    text_lines,
    write_table,
    write_value,
)
from pipeline.scoring.consolidate import Consolidation, proposal_form
from schemas.rules import SEVERITY_LABEL
from schemas.scored import GROUP_PREFIX, POINTS_PREFIX, Scores
from schemas.submission import CollectiveRow, IndividualRow, Provenance, ReportForm, UnitForm, column_specs

MAX_DATA_ROWS = 1_048_575  # Excel's row limit less the header: longer tables continue on "<sheet> (2)"…
METHOD_LABEL = {"muc_do": "Theo mức độ thực hiện", "bang": "Theo bảng điểm", "ty_le": "Tỷ lệ % (tử số ÷ mẫu số)",
                "binh_quan": "Bình quân một đoàn viên"}


def summary_path(folder: Path, school_year: str) -> Path:
    """``<folder>/TongHop_DienHinh_<năm học>.xlsx`` (the folder: ``outbox/<năm học>/`` or its staging folder)."""
    return folder / f"TongHop_DienHinh_{school_year}.xlsx"


def write_summary(result: Consolidation, config: YearConfig, path: Path) -> None:
    """Write the consolidated workbook atomically."""
    criteria = config.criteria
    with atomic_path(path) as temporary:
        workbook = new_workbook(temporary, f"Tổng hợp điển hình tiên tiến năm học {result.school_year}")
        formats = Formats(workbook)
        styles = _DocumentStyles(workbook)
        _overview(workbook, formats, styles, result, config)
        _proposals(workbook, formats, styles, result, config)
        _nominations(workbook, formats, "Tập thể", result.collectives, column_specs(CollectiveRow), criteria,
                     "tap_the")
        _nominations(workbook, formats, "Cá nhân", result.individuals, column_specs(IndividualRow), criteria,
                     "ca_nhan")
        _reports(workbook, formats, result)
        _submissions(workbook, formats, result)
        _messages(workbook, formats, result)
        _criteria(workbook, formats, criteria, config)
        workbook.close()


class _DocumentStyles:
    """Formats of the official documents (Times New Roman, as Vietnamese administrative texts)."""

    def __init__(self, workbook: Workbook) -> None:
        def fmt(**props: Any) -> Any:
            return workbook.add_format({"font_name": FONT, "font_size": 13, "align": "center", "valign": "top",
                                        **props})
        self.body_top = fmt()
        self.body_bold = fmt(bold=True)
        self.motto = fmt(bold=True, underline=1)
        self.date = fmt(italic=True)
        self.title = fmt(bold=True, font_size=14, text_wrap=True)
        self.subtitle = fmt(italic=True, text_wrap=True)
        self.section = workbook.add_format({"font_name": FONT, "font_size": 12, "bold": True, "border": 1,
                                            "valign": "vcenter"})
        self.heading = workbook.add_format({"font_name": FONT, "font_size": 12, "bold": True})
        self.left = workbook.add_format({"font_name": FONT, "font_size": 12, "valign": "top"})
        self.left_italic = workbook.add_format({"font_name": FONT, "font_size": 11, "italic": True, "bold": True})
        self.small = workbook.add_format({"font_name": FONT, "font_size": 11, "valign": "top"})


def _vn_date(result: Consolidation, config: YearConfig) -> str:
    day = result.document_date
    return f"{config.settings.place}, ngày {day.day:02d} tháng {day.month} năm {day.year}"


def _official_header(sheet: Worksheet, styles: _DocumentStyles, result: Consolidation, config: YearConfig,
                     left: tuple[int, int], right: tuple[int, int]) -> None:
    """Issuing body on the left, the national motto on the right, place and date under it."""
    settings = config.settings
    sheet.merge_range(0, left[0], 0, left[1], settings.parent_body, styles.body_top)
    sheet.merge_range(1, left[0], 1, left[1], settings.issuing_body, styles.motto)
    sheet.merge_range(0, right[0], 0, right[1], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles.body_bold)
    sheet.merge_range(1, right[0], 1, right[1], "Độc lập - Tự do - Hạnh phúc", styles.motto)
    sheet.merge_range(3, right[0], 3, right[1], _vn_date(result, config), styles.date)
    sheet.set_row(0, 20)
    sheet.set_row(1, 20)


def _overview(workbook: Workbook, formats: Formats, styles: _DocumentStyles, result: Consolidation,
              config: YearConfig) -> None:
    sheet = workbook.add_worksheet("Tổng quan")
    for col, width in enumerate([20, 11, 10, 10, 12, 10, 12]):
        sheet.set_column(col, col, width)
    _official_header(sheet, styles, result, config, left=(0, 2), right=(3, 6))
    sheet.merge_range(5, 0, 5, 6, "BÁO CÁO TỔNG HỢP", styles.title)
    sheet.merge_range(6, 0, 6, 6, f"Kết quả xây dựng và nhân rộng điển hình tiên tiến năm học {result.school_year}",
                      styles.subtitle)
    row = 8
    sheet.write_string(row, 0, "I. SỐ LIỆU CHÍNH", styles.heading)
    row += 1
    sheet.merge_range(row, 0, row, 4, "Chỉ tiêu", formats.header)
    sheet.merge_range(row, 5, row, 6, "Số lượng", formats.header)
    for label, value in result.figures:
        row += 1
        sheet.merge_range(row, 0, row, 4, label, formats.cell())
        sheet.merge_range(row, 5, row, 6, None, formats.cell())
        write_value(sheet, row, 5, value, formats)
    row += 1
    headers = ["Đơn vị", "Đã nộp", "Tập thể", "Tập thể đề nghị", "Cá nhân", "Cá nhân đề nghị"]
    charts = []
    for title, frame, key in (("II. THEO ĐỊA BÀN", result.by_area, "dia_ban"),
                              ("III. THEO CẤP HỌC", result.by_level, "cap_hoc")):
        row += 1
        sheet.write_string(row, 0, title, styles.heading)
        top = row + 1
        label = "Địa bàn" if key == "dia_ban" else "Cấp học"
        values = [[r[key], r["don_vi"], r["da_nop"], r["tap_the"], r["tap_the_de_nghi"], r["ca_nhan"],
                   r["ca_nhan_de_nghi"]] for r in frame.to_dict("records")]
        row = write_table(sheet, top, [label, *headers], values, formats, widths=[20, 11, 10, 10, 12, 10, 12])
        charts.append((title, top, row - 1, label))
    row += 1
    sheet.set_h_pagebreaks([row])  # the charts start on a page of their own
    for _, top, bottom, label in charts:
        chart = workbook.add_chart({"type": "column"})
        for col, name in ((4, "Tập thể đề nghị biểu dương"), (6, "Cá nhân đề nghị biểu dương")):
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
        chart.set_size({"width": 640, "height": 300})
        row += 1
        sheet.insert_chart(row, 0, chart)
        row += 16
    sheet.set_paper(9)
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.6, right=0.5, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.print_area(0, 0, row, 6)
    sheet.set_footer("&R&9Trang &P/&N")


def _proposals(workbook: Workbook, formats: Formats, styles: _DocumentStyles, result: Consolidation,
               config: YearConfig) -> None:
    sheet = workbook.add_worksheet("Đề nghị biểu dương")
    widths = [5, 26, 16, 26, 30, 52, 11]
    _official_header(sheet, styles, result, config, left=(0, 2), right=(3, 6))
    sheet.merge_range(5, 0, 5, 6, "DANH SÁCH ĐỀ NGHỊ BIỂU DƯƠNG ĐIỂN HÌNH TIÊN TIẾN", styles.title)
    sheet.merge_range(6, 0, 6, 6, f"Năm học {result.school_year} — kèm theo báo cáo tổng hợp của "
                                  f"{config.settings.issuing_body.capitalize()}", styles.subtitle)
    headers = ["TT", "Họ và tên (Tên tập thể)", "Chức vụ", "Đơn vị", "Hình thức đề nghị", "Tóm tắt thành tích",
               "Ghi chú"]
    top = 8
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, formats.header)
    row = top + 1
    for section, frame, person in (("I. TẬP THỂ", result.proposals_collective, False),
                                   ("II. CÁ NHÂN", result.proposals_individual, True)):
        sheet.merge_range(row, 0, row, 6, f"{section} ({len(frame)})", styles.section)
        row += 1
        for number, record in enumerate(frame.to_dict("records"), start=1):
            values = [number, record[IndividualRow.ho_ten] if person else record[CollectiveRow.ten_tap_the],
                      record.get(IndividualRow.chuc_vu) if person else "", record[Scores.dv_ten_don_vi],
                      proposal_form(pd.Series(record)), record[CollectiveRow.tom_tat], f"{_points(record[Scores.diem])} điểm"]
            for col, value in enumerate(values):
                write_value(sheet, row, col, value, formats)
            sheet.set_row(row, LINE_HEIGHT * max(text_lines(str(v), widths[c]) for c, v in enumerate(values)))
            row += 1
    row += 1
    settings = config.settings
    sheet.write_string(row, 0, "Nơi nhận:", styles.left_italic)
    sheet.write_string(row + 1, 0, f"- {settings.recipient};", styles.small)
    sheet.write_string(row + 2, 0, "- Lưu: VT.", styles.small)
    sheet.merge_range(row, 4, row, 6, settings.sign_on_behalf, styles.body_bold)
    sheet.merge_range(row + 1, 4, row + 1, 6, settings.sign_title, styles.body_bold)
    sheet.merge_range(row + 5, 4, row + 5, 6, settings.sign_name, styles.body_bold)
    print_landscape(sheet, repeat_header=top)
    sheet.print_area(0, 0, row + 5, 6)
    sheet.center_horizontally()


def _points(value: Any) -> str:
    return f"{float(value):.1f}".replace(".", ",") if value is not None and not pd.isna(value) else ""


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
    columns = [("ma_don_vi", "Mã đơn vị"), ("dv_ten_don_vi", "Tên đơn vị"), ("dv_dia_ban", "Địa bàn"),
               ("dv_cap_hoc", "Cấp học"), *((k, m["label"]) for k, m in specs.items()),
               ("_gate", "Đạt điều kiện"), *point_columns.items(), *group_columns.items(), ("diem", "Điểm"),
               ("xep_loai", "Xếp loại"), ("nhom_manh", "Nhóm đạt từ 90 %"), ("hang", "Hạng"),
               ("_proposed", "Đề nghị biểu dương"), ("ly_do", "Lý do không đủ điều kiện"), ("tep", "Tệp"),
               ("dong", "Dòng")]
    rows = []
    for record in frame.to_dict("records"):
        record["_gate"] = "Không" if record.get(Scores.xep_loai) == "Không đủ điều kiện" else (
            "" if record.get(Scores.diem) is None or pd.isna(record.get(Scores.diem)) else "Có")
        record["_proposed"] = "Có" if record.get(Scores.de_nghi) else "Không"
        rows.append([record.get(key) for key, _ in columns])
    widths = [9, 26, 12, 10, *(14 for _ in specs), 9, *(9 for _ in point_columns), *(9 for _ in group_columns),
              7, 20, 18, 6, 9, 30, 30, 6]
    for part, start in enumerate(range(0, max(len(rows), 1), MAX_DATA_ROWS), start=1):
        sheet = workbook.add_worksheet(name if part == 1 else f"{name} ({part})")
        for col, (_, header) in enumerate(columns):
            sheet.write_string(0, col, header, formats.header)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        for offset, values in enumerate(rows[start:start + MAX_DATA_ROWS], start=1):
            for col, value in enumerate(values):
                write_value(sheet, offset, col, value, formats)
        sheet.set_row(0, 60)
        sheet.freeze_panes(1, 4 if kind == "tap_the" else 6)
        sheet.autofilter(0, 0, max(len(rows[start:start + MAX_DATA_ROWS]), 1), len(columns) - 1)
        print_landscape(sheet, repeat_header=0)


def _reports(workbook: Workbook, formats: Formats, result: Consolidation) -> None:
    sheet = workbook.add_worksheet("Kết quả thực hiện")
    specs = column_specs(ReportForm)
    headers = ["Mã đơn vị", "Tên đơn vị", *(m["label"] for m in specs.values())]
    rows = [[r.get(Provenance.ma_don_vi), r.get(UnitForm.ten_don_vi), *(r.get(k) for k in specs)]
            for r in result.reports.to_dict("records")]
    styles = ["cell"] * (len(rows) - 1) + ["good"]
    write_table(sheet, 0, headers, rows, formats, widths=[9, 30, *([12] * (len(specs) - 2)), 40, 40], styles=styles)
    sheet.freeze_panes(1, 2)
    print_landscape(sheet, repeat_header=0)


def _submissions(workbook: Workbook, formats: Formats, result: Consolidation) -> None:
    sheet = workbook.add_worksheet("Tình hình nộp")
    headers = ["Mã đơn vị", "Tên đơn vị", "Địa bàn", "Cấp học", "Tình trạng", "Tệp", "Số tệp bị thay", "Ngày nhận",
               "Hạn nộp", "Số tập thể", "Số cá nhân", "Số lỗi", "Số cảnh báo"]
    keys = ["ma_don_vi", "ten_don_vi", "dia_ban", "cap_hoc", "tinh_trang", "tep", "so_tep_thay", "ngay_nhan", "han",
            "so_tap_the", "so_ca_nhan", "so_loi", "so_canh_bao"]
    rows = [[r[k] for k in keys] for r in result.submissions.to_dict("records")]
    styles = [{"Chưa nộp": "warning", "Bị từ chối": "error"}.get(r[4], "cell") for r in rows]
    write_table(sheet, 0, headers, rows, formats, widths=[9, 34, 12, 10, 20, 40, 8, 11, 10, 8, 8, 7, 8], styles=styles)
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
    sheet = workbook.add_worksheet("Tiêu chí")
    rows: list[Sequence[Any]] = []
    for target in criteria.targets:
        for gate in target.gates:
            rule = ("tập thể do mình đứng đầu là tập thể điển hình" if gate.leader else
                    f"{gate.column} ∈ {{{', '.join(gate.accepted)}}}")
            rows.append([target.name, "Điều kiện", gate.reason, rule, "", ""])
        for group in target.groups:
            for criterion in group.criteria:
                if criterion.table is not None:
                    detail = "; ".join(f"{k}: {v:g}" for k, v in criterion.table.items())
                elif criterion.thresholds:
                    detail = "; ".join(f"{'>' if t.strict else '≥'} {t.bound:g}: {t.points:g}"
                                       for t in criterion.thresholds)
                else:
                    detail = "; ".join(f"{k}: {v:g} %" for k, v in criteria.rating_percent.items())
                source = criterion.column or f"{criterion.numerator} ÷ {criterion.denominator or 'số đoàn viên'}"
                rows.append([target.name, group.name, criterion.name, f"{METHOD_LABEL[criterion.method]} ({source})",
                             criterion.points, detail])
    rows.append(["Xếp loại", "Điển hình toàn diện", f"điểm ≥ {criteria.comprehensive_score:g}",
                 f"mọi nhóm ≥ {criteria.comprehensive_group:g} %", "", ""])
    rows.append(["Xếp loại", "Điển hình trên lĩnh vực", f"điểm ≥ {criteria.field_score:g}",
                 f"ít nhất một nhóm ≥ {criteria.field_group:g} %", "", ""])
    for code, quota in criteria.quotas.items():
        rows.append(["Chỉ tiêu", code, "số đề nghị tối đa", "không giới hạn" if quota == 0 else str(quota), "", ""])
    rows.append(["Phiên bản", f"tiêu chí {criteria.version}", f"chương trình {__version__}",
                 f"cấu hình sha256 {config.config_sha256[:16]}…", "", ""])
    write_table(sheet, 0, ["Đối tượng", "Nhóm", "Tiêu chí", "Cách tính", "Điểm", "Mức / ngưỡng"], rows, formats,
                widths=[28, 24, 44, 36, 7, 50])
    sheet.freeze_panes(1, 0)
    print_landscape(sheet, repeat_header=0)
