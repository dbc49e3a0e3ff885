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
from pipeline.outputs.swap import OLD, STAGING, recover, swap
from pipeline.samples.demo import write_demo

ROOT = Path(__file__).resolve().parents[2]
YEAR = "2019-2020"


def _ours(folder: Path) -> dict[str, str]:
    """Our outputs in the year folder (not template/ nor staff's files), by relative path → SHA-256."""
    kept = ("TongHop_DienHinh_", "HoSo_DeNghi_", "phan_hoi/", "manifest.json")
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.relative_to(folder).as_posix().startswith(kept)}


def _command(inbox: Path, outbox: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "consolidate", "--year", YEAR, "--inbox", str(inbox), "--outbox",
            str(outbox), "--config", str(ROOT / "config")]


@pytest.fixture(scope="module")
def generated(config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swap") / "inbox"
    write_demo(config, YEAR, folder, units=20, faulty=0.1, seed=21)
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


@pytest.mark.skipif(os.name != "posix", reason="kill -9 of a process group")
def test_a_kill_at_any_moment_leaves_one_runs_outputs_whole(inbox: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    folder = outbox / YEAR
    assert subprocess.run(_command(inbox, outbox), capture_output=True, check=False).returncode == 0
    previous = _ours(folder)
    next(p for p in sorted(inbox.rglob("*.xlsx")) if not p.name.startswith("~$")).unlink()  # the next run differs
    for moment in ("reading", "writing feedback"):
        process = subprocess.Popen(_command(inbox, outbox), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            staged = list((folder / STAGING / "phan_hoi").glob("*.xlsx")) if (folder / STAGING).exists() else []
            if (moment == "reading" and (folder / STAGING).exists()) or (moment == "writing feedback" and staged):
                break
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)  # the run and its workers
        process.wait()
        assert _ours(folder) == previous, moment  # the previous run's outputs, whole
    assert subprocess.run(_command(inbox, outbox), capture_output=True, check=False).returncode == 0
    after = _ours(folder)
    assert after != previous and not (folder / STAGING).exists() and not (folder / OLD).exists()
    fresh = tmp_path / "fresh"
    assert subprocess.run(_command(inbox, fresh), capture_output=True, check=False).returncode == 0
    assert after == _ours(fresh / YEAR)  # exactly what a run on a clean outbox writes


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


def test_a_second_run_on_the_same_outbox_is_refused_at_once(inbox: Path, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    folder = outbox / YEAR
    first = subprocess.Popen(_command(inbox, outbox), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (folder / STAGING).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    second = subprocess.run(_command(inbox, outbox), capture_output=True, text=True, check=False)
    assert second.returncode == 2 and time.monotonic() - started < 30
    assert "Một lần tổng hợp khác đang ghi vào" in second.stderr
    assert first.wait(timeout=300) == 0
