"""The data flow is one way (STYLE: make the rule executable): each module imports only earlier layers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# config → template; inbox → discover → read → normalise → validate → score → consolidate → write.
LAYERS: dict[str, float] = {
    "pipeline": 0, "pipeline.vi": 0, "pipeline.vi.text": 0, "pipeline.vi.collation": 0, "pipeline.vi.legacy": 0.5,
    "pipeline.cells": 0, "pipeline.atomic": 0, "pipeline.xlsx": 0, "pipeline.schoolyear": 0, "pipeline.rules": 0,
    "pipeline.fakenames": 0, "pipeline.selfcheck": 0,
    "pipeline.labels": 1, "pipeline.criteria": 2, "pipeline.roster": 2, "pipeline.config": 3,
    "pipeline.template": 4,
    "pipeline.discover": 5, "pipeline.guard": 5, "pipeline.read": 5,
    "pipeline.ingest": 6, "pipeline.normalise": 6,
    "pipeline.validate": 7,
    "pipeline.run": 8,
    "pipeline.score": 9,
    "pipeline.consolidate": 10,
    "pipeline.summary": 11, "pipeline.feedback": 11, "pipeline.marked": 11, "pipeline.manifest": 11,
    "pipeline.write": 12,
    "pipeline.sample": 13, "pipeline.faults": 14, "pipeline.demo": 15,
    "pipeline.bench": 16, "pipeline.cli": 17, "pipeline.__main__": 18,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_every_pipeline_module_has_a_layer() -> None:
    modules = {_module_name(p) for p in (ROOT / "pipeline").rglob("*.py")}
    assert modules == set(LAYERS)


def test_modules_import_only_earlier_layers() -> None:
    wrong = []
    for path in (ROOT / "pipeline").rglob("*.py"):
        name = _module_name(path)
        for imported in _imports(path):
            if imported.startswith("pipeline") and imported != "pipeline":
                if LAYERS[imported] >= LAYERS[name] and LAYERS[name] > 0.5:
                    wrong.append(f"{name} imports {imported}")
                if LAYERS[name] <= 0.5 and LAYERS[imported] > LAYERS[name]:
                    wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_schemas_never_import_the_pipeline() -> None:
    for path in (ROOT / "schemas").rglob("*.py"):
        assert not [m for m in _imports(path) if m.startswith("pipeline")], path
