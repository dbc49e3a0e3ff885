"""``make bench``: the pipeline's speed and memory against the floor and the naive way (SPEC §9).

* pipeline — :func:`pipeline.run.consolidate_year` on generated submissions, in its own process, with the
  seconds of every stage;
* floor — python-calamine parsing the same files plus xlsxwriter writing the same number of output
  cells, unformatted, in one process (beyond FLOOR_SAMPLE files, every n-th file and its share of the cells,
  the time scaled up: the floor is linear by construction);
* naive — pandas ``read_excel`` (openpyxl) of every sheet, then ``to_excel`` of the concatenation (measured on
  a sample of the files and scaled, it is slow by design).

Each runs in a child process; its peak memory is that of all its processes together (the worker processes
included, each by its proportional set size, so that pages forked workers share with the run count once), sampled
from /proc. The pipeline and the floor run ``repeat`` times and the medians are reported.
The generated inbox is kept under ``bench/<năm học>-N<units>-s<seed>/`` so that a second run skips generating it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config.load import Config
from pipeline.intake.guard import guard_file
from pipeline.intake.workers import die_with_parent
from pipeline.samples.demo import refresh_settings, write_demo

FLOOR_SAMPLE = 10_000  # beyond this many files the floor parses a regular sample and is scaled (it is linear);
# the targets' sizes (700 and 5,000 units: 5,018 files with resubmissions and faults) parse every file
NAIVE_SAMPLE = 120  # the naive way reads this many files and is scaled up linearly (it is slow by design)
CACHE = Path("bench")  # generated inboxes, one folder per (year, units, seed); git-ignored
SAMPLE_EVERY = 0.2  # seconds between memory samples of a child's process tree (reading a process's PSS takes its
# memory map's lock: sampled every 0.05 s, it slowed the workers it measured by a tenth)
SAMPLE_COST = 20  # and at least this many times as long as the last sample took (see _TreeMemory.run)
STAGES = {  # run.py's stages, as make bench prints them
    "config": "cấu hình",
    "discover": "tìm tệp (discover)",
    "read": "kiểm tra an toàn + đọc + chuẩn hoá (các tiến trình con)",
    "identify": "nhận diện tệp, tệp nào được dùng",
    "validate": "kiểm tra (pandera, giữa các trang)",
    "score": "chấm điểm, xếp hạng, tổng hợp",
    "summary": "ghi bản tổng hợp",
    "dossier": "ghi hồ sơ đề nghị (Word)",
    "feedback": "ghi phản hồi và bản đánh dấu (tiến trình con, song song; phần còn chờ)",
    "manifest": "ghi manifest.json",
    "swap": "đưa kết quả mới vào thay kết quả cũ",
}


@dataclass(frozen=True)
class Measure:
    """One timed way of doing the work (medians when repeated)."""

    name: str
    seconds: float
    peak_mb: float
    files: int
    note: str = ""
    stages: dict[str, float] = field(default_factory=dict)


def bench_folder(school_year: str, units: int, seed: int) -> Path:
    """Where the inbox generated for these parameters is kept."""
    return CACHE / f"{school_year}-N{units}-s{seed}"


@dataclass(frozen=True)
class BenchInbox:
    """The generated inbox a benchmark measures, and the configuration (its roster) that goes with it."""

    inbox: Path
    config_dir: Path
    seconds: float  # spent generating it now (0 when it was kept from an earlier run)
    note: str


def bench_inbox(config: Config, school_year: str, units: int, base: Path, seed: int = 2020) -> BenchInbox:
    """The inbox of ``units`` generated submissions under ``base``: generated once, then reused."""
    inbox, marker = base / "inbox", base / "generated.json"
    if marker.exists():
        generated = json.loads(marker.read_text(encoding="utf-8"))
        config_dir = Path(generated["config"]) if generated["config"] else config.directory
        if config_dir != config.directory:  # the synthetic roster is the cache's; the rest follows config/
            refresh_settings(config.directory, config_dir, units)
        return BenchInbox(inbox, config_dir, 0.0, "đã có sẵn, không tạo lại")
    started = time.perf_counter()
    demo = write_demo(config, school_year, inbox, units=units, seed=seed, faulty=0.15)
    generation = time.perf_counter() - started
    marker.write_text(json.dumps({"config": str(demo.config_dir or ""), "seconds": generation}), encoding="utf-8")
    return BenchInbox(inbox, demo.config_dir or config.directory, generation, "")


def run_bench(config: Config, school_year: str, units: int, *, workdir: Path | None = None, seed: int = 2020,
              repeat: int = 1) -> list[Measure]:
    """Measure the three ways of consolidating ``units`` generated submissions (generated once, then reused)."""
    base = Path(workdir or bench_folder(school_year, units, seed))
    prepared = bench_inbox(config, school_year, units, base, seed)
    inbox, config_dir, generation, note = prepared.inbox, prepared.config_dir, prepared.seconds, prepared.note
    files = sorted(p for p in inbox.rglob("*.xlsx") if not p.name.startswith("~$"))
    # The floor and the naive way parse only what they can survive: the files the guard lets through
    # (a hostile file aborts python-calamine's process and exhausts openpyxl's memory). Beyond FLOOR_SAMPLE files
    # they see every n-th file, each standing for n (guarding all 50,000 alone took 8 minutes).
    every = -(-len(files) // FLOOR_SAMPLE)
    sampled = files[::every]
    with ProcessPoolExecutor(initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        parsable = [f for f, refused in zip(sampled, pool.map(guard_file, sampled, chunksize=64)) if refused is None]
    floor_scale = len(files) / len(sampled)
    results = [Measure("tạo dữ liệu mẫu (không tính)", generation, 0.0, len(files), note)]
    stages_file = base / "stages.json"
    runs: list[tuple[float, float, dict[str, float]]] = []
    for _ in range(max(repeat, 1)):
        outbox = base / "outbox"
        shutil.rmtree(outbox, ignore_errors=True)
        measured = _child(["script", _script(base, "pipeline.py", _PIPELINE), str(config_dir), school_year, str(inbox),
                           str(outbox), str(stages_file)])
        runs.append((*measured, json.loads(stages_file.read_text(encoding="utf-8"))))
    seconds, peak = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    stages = {name: statistics.median(r[2][name] for r in runs) for name in runs[0][2]}
    results.append(Measure("chương trình (consolidate)", seconds, peak, len(files), _median_note(repeat), stages))
    cells = _output_cells(base / "outbox" / school_year)
    listing = base / "files.json"
    listing.write_text(json.dumps([str(f) for f in parsable]), encoding="utf-8")
    floor_cells = round(cells / floor_scale)  # the sample's share of the cells the pipeline wrote
    floors = [_child(["script", _script(base, "floor.py", _FLOOR), str(listing), str(base / "floor.xlsx"),
                      str(floor_cells)]) for _ in range(max(repeat, 1))]
    parsable_files = round(len(parsable) * floor_scale)
    skipped = f"{len(files) - parsable_files} tệp hỏng bỏ qua" if parsable_files < len(files) else ""
    sample_note = f"đo trên {len(parsable)} tệp, nhân {floor_scale:.1f} lần" if every > 1 else ""
    results.append(Measure("mức sàn (calamine + xlsxwriter)", statistics.median(f[0] for f in floors) * floor_scale,
                           statistics.median(f[1] for f in floors), parsable_files,
                           "; ".join(n for n in (skipped, sample_note, _median_note(repeat)) if n)))
    sample = parsable[:NAIVE_SAMPLE]
    sample_listing = base / "sample.json"
    sample_listing.write_text(json.dumps([str(f) for f in sample]), encoding="utf-8")
    naive = _child(["script", _script(base, "naive.py", _NAIVE), str(sample_listing), str(base / "naive.xlsx")])
    scale = parsable_files / max(len(sample), 1)
    note = f"đo trên {len(sample)} tệp, nhân {scale:.1f} lần" if scale > 1 else ""
    results.append(Measure("cách thông thường (pandas + openpyxl)", naive[0] * scale, naive[1], parsable_files, note))
    return results


def _median_note(repeat: int) -> str:
    return f"trung vị của {repeat} lần" if repeat > 1 else ""


_PIPELINE = """
import json, sys
from pathlib import Path
from pipeline.config.load import load_config
from pipeline.run import consolidate_year
config, year, inbox, outbox, stages = sys.argv[1:6]
done = consolidate_year(load_config(Path(config)), year, Path(inbox), Path(outbox))
Path(stages).write_text(json.dumps(done.seconds))
"""


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
    """Run ``[module|script, target, *args]`` in a fresh Python; its wall time and the peak memory (MB) of all its
    processes together (sampled from /proc; where there is no /proc, the largest process as the child reports it)."""
    with tempfile.TemporaryDirectory() as scratch:
        peak_file = Path(scratch) / "peak"
        with (Path(scratch) / "log").open("w+b") as output:
            started = time.perf_counter()
            process = subprocess.Popen([sys.executable, "-c", _MEASURED, str(peak_file), *command], stdout=output,
                                       stderr=output, env={**os.environ, "PYTHONUTF8": "1"})
            tree = _TreeMemory(process.pid)
            tree.start()
            returncode = process.wait()
            seconds = time.perf_counter() - started
            tree.stop()
            if returncode != 0:
                output.seek(0)
                raise RuntimeError(f"benchmark step failed: {' '.join(command[:3])}…\n{output.read()[-2000:]!r}")
        largest = float(peak_file.read_text())
        return seconds, max(tree.peak_mb, largest)


class _TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants, and keeps the largest sum.

    Each process counts its proportional set size (PSS: a page shared by k processes counts 1/k in each), so the
    sum is the memory the processes hold together: worker processes forked from the run share its pages, and a
    sum of resident sizes counted those pages once per worker."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            started = time.perf_counter()
            self.peak_mb = max(self.peak_mb, _tree_memory_mb(self.pid))
            # a PSS read walks the process's page tables: at 50,000 files (processes of 4 GB) sampling every 0.2 s
            # took 40 % of a core; waiting SAMPLE_COST times as long as a sample took keeps it under 5 %
            self._done.wait(max(SAMPLE_EVERY, SAMPLE_COST * (time.perf_counter() - started)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_memory_mb(root: int) -> float:
    """The memory of ``root`` and its descendants now: the sum of their PSS (their resident sizes where the kernel
    gives no PSS; 0 where /proc is missing)."""
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            parents[int(entry)], sizes[int(entry)] = int(fields[1]), int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    return sum(_pss(pid, sizes.get(pid, 0)) for pid in family) / (1024 * 1024)


def _pss(pid: int, resident: int) -> int:
    """The PSS of a process in bytes (``resident`` when /proc/<pid>/smaps_rollup cannot be read)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resident


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
        for name in workbook.sheet_names:  # row by row: a national workbook has millions of cells
            total += sum(len(row) for row in workbook.get_sheet_by_name(name).iter_rows())
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
    """The benchmark table, in Vietnamese: totals, the pipeline's stages, ratios to the floor and the naive way."""
    generation, pipeline, floor, naive = results
    width = max(len(m.name) for m in results)
    lines = [f"{'':<{width}}  {'giây':>8}  {'tệp/giây':>9}  {'bộ nhớ MB':>10}"]
    for m in results:
        rate = m.files / m.seconds if m.seconds else 0.0
        peak = f"{m.peak_mb:10.0f}" if m.peak_mb else f"{'':>10}"
        lines.append(f"{m.name:<{width}}  {m.seconds:8.1f}  {rate:9.1f}  {peak}  {m.note}".rstrip())
    if pipeline.stages:
        lines.append("Thời gian từng bước của chương trình (giây):")
        label = max(len(text) for text in STAGES.values())
        for stage, seconds in pipeline.stages.items():
            lines.append(f"  {STAGES.get(stage, stage):<{label}}  {seconds:8.2f}")
    lines.append(f"Chương trình / mức sàn: {pipeline.seconds / floor.seconds:.2f} lần thời gian, "
                 f"{pipeline.peak_mb / floor.peak_mb:.1f} lần bộ nhớ")
    lines.append(f"Cách thông thường / chương trình: {naive.seconds / pipeline.seconds:.1f} lần thời gian "
                 f"(chương trình nhanh hơn {naive.seconds / pipeline.seconds:.1f} lần)")
    lines.append(f"Bộ nhớ tối đa của mọi tiến trình cộng lại: {pipeline.peak_mb:.0f} MB")
    lines.append(f"{pipeline.files} tệp (có tệp gửi lại, tệp lỗi); {os.cpu_count()} nhân CPU; "
                 f"tạo dữ liệu mẫu mất {generation.seconds:.0f} giây (không tính).")
    return "\n".join(lines)
