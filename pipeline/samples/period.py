"""Sample data over the years of a period (``python -m pipeline demo --period``, SPEC §8).

Each school year's submissions come from :func:`pipeline.samples.sample.make_unit_data`; this module gives
them the continuity real years have, so that the period review has something to recognise:

* every unit has a stable staff (drawn from its code alone); each year it nominates its principal and some
  of its staff — some of them year after year (sustained exemplars), others for the first time (new ones);
* the teams a unit nominates are stable, and a merged school (TH&THCS) inherits the staff and the teams of the
  schools it replaced — both of which had a "Tổ công đoàn Văn phòng" (a collective name of two predecessors);
* names are typed differently some years: upper case, or the tone mark in the old place (``Hoà`` / ``Hòa``);
* in the last year, one teacher has moved to another school and one has a birth year typed one off.

Deterministic for a seed: the same seed writes the same years.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from pipeline.samples.fakenames import ETHNIC_WEIGHTS_HOA_BINH, make_person
from pipeline.samples.sample import UnitData

SHARED_TEAM = "Tổ công đoàn Văn phòng"
OLD_STYLE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "uỳ": "ùy",
             "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}  # new style → old style tone placement
STAFF = 14  # people on a unit's staff who may be nominated


@dataclass(frozen=True)
class Member:
    """One person on a unit's staff, across the years."""

    ho_ten: str
    gioi_tinh: str
    dan_toc: str
    nam_sinh: int
    merit: float  # 0–1: how often they are nominated, and how well they do


@dataclass(frozen=True)
class Continuity:
    """What stays from one year to the next, for the roster's units."""

    roster: pd.DataFrame  # the whole roster (every period of every unit)
    years: tuple[str, ...]  # the school years of the period, in order
    seed: int

    def apply(self, data: list[UnitData], school_year: str) -> tuple[list[UnitData], frozenset[str]]:
        """The year's unit data with stable people and teams, variants, and the last year's two surprises.

        Returns:
            The data, and the codes of the units that carry a surprise (their files must stay readable).
        """
        shaped = [self._unit(item, school_year) for item in data]
        if school_year == self.years[-1] and len(self.years) > 1:
            return _surprises(shaped, self, school_year)
        return shaped, frozenset()

    def staff(self, code: str) -> list[Member]:
        """A unit's staff: its own, or, for a merged school, the staff of the schools it replaced (taken in
        turn from each) and a few newcomers."""
        own = _own_staff(code, self.seed)
        before = [self.staff(previous) for previous in self.predecessors(code)]
        if not before:
            return own
        inherited = [member for group in zip(*before) for member in group]
        return inherited[:STAFF - 4] + own[:4]

    def teams(self, code: str, pool: Sequence[str]) -> list[str]:
        """The teams a unit nominates (stable); the shared name for every school of a merger."""
        rng = random.Random(f"{self.seed}/{code}/teams")
        chosen = rng.sample(list(pool), k=min(len(pool), rng.choice([1, 1, 2])))
        in_merger = bool(self.predecessors(code)) or bool(self.roster["ma_tien_than"].map(lambda p: code in p).any())
        if in_merger and SHARED_TEAM not in chosen:
            chosen.append(SHARED_TEAM)
        return chosen

    def nominated(self, code: str, school_year: str) -> list[Member]:
        """Who a unit nominates in a year: its principal, and each of its staff as often as their merit says."""
        staff = self.staff(code)
        return [staff[0], *(m for m in staff[1:] if _nominated(m, code, school_year, self.seed))]

    def predecessors(self, code: str) -> tuple[str, ...]:
        """The codes of the units ``code`` replaced (the roster's predecessor links)."""
        rows = self.roster.loc[self.roster["ma_don_vi"] == code, "ma_tien_than"]
        return tuple(rows.iloc[0]) if len(rows) else ()

    def _unit(self, data: UnitData, school_year: str) -> UnitData:
        rng = random.Random(f"{self.seed}/{school_year}/{data.code}/period")
        chosen = self.nominated(data.code, school_year)
        people = []
        for number, member in enumerate(chosen, start=1):
            model = data.individuals[(number - 1) % len(data.individuals)]
            people.append(_person(model, member, number, rng))
        teams = self.teams(data.code, [str(c["ten_tap_the"]) for c in data.collectives[1:]] or [SHARED_TEAM])
        collectives = [data.collectives[0], *(_team(data.collectives, name, number) for number, name in
                                              enumerate(teams, start=2))]
        for person in people:
            if person.get("tap_the_dung_dau") and person["tap_the_dung_dau"] > len(collectives):
                person["tap_the_dung_dau"] = 1
        report = dict(data.report, so_tap_the_lua_chon=len(collectives), so_ca_nhan_lua_chon=len(people))
        return replace(data, collectives=collectives, individuals=people, report=report)


def _own_staff(code: str, seed: int) -> list[Member]:
    rng = random.Random(f"{seed}/{code}/staff")
    members = []
    for index in range(STAFF):
        person = make_person(rng, ethnic_weights=ETHNIC_WEIGHTS_HOA_BINH)
        merit = 0.95 if index == 0 else rng.choice([0.9, 0.8, 0.5, 0.3, 0.2])
        members.append(Member(person.ho_ten, person.gioi_tinh, person.dan_toc, rng.randint(1965, 1995), merit))
    return members


def _nominated(member: Member, code: str, school_year: str, seed: int) -> bool:
    return random.Random(f"{seed}/{code}/{school_year}/{member.ho_ten}/{member.nam_sinh}").random() < member.merit


def _person(model: dict[str, Any], member: Member, number: int, rng: random.Random) -> dict[str, Any]:
    """A nomination row of ``member``: the model row's shape, the member's identity, ratings by merit."""
    row = dict(model, stt=number, ho_ten=_variant(member.ho_ten, rng), gioi_tinh=member.gioi_tinh,
               dan_toc=member.dan_toc, nam_sinh=member.nam_sinh)
    if member.merit >= 0.8 and rng.random() < 0.9:
        row |= {"xep_loai_nhiem_vu": "Hoàn thành xuất sắc nhiệm vụ", "danh_hieu": "Chiến sĩ thi đua cơ sở",
                "hoc_tap_lam_theo_bac": "Tốt", "nhan_dao_tu_thien": "Tốt", "gia_dinh_van_hoa": "Có",
                "ky_luat": "Không", "sang_kien": rng.choice(["Cấp ngành, huyện", "Cấp tỉnh"])}
        if row.get("gv_gioi") not in (None, "Không áp dụng"):
            row["gv_gioi"] = rng.choice(["Cấp tỉnh", "Cấp huyện"])
    if number == 1:
        row |= {"la_lanh_dao": "Có", "tap_the_dung_dau": 1}
    elif row.get("la_lanh_dao") == "Có" and number > 2:
        row |= {"la_lanh_dao": "Không", "tap_the_dung_dau": None}
    return row


def _team(collectives: list[dict[str, Any]], name: str, number: int) -> dict[str, Any]:
    model = collectives[min(number, len(collectives)) - 1] if len(collectives) > 1 else collectives[0]
    row = dict(model, stt=number, ten_tap_the=name)
    if len(collectives) == 1:  # shaped like the union's own row, at a team's size
        for key in ("so_hoc_sinh", "so_giao_vien"):
            if isinstance(row.get(key), int):
                row[key] = max(5, row[key] // 6)
        for key, total in (("so_hs_kha_gioi", "so_hoc_sinh"), ("so_gv_gioi", "so_giao_vien")):
            if isinstance(row.get(key), int) and isinstance(row.get(total), int):
                row[key] = min(row[key], row[total])
    return row


def _variant(name: str, rng: random.Random) -> str:
    """Mostly as written; sometimes in upper case or with the tone in its old place (the same name)."""
    draw = rng.random()
    if draw < 0.06:
        return name.upper()
    if draw < 0.16:
        for new, old in OLD_STYLE.items():
            if new in name:
                return name.replace(new, old)
    return name


def _surprises(data: list[UnitData], continuity: Continuity, school_year: str
               ) -> tuple[list[UnitData], frozenset[str]]:
    """The last year: a teacher of one school now at another; a principal's birth year typed one off."""
    earlier = continuity.years[continuity.years.index(school_year) - 1]
    lineage = {code: min((code, *continuity.predecessors(code))) for code in (d.code for d in data)}
    moves = []
    for index, item in enumerate(data):
        staying = set(continuity.nominated(item.code, school_year))
        gone = [m for m in continuity.nominated(item.code, earlier)[1:] if m not in staying]
        if gone:
            moves.append((index, gone[0]))
    if not moves or len(data) < 3:
        return data, frozenset()
    source, mover = moves[0]
    target = next(i for i, d in enumerate(data) if i != source and lineage[d.code] != lineage[data[source].code])
    typo = next(i for i in range(len(data) - 1, -1, -1) if i not in (source, target))
    data = list(data)
    people = data[target].individuals
    moved = dict(people[-1], stt=len(people) + 1, ho_ten=mover.ho_ten, gioi_tinh=mover.gioi_tinh,
                 dan_toc=mover.dan_toc, nam_sinh=mover.nam_sinh, la_lanh_dao="Không", tap_the_dung_dau=None,
                 chuc_vu="Giáo viên")
    data[target] = replace(data[target], individuals=[*people, moved],
                           report=dict(data[target].report, so_ca_nhan_lua_chon=len(people) + 1))
    people = [dict(p) for p in data[typo].individuals]
    people[0]["nam_sinh"] = int(people[0]["nam_sinh"]) + 1  # the principal, nominated every year
    data[typo] = replace(data[typo], individuals=people)
    return data, frozenset(data[i].code for i in (source, target, typo))
