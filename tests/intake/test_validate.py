"""Validation rules that depend on other columns of the row, through the whole intake."""

from __future__ import annotations

from pathlib import Path

from pipeline.run import take_in
from pipeline.samples.sample import list_cell, make_unit_data
from pipeline.template.writer import write_template

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
