"""The README tells the truth (sqlite-utils' tests/test_docs.py): every command and make target it names exists
and has Vietnamese help, every path it names exists, and it calls nothing "not built" that is built."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import _HANDLERS, build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def _commands() -> set[str]:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    return set(subparsers.choices)


def _make_targets() -> dict[str, str]:
    """Target → its one-line description in the Makefile (``target: deps ## description``)."""
    return dict(re.findall(r"^([a-z]+):[^\n#]*## (.+)$", MAKEFILE, re.MULTILINE))


def test_every_command_the_readme_names_exists() -> None:
    named = set(re.findall(r"python -m pipeline (\w+)", README))
    assert named, "the README shows the commands"
    assert named <= _commands()


@pytest.mark.parametrize("command", sorted(set(re.findall(r"python -m pipeline (\w+)", README))))
def test_every_command_the_readme_names_has_vietnamese_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = capsys.readouterr().out
    description = help_text.split("\n\n")[1]
    assert VIETNAMESE.search(description), help_text


def test_every_make_target_the_readme_names_exists_with_a_vietnamese_description() -> None:
    named = set(re.findall(r"\bmake (\w+)", README))
    targets = _make_targets()
    assert {"demo", "test"} <= named
    assert named <= set(targets), named - set(targets)
    for target in named:
        assert VIETNAMESE.search(targets[target]), target


def test_make_alone_lists_every_target() -> None:
    listed = subprocess.run(["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, check=True).stdout
    for target in _make_targets():
        assert re.search(rf"^{target}\s", listed, re.MULTILINE), target


def test_every_path_the_readme_names_exists() -> None:
    paths = re.findall(r"`((?:pipeline|schemas|tests|scripts|docs|config)/[^`\s]*)`", README)
    assert paths
    missing = [p for p in paths if "<" not in p and "*" not in p and not (ROOT / p).exists()]
    assert missing == []


def test_the_readme_calls_nothing_unbuilt_that_is_built() -> None:
    """A sentence that says a command is not built yet must name only commands without a handler."""
    for sentence in re.split(r"(?<=[.;])\s", README):
        if re.search(r"not (yet )?built|chưa có", sentence):
            for command in re.findall(r"`(\w+)`", sentence):
                if command in _commands():
                    assert command not in _HANDLERS, sentence


def test_every_module_of_the_layout_is_in_the_maintainers_map() -> None:
    for package in sorted(p.name for p in (ROOT / "pipeline").iterdir() if (p / "__init__.py").exists()):
        assert f"`{package}/`" in README, package


def test_the_staff_section_lists_every_reason_a_file_is_refused() -> None:
    from schemas.rules import RULES

    staff = README.split("## For maintainers")[0]
    listed = set(re.findall(r"\bF\d\d\b", staff))
    assert listed == {rule for rule, spec in RULES.items() if spec.severity == "file"}
