"""Scoring nominations against the criteria file (SPEC §6): gates, points, classification, rank, proposal.

Pure functions over the validated frames. Arithmetic is exact (fractions), so that boundaries such as
79.9 / 80 or a group at 49.9 / 50 % fall where the criteria say; the score shown and classified on is
rounded half-up to one decimal (docs/adr/0004-scoring.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

import pandas as pd

from pipeline.config.criteria import Criteria, Criterion, Target
from pipeline.intake.cells import is_missing
from pipeline.vi.collation import collation_key, person_sort_key
from schemas.scored import GROUP_PREFIX, POINTS_PREFIX, Scores
from schemas.submission import NOT_APPLICABLE, YES, CollectiveRow, IndividualRow, Provenance

COMPREHENSIVE, FIELD, NOT_REACHED = "Điển hình toàn diện", "Điển hình trên lĩnh vực", "Chưa đạt"
INELIGIBLE = "Không đủ điều kiện"
NOT_SCORED = "Không xét (dòng có lỗi)"
CLASS_ORDER = {COMPREHENSIVE: 0, FIELD: 1, NOT_REACHED: 2, INELIGIBLE: 3, NOT_SCORED: 4}


@dataclass(frozen=True)
class Points:
    """Points of one criterion: earned and applicable (both None when `Không áp dụng`)."""

    earned: Fraction | None
    applicable: Fraction | None


@lru_cache(maxsize=65536)
def _fraction(value: float) -> Fraction:
    """The exact fraction of a number as written (0.1 is 1/10); a few hundred distinct values recur, so each is
    parsed once (fractions are immutable)."""
    return Fraction(str(value))


def criterion_points(criterion: Criterion, row: Mapping[str, Any], members: float | None,
                     rating_percent: Mapping[str, float]) -> Points:
    """Points of one criterion for one nomination.

    Args:
        criterion: from the criteria file.
        row: the nomination's values (canonical levels, numbers).
        members: the unit's union members (for per-member criteria).
        rating_percent: ``diem_muc_do`` of the criteria file.
    """
    full = _fraction(criterion.points)
    if criterion.method in ("muc_do", "bang"):
        value = row.get(criterion.column or "")
        if is_missing(value) or value == NOT_APPLICABLE:
            return Points(None, None)
        if criterion.method == "muc_do":
            return Points(full * _fraction(rating_percent.get(str(value), 0)) / 100, full)
        return Points(_fraction((criterion.table or {}).get(str(value), 0)), full)
    numerator: Any = row.get(criterion.numerator or "")
    denominator: Any = row.get(criterion.denominator or "") if criterion.method == "ty_le" else members
    if is_missing(numerator) or is_missing(denominator) or float(denominator) <= 0:
        return Points(None, None)
    value = _fraction(float(numerator)) / _fraction(float(denominator))
    if criterion.method == "ty_le":
        value *= 100
    for threshold in criterion.thresholds:
        bound = _fraction(threshold.bound)
        if (value > bound) if threshold.strict else (value >= bound):
            return Points(_fraction(threshold.points), full)
    return Points(Fraction(0), full)


def round_score(value: Fraction) -> float:
    """One decimal, half up (Vietnamese school convention; Python's round() is half-even)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def gate_failures(target: Target, row: Mapping[str, Any]) -> list[str]:
    """Reasons of the gates (other than the leader's) that the nomination fails."""
    return [gate.reason for gate in target.gates
            if not gate.leader and str(row.get(gate.column)) not in gate.accepted]


def score_row(target: Target, row: Mapping[str, Any], members: float | None, criteria: Criteria
              ) -> dict[str, Any]:
    """Points per criterion and group, score and classification of one nomination (gates included)."""
    result: dict[str, Any] = {}
    earned_total, applicable_total = Fraction(0), Fraction(0)
    group_shares: list[tuple[str, Fraction | None]] = []
    for group in target.groups:
        earned, applicable = Fraction(0), Fraction(0)
        for criterion in group.criteria:
            points = criterion_points(criterion, row, members, criteria.rating_percent)
            result[f"{POINTS_PREFIX}{criterion.code}"] = None if points.earned is None else float(points.earned)
            if points.earned is not None and points.applicable is not None:
                earned += points.earned
                applicable += points.applicable
        result[f"{GROUP_PREFIX}{group.name}"] = float(earned) if applicable else None
        group_shares.append((group.name, earned / applicable * 100 if applicable else None))
        earned_total += earned
        applicable_total += applicable
    score = earned_total / applicable_total * 100 if applicable_total else Fraction(0)
    shown = round_score(score)
    strong = [name for name, share in group_shares if share is not None and share >= _fraction(criteria.field_group)]
    every_group = all(share >= _fraction(criteria.comprehensive_group) for _, share in group_shares
                      if share is not None)
    if shown >= criteria.comprehensive_score and every_group:
        classification = COMPREHENSIVE
    elif shown >= criteria.field_score and strong:
        classification = FIELD
    else:
        classification = NOT_REACHED
    reasons = gate_failures(target, row)
    result.update(diem=shown, xep_loai=INELIGIBLE if reasons else classification, ly_do="; ".join(reasons),
                  nhom_manh=", ".join(strong) if classification == FIELD and not reasons else "")
    return result


# What a row with row errors gets instead of a score: it is listed, never scored.
NOT_SCORED_RECORD = {"diem": None, "xep_loai": NOT_SCORED, "ly_do": "Dòng có lỗi, xem Lỗi và cảnh báo", "nhom_manh": ""}


def _scored_frame(records: list[dict[str, Any]], inputs: pd.DataFrame) -> pd.DataFrame:
    """The scored records as a frame; with no records, the inputs' columns plus the (empty) score columns."""
    if records:
        return pd.DataFrame.from_records(records)
    return inputs.assign(doi_tuong=pd.Series(dtype="string"), diem=pd.Series(dtype="float"),
                         xep_loai=pd.Series(dtype="string"), ly_do=pd.Series(dtype="string"),
                         nhom_manh=pd.Series(dtype="string"))


def score_collectives(collectives: pd.DataFrame, members: Mapping[tuple[str, str], float | None], criteria: Criteria,
                      errors: set[tuple[str, int]]) -> pd.DataFrame:
    """Score every collective; rows with row errors are listed but not scored.

    Args:
        collectives: validated `Tập thể` rows (with ``tep``, ``ma_don_vi``, ``dong``).
        members: union members per unit of a file (``tep``, ``ma_don_vi``) for per-member criteria (a roll-up's
            file holds many units).
        errors: (file, Excel row) of rows with row errors.
    """
    targets = {t.model: t for t in criteria.targets if t.kind == "tap_the"}
    records = []
    for row in collectives.to_dict("records"):
        target = targets.get(row.get(CollectiveRow.loai_mo_hinh))
        record = dict(row)
        record[Scores.doi_tuong] = target.code if target else ""
        if (row[Provenance.tep], int(row[Provenance.dong])) in errors or target is None:
            record.update(NOT_SCORED_RECORD)
        else:
            record.update(score_row(target, row, members.get((row[Provenance.tep], row[Provenance.ma_don_vi])), criteria))
        records.append(record)
    scored = _scored_frame(records, collectives)
    return _rank_and_propose(scored, criteria, name_key=lambda r: (collation_key(str(r[CollectiveRow.ten_tap_the])),),
                             name_columns=(CollectiveRow.ten_tap_the,), group_by="doi_tuong")


def score_individuals(individuals: pd.DataFrame, collectives: pd.DataFrame, criteria: Criteria,
                      errors: set[tuple[str, int]]) -> pd.DataFrame:
    """Score every individual, with the leader gate on the scored collectives of the same unit and file."""
    target = next(t for t in criteria.targets if t.kind == "ca_nhan")
    leader_gate = next((g for g in target.gates if g.leader), None)
    collective_class = {(r[Provenance.tep], r[Provenance.ma_don_vi], r[CollectiveRow.stt]): (
        r[Scores.xep_loai], r[CollectiveRow.ten_tap_the]) for r in collectives.to_dict("records")}
    records = []
    for row in individuals.to_dict("records"):
        record = dict(row, doi_tuong=target.code)
        if (row[Provenance.tep], int(row[Provenance.dong])) in errors:
            record.update(NOT_SCORED_RECORD)
            records.append(record)
            continue
        record.update(score_row(target, row, None, criteria))
        if leader_gate is not None and row.get(IndividualRow.la_lanh_dao) == YES:
            headed = collective_class.get((row[Provenance.tep], row[Provenance.ma_don_vi],
                                           row.get(IndividualRow.tap_the_dung_dau)))
            if headed is None or headed[0] not in (COMPREHENSIVE, FIELD):
                detail = f" (tập thể STT {row.get('tap_the_dung_dau')}: {headed[0] if headed else 'không có'})"
                reasons = [r for r in (record[Scores.ly_do], leader_gate.reason + detail) if r]
                record.update(xep_loai=INELIGIBLE, ly_do="; ".join(reasons), nhom_manh="")
        records.append(record)
    scored = _scored_frame(records, individuals)
    return _rank_and_propose(scored, criteria, name_key=lambda r: person_sort_key(str(r[IndividualRow.ho_ten])),
                             name_columns=(IndividualRow.ho_ten,), group_by="doi_tuong")


def _rank_and_propose(scored: pd.DataFrame, criteria: Criteria, *, name_key: Any, name_columns: tuple[str, ...],
                      group_by: str) -> pd.DataFrame:
    """Rank within each target by score, then group points in table order, then name; propose within quotas.

    The sort keys are computed once per row, over the frame's records (positions, not labels).
    """
    scored = scored.reset_index(drop=True)
    ranks: list[int | None] = [None] * len(scored)
    proposed = [False] * len(scored)
    group_columns_all = [f"{GROUP_PREFIX}{g.name}" for t in criteria.targets for g in t.groups]
    records = scored[list(dict.fromkeys(c for c in (*group_columns_all, *name_columns, Scores.diem, Scores.xep_loai,
                                                    Provenance.ma_don_vi, Provenance.tep, Provenance.dong)
                                        if c in scored.columns))].to_dict("records")
    for code, part in scored.groupby(group_by, sort=True):
        target = criteria.target(code) if code else None
        if target is None:
            continue
        group_columns = [f"{GROUP_PREFIX}{g.name}" for g in target.groups]

        def order(position: int) -> tuple[Any, ...]:
            row = records[position]
            groups = tuple(-(row[c] if not is_missing(row[c]) else -1) for c in group_columns)
            return (-row[Scores.diem], *groups, name_key(row), str(row[Provenance.ma_don_vi]), str(row[Provenance.tep]),
                    int(row[Provenance.dong]))

        eligible = [p for p in part.index if records[p][Scores.xep_loai] in (COMPREHENSIVE, FIELD, NOT_REACHED)]
        ranked = sorted(eligible, key=order)
        for rank, position in enumerate(ranked, start=1):
            ranks[position] = rank
        quota = criteria.quotas.get(code, 0)
        exemplars = [p for p in ranked if records[p][Scores.xep_loai] in (COMPREHENSIVE, FIELD)]
        for position in exemplars[:quota] if quota else exemplars:
            proposed[position] = True
    scored[Scores.hang] = pd.array(ranks, dtype="Int64")
    scored[Scores.de_nghi] = pd.array(proposed, dtype=bool)
    return scored
