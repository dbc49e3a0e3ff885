"""Feedback workbooks, one per unit that sent a file: its status, its messages with cells, its rows.

A unit's feedback holds only its own data: every table here is filtered by the unit's files before it
is written, and nothing else from the run is passed in.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config.limits import LIMITS
from pipeline.config.moments import moment
from pipeline.config.year import Settings, YearConfig
from pipeline.intake.outcome import ACCEPTED, REJECTED, STATUS_LABEL, SUPERSEDED, WITH_ERRORS, FileOutcome, Intake
from pipeline.intake.workers import die_with_parent
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.marked import marked_path, write_marked_copy
from pipeline.outputs.xlsx import Formats, new_workbook, print_landscape, write_meta, write_table
from schemas.consolidated import KIND_FEEDBACK
from schemas.rules import RULES, SEVERITY_LABEL, Finding
from schemas.scored import Scores
from schemas.submission import CollectiveRow, IndividualRow, Provenance, UnitForm, column_specs

FINDING_HEADERS = ["Tệp", "Mức độ", "Mã lỗi", "Ô", "Cột", "Gặp", "Cần (lỗi) / đã hiểu (cảnh báo)"]
COLLECTIVE_SHOWN = ["stt", "ten_tap_the", "loai_mo_hinh", "linh_vuc", "xep_loai_cdcs", "danh_hieu"]
INDIVIDUAL_SHOWN = ["stt", "ho_ten", "gioi_tinh", "nam_sinh", "dan_toc", "chuc_vu", "xep_loai_nhiem_vu", "danh_hieu"]


SCORE_COLUMNS = [("diem", "Điểm"), ("xep_loai", "Xếp loại"), ("hang", "Hạng trong tỉnh (người được đề nghị)"),
                 ("de_nghi", "Đề nghị biểu dương"), ("ly_do", "Lý do không đủ điều kiện / không xét")]
SCORE_WIDTHS = {"diem": 7, "xep_loai": 18, "hang": 8, "de_nghi": 10, "ly_do": 34}


UNKNOWN_PREFIX = "chua_ro_don_vi_"  # feedback of a rejected file whose unit could not be read
PARALLEL_FROM = 30  # units; fewer are written faster in this process than by starting workers


Records = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class UnitJob:
    """One unit's outputs: its feedback workbook and marked copies of its files with errors."""

    unit: str
    name: str
    school_year: str
    path: Path
    outcomes: tuple[FileOutcome, ...]  # this unit's files only
    collectives: Records  # this unit's scored rows only, in Excel row order, the columns the feedback shows
    individuals: Records
    meta: Meta | None = None  # what the hidden `_meta` sheet says (SPEC §7)


@dataclass(frozen=True)
class Meta:
    """The `_meta` of a feedback workbook: who wrote it, for which year, under which configuration."""

    settings: Settings
    config_sha256: str
    criteria_sha256: str


def plan_feedback(intake: Intake, collectives: pd.DataFrame, individuals: pd.DataFrame, year: YearConfig,
                  folder: Path) -> list[UnitJob]:
    """One job per roster unit that sent a file: its files and its own scored rows, nothing of another unit's."""
    by_file = {"collectives": _records_by_file(collectives, COLLECTIVE_SHOWN),
               "individuals": _records_by_file(individuals, INDIVIDUAL_SHOWN)}
    jobs = []
    by_unit = intake.outcomes_by_unit()
    meta = Meta(year.settings, year.config_sha256, year.criteria_sha256)
    for unit in sorted(u for u in by_unit if u in year.codes):
        outcomes = tuple(_unit_only(o) for o in by_unit[unit])
        own = {kind: tuple(r for o in outcomes for r in rows.get(o.file.relative, ())) for kind, rows in by_file.items()}
        jobs.append(UnitJob(unit, str(year.roster.loc[unit, "ten_don_vi"]), year.school_year,
                            feedback_path(folder, unit), outcomes, own["collectives"],
                            own["individuals"], meta))
    for outcome in intake.outcomes:  # rejected files whose unit could not be read: feedback named after the file
        if outcome.unit is None and outcome.status == REJECTED:
            jobs.append(UnitJob("", "", year.school_year, unknown_feedback_path(folder, outcome.file.relative),
                                (outcome,), (), (), meta))
    return jobs


def _unit_only(outcome: FileOutcome) -> FileOutcome:
    """The outcome as the feedback shows it: status, findings, and the submission's `Đơn vị` form only."""
    return replace(outcome, submission=outcome.submission.unit_only()) if outcome.submission else outcome


def _records_by_file(frame: pd.DataFrame, shown: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """The rows the feedback shows, grouped by file (one pass over the frame), each group in Excel row order."""
    columns = [c for c in (Provenance.tep, Provenance.dong, *shown, *(k for k, _ in SCORE_COLUMNS))
               if c in frame.columns]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for record in frame[columns].to_dict("records"):
        grouped.setdefault(record[Provenance.tep], []).append(record)
    return {file: sorted(rows, key=lambda r: r[Provenance.dong]) for file, rows in grouped.items()}


CHUNK = 4  # units per task sent to a worker


class UnitFiles:
    """Every unit's feedback and marked copies, written in worker processes while this process goes on (the
    consolidated workbook and the dossier), or here when :meth:`wait` is called.

    Use as a context manager: leaving it early (an error in this process) cancels what has not started.
    """

    def __init__(self, jobs: Sequence[UnitJob], workers: int | None = None) -> None:
        """Start writing ``jobs``.

        Args:
            workers: processes (None: one per core from :data:`PARALLEL_FROM` units on; 0: in this process).
        """
        self._jobs, self._pool, self._pending = list(jobs), None, None
        if workers != 0 and (workers is not None or len(self._jobs) >= PARALLEL_FROM):
            self._pool = ProcessPoolExecutor(max_workers=workers or min(os.cpu_count() or 1, 8),
                                             initializer=die_with_parent, initargs=(os.getpid(),))
            self._pending = [self._pool.submit(_write_units, self._jobs[start:start + CHUNK])
                             for start in range(0, len(self._jobs), CHUNK)]

    def wait(self) -> list[Path]:
        """Finish writing (here, when no workers were started); returns the marked copies, in the jobs' order."""
        if self._pending is None:
            return _write_units(self._jobs)
        return [copy for future in self._pending for copy in future.result()]

    def __enter__(self) -> UnitFiles:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _write_units(jobs: Sequence[UnitJob]) -> list[Path]:
    return [copy for job in jobs for copy in _write_unit(job)]


def _write_unit(job: UnitJob) -> list[Path]:
    """Write one unit's files; returns the marked copies."""
    copies = []
    marked = [o for o in job.outcomes if o.status in (REJECTED, WITH_ERRORS)]
    stems = [Path(o.file.relative).stem.casefold() for o in marked]
    for outcome, stem in zip(marked, stems):  # the school's own file, bad cells highlighted, for files with errors
        copy = marked_path(job.path.parent, job.unit or job.path.stem, Path(outcome.file.relative))
        if stems.count(stem) > 1:  # one name in two folders: the copies must not overwrite each other
            copy = copy.with_name(f"{copy.stem}_{_path_tag(outcome.file.relative)}{copy.suffix}")
        limits = job.meta.settings.limits if job.meta is not None else LIMITS
        if write_marked_copy(outcome.file.path, outcome.findings, copy, limits):
            copies.append(copy)
    write_feedback(job.path, job.unit, job.name, job.school_year, job.outcomes, job.collectives, job.individuals,
                   [copy.name for copy in copies], job.meta)
    moment("feedback")
    return copies


def unknown_feedback_path(folder: Path, relative: str) -> Path:
    """``phan_hoi/chua_ro_don_vi_<tên tệp>_<6 hex>.xlsx`` for a rejected file whose unit could not be read:
    the name in plain letters (any name a Windows PC can hold), the hex from its path (two files of one name in
    different folders stay apart)."""
    plain = unicodedata.normalize("NFKD", Path(relative).stem.replace("Đ", "D").replace("đ", "d"))
    plain = re.sub(r"[^A-Za-z0-9]+", "_", "".join(c for c in plain if not unicodedata.combining(c))).strip("_")
    return folder / "phan_hoi" / f"{UNKNOWN_PREFIX}{plain[:60] or 'tep'}_{_path_tag(relative)}.xlsx"


def _path_tag(relative: str) -> str:
    """Six hex digits of a file's path in the inbox: two files of one name in different folders stay apart."""
    return hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:6]


def feedback_path(folder: Path, unit: str) -> Path:
    """``<folder>/phan_hoi/<mã đơn vị>.xlsx`` (the folder: ``outbox/<năm học>/`` or its staging folder)."""
    return folder / "phan_hoi" / f"{unit}.xlsx"


def write_feedback(path: Path, unit: str, unit_name: str, school_year: str, outcomes: Sequence[FileOutcome],
                   collectives: Records, individuals: Records, marked: Sequence[str] = (), meta: Meta | None = None
                   ) -> None:
    """Write one unit's feedback workbook atomically.

    Args:
        outcomes: this unit's files only.
        collectives, individuals: this unit's scored rows only, in Excel row order.
    """
    files = {o.file.relative for o in outcomes}
    assert {r[Provenance.tep] for r in (*collectives, *individuals)} <= files, "another unit's rows"
    with atomic_path(path) as temporary:
        workbook = new_workbook(temporary, f"Phản hồi {unit} năm học {school_year}")
        formats = Formats(workbook)
        _status_sheet(workbook, formats, unit, unit_name, school_year, outcomes, marked)
        findings = [f for o in outcomes for f in o.findings]
        _findings_sheet(workbook, formats, findings)
        errors = {(f.file, f.row) for f in findings if f.severity == "row" and f.row is not None}
        _rows_sheet(workbook, formats, "Tập thể", collectives, column_specs(CollectiveRow), COLLECTIVE_SHOWN, errors)
        _rows_sheet(workbook, formats, "Cá nhân", individuals, column_specs(IndividualRow), INDIVIDUAL_SHOWN, errors)
        _legend_sheet(workbook, formats, {f.rule for f in findings})
        if meta is not None:
            write_meta(workbook, KIND_FEEDBACK, school_year, meta.settings, meta.config_sha256, meta.criteria_sha256)
        workbook.close()


def _status_sheet(workbook: Any, formats: Formats, unit: str, unit_name: str, school_year: str,
                  outcomes: Sequence[FileOutcome], marked: Sequence[str]) -> None:
    sheet = workbook.add_worksheet("Tình trạng")
    sheet.write_string(0, 0, f"PHẢN HỒI KIỂM TRA HỒ SƠ ĐIỂN HÌNH TIÊN TIẾN — NĂM HỌC {school_year}", formats.title)
    sheet.write_string(2, 0, "Đơn vị:", formats.bold)
    sheet.write_string(2, 1, f"{unit} — {unit_name}" if unit else
                       "không đọc được mã đơn vị trong tệp (xem trang Lỗi và cảnh báo)", formats.plain)
    rows, styles = [], []
    for outcome in outcomes:
        made = outcome.submission.unit.get(UnitForm.ngay_lap) if outcome.submission else None
        rows.append([_file_name(outcome.file.relative), made, STATUS_LABEL[outcome.status], outcome.errors,
                     outcome.warnings])
        styles.append({"rejected": "error", "accepted_with_errors": "warning", "accepted": "good"}.get(
            outcome.status, "cell"))
    end = write_table(sheet, 4, ["Tệp đã gửi", "Ngày lập", "Tình trạng", "Số lỗi", "Số cảnh báo"], rows, formats,
                      widths=[44, 12, 44, 9, 11], styles=styles)
    statuses = {o.status for o in outcomes}
    warned = any(o.warnings for o in outcomes)
    advice = [  # only what applies to this unit's files
        *(["Bị từ chối: tệp không được tổng hợp, không dòng nào được chấm điểm. Sửa theo cột «Cần» ở trang Lỗi và "
           "cảnh báo rồi gửi lại (cần dùng đúng biểu mẫu của năm học)."] if REJECTED in statuses else []),
        *(["Có dòng lỗi: các dòng có lỗi (mã R…) không được chấm điểm; sửa và gửi lại tệp nếu còn hạn."]
          if WITH_ERRORS in statuses else []),
        *(["Hợp lệ: tệp đã được tổng hợp và chấm điểm; kết quả ở trang Tập thể và Cá nhân."]
          if ACCEPTED in statuses else []),
        *(["Đã được thay: đơn vị gửi nhiều tệp, tệp mới nhất (theo ngày lập) được dùng."]
          if SUPERSEDED in statuses else []),
        *(["Cảnh báo (mã W…): chương trình đã tự hiểu hoặc cần đơn vị kiểm tra lại; không ảnh hưởng kết quả."]
          if warned else []),
        *(f"Tệp của đơn vị đã được đánh dấu ô lỗi (tô màu, có ghi chú): {name}" for name in marked),
    ]
    for offset, line in enumerate(advice, start=end + 1):
        sheet.write_string(offset, 0, line, formats.plain)
    print_landscape(sheet)


def _findings_sheet(workbook: Any, formats: Formats, findings: Sequence[Finding]) -> None:
    sheet = workbook.add_worksheet("Lỗi và cảnh báo")
    rows = [[_file_name(f.file), SEVERITY_LABEL[f.severity], f.rule, _cell(f.where), f.column, f.found, f.expected]
            for f in findings]
    styles = ["error" if f.severity != "warning" else "warning" for f in findings]
    write_table(sheet, 0, FINDING_HEADERS, rows, formats, widths=[28, 10, 7, 13, 26, 28, 40], styles=styles)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(FINDING_HEADERS) - 1)
    print_landscape(sheet, repeat_header=0)
    if not rows:
        sheet.write_string(1, 0, "Không có lỗi hay cảnh báo nào.", formats.plain)


def _file_name(relative: str) -> str:
    """The file as the school named it, without the folders staff keep it in."""
    return Path(relative).name


def _cell(where: str | None) -> str | None:
    """``Cá nhân!D4`` as a school reads it: ``Cá nhân, ô D4``."""
    if not where or "!" not in where:
        return where
    sheet, _, cell = where.partition("!")
    return f"{sheet}, ô {cell}" if cell else sheet


def _rows_sheet(workbook: Any, formats: Formats, name: str, records: Records, specs: dict[str, dict[str, Any]],
                shown: list[str], errors: set[tuple[str, int]]) -> None:
    sheet = workbook.add_worksheet(name)
    scores = [(key, label) for key, label in SCORE_COLUMNS if not records or key in records[0]]
    headers = ["Dòng", *(specs[key]["label"] for key in shown), *(label for _, label in scores)]
    rows, styles = [], []
    for record in records:
        bad = (record[Provenance.tep], int(record[Provenance.dong])) in errors
        proposed = bool(record.get(Scores.de_nghi))
        rows.append([record[Provenance.dong], *(record[key] for key in shown),
                     *(("Có" if proposed else "Không") if key == "de_nghi" else None if key == "hang" and not proposed
                       else record[key] for key, _ in scores)])
        styles.append("error" if bad else "good" if record.get(Scores.de_nghi) else "cell")
    keys = ["dong", *shown, *(key for key, _ in scores)]
    shown_as = {"stt": "plain", "nam_sinh": "plain", "dong": "plain", "hang": "plain", "diem": "score"}
    write_table(sheet, 0, headers, rows, formats,
                widths=[6, *([16] * len(shown)), *(SCORE_WIDTHS[key] for key, _ in scores)], styles=styles,
                kinds={col: shown_as[key] for col, key in enumerate(keys) if key in shown_as})
    sheet.freeze_panes(1, 3)
    print_landscape(sheet, repeat_header=0)


def _legend_sheet(workbook: Any, formats: Formats, used: set[str]) -> None:
    sheet = workbook.add_worksheet("Chú giải")
    rows = [[rule.id, SEVERITY_LABEL[rule.severity], rule.title, rule.why] for rule in RULES.values()
            if rule.id in used]
    write_table(sheet, 0, ["Mã", "Mức độ", "Lỗi", "Ý nghĩa"], rows, formats, widths=[7, 10, 50, 70])
    print_landscape(sheet, repeat_header=0)
