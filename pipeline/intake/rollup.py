"""The roll-up's intake (``consolidate --rollup``, SPEC §10): the consolidated workbooks of the bodies below.

Each file is read back by :mod:`pipeline.intake.ours` (its bytes through the guard, recognised by `_meta`, its
sheets and headers); anything else is rejected (F14) like a school's file in the wrong place. The body is
recognised by the name in its `_meta` among this level's roster units (canonical names). The detail rows of
`Tập thể` and `Cá nhân` and the rows of `Kết quả thực hiện` then go through the same normalisation and pandera
checks as a school's lists, each value's cell being its cell in the body's workbook; each row keeps its school
(``ma_don_vi``), so that per-member criteria and the leader gate work per school. Scoring is the
consolidation's, under this level's criteria.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from pipeline.config.limits import MIB
from pipeline.config.year import YearConfig
from pipeline.intake.cells import as_text
from pipeline.intake.discover import InboxFile, describe_os_error
from pipeline.intake.identify import supersede
from pipeline.intake.normalise import Submission, normalise_workbook
from pipeline.intake.ours import EXCEL_ROW, OurWorkbook, Refused, read_ours
from pipeline.intake.outcome import ACCEPTED, IGNORED, REJECTED, WITH_ERRORS, FileOutcome, Intake, finding_order
from pipeline.intake.read import ROW, RawSheet, RawWorkbook
from pipeline.intake.validate import UNIT_OF_ROW, validate_rollup
from pipeline.vi.numbers import vi_number
from pipeline.vi.text import canonical_key
from schemas.consolidated import SHEET_COLLECTIVES, SHEET_INDIVIDUALS, SHEET_REPORTS
from schemas.rules import Finding, finding
from schemas.scored import Scores
from schemas.submission import SHEET_COLLECTIVES as LIST_COLLECTIVES
from schemas.submission import SHEET_INDIVIDUALS as LIST_INDIVIDUALS
from schemas.submission import SHEET_MODELS, SHEET_REPORT, SHEET_UNIT, Provenance, UnitForm, column_specs

SHEETS = {LIST_COLLECTIVES: SHEET_COLLECTIVES, LIST_INDIVIDUALS: SHEET_INDIVIDUALS, SHEET_REPORT: SHEET_REPORTS}
SCORE_TOLERANCE = 0.05  # scores are written with one decimal


def take_in_rollup(year: YearConfig, files: Sequence[InboxFile]) -> tuple[Intake, dict[str, OurWorkbook]]:
    """Read and check every file of a roll-up inbox.

    Returns:
        The intake (one outcome per file; the accepted ones' rows validated together) and the workbooks read,
        by relative path (for comparing the scores they wrote with this level's).
    """
    outcomes: list[FileOutcome] = []
    books: dict[str, OurWorkbook] = {}
    for file in files:
        if file.ignored is not None:
            outcomes.append(FileOutcome(file, IGNORED, reason=file.ignored))
            continue
        limits = year.settings.limits
        if file.size > limits.file_bytes:  # never read, not even to hash it
            outcomes.append(FileOutcome(file, REJECTED, findings=(finding(
                "F03", file.relative, detail=f"tệp {file.size / MIB:.0f} MB", expected=limits.expected_size()),)))
            continue
        try:
            data = file.path.read_bytes()
        except OSError as error:
            outcomes.append(FileOutcome(file, REJECTED, findings=(finding(
                "F14", file.relative, found=f"không đọc được tệp ({describe_os_error(error)})"),)))
            continue
        file = replace(file, sha256=hashlib.sha256(data).hexdigest())  # the bytes that were read
        found = read_ours(file.path, data, limits=limits)
        if isinstance(found, Refused):
            refusal = finding("F14", file.relative, found=found.found) if found.rule == "F14" else finding(
                found.rule, file.relative, detail=found.found, expected=found.expected)
            outcomes.append(FileOutcome(file, REJECTED, findings=(refusal,)))
            continue
        if found.school_year != year.school_year:
            outcomes.append(FileOutcome(file, IGNORED, reason=f"bản tổng hợp năm học {found.school_year}; tổng hợp "
                                                              f"bằng lệnh consolidate --rollup --year {found.school_year}"))
            continue
        codes = year.codes_by_name.get(canonical_key(found.body), ())
        if len(codes) != 1:
            outcomes.append(FileOutcome(file, REJECTED, findings=(finding(
                "F14", file.relative, "body", body=found.body, year=year.school_year),)))
            continue
        books[file.relative] = found
        submission = _submission(file.relative, found, codes[0], year)
        ordered = tuple(sorted(submission.findings, key=finding_order))
        outcomes.append(FileOutcome(file, ACCEPTED, unit=codes[0], submission=replace(submission, findings=ordered),
                                    findings=ordered))
    readable = [o for o in outcomes if o.status == ACCEPTED]
    decided = {o.file.relative: o for o in supersede(readable, year.document_dates)}
    outcomes = [decided.get(o.file.relative, o) for o in outcomes]
    winners = [o for o in outcomes if o.status == ACCEPTED and o.submission is not None]
    kept = {o.file.relative: books[o.file.relative] for o in winners}
    validated = validate_rollup([o.submission for o in winners if o.submission is not None], _units(kept),
                                {relative: book.body for relative, book in kept.items()}, year)
    found_by_file: dict[str, list[Finding]] = {}
    for item in validated.findings:
        found_by_file.setdefault(item.file, []).append(item)
    finished = []
    for outcome in outcomes:
        if outcome in winners:
            findings = tuple(sorted((*outcome.findings, *found_by_file.get(outcome.file.relative, ())),
                                    key=finding_order))
            status = WITH_ERRORS if any(f.severity == "row" for f in findings) else ACCEPTED
            outcome = replace(outcome, status=status, findings=findings)
        finished.append(outcome)
    return Intake(year.school_year, tuple(finished), validated), kept


def _units(books: dict[str, OurWorkbook]) -> pd.DataFrame:
    """One row per (file, school): the school's name, area, level and members as the body below recorded them."""
    parts = []
    for relative, book in books.items():
        parts.append(pd.DataFrame({  # a school that reported without nominating is known by its report
            Provenance.tep: relative, Provenance.ma_don_vi: book.reports[Provenance.ma_don_vi].map(as_text).to_numpy(),
            UnitForm.ten_don_vi: book.reports[UnitForm.ten_don_vi].to_numpy()}))
        for frame in (book.collectives, book.individuals):
            parts.append(pd.DataFrame({
                Provenance.tep: relative, Provenance.ma_don_vi: frame[Provenance.ma_don_vi].map(as_text).to_numpy(),
                UnitForm.ten_don_vi: frame[Scores.dv_ten_don_vi].to_numpy(), UnitForm.dia_ban: frame[Scores.dv_dia_ban].to_numpy(),
                UnitForm.cap_hoc: frame[Scores.dv_cap_hoc].to_numpy(),
                UnitForm.so_doan_vien: pd.to_numeric(frame[Scores.dv_so_doan_vien], errors="coerce").to_numpy()}))
    columns = [Provenance.tep, Provenance.ma_don_vi, UnitForm.ten_don_vi, UnitForm.dia_ban, UnitForm.cap_hoc,
               UnitForm.so_doan_vien]
    if not parts:
        return pd.DataFrame(columns=columns)
    units = pd.concat(parts, ignore_index=True)
    return units.groupby([Provenance.tep, Provenance.ma_don_vi], sort=True).first().reset_index()[columns]


def _submission(relative: str, book: OurWorkbook, body: str, year: YearConfig) -> Submission:
    """A body's workbook as a submission: its lists and reports normalised as a school's are, each value's cell
    its cell in the workbook, each row's school kept; the `Đơn vị` form is the body (for supersession)."""
    sheets = {}
    for sheet, ours in SHEETS.items():
        frame = {LIST_COLLECTIVES: book.collectives, LIST_INDIVIDUALS: book.individuals,
                 SHEET_REPORT: book.reports}[sheet]
        specs = column_specs(SHEET_MODELS[sheet])
        rows = frame[[key for key in specs if key in frame]].copy()
        rows.insert(0, ROW, frame[EXCEL_ROW].astype(int).to_numpy())
        sheets[sheet] = RawSheet(sheet, ours, rows.reset_index(drop=True), dict(book.letters[ours]))
    day = book.meta.get("ngay_van_ban", "")
    unit = pd.DataFrame({ROW: [0], UnitForm.ma_don_vi: [body],
                         UnitForm.ngay_lap: [dt.datetime.fromisoformat(day) if day else None]}, dtype=object)
    raw = RawWorkbook(relative, sheet_names=tuple(SHEETS.values()), meta=dict(book.meta), sheets=sheets,
                      complete=True)
    submission = normalise_workbook(raw, year.vocabularies, year.settings.limits)
    frames = dict(submission.frames)
    for sheet, source in ((LIST_COLLECTIVES, book.collectives), (LIST_INDIVIDUALS, book.individuals),
                          (SHEET_REPORT, book.reports)):
        frames[sheet] = frames[sheet].assign(**{UNIT_OF_ROW: source[Provenance.ma_don_vi].map(as_text).to_numpy()})
    frames[SHEET_UNIT] = unit
    return replace(submission, frames=frames)


def score_differences(collectives: pd.DataFrame, individuals: pd.DataFrame, books: dict[str, OurWorkbook]
                      ) -> list[Finding]:
    """W15: each nomination whose score the body below wrote differs from the score computed here."""
    findings = []
    for sheet, scored, lower_of in ((SHEET_COLLECTIVES, collectives, "collectives"),
                                    (SHEET_INDIVIDUALS, individuals, "individuals")):
        lower = {(relative, int(r)): d for relative, book in books.items()
                 for r, d in zip(getattr(book, lower_of)[EXCEL_ROW], getattr(book, lower_of)[Scores.diem])}
        for tep, row, ours in zip(scored[Provenance.tep], scored[Provenance.dong], scored[Scores.diem]):
            if (tep, int(row)) not in lower:
                continue
            theirs = _number(lower[tep, int(row)])
            mine = None if ours is None or pd.isna(ours) else float(ours)
            if theirs is None and mine is None:
                continue
            if theirs is not None and mine is not None and abs(theirs - mine) < SCORE_TOLERANCE:
                continue
            letter = books[tep].letters[sheet][Scores.diem]
            findings.append(finding("W15", tep, sheet=sheet, cell=f"{letter}{int(row)}", column="Điểm", row=int(row),
                                    key=Scores.diem, lower="(trống)" if theirs is None else vi_number(theirs),
                                    ours="(không chấm)" if mine is None else vi_number(mine)))
    return findings


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        return None
