"""Validation: pandera models per sheet (lazy), cross-sheet rules, plausibility, identity (SPEC §5).

Input: normalised submissions. Output: typed frames of every sheet with provenance columns
(``tep``, ``ma_don_vi``, ``dong``), and findings. Bad data never raises; a broken check does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

from pipeline.cells import as_text, is_missing
from pipeline.criteria import Criteria
from pipeline.normalise import Submission
from pipeline.rules import Finding
from pipeline.vi.text import canonical_key
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_MODELS,
    SHEET_REPORT,
    SHEET_UNIT,
    YES,
    birth_year_range,
    column_specs,
    sheet_schema,
)

PROVENANCE = ["tep", "ma_don_vi", "dong"]
RANGE_CHECKS = ("greater_than_or_equal_to", "less_than_or_equal_to", "in_range", "R04")


@dataclass
class Validated:
    """Typed frames of every sheet (accepted files only) and every finding."""

    units: pd.DataFrame
    collectives: pd.DataFrame
    individuals: pd.DataFrame
    reports: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)


def check_identity(submission: Submission, school_year: str, units: pd.DataFrame, template_id: str,
                   template_version: str) -> list[Finding]:
    """File-level rules: our template, its version and year, a unit of the roster (F06–F11, W08).

    Args:
        submission: one normalised file.
        school_year: the year being consolidated.
        units: roster rows valid that year.
        template_id: the template identity written in `_meta`.
        template_version: the version this pipeline reads.
    """
    file, meta, unit = submission.file, submission.meta, submission.unit
    findings: list[Finding] = []
    unit_sheet = submission.sheet_names.get(SHEET_UNIT, SHEET_UNIT)
    cells = submission.cells.get(SHEET_UNIT, {})
    if meta and meta.get("mau_id") != template_id:
        findings.append(Finding("F06", file, sheet="_meta", found=f'mã biểu mẫu "{meta.get("mau_id", "")}"',
                                expected=f"biểu mẫu {template_id} năm học {school_year} (tạo bằng make template)"))
        return findings
    if meta and meta.get("phien_ban") != template_version:
        findings.append(Finding("F07", file, sheet="_meta", found=f'phiên bản "{meta.get("phien_ban", "")}"',
                                expected=f"biểu mẫu phiên bản {template_version} năm học {school_year}: tải biểu mẫu "
                                         f"Mau_DienHinh_{school_year}.xlsx mới"))
        return findings
    years = {y for y in (meta.get("nam_hoc"), unit.get("nam_hoc")) if y}
    if len(years) > 1:
        findings.append(Finding("F08", file, sheet=unit_sheet, cell=cells.get("nam_hoc", ""), column="Năm học",
                                found=f'năm học "{unit.get("nam_hoc")}" trên biểu mẫu năm học {meta.get("nam_hoc")}',
                                expected=f"dùng đúng biểu mẫu Mau_DienHinh_{school_year}.xlsx"))
    code = unit.get("ma_don_vi")
    if not code:
        findings.append(Finding("F10", file, sheet=unit_sheet, cell=cells.get("ma_don_vi", "B5"), column="Mã đơn vị",
                                found="ô trống", expected="mã đơn vị chọn trong danh sách"))
        return findings
    roster = units.set_index("ma_don_vi")
    if code not in roster.index:
        padded = _padded_code(code, roster.index)
        if padded is None:
            findings.append(Finding("F11", file, sheet=unit_sheet, cell=cells.get("ma_don_vi", ""), column="Mã đơn vị",
                                    found=f'"{code}"', expected=f"mã của một đơn vị trong danh mục năm học {school_year}"))
            return findings
        findings.append(Finding("W03", file, sheet=unit_sheet, cell=cells.get("ma_don_vi", ""), column="Mã đơn vị",
                                found=f'"{code}" (Excel bỏ số 0 ở đầu)', expected=f'đã hiểu là mã "{padded}"'))
        submission.unit["ma_don_vi"] = code = padded
    record = roster.loc[code]
    for key, label in (("ten_don_vi", "Tên đơn vị"), ("loai_don_vi", "Loại đơn vị"), ("cap_hoc", "Cấp học"),
                       ("dia_ban", "Địa bàn")):
        given = unit.get(key)
        if given and canonical_key(str(given)) != canonical_key(str(record[key])):
            findings.append(Finding("W08", file, sheet=unit_sheet, cell=cells.get(key, ""), column=label,
                                    found=f'"{given}"', expected=f'theo danh mục là "{record[key]}" (dùng giá trị này)'))
    return findings


def _padded_code(code: str, known: Iterable[str]) -> str | None:
    """The roster code that ``code`` is once Excel's dropped leading zeros are restored, if unique."""
    if not code.isdigit():
        return None
    matches = [k for k in known if k.isdigit() and k.lstrip("0") == code.lstrip("0")]
    return matches[0] if len(matches) == 1 else None


def validate_submissions(submissions: list[Submission], school_year: str, criteria: Criteria) -> Validated:
    """Validate accepted (not rejected) submissions of one school year, all files at once.

    Returns:
        Typed frames (one row per form, one per list row) and the findings of pandera checks, cross-sheet
        rules and plausibility warnings. Cells already reported by normalisation are not reported again.
    """
    start = int(school_year[:4])
    frames = {sheet: _frame(submissions, sheet) for sheet in SHEET_MODELS}
    flagged = {(s.file, sheet_name, row, key) for s in submissions for sheet_name, row, key in s.flagged}
    by_file = {s.file: s for s in submissions}
    findings: list[Finding] = []
    for sheet, model in SHEET_MODELS.items():
        findings += _run_schema(frames[sheet], sheet_schema(model, start), sheet, by_file, flagged, start)
    findings += _leaders_collectives(frames[SHEET_INDIVIDUALS], frames[SHEET_COLLECTIVES], by_file)
    findings += _duplicate_people(frames[SHEET_INDIVIDUALS], by_file)
    findings += _plausibility(frames[SHEET_UNIT], frames[SHEET_COLLECTIVES], criteria, by_file)
    return Validated(frames[SHEET_UNIT], frames[SHEET_COLLECTIVES], frames[SHEET_INDIVIDUALS], frames[SHEET_REPORT],
                     findings)


def _frame(submissions: list[Submission], sheet: str) -> pd.DataFrame:
    """One typed frame of a sheet across files, with provenance columns first."""
    specs = column_specs(SHEET_MODELS[sheet])
    records = []
    for submission in submissions:
        rows = {SHEET_UNIT: [submission.unit], SHEET_REPORT: [submission.report],
                SHEET_COLLECTIVES: submission.collectives, SHEET_INDIVIDUALS: submission.individuals}[sheet]
        for row in rows:
            if row:
                records.append({"tep": submission.file, "ma_don_vi": submission.unit.get("ma_don_vi"),
                                **{k: row.get(k) for k in ["dong", *specs]}})
    columns = {"tep": pd.Series(dtype="string"), "ma_don_vi": pd.Series(dtype="string"),
               "dong": pd.Series(dtype="Int64")}
    frame = pd.DataFrame.from_records(records, columns=["tep", "ma_don_vi", "dong", *specs]) if records else \
        pd.DataFrame({**columns, **{k: pd.Series(dtype="object") for k in specs}})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for key, meta in {"tep": {"kind": "text"}, "dong": {"kind": "int"}, **specs}.items():
        frame[key] = _typed(frame[key], meta["kind"])
    frame["ma_don_vi"] = frame["ma_don_vi"].astype("string")
    return frame.reset_index(drop=True)


def _typed(column: pd.Series, kind: str) -> pd.Series:
    if kind in ("int", "stt"):
        return pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in column],
                        dtype="Int64")
    if kind == "number":
        return column.astype("Float64")
    if kind == "date":
        return pd.to_datetime(column)
    return column.astype("string")


def _run_schema(frame: pd.DataFrame, schema: pa.DataFrameSchema, sheet: str, by_file: Mapping[str, Submission],
                flagged: set[tuple[str, str, int, str]], start: int) -> list[Finding]:
    if frame.empty:
        return []
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    specs = column_specs(SHEET_MODELS[sheet])
    findings = []
    seen: set[tuple[str, int, str]] = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        rule, _, key = check.partition(":")
        if rule in RANGE_CHECKS or check.startswith(RANGE_CHECKS):
            rule = "R04"
        elif check.startswith("str_length"):
            rule = "R05"
        elif not (rule.startswith("R") and rule[1:].isdigit()):
            raise RuntimeError(f"unexpected pandera failure on {sheet}: {case}")  # a broken check, not bad data
        key = key or str(case.column)
        index = case.index
        if index is None or (rule, int(index), key) in seen or key not in specs:
            continue
        seen.add((rule, int(index), key))
        row = frame.loc[int(index)]
        submission = by_file[str(row["tep"])]
        found_sheet, cell, excel_row = _where(submission, sheet, key, row)
        if (str(row["tep"]), found_sheet, excel_row, key) in flagged:
            continue
        meta = specs[key]
        value = row[key]
        findings.append(Finding(rule, submission.file, sheet=found_sheet, cell=cell, column=meta["label"],
                                found="ô trống" if is_missing(value) else f'"{as_text(_plain(value))}"',
                                expected=_expected(rule, key, meta, specs, start), row=excel_row, key=key))
    return findings


def _where(submission: Submission, sheet: str, key: str, row: pd.Series) -> tuple[str, str, int]:
    """(sheet name in the file, cell, Excel row) of one value."""
    found_sheet = submission.sheet_names.get(sheet, sheet)
    cells = submission.cells.get(sheet, {})
    if sheet in (SHEET_UNIT, SHEET_REPORT):
        cell = cells.get(key, "")
        return found_sheet, cell, int("".join(ch for ch in cell if ch.isdigit()) or 0)
    excel_row = int(row["dong"])
    return found_sheet, f"{cells.get(key, '?')}{excel_row}", excel_row


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _expected(rule: str, key: str, meta: Mapping[str, Any], specs: Mapping[str, Mapping[str, Any]], start: int) -> str:
    """What a school should have written, for each rule."""
    if rule == "R01":
        return {"school_model": "ghi số (bắt buộc với công đoàn trường học)",
                "leader": "STT của tập thể do mình đứng đầu (bắt buộc với lãnh đạo, quản lý)"}.get(
            str(meta.get("required")), "ghi thông tin này (bắt buộc)")
    if rule == "R04":
        if meta.get("birth_year"):
            low, high = birth_year_range(start)
        else:
            low, high = meta.get("min", 0), meta.get("max", 0)
        return f"số từ {low} đến {high}"
    if rule == "R05":
        return f"tối đa {meta.get('max_len')} ký tự"
    if rule == "R06":
        total = {"so_hs_kha_gioi": "so_hoc_sinh", "so_gv_gioi": "so_giao_vien"}[key]
        return f'số không lớn hơn "{specs[total]["label"]}"'
    if rule == "R07":
        return "họ và tên đầy đủ (ít nhất hai chữ)"
    if rule == "R09":
        return "mỗi tập thể, mỗi người một STT riêng"
    if rule == "R10":
        return "một mức đánh giá (cơ quan, đơn vị không được chọn Không áp dụng)"
    return ""


def _leaders_collectives(people: pd.DataFrame, collectives: pd.DataFrame,
                         by_file: Mapping[str, Submission]) -> list[Finding]:
    """R08: a leader's collective (by STT) must be on the same file's `Tập thể`."""
    numbers = set(zip(collectives["tep"], collectives["stt"].astype("object")))
    findings = []
    leaders = people[(people["la_lanh_dao"] == YES) & people["tap_the_dung_dau"].notna()]
    for row in leaders.itertuples(index=False):
        if (row.tep, row.tap_the_dung_dau) not in numbers:
            submission = by_file[row.tep]
            sheet = submission.sheet_names.get(SHEET_INDIVIDUALS, SHEET_INDIVIDUALS)
            letter = submission.cells.get(SHEET_INDIVIDUALS, {}).get("tap_the_dung_dau", "?")
            findings.append(Finding("R08", row.tep, sheet=sheet, cell=f"{letter}{row.dong}",
                                    column="Tập thể do mình đứng đầu (STT ở trang Tập thể)",
                                    found=f"STT {row.tap_the_dung_dau}",
                                    expected="STT của một tập thể có trong trang Tập thể của tệp này",
                                    row=int(row.dong), key="tap_the_dung_dau"))
    return findings


def person_key(name: object, birth_year: object) -> tuple[str, object]:
    """How a person is recognised: canonical name (tone placement folded) and birth year."""
    return canonical_key(str(name)), None if is_missing(birth_year) else int(birth_year)  # type: ignore[call-overload]


def _duplicate_people(people: pd.DataFrame, by_file: Mapping[str, Submission]) -> list[Finding]:
    """R11: the same person twice in one file (the later rows are errors)."""
    findings: list[Finding] = []
    seen: dict[tuple[str, tuple[str, object]], int] = {}
    for row in people[people["ho_ten"].notna()].itertuples(index=False):
        key = (row.tep, person_key(row.ho_ten, row.nam_sinh))
        if key in seen:
            submission = by_file[row.tep]
            sheet = submission.sheet_names.get(SHEET_INDIVIDUALS, SHEET_INDIVIDUALS)
            letter = submission.cells.get(SHEET_INDIVIDUALS, {}).get("ho_ten", "?")
            findings.append(Finding("R11", row.tep, sheet=sheet, cell=f"{letter}{row.dong}", column="Họ và tên",
                                    found=f'"{row.ho_ten}" đã có ở dòng {seen[key]}',
                                    expected="mỗi người một dòng", row=int(row.dong), key="ho_ten"))
        else:
            seen[key] = int(row.dong)
    return findings


def duplicates_across_units(people: pd.DataFrame, by_file: Mapping[str, Submission]) -> list[Finding]:
    """W12: the same person (name + birth year) nominated by two units (on every row concerned)."""
    findings: list[Finding] = []
    if people.empty:
        return findings
    keys = [person_key(n, y) for n, y in zip(people["ho_ten"], people["nam_sinh"])]
    frame = people.assign(_key=keys)
    for _, group in frame[frame["ho_ten"].notna()].groupby("_key", sort=True):
        if group["ma_don_vi"].nunique() < 2:
            continue
        for row in group.itertuples(index=False):
            others = sorted(set(group["ma_don_vi"]) - {row.ma_don_vi})
            submission = by_file[row.tep]
            sheet = submission.sheet_names.get(SHEET_INDIVIDUALS, SHEET_INDIVIDUALS)
            letter = submission.cells.get(SHEET_INDIVIDUALS, {}).get("ho_ten", "?")
            findings.append(Finding("W12", row.tep, sheet=sheet, cell=f"{letter}{row.dong}", column="Họ và tên",
                                    found=f'"{row.ho_ten}" ({row.nam_sinh})',
                                    expected=f"cũng được đơn vị {', '.join(others)} đề nghị; cần thống nhất một đơn vị",
                                    row=int(row.dong), key="ho_ten"))
    return findings


def _plausibility(units: pd.DataFrame, collectives: pd.DataFrame, criteria: Criteria,
                  by_file: Mapping[str, Submission]) -> list[Finding]:
    """W09–W11: titles against the unit's own emulation results (thresholds in the criteria file)."""
    limits = criteria.plausibility
    findings: list[Finding] = []
    titled = {file: rows for file, rows in collectives[collectives["danh_hieu"].notna()].groupby("tep")}
    for unit in units.itertuples(index=False):
        staff, advanced, soldiers, disciplined = (unit.tong_so_cbgvnv, unit.so_lao_dong_tien_tien,
                                                  unit.so_cstd_co_so, unit.so_bi_ky_luat)
        submission = by_file[unit.tep]
        cells = submission.cells.get(SHEET_UNIT, {})
        unit_sheet = submission.sheet_names.get(SHEET_UNIT, SHEET_UNIT)
        if not is_missing(advanced) and not is_missing(soldiers) and advanced > 0:
            cap = limits.get("cstd_toi_da_tren_ldtt", 15)
            if soldiers * 100 > cap * advanced:
                findings.append(Finding("W11", unit.tep, sheet=unit_sheet, cell=cells.get("so_cstd_co_so", ""),
                                        column="Số Chiến sĩ thi đua cơ sở",
                                        found=f"{soldiers} trên {advanced} Lao động tiên tiến",
                                        expected=f"không quá {cap:g} % số Lao động tiên tiến"))
        if is_missing(staff) or is_missing(advanced) or staff <= 0:
            continue
        share = 100 * advanced / staff
        own = titled.get(unit.tep, collectives.iloc[0:0])
        letters = submission.cells.get(SHEET_COLLECTIVES, {})
        collective_sheet = submission.sheet_names.get(SHEET_COLLECTIVES, SHEET_COLLECTIVES)
        for row in own.itertuples(index=False):
            cell = f"{letters.get('danh_hieu', '?')}{row.dong}"
            if row.danh_hieu == "Tập thể lao động tiên tiến" and share <= limits.get("ldtt_cho_tap_the_tien_tien", 50):
                findings.append(Finding("W09", unit.tep, sheet=collective_sheet, cell=cell,
                                        column="Danh hiệu thi đua của tập thể",
                                        found=f"{advanced}/{staff} người Lao động tiên tiến ({share:.0f} %)",
                                        expected=f"trên {limits.get('ldtt_cho_tap_the_tien_tien', 50):g} %",
                                        row=int(row.dong), key="danh_hieu"))
            if row.danh_hieu == "Tập thể lao động xuất sắc":
                needed = limits.get("ldtt_cho_tap_the_xuat_sac", 70)
                problems = []
                if share < needed:
                    problems.append(f"{share:.0f} % Lao động tiên tiến")
                if is_missing(soldiers) or soldiers < 1:
                    problems.append("không có Chiến sĩ thi đua cơ sở")
                if not is_missing(disciplined) and disciplined > 0:
                    problems.append(f"{disciplined} người bị kỷ luật")
                if problems:
                    findings.append(Finding("W10", unit.tep, sheet=collective_sheet, cell=cell,
                                            column="Danh hiệu thi đua của tập thể", found="; ".join(problems),
                                            expected=f"từ {needed:g} % Lao động tiên tiến, có Chiến sĩ thi đua cơ sở, "
                                                     "không ai bị kỷ luật", row=int(row.dong), key="danh_hieu"))
    return findings
