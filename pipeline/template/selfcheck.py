"""The template's self-checks: Excel formulas that flag problems while a school types (SPEC §4).

Pure functions from column specs to formula text; :mod:`pipeline.template.writer` writes them. A check is a
condition that is TRUE when a cell has a problem, plus the short Vietnamese message shown in the row's
``Cần sửa`` cell. Conditions are wrapped in ``IFERROR(…, TRUE)`` so that text where a number belongs counts
as a problem instead of an error value. Only functions that Excel 2007+ and LibreOffice both know are used.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.vi.numbers import vi_bound, vi_number
from schemas.submission import birth_year_range, document_date_range

# Separates messages in a row's "Cần sửa" cell; the row's problem count is the number of separators,
# so no message may contain it.
SEPARATOR = ";"


@dataclass(frozen=True)
class Check:
    """A problem condition on one column (``{c}`` is the cell, ``{r}`` the row, ``{col:key}`` other columns).

    ``rule`` is the ID of the intake rule the check anticipates (schemas/rules.py), so that a school sees
    in the template what the consolidation would report.
    """

    key: str
    rule: str
    condition: str
    message: str


@dataclass(frozen=True)
class CheckContext:
    """What the checks need to know about the year's template."""

    yes: str  # the label of "Có"
    school_model: str
    agency_model: str
    not_applicable: str
    year_start: int
    collective_stt: str  # absolute reference to the STT column of Tập thể
    started: str  # formula true when the form is in use (forms only)
    dates: tuple[dt.date, dt.date] | None = None  # the plausible document dates (default: those of the year)

    @property
    def document_dates(self) -> tuple[dt.date, dt.date]:
        return self.dates or document_date_range(self.year_start)


def column_checks(specs: Mapping[str, Mapping[str, Any]], context: CheckContext, *, form: bool
                  ) -> list[Check]:
    """Every check implied by the column specs (required, lists, ranges, lengths) plus the cross rules.

    Args:
        specs: key → metadata, from :func:`schemas.submission.column_specs`.
        context: the year's labels and references.
        form: True for label/value forms, where a missing required value counts once the form is in use.
    """
    checks: list[Check] = []
    for key, meta in specs.items():
        name = meta.get("short") or meta["label"]
        kind = meta["kind"]
        filled = "LEN(TRIM({c}))>0"
        required = meta.get("required")
        if required is True:
            condition = "LEN(TRIM({c}))=0"
            checks.append(Check(key, "R01", f"AND({context.started},{condition})" if form else condition,
                                f"Thiếu {name}"))
        elif required == "school_model":
            checks.append(Check(key, "R01", f'AND({{col:loai_mo_hinh}}="{context.school_model}",LEN(TRIM({{c}}))=0)',
                                f"Thiếu {name} (bắt buộc với công đoàn trường học)"))
        elif required == "leader":
            checks.append(Check(key, "R01", f'AND({{col:la_lanh_dao}}="{context.yes}",LEN(TRIM({{c}}))=0)',
                                f"Thiếu {name} (bắt buộc với người lãnh đạo, quản lý)"))
        if kind in ("enum", "code"):
            if meta.get("vocab"):
                checks.append(Check(key, "R02", f"AND({filled},ISNA(MATCH(TRIM({{c}}),ds_{meta['vocab']},0)))",
                                    f"{name}: chọn trong danh sách"))
        elif kind in ("int", "stt", "number"):
            low, high = _bounds(meta, context)
            whole = "{c}<>INT({c})," if kind != "number" else ""
            what = "số nguyên" if kind != "number" else "số"
            checks.append(Check(key, "R04", f"AND({filled},OR(NOT(ISNUMBER({{c}})),{whole}{{c}}<{low:g},{{c}}>{high:g}))",
                                f"{name}: cần {what} từ {_vn(low, meta)} đến {_vn(high, meta)}"))
        elif kind == "date":
            checks.append(Check(key, "R03", f"AND({filled},NOT(ISNUMBER({{c}})))",
                                f"{name}: cần ngày dạng ngày/tháng/năm"))
            if meta.get("in_school_year"):
                first, last = context.document_dates
                checks.append(Check(key, "R04", f"AND(ISNUMBER({{c}}),OR({{c}}<{_date(first)},{{c}}>{_date(last)}))",
                                    f"{name}: cần ngày từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"))
        if meta.get("max_len"):
            checks.append(Check(key, "R05", f"LEN({{c}})>{meta['max_len']}",
                                f"{name}: dài quá {vi_number(meta['max_len'])} ký tự"))
    return checks + _cross_checks(specs, context)


def _cross_checks(specs: Mapping[str, Mapping[str, Any]], context: CheckContext) -> list[Check]:
    """Rules between columns of one row (SPEC §4.1, §4.2)."""
    checks: list[Check] = []
    if "so_hs_kha_gioi" in specs:
        checks.append(Check("so_hs_kha_gioi", "R06", "AND(ISNUMBER({c}),ISNUMBER({col:so_hoc_sinh}),{c}>{col:so_hoc_sinh})",
                            "Số HS khá, giỏi lớn hơn Tổng số học sinh"))
        checks.append(Check("so_gv_gioi", "R06", "AND(ISNUMBER({c}),ISNUMBER({col:so_giao_vien}),{c}>{col:so_giao_vien})",
                            "Số GV giỏi lớn hơn Tổng số giáo viên"))
        checks.append(Check("cai_cach_hanh_chinh", "R10",
                            f'AND({{col:loai_mo_hinh}}="{context.agency_model}",TRIM({{c}})="{context.not_applicable}")',
                            f"Cải cách hành chính: cơ quan, đơn vị không được chọn {context.not_applicable}"))
    if "ho_ten" in specs:
        checks.append(Check("ho_ten", "R07", 'AND(LEN(TRIM({c}))>0,ISERROR(FIND(" ",TRIM({c}))))',
                            "Họ và tên: cần đủ họ và tên"))
        checks.append(Check("tap_the_dung_dau", "R08",
                            f"AND(ISNUMBER({{c}}),COUNTIF({context.collective_stt},{{c}})=0)",
                            "Tập thể đứng đầu: không có STT này ở trang Tập thể"))
    if "stt" in specs:
        checks.append(Check("stt", "R09", "AND(ISNUMBER({c}),COUNTIF({stt_column},{c})>1)", "STT bị trùng"))
    return checks


def year_check(school_year: str) -> Check:
    """The form's school year must be the template's (F08 on intake)."""
    return Check("nam_hoc", "F08", f'TRIM({{c}})<>"{school_year}"',
                 f"Năm học phải là {school_year}: dùng đúng biểu mẫu của năm học")


def _date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def _bounds(meta: Mapping[str, Any], context: CheckContext) -> tuple[float, float]:
    if meta.get("birth_year"):
        low, high = birth_year_range(context.year_start)
        return float(low), float(high)
    return float(meta.get("min", 0)), float(meta.get("max", 1e9))


def render(condition: str, cell: str, columns: Mapping[str, str], row: int, stt_column: str = "") -> str:
    """Fill a condition's placeholders for one cell of one row.

    Args:
        condition: a :class:`Check` condition.
        cell: the checked cell (``E7``).
        columns: key → column letter, for ``{col:key}`` (made absolute in the column).
        row: the Excel row number, for ``{col:key}``.
        stt_column: absolute reference to this sheet's STT column, for duplicate checks.
    """
    text = condition.replace("{stt_column}", stt_column) if "{stt_column}" in condition else condition
    for key in _column_keys(condition):  # only the columns the condition names (it runs for every cell)
        text = text.replace(f"{{col:{key}}}", f"${columns[key]}{row}")
    return text.replace("{c}", cell)


@functools.lru_cache(maxsize=None)
def _column_keys(condition: str) -> tuple[str, ...]:
    """The keys of the ``{col:key}`` placeholders of a condition, once per distinct condition."""
    return tuple(dict.fromkeys(re.findall(r"\{col:([a-z_]+)\}", condition)))


def problem_text_formula(parts: list[tuple[str, str]], row_range: str | None) -> str:
    """The ``Cần sửa`` formula of a row: one message per failed check, each ending in SEPARATOR.

    Args:
        parts: (rendered condition, message) pairs for this row.
        row_range: the row's data cells (``$A7:$U7``), so that an empty row has no problems; None on forms.
    """
    pieces = "&".join(f'IF(IFERROR({cond},TRUE),"{msg}{SEPARATOR} ","")' for cond, msg in parts)
    return f'=IF(COUNTA({row_range})=0,"",{pieces})' if row_range else f"={pieces}"


def problem_count_formula(text_cell: str) -> str:
    """The number of problems in a ``Cần sửa`` cell (one SEPARATOR each)."""
    return f'=LEN({text_cell})-LEN(SUBSTITUTE({text_cell},"{SEPARATOR}",""))'


def _vn(number: float, meta: Mapping[str, Any]) -> str:
    """A bound written the Vietnamese way: grouped, except a year (``1950``)."""
    return vi_bound(number, year=bool(meta.get("birth_year")))
