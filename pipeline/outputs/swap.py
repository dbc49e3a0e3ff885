"""One run, one consistent outbox (SPEC §7): a lock, a staging folder, and a journaled swap.

A consolidation holds a lock on ``outbox/<năm học>/`` (filelock: the operating system releases it if the
process dies) and writes every output into ``.dang-ghi/`` beside them. Only when all are written does it mark
the staging folder complete and swap: the previous run's outputs move aside into ``.ban-cu/``, the new ones move
into place (renames within one folder), and both helper folders are removed. Outputs of the previous run that
this run does not produce (a school whose file was removed) go with the swap; ``template/`` and anything staff
keep in the folder are never touched. The next run, holding the lock, first finishes a swap that a crash
interrupted (the staging folder is complete) or throws away a staging folder that was not (the previous outputs
were never moved), so that a kill at any moment leaves either the previous run's outputs or this run's, whole.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from pipeline.config.moments import moment

STAGING, OLD, LOCK = ".dang-ghi", ".ban-cu", ".khoa"
COMPLETE = ".xong"  # written into the staging folder once every output is in it


class OutboxBusy(Exception):
    """Another consolidation holds the lock of this outbox folder."""


def our_outputs(school_year: str) -> tuple[str, ...]:
    """The names a consolidation owns in ``outbox/<năm học>/`` (everything else there is left alone)."""
    return (f"TongHop_DienHinh_{school_year}.xlsx", f"HoSo_DeNghi_{school_year}.docx", "phan_hoi",
            "manifest.json")


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the lock of ``folder`` for the block; refuse at once if another run holds it.

    Raises:
        OutboxBusy: the lock is held by a running consolidation.
    """
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout as error:
        raise OutboxBusy(str(folder)) from error
    try:
        yield
    finally:
        lock.release()


def staging_folder(folder: Path, school_year: str) -> Path:
    """Recover from an interrupted run, then return an empty staging folder (call while holding the lock)."""
    recover(folder, school_year)
    staging = folder / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def recover(folder: Path, school_year: str) -> None:
    """Finish a swap a crash interrupted, or discard an incomplete staging folder (call while holding the lock)."""
    staging, old = folder / STAGING, folder / OLD
    staged = _journal(staging / COMPLETE, school_year)
    if staged:  # complete: the new outputs win
        _move_into_place(folder, staging, old, staged, school_year)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def swap(folder: Path, staging: Path, school_year: str) -> None:
    """Put the staged outputs in place of the previous ones (call while holding the lock)."""
    staged = [name for name in our_outputs(school_year) if (staging / name).exists()]
    sync = getattr(os, "sync", None)  # every staged byte on disk before the journal says the new run wins
    if sync is not None:
        sync()
    with open(staging / COMPLETE, "w", encoding="utf-8") as journal:  # from here on, the new run wins
        journal.write("\n".join(staged))
        journal.flush()
        os.fsync(journal.fileno())
    _fsync_folder(staging)
    moment("complete")
    _move_into_place(folder, staging, folder / OLD, staged, school_year)
    shutil.rmtree(folder / OLD, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _journal(path: Path, school_year: str) -> list[str]:
    """The names a complete staging folder holds; [] when it is not complete — no journal, or one that a power cut
    left empty or cut (then the previous outputs, never moved, stay)."""
    try:
        staged = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    outputs = our_outputs(school_year)
    return staged if staged and set(staged) <= set(outputs) and "manifest.json" in staged else []


def _move_into_place(folder: Path, staging: Path, old: Path, staged: list[str], school_year: str) -> None:
    """Previous outputs aside, staged ones in; idempotent, so that recovery can repeat it after a crash.

    A staged name still in the staging folder has not been moved in yet: whatever stands in its place is the
    previous run's. A name this run did not produce is the previous run's wherever it stands.
    """
    old.mkdir(exist_ok=True)
    for name in our_outputs(school_year):
        pending = name in staged and (staging / name).exists()
        if (folder / name).exists() and (pending or name not in staged):
            if (old / name).exists():
                _remove(old / name)
            os.replace(folder / name, old / name)
            moment("swap")
        if pending:
            os.replace(staging / name, folder / name)
    _fsync_folder(folder)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable where the system allows it (not on Windows)."""
    with contextlib.suppress(OSError, AttributeError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
