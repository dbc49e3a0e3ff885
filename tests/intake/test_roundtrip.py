"""A submission re-saved by LibreOffice, and .ods and .xls copies, validate with exactly the original's messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.run import take_in
from pipeline.samples.faults import FAULTS, FaultContext
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template
from tests.libreoffice import convert_many, needs_libreoffice

pytestmark = needs_libreoffice
YEAR = "2019-2020"


def _messages(intake):
    (outcome,) = intake.outcomes
    return outcome.status, [(f.rule, f.sheet, f.cell, f.column, f.found, f.expected) for f in outcome.findings]


def test_libreoffice_copies_validate_like_the_original(config, tmp_path: Path) -> None:
    unit = config.for_year(YEAR).units.iloc[3]
    data = make_unit_data(unit, YEAR, seed=9)
    context = FaultContext(None, 2019, [data])  # type: ignore[arg-type]
    for rule in ("R04", "W02", "W03", "W04", "R01", "W01"):
        next(f for f in FAULTS if f.rule == rule).data(data, context)  # type: ignore[misc]
    inputs = config.for_year(YEAR)
    original = tmp_path / "original" / "bai_nop.xlsx"
    original.parent.mkdir()
    write_template(inputs, original, data.fill())
    copies = {fmt: convert_many([original], filters, tmp_path / fmt)[0]
              for fmt, filters in (("xlsx", "xlsx"), ("ods", "ods"), ("xls", "xls:MS Excel 97"),
                                   ("xlsm", "xlsm:Calc MS Excel 2007 VBA XML"))}
    results = {}
    for name, path in (("original", original), *copies.items()):
        inbox = tmp_path / f"inbox-{name}"
        inbox.mkdir()
        shutil.copy(path, inbox / path.name)
        results[name] = _messages(take_in(config.for_year(YEAR), inbox, workers=0))
    status, messages = results["original"]
    assert status == "accepted_with_errors"
    assert {m[0] for m in messages} >= {"R04", "W02", "W03", "W04", "R01", "W01"}
    assert results["xlsx"] == results["original"]
    assert results["ods"] == results["original"]
    assert results["xls"] == results["original"]
    assert results["xlsm"] == results["original"]
