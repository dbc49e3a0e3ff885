"""Our own workbooks as inputs: what the consolidated workbook promises to whoever reads it back (SPEC §7, §10).

The period review reads each year's ``TongHop_DienHinh_<năm học>.xlsx``; the level above reads the ones of the
bodies below (the roll-up). Both recognise it by its hidden `_meta` sheet (``loai`` and ``phien_ban``) and by
its sheets and headers, declared here once: the writer lays these columns out, the reader maps these labels
back to the keys.
"""

from __future__ import annotations

from schemas.scored import Scores
from schemas.submission import SHEET_META, CollectiveRow, IndividualRow, Provenance, ReportForm, UnitForm, column_specs

__all__ = ["SHEET_META"]  # part of this contract too (re-exported)

KIND_CONSOLIDATED = "tong_hop_dien_hinh"  # `_meta` loai of the consolidated workbook
KIND_REVIEW = "tong_ket_giai_doan"  # `_meta` loai of the period review
KIND_FEEDBACK = "phan_hoi_don_vi"  # `_meta` loai of a unit's feedback workbook
WORKBOOK_VERSION = "1.0"  # bump when a sheet, a header or a meaning of the detail sheets changes

SHEET_COLLECTIVES = "Tập thể"
SHEET_INDIVIDUALS = "Cá nhân"
SHEET_REPORTS = "Kết quả thực hiện"
SHEET_SUBMISSIONS = "Tình hình nộp"
TOTAL_LABEL = "Tổng cộng"  # `Tên đơn vị` of the totals row of `Kết quả thực hiện`

# The detail sheets `Tập thể` / `Cá nhân`: these columns, then the sheet's input columns (§4 labels), then the
# per-criterion points (which depend on the criteria, so not read back), then DETAIL_TAIL.
DETAIL_HEAD: tuple[tuple[str, str], ...] = (
    (Provenance.ma_don_vi, "Mã đơn vị"), (Scores.dv_ten_don_vi, "Tên đơn vị"), (Scores.dv_dia_ban, "Địa bàn"),
    (Scores.dv_cap_hoc, "Cấp học"), (Scores.dv_so_doan_vien, "Số đoàn viên của đơn vị"), (Scores.co_quan_gui, "Cơ quan gửi"))
DETAIL_TAIL: tuple[tuple[str, str], ...] = (
    (Scores.diem, "Điểm"), (Scores.xep_loai, "Xếp loại"), (Scores.nhom_manh, "Nhóm đạt từ 90 %"),
    (Scores.hang, "Hạng"), (Scores.de_nghi, "Đề nghị biểu dương"), (Scores.ly_do, "Lý do không đủ điều kiện"),
    (Provenance.tep, "Tệp"), (Provenance.dong, "Dòng"))
DETAIL_MODELS = {SHEET_COLLECTIVES: CollectiveRow, SHEET_INDIVIDUALS: IndividualRow}

SUBMISSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ma_don_vi", "Mã đơn vị"), ("ten_don_vi", "Tên đơn vị"), ("dia_ban", "Địa bàn"), ("cap_hoc", "Cấp học"),
    ("tinh_trang", "Tình trạng"), ("tep", "Tệp"), ("so_tep_thay", "Số tệp bị thay"), ("ngay_nhan", "Ngày nhận"),
    ("nguon_ngay_nhan", "Nguồn ngày nhận"), ("han", "Hạn nộp"), ("so_tap_the", "Số tập thể"),
    ("so_ca_nhan", "Số cá nhân"), ("so_loi", "Số lỗi"), ("so_canh_bao", "Số cảnh báo"))
SUBMITTED_PREFIX = "Đã nộp"  # `Tình trạng` of a unit whose file was accepted (with or without row errors)


def detail_columns(sheet: str) -> tuple[tuple[str, str], ...]:
    """Key → header of the columns of a detail sheet that are read back (every column but the points)."""
    specs = column_specs(DETAIL_MODELS[sheet])
    return (*DETAIL_HEAD, *((key, str(meta["label"])) for key, meta in specs.items()), *DETAIL_TAIL)


def report_columns() -> tuple[tuple[str, str], ...]:
    """Key → header of `Kết quả thực hiện`: the unit, then the §4.3 labels."""
    return ((Provenance.ma_don_vi, "Mã đơn vị"), (UnitForm.ten_don_vi, "Tên đơn vị"),
            *((key, str(meta["label"])) for key, meta in column_specs(ReportForm).items()))


def count_columns() -> tuple[str, ...]:
    """The keys of `Kết quả thực hiện` that are counts (summed over units and years)."""
    return tuple(key for key, meta in column_specs(ReportForm).items() if meta["kind"] == "int")
