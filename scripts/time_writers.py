"""Time the consolidated workbook and the dossier alone, on an inbox's consolidation and on its tables repeated.

Shows whether the two writers grow linearly with the rows, apart from the cores they share with the feedback
workers during a run (docs/performance.md, N = 50,000):

    python scripts/time_writers.py --inbox bench/2019-2020-N5000-s2020/inbox \
        --config bench/2019-2020-N5000-s2020/inbox-cau-hinh --year 2019-2020 --times 1 10

Reads the inbox with the worker processes (not timed), consolidates it, then for each factor of ``--times``
writes both outputs into a temporary folder from every table repeated that many times; prints seconds (wall and
CPU) and the ratio to the first factor.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from pipeline.outputs.dossier import write_dossier
from pipeline.outputs.summary import write_summary
from pipeline.run import load_configuration, take_in
from pipeline.scoring.consolidate import Consolidation, consolidate

REPEATED = ("collectives", "individuals", "proposals_collective", "proposals_individual", "submissions", "reports",
            "messages")


def repeated(result: Consolidation, times: int) -> Consolidation:
    """The consolidation with each long table ``times`` times over (the breakdowns and figures as they are)."""
    return dataclasses.replace(result, **{name: pd.concat([getattr(result, name)] * times, ignore_index=True)
                                          for name in REPEATED})


def timed(write: Callable[..., None], *args: object) -> tuple[float, float]:
    """Seconds (wall, CPU) of ``write(*args)``."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    write(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--year", required=True)
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    year = load_configuration(args.config).for_year(args.year)
    result = consolidate(take_in(year, args.inbox), year)
    first: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for times in args.times:
            big = repeated(result, times)
            print(f"×{times}: {len(big.collectives)} collectives, {len(big.individuals)} individuals, "
                  f"{len(big.proposals_collective) + len(big.proposals_individual)} proposals")
            for name, write in (("consolidated workbook", write_summary), ("dossier", write_dossier)):
                wall, cpu = timed(write, big, year, Path(folder) / f"{name}-{times}")
                first.setdefault(name, wall / times)
                print(f"  {name:<22} {wall:8.1f} s wall {cpu:8.1f} s CPU   {wall / first[name] / times:5.2f} × linear")


if __name__ == "__main__":
    main()
