"""The scored nominations: the columns that scoring adds to each `Tập thể` / `Cá nhân` row (SPEC §6, §10).

The consolidated workbook's sheets `Tập thể` and `Cá nhân` are these frames, one header row, so that the
level above can read them back by program (the labels below are its headers).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.submission import CollectiveRow, IndividualRow, Provenance


class Scores(pa.DataFrameModel):
    """What scoring and ranking add to a nomination."""

    doi_tuong: Series[str] = pa.Field(nullable=True, metadata={"label": "Đối tượng"})  # criteria target code
    diem: Series[float] = pa.Field(nullable=True, metadata={"label": "Điểm"})  # 0–100, one decimal, half up
    xep_loai: Series[str] = pa.Field(metadata={"label": "Xếp loại"})
    nhom_manh: Series[str] = pa.Field(nullable=True, metadata={"label": "Nhóm đạt từ 90 %"})
    ly_do: Series[str] = pa.Field(nullable=True, metadata={"label": "Lý do không đủ điều kiện"})
    hang: Series[pd.Int64Dtype] = pa.Field(nullable=True, metadata={"label": "Hạng"})
    de_nghi: Series[bool] = pa.Field(metadata={"label": "Đề nghị biểu dương"})
    dv_ten_don_vi: Series[str] = pa.Field(nullable=True, metadata={"label": "Tên đơn vị"})  # from the roster
    dv_dia_ban: Series[str] = pa.Field(nullable=True, metadata={"label": "Địa bàn"})
    dv_cap_hoc: Series[str] = pa.Field(nullable=True, metadata={"label": "Cấp học"})
    dv_so_doan_vien: Series[float] = pa.Field(nullable=True, metadata={"label": "Số đoàn viên của đơn vị"})
    co_quan_gui: Series[str] = pa.Field(nullable=True, metadata={"label": "Cơ quan gửi"})  # roll-up: the body below


class ScoredCollective(Provenance, CollectiveRow, Scores):
    """One scored collective."""


class ScoredIndividual(Provenance, IndividualRow, Scores):
    """One scored individual."""


POINTS_PREFIX = "diem__"  # + criterion code: points earned on one criterion
GROUP_PREFIX = "nhom__"  # + group name: points earned in one group
