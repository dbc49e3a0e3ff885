"""The orchestrator: the only module that knows the order of the stages (SPEC §2).

``inbox → discover → guard/read (workers) → normalise → validate → (score → consolidate) → write``.
Stage modules never import each other's internals through this one; this one only wires them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd

from pipeline.cells import as_text, parse_date
from pipeline.config import Config
from pipeline.discover import InboxFile, discover_inbox
from pipeline.ingest import read_files
from pipeline.normalise import Submission, Vocabulary, normalise_workbook, vocabularies_of
from pipeline.read import RawWorkbook
from pipeline.rules import Finding
from pipeline.schoolyear import parse_school_year
from pipeline.template import TEMPLATE_ID, TEMPLATE_VERSION
from pipeline.validate import Validated, check_identity, duplicates_across_units, validate_submissions
from pipeline.vi.text import clean_text
from schemas.submission import SHEET_UNIT

ACCEPTED, WITH_ERRORS, REJECTED, SUPERSEDED, IGNORED = (
    "accepted", "accepted_with_errors", "rejected", "superseded", "ignored")
STATUS_LABEL = {
    ACCEPTED: "Hợp lệ",
    WITH_ERRORS: "Hợp lệ, có dòng lỗi (dòng lỗi không được chấm)",
    REJECTED: "Bị từ chối",
    SUPERSEDED: "Đã được thay bằng tệp mới hơn",
    IGNORED: "Bỏ qua",
}


@dataclass
class FileOutcome:
    """What became of one inbox file."""

    file: InboxFile
    status: str
    unit: str | None = None
    reason: str = ""  # why ignored (Vietnamese)
    submission: Submission | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Number of file and row findings."""
        return sum(1 for f in self.findings if f.severity != "warning")

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(1 for f in self.findings if f.severity == "warning")


@dataclass
class Intake:
    """Every file's outcome and the validated frames of the winning files."""

    school_year: str
    outcomes: list[FileOutcome]
    validated: Validated

    def outcomes_by_unit(self) -> dict[str, list[FileOutcome]]:
        """Each attributed unit's files (ignored ones left out), in inbox order."""
        grouped: dict[str, list[FileOutcome]] = {}
        for outcome in self.outcomes:
            if outcome.unit is not None and outcome.status != IGNORED:
                grouped.setdefault(outcome.unit, []).append(outcome)
        return grouped

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file, in file order."""
        return [f for outcome in self.outcomes for f in outcome.findings]


def take_in(inbox: Path, config: Config, school_year: str, *, workers: int | None = None,
            progress: Callable[[int], None] | None = None, files: list[InboxFile] | None = None) -> Intake:
    """Discover, read, normalise and validate every file of the inbox (or just ``files``).

    Args:
        inbox: the inbox folder; never modified.
        config: the checked configuration.
        school_year: the year being consolidated; files of other years are ignored (or rejected when they
            sit in this year's folder).
        workers: reader processes (None = one per core, 0 = in this process).
        progress: called with the number of files just read.
        files: these files, already discovered (:func:`pipeline.discover.discover_inbox`, or
            :func:`pipeline.discover.describe_file` for files named on the command line).
    """
    if files is None:
        files = discover_inbox(inbox)
    raws = read_files([f for f in files if f.ignored is None and f.unreadable is None], workers=workers,
                      progress=progress)
    vocabularies = vocabularies_of(config.vocab(school_year))
    units = config.units(school_year)
    outcomes: list[FileOutcome] = []
    for file in files:
        if file.ignored is not None:
            outcomes.append(FileOutcome(file, IGNORED, reason=file.ignored))
            continue
        if file.unreadable is not None:
            outcomes.append(FileOutcome(file, REJECTED, findings=[Finding(
                "F01", file.relative, found=file.unreadable,
                expected="tệp đọc được: đóng tệp nếu đang mở, kiểm tra quyền truy cập, rồi chạy lại")]))
            continue
        raw = raws[file.relative]
        outcomes.append(_intake_one(file, raw, vocabularies, units, school_year))
    readable = [o for o in outcomes if o.status != REJECTED and o.submission is not None]
    _mark_superseded(readable)
    winners = [o for o in readable if o.status != SUPERSEDED]
    validated = validate_submissions([o.submission for o in winners if o.submission], school_year,
                                     config.criteria(school_year))
    by_file = {o.file.relative: o for o in outcomes}
    for finding in validated.findings:
        by_file[finding.file].findings.append(finding)
    submissions = {o.file.relative: o.submission for o in winners if o.submission}
    for finding in duplicates_across_units(validated.individuals, submissions):
        by_file[finding.file].findings.append(finding)
    for outcome in winners:
        outcome.findings.sort(key=_finding_order)
        outcome.status = WITH_ERRORS if any(f.severity == "row" for f in outcome.findings) else ACCEPTED
    return Intake(school_year, outcomes, _exclude_superseded(validated, {o.file.relative for o in winners}))


def _intake_one(file: InboxFile, raw: RawWorkbook, vocabularies: dict[str, Vocabulary], units: pd.DataFrame,
                school_year: str) -> FileOutcome:
    if raw.rejected:
        return FileOutcome(file, REJECTED, unit=_unit_of(raw, units),
                           findings=sorted(raw.findings, key=_finding_order))
    year = _year_of(raw)
    if year is not None and year != school_year and not _in_folder_of(file.relative, school_year):
        return FileOutcome(file, IGNORED, reason=f"thuộc năm học {year}; tổng hợp bằng lệnh "
                                                 f"consolidate --year {year}")
    submission = normalise_workbook(raw, vocabularies)
    findings = list(submission.findings)
    if year is not None and year != school_year:
        findings.append(Finding("F08", file.relative, sheet=submission.sheet_names.get(SHEET_UNIT, SHEET_UNIT),
                                found=f"biểu mẫu năm học {year} trong thư mục năm học {school_year}",
                                expected=f"biểu mẫu Mau_DienHinh_{school_year}.xlsx"))
    findings += check_identity(submission, school_year, units, TEMPLATE_ID, TEMPLATE_VERSION)
    submission.findings = findings
    unit = submission.unit.get("ma_don_vi") or None
    if unit is not None and unit not in set(units["ma_don_vi"]):
        unit = None  # unknown codes are listed by file, never used as a name on disk
    status = REJECTED if any(f.severity == "file" for f in findings) else ACCEPTED
    return FileOutcome(file, status, unit=unit, submission=submission if status != REJECTED else None,
                       findings=sorted(findings, key=_finding_order))


def _unit_of(raw: RawWorkbook, units: pd.DataFrame) -> str | None:
    """The roster unit a rejected workbook names on its `Đơn vị` form, if it can be read at all."""
    table = raw.tables.get(SHEET_UNIT)
    cell = table.rows[0][1].get("ma_don_vi") if table is not None and table.rows else None
    code = clean_text(as_text(cell.value)) if cell is not None else ""
    return code if code in set(units["ma_don_vi"]) else None


def _year_of(raw: RawWorkbook) -> str | None:
    """The school year a workbook says it is for (its `_meta`, else its `Đơn vị` form)."""
    year = parse_school_year(raw.meta.get("nam_hoc"))
    if year is None and SHEET_UNIT in raw.tables and raw.tables[SHEET_UNIT].rows:
        cell = raw.tables[SHEET_UNIT].rows[0][1].get("nam_hoc")
        year = parse_school_year(str(cell.value)) if cell is not None else None
    return year


def _in_folder_of(relative: str, school_year: str) -> bool:
    """Whether a file sits in a folder named for ``school_year`` (``inbox/2019-2020/…``)."""
    return any(parse_school_year(part) == school_year for part in PurePosixPath(relative).parts[:-1])


def _mark_superseded(outcomes: list[FileOutcome]) -> None:
    """Of several files of one unit, the newest (ngày lập, then file time) wins; the others are superseded."""
    by_unit: dict[str, list[FileOutcome]] = {}
    for outcome in outcomes:
        if outcome.unit:
            by_unit.setdefault(outcome.unit, []).append(outcome)
    for group in by_unit.values():
        if len(group) < 2:
            continue
        ranked = sorted(group, key=_recency, reverse=True)
        winner = ranked[0]
        for loser in ranked[1:]:
            loser.status = SUPERSEDED
            loser.findings.append(Finding("W14", loser.file.relative, found=f"ngày lập {_made_on(loser)}",
                                          expected=f"đã dùng tệp {winner.file.relative} (ngày lập {_made_on(winner)})"))


def _recency(outcome: FileOutcome) -> tuple[dt.date, float, str]:
    made = outcome.submission.unit.get("ngay_lap") if outcome.submission else None
    parsed = parse_date(made).value if made is not None else None
    return (parsed or dt.date.min), outcome.file.modified, outcome.file.relative  # type: ignore[return-value]


def _made_on(outcome: FileOutcome) -> str:
    made = _recency(outcome)[0]
    return made.strftime("%d/%m/%Y") if made != dt.date.min else "không ghi"


def _exclude_superseded(validated: Validated, keep: set[str]) -> Validated:
    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["tep"].isin(keep)].reset_index(drop=True)

    return Validated(only(validated.units), only(validated.collectives), only(validated.individuals),
                     only(validated.reports), validated.findings)


def _finding_order(finding: Finding) -> tuple[int, str, int, str, str]:
    severity = {"file": 0, "row": 1, "warning": 2}[finding.severity]
    return severity, finding.sheet, finding.row or 0, finding.cell, finding.rule
