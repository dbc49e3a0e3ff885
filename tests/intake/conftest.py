"""Fixtures of the intake tests: one filled submission and the copies LibreOffice saves of it (one start per
format, two at a time, shared: LibreOffice is the slowest part of the suite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.samples.faults import FAULTS, FaultContext
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template
from tests.libreoffice import convert_each

YEAR = "2019-2020"
FAULTS_SHOWN = ("R04", "W02", "W03", "W04", "R01", "W01")  # mistakes the copies must carry as the original does


@pytest.fixture(scope="session")
def libreoffice_copies(config, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A filled submission with the mistakes of FAULTS_SHOWN, and LibreOffice's .xlsx, .ods, .xls and .xlsm of it."""
    data = make_unit_data(config.for_year(YEAR).units.iloc[3], YEAR, seed=9)
    context = FaultContext(None, 2019, [data])  # type: ignore[arg-type]
    for rule in FAULTS_SHOWN:
        next(f for f in FAULTS if f.rule == rule).data(data, context)  # type: ignore[misc]
    base = tmp_path_factory.mktemp("libreoffice")
    original = base / "original" / "bai_nop.xlsx"
    original.parent.mkdir()
    write_template(config.for_year(YEAR), original, data.fill())
    formats = {"xlsx": "xlsx", "ods": "ods", "xls": "xls:MS Excel 97", "xlsm": "xlsm:Calc MS Excel 2007 VBA XML"}
    converted = convert_each([([original], filters, base / fmt) for fmt, filters in formats.items()])
    return original, {fmt: files[0] for fmt, files in zip(formats, converted)}
