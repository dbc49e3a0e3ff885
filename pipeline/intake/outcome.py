"""What became of each inbox file: the status vocabulary and the intake's result (SPEC §5, §10).

The statuses live here, with the data they describe, so that every later stage reads them from below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from pipeline.intake.discover import InboxFile
from pipeline.intake.normalise import Submission
from schemas.rules import Finding

ACCEPTED, WITH_ERRORS, REJECTED, SUPERSEDED, IGNORED = (
    "accepted", "accepted_with_errors", "rejected", "superseded", "ignored")
STATUS_LABEL = {
    ACCEPTED: "Hợp lệ",
    WITH_ERRORS: "Hợp lệ, có dòng lỗi (dòng lỗi không được chấm)",
    REJECTED: "Bị từ chối",
    SUPERSEDED: "Đã được thay bằng tệp mới hơn",
    IGNORED: "Bỏ qua",
}


@dataclass(frozen=True)
class FileOutcome:
    """What became of one inbox file."""

    file: InboxFile
    status: str
    unit: str | None = None
    reason: str = ""  # why ignored (Vietnamese)
    submission: Submission | None = None
    findings: tuple[Finding, ...] = ()
    saved: dt.datetime | None = None  # when the school last saved the workbook (its document properties)

    @property
    def errors(self) -> int:
        """Number of file and row findings."""
        return sum(1 for f in self.findings if f.severity != "warning")

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(1 for f in self.findings if f.severity == "warning")


@dataclass(frozen=True)
class Validated:
    """Typed frames of every sheet (accepted files only) and every finding of validation."""

    units: pd.DataFrame
    collectives: pd.DataFrame
    individuals: pd.DataFrame
    reports: pd.DataFrame
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Intake:
    """Every file's outcome and the validated frames of the winning files."""

    school_year: str
    outcomes: tuple[FileOutcome, ...]
    validated: Validated
    _by_unit: dict[str, list[FileOutcome]] = field(default_factory=dict, compare=False, repr=False)

    def outcomes_by_unit(self) -> dict[str, list[FileOutcome]]:
        """Each attributed unit's files (ignored ones left out), in inbox order (grouped once)."""
        if not self._by_unit:
            for outcome in self.outcomes:
                if outcome.unit is not None and outcome.status != IGNORED:
                    self._by_unit.setdefault(outcome.unit, []).append(outcome)
        return self._by_unit

    @property
    def winners(self) -> list[FileOutcome]:
        """The files whose data are consolidated."""
        return [o for o in self.outcomes if o.status in (ACCEPTED, WITH_ERRORS)]

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file, in file order."""
        return [f for outcome in self.outcomes for f in outcome.findings]


def finding_order(finding: Finding) -> tuple[int, str, int, str, str]:
    """How a file's findings are listed: file errors, row errors, warnings; then by place and rule."""
    severity = {"file": 0, "row": 1, "warning": 2}[finding.severity]
    return severity, finding.sheet, finding.row or 0, finding.cell, finding.rule
