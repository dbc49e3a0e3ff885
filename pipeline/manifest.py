"""``manifest.json``: every inbox file accounted for (SPEC §7, §10)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import __version__
from pipeline.atomic import atomic_path
from pipeline.config import CRITERIA_FILE, Config
from pipeline.run import Intake
from pipeline.template import TEMPLATE_VERSION


def manifest_of(intake: Intake, config: Config) -> dict[str, object]:
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
        "config_sha256": config.sha256,
        "criteria_sha256": hashlib.sha256((config.directory / CRITERIA_FILE).read_bytes()).hexdigest(),
        "totals": dict(sorted(totals.items())),
        "files": files,
    }


def write_manifest(intake: Intake, config: Config, path: Path) -> None:
    """Write ``manifest.json`` atomically (UTF-8, Vietnamese kept readable)."""
    text = json.dumps(manifest_of(intake, config), ensure_ascii=False, indent=2) + "\n"
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
