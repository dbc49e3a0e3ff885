"""Writing ``TongKet_DienHinh_<from>_<to>.xlsx``, the period review (SPEC §8).

Layout only: every figure comes from :class:`pipeline.scoring.period.Period`. `Tổng quan` and
`Đề nghị tôn vinh giai đoạn` are documents in the official format (SPEC §7.1); the other sheets are tables
with one header row, row 1, so that they are read by program — `Cần xác nhận` is copied by staff into
``config/lien_ket.xlsx``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook

from pipeline.config.links import COLUMNS as LINK_HEADERS
from pipeline.config.links import NO, YES
from pipeline.config.schoolyear import year_start
from pipeline.config.year import Settings
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.document import DocumentSheet, DocumentStyles, Grid
from pipeline.outputs.official import FONT, REPORT, Page
from pipeline.outputs.summary import proposal_list
from pipeline.outputs.xlsx import Formats, new_workbook, print_landscape, write_meta, write_table
from pipeline.scoring.period import EXEMPLAR, Period
from schemas.consolidated import KIND_REVIEW
from schemas.submission import Provenance, ReportForm, column_specs

MAX_YEARS = 5  # school years a review's overview table holds on a portrait page
SHEETS = ("Tổng quan", "Tập thể qua các năm", "Cá nhân qua các năm", "Nhân tố mới", "Kết quả thực hiện",
          "Cần xác nhận", "Đề nghị tôn vinh giai đoạn")
CHART_ROWS = 15
CHART_ROW_HEIGHT = 15.0
REPORT_LABELS = {**{key: str(meta["label"]) for key, meta in column_specs(ReportForm).items()},
                 ReportForm.co_ke_hoach: "Số đơn vị có kế hoạch xây dựng, nhân rộng điển hình",
                 Provenance.ma_don_vi: "Số đơn vị báo cáo"}


def review_path(outbox: Path, first: str, last: str) -> Path:
    """``outbox/TongKet_DienHinh_<from>_<to>.xlsx``."""
    return outbox / f"TongKet_DienHinh_{first}_{last}.xlsx"


def span_label(years: Sequence[str]) -> str:
    """``2017 - 2020``: the calendar years a period of school years covers."""
    return f"{year_start(years[0])} - {year_start(years[-1]) + 1}"


def write_review(period: Period, settings: Settings, config_sha256: str, criteria_sha256: str, day: dt.date,
                 path: Path) -> None:
    """Write the period review atomically; ``day`` is the date printed on its documents."""
    with atomic_path(path) as temporary:
        workbook = new_workbook(temporary, f"Tổng kết điển hình tiên tiến giai đoạn {span_label(period.years)}")
        formats, styles = Formats(workbook), DocumentStyles(workbook)
        _overview(workbook, styles, period, settings, day)
        _entities(workbook, formats, SHEETS[1], period.collectives, period.years, person=False)
        _entities(workbook, formats, SHEETS[2], period.individuals, period.years, person=True)
        _new(workbook, formats, period.new)
        _reports(workbook, formats, period)
        _uncertain(workbook, formats, period.uncertain)
        _honours(workbook, styles, period, settings, day)
        write_meta(workbook, KIND_REVIEW, f"{period.years[0]}/{period.years[-1]}", settings, config_sha256,
                   criteria_sha256, day)
        workbook.close()


def overview_grid(years: int) -> Grid:
    """Tổng quan, portrait: the labels over the first columns, one column per school year."""
    widths = (11.0, 12.0, 11.0, *([8.8] * (MAX_YEARS - years)), *([8.8] * years))
    last = len(widths) - 1
    return Grid(widths=widths, left=(0, 2), line=(1, 1), right=(3, last))


def _overview(workbook: Workbook, styles: DocumentStyles, period: Period, settings: Settings, day: dt.date) -> None:
    years = period.years
    grid = overview_grid(len(years))
    doc = DocumentSheet(workbook, SHEETS[0], grid, Page(landscape=False), styles)
    label, first_year = (0, grid.last - len(years)), grid.last - len(years) + 1
    doc.head(REPORT, f"Tổng kết xây dựng, nhân rộng điển hình tiên tiến giai đoạn {span_label(years)}", day,
             settings, sent_up=True)
    missing = [y for y in years if y not in period.present]
    intro = (f"Số liệu tổng hợp từ bản tổng hợp của {len(period.present)} năm học "
             f"({', '.join(period.present)}).")
    if missing:
        intro += f" Chưa có bản tổng hợp năm học {', '.join(missing)}: các cột của năm đó để trống."
    doc.paragraph(intro)
    doc.space()

    def header(name: str) -> int:
        return doc.table_row([(label, name), *(((first_year + i, first_year + i), y) for i, y in enumerate(years))],
                             styles.table_header)

    def body(frame: pd.DataFrame, key: str) -> tuple[int, int]:
        top = doc.row
        for record in frame.to_dict("records"):
            doc.table_row([(label, record[key]), *(((first_year + i, first_year + i), _number(record[y]))
                                                   for i, y in enumerate(years))])
        return top, doc.row - 1

    doc.paragraph("I. ĐIỂN HÌNH QUA CÁC NĂM HỌC", styles.heading)
    header("Chỉ tiêu")
    figures_top, _ = body(period.figures, "chi_tieu")
    ranges = {}
    keep = []
    for title, frame, name in (("II. ĐIỂN HÌNH THEO ĐỊA BÀN", period.by_area, "Địa bàn"),
                               ("III. ĐIỂN HÌNH THEO CẤP HỌC", period.by_level, "Cấp học")):
        doc.space()
        start = doc.paragraph(title, styles.heading)
        header(name)
        ranges[name] = body(frame, "ten")
        if len(frame) <= 25:  # a short table is not split over two pages
            keep.append((start, doc.row))
    doc.space()
    heading = doc.paragraph("IV. BIỂU ĐỒ", styles.heading)
    labels = list(period.figures["chi_tieu"])
    trend = workbook.add_chart({"type": "line"})
    for name in ("Tập thể là điển hình", "Cá nhân là điển hình"):
        row = figures_top + labels.index(name)
        trend.add_series({"name": name, "categories": [SHEETS[0], figures_top - 1, first_year, figures_top - 1,
                                                       grid.last],
                          "values": [SHEETS[0], row, first_year, row, grid.last], "marker": {"type": "circle"},
                          "data_labels": {"value": True, "font": {"name": FONT, "size": 8}}})
    for after, name in (("Tập thể là điển hình", "Tập thể: điển hình mới"),
                        ("Cá nhân là điển hình", "Cá nhân: điển hình mới")):
        row = figures_top + labels.index(after) + 1  # the row "— trong đó điển hình mới" under it
        trend.add_series({"name": name, "categories": [SHEETS[0], figures_top - 1, first_year, figures_top - 1,
                                                       grid.last],
                          "values": [SHEETS[0], row, first_year, row, grid.last], "line": {"dash_type": "dash"},
                          "marker": {"type": "square"}})
    _style(trend, "Điển hình và điển hình mới qua các năm học")
    keep.append((heading, _place(doc, trend)[1]))  # the heading stays with its first chart
    top, bottom = ranges["Địa bàn"]
    areas = workbook.add_chart({"type": "column"})
    for i, year in enumerate(years):
        areas.add_series({"name": year, "categories": [SHEETS[0], top, 0, bottom, 0],
                          "values": [SHEETS[0], top, first_year + i, bottom, first_year + i]})
    _style(areas, "Điển hình theo địa bàn qua các năm học", rotate=True)
    keep.append(_place(doc, areas))
    pending = int((period.uncertain["xac_nhan"] == "").sum()) if len(period.uncertain) else 0
    doc.paragraph("V. GHI CHÚ", styles.heading)
    notes = [f"Một tập thể, cá nhân được nhận ra qua các năm theo đơn vị (kể cả đơn vị tiền thân khi sáp nhập), "
             f"họ tên (không phân biệt chữ hoa, cách bỏ dấu) và năm sinh. Có {pending} trường hợp chưa chắc chắn "
             "được liệt kê ở trang Cần xác nhận, chưa được gộp; cán bộ xác nhận bằng cách chép các dòng đó sang "
             f"config/lien_ket.xlsx và ghi {YES} hoặc {NO} ở cột cuối.", *period.notes]
    for note in notes:
        doc.paragraph(f"- {note}")
    doc.space()
    keep.append(doc.signature(settings, left=(0, 2), right=(3, grid.last)))
    doc.finish(keep=keep)


def _style(chart: Any, title: str, *, rotate: bool = False) -> None:
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 9, **({"rotation": -45} if rotate else {})}})
    chart.set_y_axis({"num_font": {"name": FONT, "size": 9}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    chart.set_size({"width": 560, "height": int(CHART_ROWS * CHART_ROW_HEIGHT * 4 / 3) - 8})


def _place(doc: DocumentSheet, chart: Any) -> tuple[int, int]:
    first = doc.row
    for _ in range(CHART_ROWS):
        doc.add_row(CHART_ROW_HEIGHT)
    doc.sheet.insert_chart(first, 0, chart, {"x_offset": 10, "object_position": 3})
    doc.space()
    return first, doc.row


def _number(value: Any) -> Any:
    return None if value is None or pd.isna(value) else int(value)


def _entities(workbook: Workbook, formats: Formats, name: str, frame: pd.DataFrame, years: Sequence[str], *,
              person: bool) -> None:
    """One row per recognised collective or person: its class each year and how long it stayed an exemplar."""
    sheet = workbook.add_worksheet(name)
    who = [("ten", "Họ và tên", 22), ("nam_sinh", "Năm sinh", 7), ("gioi_tinh", "Giới tính", 7),
           ("dan_toc", "Dân tộc", 8)] if person else [("ten", "Tên tập thể", 30)]
    columns = [("ma_don_vi", "Mã đơn vị", 8), ("ten_don_vi", "Tên đơn vị", 28), *who,
               *((y, y, 13) for y in years), ("so_nam", "Số năm là điển hình", 9),
               ("nam_dau", "Năm đầu là điển hình", 10), ("lien_tiep", "Số năm liên tiếp đến năm cuối", 10),
               ("ma_cac_nam", "Mã đơn vị các năm", 28), ("diem_tb", "Điểm bình quân", 8)]
    rows = [[_cell(record[key]) for key, _, _ in columns] for record in frame.to_dict("records")]
    kinds = {i: "plain" for i, (key, _, _) in enumerate(columns) if key == "nam_sinh"} | {
        i: "score" for i, (key, _, _) in enumerate(columns) if key == "diem_tb"}
    write_table(sheet, 0, [h for _, h, _ in columns], rows, formats, widths=[w for _, _, w in columns], kinds=kinds)
    sheet.freeze_panes(1, 3 if not person else 3)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    print_landscape(sheet, repeat_header=0, widths=[w for _, _, w in columns], repeat_columns=2)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _new(workbook: Workbook, formats: Formats, frame: pd.DataFrame) -> None:
    sheet = workbook.add_worksheet(SHEETS[3])
    columns = [("nam_hoc", "Năm học", 10), ("loai", "Loại", 8), ("ten", "Tên tập thể / Họ và tên", 30),
               ("nam_sinh", "Năm sinh", 7), ("ma_don_vi", "Mã đơn vị", 8), ("ten_don_vi", "Tên đơn vị", 30),
               ("dia_ban", "Địa bàn", 12), ("xep_loai", "Xếp loại", 20), ("diem", "Điểm", 7)]
    rows = [[_cell(record[key]) for key, _, _ in columns] for record in frame.to_dict("records")]
    write_table(sheet, 0, [h for _, h, _ in columns], rows, formats, widths=[w for _, _, w in columns],
                kinds={3: "plain", 8: "score"})
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    print_landscape(sheet, repeat_header=0)


def _reports(workbook: Workbook, formats: Formats, period: Period) -> None:
    sheet = workbook.add_worksheet(SHEETS[4])
    rows = [[REPORT_LABELS[record["chi_tieu"]], *(_cell(record[y]) for y in period.years)]
            for record in period.reports.to_dict("records")]
    write_table(sheet, 0, ["Chỉ tiêu", *period.years], rows, formats, widths=[48, *([12] * len(period.years))])
    sheet.freeze_panes(1, 1)
    print_landscape(sheet, repeat_header=0)


def _uncertain(workbook: Workbook, formats: Formats, frame: pd.DataFrame) -> None:
    """One row per uncertain (or settled) link, its last column for staff's answer (Có / Không)."""
    sheet = workbook.add_worksheet(SHEETS[5])
    keys = list(LINK_HEADERS)
    widths = [8, 9, 8, 18, 20, 7, 9, 8, 18, 20, 7, 34, 11]
    rows = [[_cell(record[key]) for key in keys] for record in frame.to_dict("records")]
    styles = ["cell" if record["xac_nhan"] else "warning" for record in frame.to_dict("records")]
    write_table(sheet, 0, list(LINK_HEADERS.values()), rows, formats, widths=widths, styles=styles,
                kinds={keys.index("nam_sinh_1"): "plain", keys.index("nam_sinh_2"): "plain"})
    sheet.data_validation(1, len(keys) - 1, max(len(rows), 1) + 200, len(keys) - 1,
                          {"validate": "list", "source": [YES, NO], "input_title": "Xác nhận",
                           "input_message": f"{YES}: cùng một tập thể / người; {NO}: khác nhau."})
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(keys) - 1)
    print_landscape(sheet, repeat_header=0)


def _honours(workbook: Workbook, styles: DocumentStyles, period: Period, settings: Settings, day: dt.date) -> None:
    span = span_label(period.years)
    sections = []
    for title, frame in (("I. TẬP THỂ", period.honours_collective), ("II. CÁ NHÂN", period.honours_individual)):
        rows = []
        for record in frame.to_dict("records"):
            exemplar_years = [y for y in period.years if record[y] in EXEMPLAR]
            rows.append((record["ten"], "" if title.startswith("I.") else record["chuc_vu"], record["ten_don_vi"],
                         f"Tôn vinh điển hình tiên tiến giai đoạn {span} ({len(exemplar_years)} năm là điển hình: "
                         f"{', '.join(exemplar_years)})", record["tom_tat"] or "", ""))
        sections.append((title, rows))
    proposal_list(workbook, styles, SHEETS[6], f"Tập thể, cá nhân đề nghị tôn vinh điển hình tiên tiến giai đoạn {span}",
                  day, settings, sections)
