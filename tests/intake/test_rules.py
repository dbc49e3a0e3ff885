"""Every rule of the catalogue is triggered by a generated fixture, at the right place and severity."""

from __future__ import annotations

import faulthandler
import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline.intake.discover import discover_inbox
from pipeline.intake.outcome import ACCEPTED, REJECTED, SUPERSEDED, WITH_ERRORS
from pipeline.intake.workers import prepare_files
from pipeline.run import take_in
from pipeline.samples.demo import write_demo
from pipeline.samples.faults import FAULTS
from schemas.rules import RULES

YEAR = "2019-2020"
INJECTED_BY_TESTS = {"F05",  # a reader crash has no data form; test_reader_crash_costs_one_file injects it
                     "F14", "W15"}  # the roll-up's rules: tests/outputs/test_rollup.py raises them on its own inboxes


def test_every_rule_has_a_fixture() -> None:
    assert {fault.rule for fault in FAULTS} | INJECTED_BY_TESTS == set(RULES)


def test_rule_ids_and_messages_are_well_formed() -> None:
    for rule_id, rule in RULES.items():
        assert rule_id[0] == {"file": "F", "row": "R", "warning": "W"}[rule.severity]
        assert rule.title and rule.why and rule.title[0].isupper()


@pytest.fixture(scope="module")
def faulty_run(config, tmp_path_factory):
    """One file per fault of the catalogue (as many units as faults, every one faulty), read and validated."""
    inbox = tmp_path_factory.mktemp("faults") / "inbox"
    demo = write_demo(config, YEAR, inbox, units=len(FAULTS), faulty=1.0, faults=FAULTS, seed=7)
    intake = take_in(config.for_year(YEAR), inbox, workers=2)
    return demo, {o.file.relative: o for o in intake.outcomes}


@pytest.mark.parametrize("index", range(len(FAULTS)), ids=[f"{f.rule}-{f.description}" for f in FAULTS])
def test_fault_triggers_its_rule_where_expected(faulty_run, index: int) -> None:
    demo, outcomes = faulty_run
    fault = FAULTS[index]
    carriers = [path for path, locations in demo.expected.items() if locations[0].rule == fault.rule]
    assert carriers, f"no file carries {fault.rule}"
    for path in carriers:  # faults sharing a rule (two W01, two W07) are checked on every file that has one
        location = demo.expected[path][0]
        findings = [f for f in outcomes[path].findings if f.rule == fault.rule]
        assert findings, f"{path}: {fault.rule} not reported; got {[f.rule for f in outcomes[path].findings]}"
        assert all(f.severity == RULES[fault.rule].severity for f in findings)
        if location.sheet and location.rule != "W06":
            assert any(f.sheet == location.sheet and f.cell == (location.cell or f.cell) for f in findings), (
                location, findings)
        severity = RULES[fault.rule].severity
        expected_status = (SUPERSEDED if fault.resubmit else REJECTED if severity == "file" else
                           WITH_ERRORS if severity == "row" else ACCEPTED)
        assert outcomes[path].status == expected_status, (path, outcomes[path].findings)


def test_messages_name_sheet_cell_column_found_and_expected(faulty_run) -> None:
    _, outcomes = faulty_run
    by_rule = {f.rule: f for o in outcomes.values() for f in o.findings}
    message = by_rule["R04"].message()
    assert message.startswith("Số ngoài khoảng cho phép, tại Cá nhân!D4, cột \"Năm sinh\": gặp \"1944\"")
    assert message.endswith("cần số từ 1949 đến 2001.")
    assert by_rule["W02"].message() == ('Số ghi dạng chữ đã được hiểu theo cách viết, tại Tập thể!Q4, cột "Đóng góp '
                                        'các quỹ, hoạt động nhân đạo, từ thiện (nghìn đồng)": gặp "12.500"; '
                                        "đã hiểu là 12.500.")


def test_clean_files_have_no_errors(config, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_demo(config, YEAR, inbox, units=12, faulty=0.0, seed=3)
    intake = take_in(config.for_year(YEAR), inbox, workers=0)
    submissions = [o for o in intake.outcomes if o.file.relative.endswith(".xlsx") and not
                   o.file.relative.startswith("~$")]
    assert len(submissions) == 12
    assert all(o.status == ACCEPTED for o in submissions), [(o.file.relative, o.findings) for o in submissions]
    assert not [f for o in submissions for f in o.findings if f.severity != "warning"]


def _abort_on_crash_files(path: Path, relative: str, *args):
    if "crash" in relative:
        faulthandler.disable()  # keep the test log quiet: the abort is the point
        os.abort()  # what python-calamine does on some hostile files
    from pipeline.intake.read import read_workbook

    return read_workbook(path, relative, *args)


def test_reader_crash_costs_one_file(config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the files the broken pool may have handed out (2 × 2 workers + 1) are read again one by one; the
    files after them are read in a pool of their own, those read before the crash are kept."""
    from pipeline.intake import workers

    inbox = tmp_path / "inbox"
    demo = write_demo(config, YEAR, inbox, units=7, faulty=0.0, seed=5)
    victim = demo.files[0]
    victim.rename(victim.with_name("crash " + victim.name))
    monkeypatch.setattr("pipeline.intake.workers.read_workbook", _abort_on_crash_files)
    pools: list[tuple[int, int]] = []  # (files, workers) of each pool started
    run_pool = workers._run_pool

    def counted(files, count, *args):
        pools.append((len(files), count))
        return run_pool(files, count, *args)

    monkeypatch.setattr(workers, "_run_pool", counted)
    files = sorted((f for f in discover_inbox(inbox) if f.ignored is None), key=lambda f: "crash" not in f.relative)
    assert len(files) == 7 and "crash" in files[0].relative
    raws = [prepared.raw for prepared in prepare_files(files, config.for_year(YEAR).vocabularies, workers=2).values()]
    crashed = [r for r in raws if any(f.rule == "F05" for f in r.findings)]
    assert [r.file for r in crashed] == [files[0].relative]
    assert all(not r.findings for r in raws if r not in crashed) and len(raws) == 7
    alone = [size for size, count in pools if count == 1]  # a suspect read in a pool of its own
    assert pools[0] == (7, 2) and alone == [1] * len(alone) and 1 <= len(alone) <= 5  # the suspects only, not all six
    assert all(count == 2 for _, count in pools[1 + len(alone):])  # the files after them: a pool again, however few


def test_command_line_works_with_spawned_workers_as_on_windows(config, tmp_path: Path) -> None:
    """Windows has no fork: spawned workers import everything afresh and must still read every file."""
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    write_demo(config, YEAR, inbox, units=3, faulty=0.0, seed=6)
    result = subprocess.run([sys.executable, "-m", "pipeline", "consolidate", "--inbox", str(inbox), "--outbox",
                             str(tmp_path / "outbox"), "--year", YEAR, "--config", str(config.directory)],
                            capture_output=True, text=True, env={**os.environ, "PIPELINE_START_METHOD": "spawn"},
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Tổng hợp năm học") == 1  # the command ran once, not once per worker
    manifest = (tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8")
    assert manifest.count('"status": "accepted"') == 3


def test_workers_and_one_process_reach_the_same_results(config, faulty_run, tmp_path: Path) -> None:
    """Guard, read and normalise in worker processes or in this process: the same outcomes and frames."""
    demo, outcomes = faulty_run
    alone = take_in(config.for_year(YEAR), demo.inbox, workers=0)
    assert {o.file.relative: (o.status, o.unit, o.findings) for o in alone.outcomes} == {
        path: (o.status, o.unit, o.findings) for path, o in outcomes.items()}
    pooled = take_in(config.for_year(YEAR), demo.inbox, workers=2)
    for name in ("units", "collectives", "individuals", "reports"):
        pd.testing.assert_frame_equal(getattr(alone.validated, name), getattr(pooled.validated, name))
