"""One run, one consistent outbox: staged and swapped, stale outputs gone, staff's files kept, a kill harmless,
a second run at once refused."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config.moments import KILL_AT, MOMENTS
from pipeline.outputs.swap import LOCK, OLD, STAGING, locked, recover, swap
from pipeline.samples.demo import write_demo

ROOT = Path(__file__).resolve().parents[2]
YEAR = "2019-2020"


def _ours(folder: Path) -> dict[str, str]:
    """Our outputs in the year folder (not template/ nor staff's files), by relative path → SHA-256."""
    kept = ("TongHop_DienHinh_", "HoSo_DeNghi_", "phan_hoi/", "manifest.json")
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).as_posix().startswith(kept)}


def _command(inbox: Path, outbox: Path, *more: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "consolidate", "--year", YEAR, "--inbox", str(inbox), "--outbox",
            str(outbox), "--config", str(ROOT / "config"), *more]


@pytest.fixture(scope="module")
def generated(config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swap") / "inbox"
    write_demo(config, YEAR, folder, units=12, faulty=0.1, seed=21)
    return folder


@pytest.fixture()
def inbox(generated: Path, tmp_path: Path) -> Path:
    """A copy of the generated inbox (file times kept) that a test may change."""
    return Path(shutil.copytree(generated, tmp_path / "inbox"))


def test_a_removed_file_takes_its_outputs_with_it_and_staff_files_stay(inbox: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    assert main(["template", "--year", YEAR, "--outbox", str(outbox)]) == 0
    folder = outbox / YEAR
    (folder / "ghi_chu_cua_can_bo.docx").write_bytes(b"notes")
    assert main(_command(inbox, outbox)[3:]) == 0
    first = _ours(folder)
    removed = next(p for p in sorted(inbox.rglob("*.xlsx")) if not p.name.startswith("~$"))
    unit_files = {k for k in first if k.startswith("phan_hoi/")}
    removed.unlink()
    assert main(_command(inbox, outbox)[3:]) == 0
    second = _ours(folder)
    gone = unit_files - set(second)
    assert len(gone) >= 1 and all(k.startswith("phan_hoi/") for k in gone)
    assert (folder / "ghi_chu_cua_can_bo.docx").read_bytes() == b"notes"
    assert (folder / "template" / f"Mau_DienHinh_{YEAR}.xlsx").is_file()
    assert not (folder / STAGING).exists() and not (folder / OLD).exists()


def _start(moment: str, inbox: Path, outbox: Path, marker: Path, *more: str) -> subprocess.Popen:
    """Start a consolidation that stops the moment it reaches ``moment`` (moments.KILL_AT) to be killed."""
    return subprocess.Popen(_command(inbox, outbox, *more), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env={**os.environ, KILL_AT: f"{moment}:{marker}"})


def _kill_when_there(process: subprocess.Popen, moment: str, inbox: Path, outbox: Path, marker: Path) -> None:
    """kill -9 the run and its workers once it has reached ``moment``. At "summary", while it holds the outbox
    there, a second run on the same outbox is refused at once."""
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), f"the run never reached {moment}"
    if moment == "summary":
        started = time.monotonic()
        second = subprocess.run(_command(inbox, outbox), capture_output=True, text=True, check=False)
        assert second.returncode == 2 and time.monotonic() - started < 30
        assert f'Một lần tổng hợp khác đang ghi vào "{outbox / YEAR}"' in second.stderr
    os.killpg(process.pid, signal.SIGKILL)  # the run and its workers
    process.wait()
    marker.unlink()


@pytest.mark.skipif(os.name != "posix", reason="kill -9 of a process group")
def test_a_kill_at_any_moment_leaves_one_runs_outputs_whole(inbox: Path, tmp_path: Path) -> None:
    """kill -9 at each moment of a run: before its journal is complete, the previous outputs stay, untouched and
    whole; once it is, the next run's recovery puts the killed run's outputs in place, whole. No staging or
    temporary file is left, and a run after it writes what an uninterrupted run writes. While a run holds the
    outbox, a second is refused at once; once it has died, the system has released its lock (the last run)."""
    outbox = tmp_path / "outbox"
    folder = outbox / YEAR
    assert subprocess.run(_command(inbox, outbox), capture_output=True, check=False).returncode == 0
    previous = _ours(folder)
    shutil.copytree(outbox, tmp_path / "previous")
    next(p for p in sorted(inbox.rglob("*.xlsx")) if not p.name.startswith("~$")).unlink()  # the next run differs
    recovered = {}
    # each moment at least once; reading in a worker process (the default) and in the run's own; feedback in the
    # run's own process (under 30 units, the default) and in worker processes
    runs = [("read", ()), ("read", ("--workers", "0")), ("summary", ()), ("feedback", ()),
            ("feedback", ("--workers", "2")), ("complete", ()), ("swap", ())]
    assert {moment for moment, _ in runs} == set(MOMENTS)
    # all at once, each on its own copy of the previous run's outbox (one after the other took 30 s)
    boxes = [Path(shutil.copytree(tmp_path / "previous", tmp_path / f"outbox-{n}")) for n in range(len(runs))]
    markers = [tmp_path / f"here-{n}" for n in range(len(runs))]
    started = [_start(moment, inbox, box, marker, *more) for (moment, more), box, marker in zip(runs, boxes, markers)]
    for process, (moment, _), box, marker in zip(started, runs, boxes, markers):
        _kill_when_there(process, moment, inbox, box, marker)
    for (moment, _), box in zip(runs, boxes):
        killed = box / YEAR
        before = _ours(killed)
        with locked(killed):
            recover(killed, YEAR)  # what the next run does first
        recovered[moment] = _ours(killed)
        assert [p.name for p in killed.iterdir() if p.name.startswith(".") and p.name != LOCK] == [], moment
        if moment in ("read", "summary", "feedback"):  # before the journal: nothing of the killed run is in place
            assert before == recovered[moment] == previous, moment
        if moment == "swap":
            assert before not in (previous, recovered[moment])  # killed half-way through the renames
    assert subprocess.run(_command(inbox, outbox), capture_output=True, check=False).returncode == 0
    new = _ours(folder)
    assert new != previous and not (folder / STAGING).exists() and not (folder / OLD).exists()
    assert recovered["complete"] == recovered["swap"] == new  # the killed run's outputs, whole, once journaled


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_the_run(inbox: Path, tmp_path: Path) -> None:
    """kill -9 of the run's process alone (not its group): its worker processes end with it, at once, instead
    of writing on into a staging folder."""
    outbox = tmp_path / "outbox"
    process = subprocess.Popen(_command(inbox, outbox), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline, workers = time.monotonic() + 120, set()
    while time.monotonic() < deadline and not workers:
        workers = _children(process.pid)
        time.sleep(0.005)
    assert workers, "the run started no worker"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.02)
    assert not [pid for pid in workers if _alive(pid)]


def test_an_interrupted_swap_is_finished_by_the_next_run(tmp_path: Path) -> None:
    """Killed after the staging folder was complete but midway through the renames: recovery finishes it."""
    folder = tmp_path / YEAR
    (folder / "phan_hoi").mkdir(parents=True)
    (folder / "phan_hoi" / "cu.xlsx").write_bytes(b"old")
    (folder / "manifest.json").write_bytes(b"old manifest")
    staging = folder / STAGING
    (staging / "phan_hoi").mkdir(parents=True)
    (staging / "phan_hoi" / "moi.xlsx").write_bytes(b"new")
    (staging / "manifest.json").write_bytes(b"new manifest")
    (staging / f"TongHop_DienHinh_{YEAR}.xlsx").write_bytes(b"new summary")
    (staging / ".xong").write_text(f"TongHop_DienHinh_{YEAR}.xlsx\nphan_hoi\nmanifest.json", encoding="utf-8")
    (folder / OLD).mkdir()
    os.replace(folder / "manifest.json", folder / OLD / "manifest.json")  # the crash came after this rename
    recover(folder, YEAR)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        f"TongHop_DienHinh_{YEAR}.xlsx", "manifest.json", "phan_hoi/moi.xlsx"]
    assert (folder / "manifest.json").read_bytes() == b"new manifest"
    staging.mkdir()
    (staging / "manifest.json").write_bytes(b"newer")
    swap(folder, staging, YEAR)  # a run that writes no summary and no feedback: the old ones go
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("journal", ["", f"TongHop_DienHinh_{YEAR}.xl", "\x00\x00\x00"])
def test_a_journal_a_power_cut_left_empty_or_cut_keeps_the_previous_outputs(tmp_path: Path, journal: str) -> None:
    """The journal says the new run won only once it names its outputs: an empty or cut one (its bytes never
    reached the disk) means the swap never began, so the previous outputs stay and the staging folder goes."""
    folder = tmp_path / YEAR
    (folder / "phan_hoi").mkdir(parents=True)
    (folder / "phan_hoi" / "cu.xlsx").write_bytes(b"old")
    (folder / "manifest.json").write_bytes(b"old manifest")
    staging = folder / STAGING
    staging.mkdir()
    (staging / "manifest.json").write_bytes(b"")
    (staging / ".xong").write_text(journal, encoding="utf-8")
    recover(folder, YEAR)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "manifest.json", "phan_hoi/cu.xlsx"]
    assert (folder / "manifest.json").read_bytes() == b"old manifest"
