"""The per-file work in worker processes: guard, read, template identity, normalise (SPEC §5, §9).

python-calamine can abort the whole process on a hostile file; the guard catches the known cases, and
the process pool catches the rest: when a worker dies, the files it may have been reading are retried
one at a time in fresh pools, and the one that kills its worker again is rejected (rule F05). Everything a
file needs on its own is done where it is read, on every core; the workers return frames (a
:class:`Prepared` per file), and the main process only merges them.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.config.labels import Vocabulary
from pipeline.config.limits import LIMITS, Limits
from pipeline.config.moments import moment
from pipeline.intake.discover import InboxFile, describe_os_error, sha256_of
from pipeline.intake.guard import EXPECTED_SPREADSHEET, Inflated, guard_bytes, guard_file
from pipeline.intake.identify import template_sheets
from pipeline.intake.normalise import Submission, normalise_workbook
from pipeline.intake.read import RawWorkbook, read_workbook
from schemas.rules import finding
from schemas.submission import SHEET_UNIT

Progress = Callable[[int], None]
Vocabularies = Mapping[str, Vocabulary]
_VOCABULARIES: Vocabularies = {}  # set once in each worker process by _install (not pickled per file)
_LIMITS: Limits = LIMITS


@dataclass(frozen=True)
class Prepared:
    """One file as a worker leaves it: the raw workbook (its sheets kept only when rejected, for messages and
    the unit it names; else only its `Đơn vị` form) and, when it can be used, the normalised submission."""

    raw: RawWorkbook
    submission: Submission | None = None
    sha256: str = ""  # of the bytes the worker read, guarded and parsed


def prepare_file(path: Path, relative: str, vocabularies: Vocabularies, limits: Limits = LIMITS) -> Prepared:
    """Guard one file, read it, check the template's sheets and normalise it (a worker's unit of work)."""
    moment("read")
    raw, digest = read_one(path, relative, limits)
    if raw.complete:
        raw = replace(raw, findings=(*raw.findings, *template_sheets(raw)))
    if raw.rejected:
        return Prepared(raw, sha256=digest)
    submission = normalise_workbook(raw, vocabularies, limits)
    return Prepared(replace(raw, sheets={k: v for k, v in raw.sheets.items() if k == SHEET_UNIT}), submission,
                    sha256=digest)


def read_one(path: Path, relative: str, limits: Limits = LIMITS) -> tuple[RawWorkbook, str]:
    """Read one file's bytes once — hashed, guarded, then parsed, the same bytes — (a worker's unit of work).

    Returns:
        The raw workbook and the SHA-256 of the bytes read ("" when the file was too large to read).
    """
    def refused(rule: str, found: str, expected: str) -> RawWorkbook:
        return RawWorkbook(relative, findings=(finding(rule, relative, detail=found, expected=expected),))

    try:
        if path.stat().st_size > limits.file_bytes:
            problem = guard_file(path, limits)  # the size is checked before a byte is read
            assert problem is not None
            return refused(problem.rule, problem.found, problem.expected), ""
        data = path.read_bytes()
    except OSError as error:
        return refused("F01", describe_os_error(error), EXPECTED_SPREADSHEET), ""
    digest = sha256_of(data)
    seen = Inflated()  # the guard keeps what it inflates anyway: the sheets' XML, where error cells are
    problem = guard_bytes(data, seen, limits)
    if problem is not None:
        return refused(problem.rule, problem.found, problem.expected), digest
    return read_workbook(path, relative, data, seen), digest


def _crashed(relative: str, error: BaseException | None = None) -> Prepared:
    """F05: the reader died on this file (``error`` when it raised instead of dying)."""
    found = finding("F05", relative) if error is None else finding("F05", relative, "error",
                                                                     error="lỗi của chương trình đọc")
    return Prepared(RawWorkbook(relative, findings=(found,)))


def die_with_parent(parent: int) -> None:
    """Pool initializer: end this worker when the process that started it dies (a kill -9 of the run must not
    leave workers writing into a staging folder that the next run reuses). Linux has ``PR_SET_PDEATHSIG``;
    elsewhere a worker ends when its pool's pipe closes, after the file at hand. A worker collects garbage as
    usual (a forked one inherits the run's paused collector)."""
    gc.enable()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:  # the parent died before the request was in place
            os._exit(1)


def _install(vocabularies: Vocabularies, limits: Limits, parent: int) -> None:
    """Pool initializer: tied to the run's process, then the year's lookups, once per worker process."""
    global _VOCABULARIES, _LIMITS
    die_with_parent(parent)
    _VOCABULARIES, _LIMITS = vocabularies, limits


def _prepare_in_worker(path: Path, relative: str) -> Prepared:
    return prepare_file(path, relative, _VOCABULARIES, _LIMITS)


def prepare_files(files: Iterable[InboxFile], vocabularies: Vocabularies, *, workers: int | None = None,
                  progress: Progress | None = None, limits: Limits = LIMITS) -> dict[str, Prepared]:
    """Guard, read and normalise files in parallel; returns each file's :class:`Prepared` by relative path.

    Args:
        files: inbox files to read (not ignored ones).
        vocabularies: the lookups of the school year's label sets.
        workers: worker processes (default: the machine's cores); 0 works in this process (tests only).
        progress: called with the number of files just finished.
        limits: the sizes a file must stay within (the settings'), checked before any parser reads it.
    """
    todo = list(files)
    results: dict[str, Prepared] = {}
    if workers == 0:
        for file in todo:
            results[file.relative] = prepare_file(file.path, file.relative, vocabularies, limits)
            if progress:
                progress(1)
        return results
    count = workers or min(os.cpu_count() or 1, 8)
    while todo:
        unread = _run_pool(todo, count, vocabularies, limits, results, progress)
        # A pool hands files out in order, at most one per worker plus count + 1 queued: only the first
        # 2 × count + 1 files left unread can have killed it. Those are read alone; the rest go back to a pool.
        suspects, todo = unread[:2 * count + 1], unread[2 * count + 1:]
        for file in suspects:  # each alone: whoever dies now is the culprit
            if _run_pool([file], 1, vocabularies, limits, results, progress):
                results[file.relative] = _crashed(file.relative)
                if progress:
                    progress(1)
    return results


def _run_pool(files: list[InboxFile], workers: int, vocabularies: Vocabularies, limits: Limits,
              results: dict[str, Prepared],
              progress: Progress | None) -> list[InboxFile]:
    """Read ``files`` in one pool; returns the files left unread because a worker died."""
    if not files:
        return []
    # fork shares the parent's imported modules (pandas, pandera): workers start in milliseconds. Windows
    # has only spawn; PIPELINE_START_METHOD=spawn reproduces it elsewhere (tests do).
    method = os.environ.get("PIPELINE_START_METHOD") or ("fork" if os.name == "posix" else "spawn")
    context = multiprocessing.get_context(method)
    futures: dict[Future[Prepared], InboxFile] = {}
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context, initializer=_install,
                                 initargs=(vocabularies, limits, os.getpid())) as pool:
            for file in files:
                futures[pool.submit(_prepare_in_worker, file.path, file.relative)] = file
            for future, file in futures.items():
                try:
                    results[file.relative] = future.result()
                except BrokenProcessPool:
                    break
                except Exception as error:  # noqa: BLE001 — a reader bug on one file costs that file only
                    results[file.relative] = _crashed(file.relative, error)
                if progress:
                    progress(1)
    except BrokenProcessPool:
        pass
    for future, file in futures.items():  # read before the pool broke: kept, not read again
        if file.relative not in results and future.done() and not future.cancelled() and future.exception() is None:
            results[file.relative] = future.result()
            if progress:
                progress(1)
    return [file for file in files if file.relative not in results]
