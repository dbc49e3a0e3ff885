"""One school year's configuration, resolved once per run and passed down to every stage (SPEC §3).

The orchestrator builds it with :meth:`pipeline.config.load.Config.for_year`; no stage re-reads or
re-parses ``config/``: the label sets of that year (with their lookups), the roster units valid that
year, the criteria checked against that year's label sets, the deadline, the settings and the hashes of
the configuration bytes that were loaded.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from pipeline.config.criteria import Criteria
from pipeline.config.labels import LabelSet, Vocabulary
from pipeline.config.limits import LIMITS, Limits
from pipeline.config.schoolyear import year_start
from pipeline.vi.text import canonical_key


@dataclass(frozen=True)
class Settings:
    """``cai_dat.toml``."""

    school_year: str
    parent_body: str
    issuing_body: str
    body_name: str  # the issuing body as sentences name it: "Công đoàn Giáo dục tỉnh"
    symbol: str  # ký hiệu in document numbers: "Số:      /BC-<symbol>"
    place: str
    addressee: str  # the "Kính gửi:" line of documents sent upward
    recipients: tuple[str, ...]  # "Nơi nhận", as staff wrote them, the last one "Lưu: VT"
    sign_on_behalf: str
    sign_title: str
    sign_name: str
    deadlines: Mapping[str, dt.date]
    limits: Limits = LIMITS  # [gioi_han]: how large a file may be before any parser reads it


@dataclass(frozen=True)
class YearConfig:
    """Everything a run over one school year needs from ``config/``."""

    school_year: str
    settings: Settings
    vocab: Mapping[str, LabelSet]  # label set name → the set in force that year
    vocabularies: Mapping[str, Vocabulary]  # the same, as lookups of every accepted spelling
    units: pd.DataFrame  # roster rows valid that year, one per unit, in code order
    roster: pd.DataFrame  # the same rows indexed by ``ma_don_vi``
    codes: frozenset[str]  # the unit codes valid that year
    criteria: Criteria
    config_sha256: str  # of every configuration file's bytes, as loaded
    criteria_sha256: str  # of tieu_chi.toml's bytes, as loaded
    received: Mapping[str, dt.date]  # unit code → date received, from the received register (so_nhan.xlsx)

    @functools.cached_property
    def codes_by_name(self) -> Mapping[str, tuple[str, ...]]:
        """Canonical unit name (``vi.text.canonical_key``) → the codes of that year's units of that name."""
        found: dict[str, list[str]] = {}
        for code, name in self.roster["ten_don_vi"].items():
            found.setdefault(canonical_key(str(name)), []).append(str(code))
        return {name: tuple(codes) for name, codes in found.items()}

    @property
    def start(self) -> int:
        """The calendar year the school year starts in."""
        return year_start(self.school_year)

    @property
    def document_dates(self) -> tuple[dt.date, dt.date]:
        """The plausible dates of this school year's documents (``[gioi_han]``): a ngày lập outside is R04."""
        return self.settings.limits.document_dates(self.start)

    @property
    def deadline(self) -> dt.date | None:
        """The submission deadline of this school year, if the settings give one."""
        return self.settings.deadlines.get(self.school_year)
