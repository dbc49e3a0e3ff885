"""``manifest.json``: every inbox file accounted for (SPEC §7, §10)."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline import __version__
from pipeline.config.year import YearConfig
from pipeline.intake.outcome import Intake
from pipeline.outputs.atomic import atomic_path
from schemas.submission import TEMPLATE_VERSION


def manifest_of(intake: Intake, year: YearConfig) -> dict[str, object]:
    """The manifest as a JSON-ready dict (no timestamps: a re-run writes the same bytes)."""
    files = []
    for outcome in sorted(intake.outcomes, key=lambda o: o.file.relative):
        entry: dict[str, object] = {
            "path": outcome.file.relative,
            "size": outcome.file.size,
            "sha256": outcome.file.sha256,
            "unit": outcome.unit,
            "status": outcome.status,
            "errors": outcome.errors,
            "warnings": outcome.warnings,
        }
        if outcome.reason:
            entry["reason"] = outcome.reason
        files.append(entry)
    totals: dict[str, int] = {}
    for outcome in intake.outcomes:
        totals[outcome.status] = totals.get(outcome.status, 0) + 1
    return {
        "tool_version": __version__,
        "template_version": TEMPLATE_VERSION,
        "school_year": intake.school_year,
        "config_sha256": year.config_sha256,
        "criteria_sha256": year.criteria_sha256,
        "totals": dict(sorted(totals.items())),
        "files": files,
    }


def write_manifest(intake: Intake, year: YearConfig, path: Path) -> None:
    """Write ``manifest.json`` atomically (UTF-8, Vietnamese kept readable)."""
    text = json.dumps(manifest_of(intake, year), ensure_ascii=False, indent=2) + "\n"
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
