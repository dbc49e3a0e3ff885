"""Sample submissions: deterministic, realistic, and a synthetic roster for large benchmarks."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

from pipeline.config.load import load_config
from pipeline.samples import demo
from pipeline.samples.demo import _synthetic_roster, write_demo
from pipeline.samples.sample import make_unit_data

YEAR = "2019-2020"


def _digests(paths: list[Path], root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_same_seed_same_files(config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1590000000")
    first = write_demo(config, YEAR, tmp_path / "a", units=3, faulty=0.34, seed=42)
    second = write_demo(config, YEAR, tmp_path / "b", units=3, faulty=0.34, seed=42)
    other = write_demo(config, YEAR, tmp_path / "c", units=3, faulty=0.34, seed=43)
    assert _digests(first.files, tmp_path / "a") == _digests(second.files, tmp_path / "b")
    assert _digests(first.files, tmp_path / "a") != _digests(other.files, tmp_path / "c")
    assert first.expected == second.expected


def test_data_is_realistic(config) -> None:
    units = config.for_year(YEAR).units
    data = [make_unit_data(row, YEAR, seed=2020) for _, row in units.iterrows()]
    people = [p for d in data for p in d.individuals]
    ethnic = Counter(p["dan_toc"] for p in people)
    assert ethnic.most_common(1)[0][0] == "Mường" and ethnic["Kinh"] > ethnic["Thái"] > 0
    assert 0.55 < sum(p["gioi_tinh"] == "Nữ" for p in people) / len(people) < 0.85
    for d in data:  # every leader heads a collective that exists
        numbers = {c["stt"] for c in d.collectives}
        assert all(p["tap_the_dung_dau"] in numbers for p in d.individuals if p["la_lanh_dao"] == "Có")
        assert all(c["so_hs_kha_gioi"] <= c["so_hoc_sinh"] for c in d.collectives if "so_hoc_sinh" in c)
        assert d.unit["so_cstd_co_so"] <= 0.15 * d.unit["so_lao_dong_tien_tien"] + 1e-9
    ratings = Counter(c["cuoc_van_dong"] for d in data for c in d.collectives)
    assert set(ratings) >= {"Tốt", "Khá", "Trung bình"}


def test_a_synthetic_roster_of_many_areas_loads_with_its_areas_named_in_the_label_sets(config, tmp_path: Path,
                                                                                      monkeypatch) -> None:
    monkeypatch.setattr(demo, "SYNTHETIC_AREA_UNITS", 300)  # areas renamed every 300 units, not every 5,000
    _synthetic_roster(config, YEAR, 750, tmp_path / "cfg")  # three blocks: "Đà Bắc", "Đà Bắc 2", "Đà Bắc 3"…
    year = load_config(tmp_path / "cfg").for_year(YEAR)  # a roster area missing from the label sets fails here
    areas = year.units["dia_ban"]
    original = set(config.for_year(YEAR).units["dia_ban"])
    assert set(areas) == original | {f"{a} {k}" for a in original for k in (2, 3)}
    assert set(areas[:300]) <= original and all(areas[300:600].str.endswith(" 2"))
    assert all(areas[600:].str.endswith(" 3"))
    areas_of_the_year = year.vocabularies["dia_ban"]
    assert areas_of_the_year.lookup("Đà Bắc 3") == ("Đà Bắc 3", False)
    assert areas_of_the_year.lookup("Huyện Đà Bắc") == ("Đà Bắc", True)  # the configured synonyms still hold


def test_synthetic_roster_beyond_the_sample(config, tmp_path: Path) -> None:
    _synthetic_roster(config, YEAR, 750, tmp_path / "cfg")
    big = load_config(tmp_path / "cfg")
    units = big.for_year(YEAR).units
    assert len(units) == 750 and units["ma_don_vi"].is_unique
    assert set(units["cap_hoc"]) == set(config.for_year(YEAR).units["cap_hoc"])
