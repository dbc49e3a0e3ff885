"""Sample submissions (``python -m pipeline demo``): the real template filled with fictional data.

A ``faulty`` share of files carries faults from :data:`pipeline.faults.FAULTS`; others may carry harmless
quirks (NFD text). Files are the template written by :func:`pipeline.template.write_template` with each school's
values stamped in (:class:`pipeline.template.stamp.Stamp`), so they cannot drift from the template. Deterministic
for a seed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from pipeline.config.load import LABELS_FILE, ROSTER_FILE, Config
from pipeline.config.schoolyear import year_start
from pipeline.config.year import YearConfig
from pipeline.intake.workers import die_with_parent
from pipeline.samples.faults import FAULTS, Fault, FaultContext
from pipeline.samples.period import Continuity
from pipeline.samples.sample import Location, UnitData, make_unit_data
from pipeline.template.stamp import Stamp
from pipeline.template.writer import generated_at, template_areas, write_template
from pipeline.vi.text import without_marks
from schemas.rules import RULES

DEMO_MARKER = ".du-lieu-mau"  # lists the files the demo wrote in a folder, so that it may rewrite them
PLACEHOLDERS = {"README.md", ".gitkeep"}  # the repository's own files in inbox/
SURPLUS_FILES = {  # not submissions: discovered, listed as ignored
    "Cong van huong dan DHTT.pdf": b"%PDF-1.4\n% fictional instructions\n",
    "Thumbs.db": b"\x00" * 64,
}


def clear_demo_inbox(inbox: Path) -> str | None:
    """Remove the files an earlier demo wrote in ``inbox``; refuse if anything else is there.

    Returns:
        None when the folder is ready, or a Vietnamese message saying why sample data must not go there.
    """
    if not inbox.exists():
        return None
    marker = inbox / DEMO_MARKER
    present = {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file()}
    previous: set[str] = set()
    if marker.exists():
        try:
            previous = set(json.loads(marker.read_text(encoding="utf-8")))
        except ValueError:  # a marker of an earlier version: the whole folder was sample data
            previous = present - PLACEHOLDERS
    foreign = sorted(present - previous - PLACEHOLDERS - {DEMO_MARKER})
    if foreign:
        return (f'Thư mục "{inbox}" đã có {len(foreign)} tệp không phải dữ liệu mẫu (ví dụ "{foreign[0]}"); dữ '
                "liệu mẫu không được trộn với bài nộp thật. Hãy chọn thư mục khác: --inbox demo/inbox")
    for relative in sorted(previous & present):
        (inbox / relative).unlink()
    for folder in sorted((p for p in inbox.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    marker.unlink(missing_ok=True)
    return None


def mark_demo_inbox(result: "DemoResult") -> None:
    """Record which files the demo wrote, so that the next demo may replace them (and nothing else)."""
    written = sorted(p.relative_to(result.inbox).as_posix() for p in result.files)
    (result.inbox / DEMO_MARKER).write_text(json.dumps(written, ensure_ascii=False, indent=0), encoding="utf-8")


@dataclass
class DemoResult:
    """What was written: files, the faults each carries (where they must be reported), the roster used."""

    inbox: Path
    files: list[Path]  # every file written, submissions and the ignored extras
    expected: dict[str, list[Location]]  # relative path → faults
    config_dir: Path | None = None  # a synthetic configuration, when more units than the roster were asked
    submissions: int = 0  # spreadsheets among the files


def write_demo(config: Config, school_year: str, inbox: Path, *, units: int | None = None, seed: int = 2020,
               faulty: float = 0.15, faults: list[Fault] | None = None, continuity: Continuity | None = None
               ) -> DemoResult:
    """Write sample submissions for the roster's units into ``inbox``.

    Args:
        config: the configuration (its roster, label sets and criteria shape the template).
        school_year: the year of the template.
        inbox: where to write (created if needed); existing files are left alone.
        units: how many units (default: every roster unit of the year); beyond the roster, a synthetic
            roster of that size is written to ``<inbox>-cau-hinh/`` with the rest of the configuration.
        seed: randomness seed; the same seed writes the same files.
        faulty: share of files carrying faults (0 to 1).
        faults: the faults to spread, entries of FAULTS (default: the whole catalogue, in order).
        continuity: for one year of a period (``demo --period``): stable staff and teams across the years; the
            files then go straight into ``inbox`` (the year's own folder), never into a school-year sub-folder.
    """
    rng = random.Random(f"{seed}/{school_year}/demo")
    roster = config.for_year(school_year).units
    config_dir = None
    if units is not None and units > len(roster):
        config_dir = inbox.parent / f"{inbox.name}-cau-hinh"
        roster = _synthetic_roster(config, school_year, units, config_dir)
        from pipeline.config.load import load_config

        config = load_config(config_dir)
        roster = config.for_year(school_year).units
    elif units is not None:
        roster = roster.iloc[sorted(rng.sample(range(len(roster)), units))].reset_index(drop=True)
    year = config.for_year(school_year)
    data = [make_unit_data(row, school_year, seed) for _, row in roster.iterrows()]
    protected: frozenset[str] = frozenset()  # units whose files carry the period's surprises: never broken
    if continuity is not None:
        data, protected = continuity.apply(data, school_year)
    catalogue = list(FAULTS if faults is None else faults)
    if faults is None:
        rng.shuffle(catalogue)  # a small faulty share still gets a mix of file, row and warning faults
    count = min(len(data), round(faulty * len(data))) if catalogue else 0
    eligible = [index for index, item in enumerate(data) if item.code not in protected]
    chosen = rng.sample(eligible, min(count, len(eligible)))
    plan = {index: catalogue[n % len(catalogue)] for n, index in enumerate(chosen)}
    sound = [d for index, d in enumerate(data) if plan.get(index) is None
             or (RULES[plan[index].rule].severity != "file" and not plan[index].resubmit)]
    context = FaultContext(rng, year_start(school_year), data, sound)
    inbox.mkdir(parents=True, exist_ok=True)
    result = DemoResult(inbox, [], {}, config_dir)
    jobs: list[_Job] = []
    by_area = template_areas(year) != [None]  # a large roster: each school fills its area's template
    for index, unit_data in enumerate(data):
        relative = _file_name(rng, unit_data, school_year, roster.iloc[index], year_folder=continuity is None)
        area = str(roster.iloc[index]["dia_ban"]) if by_area else None
        fault = plan.get(index)
        if fault is None and rng.random() < 0.1:
            unit_data = _as_nfd(unit_data)  # pasted from a Mac or a web page: NFD text, no rule broken
        location = fault.data(unit_data, context) if fault and fault.data else None
        if fault and fault.resubmit:
            older = replace(unit_data, unit=dict(unit_data.unit, ngay_lap=unit_data.unit["ngay_lap"] -
                                                 dt.timedelta(days=12)))
            first = relative.with_name(f"{relative.stem} (lan 1){relative.suffix}")
            jobs.append(_Job(older, inbox / first, area))
            result.expected[first.as_posix()] = [Location("W14")]
        edit = next(n for n, f in enumerate(FAULTS) if f is fault) if fault and fault.file else None
        jobs.append(_Job(unit_data, inbox / relative, area, edit))
        if location is not None and not fault.resubmit:  # type: ignore[union-attr]
            result.expected[relative.as_posix()] = [location]
    for job, broken in zip(jobs, _write_all(year, generated_at(), jobs)):
        if broken is not None:
            result.expected[job.path.relative_to(inbox).as_posix()] = [broken]
    result.files = [job.path for job in jobs]
    result.submissions = len(result.files)
    for name, content in SURPLUS_FILES.items():
        (inbox / name).write_bytes(content)
        result.files.append(inbox / name)
    lock = inbox / f"~${result.files[0].name}"
    lock.write_bytes(b"\x0bNguoi dung" + b"\x00" * 150)
    result.files.append(lock)
    return result


PARALLEL_FROM = 6  # files; below this, starting worker processes costs more than it saves (measured, 2 cores)


class _Job(NamedTuple):
    """One file to write: the unit's values, where, its area's template, and the file fault to break it with."""

    data: UnitData
    path: Path
    area: str | None
    edit: int | None = None  # a file fault, by its place in FAULTS (a function of the catalogue pickles by name)


def _write_all(year: YearConfig, generated: dt.datetime, jobs: list[_Job]) -> list[Location | None]:
    """Write every file (its area's template, or the one template), in worker processes when there are many (the
    output does not depend on it); returns where each file's file fault is to be reported."""
    for job in jobs:
        job.path.parent.mkdir(parents=True, exist_ok=True)
    if len(jobs) < PARALLEL_FROM:
        return [_write_one(year, generated, job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda n: jobs[n].area or "")  # a process's files share a blank template
    workers = min(os.cpu_count() or 1, 8)
    chunk = max(1, min(8, -(-len(jobs) // (2 * workers))))  # every worker gets work, even with few files
    with ProcessPoolExecutor(max_workers=workers, initializer=_install, initargs=(os.getpid(), year, generated)
                             ) as pool:
        broken = dict(zip(order, pool.map(_write_installed, [jobs[n] for n in order], chunksize=chunk)))
    return [broken[n] for n in range(len(jobs))]


_YEAR: tuple[YearConfig, dt.datetime] | None = None  # set once in each writing process (not pickled per file)


def _install(parent: int, year: YearConfig, generated: dt.datetime) -> None:
    global _YEAR
    die_with_parent(parent)
    _YEAR = year, generated


def _write_installed(job: _Job) -> Location | None:
    assert _YEAR is not None
    return _write_one(*_YEAR, job)


def _write_one(year: YearConfig, generated: dt.datetime, job: _Job) -> Location | None:
    """One submission: the template filled with the unit's values, saved by its school a few days after it was made
    (some after the deadline), and reaching the inbox the next morning, when staff save the e-mail attachment. A
    file fault then breaks the written file; returns where it is to be reported."""
    data, path, area = job.data, job.path, job.area
    made = data.unit.get("ngay_lap")
    saved = arrived = None
    if isinstance(made, dt.date):
        delay = int(data.code[-2:]) % 17 if data.code[-2:].isdigit() else 3
        at_school = dt.datetime.combine(made + dt.timedelta(days=delay), dt.time(16, 30))  # Vietnam time
        saved, arrived = at_school - dt.timedelta(hours=7), at_school + dt.timedelta(hours=17)
    content = _stamp(year, generated, area).filled(data.fill(), saved)
    if content is None:  # a value the stamp does not write as the writer would: the writer writes the file
        write_template(year, path, data.fill(), generated=generated, saved=saved, area=area)
    else:
        path.write_bytes(content)
    broken = None
    if job.edit is not None:
        edit = FAULTS[job.edit].file
        assert edit is not None
        broken = edit(path)
    if arrived is not None:
        os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    return broken


_STAMPS: dict[tuple[str, str, dt.datetime, str | None], Stamp] = {}
STAMPS_KEPT = 8  # blank templates a process keeps (one per area; jobs come grouped by area)


def _stamp(year: YearConfig, generated: dt.datetime, area: str | None) -> Stamp:
    """The blank template of ``area`` to stamp values into, written once per process."""
    key = (year.school_year, year.config_sha256, generated, area)
    if key not in _STAMPS:
        while len(_STAMPS) >= STAMPS_KEPT:
            del _STAMPS[next(iter(_STAMPS))]
        _STAMPS[key] = Stamp(year, generated, area)
    return _STAMPS[key]


def _file_name(rng: random.Random, data: UnitData, school_year: str, unit: pd.Series, *, year_folder: bool = True
               ) -> Path:
    """Names and folders as staff receive them by e-mail: varied, partly nested, no fixed pattern."""
    ascii_name = without_marks(data.name)
    name = rng.choice([f"DHTT_{school_year}_{data.code}.xlsx", f"{ascii_name} - bao cao DHTT.xlsx",
                       f"Bao cao dien hinh {data.code}.xlsx", f"{data.code}_{ascii_name.replace(' ', '_')}.xlsx"])
    draw = rng.random()
    area = without_marks(str(unit["dia_ban"]))
    if draw < 0.4:
        return Path(name)
    if draw < 0.7:
        return Path(school_year) / name if year_folder else Path(area) / name
    return Path(school_year) / area / name if year_folder else Path(area) / name


def _as_nfd(data: UnitData) -> UnitData:
    def nfd(value: Any) -> Any:
        return unicodedata.normalize("NFD", value) if isinstance(value, str) and value != data.code else value

    return replace(data, unit={k: nfd(v) for k, v in data.unit.items()},
                   collectives=[{k: nfd(v) for k, v in row.items()} for row in data.collectives],
                   individuals=[{k: nfd(v) for k, v in row.items()} for row in data.individuals])


def refresh_settings(source: Path, target: Path, units: int = 0) -> None:
    """Copy every configuration file but the roster from ``source`` to the synthetic configuration ``target``
    (a cached benchmark inbox keeps its roster and follows today's settings, labels and criteria); the label sets
    then also name the areas of a synthetic roster of ``units`` (see :data:`SYNTHETIC_AREA_UNITS`)."""
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.is_file() and item.name != ROSTER_FILE:
            shutil.copy2(item, target / item.name)
    blocks = -(-units // SYNTHETIC_AREA_UNITS)
    if blocks > 1:
        labels = target / LABELS_FILE
        labels.write_text(_with_area_copies(labels.read_text(encoding="utf-8"), blocks), encoding="utf-8")


def _with_area_copies(labels: str, blocks: int) -> str:
    """``bo_nhan.toml`` with every area of its `dia_ban` lists repeated as "<area> 2" … "<area> <blocks>"."""
    lines, in_areas = [], False
    for line in labels.splitlines(keepends=True):
        if line.startswith("[["):
            in_areas = line.strip() == "[[dia_ban]]"
        lines.append(line)
        entry = re.match(r'\s*\{ ma = "([^"]+)", nhan = "([^"]+)"', line) if in_areas else None
        if entry:
            lines += [f'  {{ ma = "{entry[1]} {k}", nhan = "{entry[2]} {k}" }},\n' for k in range(2, blocks + 1)]
    return "".join(lines)


# A synthetic roster repeats the configured areas under new names every this many units, as a national roster
# has many provinces: an area's template then lists as many units at N = 50,000 as at 5,000.
SYNTHETIC_AREA_UNITS = 5000


def _synthetic_roster(config: Config, school_year: str, count: int, target: Path) -> pd.DataFrame:
    """A configuration copy whose roster has ``count`` fictional units (for benchmarks)."""
    import xlsxwriter

    refresh_settings(config.directory, target, count)
    base = config.for_year(school_year).units
    workbook = xlsxwriter.Workbook(str(target / ROSTER_FILE), {"strings_to_numbers": False})
    sheet = workbook.add_worksheet("Đơn vị")
    headers = ["Mã đơn vị", "Tên đơn vị", "Loại đơn vị", "Cấp học", "Địa bàn", "Số đoàn viên", "Từ năm học",
               "Đến năm học", "Mã đơn vị tiền thân"]
    sheet.write_row(0, 0, headers)
    for n in range(count):
        model = base.iloc[n % len(base)]
        block = n // SYNTHETIC_AREA_UNITS
        area = model["dia_ban"] if block == 0 else f"{model['dia_ban']} {block + 1}"
        sheet.write_row(n + 1, 0, [f"9{n:05d}", f"{model['ten_don_vi']} số {n // len(base) + 1}",
                                   model["loai_don_vi"], model["cap_hoc"], area])
        sheet.write_number(n + 1, 5, int(model["so_doan_vien"]))
        sheet.write_row(n + 1, 6, [school_year, school_year, ""])
    workbook.close()
    return base
