"""Driving LibreOffice headless from tests: recalculate a workbook, convert it to PDF or another format.

LibreOffice does not recalculate xlsx formulas on load by default; a private user profile with
``OOXMLRecalcMode = 0`` ("always") makes it recalculate, as Excel does when a school opens the file.
"""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 180

needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


STARTS_AT_ONCE = 2  # LibreOffice processes converting at the same time (the CI machine has two cores)


def convert(source: Path, target_format: str, outdir: Path) -> Path:
    """Convert one workbook; see :func:`convert_many`."""
    return convert_many([source], target_format, outdir)[0]


def convert_many(sources: list[Path], target_format: str, outdir: Path) -> list[Path]:
    """Convert workbooks with LibreOffice (recalculating every formula) into ``outdir``, shared among
    :data:`STARTS_AT_ONCE` LibreOffice processes (one converts one file after the other, on one core).

    Args:
        sources: the workbooks.
        target_format: a ``--convert-to`` filter, e.g. ``"xlsx"``, ``"ods"``, ``"pdf"``.
        outdir: where the converted files go (must differ from the sources' folder for xlsx → xlsx).

    Returns:
        The converted files, in the order of ``sources``.
    """
    shares = [sources[n::STARTS_AT_ONCE] for n in range(STARTS_AT_ONCE) if sources[n::STARTS_AT_ONCE]]
    convert_each([(share, target_format, outdir) for share in shares])
    return [outdir / f"{source.stem}.{target_format.split(':')[0]}" for source in sources]


def convert_each(jobs: list[tuple[list[Path], str, Path]]) -> list[list[Path]]:
    """Several conversions (sources, target format, folder), :data:`STARTS_AT_ONCE` LibreOffice processes at a
    time, each with its own profile; returns each job's converted files."""
    with ThreadPoolExecutor(STARTS_AT_ONCE) as pool:
        return list(pool.map(lambda item: _start(item[0], *item[1]), enumerate(jobs)))


def _start(number: int, sources: list[Path], target_format: str, outdir: Path) -> list[Path]:
    assert SOFFICE is not None
    profile = outdir / f".lo-profile-{number}"  # a LibreOffice profile serves one process at a time
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(outdir), *map(str, sources)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    extension = target_format.split(":")[0]
    converted = [outdir / f"{source.stem}.{extension}" for source in sources]
    for source, target in zip(sources, converted):
        assert target.exists(), f"LibreOffice did not convert {source}: {result.stdout} {result.stderr}"
    return converted
