"""The orchestrator: the only module that knows the order of the stages (SPEC §2, §8).

``config → template`` and
``inbox → discover → guard/read (workers) → normalise → identify → validate → score → consolidate → write``.
Each stage returns new values; this module passes them on. The configuration is resolved once per run
(:class:`pipeline.config.year.YearConfig`) and handed to every stage. The command line is a thin shell over
:func:`make_template`, :func:`consolidate_year`, :func:`check_files` and :func:`review_period`.
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.config.limits import Limits
from pipeline.config.links import load_links
from pipeline.config.load import Config, ConfigError, load_config
from pipeline.config.moments import moment
from pipeline.config.schoolyear import parse_school_year, year_start, years_between
from pipeline.config.year import YearConfig
from pipeline.intake.discover import (
    InboxFile,
    describe_file,
    describe_os_error,
    describe_write_error,
    discover_inbox,
    hash_file,
)
from pipeline.intake.guard import guard_file
from pipeline.intake.identify import (
    check_identity,
    folder_year,
    form_year,
    in_folder_of,
    supersede,
    unit_of,
    unreadable,
    with_roster_fields,
    year_of,
)
from pipeline.intake.ours import OurWorkbook, Refused, read_ours
from pipeline.intake.outcome import (
    ACCEPTED,
    IGNORED,
    REJECTED,
    SUPERSEDED,
    WITH_ERRORS,
    FileOutcome,
    Intake,
    finding_order,
)
from pipeline.intake.rollup import score_differences, take_in_rollup
from pipeline.intake.validate import duplicates_across_units, validate_submissions
from pipeline.intake.workers import Prepared, prepare_files
from pipeline.outputs.dossier import dossier_path, write_dossier
from pipeline.outputs.feedback import UnitFiles, plan_feedback
from pipeline.outputs.manifest import write_manifest
from pipeline.outputs.review import MAX_YEARS, review_path, write_review
from pipeline.outputs.summary import summary_path, write_summary
from pipeline.outputs.swap import OutboxBusy, locked, staging_folder, swap
from pipeline.samples.demo import clear_demo_inbox, mark_demo_inbox, write_demo
from pipeline.samples.levels import agencies_config, upper_config
from pipeline.samples.period import Continuity
from pipeline.scoring.consolidate import Consolidation, consolidate
from pipeline.scoring.period import Period, review
from pipeline.template.writer import TemplateFile, build_templates
from schemas.rules import HELD
from schemas.submission import UnitForm

MANIFEST = "manifest.json"


class Clock:
    """Seconds spent per stage (``make bench`` prints them)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Charge the time since the last lap to ``stage``."""
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


class RunError(Exception):
    """A run that cannot start as asked (a usage error, exit 2); the message is Vietnamese."""


@dataclass(frozen=True)
class Progress:
    """How a long run reports progress: ``start(total)`` once, then ``step(n)`` per n files read."""

    start: Callable[[int], None]
    step: Callable[[int], None]


@dataclass(frozen=True)
class Consolidated:
    """What one consolidation found and where its outputs went."""

    intake: Intake
    consolidation: Consolidation
    folder: Path
    summary: Path
    dossier: Path
    manifest: Path
    feedback: list[Path]  # one per roster unit that sent files
    unattributed: list[Path]  # one per rejected file whose unit could not be read
    marked: list[Path]
    seconds: dict[str, float]  # per stage, in the order of the flow


def load_configuration(directory: Path) -> Config:
    """``config/``, checked; its roster workbook passes the submissions' guard before any parser reads it."""
    return load_config(directory, guard=_guard_spreadsheet)


def _guard_spreadsheet(path: Path, limits: Limits) -> str | None:
    refused = guard_file(path, limits)
    return None if refused is None else f"{refused.found}; cần {refused.expected}"


def make_template(config: Config, school_year: str, outbox: Path) -> tuple[YearConfig, list[TemplateFile]]:
    """Write the template of ``school_year`` into the outbox (one per area for a large roster); returns the
    year's configuration and the templates written."""
    year = config.for_year(school_year)
    return year, build_templates(year, outbox)


def consolidate_year(config: Config, school_year: str, inbox: Path, outbox: Path, *,
                     progress: Progress | None = None, workers: int | None = None, rollup: bool = False
                     ) -> Consolidated:
    """Read, check, score and consolidate every file of the inbox; write the outbox of the year.

    With ``rollup``, the inbox holds the consolidated workbooks of the bodies below (SPEC §10): their rows are
    scored again under this level's criteria (a score that differs from theirs is a W15 warning) and the output is
    the same consolidated workbook, so roll-ups chain. ``workers``: the processes that read files and write
    feedback (None: one per core; 0: everything in this process).

    Raises:
        RunError: when the inbox is missing, the outbox lies inside it (the inbox is read-only to us) or cannot
            be written, or another consolidation is writing to the same outbox.
    """
    if not inbox.is_dir():
        raise RunError(f'Không tìm thấy thư mục "{inbox}"; hãy chép các tệp các trường gửi về vào đó.')
    if outbox.resolve().is_relative_to(inbox.resolve()):
        raise RunError(f'Thư mục kết quả "{outbox}" nằm trong thư mục bài nộp "{inbox}"; chương trình không ghi '
                       "vào thư mục bài nộp. Hãy chọn --outbox ở chỗ khác.")
    if inbox.resolve().is_relative_to(outbox.resolve()):
        raise RunError(f'Thư mục bài nộp "{inbox}" nằm trong thư mục kết quả "{outbox}": kết quả sẽ bị ghi lẫn vào bài '
                       "nộp, mà chương trình không ghi vào thư mục bài nộp. Hãy để hai thư mục riêng, ví dụ inbox/ "
                       "và outbox/.")
    if outbox.exists() and not outbox.is_dir():
        raise RunError(f'Thư mục kết quả "{outbox}" là một tệp, không phải thư mục; hãy chọn --outbox khác.')
    try:
        (outbox / school_year).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunError(f'Không tạo được thư mục kết quả "{outbox / school_year}" ({describe_write_error(error)}); '
                       "hãy chọn --outbox ở chỗ khác.") from error
    folder = outbox / school_year
    try:
        with locked(folder), _collecting_between_stages():
            return _consolidate_locked(config, school_year, inbox, folder, progress, workers, rollup)
    except OutboxBusy as error:
        raise RunError(f'Một lần tổng hợp khác đang ghi vào "{folder}"; hãy đợi lần đó xong rồi chạy lại (nếu không '
                       "có lần nào đang chạy, chương trình sẽ tự mở khóa).") from error


@contextmanager
def _collecting_between_stages() -> Iterator[None]:
    """The run's own process collects garbage between stages (:func:`_stage_done`), not during them; what it
    froze before forking workers is collectable again at the end.

    It holds every file's rows, and the collector's automatic passes over them while the consolidated
    workbook's million cell objects are made took a fifth of that stage at 5,000 files, growing faster than
    the files. Worker processes collect as usual (their initializer turns the collector back on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _stage_done() -> None:
    """Free what the stage left in reference cycles (collection is paused within stages). With collection
    paused, everything the run made is in the youngest generation: collecting the young generations reaches it
    all, and not the older objects of a process that runs many consolidations (the tests)."""
    if not gc.isenabled():
        gc.collect(1)


def _consolidate_locked(config: Config, school_year: str, inbox: Path, folder: Path, progress: Progress | None,
                        workers: int | None, rollup: bool = False) -> Consolidated:
    """The run itself, holding the outbox's lock: every output staged, then swapped in at once."""
    clock = Clock()
    staging = staging_folder(folder, school_year)  # finishes or discards what a crash left behind
    year = config.for_year(school_year)
    clock.lap("config")
    files = discover_inbox(inbox, year.settings.limits.file_bytes)
    clock.lap("discover")
    if progress is not None:
        progress.start(sum(1 for f in files if f.ignored is None))
    if rollup:
        intake, result = _roll_up(year, files)
        clock.lap("read")
    else:
        intake = take_in(year, files, workers=workers, progress=progress.step if progress else None, clock=clock)
        _stage_done()
        result = consolidate(intake, year)
    _stage_done()
    jobs = plan_feedback(intake, result.collectives, result.individuals, year, staging)
    clock.lap("score")
    # The feedback workers are forked from this process, now holding every row: frozen, its objects are never
    # touched by the workers' collector, so their pages stay shared instead of being copied into each worker
    # (the pattern the gc module's documentation gives for fork without exec).
    gc.freeze()
    with UnitFiles(jobs, workers) as unit_files:  # the workers write them while this process writes the rest
        write_summary(result, year, summary_path(staging, school_year))
        clock.lap("summary")
        moment("summary")
        write_dossier(result, year, dossier_path(staging, school_year))
        clock.lap("dossier")
        marked = unit_files.wait()
    clock.lap("feedback")
    write_manifest(intake, year, staging / MANIFEST)
    clock.lap("manifest")
    swap(folder, staging, school_year)
    clock.lap("swap")
    moved = [folder / path.relative_to(staging) for path in (*(job.path for job in jobs), *marked)]
    feedback, marked_copies = moved[:len(jobs)], moved[len(jobs):]
    return Consolidated(intake, result, folder, summary_path(folder, school_year), dossier_path(folder, school_year),
                        folder / MANIFEST, [p for p, job in zip(feedback, jobs) if job.unit],
                        [p for p, job in zip(feedback, jobs) if not job.unit], marked_copies, clock.seconds)


def _roll_up(year: YearConfig, files: Sequence[InboxFile]) -> tuple[Intake, Consolidation]:
    """The bodies' workbooks read and validated, scored under this level's criteria; scores that differ from
    those the bodies wrote are W15 warnings on their files (then the tables are made again with them)."""
    intake, books = take_in_rollup(year, files)
    result = consolidate(intake, year, rollup=True)
    differences: dict[str, list] = {}
    for item in score_differences(result.collectives, result.individuals, books):
        differences.setdefault(item.file, []).append(item)
    if not differences:
        return intake, result
    outcomes = tuple(replace(o, findings=tuple(sorted((*o.findings, *differences[o.file.relative]),
                                                      key=finding_order)))
                     if o.file.relative in differences else o for o in intake.outcomes)
    intake = replace(intake, outcomes=outcomes, _by_unit={})
    return intake, consolidate(intake, year, rollup=True)


def check_files(config: Config, school_year: str, paths: Sequence[Path]) -> Intake:
    """The dry run: the same checks and messages as a consolidation, nothing written.

    Raises:
        RunError: when a named file does not exist.
    """
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise RunError(f"Không tìm thấy tệp: {', '.join(map(str, missing))}")
    year = config.for_year(school_year)
    return take_in(year, [describe_file(path, path.name, year.settings.limits.file_bytes) for path in paths])


def take_in(year: YearConfig, files: Sequence[InboxFile] | Path, *, workers: int | None = None,
            progress: Callable[[int], None] | None = None, clock: Clock | None = None) -> Intake:
    """Read, normalise, identify and validate files (or every file of an inbox folder).

    Args:
        year: the configuration of the year being consolidated; files of other years are ignored (or rejected
            when they sit in this year's folder).
        files: discovered files (:func:`pipeline.intake.discover.discover_inbox`), or an inbox to discover.
        workers: reader processes (None = one per core, 0 = in this process).
        progress: called with the number of files just read.
        clock: charged with the time of each stage, when given.
    """
    clock = clock or Clock()
    limits = year.settings.limits
    if isinstance(files, Path):
        files = discover_inbox(files, limits.file_bytes)
    prepared = prepare_files([f for f in files if f.ignored is None and f.unreadable is None], year.vocabularies,
                             workers=workers, progress=progress, limits=limits)
    clock.lap("read")
    outcomes: list[FileOutcome] = []
    for file in files:
        if file.ignored is not None:
            outcomes.append(FileOutcome(file, IGNORED, reason=file.ignored))
        elif file.unreadable is not None:
            outcomes.append(FileOutcome(file, REJECTED, findings=(unreadable(file),)))
        else:
            done = prepared[file.relative]
            # the hash of the bytes that were read (of the file as it is, when its reader died)
            read = replace(file, sha256=done.sha256 or file.sha256 or hash_file(file, limits.file_bytes))
            outcomes.append(_take_one(read, done, year))
    readable = [o for o in outcomes if o.status != REJECTED and o.submission is not None]
    decided = {o.file.relative: o for o in supersede(readable, year.document_dates)}
    outcomes = [decided.get(o.file.relative, o) for o in outcomes]
    winners = [o for o in outcomes if o.file.relative in decided and o.status not in (SUPERSEDED, REJECTED)]
    clock.lap("identify")
    submissions = {o.file.relative: o.submission for o in winners if o.submission is not None}
    validated = validate_submissions(list(submissions.values()), year)
    found: dict[str, list] = {}
    for item in (*validated.findings, *duplicates_across_units(validated.individuals, submissions)):
        found.setdefault(item.file, []).append(item)
    finished = {}
    for outcome in winners:
        findings = sorted((*outcome.findings, *found.get(outcome.file.relative, ())), key=finding_order)
        status = WITH_ERRORS if any(f.severity == "row" for f in findings) else ACCEPTED
        finished[outcome.file.relative] = replace(outcome, status=status, findings=tuple(findings))
    clock.lap("validate")
    return Intake(year.school_year, tuple(finished.get(o.file.relative, o) for o in outcomes), validated)


def _take_one(file: InboxFile, prepared: Prepared, year: YearConfig) -> FileOutcome:
    """One prepared file: rejected, ignored (another year's), or identified."""
    raw = prepared.raw
    if raw.rejected or prepared.submission is None:
        return FileOutcome(file, REJECTED, unit=unit_of(raw, year.codes),
                           findings=tuple(sorted(raw.findings, key=finding_order)), saved=raw.saved)
    school_year = year.school_year
    other = year_of(raw)
    in_folder = in_folder_of(file.relative, school_year)
    claims_this_year = form_year(raw) == school_year  # last year's template with this year typed on its form
    if other is not None and other != school_year and not in_folder and not claims_this_year:
        return FileOutcome(file, IGNORED, reason=f"thuộc năm học {other}; tổng hợp bằng lệnh "
                                                 f"consolidate --year {other}", saved=raw.saved)
    submission = prepared.submission
    findings = list(submission.findings)
    if other is not None and other != school_year and in_folder:
        findings.append(folder_year(submission, other, school_year))
    identity, padded = check_identity(submission, year)
    findings += identity
    if padded is not None:
        submission = submission.with_unit_code(padded)
    submission = with_roster_fields(submission, year)
    unit = submission.unit.get(UnitForm.ma_don_vi) or None
    if unit is not None and unit not in year.codes:
        unit = None  # unknown codes are listed by file, never used as a name on disk
    if any(f.rule == HELD for f in findings):
        unit = None  # the code of one unit, the name of another: attributed to neither (no feedback leaks)
    rejected = any(f.severity == "file" for f in findings)
    ordered = tuple(sorted(findings, key=finding_order))
    return FileOutcome(file, REJECTED if rejected else ACCEPTED, unit=unit,
                       submission=None if rejected else replace(submission, findings=ordered), findings=ordered,
                       saved=raw.saved)


@dataclass(frozen=True)
class Reviewed:
    """What a period review read and wrote."""

    period: Period
    path: Path
    missing: tuple[str, ...]  # school years without a consolidated workbook in the outbox
    refused: tuple[str, ...]  # messages about workbooks that are not ours, or not of their year


def review_period(config: Config, first: str, last: str, outbox: Path) -> Reviewed:
    """The period review (SPEC §8): each year's consolidated workbook in ``outbox/<năm học>/``, read back and
    checked like any input, the same collectives and persons recognised across the years, the links staff
    settled in ``config/lien_ket.xlsx`` applied; writes ``outbox/TongKet_DienHinh_<from>_<to>.xlsx``.

    Raises:
        RunError: when the years are not a period, or no year of it has been consolidated.
        ConfigError: when ``config/lien_ket.xlsx`` cannot be used.
    """
    years = _period(first, last)
    books: dict[str, OurWorkbook] = {}
    absent, refused, unusable = [], [], []  # no workbook; messages about unusable ones, and their years
    for year in years:
        path = summary_path(outbox / year, year)
        if not path.is_file():
            absent.append(year)
            continue
        try:
            found = read_ours(path, path.read_bytes(), limits=config.settings.limits)
        except OSError as error:
            found = Refused(path, f"không đọc được tệp ({describe_os_error(error)})")
        if isinstance(found, OurWorkbook) and found.school_year != year:
            found = Refused(path, f"trang _meta ghi năm học {found.school_year}", f"bản tổng hợp của năm học {year}")
        if isinstance(found, Refused):
            refused.append(found.message())
            unusable.append(year)
            continue
        books[year] = found
    if not books:
        raise RunError(f"Chưa có bản tổng hợp nào của các năm học {years[0]} đến {years[-1]} trong \"{outbox}\" (cần "
                       f"{summary_path(outbox / years[0], years[0])}…); hãy tổng hợp từng năm trước: make consolidate "
                       "YEAR=<năm học>.")
    confirmations, problems = load_links(config.directory, guard=_guard_spreadsheet, limits=config.settings.limits)
    if problems:
        raise ConfigError(problems)
    period = review(books, years, config.roster, confirmations)
    period = replace(period, notes=[*refused, *(f"Chưa có bản tổng hợp năm học {y} trong thư mục kết quả: các cột của "
                                                "năm đó để trống, không ước đoán." for y in absent), *period.notes])
    dates = sorted(found.meta.get("ngay_van_ban", "") for found in books.values())
    day = dt.date.fromisoformat(dates[-1]) if dates and dates[-1] else (
        config.settings.deadlines.get(years[-1]) or dt.date(year_start(years[-1]) + 1, 6, 30))
    path = review_path(outbox, years[0], years[-1])
    write_review(period, config.settings, config.sha256, config.criteria_sha256, day, path)
    return Reviewed(period, path, tuple(y for y in years if y in absent or y in unusable), tuple(refused))


def _period(first: str, last: str) -> list[str]:
    """The school years from ``first`` to ``last``, checked."""
    start, end = parse_school_year(first), parse_school_year(last)
    if start is None or end is None:
        raise RunError(f'Năm học "{first if start is None else last}" không hợp lệ; cần dạng 2017-2018.')
    years = years_between(start, end)
    if not years:
        raise RunError(f"Năm học đầu {start} sau năm học cuối {end}; cần --from trước --to.")
    if len(years) > MAX_YEARS:
        raise RunError(f"Giai đoạn {start} đến {end} có {len(years)} năm học; một lần tổng kết tối đa {MAX_YEARS} "
                       "năm học.")
    return years


DEMO_YEARS = 3  # the plan's period: 2017-2018 to 2019-2020


@dataclass(frozen=True)
class DemoYear:
    """One school year of the period demo: the sample inbox written, its consolidation."""

    school_year: str
    inbox: Path
    written: int  # submissions written
    faulty: int  # of which carry deliberate faults
    template: Path
    consolidated: Consolidated


@dataclass(frozen=True)
class DemoRollup:
    """The roll-up part of the demo: a second body's consolidation and the level above's."""

    body: Consolidated  # the civil servants' union, consolidated from its own sample inbox
    upper: Consolidated  # the level above, from both bodies' consolidated workbooks
    config: Path  # the level above's configuration


def demo_period(config: Config, inbox: Path, outbox: Path, *, seed: int = 2020, faulty: float = 0.15
                ) -> tuple[list[DemoYear], Reviewed, DemoRollup]:
    """The whole product on sample data over the plan's years (``make demo``): for each school year up to the
    settings' current one, fictional submissions with continuity (the same people and teams recur, new ones
    come, schools merge, a teacher moves) in ``inbox/<năm học>/``, its template and its consolidation in
    ``outbox/<năm học>/``; then the period review of those years.

    Raises:
        RunError: when ``inbox`` holds files that are not sample data (they are never mixed or removed).
    """
    current = config.settings.school_year
    years = [y for y in config.known_years() if year_start(y) <= year_start(current)][-DEMO_YEARS:]
    continuity = Continuity(config.roster, tuple(years), seed)
    done = []
    for year in years:
        folder = inbox / year
        refusal = clear_demo_inbox(folder)
        if refusal is not None:
            raise RunError(refusal)
        written = write_demo(config, year, folder, seed=seed, faulty=faulty, continuity=continuity)
        mark_demo_inbox(written)
        _, templates = make_template(config, year, outbox)
        done.append(DemoYear(year, folder, written.submissions, len(written.expected), templates[0].path,
                             consolidate_year(config, year, folder, outbox)))
    reviewed = review_period(config, years[0], years[-1], outbox)
    return done, reviewed, _demo_rollup(config, done[-1], outbox.parent / "cap-tren", seed)


def _demo_rollup(config: Config, last: DemoYear, folder: Path, seed: int) -> DemoRollup:
    """A second body below the provincial federation (the civil servants' union, its own sample inbox), then the
    federation's roll-up of both bodies' consolidated workbooks of the last year (SPEC §10)."""
    year = last.school_year
    civil = load_configuration(agencies_config(config.directory, folder / "cau-hinh-vien-chuc", _first_year(config)))
    body_inbox = folder / "inbox-vien-chuc"
    refusal = clear_demo_inbox(body_inbox)
    if refusal is not None:
        raise RunError(refusal)
    mark_demo_inbox(write_demo(civil, year, body_inbox, seed=seed, faulty=0.0))
    body = consolidate_year(civil, year, body_inbox, folder / "outbox-vien-chuc")
    bodies = [("CDGD", config.settings.body_name, 9000), ("CDVC", civil.settings.body_name, 2000)]
    upper_dir = upper_config(config.directory, folder / "cau-hinh", bodies, _first_year(config))
    upper_inbox = folder / "inbox"
    upper_inbox.mkdir(parents=True, exist_ok=True)
    for name, source in (("CDGD", last.consolidated.summary), ("CDVC", body.summary)):
        shutil.copyfile(source, upper_inbox / f"{name}_{source.name}")
    upper = consolidate_year(load_configuration(upper_dir), year, upper_inbox, folder / "outbox", rollup=True)
    return DemoRollup(body, upper, upper_dir)


def _first_year(config: Config) -> str:
    """The first school year the configuration knows (the roster rows the demo writes start then)."""
    return config.known_years()[0]
