"""Validation: pandera models per sheet (lazy, all files at once) and the cross-sheet rules (SPEC §5).

Input: normalised submissions. Output: one typed frame per sheet across files, with provenance columns
(``tep``, ``ma_don_vi``, ``dong``), and findings. Every pandera check names its rule ID (``R04``, or
``R06:so_gv_gioi`` for a frame-wide check on one column); a failure whose check names no rule is a broken
check, not bad data, and raises. Plausibility warnings are :mod:`pipeline.intake.plausibility`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline.config.year import YearConfig
from pipeline.intake.cells import as_text, is_missing
from pipeline.intake.normalise import Submission
from pipeline.intake.outcome import Validated
from pipeline.intake.plausibility import check_plausibility
from pipeline.intake.read import ROW, SPECS
from pipeline.vi.numbers import vi_number
from pipeline.vi.text import canonical_key
from schemas.rules import RULES, Finding, finding
from schemas.scored import Scores
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_MODELS,
    SHEET_REPORT,
    SHEET_UNIT,
    YES,
    CollectiveRow,
    IndividualRow,
    Provenance,
    birth_year_range,
    sheet_schema,
)

PROVENANCE = [Provenance.tep, Provenance.ma_don_vi, Provenance.dong]
TOTALS = {"so_hs_kha_gioi": "so_hoc_sinh", "so_gv_gioi": "so_giao_vien"}  # R06: part → whole


def validate_submissions(submissions: Sequence[Submission], year: YearConfig) -> Validated:
    """Validate accepted (not rejected) submissions of one school year, all files at once.

    Returns:
        Typed frames (one row per form, one per list row) and the findings of pandera checks, cross-sheet
        rules and plausibility warnings. Cells already reported by normalisation are not reported again.
    """
    frames = {sheet: sheet_frame(submissions, sheet) for sheet in SHEET_MODELS}
    flagged = {(s.file, sheet_name, row, key) for s in submissions for sheet_name, row, key in s.flagged}
    by_file = {s.file: s for s in submissions}
    findings: list[Finding] = []
    for sheet, model in SHEET_MODELS.items():
        findings += _run_schema(frames[sheet], sheet_schema(model, year.start, year.document_dates), sheet, by_file,
                                flagged, year)
    findings += _leaders_collectives(frames[SHEET_INDIVIDUALS], frames[SHEET_COLLECTIVES], by_file)
    findings += _duplicate_people(frames[SHEET_INDIVIDUALS], by_file)
    findings += check_plausibility(frames[SHEET_UNIT], frames[SHEET_COLLECTIVES], year.criteria, by_file)
    return Validated(frames[SHEET_UNIT], frames[SHEET_COLLECTIVES], frames[SHEET_INDIVIDUALS], frames[SHEET_REPORT],
                     tuple(findings))


def validate_rollup(submissions: Sequence[Submission], units: pd.DataFrame, bodies: Mapping[str, str],
                    year: YearConfig) -> Validated:
    """Validate the lists and reports of the bodies below (a roll-up), all files at once: the same pandera checks
    and cross-row rules as a school's lists, per school of each file (the forms are not in a consolidated workbook:
    ``units`` gives each school's name, area, level and members as the body below recorded them).

    Args:
        units: one row per (``tep``, ``ma_don_vi``) with the `Đơn vị` fields known.
        bodies: file → the body below that wrote it (the `Cơ quan gửi` of its rows).
    """
    sheets = (SHEET_COLLECTIVES, SHEET_INDIVIDUALS, SHEET_REPORT)
    frames = {sheet: sheet_frame(submissions, sheet) for sheet in sheets}
    flagged = {(s.file, sheet_name, row, key) for s in submissions for sheet_name, row, key in s.flagged}
    by_file = {s.file: s for s in submissions}
    findings: list[Finding] = []
    for sheet in sheets:
        findings += _run_schema(frames[sheet], sheet_schema(SHEET_MODELS[sheet], year.start, year.document_dates),
                                sheet, by_file, flagged, year)
    findings += _leaders_collectives(frames[SHEET_INDIVIDUALS], frames[SHEET_COLLECTIVES], by_file)
    findings += _duplicate_people(frames[SHEET_INDIVIDUALS], by_file)
    for sheet in (SHEET_COLLECTIVES, SHEET_INDIVIDUALS):
        frames[sheet][Scores.co_quan_gui] = frames[sheet][Provenance.tep].map(bodies)
    return Validated(units, frames[SHEET_COLLECTIVES], frames[SHEET_INDIVIDUALS], frames[SHEET_REPORT],
                     tuple(findings))


UNIT_OF_ROW = "_ma_don_vi_dong"  # a row's own unit, when a file holds many (a roll-up); else the file's unit


def sheet_frame(submissions: Sequence[Submission], sheet: str) -> pd.DataFrame:
    """One typed frame of a sheet across files, with provenance columns first."""
    specs = SPECS[sheet]
    columns = list(dict.fromkeys([*PROVENANCE, *specs]))  # `Đơn vị` has its own ma_don_vi
    present = [s for s in submissions if sheet in s.frames and not s.frames[sheet].empty]
    if present:
        frame = pd.concat([s.frames[sheet] for s in present], ignore_index=True)
        lengths = [len(s.frames[sheet]) for s in present]  # provenance added once, not a copy of each file's frame
        frame[Provenance.tep] = np.repeat(np.array([s.file for s in present], dtype=object), lengths)
        frame[Provenance.ma_don_vi] = np.repeat(np.array([s.unit.get(Provenance.ma_don_vi) for s in present],
                                                         dtype=object), lengths)
        if UNIT_OF_ROW in frame:
            own = frame[UNIT_OF_ROW]
            frame[Provenance.ma_don_vi] = own.where(own.notna(), frame[Provenance.ma_don_vi])
        frame = frame.reindex(columns=columns)
        frame = frame.astype(object).where(frame.notna(), None)
    else:
        frame = pd.DataFrame({column: pd.Series(dtype="object") for column in columns})
    for key, meta in {Provenance.tep: {"kind": "text"}, Provenance.dong: {"kind": "int"}, **specs}.items():
        frame[key] = _typed(frame[key], meta["kind"])
    frame[Provenance.ma_don_vi] = frame[Provenance.ma_don_vi].astype("string")
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


def rule_of(check: str) -> tuple[str, str]:
    """(rule ID, column key or "") of a pandera check as it reports itself (``R06:so_gv_gioi``)."""
    rule, _, key = check.partition(":")
    if rule not in RULES:
        raise RuntimeError(f"a pandera check without a rule ID: {check!r}")  # a broken check, not bad data
    return rule, key


def _run_schema(frame: pd.DataFrame, schema: pa.DataFrameSchema, sheet: str, by_file: Mapping[str, Submission],
                flagged: set[tuple[str, str, int, str]], year: YearConfig) -> list[Finding]:
    if frame.empty:
        return []
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    specs = SPECS[sheet]
    findings = []
    seen: set[tuple[str, int, str]] = set()
    for case in cases.itertuples(index=False):
        rule, key = rule_of(str(case.check))
        key = key or str(case.column)
        index = case.index
        if index is None or (rule, int(index), key) in seen or key not in specs:
            continue
        seen.add((rule, int(index), key))
        row = frame.loc[int(index)]
        submission = by_file[str(row[Provenance.tep])]
        excel_row = int(row[ROW])
        if (submission.file, submission.sheet_name(sheet), excel_row, key) in flagged:
            continue  # normalisation already said what is wrong with this value (a form's row is 0 there)
        cell = submission.cell_of(sheet, key, excel_row)
        if excel_row == 0:  # a form: its fields are rows of the sheet
            excel_row = int("".join(ch for ch in cell if ch.isdigit()) or 0)
        found_sheet = submission.sheet_name(sheet)
        meta = specs[key]
        value = row[key]
        shown = "ô trống" if is_missing(value) else f'"{as_text(_plain(value))}"'
        variant, values = _message(rule, key, meta, year)
        findings.append(finding(rule, submission.file, variant, sheet=found_sheet, cell=cell, column=meta["label"],
                                row=excel_row, key=key, value=shown, **values))
    return findings


def _message(rule: str, key: str, meta: Mapping[str, Any], year: YearConfig) -> tuple[str, dict[str, Any]]:
    """The variant and the values of a pandera rule's message for one column."""
    if rule == "R01":
        required = meta.get("required")
        return ("" if required is True else str(required)), {}
    if rule == "R04":
        if meta.get("in_school_year"):
            first, last = year.document_dates
            return "date", {"low": first, "high": last}
        low, high = birth_year_range(year.start) if meta.get("birth_year") else (meta.get("min", 0), meta.get("max", 0))
        return "", {"low": low, "high": high}
    if rule == "R05":
        return "", {"max_len": vi_number(meta["max_len"]) if meta.get("max_len") else None}
    if rule == "R06":
        return "", {"total": SPECS[SHEET_COLLECTIVES][TOTALS[key]]["label"]}
    return "", {}


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _at(submission: Submission, key: str, row: Any) -> dict[str, Any]:
    """Where a `Cá nhân` value is, as finding() takes it."""
    excel_row = int(row.dong)
    return {"sheet": submission.sheet_name(SHEET_INDIVIDUALS), "cell": submission.cell_of(SHEET_INDIVIDUALS, key,
            excel_row), "column": SPECS[SHEET_INDIVIDUALS][key]["label"], "row": excel_row, "key": key}


def _leaders_collectives(people: pd.DataFrame, collectives: pd.DataFrame,
                         by_file: Mapping[str, Submission]) -> list[Finding]:
    """R08: a leader's collective (by STT) must be on the same unit's `Tập thể` of the same file."""
    numbers = set(zip(collectives[Provenance.tep], collectives[Provenance.ma_don_vi],
                      collectives[CollectiveRow.stt].astype("object")))
    leaders = people[(people[IndividualRow.la_lanh_dao] == YES) & people[IndividualRow.tap_the_dung_dau].notna()]
    return [finding("R08", row.tep, **_at(by_file[row.tep], IndividualRow.tap_the_dung_dau, row),
                    number=row.tap_the_dung_dau)
            for row in leaders.itertuples(index=False) if (row.tep, row.ma_don_vi, row.tap_the_dung_dau) not in numbers]


def person_key(name: object, birth_year: object) -> tuple[str, object]:
    """How a person is recognised: canonical name (tone placement folded) and birth year."""
    return canonical_key(str(name)), None if is_missing(birth_year) else int(birth_year)  # type: ignore[call-overload]


def _duplicate_people(people: pd.DataFrame, by_file: Mapping[str, Submission]) -> list[Finding]:
    """R11: the same person twice in one unit's file (the later rows are errors)."""
    findings: list[Finding] = []
    seen: dict[tuple[str, str, tuple[str, object]], int] = {}
    for row in people[people[IndividualRow.ho_ten].notna()].itertuples(index=False):
        key = (row.tep, row.ma_don_vi, person_key(row.ho_ten, row.nam_sinh))
        if key in seen:
            findings.append(finding("R11", row.tep, **_at(by_file[row.tep], IndividualRow.ho_ten, row),
                                    name=row.ho_ten, first_row=seen[key]))
        else:
            seen[key] = int(row.dong)
    return findings


def duplicates_across_units(people: pd.DataFrame, by_file: Mapping[str, Submission]) -> list[Finding]:
    """W12: the same person (name + birth year) nominated by two units (on every row concerned, in the rows'
    order). One pass to collect each person's units, one over the rows concerned."""
    findings: list[Finding] = []
    named = people[people[IndividualRow.ho_ten].notna()]
    if named.empty:
        return findings
    keys = [person_key(n, y) for n, y in zip(named[IndividualRow.ho_ten], named[IndividualRow.nam_sinh])]
    units: dict[tuple[str, object], set[str]] = {}
    for key, unit in zip(keys, named[Provenance.ma_don_vi]):
        units.setdefault(key, set()).add(unit)
    for key, row in zip(keys, named.itertuples(index=False)):
        if len(units[key]) < 2:
            continue
        others = sorted(units[key] - {row.ma_don_vi})
        findings.append(finding("W12", row.tep, **_at(by_file[row.tep], IndividualRow.ho_ten, row),
                                name=row.ho_ten, birth_year=row.nam_sinh,
                                staff_note=f"Cùng được đơn vị {', '.join(others)} đề nghị."))
    return findings
    keys = [person_key(n, y) for n, y in zip(people[IndividualRow.ho_ten], people[IndividualRow.nam_sinh])]
    frame = people.assign(_key=keys)
    for _, group in frame[frame[IndividualRow.ho_ten].notna()].groupby("_key", sort=True):
        if group[Provenance.ma_don_vi].nunique() < 2:
            continue
        for row in group.itertuples(index=False):
            others = sorted(set(group[Provenance.ma_don_vi]) - {row.ma_don_vi})
            findings.append(finding("W12", row.tep, **_at(by_file[row.tep], IndividualRow.ho_ten, row),
                                    name=row.ho_ten, birth_year=row.nam_sinh,
                                    staff_note=f"Cùng được đơn vị {', '.join(others)} đề nghị."))
    return findings
