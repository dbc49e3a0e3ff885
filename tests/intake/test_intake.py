"""A mixed inbox end to end: statuses file by file, the manifest, a read-only inbox, feedback isolation."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.samples.demo import write_demo
from pipeline.samples.faults import FAULTS

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[2]


def _fault(rule: str):
    return next(f for f in FAULTS if f.rule == rule)


def _snapshot(folder: Path) -> dict[str, tuple[str, float]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def mixed(config, tmp_path_factory):
    """Valid, row errors, rejected, superseded, ignored files in nested folders; consolidated once."""
    base = tmp_path_factory.mktemp("mixed")
    inbox, outbox = base / "inbox", base / "outbox"
    demo = write_demo(config, YEAR, inbox, units=10, faulty=0.5, seed=11,
                      faults=[_fault("R04"), _fault("F11"), _fault("W14"), _fault("F02"), _fault("W03")])
    other_year = inbox / "2018-2019" / "nam_truoc.xlsx"  # last year's file, kept in its own folder
    old = write_demo(config, "2018-2019", base / "old", units=1, faulty=0.0, seed=1).files[0]
    other_year.parent.mkdir(parents=True)
    shutil.copy(old, other_year)
    misplaced = inbox / YEAR / "gui_nham_mau_cu.xlsx"  # last year's template in this year's folder
    shutil.copy(old, misplaced)
    before = _snapshot(inbox)
    status = main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox), "--year", YEAR,
                   "--config", str(ROOT / "config")])
    assert status == 0
    manifest = json.loads((outbox / YEAR / "manifest.json").read_text(encoding="utf-8"))
    return demo, inbox, outbox, before, manifest


def test_every_file_has_its_status(mixed) -> None:
    demo, inbox, _, _, manifest = mixed
    statuses = {entry["path"]: entry["status"] for entry in manifest["files"]}
    expected = {path: locations[0].rule for path, locations in demo.expected.items()}
    for path, rule in expected.items():
        want = {"R04": "accepted_with_errors", "F11": "rejected", "F02": "rejected", "W03": "accepted",
                "W14": "superseded"}[rule]
        assert statuses[path] == want, (path, rule)
    assert statuses["2018-2019/nam_truoc.xlsx"] == "ignored"
    assert statuses[f"{YEAR}/gui_nham_mau_cu.xlsx"] == "rejected"
    assert statuses["Thumbs.db"] == "ignored" and statuses["Cong van huong dan DHTT.pdf"] == "ignored"
    assert any(path.startswith("~$") and status == "ignored" for path, status in statuses.items())
    assert any(path.count("/") >= 2 for path in statuses)  # nested folders were walked
    resubmitted = [p for p, rule in expected.items() if rule == "W14"][0].replace(" (lan 1)", "")
    assert statuses[resubmitted] == "accepted"


def test_files_in_inbox_equal_entries_in_manifest(mixed) -> None:
    _, inbox, _, _, manifest = mixed
    on_disk = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert sorted(entry["path"] for entry in manifest["files"]) == on_disk
    for entry in manifest["files"]:
        assert entry["sha256"] == hashlib.sha256((inbox / entry["path"]).read_bytes()).hexdigest()
        assert entry["size"] == (inbox / entry["path"]).stat().st_size
    assert sum(manifest["totals"].values()) == len(on_disk)
    assert set(manifest) >= {"tool_version", "school_year", "config_sha256", "files"}


def test_inbox_is_unchanged(mixed) -> None:
    _, inbox, _, before, _ = mixed
    assert _snapshot(inbox) == before


def test_feedback_holds_only_its_own_units_data(mixed) -> None:
    demo, _, outbox, _, manifest = mixed
    folder = outbox / YEAR / "phan_hoi"
    units = sorted(p.stem for p in folder.glob("*.xlsx") if "_danh_dau_" not in p.stem
                   and not p.stem.startswith("chua_ro_don_vi_"))  # those are files whose unit is unknown
    assert len(units) >= 8
    files_of = {}
    for entry in manifest["files"]:
        if entry["unit"]:
            files_of.setdefault(entry["unit"], set()).add(Path(entry["path"]).name)  # shown without folders
    for unit in units:
        texts = set()
        for sheet in openpyxl.load_workbook(folder / f"{unit}.xlsx").worksheets:
            for row in sheet.iter_rows(values_only=True):
                texts.update(str(v) for v in row if v is not None)
        others = {u for u in files_of if u != unit}
        for other in others:
            assert not any(path in texts for path in files_of[other]), (unit, other)
        assert not any(other in text for other in others for text in texts if len(other) == 5), unit
        assert any(path in texts for path in files_of.get(unit, ())), unit


def test_feedback_lists_messages_with_cells(mixed) -> None:
    demo, _, outbox, _, manifest = mixed
    path = next(p for p, locs in demo.expected.items() if locs[0].rule == "R04")
    unit = next(e["unit"] for e in manifest["files"] if e["path"] == path)
    sheet = openpyxl.load_workbook(outbox / YEAR / "phan_hoi" / f"{unit}.xlsx")["Lỗi và cảnh báo"]
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[2] == "R04"]
    assert rows == [(Path(path).name, "Lỗi dòng", "R04", "Cá nhân, ô D4", "Năm sinh", '"1944"', "số từ 1949 đến 2001")]
    status = openpyxl.load_workbook(outbox / YEAR / "phan_hoi" / f"{unit}.xlsx")["Tình trạng"]
    assert status["C6"].value == "Hợp lệ, có dòng lỗi (dòng lỗi không được chấm)"


def test_marked_copy_highlights_and_comments_the_bad_cell(mixed) -> None:
    demo, _, outbox, _, manifest = mixed
    path = next(p for p, locs in demo.expected.items() if locs[0].rule == "R04")
    unit = next(e["unit"] for e in manifest["files"] if e["path"] == path)
    copy = outbox / YEAR / "phan_hoi" / f"{unit}_danh_dau_{Path(path).stem}.xlsx"
    sheet = openpyxl.load_workbook(copy)["Cá nhân"]
    assert sheet["D4"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["D4"].comment.text.startswith("[R04] Lỗi dòng: Số ngoài khoảng cho phép, tại Cá nhân!D4")
    assert sheet["D5"].comment is None and sheet["D5"].value == openpyxl.load_workbook(
        demo.inbox / path)["Cá nhân"]["D5"].value
    status = openpyxl.load_workbook(outbox / YEAR / "phan_hoi" / f"{unit}.xlsx")["Tình trạng"]
    assert any(copy.name in str(row[0]) for row in status.iter_rows(values_only=True))


def test_rerun_writes_identical_bytes(mixed, config) -> None:
    _, inbox, outbox, _, _ = mixed
    first = _snapshot(outbox)
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    second = _snapshot(outbox)
    assert {k: v[0] for k, v in first.items()} == {k: v[0] for k, v in second.items()}


def test_check_prints_messages_and_writes_nothing(mixed, tmp_path: Path, capsys, monkeypatch) -> None:
    demo, inbox, _, _, _ = mixed
    path = next(p for p, locs in demo.expected.items() if locs[0].rule == "R04")
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(inbox / path), "--year", YEAR, "--config", str(ROOT / "config")]) == 0
    out = capsys.readouterr().out
    assert "Hợp lệ, có dòng lỗi" in out
    assert '[R04] Số ngoài khoảng cho phép, tại Cá nhân!D4, cột "Năm sinh": gặp "1944"; cần số từ 1949 đến 2001.' in out
    assert list(tmp_path.iterdir()) == []


def test_demo_refuses_to_mix_with_real_files(tmp_path: Path, capsys) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "README.md").write_text("placeholder")
    args = ["demo", "--inbox", str(inbox), "--config", str(ROOT / "config"), "--units", "2", "--faulty", "0"]
    assert main(args) == 0  # the repository's placeholders do not count as submissions
    first = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert main(args + ["--seed", "99"]) == 0  # a second demo replaces the first one's files, and only them
    second = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    assert "README.md" in second and len(second) == len(first)
    (inbox / "sub" / "bai_nop_that.xlsx").parent.mkdir()
    (inbox / "sub" / "bai_nop_that.xlsx").write_bytes(b"real")
    assert main(args) == 2
    assert 'đã có 1 tệp không phải dữ liệu mẫu (ví dụ "sub/bai_nop_that.xlsx")' in capsys.readouterr().err
    assert (inbox / "sub" / "bai_nop_that.xlsx").read_bytes() == b"real"


def test_outbox_inside_the_inbox_is_refused(tmp_path: Path, capsys) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(inbox / "ket_qua"),
                 "--config", str(ROOT / "config")]) == 2
    assert "không ghi vào thư mục bài nộp" in capsys.readouterr().err
    assert list(inbox.iterdir()) == []


def test_writing_in_worker_processes_gives_the_same_bytes(mixed, tmp_path: Path, monkeypatch) -> None:
    _, inbox, outbox, _, _ = mixed
    monkeypatch.setattr("pipeline.outputs.feedback.PARALLEL_FROM", 1)
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "parallel"), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    sequential = {k: v[0] for k, v in _snapshot(outbox).items()}
    parallel = {k: v[0] for k, v in _snapshot(tmp_path / "parallel").items()}
    assert parallel == sequential and len(parallel) > 10


def test_a_file_that_cannot_be_opened_is_rejected_and_listed(config, tmp_path: Path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    write_demo(config, YEAR, inbox, units=2, faulty=0.0, seed=12)
    locked = sorted(p for p in inbox.rglob("*.xlsx") if not p.name.startswith("~$"))[0]
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(tmp_path / "out"), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    manifest = json.loads((tmp_path / "out" / YEAR / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["path"] == locked.relative_to(inbox).as_posix())
    assert entry["status"] == "rejected" and entry["errors"] == 1 and entry["sha256"] == ""
    rows = list(openpyxl.load_workbook(tmp_path / "out" / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx")[
        "Lỗi và cảnh báo"].iter_rows(values_only=True))
    (message,) = [row for row in rows[1:] if row[3] == "F01"]
    assert message[6] == "không mở được tệp (không có quyền đọc tệp)"  # in Vietnamese, not the system's English
    assert not [text for text in message if text and "Permission denied" in str(text)]
