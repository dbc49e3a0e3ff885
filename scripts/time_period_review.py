"""Time the period review's recognition (``pipeline/scoring/period.py``) on synthetic years.

N schools, 8 fictional persons each, each person nominated in a year with probability 0.7, one collective per
school, 3 school years; the consolidated workbooks are built as frames (no files), so only the recognition,
the counts and the ordering are timed.

    python scripts/time_period_review.py 20000
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.intake.ours import OurWorkbook  # noqa: E402
from pipeline.samples.fakenames import make_person  # noqa: E402
from pipeline.scoring.period import review  # noqa: E402
from schemas.consolidated import SHEET_COLLECTIVES, SHEET_INDIVIDUALS, detail_columns, report_columns  # noqa: E402

YEARS = ("2017-2018", "2018-2019", "2019-2020")
CLASSES = ["Điển hình toàn diện", "Điển hình trên lĩnh vực", "Chưa đạt"]


def books(schools: int, seed: int = 1) -> dict[str, OurWorkbook]:
    """Three years of consolidated workbooks, as frames."""
    rng = random.Random(seed)
    people = [make_person(rng) for _ in range(schools * 8)]
    births = [rng.randint(1965, 1995) for _ in people]
    units = [f"{i // 8:06d}" for i in range(schools * 8)]
    codes = [f"{i:06d}" for i in range(schools)]
    found = {}
    for year in YEARS:
        keep = [i for i in range(len(people)) if rng.random() < 0.7]
        individuals = pd.DataFrame({key: None for key, _ in detail_columns(SHEET_INDIVIDUALS)}, index=range(len(keep)))
        individuals = individuals.assign(
            ma_don_vi=[units[i] for i in keep], dv_ten_don_vi=[f"Trường {units[i]}" for i in keep],
            dv_dia_ban="Đà Bắc", dv_cap_hoc="TH", ho_ten=[people[i].ho_ten for i in keep],
            nam_sinh=[float(births[i]) for i in keep], xep_loai=[rng.choice(CLASSES) for _ in keep],
            diem=[rng.uniform(50, 100) for _ in keep], hang_excel=range(2, len(keep) + 2))
        collectives = pd.DataFrame({key: None for key, _ in detail_columns(SHEET_COLLECTIVES)}, index=range(schools))
        collectives = collectives.assign(
            ma_don_vi=codes, dv_ten_don_vi=[f"Trường {c}" for c in codes], dv_dia_ban="Đà Bắc", dv_cap_hoc="TH",
            ten_tap_the=[f"Công đoàn Trường {c}" for c in codes], xep_loai=[rng.choice(CLASSES) for _ in codes],
            diem=70.0, hang_excel=range(2, schools + 2))
        reports = pd.DataFrame({key: 1 for key, _ in report_columns()}, index=range(schools)).assign(ma_don_vi=codes)
        found[year] = OurWorkbook(Path(year), {"nam_hoc": year}, collectives, individuals, reports,
                                  pd.DataFrame({"tinh_trang": ["Đã nộp — hợp lệ"] * schools}))
    return found


def main() -> None:
    schools = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    years = books(schools)
    roster = pd.DataFrame({"ma_don_vi": [f"{i:06d}" for i in range(schools)], "ma_tien_than": [()] * schools})
    start = time.perf_counter()
    period = review(years, YEARS, roster)
    seconds = time.perf_counter() - start
    print(f"{schools} schools × {len(YEARS)} years: {seconds:.1f} s; {len(period.individuals)} persons, "
          f"{len(period.collectives)} collectives, {len(period.uncertain)} links to confirm")


if __name__ == "__main__":
    main()
