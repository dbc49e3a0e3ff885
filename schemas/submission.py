"""The template's contract with schools: one pandera model per sheet (SPEC §4).

Each attribute is the canonical snake_case key; its ``metadata`` carries what the template writer and
the reader need to know about the column:

* ``label`` — the Vietnamese header schools see (the reader matches it tolerantly);
* ``kind`` — ``text``, ``code``, ``int``, ``number``, ``enum``, ``year``, ``date`` or ``stt``;
* ``vocab`` — for ``enum``: the label set (config/bo_nhan.toml) or ``don_vi`` for the roster codes;
* ``suggest`` — for ``text``: a label set offered as a dropdown that still accepts other text;
* ``required`` — ``True``, or the condition under which it is required (see :data:`REQUIRED_IF`);
* ``min``/``max`` — range for numbers (``birth_year`` ranges are relative to the school year);
* ``in_school_year`` — a date that must fall in or just after the school year (:func:`document_date_range`);
* ``max_len`` — longest accepted text; ``width`` — column width in the template; ``hint`` — input help.

Columns are validated as parsed values (normalisation turns text into numbers, dates and canonical
levels first), with the Excel row number as index.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SHEET_GUIDE = "Hướng dẫn"
SHEET_UNIT = "Đơn vị"
SHEET_COLLECTIVES = "Tập thể"
SHEET_INDIVIDUALS = "Cá nhân"
SHEET_REPORT = "Kết quả"
SHEET_META = "_meta"
SHEET_LISTS = "_lists"

# The template's identity, written in its `_meta` sheet; readers reject other versions.
TEMPLATE_ID = "CDGD-HB-DHTT"
TEMPLATE_VERSION = "1.0"  # bump when columns, sheets or meanings change

SCHOOL_MODEL = "Công đoàn trường học (GD-ĐT)"
AGENCY_MODEL = "Công đoàn cơ quan, đơn vị kiểu mẫu"
NOT_APPLICABLE = "Không áp dụng"
YES, NO = "Có", "Không"

TEXT_MAX = 2000  # SPEC §4.1: Tóm tắt thành tích ≤ 2,000 characters
COUNT_MAX = 100_000  # no school has more pupils, teachers or members than this
MONEY_MAX = 10_000_000  # nghìn đồng: ten billion đồng, far above any union fund
AGE_MIN, AGE_MAX = 18, 70  # SPEC §4.2: born between (start − 70) and (start − 18)


# Every check is named by its rule ID (schemas/rules.py): custom checks by ``name``, built-in ones by
# ``error`` (what pandera reports as the failed check); ":key" names the column a frame-wide check reports on.
REQUIRED_CHECK = pa.Check(lambda series: series.notna(), name="R01", ignore_na=False)


def _field(label: str, kind: str, *, required: bool | str = False, **meta: Any) -> Any:
    """A nullable pandera field whose metadata describes the template column; its checks carry rule IDs."""
    checks: dict[str, Any] = {}
    if kind in ("int", "number"):
        if "min" in meta:
            checks["ge"] = {"min_value": meta["min"], "error": "R04"}
        if "max" in meta:
            checks["le"] = {"max_value": meta["max"], "error": "R04"}
    if "max_len" in meta:
        checks["str_length"] = {"max_value": meta["max_len"], "error": "R05"}
    return pa.Field(nullable=True, metadata={"label": label, "kind": kind, "required": required, **meta},
                    **checks)


def _rating(label: str, width: int = 16, **meta: Any) -> Any:
    return _field(label, "enum", vocab="muc_do", required=True, width=width, **meta)


class Provenance(pa.DataFrameModel):
    """Where every row of a consolidated frame comes from (SPEC §10: `Tệp`, `Dòng`)."""

    tep: Series[str] = pa.Field(metadata={"label": "Tệp"})  # the file, relative to the inbox
    ma_don_vi: Series[str] = pa.Field(nullable=True, metadata={"label": "Mã đơn vị"})  # the unit it belongs to
    dong: Series[pd.Int64Dtype] = pa.Field(metadata={"label": "Dòng"})  # the Excel row (0 on a form)


class UnitForm(pa.DataFrameModel):
    """`Đơn vị`: who sends the file (one row: a label/value form)."""

    ma_don_vi: Series[str] = _field("Mã đơn vị", "code", vocab="don_vi", required=True,
                                    hint="Chọn mã của đơn vị trong danh sách (theo danh mục của Công đoàn ngành).")
    ten_don_vi: Series[str] = _field("Tên đơn vị", "text", required=True)
    loai_don_vi: Series[str] = _field("Loại đơn vị", "enum", vocab="loai_don_vi", required=True)
    cap_hoc: Series[str] = _field("Cấp học", "enum", vocab="cap_hoc", required=True)
    dia_ban: Series[str] = _field("Địa bàn", "enum", vocab="dia_ban", required=True)
    nam_hoc: Series[str] = _field("Năm học", "year", required=True)
    tong_so_cbgvnv: Series[pd.Int64Dtype] = _field("Tổng số CB-GV-NV", "int", required=True, min=1,
                                                   max=COUNT_MAX)
    so_doan_vien: Series[pd.Int64Dtype] = _field("Số đoàn viên", "int", required=True, min=1, max=COUNT_MAX)
    so_lao_dong_tien_tien: Series[pd.Int64Dtype] = _field("Số Lao động tiên tiến", "int", required=True,
                                                          min=0, max=COUNT_MAX)
    so_cstd_co_so: Series[pd.Int64Dtype] = _field("Số Chiến sĩ thi đua cơ sở", "int", required=True, min=0,
                                                  max=COUNT_MAX)
    so_bi_ky_luat: Series[pd.Int64Dtype] = _field("Số người bị kỷ luật", "int", required=True, min=0,
                                                  max=COUNT_MAX)
    nguoi_lap_bieu: Series[str] = _field("Người lập biểu", "text", required=True)
    chuc_vu: Series[str] = _field("Chức vụ", "text")
    dien_thoai: Series[str] = _field("Điện thoại", "code")
    email: Series[str] = _field("Email", "text")
    ngay_lap: Series[pd.Timestamp] = _field("Ngày lập", "date", required=True, in_school_year=True,
                                            hint="Ngày/tháng/năm, ví dụ 25/05/2019.")


class CollectiveRow(pa.DataFrameModel):
    """`Tập thể`: one nominated collective per row (SPEC §4.1)."""

    stt: Series[pd.Int64Dtype] = _field("STT", "stt", required=True, min=1, max=10_000, width=12,
                                        hint="Số thứ tự 1, 2, 3… Trang Cá nhân dùng số này để chỉ tập thể.")
    ten_tap_the: Series[str] = _field("Tên tập thể", "text", required=True, width=30,
                                      hint="Công đoàn trường, tổ công đoàn hoặc tổ chuyên môn.")
    loai_mo_hinh: Series[str] = _field("Loại mô hình", "enum", vocab="loai_mo_hinh", required=True, width=24)
    linh_vuc: Series[str] = _field("Lĩnh vực điển hình", "enum", vocab="linh_vuc", required=True, width=18)
    so_hoc_sinh: Series[pd.Int64Dtype] = _field("Tổng số học sinh", "int", required="school_model", min=0,
                                                max=COUNT_MAX, width=11)
    so_hs_kha_gioi: Series[pd.Int64Dtype] = _field(
        "Số học sinh đạt mức khá, giỏi", "int", required="school_model", short="Số HS khá, giỏi", min=0, max=COUNT_MAX, width=13,
        hint="Giỏi + Khá (hoặc Tốt + Khá; tiểu học: Hoàn thành xuất sắc + Hoàn thành tốt). Không lớn hơn"
             " tổng số học sinh.")
    so_giao_vien: Series[pd.Int64Dtype] = _field("Tổng số giáo viên", "int", required="school_model", min=0,
                                                 max=COUNT_MAX, width=11)
    so_gv_gioi: Series[pd.Int64Dtype] = _field(
        "Số giáo viên dạy giỏi các cấp còn hiệu lực", "int", required="school_model", short="Số GV giỏi", min=0, max=COUNT_MAX,
        width=14, hint="Danh hiệu còn hiệu lực (Thông tư 22/2019: cấp trường, huyện 1 năm; cấp tỉnh 3 năm)."
                       " Không lớn hơn tổng số giáo viên.")
    cuoc_van_dong: Series[str] = _rating(
        'Thực hiện cuộc vận động "Mỗi thầy, cô giáo là một tấm gương đạo đức, tự học và sáng tạo"', width=12,
        short="Cuộc vận động")
    truong_hoc_than_thien: Series[str] = _rating(
        'Phong trào "Xây dựng trường học thân thiện, học sinh tích cực"', width=12,
        short="Trường học thân thiện")
    doi_moi_sang_tao: Series[str] = _rating('Phong trào "Đổi mới sáng tạo trong dạy và học"', width=12,
                                                short="Đổi mới sáng tạo")
    dan_chu_co_so: Series[str] = _rating("Thực hiện quy chế dân chủ ở cơ sở", width=12, short="Dân chủ cơ sở")
    cham_lo_doan_vien: Series[str] = _rating("Chăm lo đời sống vật chất, tinh thần đoàn viên", width=12,
                                                 short="Chăm lo đoàn viên")
    cai_cach_hanh_chinh: Series[str] = _rating(
        "Cải cách hành chính", width=12,
        hint="Trường học có thể chọn Không áp dụng; cơ quan, đơn vị phải đánh giá.")
    tiet_kiem: Series[str] = _rating("Thực hành tiết kiệm, chống lãng phí", width=12, short="Tiết kiệm")
    hoc_tap_nang_cao: Series[str] = _rating("Học tập nâng cao trình độ", width=12)
    dong_gop_quy: Series[float] = _field(
        "Đóng góp các quỹ, hoạt động nhân đạo, từ thiện (nghìn đồng)", "number", required=True, min=0,
        short="Đóng góp các quỹ",
        max=MONEY_MAX, width=14, hint="Tổng số tiền trong năm học, đơn vị nghìn đồng (12.500 = 12,5 triệu đồng).")
    chuan_van_hoa: Series[str] = _field("Đạt chuẩn văn hóa (trường học / cơ quan)", "enum", vocab="co_khong",
                                        short="Chuẩn văn hóa",
                                        required=True, width=12)
    xep_loai_cdcs: Series[str] = _field("Xếp loại CĐCS", "enum", vocab="xep_loai_cdcs", required=True,
                                        width=16)
    danh_hieu: Series[str] = _field("Danh hiệu thi đua của tập thể", "enum", vocab="danh_hieu_tap_the",
                                    required=True, width=18)
    tom_tat: Series[str] = _field("Tóm tắt thành tích", "text", required=True, max_len=TEXT_MAX, width=40,
                                  hint="Tối đa 2.000 ký tự.")

    @pa.dataframe_check(name="R06:so_hs_kha_gioi", ignore_na=False)
    def good_pupils_within_pupils(cls, frame: pd.DataFrame) -> pd.Series:
        """Số học sinh khá, giỏi không lớn hơn tổng số học sinh."""
        return ~(frame["so_hs_kha_gioi"] > frame["so_hoc_sinh"]).fillna(False)

    @pa.dataframe_check(name="R06:so_gv_gioi", ignore_na=False)
    def good_teachers_within_teachers(cls, frame: pd.DataFrame) -> pd.Series:
        """Số giáo viên dạy giỏi không lớn hơn tổng số giáo viên."""
        return ~(frame["so_gv_gioi"] > frame["so_giao_vien"]).fillna(False)

    @pa.dataframe_check(name="R10:cai_cach_hanh_chinh", ignore_na=False)
    def reform_rated_by_agencies(cls, frame: pd.DataFrame) -> pd.Series:
        """Cơ quan, đơn vị phải đánh giá cải cách hành chính (không được Không áp dụng)."""
        return ~((frame["loai_mo_hinh"] == AGENCY_MODEL) & (frame["cai_cach_hanh_chinh"] == NOT_APPLICABLE))

    @pa.dataframe_check(name="R09:stt", ignore_na=False)
    def numbers_unique_per_file(cls, frame: pd.DataFrame) -> pd.Series:
        """STT không trùng trong danh sách của một đơn vị (một tệp của trường; một đơn vị trong bản tổng hợp)."""
        return ~(frame.duplicated(["tep", "ma_don_vi", "stt"], keep="first") & frame["stt"].notna())


class IndividualRow(pa.DataFrameModel):
    """`Cá nhân`: one nominated individual per row (SPEC §4.2)."""

    stt: Series[pd.Int64Dtype] = _field("STT", "stt", required=True, min=1, max=100_000, width=6)
    ho_ten: Series[str] = _field("Họ và tên", "text", required=True, width=24,
                                 hint="Họ, đệm và tên đầy đủ, ví dụ Nguyễn Thị Hương.")
    gioi_tinh: Series[str] = _field("Giới tính", "enum", vocab="gioi_tinh", required=True, width=8)
    nam_sinh: Series[pd.Int64Dtype] = _field("Năm sinh", "int", required=True, birth_year=True, width=8)
    dan_toc: Series[str] = _field("Dân tộc", "text", required=True, width=10, suggest="dan_toc",
                                  hint="Chọn trong danh sách hoặc gõ tên dân tộc khác.")
    chuc_vu: Series[str] = _field("Chức vụ", "text", required=True, width=16,
                                  hint="Hiệu trưởng, Giáo viên, Chủ tịch công đoàn…")
    la_lanh_dao: Series[str] = _field("Lãnh đạo, quản lý", "enum", vocab="co_khong", required=True, width=10)
    tap_the_dung_dau: Series[pd.Int64Dtype] = _field(
        "Tập thể do mình đứng đầu (STT ở trang Tập thể)", "int", required="leader", short="Tập thể đứng đầu", min=1, max=10_000,
        width=12, hint="Bắt buộc với người lãnh đạo, quản lý: ghi STT của tập thể ở trang Tập thể.")
    xep_loai_nhiem_vu: Series[str] = _field("Xếp loại mức độ hoàn thành nhiệm vụ", "enum", short="Xếp loại nhiệm vụ",
                                            vocab="xep_loai_nhiem_vu", required=True, width=20)
    danh_hieu: Series[str] = _field("Danh hiệu thi đua", "enum", vocab="danh_hieu_ca_nhan", required=True,
                                    width=18)
    sang_kien: Series[str] = _field("Sáng kiến / đề tài được công nhận, cấp cao nhất", "enum", short="Sáng kiến",
                                    vocab="sang_kien", required=True, width=14)
    gv_gioi: Series[str] = _field("Giáo viên dạy giỏi, cấp cao nhất", "enum", short="GV dạy giỏi", vocab="gv_gioi", required=True,
                                  width=12)
    hoc_tap_lam_theo_bac: Series[str] = _rating(
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; đổi mới tác phong, lề lối làm việc",
        width=12, short="Làm theo Bác")
    gia_dinh_van_hoa: Series[str] = _field("Gia đình văn hóa", "enum", vocab="co_khong", required=True,
                                           width=10)
    nhan_dao_tu_thien: Series[str] = _rating("Tham gia hoạt động nhân đạo, từ thiện", width=12, short="Nhân đạo, từ thiện")
    ky_luat: Series[str] = _field("Bị kỷ luật trong năm học", "enum", vocab="co_khong", required=True,
                                  width=10)
    linh_vuc: Series[str] = _field("Lĩnh vực điển hình", "enum", vocab="linh_vuc", required=True, width=16)
    tom_tat: Series[str] = _field("Tóm tắt thành tích", "text", required=True, max_len=TEXT_MAX, width=40,
                                  hint="Tối đa 2.000 ký tự.")

    @pa.dataframe_check(name="R07:ho_ten", ignore_na=False)
    def full_names(cls, frame: pd.DataFrame) -> pd.Series:
        """Họ và tên có ít nhất hai chữ."""
        return ~(frame["ho_ten"].notna() & (frame["ho_ten"].astype("string").str.split().str.len() < 2))

    @pa.dataframe_check(name="R09:stt", ignore_na=False)
    def numbers_unique_per_file(cls, frame: pd.DataFrame) -> pd.Series:
        """STT không trùng trong danh sách của một đơn vị (một tệp của trường; một đơn vị trong bản tổng hợp)."""
        return ~(frame.duplicated(["tep", "ma_don_vi", "stt"], keep="first") & frame["stt"].notna())


class ReportForm(pa.DataFrameModel):
    """`Kết quả`: the unit's annual implementation report (SPEC §4.3)."""

    co_ke_hoach: Series[str] = _field("Đơn vị có kế hoạch xây dựng, nhân rộng điển hình", "enum",
                                      vocab="co_khong", required=True)
    ngay_ke_hoach: Series[pd.Timestamp] = _field("Ngày ban hành kế hoạch", "date",
                                                 hint="Ngày/tháng/năm, ví dụ 15/09/2018.")
    so_tap_the_phat_hien: Series[pd.Int64Dtype] = _field("Số tập thể điển hình được phát hiện", "int",
                                                         min=0, max=COUNT_MAX)
    so_ca_nhan_phat_hien: Series[pd.Int64Dtype] = _field("Số cá nhân điển hình được phát hiện", "int",
                                                         min=0, max=COUNT_MAX)
    so_tap_the_lua_chon: Series[pd.Int64Dtype] = _field("Số tập thể điển hình được lựa chọn", "int",
                                                        min=0, max=COUNT_MAX)
    so_ca_nhan_lua_chon: Series[pd.Int64Dtype] = _field("Số cá nhân điển hình được lựa chọn", "int",
                                                        min=0, max=COUNT_MAX)
    so_boi_duong: Series[pd.Int64Dtype] = _field("Số điển hình được bồi dưỡng", "int", min=0, max=COUNT_MAX)
    so_nhan_rong: Series[pd.Int64Dtype] = _field(
        "Số điển hình được nhân rộng", "int", min=0, max=COUNT_MAX,
        hint="Mô hình, cách làm được tập thể khác học tập, áp dụng.")
    so_bieu_duong_don_vi: Series[pd.Int64Dtype] = _field("Số điển hình được biểu dương cấp đơn vị", "int",
                                                         min=0, max=COUNT_MAX)
    so_bieu_duong_nganh: Series[pd.Int64Dtype] = _field("Số điển hình được biểu dương cấp ngành", "int",
                                                        min=0, max=COUNT_MAX)
    so_bieu_duong_tinh: Series[pd.Int64Dtype] = _field("Số điển hình được biểu dương cấp tỉnh trở lên", "int",
                                                       min=0, max=COUNT_MAX)
    so_buoi_tuyen_truyen: Series[pd.Int64Dtype] = _field("Số buổi tuyên truyền", "int", min=0, max=COUNT_MAX)
    so_tin_bai: Series[pd.Int64Dtype] = _field("Số tin, bài được đăng", "int", min=0, max=COUNT_MAX)
    danh_gia_chung: Series[str] = _field("Đánh giá chung", "text", max_len=TEXT_MAX)
    de_xuat: Series[str] = _field("Đề xuất, kiến nghị", "text", max_len=TEXT_MAX)


SHEET_MODELS: dict[str, type[pa.DataFrameModel]] = {
    SHEET_UNIT: UnitForm,
    SHEET_COLLECTIVES: CollectiveRow,
    SHEET_INDIVIDUALS: IndividualRow,
    SHEET_REPORT: ReportForm,
}
"""Sheet name → model, in the order the template shows the sheets."""

FORM_SHEETS = (SHEET_UNIT, SHEET_REPORT)
LIST_SHEETS = (SHEET_COLLECTIVES, SHEET_INDIVIDUALS)


def column_specs(model: type[pa.DataFrameModel]) -> dict[str, dict[str, Any]]:
    """Key → metadata for every column of ``model``, in template order."""
    return dict(_SPECS[model])


def document_date_range(year_start: int, months_before: int = 8, months_after: int = 4) -> tuple[dt.date, dt.date]:
    """Plausible dates for a document of the school year starting in ``year_start`` (1/9 to 31/8): from
    ``months_before`` months before it starts to ``months_after`` months after it ends — by default 1 January of
    that year to 31 December of the next (a form dated 31/12/9999 would date the province's documents and win over
    resubmissions). The months are settings (``[gioi_han]``)."""
    first = year_start * 12 + 8 - months_before  # months since year 0, September = 8
    after_end = (year_start + 1) * 12 + 8 + months_after  # the month after the last one
    return (dt.date(first // 12, first % 12 + 1, 1),
            dt.date(after_end // 12, after_end % 12 + 1, 1) - dt.timedelta(days=1))


def birth_year_range(year_start: int) -> tuple[int, int]:
    """Accepted birth years for a school year starting in ``year_start`` (SPEC §4.2)."""
    return year_start - AGE_MAX, year_start - AGE_MIN


def sheet_schema(model: type[pa.DataFrameModel], year_start: int,
                 dates: tuple[dt.date, dt.date] | None = None) -> pa.DataFrameSchema:
    """The model's schema for one school year (birth years depend on it), accepting provenance columns.

    Args:
        dates: the plausible document dates (default :func:`document_date_range` of the year).
    """
    schema = model.to_schema()
    updates: dict[str, dict[str, Any]] = {}
    conditional = []
    for name, column in schema.columns.items():
        checks = list(column.checks)
        required = (column.metadata or {}).get("required")
        if required is True:
            checks.append(REQUIRED_CHECK)
        elif required in REQUIRED_IF:
            conditional.append(_required_if(name, *REQUIRED_IF[required]))
        if name == "nam_sinh":
            checks.append(pa.Check.in_range(*birth_year_range(year_start), error="R04"))
        if (column.metadata or {}).get("in_school_year"):
            low, high = (pd.Timestamp(d) for d in (dates or document_date_range(year_start)))
            checks.append(pa.Check.in_range(low, high, error="R04"))
        if checks != list(column.checks):
            updates[name] = {"checks": checks}
    schema = schema.update_columns(updates) if updates else schema
    if conditional:
        schema = copy.copy(schema)  # DataFrameSchema has no setter for frame-wide checks
        schema.checks = [*schema.checks, *conditional]
    return schema


# required-when conditions: (column that decides, value that makes the column required)
REQUIRED_IF = {"school_model": ("loai_mo_hinh", SCHOOL_MODEL), "leader": ("la_lanh_dao", YES)}


def _required_if(key: str, column: str, value: str) -> pa.Check:
    """R01 on ``key`` for the rows where ``column`` equals ``value``."""
    return pa.Check(lambda frame: ~((frame[column] == value) & frame[key].isna()), name=f"R01:{key}",
                    ignore_na=False)


_SPECS: dict[type[pa.DataFrameModel], dict[str, dict[str, Any]]] = {model: {name: dict(column.metadata or {}) for name, column in model.to_schema().columns.items()}
          for model in (UnitForm, CollectiveRow, IndividualRow, ReportForm)}
