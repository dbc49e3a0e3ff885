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
