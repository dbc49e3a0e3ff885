"""Inputs that used to stop the whole run now give a message and a status (reliability, round two)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import form_cell, list_cell, write_template

ROOT = Path(__file__).resolve().parents[1]
YEAR = "2019-2020"


def _submission(config, folder: Path, name: str = "bai_nop.xlsx", edit=None) -> Path:
    """One sample school's file through the real template, optionally edited first."""
    year = config.for_year(YEAR)
    data = make_unit_data(year.units.iloc[2], YEAR, seed=8)
    if edit is not None:
        edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    write_template(year, path, data.fill())
    return path


def _consolidate(inbox: Path, outbox: Path, config_dir: Path = ROOT / "config") -> int:
    return main(["consolidate", "--year", YEAR, "--inbox", str(inbox), "--outbox", str(outbox),
                 "--config", str(config_dir)])


def test_a_huge_number_is_a_row_error_not_an_internal_error(config, tmp_path: Path, capsys) -> None:
    def edit(data):
        data.collectives[0]["stt"] = 1e19  # int64 overflow when the frame is typed
        data.individuals[0]["tap_the_dung_dau"] = 1e20

    _submission(config, tmp_path / "inbox", edit=edit)
    assert _consolidate(tmp_path / "inbox", tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["files"] if e["path"] == "bai_nop.xlsx"] == ["accepted_with_errors"]
    assert main(["check", str(tmp_path / "inbox" / "bai_nop.xlsx"), "--year", YEAR]) == 0
    out = capsys.readouterr().out
    cell = list_cell("Tập thể", "stt", 0)
    assert (f'[R04] Số ngoài khoảng cho phép, tại Tập thể!{cell}, cột "STT": gặp "1e+19"; cần số không quá '
            "1.000.000.000.000.000.") in out
    assert "Lỗi nội bộ" not in out


def test_the_limits_on_numbers_texts_and_dates_are_the_settings(tmp_path: Path, capsys) -> None:
    """Numbers' range, cell length and plausible dates come from [gioi_han]: a value beyond the limit staff set is
    a row error naming that limit, and the template's own checks use the same dates."""
    import openpyxl

    from pipeline.config.load import load_config

    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    settings = config_dir / "cai_dat.toml"
    text = settings.read_text(encoding="utf-8")
    for old, new in (("so_lon_nhat = 1000000000000000", "so_lon_nhat = 50000"), ("do_dai_o = 5000", "do_dai_o = 300"),
                     ("thang_truoc_nam_hoc = 8", "thang_truoc_nam_hoc = 0"),
                     ("thang_sau_nam_hoc = 4", "thang_sau_nam_hoc = 0")):
        assert old in text
        text = text.replace(old, new)
    settings.write_text(text, encoding="utf-8")
    config = load_config(config_dir)

    def edit(data):
        data.unit.update(ngay_lap=dt.date(2019, 6, 15))  # inside the default window, before this one (1/9/2019)
        data.collectives[0]["so_hoc_sinh"] = 50_001
        data.collectives[1]["so_hoc_sinh"] = 50_000  # the limit itself is accepted
        data.collectives[0]["tom_tat"] = "Thành tích " + "x" * 290  # 301 characters, under the SPEC's 2,000

    path = _submission(config, tmp_path / "inbox", edit=edit)
    assert main(["check", str(path), "--year", YEAR, "--config", str(config_dir)]) == 0
    out = capsys.readouterr().out
    assert (f'[R04] Số ngoài khoảng cho phép, tại Tập thể!{list_cell("Tập thể", "so_hoc_sinh", 0)}, cột "Tổng số học '
            'sinh": gặp "50001"; cần số không quá 50.000.') in out, out
    assert out.count("[R04]") == 2 and out.count("[R05]") == 1, out
    assert (f'[R05] Nội dung quá dài, tại Tập thể!{list_cell("Tập thể", "tom_tat", 0)}, cột "Tóm tắt thành tích": '
            f'gặp "Thành tích {"x" * 89}…" (301 ký tự); cần tối đa 300 ký tự.') in out, out
    assert (f'[R04] Số ngoài khoảng cho phép, tại Đơn vị!{form_cell("Đơn vị", "ngay_lap")}, cột "Ngày lập": gặp '
            '"15/06/2019"; cần ngày từ 01/09/2019 đến 31/08/2020 (ngày lập biểu của năm học).') in out, out
    book = openpyxl.load_workbook(path)  # the template's validation of Ngày lập: the same window
    rules = [v for v in book["Đơn vị"].data_validations.dataValidation if v.type == "date"]
    assert [(r.formula1, r.formula2) for r in rules] == [(str((dt.date(2019, 9, 1) - dt.date(1899, 12, 30)).days),
                                                          str((dt.date(2020, 8, 31) - dt.date(1899, 12, 30)).days))]


@pytest.mark.parametrize("code", ["../ngoai", "a/b", "x\\y", ".an", "a b"])
def test_a_roster_code_that_is_not_a_plain_name_is_a_config_error(code: str, tmp_path: Path, capsys) -> None:
    import openpyxl

    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    book = openpyxl.load_workbook(config_dir / "don_vi.xlsx")
    sheet = book["Đơn vị"]
    sheet["A2"] = code
    book.save(config_dir / "don_vi.xlsx")
    assert main(["template", "--config", str(config_dir), "--outbox", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f'cột "Mã đơn vị": gặp "{code}", cần mã chỉ gồm chữ cái không dấu, chữ số, "-" hoặc "_"' in err


def test_an_outbox_that_is_a_file_is_refused_before_reading(config, tmp_path: Path, capsys) -> None:
    _submission(config, tmp_path / "inbox")
    (tmp_path / "outbox").write_text("not a folder", encoding="utf-8")
    assert _consolidate(tmp_path / "inbox", tmp_path / "outbox") == 2
    err = capsys.readouterr().err
    assert f'Thư mục kết quả "{tmp_path / "outbox"}" là một tệp, không phải thư mục' in err
    assert (tmp_path / "outbox").read_text(encoding="utf-8") == "not a folder"


def test_an_outbox_holding_the_inbox_is_refused(config, tmp_path: Path, capsys) -> None:
    """`--inbox X/2019-2020 --outbox X` would write the year's outputs into the inbox itself."""
    _submission(config, tmp_path / "X" / YEAR)
    assert _consolidate(tmp_path / "X" / YEAR, tmp_path / "X") == 2
    assert "chương trình không ghi vào thư mục bài nộp" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "X" / YEAR).iterdir()) == ["bai_nop.xlsx"]


def test_the_version_option_is_explained_in_vietnamese(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "show program's version" not in out and "hiện phiên bản chương trình rồi thoát" in out


@pytest.mark.skipif(os.name != "posix", reason="names that are not UTF-8 exist only where names are bytes")
def test_a_file_name_that_is_not_utf8_is_listed_and_written(config, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    source = _submission(config, tmp_path / "src")
    odd = os.path.join(os.fsencode(inbox), b"bao_cao_\xff\xfe.xlsx")
    inbox.mkdir()
    shutil.copy(source, odd)
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert entry["path"] == "bao_cao_\ufffd\ufffd.xlsx" and entry["status"] == "accepted"
    assert (tmp_path / "outbox" / YEAR / "phan_hoi" / f"{entry['unit']}.xlsx").is_file()


@pytest.mark.parametrize("name", [b"bao_cao_\xff\xfe.xlsx", ("Báo cáo thi đua " * 11).strip().encode() + b".xlsx"],
                         ids=["not utf-8", "225 bytes"])
def test_an_odd_file_name_on_a_file_with_errors_gets_its_marked_copy(config, tmp_path: Path, name: bytes) -> None:
    """The marked copy's name (and its temporary name) is built from the school's: a name that is not UTF-8 or is
    long stopped the whole run mid-way through the feedback."""
    import openpyxl

    def edit(data):
        data.collectives[0]["so_hoc_sinh"] = "nhiều lắm"  # R03: the file is accepted with errors, and marked

    inbox = tmp_path / "inbox"
    source = _submission(config, tmp_path / "src", edit=edit)
    inbox.mkdir()
    shutil.copy(source, os.path.join(os.fsencode(inbox), name))
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert entry["status"] == "accepted_with_errors"
    (copy,) = (tmp_path / "outbox" / YEAR / "phan_hoi").glob(f"{entry['unit']}_danh_dau_*.xlsx")
    assert len(copy.name.encode("utf-8")) <= 200 and len(copy.name) <= 100
    cell = list_cell("Tập thể", "so_hoc_sinh", 0)
    assert openpyxl.load_workbook(copy)["Tập thể"][cell].comment is not None
    feedback = openpyxl.load_workbook(tmp_path / "outbox" / YEAR / "phan_hoi" / f"{entry['unit']}.xlsx")
    assert any(copy.name in str(v) for ws in feedback for row in ws.iter_rows(values_only=True) for v in row if v)


def test_a_path_over_the_systems_limit_is_listed_not_an_internal_error(config, tmp_path: Path) -> None:
    """Folders nested past 4,096 bytes of path: the system will not look at them; they are listed with why."""
    inbox = tmp_path / "inbox"
    _submission(config, inbox)
    fd = os.open(inbox, os.O_RDONLY)
    depth = 0
    while len(os.fsencode(inbox)) + depth * 201 < 4300:
        os.mkdir("t" * 200, dir_fd=fd)
        inner = os.open("t" * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd, depth = inner, depth + 1
    os.close(fd)
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    statuses = {e["path"]: e["status"] for e in manifest["files"]}
    assert statuses.pop("bai_nop.xlsx") == "accepted"
    (deep, status), = statuses.items()
    assert deep.startswith("t" * 200 + "/") and deep.endswith("/") and status == "ignored"
    (reason,) = [e["reason"] for e in manifest["files"] if e["path"] == deep]
    assert reason == ("thư mục không mở được (tên hoặc đường dẫn quá dài: hãy đặt tên tệp, tên thư mục ngắn hơn): "
                      "các tệp trong đó chưa được đọc")


def test_an_outbox_that_cannot_be_created_says_why_in_words(config, tmp_path: Path, capsys) -> None:
    _submission(config, tmp_path / "inbox")
    (tmp_path / "tep").write_text("x", encoding="utf-8")
    assert _consolidate(tmp_path / "inbox", tmp_path / "tep" / "outbox") == 2
    err = capsys.readouterr().err
    assert (f'Không tạo được thư mục kết quả "{tmp_path / "tep" / "outbox" / YEAR}" (một phần của đường dẫn là tệp, '
            "không phải thư mục); hãy chọn --outbox ở chỗ khác.") in err, err


def test_a_roster_with_a_stray_far_cell_is_a_config_error_not_an_abort(tmp_path: Path) -> None:
    """The staff's own roster goes through the submissions' guard: a value at XFD1048576 aborted every command."""
    import subprocess
    import sys

    import openpyxl

    config_dir = tmp_path / "config"
    shutil.copytree(ROOT / "config", config_dir)
    book = openpyxl.load_workbook(config_dir / "don_vi.xlsx")
    book["Đơn vị"]["XFD1048576"] = "x"
    book.save(config_dir / "don_vi.xlsx")
    result = subprocess.run([sys.executable, "-m", "pipeline", "template", "--config", str(config_dir), "--outbox",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Lỗi cấu hình — cần sửa rồi chạy lại:")
    assert "config/don_vi.xlsx: trang «Đơn vị»" in result.stderr and "XFD1048576" in result.stderr
    assert "memory allocation" not in result.stderr and "Traceback" not in result.stderr


def test_a_person_nominated_twice_names_the_other_unit_only_to_staff(config, tmp_path: Path) -> None:
    """W12 is reported to both units, but a school's feedback never carries another unit's code."""
    import openpyxl

    from pipeline.samples.demo import write_demo
    from pipeline.samples.faults import FAULTS

    inbox = tmp_path / "inbox"
    write_demo(config, YEAR, inbox, units=6, faulty=0.2, seed=4, faults=[f for f in FAULTS if f.rule == "W12"])
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    folder = tmp_path / "outbox" / YEAR
    staff = list(openpyxl.load_workbook(folder / "TongHop_DienHinh_2019-2020.xlsx")["Lỗi và cảnh báo"].iter_rows(
        values_only=True))
    w12 = [row for row in staff[1:] if row[3] == "W12"]
    assert len({row[1] for row in w12}) == 2  # both units are told
    codes = set(config.for_year(YEAR).units["ma_don_vi"])
    for row in w12:
        (other,) = {c for c in codes if c in row[-1]} - {row[1]}  # the staff's text names the other unit
        feedback = openpyxl.load_workbook(folder / "phan_hoi" / f"{row[1]}.xlsx")
        texts = [str(v) for sheet in feedback for r in sheet.iter_rows(values_only=True) for v in r if v is not None]
        assert not [t for t in texts if other in t], other
        assert any("cũng được một đơn vị khác đề nghị" in t for t in texts)


def test_a_rate_typed_where_a_count_belongs_is_an_error_reported_once(config, tmp_path: Path, capsys) -> None:
    """"65%" in a count is not 65 people; a bad value on a form is reported once (R03), not again as missing."""
    def edit(data):
        data.collectives[0]["so_hs_kha_gioi"] = "65%"
        data.unit["so_doan_vien"] = "ba mươi"

    path = _submission(config, tmp_path / "inbox", edit=edit)
    assert main(["check", str(path), "--year", YEAR]) == 0
    out = capsys.readouterr().out
    cell = list_cell("Tập thể", "so_hs_kha_gioi", 0)
    assert (f'[R03] Sai kiểu dữ liệu, tại Tập thể!{cell}, cột "Số học sinh đạt mức khá, giỏi": gặp "65%"; cần một số '
            "đếm được (số người, số tiền), không ghi tỷ lệ %.") in out
    members = [line for line in out.splitlines() if 'cột "Số đoàn viên"' in line]
    assert len(members) == 1 and members[0].startswith("  [R03]"), members


def test_last_years_template_with_this_year_typed_in_is_rejected_naming_the_template(config, tmp_path: Path) -> None:
    import openpyxl

    year = config.for_year("2018-2019")
    data = make_unit_data(year.units.iloc[2], "2018-2019", seed=3)
    data.unit["nam_hoc"] = YEAR
    (tmp_path / "inbox").mkdir()
    write_template(year, tmp_path / "inbox" / "mau_cu.xlsx", data.fill())
    book = openpyxl.load_workbook(tmp_path / "inbox" / "mau_cu.xlsx")
    sheet = book["Đơn vị"]
    cell = next(row[1] for row in sheet.iter_rows() if str(row[0].value or "").startswith("Năm học"))
    cell.value = YEAR  # the school typed this year over the locked cell
    book.save(tmp_path / "inbox" / "mau_cu.xlsx")
    assert _consolidate(tmp_path / "inbox", tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert entry["status"] == "rejected"
    rows = list(openpyxl.load_workbook(tmp_path / "outbox" / YEAR / "TongHop_DienHinh_2019-2020.xlsx")[
        "Lỗi và cảnh báo"].iter_rows(values_only=True))
    (f08,) = [row for row in rows[1:] if row[3] == "F08"]
    assert f08[6] == 'năm học "2019-2020" trên biểu mẫu năm học 2018-2019'
    assert f08[7] == "dùng đúng biểu mẫu Mau_DienHinh_2019-2020.xlsx: chép dữ liệu sang biểu mẫu đó rồi gửi lại"


@pytest.mark.skipif(os.name != "posix", reason="links, pipes and devices as POSIX has them")
def test_every_path_discovery_meets_is_in_the_manifest_with_a_reason(config, tmp_path: Path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    _submission(config, inbox)
    (inbox / "hong.xlsx").symlink_to(tmp_path / "khong_co.xlsx")  # dangling
    (inbox / "zero.xlsx").symlink_to("/dev/zero")
    (inbox / "vong.xlsx").symlink_to(inbox / "vong.xlsx")  # a loop
    os.mkfifo(inbox / "ong.xlsx")
    (inbox / "thu_muc_khac").symlink_to(tmp_path, target_is_directory=True)
    (inbox / "khoa").mkdir()
    real_scandir = os.scandir

    def refuse(path=None):
        if isinstance(path, (str, os.PathLike)) and Path(path).name == "khoa":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "scandir", refuse)  # root reads any folder: simulate one it may not open
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["path"]: (e["status"], e.get("reason", "")) for e in manifest["files"]}
    assert entries["bai_nop.xlsx"] == ("accepted", "")
    assert entries["hong.xlsx"] == ("ignored", "liên kết hỏng hoặc vòng lặp (không trỏ tới tệp nào)")
    assert entries["vong.xlsx"] == ("ignored", "liên kết hỏng hoặc vòng lặp (không trỏ tới tệp nào)")
    assert entries["zero.xlsx"] == ("ignored", "không phải tệp (một thiết bị của hệ thống)")
    assert entries["ong.xlsx"] == ("ignored", "không phải tệp (một đường ống hay cổng của hệ thống)")
    assert entries["thu_muc_khac"][0] == "ignored" and "liên kết tới một thư mục khác" in entries["thu_muc_khac"][1]
    assert entries["khoa/"] == ("ignored", "thư mục không mở được (không có quyền đọc tệp): các tệp trong đó chưa "
                                           "được đọc")
    assert len(entries) == 7


def test_a_ngay_lap_far_outside_the_school_year_dates_nothing(config, tmp_path: Path) -> None:
    """31/12/9999 is a row error on the form; it neither dates the documents nor wins over a resubmission."""
    import datetime as dt

    import openpyxl

    inbox = tmp_path / "inbox"
    _submission(config, inbox, "lan_2.xlsx", edit=lambda d: d.unit.update(ngay_lap=dt.date(2020, 5, 20)))
    _submission(config, inbox, "sai_ngay.xlsx", edit=lambda d: d.unit.update(ngay_lap=dt.date(9999, 12, 31)))
    os.utime(inbox / "sai_ngay.xlsx", (1_500_000_000, 1_500_000_000))  # older on disk, so it must not win
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    manifest = json.loads((tmp_path / "outbox" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    statuses = {e["path"]: e["status"] for e in manifest["files"]}
    assert statuses == {"lan_2.xlsx": "accepted", "sai_ngay.xlsx": "superseded"}
    book = openpyxl.load_workbook(tmp_path / "outbox" / YEAR / "TongHop_DienHinh_2019-2020.xlsx")
    texts = [str(v) for row in book["Tổng quan"].iter_rows(values_only=True) for v in row if v]
    assert any("ngày 20 tháng 5 năm 2020" in t for t in texts)
    rows = list(book["Lỗi và cảnh báo"].iter_rows(values_only=True))
    assert [r[6] for r in rows[1:] if r[3] == "W14"] == ["ngày lập không ghi"]
    (inbox / "lan_2.xlsx").unlink()  # alone, the file is consolidated and its date reported
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    rows = list(openpyxl.load_workbook(tmp_path / "outbox" / YEAR / "TongHop_DienHinh_2019-2020.xlsx")[
        "Lỗi và cảnh báo"].iter_rows(values_only=True))
    assert [r[7] for r in rows[1:] if r[3] == "R04"] == ["ngày từ 01/01/2019 đến 31/12/2020 (ngày lập biểu của năm học)"]


def test_file_times_and_the_time_zone_change_nothing_the_workbooks_say(config, tmp_path: Path, monkeypatch) -> None:
    """Two files of one unit with the same ngày lập: the one its school saved last wins by the workbook's own
    last-saved time, not by the file's time on this disk (a copy, an unzip or a mail client sets that); and the
    outputs are the same bytes whatever the file times and the machine's time zone."""
    import hashlib
    import time

    year = config.for_year(YEAR)
    data = make_unit_data(year.units.iloc[2], YEAR, seed=8)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_template(year, inbox / "lan_1.xlsx", data.fill(), saved=dt.datetime(2020, 6, 2, 9, 0))
    data.collectives[0]["ten_tap_the"] = "Tổ Toán - Tin (bản sửa)"
    write_template(year, inbox / "lan_2.xlsx", data.fill(), saved=dt.datetime(2020, 6, 3, 9, 0))
    os.utime(inbox / "lan_2.xlsx", (1_500_000_000, 1_500_000_000))  # older on this disk than lan_1.xlsx

    def run(outbox: Path, zone: str, shift: int) -> dict[str, str]:
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        for path in inbox.iterdir():
            os.utime(path, (path.stat().st_mtime + shift, path.stat().st_mtime + shift))
        assert _consolidate(inbox, outbox) == 0
        return {p.relative_to(outbox).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(outbox.rglob("*")) if p.is_file() and not p.name.startswith(".")}

    try:
        first = run(tmp_path / "a", "Asia/Ho_Chi_Minh", 0)
        second = run(tmp_path / "b", "Pacific/Kiritimati", 86_400 * 3)  # UTC+14, files three days newer
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert first == second
    manifest = json.loads((tmp_path / "a" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    assert {e["path"]: e["status"] for e in manifest["files"]} == {"lan_1.xlsx": "superseded", "lan_2.xlsx": "accepted"}


def test_the_hash_is_of_the_bytes_that_were_read(config, tmp_path: Path) -> None:
    """A file replaced between discovery and reading is recorded with the hash of what was read, not of
    what discovery saw (nor of nothing)."""
    import hashlib

    from pipeline.intake.discover import discover_inbox
    from pipeline.run import take_in

    year = config.for_year(YEAR)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, second = (make_unit_data(year.units.iloc[n], YEAR, seed=n) for n in (3, 4))
    path = inbox / "bai.xlsx"
    write_template(year, path, first.fill())
    files = discover_inbox(inbox)
    write_template(year, path, second.fill())  # replaced by the school's second attempt, mid-run
    (outcome,) = take_in(year, files, workers=0).outcomes
    assert outcome.file.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert outcome.unit == str(year.units.iloc[4]["ma_don_vi"])  # the data and the hash are of one file


def test_a_file_over_the_size_limit_is_refused_without_being_read(config, tmp_path: Path, monkeypatch) -> None:
    """An 8 GB file (sparse here) is refused on its size: never hashed, never opened by a reader."""
    from pipeline.intake import discover

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    huge = inbox / "khong_lo.xlsx"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024**3)
    real_read = Path.read_bytes

    def no_read(self: Path) -> bytes:
        assert self.name != huge.name, "the huge file was read"
        return real_read(self)

    monkeypatch.setattr(discover, "_sha256", lambda path: pytest.fail("the huge file was hashed"))
    monkeypatch.setattr(Path, "read_bytes", no_read)
    from pipeline.run import take_in
    (outcome,) = take_in(config.for_year(YEAR), inbox, workers=0).outcomes
    assert outcome.status == "rejected" and outcome.file.sha256 == ""
    assert [(f.rule, f.found) for f in outcome.findings] == [("F03", "tệp 8,0 GB")]


def _neighbour_takes_the_code(config, tmp_path: Path, **form: str):
    """B (another roster unit) sends a newer file with A's code and the `Đơn vị` values ``form`` (``{name}`` is
    B's name); A sends its genuine file. Asserts A's file is A's, B's is held and attributed to neither, and A's
    feedback carries nothing of B; returns A's and B's data and the year's outbox folder."""
    import openpyxl

    year = config.for_year(YEAR)
    a, b = make_unit_data(year.units.iloc[4], YEAR, seed=1), make_unit_data(year.units.iloc[5], YEAR, seed=2)
    b.unit.update(ma_don_vi=a.code, ngay_lap=a.unit["ngay_lap"] + dt.timedelta(days=3),  # newer: it would win
                  **{key: value.format(name=b.name) for key, value in form.items()})
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_template(year, inbox / "a.xlsx", a.fill())
    write_template(year, inbox / "b.xlsx", b.fill())
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    folder = tmp_path / "outbox" / YEAR
    status = {f["path"]: (f["status"], f["unit"]) for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert status == {"a.xlsx": ("accepted", a.code), "b.xlsx": ("rejected", None)}
    texts = [str(v) for sheet in openpyxl.load_workbook(folder / "phan_hoi" / f"{a.code}.xlsx")
             for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    b_people = {p["ho_ten"] for p in b.individuals} - {p["ho_ten"] for p in a.individuals}
    assert not [t for t in texts if t in b_people or b.code in t or "b.xlsx" in t]
    return a, b, folder


def test_a_school_that_picks_its_neighbours_code_is_held_not_mixed_in(config, tmp_path: Path) -> None:
    """B chooses A's code but keeps its own name: A's genuine file stays A's (not superseded), B's file is held
    (F13) and attributed to neither, A's feedback carries nothing of B, and staff see both units named."""

    import openpyxl

    a, b, folder = _neighbour_takes_the_code(config, tmp_path)
    (held,) = [p for p in folder.glob("phan_hoi/chua_ro_don_vi_b_*.xlsx") if "_danh_dau_" not in p.name]
    findings = list(openpyxl.load_workbook(held)["Lỗi và cảnh báo"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[5]) for r in findings] == [("F13", f'mã "{a.code}" nhưng tên đơn vị "{b.name}"')]
    assert not any(b.code in str(v) for r in findings for v in r)  # the school is not told another unit's code
    book = openpyxl.load_workbook(folder / f"TongHop_DienHinh_{YEAR}.xlsx")
    staff = [r for r in book["Lỗi và cảnh báo"].iter_rows(min_row=2, values_only=True) if r[3] == "F13"]
    assert len(staff) == 1 and a.code in staff[0][-1] and b.code in staff[0][-1]
    rows = {r[0]: r for r in book["Tình hình nộp"].iter_rows(min_row=2, values_only=True)}
    assert rows[b.code][4] == "Có tệp bị từ chối" and rows[a.code][4] == "Đã nộp — hợp lệ"


def test_a_newer_file_whose_form_contradicts_its_code_does_not_replace_the_units_genuine_one(config, tmp_path: Path
                                                                                            ) -> None:
    """B takes A's code and types its own name in a form of its own (not the name of any roster unit, so not the
    F13 of a name that is another unit's): W08 alone let B's newer file supersede A's. Now B's file is held."""
    import json

    import openpyxl

    a, b, folder = _neighbour_takes_the_code(config, tmp_path, ten_don_vi="Trg {name}")
    (held,) = [p for p in folder.glob("phan_hoi/chua_ro_don_vi_b_*.xlsx") if "_danh_dau_" not in p.name]
    rows = list(openpyxl.load_workbook(held)["Lỗi và cảnh báo"].iter_rows(min_row=2, values_only=True))
    assert ("F13", f'mã "{a.code}" nhưng tên đơn vị "Trg {b.name}" khác danh mục của mã này, trong khi một tệp '
                   "khác của mã này khớp danh mục") in [(r[2], r[5]) for r in rows]
    book = openpyxl.load_workbook(folder / f"TongHop_DienHinh_{YEAR}.xlsx")
    staff = [r for r in book["Lỗi và cảnh báo"].iter_rows(min_row=2, values_only=True) if r[3] == "F13"]
    assert len(staff) == 1 and "a.xlsx" in staff[0][-1] and a.code in staff[0][-1]
    (tmp_path / "inbox" / "a.xlsx").unlink()  # alone, a form that differs from the roster is used, with its warning
    assert _consolidate(tmp_path / "inbox", tmp_path / "outbox") == 0
    status = {f["path"]: (f["status"], f["unit"]) for f in json.loads((folder / "manifest.json").read_text())["files"]}
    assert status == {"b.xlsx": ("accepted", a.code)}


def test_two_files_of_one_name_in_two_folders_get_two_marked_copies(config, tmp_path: Path) -> None:
    from pipeline.samples.faults import FAULTS, FaultContext

    year = config.for_year(YEAR)
    data = make_unit_data(year.units.iloc[2], YEAR, seed=8)
    wrong_year = next(f for f in FAULTS if f.rule == "F08")
    wrong_year.data(data, FaultContext(None, 2019, [data]))  # type: ignore[arg-type, misc]
    inbox = tmp_path / "inbox"
    for folder in ("dot 1", "dot 2"):
        (inbox / folder).mkdir(parents=True)
        write_template(year, inbox / folder / "Bao cao.xlsx", data.fill())
    assert _consolidate(inbox, tmp_path / "outbox") == 0
    copies = sorted(p.name for p in (tmp_path / "outbox" / YEAR / "phan_hoi").glob("*_danh_dau_*"))
    assert len(copies) == 2 and len(set(copies)) == 2  # neither overwrote the other
    assert all(name.startswith(f"{data.code}_danh_dau_Bao cao_") for name in copies)


def test_excel_error_cells_are_reported_as_errors_not_as_empty(config, tmp_path: Path) -> None:
    """#N/A and #DIV/0! (a formula that failed) read as empty strings from python-calamine; the school must be
    told the cell shows an error (R12, with the error), not that it is empty."""
    import openpyxl

    from pipeline.run import take_in

    inbox = tmp_path / "inbox"
    path = _submission(config, inbox)
    book = openpyxl.load_workbook(path)
    sheet = book["Cá nhân"]
    birth, minority = list_cell("Cá nhân", "nam_sinh", 0), list_cell("Cá nhân", "dan_toc", 1)
    sheet[birth] = "#N/A"  # openpyxl writes these as error cells (t="e"), as Excel saves a failed formula
    sheet[minority] = "#DIV/0!"
    book.save(path)
    (outcome,) = take_in(config.for_year(YEAR), inbox, workers=0).outcomes
    found = {(f.rule, f.cell, f.found) for f in outcome.findings if f.cell in (birth, minority)}
    assert found == {("R12", birth, '"#N/A"'), ("R12", minority, '"#DIV/0!"')}
    assert not [f for f in outcome.findings if f.cell in (birth, minority) and f.found == "ô trống"]
