"""A submission re-saved by LibreOffice, and .ods and .xls copies, validate with exactly the original's messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.run import take_in
from tests.intake.conftest import FAULTS_SHOWN
from tests.libreoffice import needs_libreoffice

pytestmark = needs_libreoffice
YEAR = "2019-2020"


def _messages(intake):
    (outcome,) = intake.outcomes
    return outcome.status, [(f.rule, f.sheet, f.cell, f.column, f.found, f.expected) for f in outcome.findings]


def test_libreoffice_copies_validate_like_the_original(config, libreoffice_copies, tmp_path: Path) -> None:
    original, copies = libreoffice_copies
    results = {}
    for name, path in (("original", original), *copies.items()):
        inbox = tmp_path / f"inbox-{name}"
        inbox.mkdir()
        shutil.copy(path, inbox / path.name)
        results[name] = _messages(take_in(config.for_year(YEAR), inbox, workers=0))
    status, messages = results["original"]
    assert status == "accepted_with_errors"
    assert {m[0] for m in messages} >= set(FAULTS_SHOWN)
    assert results["xlsx"] == results["original"]
    assert results["ods"] == results["original"]
    assert results["xls"] == results["original"]
    assert results["xlsm"] == results["original"]
