"""The rule catalogue: every check names a rule, every rule has a check, and messages come from templates."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from pipeline.intake.validate import rule_of
from pipeline.template.selfcheck import CheckContext, column_checks, year_check
from schemas.rules import RULES, Finding, finding, flatten
from schemas.submission import SHEET_MODELS, column_specs, sheet_schema

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = CheckContext(yes="Có", school_model="S", agency_model="A", not_applicable="Không áp dụng", year_start=2019,
                       collective_stt="'Tập thể'!$A$4:$A$203", started="TRUE")


def _pandera_rules() -> set[str]:
    """The rule of every pandera check of every sheet, as the check reports itself on failure."""
    found = set()
    for model in SHEET_MODELS.values():
        schema = sheet_schema(model, 2019)
        checks = [*schema.checks, *(c for column in schema.columns.values() for c in column.checks)]
        for check in checks:
            found.add(rule_of(check.error if check.error in RULES else check.name)[0])
    return found


def _selfcheck_rules() -> set[str]:
    checks = [c for model in SHEET_MODELS.values() for form in (True, False)
              for c in column_checks(column_specs(model), CONTEXT, form=form)]
    return {c.rule for c in [*checks, year_check("2019-2020")]}


def _rules_raised_in_code() -> set[str]:
    """Rule IDs passed as the first argument of ``finding(…)`` (or of a normaliser's ``Note``) in the pipeline."""
    found = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("finding", "Note")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_check_names_a_rule_of_the_catalogue() -> None:
    assert _pandera_rules() <= set(RULES)
    assert _selfcheck_rules() <= set(RULES)
    assert _rules_raised_in_code() <= set(RULES)


def test_every_rule_has_a_check() -> None:
    guard = {"F01", "F02", "F03", "F04"}  # the guard's findings are raised with the rule they carry
    assert _pandera_rules() | _rules_raised_in_code() | guard == set(RULES)


def test_a_check_without_a_rule_id_is_a_broken_check() -> None:
    with pytest.raises(RuntimeError, match="without a rule ID"):
        rule_of("greater_than_or_equal_to(0)")
    assert rule_of("R06:so_gv_gioi") == ("R06", "so_gv_gioi")


def test_the_template_anticipates_the_row_rules() -> None:
    """Each row rule that a formula can see is checked while the school types."""
    assert {"R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10"} <= _selfcheck_rules()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_template_renders_with_its_placeholders(rule: str) -> None:
    for variant, message in RULES[rule].messages.items():
        import datetime as dt

        fields = {field: spec or "" for text in (message.found, message.expected)
                  for _, field, spec, _ in string.Formatter().parse(text) if field}
        values: dict[str, object] = {name: "x" for name in fields}
        for name, spec in fields.items():
            if "%" in spec:  # a date format
                values[name] = dt.date(2019, 5, 25)
            elif spec:  # a number format
                values[name] = 12.5
        made = finding(rule, "f.xlsx", variant, sheet="Cá nhân", cell="D4", **values)
        assert made.message().endswith(".") and "{" not in made.message()


def test_messages_are_filled_from_the_templates() -> None:
    made = finding("R04", "a.xlsx", sheet="Cá nhân", cell="D4", column="Năm sinh", row=4, key="nam_sinh",
                   value='"1944"', low=1949, high=2001)
    assert made == Finding("R04", "a.xlsx", "Cá nhân", "D4", "Năm sinh", '"1944"', "số từ 1949 đến 2001", 4,
                           "nam_sinh")
    assert made.message() == 'Số ngoài khoảng cho phép, tại Cá nhân!D4, cột "Năm sinh": gặp "1944"; cần số từ 1949 ' \
                             "đến 2001."
    with pytest.raises(KeyError):
        finding("R04", "a.xlsx", value="1")  # a placeholder left out is a broken check


def test_flatten_pins_findings_in_one_line() -> None:
    findings = [finding("R07", "a.xlsx", sheet="Cá nhân", cell="B5", value='"Hương"'),
                finding("W13", "a.xlsx", "shown", sheet="_meta")]
    assert flatten(findings, ["rule", "where", "severity"]) == [["R07", "Cá nhân!B5", "row"],
                                                                 ["W13", "_meta", "warning"]]
