"""``make bench``: the pipeline's speed and memory against the floor and the naive way (SPEC §9).

* pipeline — ``python -m pipeline consolidate`` on generated submissions, in its own process;
* floor — python-calamine parsing the same files plus xlsxwriter writing the same number of output
  cells, unformatted, in one process;
* naive — pandas ``read_excel`` (openpyxl) of every sheet, then ``to_excel`` of the concatenation.

Each runs in a child process so that its peak memory (largest process) is measured on its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.config.load import Config
from pipeline.intake.guard import guard_file
from pipeline.samples.demo import write_demo

NAIVE_SAMPLE = 120  # the naive way reads this many files and is scaled up linearly (it is slow by design)


@dataclass(frozen=True)
class Measure:
    """One timed run."""

    name: str
    seconds: float
    peak_mb: float
    files: int
    note: str = ""


def run_bench(config: Config, school_year: str, units: int, *, workdir: Path | None = None,
              seed: int = 2020) -> list[Measure]:
    """Generate ``units`` submissions and measure the three ways of consolidating them."""
    base = Path(workdir or tempfile.mkdtemp(prefix="bench-"))
    inbox = base / "inbox"
    started = time.perf_counter()
    demo = write_demo(config, school_year, inbox, units=units, seed=seed, faulty=0.15)
    generation = time.perf_counter() - started
    config_dir = demo.config_dir or config.directory
    files = sorted(p for p in inbox.rglob("*.xlsx") if not p.name.startswith("~$"))
    # The floor and the naive way parse only what they can survive: the files the guard lets through
    # (a hostile file aborts python-calamine's process and exhausts openpyxl's memory).
    parsable = [f for f in files if guard_file(f) is None]
    results = [Measure("tạo dữ liệu mẫu (không tính)", generation, 0.0, len(files))]
    pipeline = _child(["module", "pipeline", "consolidate", "--inbox", str(inbox), "--outbox", str(base / "outbox"),
                       "--year", school_year, "--config", str(config_dir)])
    results.append(Measure("chương trình (consolidate)", *pipeline, len(files)))
    cells = _output_cells(base / "outbox" / school_year)
    listing = base / "files.json"
    listing.write_text(json.dumps([str(f) for f in parsable]), encoding="utf-8")
    floor = _child(["script", _script(base, "floor.py", _FLOOR), str(listing), str(base / "floor.xlsx"), str(cells)])
    results.append(Measure("mức sàn (calamine + xlsxwriter)", *floor, len(parsable),
                           f"{len(files) - len(parsable)} tệp hỏng bỏ qua" if len(parsable) < len(files) else ""))
    sample = parsable[:NAIVE_SAMPLE]
    sample_listing = base / "sample.json"
    sample_listing.write_text(json.dumps([str(f) for f in sample]), encoding="utf-8")
    naive = _child(["script", _script(base, "naive.py", _NAIVE), str(sample_listing), str(base / "naive.xlsx")])
    scale = len(parsable) / max(len(sample), 1)
    note = f"đo trên {len(sample)} tệp, nhân {scale:.1f} lần" if scale > 1 else ""
    results.append(Measure("cách thông thường (pandas + openpyxl)", naive[0] * scale, naive[1], len(parsable), note))
    return results


# Runs a program, then reports the peak resident memory of this process (VmHWM: Linux resets it at exec,
# unlike ru_maxrss, which a child inherits from the large process that started it).
_MEASURED = """
import atexit, resource, runpy, sys
peak_path = sys.argv[1]
def report():
    peak = 0.0
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with open(peak_path, "w") as out:
        out.write(str(max(peak, children if children < peak * 4 else 0)))
atexit.register(report)
mode, target = sys.argv[2], sys.argv[3]
sys.argv = [target, *sys.argv[4:]]
if mode == "module":
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    exec(compile(open(target).read(), target, "exec"), {"__name__": "__main__"})
"""


def _child(command: list[str]) -> tuple[float, float]:
    """Run ``[module|script, target, *args]`` in a fresh Python; its wall time and peak memory (MB)."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        with (Path(scratch) / "log").open("w+b") as output:
            started = time.perf_counter()
            result = subprocess.run([sys.executable, "-c", _MEASURED, str(peak_file), *command], stdout=output,
                                    stderr=output, env={**os.environ, "PYTHONUTF8": "1"}, check=False)
            seconds = time.perf_counter() - started
            if result.returncode != 0:
                output.seek(0)
                raise RuntimeError(f"benchmark step failed: {' '.join(command[:3])}…\n{output.read()[-2000:]!r}")
        return seconds, float(peak_file.read_text())


def _script(directory: Path, name: str, code: str) -> str:
    path = directory / name
    path.write_text(code, encoding="utf-8")
    return str(path)


def _output_cells(folder: Path) -> int:
    """How many cells the pipeline wrote (all its workbooks), for the floor to write as many."""
    from python_calamine import CalamineWorkbook

    total = 0
    for path in folder.rglob("*.xlsx"):
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            total += sum(len(row) for row in rows)
    return total


_FLOOR = """
import json, sys, xlsxwriter
from python_calamine import CalamineWorkbook
files, target, cells = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
sample = []
for path in files:  # parse every sheet of every file, keeping nothing but a few values to write back
    try:
        book = CalamineWorkbook.from_path(path)
    except Exception:  # encrypted or damaged: nothing to parse
        continue
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            if len(sample) < 1000:
                sample.extend(v for v in row if isinstance(v, (int, float, str)))
workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
sheet = workbook.add_worksheet()
width = 40
for n in range(cells):
    sheet.write(n // width, n % width, sample[n % len(sample)] if sample else n)
workbook.close()
"""

_NAIVE = """
import json, sys
import pandas as pd
files, target = json.load(open(sys.argv[1])), sys.argv[2]
frames = {}
for path in files:
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    except Exception:  # the naive way has no answer for a damaged file: it skips it
        continue
    for name, frame in sheets.items():
        frames.setdefault(name, []).append(frame)
with pd.ExcelWriter(target, engine="openpyxl") as writer:
    for name, parts in frames.items():
        pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=name[:31], index=False)
"""


def format_results(results: list[Measure]) -> str:
    """The benchmark table, in Vietnamese, with ratios to the floor and to the naive way."""
    generation, pipeline, floor, naive = results
    width = max(len(m.name) for m in results)
    lines = [f"{'':<{width}}  {'giây':>8}  {'tệp/giây':>9}  {'bộ nhớ MB':>10}"]
    for m in results:
        rate = m.files / m.seconds if m.seconds else 0.0
        peak = f"{m.peak_mb:10.0f}" if m.peak_mb else f"{'':>10}"
        lines.append(f"{m.name:<{width}}  {m.seconds:8.1f}  {rate:9.1f}  {peak}  {m.note}".rstrip())
    lines.append(f"Chương trình / mức sàn: {pipeline.seconds / floor.seconds:.1f} lần thời gian, "
                 f"{pipeline.peak_mb / floor.peak_mb:.1f} lần bộ nhớ")
    lines.append(f"Chương trình / cách thông thường: {pipeline.seconds / naive.seconds:.2f} lần thời gian "
                 f"({naive.seconds / pipeline.seconds:.1f} lần nhanh hơn)")
    lines.append(f"{pipeline.files} tệp (có tệp gửi lại, tệp lỗi); {os.cpu_count()} nhân CPU; "
                 f"tạo dữ liệu mẫu mất {generation.seconds:.0f} giây (không tính).")
    return "\n".join(lines)
