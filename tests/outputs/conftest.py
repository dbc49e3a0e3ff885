"""One consolidated sample run shared by the tests that read its outputs back (summary, documents, dossier),
and its PDF, printed once through LibreOffice."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pipeline.cli import main
from pipeline.samples.levels import body_config
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


# The period fixture's roster: a merger (02101 + 02102 → 02103 in 2018-2019), a Kỳ Sơn school that joins the city
# (03001, two rows), and a school and an agency more for the moved teacher and the birth year typed one off.
PERIOD_UNITS = ("01001", "02101", "02102", "02103", "03001", "07002", "13002")


@pytest.fixture(scope="session")
def period_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``demo --period`` on a small roster: three consolidated years and their review."""
    base = tmp_path_factory.mktemp("period")
    config = body_config(ROOT / "config", base / "config", {}, PERIOD_UNITS)
    assert main(["demo", "--period", "--config", str(config), "--inbox", str(base / "inbox"), "--outbox",
                 str(base / "outbox"), "--faulty", "0.1", "--seed", "5"]) == 0
    return {"base": base, "config": config, "outbox": base / "outbox",
            "review": base / "outbox" / "TongKet_DienHinh_2017-2018_2019-2020.xlsx"}
