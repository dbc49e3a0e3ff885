"""The write stage: everything that lands in ``outbox/<năm học>/`` after a consolidation (SPEC §7)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.config import Config
from pipeline.consolidate import Consolidation, consolidate
from pipeline.feedback import feedback_path, write_feedback
from pipeline.manifest import write_manifest
from pipeline.marked import marked_path, write_marked_copy
from pipeline.run import REJECTED, WITH_ERRORS, FileOutcome, Intake
from pipeline.summary import summary_path, write_summary


@dataclass(frozen=True)
class Written:
    """Where the outputs went."""

    folder: Path
    manifest: Path
    feedback: list[Path]
    marked: list[Path]
    summary: Path
    consolidation: Consolidation


def write_outputs(intake: Intake, config: Config, outbox: Path) -> Written:
    """Score and consolidate; write the consolidated workbook, every unit's feedback and the manifest."""
    folder = outbox / intake.school_year
    result = consolidate(intake, config)
    summary = summary_path(outbox, intake.school_year)
    write_summary(result, config, summary)
    roster = config.units(intake.school_year).set_index("ma_don_vi")
    by_unit = intake.outcomes_by_unit()
    jobs = []
    for unit in sorted(u for u in by_unit if u in roster.index):  # a unit's files, nothing of another unit's
        outcomes = by_unit[unit]
        files = {o.file.relative for o in outcomes}
        jobs.append(_UnitJob(unit, str(roster.loc[unit, "ten_don_vi"]), intake.school_year,
                             feedback_path(outbox, intake.school_year, unit), outcomes,
                             result.collectives[result.collectives["tep"].isin(files)],
                             result.individuals[result.individuals["tep"].isin(files)]))
    if len(jobs) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=min(os.cpu_count() or 1, 8)) as pool:
            copies = list(pool.map(_write_unit, jobs, chunksize=4))
    else:
        copies = [_write_unit(job) for job in jobs]
    manifest = folder / "manifest.json"
    write_manifest(intake, config, manifest)
    return Written(folder, manifest, [job.path for job in jobs], [c for group in copies for c in group], summary,
                   result)


PARALLEL_FROM = 30  # units; fewer are written faster in this process than by starting workers


@dataclass(frozen=True)
class _UnitJob:
    """One unit's outputs: its feedback workbook and marked copies of its files with errors."""

    unit: str
    name: str
    school_year: str
    path: Path
    outcomes: list[FileOutcome]
    collectives: pd.DataFrame
    individuals: pd.DataFrame


def _write_unit(job: _UnitJob) -> list[Path]:
    """Write one unit's files (in a worker process when there are many units); returns the marked copies."""
    copies = []
    for outcome in job.outcomes:  # the school's own file, bad cells highlighted, for files with errors
        if outcome.status in (REJECTED, WITH_ERRORS):
            copy = marked_path(job.path.parent, job.unit, outcome.file.path)
            if write_marked_copy(outcome.file.path, outcome.findings, copy):
                copies.append(copy)
    write_feedback(job.path, job.unit, job.name, job.school_year, job.outcomes, job.collectives, job.individuals,
                   [copy.name for copy in copies])
    return copies
