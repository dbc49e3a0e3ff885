"""Consolidation: from validated frames to every table of the consolidated workbook (SPEC §7).

Pure: the intake and the configuration in, a :class:`Consolidation` of frames and figures out. Scoring
happens here (through :mod:`pipeline.scoring.score`); :mod:`pipeline.outputs.summary` only lays the tables out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pipeline.config.year import YearConfig
from pipeline.intake.outcome import ACCEPTED, REJECTED, SUPERSEDED, WITH_ERRORS, FileOutcome, Intake
from pipeline.scoring.score import (
    CLASS_ORDER,
    COMPREHENSIVE,
    FIELD,
    score_collectives,
    score_individuals,
)
from pipeline.vi.collation import collation_key, person_sort_key
from pipeline.vi.text import loose_key
from schemas.rules import STAFF_NOTE, UNIT_HINT
from schemas.scored import Scores
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    CollectiveRow,
    IndividualRow,
    Provenance,
    ReportForm,
    UnitForm,
    column_specs,
)

SUBMISSION_LABEL = {ACCEPTED: "Đã nộp — hợp lệ", WITH_ERRORS: "Đã nộp — có dòng lỗi", REJECTED: "Có tệp bị từ chối",
                    None: "Chưa nộp"}
HINTED = "đoán theo tên tệp"  # a rejected file's unit as its name or folder suggests: for staff, never for data
KINH = "Kinh"
FEMALE = "Nữ"


@dataclass
class Consolidation:
    """Every table of the consolidated workbook."""

    school_year: str
    collectives: pd.DataFrame  # scored, one row per nomination, in display order
    individuals: pd.DataFrame
    proposals_collective: pd.DataFrame
    proposals_individual: pd.DataFrame
    submissions: pd.DataFrame  # every roster unit, then unknown files
    reports: pd.DataFrame  # per unit, then a totals row
    by_area: pd.DataFrame
    by_level: pd.DataFrame
    figures: list[tuple[str, Any]]
    messages: pd.DataFrame
    document_date: dt.date


def consolidate(intake: Intake, config: YearConfig, *, rollup: bool = False) -> Consolidation:
    """Score and tabulate one school year's intake.

    Args:
        rollup: the intake is the bodies' workbooks (SPEC §10): the breakdowns by area and level count the
            schools that nominated through them, not this level's roster units (the bodies).
    """
    year = intake.school_year
    criteria = config.criteria
    roster = config.roster
    validated = intake.validated
    winners = intake.winners
    errors = {sheet: {(o.file.relative, f.row) for o in winners for f in o.findings
                      if f.severity == "row" and f.row and o.submission
                      and f.sheet == o.submission.sheet_names.get(sheet)}
              for sheet in (SHEET_COLLECTIVES, SHEET_INDIVIDUALS)}
    members: dict[tuple[str, str], float | None] = {}
    for unit in validated.units.to_dict("records"):
        count = unit.get(UnitForm.so_doan_vien)
        members[unit[Provenance.tep], unit[Provenance.ma_don_vi]] = float(count) if not pd.isna(count) else float(
            roster.loc[unit[Provenance.ma_don_vi], "so_doan_vien"]) if unit[Provenance.ma_don_vi] in roster.index else None
    collectives = score_collectives(validated.collectives, members, criteria, errors[SHEET_COLLECTIVES])
    individuals = score_individuals(validated.individuals, collectives, criteria, errors[SHEET_INDIVIDUALS])
    collectives = _with_unit(collectives, roster, validated.units, members)
    individuals = _with_unit(individuals, roster, validated.units, members)
    target_order = {t.code: n for n, t in enumerate(criteria.targets)}
    collectives = _sorted(collectives, lambda r: (target_order.get(r[Scores.doi_tuong], 99),
                                                  r[Scores.hang] if not pd.isna(r[Scores.hang]) else 10**9,
                                                  collation_key(str(r[CollectiveRow.ten_tap_the])), r[Provenance.ma_don_vi], r[Provenance.dong]),
                          [Scores.doi_tuong, Scores.hang, CollectiveRow.ten_tap_the, Provenance.ma_don_vi, Provenance.dong])
    individuals = _sorted(individuals, lambda r: (person_sort_key(str(r[IndividualRow.ho_ten])), str(r[Provenance.ma_don_vi]), r[Provenance.dong]),
                          [IndividualRow.ho_ten, Provenance.ma_don_vi, Provenance.dong])
    proposals_c = _sorted(collectives[collectives[Scores.de_nghi]],
                          lambda r: (CLASS_ORDER[r[Scores.xep_loai]], target_order.get(r[Scores.doi_tuong], 99), r[Scores.hang]),
                          [Scores.xep_loai, Scores.doi_tuong, Scores.hang])
    proposals_i = _sorted(individuals[individuals[Scores.de_nghi]],
                          lambda r: (CLASS_ORDER[r[Scores.xep_loai]], person_sort_key(str(r[IndividualRow.ho_ten])), r[Provenance.ma_don_vi]),
                          [Scores.xep_loai, IndividualRow.ho_ten, Provenance.ma_don_vi])
    submissions = _submissions(intake, config.deadline, roster, collectives, individuals, config.received)
    reports = _reports(validated.reports, roster, winners, validated.units)
    return Consolidation(
        school_year=year, collectives=collectives, individuals=individuals,
        proposals_collective=proposals_c, proposals_individual=proposals_i, submissions=submissions,
        reports=reports, by_area=_breakdown(submissions, collectives, individuals, "dia_ban",
                                            validated.units if rollup else None),
        by_level=_breakdown(submissions, collectives, individuals, "cap_hoc", validated.units if rollup else None),
        figures=_figures(submissions, collectives, individuals, proposals_i), messages=_messages(intake),
        document_date=_document_date(config, validated.units))


WHOLE = "Toàn diện"  # the fields (linh_vuc) a school may choose that name no particular field
OTHER = "Khác"
FORM = "Biểu dương điển hình tiên tiến"


def proposal_form(record: Mapping[str, Any]) -> str:
    """The form of commendation proposed (Hình thức đề nghị), as such lists write it: the field the school
    chose ("… trên lĩnh vực Dạy và học"); "… toàn diện" when the school asked for it and the nomination is a
    comprehensive exemplar (or chose no particular field and is one); else the groups it excelled in, as the
    criteria name them."""
    field = record.get(CollectiveRow.linh_vuc)
    field = None if field is None or pd.isna(field) else str(field)
    comprehensive = record[Scores.xep_loai] == COMPREHENSIVE
    if field not in (None, WHOLE, OTHER):
        return f"{FORM} trên lĩnh vực {field}"
    if comprehensive:
        return f"{FORM} toàn diện"
    return f"{FORM} trên lĩnh vực {record[Scores.nhom_manh]}"


def _sorted(frame: pd.DataFrame, key: Any, columns: list[str]) -> pd.DataFrame:
    """The rows in the order of ``key`` (a function of one row's ``columns`` as a dict), stable; keys computed once
    per row."""
    records = frame[columns].to_dict("records")
    order = sorted(range(len(records)), key=lambda position: key(records[position]))
    return frame.iloc[order].reset_index(drop=True)


def _with_unit(frame: pd.DataFrame, roster: pd.DataFrame, units: pd.DataFrame,
               members: Mapping[tuple[str, str], float | None]) -> pd.DataFrame:
    """The unit's name, area and level as the roster has them (else as its own form gives them: the schools of a
    roll-up are in the roster of the body below), and the union members its per-member criteria used."""
    frame = frame.copy()
    for column in ("ten_don_vi", "dia_ban", "cap_hoc"):
        values = roster[column].to_dict()
        # by file and code: two bodies below may number their schools alike
        own = {(t, c): v for t, c, v in zip(units[Provenance.tep], units[Provenance.ma_don_vi], units[column])
               if isinstance(v, str)} if column in units else {}
        frame[f"dv_{column}"] = [values[c] if c in values else own.get((t, c), "")
                                 for t, c in zip(frame[Provenance.tep], frame[Provenance.ma_don_vi])]
    frame[Scores.dv_so_doan_vien] = [members.get((t, c)) for t, c in zip(frame[Provenance.tep],
                                                                         frame[Provenance.ma_don_vi])]
    return frame


VIETNAM_TIME = dt.timedelta(hours=7)  # the document properties are in UTC; the province keeps UTC+7
FROM_REGISTER, FROM_SAVED, FROM_FILE = "Sổ nhận (so_nhan.xlsx)", "Ngày trường lưu tệp", "Ngày giờ của tệp"


def received(code: str | None, outcome: FileOutcome | None, register: Mapping[str, dt.date]
             ) -> tuple[dt.date | None, str]:
    """The date a unit's file was received and where it comes from (SPEC §3): what staff recorded in the
    received register, else the time the school last saved the workbook, else the file's time on disk
    (which is when staff saved the e-mail attachment — the weakest of the three)."""
    if code is not None and code in register:
        return register[code], FROM_REGISTER
    if outcome is None:
        return None, ""
    if outcome.saved is not None:
        return (outcome.saved + VIETNAM_TIME).date(), FROM_SAVED
    on_disk = dt.datetime.fromtimestamp(outcome.file.modified, dt.UTC).replace(tzinfo=None)
    return (on_disk + VIETNAM_TIME).date(), FROM_FILE  # not the machine's zone: the same inbox, the same date


def _timeliness(received: dt.date | None, deadline: dt.date | None) -> str:
    """"Đúng hạn" or "Trễ hạn" against the deadline (empty when either date is unknown)."""
    if received is None or deadline is None:
        return ""
    return "Đúng hạn" if received <= deadline else "Trễ hạn"


def hinted_units(intake: Intake, roster: pd.DataFrame) -> dict[str, str]:
    """Rejected files whose unit could not be read → the roster unit their name or folder suggests.

    A hint for staff, never used to attribute data: a unit code that is a whole word of the path, else the
    unit whose name (without diacritics, case or spacing) the path contains — only when one unit matches."""
    rejected = [o for o in intake.outcomes if o.unit is None and o.status == REJECTED]
    if not rejected:
        return {}
    codes_known = {str(code) for code in roster.index}
    names: dict[int, dict[str, set[str]]] = {}  # folded name's length → folded name → the codes bearing it
    for code, name in roster["ten_don_vi"].items():
        folded_name = loose_key(str(name))
        if folded_name:
            names.setdefault(len(folded_name), {}).setdefault(folded_name, set()).add(str(code))
    hints = {}
    for outcome in rejected:
        relative = outcome.file.relative
        form_hint = next((f.extra[UNIT_HINT] for f in outcome.findings if UNIT_HINT in f.extra), None)
        if form_hint is not None and form_hint in roster.index:  # the unit the file's own form names
            hints[relative] = form_hint
            continue
        codes = sorted(codes_known & set(re.split(r"[^0-9A-Za-z]+", relative)))
        if len(codes) != 1:
            codes = sorted(_longest_names_in(loose_key(relative), names))
        if len(codes) == 1:
            hints[relative] = codes[0]
    return hints


def _longest_names_in(folded: str, names: Mapping[int, Mapping[str, set[str]]]) -> set[str]:
    """The codes of the longest roster names that ``folded`` contains: each window of the path looked up, longest
    names first (the cost does not grow with the roster)."""
    for length in sorted((n for n in names if n <= len(folded)), reverse=True):
        found = {code for start in range(len(folded) - length + 1)
                 for code in names[length].get(folded[start:start + length], ())}
        if found:
            return found
    return set()


def _submissions(intake: Intake, deadline: dt.date | None, roster: pd.DataFrame, collectives: pd.DataFrame,
                 individuals: pd.DataFrame, register: Mapping[str, dt.date]) -> pd.DataFrame:
    rows = []
    by_unit = intake.outcomes_by_unit()
    hints = hinted_units(intake, roster)
    collective_rows = collectives[Provenance.tep].value_counts().to_dict()  # rows per file, counted once
    individual_rows = individuals[Provenance.tep].value_counts().to_dict()
    hinted: dict[str, list[FileOutcome]] = {}
    for outcome in intake.outcomes:
        if outcome.file.relative in hints:
            hinted.setdefault(hints[outcome.file.relative], []).append(outcome)
    for code, unit in roster.iterrows():
        outcomes = by_unit.get(str(code), [])
        guessed = hinted.get(str(code), [])
        winner = next((o for o in outcomes if o.status in (ACCEPTED, WITH_ERRORS)), None)
        shown = winner or next((o for o in (*outcomes, *guessed) if o.status == REJECTED), None)
        day, source = received(str(code), shown, register)
        rows.append({
            "ma_don_vi": code, "ten_don_vi": unit[UnitForm.ten_don_vi], "dia_ban": unit[UnitForm.dia_ban], "cap_hoc": unit[UnitForm.cap_hoc],
            "tinh_trang": SUBMISSION_LABEL[shown.status if shown else None],
            "tep": "; ".join([*(o.file.relative for o in outcomes), *(f"{o.file.relative} ({HINTED})" for o in guessed)]),
            "so_tep_thay": sum(o.status == SUPERSEDED for o in outcomes),
            "ngay_nhan": day, "nguon_ngay_nhan": source,
            "han": _timeliness(day, deadline),
            "so_tap_the": collective_rows.get(winner.file.relative, 0) if winner else 0,
            "so_ca_nhan": individual_rows.get(winner.file.relative, 0) if winner else 0,
            "so_loi": sum(o.errors for o in (*outcomes, *guessed)),
            "so_canh_bao": sum(o.warnings for o in (*outcomes, *guessed)),
        })
    for outcome in intake.outcomes:  # files that could not be attributed to a roster unit
        if outcome.unit is None and outcome.status == REJECTED:
            day, source = received(None, outcome, register)
            hint = hints.get(outcome.file.relative)
            name = (f"(không đọc được mã đơn vị; {HINTED}: {hint} — {roster.loc[hint, 'ten_don_vi']})" if hint
                    else "(không xác định được đơn vị)")
            rows.append({"ma_don_vi": "", "ten_don_vi": name, "dia_ban": "", "cap_hoc": "",
                         "tinh_trang": SUBMISSION_LABEL[REJECTED], "tep": outcome.file.relative, "so_tep_thay": 0,
                         "ngay_nhan": day, "nguon_ngay_nhan": source,
                         "han": _timeliness(day, deadline),
                         "so_tap_the": 0, "so_ca_nhan": 0, "so_loi": outcome.errors, "so_canh_bao": outcome.warnings})
    return pd.DataFrame.from_records(rows)


def _reports(reports: pd.DataFrame, roster: pd.DataFrame, winners: list[Any], units: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k, meta in column_specs(ReportForm).items()]
    kept = reports[reports[Provenance.tep].isin({o.file.relative for o in winners})].copy()
    # the roster's name, else the unit's own (a roll-up's schools are in the roster of the body below)
    own = {(t, c): n for t, c, n in zip(units[Provenance.tep], units[Provenance.ma_don_vi],
                                         units.get(UnitForm.ten_don_vi, pd.Series(dtype=object))) if isinstance(n, str)}
    kept[UnitForm.ten_don_vi] = [roster.loc[c, "ten_don_vi"] if c in roster.index else own.get((t, c), "")
                                 for t, c in zip(kept[Provenance.tep], kept[Provenance.ma_don_vi])]
    kept = kept.sort_values("ma_don_vi", kind="stable")[["ma_don_vi", "ten_don_vi", *keys]].reset_index(drop=True)
    numeric = [k for k, meta in column_specs(ReportForm).items() if meta["kind"] == "int"]
    total: dict[str, Any] = {"ma_don_vi": "", "ten_don_vi": "Tổng cộng"}
    total |= {k: int(kept[k].fillna(0).sum()) for k in numeric}
    total[ReportForm.co_ke_hoach] = f"{int((kept[ReportForm.co_ke_hoach] == 'Có').sum())} đơn vị có kế hoạch"
    return pd.concat([kept, pd.DataFrame([total])], ignore_index=True)


def _breakdown(submissions: pd.DataFrame, collectives: pd.DataFrame, individuals: pd.DataFrame, by: str,
               schools: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units, submissions and nominations per area (or level): the roster's units, or, in a roll-up, the
    ``schools`` that nominated through the bodies below (every one of them sent its file to its body)."""
    known = submissions[submissions[Provenance.ma_don_vi] != ""] if schools is None else schools
    rows = []
    values = list(dict.fromkeys([*known[by], *collectives[f"dv_{by}"], *individuals[f"dv_{by}"]]))
    # each frame counted once per value (not filtered once per value: a national roster has hundreds of areas);
    # nominations by their unit's own area or level (in a roll-up, the schools', not the bodies')
    units = _counts(known[by])
    submitted = units if schools is not None else _counts(known.loc[known["tinh_trang"].isin(
        [SUBMISSION_LABEL[ACCEPTED], SUBMISSION_LABEL[WITH_ERRORS]]), by])
    collective_counts, collective_proposed = _counts(collectives[f"dv_{by}"]), _counts(
        collectives.loc[collectives[Scores.de_nghi].astype(bool), f"dv_{by}"])
    individual_counts, individual_proposed = _counts(individuals[f"dv_{by}"]), _counts(
        individuals.loc[individuals[Scores.de_nghi].astype(bool), f"dv_{by}"])
    for value in (v for v in values if isinstance(v, str) and v):
        rows.append({by: value, "don_vi": units.get(value, 0), "da_nop": submitted.get(value, 0),
                     "tap_the": collective_counts.get(value, 0), "tap_the_de_nghi": collective_proposed.get(value, 0),
                     "ca_nhan": individual_counts.get(value, 0),
                     "ca_nhan_de_nghi": individual_proposed.get(value, 0)})
    frame = pd.DataFrame.from_records(rows, columns=[by, "don_vi", "da_nop", "tap_the", "tap_the_de_nghi", "ca_nhan",
                                                     "ca_nhan_de_nghi"])
    return frame.sort_values(by, key=lambda s: s.map(lambda v: collation_key(str(v)))).reset_index(drop=True)


def _counts(values: pd.Series) -> dict[Any, int]:
    """How many times each value occurs."""
    return {value: int(count) for value, count in values.value_counts(dropna=True).items()}


def _figures(submissions: pd.DataFrame, collectives: pd.DataFrame, individuals: pd.DataFrame,
             proposed_people: pd.DataFrame) -> list[tuple[str, Any]]:
    known = submissions[submissions[Provenance.ma_don_vi] != ""]
    submitted = known["tinh_trang"].isin([SUBMISSION_LABEL[ACCEPTED], SUBMISSION_LABEL[WITH_ERRORS]])
    people = len(proposed_people)
    women = int((proposed_people[IndividualRow.gioi_tinh] == FEMALE).sum()) if people else 0
    minorities = int((proposed_people[IndividualRow.dan_toc].notna() & (proposed_people[IndividualRow.dan_toc] != KINH)).sum()) if people else 0
    return [
        ("Đơn vị trong danh mục", len(known)),
        ("Đơn vị đã nộp hợp lệ", int(submitted.sum())),
        ("Đơn vị có tệp bị từ chối", int((known["tinh_trang"] == SUBMISSION_LABEL[REJECTED]).sum())),
        ("Đơn vị chưa nộp", int((known["tinh_trang"] == SUBMISSION_LABEL[None]).sum())),
        ("Tệp bị từ chối không đọc được mã đơn vị", int((submissions[Provenance.ma_don_vi] == "").sum())),
        ("Tập thể được đề nghị", len(collectives)),
        ("Tập thể đạt điển hình toàn diện", int((collectives[Scores.xep_loai] == COMPREHENSIVE).sum())),
        ("Tập thể đạt điển hình trên lĩnh vực", int((collectives[Scores.xep_loai] == FIELD).sum())),
        ("Tập thể đề nghị biểu dương", int(collectives[Scores.de_nghi].sum())),
        ("Cá nhân được đề nghị", len(individuals)),
        ("Cá nhân đạt điển hình toàn diện", int((individuals[Scores.xep_loai] == COMPREHENSIVE).sum())),
        ("Cá nhân đạt điển hình trên lĩnh vực", int((individuals[Scores.xep_loai] == FIELD).sum())),
        ("Cá nhân đề nghị biểu dương", people),
        ("Trong đó nữ", women),
        ("Tỷ lệ nữ (%)", round(100 * women / people, 1) if people else 0.0),
        ("Trong đó người dân tộc thiểu số", minorities),
        ("Tỷ lệ dân tộc thiểu số (%)", round(100 * minorities / people, 1) if people else 0.0),
    ]


def _messages(intake: Intake) -> pd.DataFrame:
    rows = [{"tep": o.file.relative, "ma_don_vi": o.unit or "", "muc_do": f.severity, "ma_loi": f.rule,
             "o": f.where, "cot": f.column, "gap": f.found, "can": f.expected, "noi_dung": f.message(),
             "ghi_chu": f.extra.get(STAFF_NOTE, "")}  # the staff's own note: in their workbook only
            for o in intake.outcomes for f in o.findings]
    return pd.DataFrame.from_records(rows, columns=["tep", "ma_don_vi", "muc_do", "ma_loi", "o", "cot", "gap", "can",
                                                    "noi_dung", "ghi_chu"])


def _document_date(config: YearConfig, units: pd.DataFrame) -> dt.date:
    """The date printed on the documents: deterministic for an inbox (the newest `ngày lập` received),
    never later than today's run would suggest; the deadline when nothing was received."""
    low, high = config.document_dates  # a date outside the school year is a mistake (R04)
    dates = [d for d in (d.date() if isinstance(d, pd.Timestamp) else d
                         for d in units.get(UnitForm.ngay_lap, pd.Series()).dropna()) if low <= d <= high]
    if dates:
        return max(dates)
    return config.deadline or dt.date(config.start + 1, 6, 30)
