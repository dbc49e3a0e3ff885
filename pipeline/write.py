"""The write stage: everything that lands in ``outbox/<năm học>/`` after a consolidation (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.consolidate import Consolidation, consolidate
from pipeline.summary import summary_path, write_summary
from pipeline.feedback import feedback_path, write_feedback
from pipeline.manifest import write_manifest
from pipeline.run import IGNORED, Intake


@dataclass(frozen=True)
class Written:
    """Where the outputs went."""

    folder: Path
    manifest: Path
    feedback: list[Path]
    summary: Path
    consolidation: Consolidation


def write_outputs(intake: Intake, config: Config, outbox: Path) -> Written:
    """Score and consolidate; write the consolidated workbook, every unit's feedback and the manifest."""
    folder = outbox / intake.school_year
    result = consolidate(intake, config)
    summary = summary_path(outbox, intake.school_year)
    write_summary(result, config, summary)
    roster = config.units(intake.school_year).set_index("ma_don_vi")
    units = sorted({o.unit for o in intake.outcomes if o.unit in roster.index and o.status != IGNORED})
    written = []
    for unit in units:
        outcomes = [o for o in intake.outcomes if o.unit == unit and o.status != IGNORED]
        files = {o.file.relative for o in outcomes}
        name = str(roster.loc[unit, "ten_don_vi"])
        path = feedback_path(outbox, intake.school_year, unit)
        write_feedback(path, unit, name, intake.school_year, outcomes,
                       result.collectives[result.collectives["tep"].isin(files)],
                       result.individuals[result.individuals["tep"].isin(files)])
        written.append(path)
    manifest = folder / "manifest.json"
    write_manifest(intake, config, manifest)
    return Written(folder, manifest, written, summary, result)
