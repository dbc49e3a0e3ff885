"""File identity (SPEC §5): is it our template, of this version and school year, from a unit of the roster —
and of several files of one unit, which one wins.

Rules: F01 (a file that cannot be opened), F06–F11, W03 (a code whose leading zeros Excel dropped), W08,
W13 and W14. F05 (a reader crash) is the worker pool's: :mod:`pipeline.intake.workers`. Pure functions
over what the reader and the normaliser produced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from pipeline.config.schoolyear import parse_school_year
from pipeline.config.year import YearConfig
from pipeline.intake.cells import as_text, parse_date
from pipeline.intake.discover import InboxFile
from pipeline.intake.normalise import Submission
from pipeline.intake.outcome import REJECTED, SUPERSEDED, FileOutcome
from pipeline.intake.read import REQUIRED_SHEETS, RawWorkbook
from pipeline.vi.text import canonical_key, clean_text
from schemas.rules import HELD, UNIT_HINT, Finding, finding
from schemas.submission import (
    SHEET_LISTS,
    SHEET_META,
    SHEET_UNIT,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    UnitForm,
)

ROSTER_CHECKED = {  # fields of `Đơn vị` that the roster decides (W08), with their labels
    UnitForm.ten_don_vi: "Tên đơn vị", UnitForm.loai_don_vi: "Loại đơn vị", UnitForm.cap_hoc: "Cấp học",
    UnitForm.dia_ban: "Địa bàn",
}


def unreadable(file: InboxFile) -> Finding:
    """F01 for a file that could not be opened at all (permissions, a lock)."""
    return finding("F01", file.relative, "unreadable", reason=file.unreadable)


def template_sheets(raw: RawWorkbook) -> list[Finding]:
    """F06 (none of the template's sheets), F09 (a missing sheet), W13 (hidden sheets removed or shown)."""
    findings = []
    missing = [s for s in REQUIRED_SHEETS if s not in raw.sheets]
    meta = raw.hidden_sheets.get(SHEET_META)
    if missing and meta is None and len(missing) == len(REQUIRED_SHEETS):
        findings.append(finding("F06", raw.file, sheets=", ".join(raw.sheet_names)))
    elif missing:
        findings += [finding("F09", raw.file, sheet=sheet, template_sheet=sheet) for sheet in missing]
    if meta is None or SHEET_LISTS not in raw.hidden_sheets:
        if not missing:
            findings.append(finding("W13", raw.file, "missing"))
    elif meta not in raw.hidden:
        findings.append(finding("W13", raw.file, "shown", sheet=meta))
    return findings


def year_of(raw: RawWorkbook) -> str | None:
    """The school year a workbook says it is for (its `_meta`, else its `Đơn vị` form)."""
    return parse_school_year(raw.meta.get(UnitForm.nam_hoc)) or form_year(raw)


def form_year(raw: RawWorkbook) -> str | None:
    """The school year typed on the `Đơn vị` form, whatever `_meta` says."""
    value = raw.form_value(SHEET_UNIT, UnitForm.nam_hoc)
    return parse_school_year(str(value)) if value is not None else None


def unit_of(raw: RawWorkbook, codes: Collection[str]) -> str | None:
    """The roster unit a rejected workbook names on its `Đơn vị` form, if it can be read at all."""
    value = raw.form_value(SHEET_UNIT, UnitForm.ma_don_vi)
    code = clean_text(as_text(value)) if value is not None else ""
    return code if code in codes else None


def in_folder_of(relative: str, school_year: str) -> bool:
    """Whether a file sits in a folder named for ``school_year`` (``inbox/2019-2020/…``)."""
    return any(parse_school_year(part) == school_year for part in PurePosixPath(relative).parts[:-1])


def folder_year(submission: Submission, year: str, school_year: str) -> Finding:
    """F08: a template of ``year`` placed in the folder of the year being consolidated."""
    return finding("F08", submission.file, "folder", sheet=submission.sheet_name(SHEET_UNIT), found=year,
                   year=school_year)


def check_identity(submission: Submission, year: YearConfig) -> tuple[list[Finding], str | None]:
    """File-level rules: our template, its version and year, a unit of the roster (F06–F11, W03, W08).

    Returns:
        The findings, and the roster code the file's code stands for when Excel dropped its leading zeros
        (None otherwise).
    """
    file, meta, unit = submission.file, submission.meta, submission.unit
    sheet = submission.sheet_name(SHEET_UNIT)
    cells = submission.cells.get(SHEET_UNIT, {})
    school_year = year.school_year
    if meta and meta.get("mau_id") != TEMPLATE_ID:
        return [finding("F06", file, "meta", sheet="_meta", found=meta.get("mau_id", ""), template=TEMPLATE_ID,
                        year=school_year)], None
    if meta and meta.get("phien_ban") != TEMPLATE_VERSION:
        return [finding("F07", file, sheet="_meta", found=meta.get("phien_ban", ""), version=TEMPLATE_VERSION,
                        year=school_year)], None
    findings = []
    if len({y for y in (meta.get(UnitForm.nam_hoc), unit.get(UnitForm.nam_hoc)) if y}) > 1:
        findings.append(finding("F08", file, sheet=sheet, cell=cells.get(UnitForm.nam_hoc, ""), column="Năm học",
                                found=unit.get(UnitForm.nam_hoc), template_year=meta.get(UnitForm.nam_hoc),
                                year=school_year))
    code, padded = unit.get(UnitForm.ma_don_vi), None
    where: dict[str, Any] = {"sheet": sheet, "cell": cells.get(UnitForm.ma_don_vi, ""), "column": "Mã đơn vị"}
    if not code:
        return [*findings, finding("F10", file, **{**where, "cell": cells.get(UnitForm.ma_don_vi, "B5")})], None
    if code not in year.codes:
        padded = _padded_code(code, year.codes)
        if padded is None:
            return [*findings, finding("F11", file, **where, code=code, year=school_year)], None
        findings.append(finding("W03", file, "code", **where, code=code, padded=padded))
    record = year.roster.loc[padded or code]
    given_name = unit.get(UnitForm.ten_don_vi)
    others = [c for c in year.codes_by_name.get(canonical_key(str(given_name)), ()) if c != (padded or code)] \
        if given_name and canonical_key(str(given_name)) != canonical_key(str(record[UnitForm.ten_don_vi])) else []
    if len(others) == 1:  # the code of one unit, the name of another: held, never attributed to either
        other = others[0]
        held = finding("F13", file, sheet=sheet, cell=cells.get(UnitForm.ma_don_vi, ""), column="Mã đơn vị",
                       code=code, given=given_name,
                       staff_note=f"mã {padded or code} là của {record[UnitForm.ten_don_vi]}; tên ghi trong tệp là "
                                  f"của {other} {year.roster.loc[other, UnitForm.ten_don_vi]} — hỏi lại hai đơn vị")
        return [*findings, replace(held, extra={**held.extra, UNIT_HINT: other})], padded
    for key, label in ROSTER_CHECKED.items():
        given = unit.get(key)
        if given and canonical_key(str(given)) != canonical_key(str(record[key])):
            findings.append(finding("W08", file, sheet=sheet, cell=cells.get(key, ""), column=label, given=given,
                                    listed=record[key]))
    return findings, padded


def with_roster_fields(submission: Submission, year: YearConfig) -> Submission:
    """The submission with the `Đơn vị` fields the roster decides filled in where the file leaves them empty.

    The template fills them by formula from the chosen code; a file saved by a program that keeps formulas
    but not their results (openpyxl, some converters) reads them as empty. The code identifies the unit, so
    an empty name is the roster's name, not a missing one; a name typed differently stays, and W08 says so.
    """
    code = submission.unit.get(UnitForm.ma_don_vi)
    if not code or code not in year.codes:
        return submission
    record = year.roster.loc[code]
    missing = {key: record[key] for key in ROSTER_CHECKED if not submission.unit.get(key)}
    return submission.with_unit_values(missing) if missing else submission


def _padded_code(code: str, known: Iterable[str]) -> str | None:
    """The roster code that ``code`` is once Excel's dropped leading zeros are restored, if unique."""
    if not code.isdigit():
        return None
    matches = sorted(k for k in known if k.isdigit() and k.lstrip("0") == code.lstrip("0"))
    return matches[0] if len(matches) == 1 else None


def supersede(outcomes: Sequence[FileOutcome], window: tuple[dt.date, dt.date]) -> list[FileOutcome]:
    """Of several files of one unit, the newest (ngày lập, then file time) wins; the others become superseded,
    each with a W14 naming the winner. A ngày lập outside ``window``, the plausible dates of the school year (R04),
    counts as not written. A file whose `Đơn vị` form contradicts the roster (W08: another name, type, level or area
    than the code's) never wins over one of that unit that agrees with it: when newer, it is held (F13, attributed
    to no unit) — a school that chose its neighbour's code must not replace the neighbour's genuine file. Returns
    the outcomes in the same order."""

    def recency(outcome: FileOutcome) -> tuple[dt.date, float, str]:
        return _recency(outcome, window)

    def made_on(outcome: FileOutcome) -> str:
        made = recency(outcome)[0]
        return made.strftime("%d/%m/%Y") if made != dt.date.min else "không ghi"

    by_unit: dict[str, list[FileOutcome]] = {}
    for outcome in outcomes:
        if outcome.unit:
            by_unit.setdefault(outcome.unit, []).append(outcome)
    decided: dict[str, FileOutcome] = {}
    for group in by_unit.values():
        if len(group) < 2:
            continue
        agreeing = [o for o in group if not _contradicts(o)]
        winner = max(agreeing or group, key=recency)
        for other in group:
            if other is winner:
                continue
            if _contradicts(other) and recency(other) > recency(winner):
                decided[other.file.relative] = _held(other, winner)
            else:
                decided[other.file.relative] = replace(other, status=SUPERSEDED, findings=(*other.findings, finding(
                    "W14", other.file.relative, made=made_on(other), winner=winner.file.relative,
                    winner_made=made_on(winner))))
    return [decided.get(o.file.relative, o) for o in outcomes]


def _contradicts(outcome: FileOutcome) -> bool:
    return any(f.rule == "W08" for f in outcome.findings)


def _held(outcome: FileOutcome, agreeing: FileOutcome) -> FileOutcome:
    """A newer file of a unit whose form contradicts the roster, while an older one agrees: held for staff (F13)."""
    first = next(f for f in outcome.findings if f.rule == "W08")
    unit = outcome.unit or ""
    held = finding(HELD, outcome.file.relative, "contested", sheet=first.sheet, cell=first.cell, column=first.column,
                   code=unit, given=first.found, what=first.column.lower(),
                   staff_note=f"{first.column.lower()} trong tệp khác danh mục của mã {unit}, mà tệp "
                              f"{agreeing.file.relative} của mã này khớp danh mục — tệp mới hơn này được giữ lại: "
                              "hỏi lại đơn vị nào đã gửi")
    return replace(outcome, status=REJECTED, unit=None, submission=None, findings=(*outcome.findings, held))


def _recency(outcome: FileOutcome, window: tuple[dt.date, dt.date]) -> tuple[dt.date, float, str]:
    """How new a file is: its ngày lập, then when it was last saved — by the workbook's own properties, which
    copying, unzipping or a time zone do not change; the file's time only when it has none —, then its path."""
    made = outcome.submission.unit.get(UnitForm.ngay_lap) if outcome.submission else None
    parsed = parse_date(made).value if made is not None else None
    if not isinstance(parsed, dt.date) or not window[0] <= parsed <= window[1]:
        parsed = None
    saved = outcome.saved.replace(tzinfo=dt.timezone.utc).timestamp() if outcome.saved else outcome.file.modified
    return (parsed or dt.date.min), saved, outcome.file.relative
