"""The period review: the same collectives and persons recognised across school years (SPEC §8).

Pure: each year's consolidated workbook (read back by :mod:`pipeline.intake.ours`), the roster and the links
staff settled in; a :class:`Period` of frames out. Recognition is done by joins on keys, never by comparing
every pair of rows:

* a unit's **lineage** follows the roster's predecessor links (a TH&THCS school continues both schools it
  replaced): the connected components of the predecessor graph;
* the **same person**: same lineage, same canonical name (``vi.text.canonical_key``: NFC, tone placement, case
  and spacing folded) and same birth year; the **same collective**: same lineage and canonical name;
* anything weaker is an **uncertain link**, listed and never merged: the same name and birth year in another
  lineage, later (a teacher who moved); the same name in the same lineage with a birth year one apart; a name
  that more than one unit of a lineage had in the same year (then each unit's keeps its own row);
* a link settled in ``config/lien_ket.xlsx`` merges (``Có``) or keeps apart (``Không``) and is listed as settled.

An **exemplar** (điển hình) of a year is a nomination classed comprehensive or in a field that year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config.links import KIND_COLLECTIVE, KIND_PERSON, NO, YES, Confirmation, Occurrence
from pipeline.intake.cells import as_text
from pipeline.intake.ours import OurWorkbook
from pipeline.scoring.score import CLASS_ORDER, COMPREHENSIVE, FIELD
from pipeline.vi.collation import collation_key, person_sort_key
from pipeline.vi.text import canonical_key
from schemas.consolidated import SUBMITTED_PREFIX, count_columns
from schemas.scored import Scores
from schemas.submission import CollectiveRow, IndividualRow, Provenance, ReportForm

EXEMPLAR = (COMPREHENSIVE, FIELD)
NO_BIRTH = 0  # the birth year of a collective, in keys
MOVED = "cùng họ tên và năm sinh, năm sau ở đơn vị khác (có thể đã chuyển trường)"
BIRTH_ONE_OFF = "cùng họ tên, cùng đơn vị (kể cả đơn vị tiền thân), năm sinh lệch 1 năm"
SHARED_NAME = {KIND_COLLECTIVE: "tên tập thể có ở nhiều đơn vị tiền thân của cùng một đơn vị",
               KIND_PERSON: "cùng họ tên và năm sinh ở nhiều đơn vị tiền thân của cùng một đơn vị"}


@dataclass
class Period:
    """Every table of the period review."""

    years: tuple[str, ...]  # every school year of the period, in order
    present: tuple[str, ...]  # those whose consolidated workbook was read
    collectives: pd.DataFrame  # one row per recognised collective (see _entities for the columns)
    individuals: pd.DataFrame  # one row per recognised person
    figures: pd.DataFrame  # one row per indicator, a column per school year
    by_area: pd.DataFrame  # exemplars per area (as named each year) per school year
    by_level: pd.DataFrame
    new: pd.DataFrame  # Nhân tố mới: the first exemplar year of each collective and person
    reports: pd.DataFrame  # Kết quả thực hiện: indicators × years
    uncertain: pd.DataFrame  # Cần xác nhận: one row per uncertain or settled link
    honours_collective: pd.DataFrame  # exemplars of the period, most exemplar years first, then mean score
    honours_individual: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # settled links that match nothing, and the like


def review(books: Mapping[str, OurWorkbook], years: Sequence[str], roster: pd.DataFrame,
           confirmations: Sequence[Confirmation] = ()) -> Period:
    """Recognise, count and rank the exemplars of ``years`` from the workbooks of the years present.

    Args:
        books: school year → its consolidated workbook (years missing from the outbox are absent).
        years: every school year of the period, in order.
        roster: the whole roster (every period of every unit), for the predecessor links.
        confirmations: the links staff settled (config/lien_ket.xlsx).
    """
    years = tuple(years)
    lineage = lineages(roster)
    notes: list[str] = []
    tables = {}
    links = []
    for kind in (KIND_COLLECTIVE, KIND_PERSON):
        occurrences = _occurrences(books, kind, lineage, years)
        settled = [c for c in confirmations if c.kind == kind]
        occurrences, found, unmatched = _recognise(occurrences, kind, settled, years)
        notes += [f"lien_ket.xlsx, dòng {c.row}: không tìm thấy {c.kind.lower()} như dòng này ghi trong các năm "
                  "đã tổng hợp; dòng này chưa được áp dụng." for c in unmatched]
        tables[kind] = (occurrences, _entities(occurrences, kind, years))
        links.append(found)
    collectives, individuals = tables[KIND_COLLECTIVE][1], tables[KIND_PERSON][1]
    occ_c, occ_p = tables[KIND_COLLECTIVE][0], tables[KIND_PERSON][0]
    return Period(
        years=years, present=tuple(y for y in years if y in books),
        collectives=collectives, individuals=individuals,
        figures=_figures(books, years, occ_c, occ_p, collectives, individuals),
        by_area=_breakdown(pd.concat([occ_c, occ_p]), "dia_ban", years),
        by_level=_breakdown(pd.concat([occ_c, occ_p]), "cap_hoc", years),
        new=_new(occ_c, occ_p, collectives, individuals),
        reports=_reports(books, years),
        uncertain=pd.concat(links, ignore_index=True),
        honours_collective=_honours(collectives), honours_individual=_honours(individuals),
        notes=notes)


def lineages(roster: pd.DataFrame) -> dict[str, str]:
    """Unit code → its lineage: the smallest code of the units joined to it by predecessor links."""
    parent: dict[str, str] = {}

    def find(code: str) -> str:
        root = code
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[code] != root:
            parent[code], code = root, parent[code]
        return root

    for code, previous in zip(roster["ma_don_vi"], roster["ma_tien_than"]):
        for other in (code, *previous):
            find(other)
        for other in previous:
            a, b = find(code), find(other)
            parent[max(a, b)] = min(a, b)
    return {code: find(code) for code in list(parent)}


def _occurrences(books: Mapping[str, OurWorkbook], kind: str, lineage: Mapping[str, str],
                 years: Sequence[str]) -> pd.DataFrame:
    """One row per nomination of every year present, with its keys; one per unit, name and year."""
    name = CollectiveRow.ten_tap_the if kind == KIND_COLLECTIVE else IndividualRow.ho_ten
    frames = []
    for index, year in enumerate(years):
        if year not in books:
            continue
        rows = books[year].collectives if kind == KIND_COLLECTIVE else books[year].individuals
        text = {key: _texts(rows[key]) for key in (Provenance.ma_don_vi, name, Scores.dv_ten_don_vi,
                                                       Scores.dv_dia_ban, Scores.dv_cap_hoc, Scores.xep_loai,
                                                       CollectiveRow.tom_tat, CollectiveRow.linh_vuc)}
        person = kind == KIND_PERSON
        frames.append(pd.DataFrame({
            "nam_hoc": year, "thu_tu_nam": index, "ma_don_vi": text[Provenance.ma_don_vi], "ten": text[name],
            "nam_sinh": pd.to_numeric(rows[IndividualRow.nam_sinh], errors="coerce").fillna(NO_BIRTH).astype(int)
            if person else NO_BIRTH,
            "gioi_tinh": _texts(rows[IndividualRow.gioi_tinh]) if person else "",
            "dan_toc": _texts(rows[IndividualRow.dan_toc]) if person else "",
            "chuc_vu": _texts(rows[IndividualRow.chuc_vu]) if person else "",
            "ten_don_vi": text[Scores.dv_ten_don_vi], "dia_ban": text[Scores.dv_dia_ban],
            "cap_hoc": text[Scores.dv_cap_hoc], "xep_loai": text[Scores.xep_loai],
            "diem": pd.to_numeric(rows[Scores.diem], errors="coerce"),
            "tom_tat": text[CollectiveRow.tom_tat], "linh_vuc": text[CollectiveRow.linh_vuc],
        }))
    columns = ["nam_hoc", "thu_tu_nam", "ma_don_vi", "ten", "nam_sinh", "gioi_tinh", "dan_toc", "chuc_vu",
               "ten_don_vi", "dia_ban", "cap_hoc", "xep_loai", "diem", "tom_tat", "linh_vuc"]
    occurrences = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    occurrences = occurrences[occurrences["ten"] != ""].copy()
    names = occurrences["ten"].unique()
    occurrences["ten_key"] = occurrences["ten"].map(dict(zip(names, map(canonical_key, names))))
    occurrences["dong_ho"] = occurrences["ma_don_vi"].map(lambda code: lineage.get(code, code))
    occurrences["dien_hinh"] = occurrences["xep_loai"].isin(EXEMPLAR)
    occurrences["thu_hang"] = occurrences["xep_loai"].map(CLASS_ORDER).fillna(len(CLASS_ORDER))
    # the same name twice in one unit's list of one year: one occurrence, the better of the two
    occurrences = occurrences.sort_values(["thu_tu_nam", "ma_don_vi", "ten_key", "nam_sinh", "thu_hang", "diem"],
                                          ascending=[True, True, True, True, True, False], kind="stable")
    return occurrences.drop_duplicates(["nam_hoc", "ma_don_vi", "ten_key", "nam_sinh"]).reset_index(drop=True)


BASE = ["dong_ho", "ten_key", "nam_sinh"]


def _recognise(occurrences: pd.DataFrame, kind: str, settled: Sequence[Confirmation], years: Sequence[str]
               ) -> tuple[pd.DataFrame, pd.DataFrame, list[Confirmation]]:
    """Give each occurrence its entity (``thuc_the``); list the uncertain and the settled links.

    Returns:
        The occurrences with ``thuc_the``, one per entity and year; the links (`Cần xác nhận` rows); the settled
        links that match no occurrence.
    """
    occ = occurrences
    units_a_year = occ.groupby([*BASE, "nam_hoc"], sort=False)["ma_don_vi"].transform("nunique")
    shared = occ.assign(_n=units_a_year).groupby(BASE, sort=False)["_n"].transform("max") > 1
    # a key that two units of a lineage had in one year: each unit's occurrences stay apart
    occ = occ.assign(mo_ho=shared, khoa_don_vi=np.where(shared, occ["ma_don_vi"], ""))
    entity = occ.groupby([*BASE, "khoa_don_vi"], sort=True).ngroup().to_numpy()
    # the occurrences staff named in config/lien_ket.xlsx (looked up among the few rows of those names only)
    named = occ["ten_key"].isin({o.name_key for c in settled for o in (c.first, c.second)}).to_numpy()
    mentioned = occ[named]
    by_occurrence = {Occurrence(y, u, n, None if kind == KIND_COLLECTIVE else b): e for y, u, n, b, e in zip(
        mentioned["nam_hoc"], mentioned["ma_don_vi"], mentioned["ten_key"], mentioned["nam_sinh"], entity[named])}
    shown = {Occurrence(y, u, n, None if kind == KIND_COLLECTIVE else b): (y, u, d, t, b) for y, u, n, b, t, d in zip(
        mentioned["nam_hoc"], mentioned["ma_don_vi"], mentioned["ten_key"], mentioned["nam_sinh"], mentioned["ten"],
        mentioned["ten_don_vi"])}
    parent = list(range(int(entity.max()) + 1 if len(entity) else 0))

    def find(e: int) -> int:
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    apart: set[frozenset[int]] = set()
    unmatched, applied = [], []
    for confirmation in settled:
        a, b = by_occurrence.get(confirmation.first), by_occurrence.get(confirmation.second)
        if a is None or b is None:
            unmatched.append(confirmation)
            continue
        applied.append((confirmation, a, b))
        if confirmation.same:
            ra, rb = find(a), find(b)
            parent[max(ra, rb)] = min(ra, rb)
    for confirmation, a, b in applied:
        if not confirmation.same:
            apart.add(frozenset((find(a), find(b))))
    occ = occ.assign(thuc_the=[find(int(e)) for e in entity])
    # a merged entity keeps one occurrence a year: the better one
    occ = occ.sort_values(["thuc_the", "thu_tu_nam", "thu_hang", "diem"], ascending=[True, True, True, False],
                          kind="stable").drop_duplicates(["thuc_the", "nam_hoc"]).reset_index(drop=True)
    person = kind == KIND_PERSON
    rows = [[kind, *shown[c.first], *shown[c.second], "đã xác nhận", YES if c.same else NO] for c, _, _ in applied]
    frames = [pd.DataFrame(rows, columns=LINK_COLUMNS)]
    done = {frozenset((find(a), find(b))) for _, a, b in applied} | apart
    for reason, pairs in _candidates(occ, kind):
        if done and len(pairs):
            pairs = pairs[[frozenset((a, b)) not in done for a, b in zip(pairs["a"], pairs["b"])]]
        frames.append(_link_rows(kind, occ, pairs, reason))
    links = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    if not person:
        links["nam_sinh_1"] = links["nam_sinh_2"] = None
    if len(links):
        links = links.drop_duplicates(["loai", "nam_hoc_1", "ma_don_vi_1", "ten_1", "nam_sinh_1", "nam_hoc_2",
                                       "ma_don_vi_2", "ten_2", "nam_sinh_2"]).reset_index(drop=True)
    return occ, links, unmatched


LINK_COLUMNS = ["loai", "nam_hoc_1", "ma_don_vi_1", "don_vi_1", "ten_1", "nam_sinh_1", "nam_hoc_2", "ma_don_vi_2",
                "don_vi_2", "ten_2", "nam_sinh_2", "ly_do", "xac_nhan"]  # the keys of config/links.COLUMNS


def _spans(occ: pd.DataFrame) -> pd.DataFrame:
    """Per entity (``thuc_the``): its keys, its first and last year index, its years as a bit mask."""
    grouped = occ.assign(_bit=np.left_shift(1, occ["thu_tu_nam"].to_numpy())).groupby("thuc_the", sort=True)
    return pd.DataFrame({"dong_ho": grouped["dong_ho"].first(), "ten_key": grouped["ten_key"].first(),
                         "nam_sinh": grouped["nam_sinh"].first(), "mo_ho": grouped["mo_ho"].first(),
                         "dau": grouped["thu_tu_nam"].min(), "cuoi": grouped["thu_tu_nam"].max(),
                         "mask": grouped["_bit"].sum()}).rename_axis("thuc_the").reset_index()


def _candidates(occ: pd.DataFrame, kind: str) -> list[tuple[str, pd.DataFrame]]:
    """The pairs (``a`` earlier, ``b`` later) of entities that may be one: self-joins on a key, within the
    groups that have more than one entity — never a comparison of every pair."""
    spans = _spans(occ)

    def pairs(frame: pd.DataFrame, on: list[str], keep: Any) -> pd.DataFrame:
        frame = frame[frame.groupby(on, sort=False)["thuc_the"].transform("size") > 1]
        joined = frame.merge(frame, on=on, suffixes=("_a", "_b"))
        earlier = (joined["dau_a"] < joined["dau_b"]) | (
            (joined["dau_a"] == joined["dau_b"]) & (joined["thuc_the_a"] < joined["thuc_the_b"]))
        joined = joined[earlier & keep(joined)]
        return pd.DataFrame({"a": joined["thuc_the_a"].to_numpy(), "b": joined["thuc_the_b"].to_numpy()})

    def disjoint(j: pd.DataFrame) -> pd.Series:
        return (j["mask_a"] & j["mask_b"]) == 0

    found = [(SHARED_NAME[kind], pairs(spans[spans["mo_ho"]], BASE, disjoint))]
    if kind == KIND_PERSON:
        found.append((MOVED, pairs(spans, ["ten_key", "nam_sinh"],
                                   lambda j: (j["dong_ho_a"] != j["dong_ho_b"]) & (j["cuoi_a"] < j["dau_b"]))))
        found.append((BIRTH_ONE_OFF, pairs(spans, ["dong_ho", "ten_key"],
                                           lambda j: ((j["nam_sinh_a"] - j["nam_sinh_b"]).abs() == 1) & disjoint(j))))
    return found


def _link_rows(kind: str, occ: pd.DataFrame, pairs: pd.DataFrame, reason: str) -> pd.DataFrame:
    """`Cần xác nhận` rows: the earlier entity's last occurrence, the later one's first."""
    if pairs.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    shown = ["nam_hoc", "ma_don_vi", "ten_don_vi", "ten", "nam_sinh"]
    ordered = occ.sort_values(["thuc_the", "thu_tu_nam"], kind="stable")
    last = ordered.groupby("thuc_the", sort=False).tail(1).set_index("thuc_the")[shown]
    first = ordered.groupby("thuc_the", sort=False).head(1).set_index("thuc_the")[shown]
    one, two = last.loc[pairs["a"]].to_numpy(), first.loc[pairs["b"]].to_numpy()
    rows = pd.DataFrame({"loai": kind, **{f"{key}_1": one[:, n] for n, key in enumerate(shown[1:], start=1)},
                         "nam_hoc_1": one[:, 0], **{f"{key}_2": two[:, n] for n, key in enumerate(shown[1:], start=1)},
                         "nam_hoc_2": two[:, 0], "ly_do": reason, "xac_nhan": ""}).rename(
        columns={"ten_don_vi_1": "don_vi_1", "ten_don_vi_2": "don_vi_2"})[LINK_COLUMNS]
    return rows.sort_values(["nam_hoc_1", "ma_don_vi_1", "ten_1", "ma_don_vi_2"], kind="stable")


def _entities(occ: pd.DataFrame, kind: str, years: Sequence[str]) -> pd.DataFrame:
    """One row per entity: its latest unit and name, its class each year, years as exemplar, codes per year."""
    columns = ["thuc_the", "ma_don_vi", "ten_don_vi", "ten", "nam_sinh", "gioi_tinh", "dan_toc", "chuc_vu",
               "tom_tat", *years, "so_nam", "nam_dau", "lien_tiep", "ma_cac_nam", "diem_tb", "dia_ban", "cap_hoc"]
    if occ.empty:
        return pd.DataFrame(columns=columns)
    ordered = occ.sort_values(["thuc_the", "thu_tu_nam"], kind="stable")
    grouped = ordered.groupby("thuc_the", sort=True)
    latest = grouped.tail(1).set_index("thuc_the")
    exemplar_rows = ordered[ordered["dien_hinh"]]
    latest_exemplar = exemplar_rows.groupby("thuc_the").tail(1).set_index("thuc_the")
    classes = ordered.pivot(index="thuc_the", columns="nam_hoc", values="xep_loai").reindex(columns=list(years))
    flags = ordered.pivot(index="thuc_the", columns="thu_tu_nam", values="dien_hinh").reindex(
        columns=range(len(years))).eq(True).to_numpy()
    run = np.zeros(len(flags), dtype=int)  # consecutive exemplar years ending with the period's last year
    for index in range(len(years) - 1, -1, -1):
        still = flags[:, index] & (run == len(years) - 1 - index)
        run = np.where(still, run + 1, run)
    first_index = np.where(flags.any(axis=1), flags.argmax(axis=1), -1)
    frame = pd.DataFrame({"thuc_the": latest.index, "ma_don_vi": latest["ma_don_vi"].to_numpy(),
                          "ten_don_vi": latest["ten_don_vi"].to_numpy(), "ten": latest["ten"].to_numpy(),
                          "nam_sinh": latest["nam_sinh"].to_numpy() if kind == KIND_PERSON else None,
                          "gioi_tinh": latest["gioi_tinh"].to_numpy(), "dan_toc": latest["dan_toc"].to_numpy(),
                          "chuc_vu": latest["chuc_vu"].to_numpy(),
                          "dia_ban": latest["dia_ban"].to_numpy(), "cap_hoc": latest["cap_hoc"].to_numpy()})
    summary = latest_exemplar["tom_tat"].reindex(latest.index).fillna(latest["tom_tat"])
    frame["tom_tat"] = summary.to_numpy()
    for year in years:
        frame[year] = classes[year].reindex(latest.index).to_numpy()
    frame["so_nam"] = flags.sum(axis=1)
    frame["nam_dau"] = [years[i] if i >= 0 else None for i in first_index]
    frame["lien_tiep"] = run
    codes = ordered.pivot(index="thuc_the", columns="thu_tu_nam", values="ma_don_vi").reindex(
        columns=range(len(years))).to_numpy(dtype=object)
    joined = np.full(len(codes), "", dtype=object)
    for index, year in enumerate(years):  # "2017-2018: 02101; 2018-2019: 02103", column by column
        present = pd.notna(codes[:, index])
        part = np.where(present, year + ": " + np.where(present, codes[:, index], "").astype(object), "")
        joined = np.where((joined != "") & present, joined + "; " + part, joined + part)
    frame["ma_cac_nam"] = joined
    frame["diem_tb"] = grouped["diem"].mean().round(1).to_numpy()
    frame["_unit"] = _ranks(frame["ten_don_vi"], collation_key)
    frame["_name"] = _ranks(frame["ten"], person_sort_key if kind == KIND_PERSON else collation_key)
    return frame.sort_values(["_unit", "_name"], kind="stable").reset_index(drop=True)[columns]


def _texts(column: pd.Series) -> pd.Series:
    """Raw cells as text, worked out once per distinct value."""
    values = column.to_numpy(dtype=object)
    distinct = pd.unique(values)
    return pd.Series(pd.Series(values).map(dict(zip(distinct, map(as_text, distinct)))).to_numpy(), index=column.index)


def _ranks(column: pd.Series, key: Any) -> pd.Series:
    """The Vietnamese order of each value as an integer: the collation key computed once per distinct value."""
    distinct = sorted(pd.unique(column.to_numpy(dtype=object)), key=lambda v: key(str(v)))
    return column.map({value: rank for rank, value in enumerate(distinct)})


def _figures(books: Mapping[str, OurWorkbook], years: Sequence[str], occ_c: pd.DataFrame, occ_p: pd.DataFrame,
             collectives: pd.DataFrame, individuals: pd.DataFrame) -> pd.DataFrame:
    """Tổng quan's table: one row per indicator, a column per school year (blank where the year is missing)."""
    rows: list[list[Any]] = []

    def add(label: str, values: Sequence[Any]) -> None:
        rows.append([label, *(v if y in books else None for y, v in zip(years, values))])

    add("Đơn vị đã nộp báo cáo", [int(books[y].submissions["tinh_trang"].map(as_text).str.startswith(
        SUBMITTED_PREFIX).sum()) if y in books else None for y in years])
    for label, occ, entities in (("Tập thể", occ_c, collectives), ("Cá nhân", occ_p, individuals)):
        flags = _flags(occ, len(years))
        add(f"{label} được đề nghị", [int((occ["nam_hoc"] == y).sum()) for y in years])
        add(f"{label} là điển hình", list(flags.sum(axis=0)))
        add("— trong đó điển hình mới (nhân tố mới)", [int((entities["nam_dau"] == y).sum()) for y in years])
        add("— điển hình 2 năm liên tiếp", [int((flags[:, i] & flags[:, i - 1]).sum()) if i >= 1 else 0
                                             for i in range(len(years))])
        add("— điển hình 3 năm liên tiếp", [int((flags[:, i] & flags[:, i - 1] & flags[:, i - 2]).sum()) if i >= 2 else 0
                                             for i in range(len(years))])
    return pd.DataFrame(rows, columns=["chi_tieu", *years])


def _flags(occ: pd.DataFrame, count: int) -> np.ndarray:
    """Entities × years: exemplar that year."""
    if occ.empty:
        return np.zeros((0, count), dtype=bool)
    return occ.pivot(index="thuc_the", columns="thu_tu_nam", values="dien_hinh").reindex(
        columns=range(count)).eq(True).to_numpy()


def _breakdown(occ: pd.DataFrame, key: str, years: Sequence[str]) -> pd.DataFrame:
    """Exemplars (collectives and persons) per area or level, as named each year, per school year."""
    exemplars = occ[occ["dien_hinh"] & (occ[key] != "")]
    table = exemplars.groupby([key, "nam_hoc"]).size().unstack(fill_value=0).reindex(columns=list(years),
                                                                                     fill_value=0)
    table = table.reset_index().rename(columns={key: "ten"})
    table["_order"] = _ranks(table["ten"], collation_key)
    return table.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _new(occ_c: pd.DataFrame, occ_p: pd.DataFrame, collectives: pd.DataFrame, individuals: pd.DataFrame
         ) -> pd.DataFrame:
    """Nhân tố mới: per school year, who became an exemplar for the first time (within the period)."""
    frames = []
    for kind, occ, entities in ((KIND_COLLECTIVE, occ_c, collectives), (KIND_PERSON, occ_p, individuals)):
        first = dict(zip(entities["thuc_the"], entities["nam_dau"]))
        rows = occ[occ["dien_hinh"] & (occ["nam_hoc"] == occ["thuc_the"].map(first))]
        frames.append(rows.assign(loai=kind, _kind=0 if kind == KIND_COLLECTIVE else 1))
    new = pd.concat(frames, ignore_index=True)
    columns = ["nam_hoc", "loai", "ten", "nam_sinh", "ma_don_vi", "ten_don_vi", "dia_ban", "xep_loai", "diem"]
    if new.empty:
        return pd.DataFrame(columns=columns)
    new["_unit"] = _ranks(new["ten_don_vi"], collation_key)
    new["_name"] = [(k, r) for k, r in zip(new["_kind"], _ranks(new["ten"], person_sort_key))]
    new = new.sort_values(["thu_tu_nam", "_kind", "_unit", "_name"], kind="stable").reset_index(drop=True)
    new["nam_sinh"] = [b if k else None for b, k in zip(new["nam_sinh"], new["_kind"])]
    return new[columns]


def _reports(books: Mapping[str, OurWorkbook], years: Sequence[str]) -> pd.DataFrame:
    """Kết quả thực hiện: the annual-report counts summed per school year (indicators × years)."""
    rows = []
    for key in count_columns():
        rows.append([key, *(int(pd.to_numeric(books[y].reports[key], errors="coerce").fillna(0).sum())
                            if y in books else None for y in years)])
    rows.append([ReportForm.co_ke_hoach, *(int((books[y].reports[ReportForm.co_ke_hoach].map(as_text) == "Có").sum())
                                           if y in books else None for y in years)])
    rows.append([Provenance.ma_don_vi, *(int(books[y].reports[Provenance.ma_don_vi].map(as_text).ne("").sum())
                                         if y in books else None for y in years)])
    return pd.DataFrame(rows, columns=["chi_tieu", *years])


def _honours(entities: pd.DataFrame) -> pd.DataFrame:
    """The period's exemplars: most exemplar years first, then the mean score, then the usual order."""
    chosen = entities[entities["so_nam"] > 0]
    return chosen.sort_values(["so_nam", "diem_tb"], ascending=[False, False], kind="stable").reset_index(drop=True)
