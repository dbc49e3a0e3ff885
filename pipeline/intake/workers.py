"""Guard and read inbox files in worker processes, so that a reader crash costs one file (SPEC §5).

python-calamine can abort the whole process on a hostile file; the guard catches the known cases, and
the process pool catches the rest: when a worker dies, the files it may have been reading are retried
one at a time in fresh pools, and the one that kills its worker again is rejected (rule F05).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.intake.discover import InboxFile
from pipeline.intake.guard import guard_file
from pipeline.intake.read import RawWorkbook, read_workbook
from schemas.rules import finding

Progress = Callable[[int], None]


def read_one(path: Path, relative: str) -> RawWorkbook:
    """Guard one file, then read it (the unit of work of a worker process)."""
    refused = guard_file(path)
    if refused is not None:
        return RawWorkbook(relative, findings=(finding(refused.rule, relative, detail=refused.found,
                                                       expected=refused.expected),))
    return read_workbook(path, relative)


def _crashed(relative: str, error: BaseException | None = None) -> RawWorkbook:
    """F05: the reader died on this file (``error`` when it raised instead of dying)."""
    found = finding("F05", relative) if error is None else finding("F05", relative, "error",
                                                                     error=type(error).__name__)
    return RawWorkbook(relative, findings=(found,))


def read_files(files: Iterable[InboxFile], *, workers: int | None = None, progress: Progress | None = None
               ) -> dict[str, RawWorkbook]:
    """Read spreadsheets in parallel; returns raw workbooks by relative path.

    Args:
        files: inbox files to read (not ignored ones).
        workers: worker processes (default: the machine's cores); 0 reads in this process (tests only).
        progress: called with the number of files just finished.
    """
    todo = list(files)
    results: dict[str, RawWorkbook] = {}
    if workers == 0:
        for file in todo:
            results[file.relative] = read_one(file.path, file.relative)
            if progress:
                progress(1)
        return results
    count = workers or min(os.cpu_count() or 1, 8)
    suspects = _run_pool(todo, count, results, progress)
    for file in suspects:  # each alone: whoever dies now is the culprit
        if _run_pool([file], 1, results, progress):
            results[file.relative] = _crashed(file.relative)
            if progress:
                progress(1)
    return results


def _run_pool(files: list[InboxFile], workers: int, results: dict[str, RawWorkbook],
              progress: Progress | None) -> list[InboxFile]:
    """Read ``files`` in one pool; returns the files left unread because a worker died."""
    if not files:
        return []
    # fork shares the parent's imported modules (pandas, pandera): workers start in milliseconds. Windows
    # has only spawn; PIPELINE_START_METHOD=spawn reproduces it elsewhere (tests do).
    method = os.environ.get("PIPELINE_START_METHOD") or ("fork" if os.name == "posix" else "spawn")
    context = multiprocessing.get_context(method)
    futures: dict[Future[RawWorkbook], InboxFile] = {}
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
            for file in files:
                futures[pool.submit(read_one, file.path, file.relative)] = file
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
    return [file for file in files if file.relative not in results]
