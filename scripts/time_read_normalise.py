"""Time guard + read and normalise of an inbox in one process (no workers), for the code in ``--code``.

Used to compare the reader before and after a change on the same files:

    python scripts/time_read_normalise.py --code . --inbox /tmp/bench700/inbox --year 2018-2019 \
        --config /tmp/bench700/inbox-cau-hinh

Works with the layout before the reshape (pipeline.read / pipeline.normalise) and after it
(pipeline.intake.*): it imports whichever the code has. Prints the seconds of each stage (best of --repeat).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, required=True)
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--year", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    new = (args.code / "pipeline" / "intake").is_dir()
    prefix = "pipeline.intake." if new else "pipeline."
    discover = importlib.import_module(prefix + "discover")
    workers = importlib.import_module(prefix + ("workers" if new else "ingest"))
    normalise = importlib.import_module(prefix + "normalise")
    config = importlib.import_module("pipeline.config.load" if new else "pipeline.config").load_config(args.config)
    if new:
        vocabularies = config.for_year(args.year).vocabularies
    else:
        vocabularies = normalise.vocabularies_of(config.vocab(args.year))
    files = [f for f in discover.discover_inbox(args.inbox) if f.ignored is None and f.unreadable is None]
    best_read, best_normalise = float("inf"), float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        raws = [workers.read_one(f.path, f.relative) for f in files]
        raws = [raw[0] if isinstance(raw, tuple) else raw for raw in raws]  # (raw, sha256) since hashing what is read
        read = time.perf_counter() - started
        started = time.perf_counter()
        for raw in raws:
            if not raw.rejected:
                normalise.normalise_workbook(raw, vocabularies)
        best_read, best_normalise = min(best_read, read), min(best_normalise, time.perf_counter() - started)
    print(f"{args.code}: {len(files)} files — guard+read {best_read:.2f} s, normalise {best_normalise:.2f} s, "
          f"together {best_read + best_normalise:.2f} s (best of {args.repeat}, one process)")


if __name__ == "__main__":
    main()
