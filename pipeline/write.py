"""The write stage: everything that lands in ``outbox/<năm học>/`` after a consolidation (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.consolidate import Consolidation, consolidate
from pipeline.feedback import feedback_path, write_feedback
from pipeline.manifest import write_manifest
from pipeline.marked import marked_path, write_marked_copy
from pipeline.run import IGNORED, REJECTED, WITH_ERRORS, Intake
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
    units = sorted({o.unit for o in intake.outcomes
                    if o.unit is not None and o.unit in roster.index and o.status != IGNORED})
    written, marked = [], []
    for unit in units:
        outcomes = [o for o in intake.outcomes if o.unit == unit and o.status != IGNORED]
        files = {o.file.relative for o in outcomes}
        path = feedback_path(outbox, intake.school_year, unit)
        copies = []
        for outcome in outcomes:  # the school's own file, bad cells highlighted, for files with errors
            if outcome.status in (REJECTED, WITH_ERRORS):
                copy = marked_path(path.parent, unit, outcome.file.path)
                if write_marked_copy(outcome.file.path, outcome.findings, copy):
                    copies.append(copy)
        write_feedback(path, unit, str(roster.loc[unit, "ten_don_vi"]), intake.school_year, outcomes,
                       result.collectives[result.collectives["tep"].isin(files)],
                       result.individuals[result.individuals["tep"].isin(files)],
                       [copy.name for copy in copies])
        written.append(path)
        marked += copies
    manifest = folder / "manifest.json"
    write_manifest(intake, config, manifest)
    return Written(folder, manifest, written, marked, summary, result)
