"""Reading one submission with python-calamine into one raw frame per sheet, with provenance (SPEC §5).

Sheets are found by tolerant name (case, spaces and diacritics ignored) or, failing that, by their
content; columns by their header labels, never by position. A list sheet becomes a DataFrame at once —
one row per non-empty Excel row (``dong``), one column per canonical key holding the values as the reader
found them — and its column letters are kept once per sheet; the template's formatted blank rows are
dropped in bulk, with no Python object made per cell. A form becomes a one-row frame and the cell of each
field. Reading a file depends on nothing but the file, so that it can run in a worker process.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
from defusedxml import ElementTree
from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum
from xlsxwriter.utility import xl_col_to_name

from pipeline.intake.cells import as_text, is_blank
from pipeline.intake.discover import describe_os_error
from pipeline.intake.guard import Inflated, column_number, xlsx_sheet_names
from pipeline.vi.text import clean_text, loose_key
from schemas.rules import Finding, finding
from schemas.submission import (
    FORM_SHEETS,
    SHEET_COLLECTIVES,
    SHEET_INDIVIDUALS,
    SHEET_LISTS,
    SHEET_META,
    SHEET_MODELS,
    SHEET_REPORT,
    SHEET_UNIT,
    column_specs,
)

HEADER_SEARCH_ROWS = 15  # the header row is among the first rows of a list sheet
FORM_SEARCH_ROWS = 200  # a form's labels are in its first rows…
FORM_SEARCH_COLUMNS = 4  # …and in one of its first columns
CONTENT_SEARCH_ROWS = 60  # a renamed form is recognised by the labels in these rows
OUR_COLUMNS = ("Cần sửa", "Số lỗi")  # the template's self-check columns: ours, never data
REQUIRED_SHEETS = (SHEET_UNIT, SHEET_COLLECTIVES, SHEET_INDIVIDUALS, SHEET_REPORT)
ROW = "dong"  # the Excel row of a list row (0 on a form)


@dataclass(frozen=True)
class RawSheet:
    """One template sheet as found in the file.

    ``rows`` has the column ``dong`` (Excel row) and one column per canonical key found, holding the raw
    values; ``cells`` is key → column letter on a list sheet, key → cell (``B5``) on a form.
    """

    sheet: str  # the template's sheet name
    found_name: str  # the name in the file
    rows: pd.DataFrame
    cells: Mapping[str, str]


@dataclass(frozen=True)
class RawWorkbook:
    """Everything read from one file, before normalisation."""

    file: str
    sheet_names: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)
    hidden_sheets: Mapping[str, str] = field(default_factory=dict)  # _meta / _lists → name found in the file
    sheets: Mapping[str, RawSheet] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    complete: bool = False  # every sheet was read (False when the file could not be opened or a sheet broke)
    saved: dt.datetime | None = None  # when the school last saved it: its own document properties

    @property
    def rejected(self) -> bool:
        """Whether a file-level problem was found."""
        return any(f.severity == "file" for f in self.findings)

    def form_value(self, sheet: str, key: str) -> object:
        """The raw value of one field of a form (None when the form or the field is missing)."""
        form = self.sheets.get(sheet)
        if form is None or form.rows.empty or key not in form.rows.columns:
            return None
        return form.rows.iloc[0][key]


def _header_keys(specs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Loose header spelling → column key, from labels, short labels, keys and aliases."""
    keys: dict[str, str] = {}
    for key, meta in specs.items():
        for spelling in (meta["label"], meta.get("short"), key, *meta.get("aliases", ())):
            if spelling:
                keys.setdefault(loose_key(str(spelling)), key)
    return keys


HEADER_KEYS = {sheet: _header_keys(column_specs(model)) for sheet, model in SHEET_MODELS.items()}
SPECS = {sheet: column_specs(model) for sheet, model in SHEET_MODELS.items()}


def read_workbook(path: Path, relative: str, data: bytes | None = None, seen: Inflated | None = None) -> RawWorkbook:
    """Read one submission.

    Args:
        path: the file (already passed :func:`pipeline.intake.guard.guard_file`).
        relative: its path relative to the inbox, for messages.
        data: the file's bytes as already read (and guarded, and hashed): parsed instead of the path, so that
            what was checked is what is read.
        seen: what the guard saw inflating the worksheets of ``data`` (None: look at every sheet again).

    Returns:
        The raw workbook; problems that stop reading are file-level findings in it, never exceptions.
    """
    try:
        parsed = parser_copy(data, seen) if data is not None and seen is not None else data
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(parsed)) if parsed is not None else _open(path)
    except PasswordError:
        return RawWorkbook(relative, findings=(finding("F02", relative, "reader"),))
    except Exception as error:  # noqa: BLE001 — calamine raises several types for a damaged file
        return RawWorkbook(relative, findings=(finding("F01", relative, "open", error=_explain(error)),))
    findings: list[Finding] = []
    try:
        return replace(_read_sheets(workbook, relative, findings, data, seen),
                       saved=last_saved(io.BytesIO(data) if data is not None else path))
    except Exception as error:  # noqa: BLE001 — a damaged sheet must cost one file, never the run
        findings.append(finding("F01", relative, "sheet", error=_explain(error)))
        return RawWorkbook(relative, findings=tuple(findings))
    finally:
        workbook.close()


def parser_copy(data: bytes, seen: Inflated) -> bytes:
    """The .xlsx as the parser reads it: the worksheets as the guard kept them (inflated, without their cells'
    formulas and formatted empty cells: see :class:`pipeline.intake.guard.Inflated`), every part stored
    uncompressed — so that nothing is inflated twice and the template's blank rows cost the parser nothing.
    ``data`` itself when the guard did not keep every worksheet, or the zip holds a name twice."""
    if seen.partial or not seen.sheets:
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len({m.filename for m in members}) != len(members):
                return data
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
                for member in members:
                    xml = seen.sheets.get(member.filename)
                    copy.writestr(member.filename, xml if xml is not None else archive.read(member))
    except Exception:  # noqa: BLE001 — the guard let the file through; the parser then says what is wrong with it
        return data
    return out.getvalue()


def _open(path: Path) -> CalamineWorkbook:
    """The workbook, by path; by its bytes when the name is not valid UTF-8 (python-calamine takes UTF-8 paths)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    return CalamineWorkbook.from_path(str(path))


# Where each kind of file keeps the time it was last saved (Excel, LibreOffice and WPS write it at save).
_SAVED_AT = {"docProps/core.xml": "{http://purl.org/dc/terms/}modified",
             "meta.xml": "{http://purl.org/dc/elements/1.1/}date"}
_PROPERTIES_LIMIT = 1 << 20


def last_saved(path: Path | IO[bytes]) -> dt.datetime | None:
    """The time the workbook was last saved, from its own document properties (UTC, no time zone attached,
    so that the result does not depend on the machine's zone); None when it has none (``.xls``, or a file
    written by a program that leaves it out)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member, tag in _SAVED_AT.items():
                try:
                    info = archive.getinfo(member)
                except KeyError:
                    continue
                if info.file_size > _PROPERTIES_LIMIT:
                    return None
                element = ElementTree.fromstring(archive.read(info)).find(f".//{tag}")
                if element is None or not (element.text or "").strip():
                    return None
                moment = dt.datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
                if moment.tzinfo is not None:
                    moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
                return moment
    except Exception:  # noqa: BLE001 — the properties are a hint; a file without readable ones has none
        return None
    return None


def _explain(error: Exception) -> str:
    """Why the reader could not go on, in words (never an exception's English name)."""
    if isinstance(error, OSError):
        return describe_os_error(error)
    if isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "tệp nén bị hỏng hoặc chưa tải về hết"
    return "cấu trúc bảng tính không đọc được"


def _read_sheets(workbook: CalamineWorkbook, relative: str, findings: list[Finding],
                 data: bytes | None = None, seen: Inflated | None = None) -> RawWorkbook:
    names = tuple(workbook.sheet_names)
    hidden = tuple(m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible)
    grids = _Grids(workbook, data, seen)
    by_key = {loose_key(name): name for name in names}
    special = {sheet: by_key[loose_key(sheet)] for sheet in (SHEET_META, SHEET_LISTS) if loose_key(sheet) in by_key}
    meta: dict[str, str] = {}
    if SHEET_META in special:
        meta = {clean_text(as_text(row[0])): clean_text(as_text(row[1]))
                for row in grids[special[SHEET_META]][1:] if len(row) >= 2 and not is_blank(row[0])}
    sheets: dict[str, RawSheet] = {}
    taken: set[str] = set()
    for sheet in REQUIRED_SHEETS:
        name = by_key.get(loose_key(sheet))
        if name is None:  # renamed beyond recognition: find it by its content
            name = _sheet_by_content(sheet, grids, names, taken)
        if name is None:
            continue
        taken.add(name)
        if name != sheet:
            findings.append(finding("W06", relative, sheet=name, name=name, template_sheet=sheet))
        if sheet in FORM_SHEETS:
            sheets[sheet] = _read_form(sheet, name, grids[name])
        else:
            sheets[sheet], problems = _read_list(sheet, name, grids[name], relative)
            findings += problems
    return RawWorkbook(relative, names, hidden, meta, special, sheets, tuple(findings), complete=True)


class _Grids(dict[str, list[list[Any]]]):
    """Sheets as lists of rows, each parsed once, on first use (most files need five of their seven sheets).

    python-calamine gives an Excel error cell (#N/A, #DIV/0!) as an empty string; in an .xlsx, whose bytes we
    hold, such cells are found in the sheet's XML (``t="e"``) and given back their error text, so that the
    school reads "#DIV/0!" (R12), not "ô trống".
    """

    def __init__(self, workbook: CalamineWorkbook, data: bytes | None = None, seen: Inflated | None = None) -> None:
        super().__init__()
        self.workbook = workbook
        wanted = data is not None and data[:2] == b"PK" and (seen is None or bool(seen.error_parts))
        self.errors = _error_cells(data, seen) if wanted and data is not None else {}

    def __missing__(self, name: str) -> list[list[Any]]:
        grid = self.workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for (row, col), text in self.errors.get(name, {}).items():
            if row < len(grid) and col < len(grid[row]) and grid[row][col] in ("", None):
                grid[row][col] = text
        self[name] = grid
        return grid


_ERROR_CELL = re.compile(rb'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _error_cells(data: bytes, seen: Inflated | None = None) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name → (row, column) → the error text of every error cell of an .xlsx (empty when none).

    Args:
        seen: what the guard saw: the parts to look in, and their XML where it kept it (only the others are
            inflated again); None: every sheet, from ``data``.
    """
    found: dict[str, dict[tuple[int, int], str]] = {}
    kept = seen.sheets if seen is not None else {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sheets = seen.error_parts if seen is not None else xlsx_sheet_names(archive)
            xml_of = {part: kept[part] if part in kept else archive.read(part)
                      for part in sheets if part in archive.NameToInfo}
    except Exception:  # noqa: BLE001 — the guard let the file through; a part that cannot be read has no errors
        return found
    for part, xml in xml_of.items():
        for attributes, body in _ERROR_CELL.findall(xml) if b't="e"' in xml else ():
            ref, value = _CELL_REF.search(attributes), _VALUE.search(body)
            if ref and value:
                found.setdefault(sheets[part], {})[int(ref.group(2)) - 1, column_number(ref.group(1)) - 1] = (
                    value.group(1).decode("utf-8", "replace"))
    return found


def _sheet_by_content(sheet: str, grids: _Grids, names: tuple[str, ...], taken: set[str]) -> str | None:
    """The sheet whose first rows hold most of ``sheet``'s labels (at least half of them)."""
    keys = HEADER_KEYS[sheet]
    wanted = len(set(keys.values()))
    best, best_hits = None, wanted / 2
    for name in names:
        if name in taken:
            continue
        grid = grids[name]
        if sheet in FORM_SHEETS:
            cells = [row[c] for row in grid[:CONTENT_SEARCH_ROWS] for c in range(min(FORM_SEARCH_COLUMNS, len(row)))]
        else:
            cells = [cell for row in grid[:HEADER_SEARCH_ROWS] for cell in row]
        hits = len({keys[k] for k in (_label_key(c) for c in cells) if k in keys})
        if hits > best_hits:
            best, best_hits = name, hits
    return best


_LABEL_KEYS: dict[object, str] = {}  # cell text → loose key: headers and labels repeat in every file
_LABEL_CACHE_LIMIT = 100_000


def _label_key(cell: object) -> str:
    """A header or label cell as a loose key, without the required marker (computed once per distinct text)."""
    if cell == "" or cell is None:
        return ""
    lookup = (type(cell), cell)
    key = _LABEL_KEYS.get(lookup)
    if key is None:
        key = loose_key(as_text(cell).replace("*", ""))
        if len(_LABEL_KEYS) < _LABEL_CACHE_LIMIT:
            _LABEL_KEYS[lookup] = key
    return key


def _read_form(sheet: str, name: str, grid: list[list[Any]]) -> RawSheet:
    """A label/value form: each known label, and the cell to its right."""
    keys = HEADER_KEYS[sheet]
    wanted = len(set(keys.values()))
    values: dict[str, object] = {}
    cells: dict[str, str] = {}
    for r, row in enumerate(grid[:FORM_SEARCH_ROWS]):
        for c in range(min(FORM_SEARCH_COLUMNS, len(row))):
            key = keys.get(_label_key(row[c]))
            if key is None or key in cells:
                continue
            values[key] = row[c + 1] if c + 1 < len(row) else None
            cells[key] = f"{xl_col_to_name(c + 1)}{r + 1}"
            break
        if len(cells) == wanted:  # every label found: the rest of the sheet cannot change the result
            break
    block = np.empty((1, len(values) + 1), dtype=object)
    block[0, :] = [0, *values.values()]
    return RawSheet(sheet, name, pd.DataFrame(block, columns=[ROW, *values], dtype=object, copy=False), cells)


def _read_list(sheet: str, name: str, grid: list[list[Any]], relative: str) -> tuple[RawSheet, list[Finding]]:
    """A list sheet: find the header row, map columns by label, keep the non-empty rows as a frame."""
    keys = HEADER_KEYS[sheet]
    specs = SPECS[sheet]
    findings: list[Finding] = []
    header_index, best = None, 0
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = len({keys[k] for k in (_label_key(c) for c in row) if k in keys})
        if hits > best:
            header_index, best = r, hits
    if header_index is None:
        labels = ", ".join(m["label"] for m in specs.values())
        return RawSheet(sheet, name, _data_rows(grid, 0, {}), {}), [finding("F12", relative, "header", sheet=name,
                                                                          labels=labels)]
    header_row = header_index + 1
    columns: dict[str, int] = {}
    ignored = {loose_key(label) for label in OUR_COLUMNS}
    for c, cell in enumerate(grid[header_index]):
        text = clean_text(as_text(cell))
        if not text:
            continue
        key = keys.get(_label_key(cell))
        where = f"{xl_col_to_name(c)}{header_row}"
        if key is None:
            if _label_key(cell) not in ignored:
                findings.append(finding("W07", relative, "unknown", sheet=name, cell=where, header=text))
            continue
        if key in columns:
            findings.append(finding("W07", relative, "repeated", sheet=name, cell=where, header=text))
            continue
        columns[key] = c
        label = specs[key]["label"]
        if clean_text(text.replace("*", "")).strip() != label:
            findings.append(finding("W07", relative, "renamed", sheet=name, cell=where, column=label, header=text,
                                    label=label))
    missing = [k for k in specs if k not in columns]
    if missing:
        findings.append(finding("F12", relative, sheet=name, cell=f"A{header_row}",
                                columns=", ".join(repr(specs[k]["label"]) for k in missing)))
    if sorted(columns, key=columns.__getitem__) != [k for k in specs if k in columns]:
        findings.append(finding("W07", relative, "order", sheet=name, cell=f"A{header_row}"))
    letters = {key: xl_col_to_name(c) for key, c in columns.items()}
    return RawSheet(sheet, name, _data_rows(grid, header_row, columns), letters), findings


def _data_rows(grid: list[list[Any]], first: int, columns: Mapping[str, int]) -> pd.DataFrame:
    """The rows below the header that hold a value in a mapped column, as a frame with their Excel rows.

    Formatted blank rows are dropped in bulk: calamine gives empty cells as ``""`` (or None), so one
    vectorised comparison finds the rows that may hold data, and only those are looked at value by value
    (a text of spaces is blank too).
    """
    keys = list(columns)
    body = grid[first:]
    if not body or not keys:
        return pd.DataFrame({ROW: pd.Series(dtype="int64"), **{k: pd.Series(dtype=object) for k in keys}})
    width = max(columns.values()) + 1
    block = np.empty((len(body), len(keys)), dtype=object)
    if all(len(row) >= width for row in body):
        block[:, :] = np.array(body, dtype=object)[:, [columns[k] for k in keys]]
    else:  # ragged rows (some writers): pad what is missing
        for r, row in enumerate(body):
            block[r, :] = [row[columns[k]] if columns[k] < len(row) else None for k in keys]
    maybe = ~((block == "") | (block == None)).all(axis=1)  # noqa: E711 — elementwise, not identity
    candidates = np.flatnonzero(maybe)
    keep = [r for r in candidates if not all(is_blank(v) for v in block[r])]
    rows = np.empty((len(keep), len(keys) + 1), dtype=object)
    rows[:, 0] = [r + first + 1 for r in keep]
    rows[:, 1:] = block[keep]
    return pd.DataFrame(rows, columns=[ROW, *keys], dtype=object, copy=False)
