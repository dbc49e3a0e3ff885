"""The layout is the architecture (STYLE): each package imports only packages below it, and only the
orchestrator knows the order of the stages. The rule is executable: a lower layer importing a higher one
fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Highest first: cli > run > samples > template > outputs > scoring > intake > config > schemas | vi.
# The template writer uses the outputs' safe workbook and atomic writes; samples write through the template.
LAYERS: list[tuple[str, ...]] = [
    ("pipeline.__main__",),
    ("pipeline.cli",),
    ("pipeline.run",),
    ("pipeline.samples",),
    ("pipeline.template",),
    ("pipeline.outputs",),
    ("pipeline.scoring",),
    ("pipeline.intake",),
    ("pipeline.config",),
    ("schemas", "pipeline.vi"),
]
BASE = {"pipeline"}  # the package itself (its __version__) may be imported from anywhere
TOP_LEVEL_LIMIT = 6  # modules directly in pipeline/: the orchestrator, the CLI and little else


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


def layer_of(module: str) -> int | None:
    """The layer index of a module of ours (0 = the top), or None for third-party modules and ``pipeline``."""
    if module in BASE:
        return None
    for index, packages in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in packages):
            return index
    return None


def package_of(module: str) -> str | None:
    """The package of the layers that holds ``module`` (``schemas``, ``pipeline.intake``…)."""
    return next((p for packages in LAYERS for p in packages if module == p or module.startswith(p + ".")), None)


def violations(modules: dict[str, set[str]]) -> list[str]:
    """``a imports b`` for every import from a layer above (or, at the bottom, from the other base package:
    schemas and vi stand side by side and never import each other)."""
    wrong = []
    for name, imported in sorted(modules.items()):
        own = layer_of(name)
        for other in sorted(imported):
            theirs = layer_of(other)
            if own is None or theirs is None:
                continue
            if theirs < own or (theirs == own and package_of(other) != package_of(name)):
                wrong.append(f"{name} imports {other}")
    return wrong


def _our_modules() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for d in ("pipeline", "schemas") for p in (ROOT / d).rglob("*.py")}


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in _our_modules() if m not in BASE and layer_of(m) is None] == []


def test_packages_import_only_lower_layers() -> None:
    assert violations(_our_modules()) == []


@pytest.mark.parametrize(("module", "imported"), [
    ("pipeline.intake.read", "pipeline.scoring.score"),  # a stage reaching forward
    ("pipeline.scoring.consolidate", "pipeline.run"),  # a stage importing the orchestrator
    ("pipeline.config.load", "pipeline.intake.cells"),
    ("schemas.rules", "pipeline.vi.text"),  # the contract never imports the pipeline
])
def test_a_lower_layer_importing_a_higher_one_is_caught(module: str, imported: str) -> None:
    modules = _our_modules()
    modules[module] = modules[module] | {imported}
    assert violations(modules) == [f"{module} imports {imported}"]


def test_the_top_level_is_small() -> None:
    top = sorted(p.name for p in (ROOT / "pipeline").glob("*.py"))
    assert len(top) <= TOP_LEVEL_LIMIT, top

