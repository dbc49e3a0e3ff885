"""Shared fixtures: the sample configuration and templates built through the project's own writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.load import Config, load_config
from pipeline.template.writer import build_templates

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config"


@pytest.fixture(scope="session")
def config() -> Config:
    """The sample configuration shipped in config/."""
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="session")
def template_factory(config: Config, tmp_path_factory: pytest.TempPathFactory):
    """Build (once per year) and return the template of a school year."""
    built: dict[str, Path] = {}

    def make(year: str) -> Path:
        if year not in built:
            built[year] = build_templates(config.for_year(year), tmp_path_factory.mktemp(f"outbox-{year}"))[0].path
        return built[year]

    return make
