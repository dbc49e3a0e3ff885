"""Marked copies: the school's own workbook with the cells that have problems highlighted and commented.

Only for .xlsx/.xlsm files that passed the guard (openpyxl then reads them safely: defusedxml is
installed, sizes are bounded). Macros are not kept: the copy is a plain .xlsx. Written
deterministically (fixed zip and document timestamps) so that a re-run gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.writer.excel import ExcelWriter

from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.xlsx import FIXED_TIME
from schemas.rules import SEVERITY_LABEL, Finding

MARKABLE = (".xlsx", ".xlsm")
UNSAFE_TO_OPEN = {"F01", "F02", "F03", "F04", "F05"}
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
AUTHOR = "Công đoàn ngành"
_ZIP_TIME = FIXED_TIME.timetuple()[:6]


def _save_deterministic(workbook: openpyxl.Workbook, target: Path) -> None:
    """Save through openpyxl, then re-zip every entry with one fixed timestamp (openpyxl stamps now)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, source.read(item))


def marked_path(folder: Path, unit: str, source: Path) -> Path:
    """``phan_hoi/<mã đơn vị>_danh_dau_<tên tệp>.xlsx``."""
    return folder / f"{unit}_danh_dau_{source.stem}.xlsx"


def write_marked_copy(source: Path, findings: Sequence[Finding], target: Path) -> bool:
    """Copy ``source`` with every finding's cell coloured and commented; False if it cannot be marked.

    Args:
        source: the school's file (never modified).
        findings: the findings of that file; those without a cell mark their sheet's tab.
        target: where the copy goes.
    """
    if source.suffix.lower() not in MARKABLE or not any(f.sheet for f in findings):
        return False
    if any(f.rule in UNSAFE_TO_OPEN for f in findings):
        return False  # the guard or the reader refused it: openpyxl must not try either
    try:
        workbook = openpyxl.load_workbook(source)
    except Exception:  # noqa: BLE001 — a file openpyxl cannot open simply gets no marked copy
        return False
    notes: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.sheet in workbook.sheetnames:
            notes.setdefault((finding.sheet, finding.cell), []).append(finding)
    if not notes:
        return False
    for (sheet_name, cell_ref), found in notes.items():
        sheet = workbook[sheet_name]
        error = any(f.severity != "warning" for f in found)
        if not cell_ref:
            sheet.sheet_properties.tabColor = "C00000" if error else "FFC000"
            continue
        cell = sheet[cell_ref]
        cell.fill = ERROR_FILL if error else WARNING_FILL
        text = "\n".join(f"[{f.rule}] {SEVERITY_LABEL[f.severity]}: {f.message()}" for f in found)
        cell.comment = Comment(text, AUTHOR, width=360, height=120)
    workbook.properties.creator = AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    with atomic_path(target) as temporary:
        _save_deterministic(workbook, temporary)
    return True
