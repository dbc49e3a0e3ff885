"""The command line as users see it: Vietnamese help for every command, exit statuses."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["template", "consolidate", "check", "demo", "review", "bench"]
ENGLISH = re.compile(r"\b(usage|options|positional arguments|show this help|error)\b", re.IGNORECASE)


def test_every_spec_command_exists() -> None:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert sorted(subparsers.choices) == sorted(COMMANDS)


def test_main_help_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: python -m pipeline")
    assert "Tùy chọn" in out and "Các lệnh" in out and "hiện hướng dẫn này rồi thoát" in out
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), command
    assert not ENGLISH.search(out)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_is_vietnamese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Cách dùng: python -m pipeline {command}")
    assert "hiện hướng dẫn này rồi thoát" in out
    assert not ENGLISH.search(out), out


def test_usage_errors_exit_2_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["tempalte"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "lỗi: tham số <lệnh>: lựa chọn không hợp lệ: 'tempalte'" in err
    assert "Xem thêm: python -m pipeline --help" in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().out.startswith("Cách dùng:")


def test_bad_year_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "--year", "2018", "--config", str(ROOT / "config"), "--outbox", str(tmp_path)]) == 2
    assert 'Năm học "2018" không hợp lệ; cần dạng 2018-2019.' in capsys.readouterr().err
    assert main(["template", "--year", "2010-2011", "--config", str(ROOT / "config"),
                 "--outbox", str(tmp_path)]) == 2
    assert "không có bộ nhãn cho năm học 2010-2011" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_template_command_writes_the_workbook(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline", "template", "--year", "2019-2020",
                             "--outbox", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    target = tmp_path / "2019-2020" / "template" / "Mau_DienHinh_2019-2020.xlsx"
    assert str(target) in result.stdout
    assert "Đã tạo biểu mẫu năm học 2019-2020" in result.stdout
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind


def test_a_locked_output_is_explained_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(source, target):
        raise PermissionError(13, "Permission denied", str(source), None, str(target))

    monkeypatch.setattr("pipeline.outputs.atomic.os.replace", locked)
    status = main(["template", "--outbox", str(tmp_path), "--config", str(ROOT / "config")])
    err = capsys.readouterr().err
    assert status == 1
    assert "Mau_DienHinh_2019-2020.xlsx" in err and "tệp đang mở (trong Excel?)" in err
    assert "Traceback" not in err and "Lỗi nội bộ" not in err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the temporary file was cleaned up


def _exemplary(data) -> None:
    """Every nomination of a sample unit at the top of every criterion: each one is an exemplar (and the unit's
    own emulation results make its titles plausible: no warning)."""
    staff = data.unit["tong_so_cbgvnv"]
    data.unit.update(so_lao_dong_tien_tien=staff, so_cstd_co_so=max(1, staff // 10), so_bi_ky_luat=0)
    for row in data.collectives:
        row.update({key: "Tốt" for key in ("cuoc_van_dong", "truong_hoc_than_thien", "doi_moi_sang_tao",
                                           "dan_chu_co_so", "cham_lo_doan_vien", "tiet_kiem", "hoc_tap_nang_cao")},
                   cai_cach_hanh_chinh="Tốt", chuan_van_hoa="Có", xep_loai_cdcs="Vững mạnh xuất sắc",
                   danh_hieu="Tập thể lao động xuất sắc", dong_gop_quy=10_000_000, so_hoc_sinh=100, so_hs_kha_gioi=90,
                   so_giao_vien=10, so_gv_gioi=9)
    for row in data.individuals:
        row.update(xep_loai_nhiem_vu="Hoàn thành xuất sắc nhiệm vụ", ky_luat="Không", la_lanh_dao="Không",
                   tap_the_dung_dau=None, danh_hieu="Chiến sĩ thi đua cấp tỉnh", sang_kien="Cấp tỉnh",
                   gv_gioi="Cấp quốc gia", hoc_tap_lam_theo_bac="Tốt", gia_dinh_van_hoa="Có", nhan_dao_tu_thien="Tốt")


def test_consolidate_prints_its_summary_table_exactly(config, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Two units, every nomination an exemplar but one collective that fails its gate, one PDF to ignore."""
    from pipeline.samples.sample import make_unit_data
    from pipeline.template.writer import write_template

    year = config.for_year("2019-2020")
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    counts = {"collectives": 0, "individuals": 0}
    for index in (2, 3):
        data = make_unit_data(year.units.iloc[index], "2019-2020", seed=index)
        _exemplary(data)
        counts["collectives"] += len(data.collectives)
        counts["individuals"] += len(data.individuals)
        if index == 3:
            data.collectives[0]["chuan_van_hoa"] = "Không"  # the gate: not proposed
        write_template(year, inbox / f"don_vi_{index}.xlsx", data.fill())
    (inbox / "cong_van.pdf").write_bytes(b"%PDF-1.4")
    assert main(["consolidate", "--year", "2019-2020", "--inbox", str(inbox), "--outbox", str(outbox),
                 "--config", str(ROOT / "config")]) == 0
    folder = outbox / "2019-2020"
    proposed_collectives = counts["collectives"] - 1
    assert capsys.readouterr().out.splitlines() == [
        f"Tổng hợp năm học 2019-2020: 3 tệp trong {inbox}",
        "  Hợp lệ                                              2",
        "  Hợp lệ, có dòng lỗi (dòng lỗi không được chấm)      0",
        "  Bị từ chối                                          0",
        "  Đã được thay bằng tệp mới hơn                       0",
        "  Bỏ qua                                              1",
        "  Số lỗi / cảnh báo                                   0 / 0",
        f"  Tập thể được đề nghị                            {counts['collectives']:>5}",
        f"  Tập thể đề nghị biểu dương                      {proposed_collectives:>5}",
        f"  Cá nhân được đề nghị                            {counts['individuals']:>5}",
        f"  Cá nhân đề nghị biểu dương                      {counts['individuals']:>5}",
        f"Kết quả: {folder}",
        f"  bản tổng hợp: {folder / 'TongHop_DienHinh_2019-2020.xlsx'}",
        f"  hồ sơ đề nghị (tờ trình và danh sách, để trình ký): {folder / 'HoSo_DeNghi_2019-2020.docx'}",
        f"  phản hồi cho 2 đơn vị (0 tệp đánh dấu ô lỗi): {folder / 'phan_hoi'}",
        f"  danh sách tệp đã xử lý: {folder / 'manifest.json'}",
    ]


def test_a_summary_piped_into_a_closed_reader_is_not_an_internal_error(tmp_path, monkeypatch, capsys) -> None:
    """`python -m pipeline … | head`: the reader goes away while the summary prints; the run is done (exit 0)
    and no "Lỗi nội bộ" log is written."""
    import io
    import tempfile

    from pipeline.cli import main

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            raise io.UnsupportedOperation("no file")

    before = set(Path(tempfile.gettempdir()).glob("pipeline-loi-*.log"))
    monkeypatch.setattr("sys.stdout", Closed())
    assert main(["template", "--outbox", str(tmp_path / "out"), "--year", "2019-2020"]) == 0
    assert set(Path(tempfile.gettempdir()).glob("pipeline-loi-*.log")) == before
    assert (tmp_path / "out" / "2019-2020" / "template" / "Mau_DienHinh_2019-2020.xlsx").is_file()
    assert "Lỗi nội bộ" not in capsys.readouterr().err


def test_a_librarys_warning_never_reaches_staff() -> None:
    """pandas or openpyxl may warn (in English, with a path into site-packages): staff never see it. In a process
    of its own, as staff run it (pytest would catch the warning itself)."""
    script = ("import warnings\nfrom pipeline import cli\n"
              "def warns(args):\n    warnings.warn('invalid value encountered in divide', RuntimeWarning)\n"
              "    return 0\n"
              "cli._HANDLERS['check'] = warns\nraise SystemExit(cli.main(['check', 'x.xlsx']))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                            cwd=Path(__file__).resolve().parents[1], timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_a_negative_worker_count_is_refused_in_words(capsys) -> None:
    assert main(["consolidate", "--workers", "-1"]) == 2
    assert capsys.readouterr().err == "--workers -1: cần một số từ 0 trở lên (0: một tiến trình).\n"


def test_a_roster_too_large_for_one_dropdown_gets_one_template_per_area(config, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Above ONE_TEMPLATE_UP_TO units, each area's template lists only that area's units, staff are told which is
    which, and a school's file filled in its area's template is read like any other. (Lowered to 5 here, and the
    roster kept to its units of two areas, 3 + 4: two templates to write.)"""
    from dataclasses import replace

    from python_calamine import CalamineWorkbook

    from pipeline.config.load import Config
    from pipeline.run import check_files
    from pipeline.samples.sample import make_unit_data
    from pipeline.template.writer import write_template

    whole = Config.for_year
    kept = ["Cao Phong", "Lạc Thủy"]

    def two_areas(self, school_year):
        year = whole(self, school_year)
        return replace(year, units=year.units[year.units["dia_ban"].isin(kept)].reset_index(drop=True))

    monkeypatch.setattr(Config, "for_year", two_areas)
    monkeypatch.setattr("pipeline.template.writer.ONE_TEMPLATE_UP_TO", 5)
    units = config.for_year("2019-2020").units
    counts = units["dia_ban"].value_counts()
    assert sorted(counts.items()) == [("Cao Phong", 3), ("Lạc Thủy", 4)]
    assert main(["template", "--year", "2019-2020", "--outbox", str(tmp_path), "--config", str(ROOT / "config")]) == 0
    folder = tmp_path / "2019-2020" / "template"
    assert capsys.readouterr().out.splitlines() == [
        "Danh mục có 7 đơn vị, quá nhiều cho một danh sách chọn mã: đã tạo 2 biểu mẫu năm học 2019-2020, mỗi địa bàn "
        "một biểu mẫu. Gửi mỗi trường biểu mẫu của địa bàn mình:",
        f"  {folder / 'Mau_DienHinh_2019-2020_Cao_Phong.xlsx'}  (Cao Phong: 3 đơn vị)",
        f"  {folder / 'Mau_DienHinh_2019-2020_Lac_Thuy.xlsx'}  (Lạc Thủy: 4 đơn vị)",
    ]
    assert sorted(p.name for p in folder.iterdir()) == ["Mau_DienHinh_2019-2020_Cao_Phong.xlsx",
                                                        "Mau_DienHinh_2019-2020_Lac_Thuy.xlsx"]
    listed = {}
    for path in folder.iterdir():
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_name("_lists").to_python()
        codes = [row[rows[0].index("don_vi")] for row in rows[1:] if row[rows[0].index("don_vi")] != ""]
        (area,) = {rows[1 + n][rows[0].index("don_vi_dia_ban")] for n in range(len(codes))}
        listed[area] = codes
        guide = " ".join(str(v) for row in book.get_sheet_by_name("Hướng dẫn").to_python() for v in row)
        assert f"Biểu mẫu này dành cho các đơn vị thuộc địa bàn {area}: danh sách chỉ có các đơn vị đó." in guide
    assert listed == {area: list(units.loc[units["dia_ban"] == area, "ma_don_vi"]) for area in kept}
    school = units.iloc[4]
    data = make_unit_data(school, "2019-2020", seed=7)
    write_template(config.for_year("2019-2020"), tmp_path / "school.xlsx", data.fill(), area=str(school["dia_ban"]))
    outcome = check_files(config, "2019-2020", [tmp_path / "school.xlsx"]).outcomes[0]
    assert (outcome.status, outcome.unit) == ("accepted", school["ma_don_vi"])
    assert not [f for f in outcome.findings if f.severity in ("file", "row")]
