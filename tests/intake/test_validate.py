"""Validation rules that depend on other columns of the row, through the whole intake."""

from __future__ import annotations

from pathlib import Path

from pipeline.run import take_in
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import list_cell, write_template

YEAR = "2019-2020"


def _intake(config, tmp_path: Path, edit):
    unit = config.for_year(YEAR).units.iloc[2]  # a school
    data = make_unit_data(unit, YEAR, seed=4)
    edit(data)
    inputs = config.for_year(YEAR)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_template(inputs, inbox / "f.xlsx", data.fill())
    (outcome,) = take_in(config.for_year(YEAR), inbox, workers=0).outcomes
    return outcome


def test_required_when_school_model_or_leader(config, tmp_path: Path) -> None:
    def edit(data):
        data.collectives[0].update(loai_mo_hinh="Công đoàn trường học (GD-ĐT)", so_hoc_sinh=None)
        data.individuals[0].update(la_lanh_dao="Có", tap_the_dung_dau=None)

    outcome = _intake(config, tmp_path, edit)
    found = {(f.rule, f.sheet, f.cell, f.expected) for f in outcome.findings if f.rule == "R01"}
    assert found == {
        ("R01", "Tập thể", list_cell("Tập thể", "so_hoc_sinh", 0), "ghi số (bắt buộc với công đoàn trường học)"),
        ("R01", "Cá nhân", list_cell("Cá nhân", "tap_the_dung_dau", 0),
         "STT của tập thể do mình đứng đầu (bắt buộc với lãnh đạo, quản lý)"),
    }
    assert outcome.status == "accepted_with_errors"


def test_agency_model_needs_no_pupil_counts(config, tmp_path: Path) -> None:
    def edit(data):
        data.collectives[0].update(loai_mo_hinh="Công đoàn cơ quan, đơn vị kiểu mẫu", so_hoc_sinh=None,
                                   so_hs_kha_gioi=None, so_giao_vien=None, so_gv_gioi=None,
                                   cai_cach_hanh_chinh="Tốt")

    outcome = _intake(config, tmp_path, edit)
    assert not [f for f in outcome.findings if f.severity != "warning"]


def test_unit_fields_left_to_the_roster_formula_are_the_rosters(config, tmp_path: Path) -> None:
    """The template fills name, type, level and area from the code by formula; a file read without the
    formulas' results (empty) takes them from the roster — no R01 — while a name typed differently stays (W08)."""
    roster = config.for_year(YEAR).units.iloc[2]

    def blank(data):
        for key in ("ten_don_vi", "loai_don_vi", "cap_hoc", "dia_ban"):
            data.unit[key] = None

    outcome = _intake(config, tmp_path, blank)
    assert outcome.status == "accepted"
    assert not [f for f in outcome.findings if f.sheet == "Đơn vị" and f.severity != "warning"]
    unit = outcome.submission.unit
    assert [unit[k] for k in ("ten_don_vi", "loai_don_vi", "cap_hoc", "dia_ban")] == [
        roster["ten_don_vi"], roster["loai_don_vi"], roster["cap_hoc"], roster["dia_ban"]]

    def other_name(data):
        data.unit["ten_don_vi"] = "Trường khác hẳn"

    (tmp_path / "b").mkdir()
    outcome = _intake(config, tmp_path / "b", other_name)
    assert [(f.rule, f.cell) for f in outcome.findings if f.rule == "W08"] == [("W08", "B6")]
    assert outcome.submission.unit["ten_don_vi"] == "Trường khác hẳn"
