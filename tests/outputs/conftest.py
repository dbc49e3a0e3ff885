"""One consolidated sample run shared by the tests that read its outputs back (summary, documents, dossier),
and its PDF, printed once through LibreOffice."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from tests.libreoffice import SOFFICE, convert

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, openpyxl.Workbook]:
    """A demo inbox of 16 units (a quarter faulty) consolidated: the summary's path and the workbook."""
    base = tmp_path_factory.mktemp("summary")
    assert main(["demo", "--inbox", str(base / "inbox"), "--units", "16", "--faulty", "0.25", "--seed", "8",
                 "--year", YEAR, "--config", str(ROOT / "config")]) == 0
    assert main(["consolidate", "--inbox", str(base / "inbox"), "--outbox", str(base / "outbox"), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    path = base / "outbox" / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx"
    return path, openpyxl.load_workbook(path)


@pytest.fixture(scope="session")
def demo_pdf(demo_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The consolidated workbook as LibreOffice prints it (converted once for every test that looks)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    return convert(demo_run[0], "pdf", tmp_path_factory.mktemp("summary-pdf"))
