"""Normalisation of cell values: tables of what schools type, and properties that must always hold."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.intake.cells import parse_date, parse_number
from pipeline.intake.normalise import normalise_workbook
from pipeline.intake.read import RawSheet, RawWorkbook
from schemas.submission import (
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_UNIT,
    CollectiveRow,
    IndividualRow,
    UnitForm,
    column_specs,
)

SPECS = {**column_specs(UnitForm), **column_specs(CollectiveRow), **column_specs(IndividualRow)}
SHEET_OF = {key: sheet for sheet, model in ((SHEET_UNIT, UnitForm), (SHEET_COLLECTIVES, CollectiveRow),
                                            (SHEET_INDIVIDUALS, IndividualRow)) for key in column_specs(model)}


def _workbook(sheet: str, rows: dict[str, list], letter: str = "C") -> RawWorkbook:
    """A raw workbook with one sheet holding ``rows`` (``dong`` = Excel rows) in column ``letter``."""
    keys = [k for k in rows if k != "dong"]
    cells = {k: f"{letter}{rows['dong'][0]}" if sheet == SHEET_UNIT else letter for k in keys}
    frame = pd.DataFrame({"dong": [0] if sheet == SHEET_UNIT else rows["dong"],
                          **{k: pd.array(rows[k], dtype=object) for k in keys}})
    return RawWorkbook("a.xlsx", sheets={sheet: RawSheet(sheet, "Cá nhân", frame, cells)}, complete=True)


@pytest.mark.parametrize(("typed", "value", "guessed"), [
    (1978, 1978.0, False), ("1978", 1978.0, False), (" 40 ", 40.0, False),
    ("12.500", 12500.0, True),  # Vietnamese grouping: twelve and a half million đồng in nghìn đồng
    ("12,5", 12.5, True), ("1.234,5", 1234.5, True), ("1,234.5", 1234.5, True), ("1,234,567", 1234567.0, True),
    ("12 500", 12500.0, True), ("12.500 nghìn đồng", 12500.0, True), ("40 người", 40.0, True),
    ("abc", None, False), ("", None, False), (True, None, False), (float("inf"), None, False),
])
def test_numbers_the_vietnamese_way(typed, value, guessed) -> None:
    parsed = parse_number(typed)
    assert parsed.value == value
    if value is not None:
        assert parsed.guessed is guessed


@pytest.mark.parametrize(("typed", "value"), [
    ("03/04/2024", dt.date(2024, 4, 3)),  # day first, never month first
    ("3-4-24", dt.date(2024, 4, 3)), ("2024-04-03", dt.date(2024, 4, 3)), ("31/02/2020", None),
    (dt.datetime(2020, 5, 25, 0, 0), dt.date(2020, 5, 25)), (43976.0, dt.date(2020, 5, 25)), ("mai", None),
])
def test_dates_day_first(typed, value) -> None:
    assert parse_date(typed).value == value


@pytest.fixture(scope="module")
def vocabularies(config):
    return config.for_year("2019-2020").vocabularies


def _normalise(value, key, vocabularies):
    """One value in cell C7 of its sheet, through the whole normaliser (findings included)."""
    submission = normalise_workbook(_workbook(SHEET_OF[key], {"dong": [7], key: [value]}), vocabularies)
    return submission.frames[SHEET_OF[key]].iloc[0][key], submission


@pytest.mark.parametrize(("key", "typed", "level", "rule"), [
    ("xep_loai_nhiem_vu", "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ", None),
    ("xep_loai_nhiem_vu", "HTXSNV", "Hoàn thành xuất sắc nhiệm vụ", "W03"),
    ("xep_loai_nhiem_vu", "hoàn thành  xuất sắc nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ", None),
    ("xep_loai_nhiem_vu", "Hoan thanh xuat sac nhiem vu", "Hoàn thành xuất sắc nhiệm vụ", "W03"),
    ("xep_loai_nhiem_vu", "Hoàn thành nhiệm vụ", "Hoàn thành nhiệm vụ", "W03"),  # the later wording
    ("xep_loai_cdcs", "VMXS", "Vững mạnh xuất sắc", "W03"),
    ("xep_loai_cdcs", "Hoàn thành tốt nhiệm vụ", "Vững mạnh", "W03"),
    ("gioi_tinh", "nữ", "Nữ", None), ("gioi_tinh", "Nũ", "Nữ", "W03"), ("gioi_tinh", "Nữ giới", None, "R02"),
    ("hoc_tap_lam_theo_bac", "T", "Tốt", "W03"), ("la_lanh_dao", "x", "Có", "W03"),
    ("dan_toc", "kinh", "Kinh", None), ("dan_toc", "H'Mông", "Mông", "W03"), ("dan_toc", "Xinh Mun", "Xinh Mun", None),
])
def test_enumerations_through_the_label_sets(vocabularies, key, typed, level, rule) -> None:
    value, submission = _normalise(typed, key, vocabularies)
    assert value == level
    assert [f.rule for f in submission.findings] == ([rule] if rule else [])


def test_legacy_text_is_converted_with_a_warning(vocabularies) -> None:
    value, submission = _normalise("NguyÔn ThÞ H\u00ad¬ng", "ho_ten", vocabularies)
    assert value == "Nguyễn Thị Hương"
    assert [f.rule for f in submission.findings] == ["W01"]
    value, submission = _normalise("Nguyeãn Thò Höông", "ho_ten", vocabularies)
    assert value == "Nguyễn Thị Hương"
    assert [f.rule for f in submission.findings] == ["W01"]


@pytest.mark.parametrize(("key", "typed", "level"), [
    ("la_lanh_dao", "Cã", "Có"),  # TCVN3 "Có": a valid-looking syllable on its own
    ("hoc_tap_lam_theo_bac", "Toát", "Tốt"),  # VNI "Tốt"
    ("gioi_tinh", "N÷", "Nữ"),
])
def test_short_legacy_words_in_lists_are_converted(vocabularies, key, typed, level) -> None:
    value, submission = _normalise(typed, key, vocabularies)
    assert value == level
    assert [f.rule for f in submission.findings] == ["W01"]


def test_legacy_conversions_are_reported_once_per_sheet(vocabularies) -> None:
    rows = {"dong": [4, 5, 6], "ho_ten": ["NguyÔn ThÞ H\u00ad¬ng", "Bïi V¨n §øc", None],
            "la_lanh_dao": [None, None, "Cã"]}
    submission = normalise_workbook(_workbook(SHEET_INDIVIDUALS, rows, letter="B"), vocabularies)
    (warning,) = submission.findings
    assert (warning.rule, warning.sheet, warning.cell) == ("W01", "Cá nhân", "B4")
    assert warning.found == '"NguyÔn ThÞ H\u00ad¬ng" và 2 ô khác (TCVN3 (ABC, phông .VnTime))'
    assert warning.expected == 'đã chuyển sang Unicode, ví dụ "Nguyễn Thị Hương"'


def test_nfd_text_becomes_nfc_silently(vocabularies) -> None:
    value, submission = _normalise(unicodedata.normalize("NFD", "Bùi Thị Thủy"), "ho_ten", vocabularies)
    assert value == "Bùi Thị Thủy" and unicodedata.is_normalized("NFC", value)
    assert submission.findings == ()


CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12), st.floats(allow_nan=True),
    st.text(), st.text(alphabet="0123456789.,- /%đồngnghìn"), st.dates(), st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(value=CELL_VALUES, key=st.sampled_from(sorted(SPECS)))
def test_normalisation_never_raises_and_is_idempotent(vocabularies, value, key) -> None:
    first, submission = _normalise(value, key, vocabularies)
    for finding in submission.findings:
        assert finding.cell == "C7" and finding.message()
    if first is None:
        return
    again, second = _normalise(first, key, vocabularies)
    assert again == first
    assert not [f for f in second.findings if f.severity != "warning" and f.rule != "W02"]
