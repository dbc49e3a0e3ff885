"""A stamped copy of the template reads exactly as the same values written by the template writer."""

from __future__ import annotations

import copy
import datetime as dt
import random
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipeline.intake.workers import Prepared, prepare_file
from pipeline.samples.faults import FAULTS, FaultContext
from pipeline.samples.sample import UnitData, make_unit_data
from pipeline.template.stamp import Stamp
from pipeline.template.writer import Fill, write_template

YEAR = "2019-2020"
GENERATED = dt.datetime(2019, 9, 2, 7, 0)
SAVED = dt.datetime(2020, 5, 27, 9, 30)
DATA_FAULTS = [fault for fault in FAULTS if fault.data is not None and fault.file is None]


@pytest.fixture(scope="module")
def stamp(config) -> Stamp:
    return Stamp(config.for_year(YEAR), GENERATED)


def _units(config, count: int) -> list[UnitData]:
    roster = config.for_year(YEAR).units
    return [make_unit_data(roster.iloc[index], YEAR, seed=11) for index in range(count)]


def _both(config, stamp: Stamp, fill: Fill, folder: Path, name: str) -> tuple[Path, Path]:
    stamped, written = folder / f"{name}-stamped.xlsx", folder / f"{name}-written.xlsx"
    content = stamp.filled(fill, SAVED)
    assert content is not None, f"{name}: the stamp refused a fill the writer writes plainly"
    stamped.write_bytes(content)
    write_template(config.for_year(YEAR), written, fill, generated=GENERATED, saved=SAVED)
    return stamped, written


def _assert_read_alike(config, stamped: Path, written: Path) -> None:
    vocabularies = config.for_year(YEAR).vocabularies
    one, other = (prepare_file(path, "bai_nop.xlsx", vocabularies) for path in (stamped, written))
    _assert_same_prepared(one, other)
    books = [CalamineWorkbook.from_path(str(path)) for path in (stamped, written)]
    assert books[0].sheet_names == books[1].sheet_names
    for name in books[0].sheet_names:  # every cell's value, the hidden sheets' too
        assert (books[0].get_sheet_by_name(name).to_python() == books[1].get_sheet_by_name(name).to_python()), name


def _assert_same_prepared(one: Prepared, other: Prepared) -> None:
    assert one.raw.findings == other.raw.findings
    assert (one.raw.meta, one.raw.saved, one.raw.sheet_names) == (other.raw.meta, other.raw.saved,
                                                                   other.raw.sheet_names)
    assert (one.submission is None) == (other.submission is None)
    if one.submission is None or other.submission is None:
        return
    assert one.submission.findings == other.submission.findings
    assert one.submission.flagged == other.submission.flagged
    assert one.submission.cells == other.submission.cells
    assert one.submission.frames.keys() == other.submission.frames.keys()
    for sheet, frame in one.submission.frames.items():
        pd.testing.assert_frame_equal(frame, other.submission.frames[sheet], check_exact=True)


def test_sample_units_read_alike_stamped_or_written(config, stamp: Stamp, tmp_path: Path) -> None:
    units = _units(config, 4)
    nfd = copy.deepcopy(units[3])  # pasted from a Mac: every text decomposed
    for row in (nfd.unit, *nfd.collectives, *nfd.individuals):
        row.update({k: unicodedata.normalize("NFD", v) for k, v in row.items() if isinstance(v, str)})
    units[3] = nfd
    assert sum(len(u.collectives) + len(u.individuals) for u in units) > 8  # rows on both list sheets
    for index, unit in enumerate(units):
        stamped, written = _both(config, stamp, unit.fill(), tmp_path, f"unit{index}")
        _assert_read_alike(config, stamped, written)
        assert (stamped.stat().st_size - written.stat().st_size) / written.stat().st_size < 0.05


def test_every_data_fault_reads_alike_stamped_or_written(config, stamp: Stamp, tmp_path: Path) -> None:
    groups: list[list[str]] = [[], [], []]  # faults of a group share a unit (one written copy each: 0.5 s)
    units = [_units(config, 6) for _ in groups]
    for index, fault in enumerate(DATA_FAULTS):
        trial = copy.deepcopy(units[0])
        fault.data(trial[0], FaultContext(random.Random(3), 2019, trial, trial[1:]))
        if trial[0].meta:  # a `_meta` override (another template's version): written by the writer
            assert stamp.filled(trial[0].fill()) is None, fault.rule
            continue
        group = index % len(groups)
        fault.data(units[group][0], FaultContext(random.Random(3), 2019, units[group], units[group][1:]))
        groups[group].append(fault.rule)
    assert sum(map(len, groups)) >= len(DATA_FAULTS) - 2
    for group, rules in zip(units, groups):
        stamped, written = _both(config, stamp, group[0].fill(), tmp_path, "-".join(rules))
        _assert_read_alike(config, stamped, written)


def test_the_stamp_refuses_what_it_cannot_write_as_the_writer_does(config, stamp: Stamp) -> None:
    unit = _units(config, 1)[0]
    assert stamp.filled(unit.fill()) is not None
    for value in ("tab\x07bell", "_x0041_ escaped", "x" * 32768, float("nan"), dt.datetime(1900, 1, 5)):
        odd = copy.deepcopy(unit)
        odd.collectives[0]["ten_tap_the"] = value
        assert stamp.filled(odd.fill()) is None, value
    assert stamp.filled(Fill(unit.unit, meta={"mau_id": "khac"})) is None  # `_meta` overrides: the writer's
