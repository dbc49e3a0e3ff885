"""Plausibility warnings from the emulation regulations (SPEC §5): W09–W11, thresholds in the criteria file.

A collective claiming `Tập thể lao động tiên tiến` needs more than half its staff rated Lao động tiên tiến;
`Tập thể lao động xuất sắc` needs 70 %, a Chiến sĩ thi đua cơ sở and nobody disciplined; Chiến sĩ thi đua cơ
sở may be at most 15 % of those rated Lao động tiên tiến. Warnings only: nothing is excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from pipeline.config.criteria import Criteria
from pipeline.intake.cells import is_missing
from pipeline.intake.normalise import Submission
from schemas.rules import Finding, finding
from schemas.submission import SHEET_COLLECTIVES, SHEET_UNIT, CollectiveRow, Provenance

ADVANCED_TITLE, EXCELLENT_TITLE = "Tập thể lao động tiên tiến", "Tập thể lao động xuất sắc"
# Defaults when the criteria file's [hop_ly] leaves a threshold out (Luật Thi đua, khen thưởng; NĐ 91/2017).
DEFAULTS = {"cstd_toi_da_tren_ldtt": 15, "ldtt_cho_tap_the_tien_tien": 50, "ldtt_cho_tap_the_xuat_sac": 70}
TITLE_COLUMN = "Danh hiệu thi đua của tập thể"


def check_plausibility(units: pd.DataFrame, collectives: pd.DataFrame, criteria: Criteria,
                       by_file: Mapping[str, Submission]) -> list[Finding]:
    """W09–W11: titles against the unit's own emulation results."""
    limits = {**DEFAULTS, **criteria.plausibility}
    findings: list[Finding] = []
    titled: dict[str, list[dict[str, Any]]] = {}  # the titled collectives of each file, grouped in one pass
    for record in collectives.loc[collectives[CollectiveRow.danh_hieu].notna(),
                                  [Provenance.tep, Provenance.dong, CollectiveRow.danh_hieu]].to_dict("records"):
        titled.setdefault(record[Provenance.tep], []).append(record)
    for unit in units.itertuples(index=False):
        staff, advanced, soldiers, disciplined = (unit.tong_so_cbgvnv, unit.so_lao_dong_tien_tien,
                                                  unit.so_cstd_co_so, unit.so_bi_ky_luat)
        submission = by_file[unit.tep]
        if not is_missing(advanced) and not is_missing(soldiers) and advanced > 0:
            cap = limits["cstd_toi_da_tren_ldtt"]
            if soldiers * 100 > cap * advanced:
                findings.append(finding("W11", unit.tep, sheet=submission.sheet_name(SHEET_UNIT),
                                        cell=submission.cell_of(SHEET_UNIT, "so_cstd_co_so", 0),
                                        column="Số Chiến sĩ thi đua cơ sở", soldiers=soldiers, advanced=advanced,
                                        cap=cap))
        if is_missing(staff) or is_missing(advanced) or staff <= 0 or unit.tep not in titled:
            continue
        share = 100 * advanced / staff
        sheet = submission.sheet_name(SHEET_COLLECTIVES)
        for row in titled[unit.tep]:
            dong, title = int(row[Provenance.dong]), row[CollectiveRow.danh_hieu]
            where: dict[str, Any] = {"sheet": sheet, "cell": submission.cell_of(SHEET_COLLECTIVES, CollectiveRow.danh_hieu,
                                                                               dong),
                                     "column": TITLE_COLUMN, "row": dong, "key": CollectiveRow.danh_hieu}
            needed = limits["ldtt_cho_tap_the_tien_tien"]
            if title == ADVANCED_TITLE and share <= needed:
                findings.append(finding("W09", unit.tep, **where, advanced=advanced, staff=staff, share=share,
                                        needed=needed))
            if title == EXCELLENT_TITLE:
                needed = limits["ldtt_cho_tap_the_xuat_sac"]
                problems = []
                if share < needed:
                    problems.append(f"{share:.0f} % Lao động tiên tiến")
                if is_missing(soldiers) or soldiers < 1:
                    problems.append("không có Chiến sĩ thi đua cơ sở")
                if not is_missing(disciplined) and disciplined > 0:
                    problems.append(f"{disciplined} người bị kỷ luật")
                if problems:
                    findings.append(finding("W10", unit.tep, **where, problems="; ".join(problems), needed=needed))
    return findings
