"""Reading one submission with python-calamine into raw cells with provenance (SPEC §5).

Sheets are found by tolerant name (case, spaces and diacritics ignored) or, failing that, by their
content; columns by their header labels, never by position. Every value keeps its cell (``F12``).
Reading a file depends on nothing but the file, so that it can run in a worker process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum
from xlsxwriter.utility import xl_col_to_name

from pipeline.cells import as_text, is_blank
from pipeline.rules import Finding
from pipeline.vi.text import clean_text, loose_key
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
FORM_SEARCH_COLUMNS = 4  # form labels are in one of the first columns
OUR_COLUMNS = ("Cần sửa", "Số lỗi")  # the template's self-check columns: ours, never data
REQUIRED_SHEETS = (SHEET_UNIT, SHEET_COLLECTIVES, SHEET_INDIVIDUALS, SHEET_REPORT)


@dataclass(frozen=True)
class RawCell:
    """One value as the reader found it, and where."""

    value: object
    cell: str  # "F12"


@dataclass
class RawTable:
    """One template sheet as found in the file: rows of raw cells keyed by canonical column."""

    sheet: str  # the template's sheet name
    found_name: str  # the name in the file
    rows: list[tuple[int, dict[str, RawCell]]] = field(default_factory=list)  # (Excel row, key → cell)
    letters: dict[str, str] = field(default_factory=dict)  # key → column letter (list sheets)


@dataclass
class RawWorkbook:
    """Everything read from one file, before normalisation."""

    file: str
    sheet_names: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    tables: dict[str, RawTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        """Whether a file-level problem was found."""
        return any(f.severity == "file" for f in self.findings)


def _header_keys(specs: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Loose header spelling → column key, from labels, short labels, keys and aliases."""
    keys: dict[str, str] = {}
    for key, meta in specs.items():
        for spelling in (meta["label"], meta.get("short"), key, *meta.get("aliases", ())):
            if spelling:
                keys.setdefault(loose_key(str(spelling)), key)
    return keys


HEADER_KEYS = {sheet: _header_keys(column_specs(model)) for sheet, model in SHEET_MODELS.items()}


def read_workbook(path: Path, relative: str) -> RawWorkbook:
    """Read one submission.

    Args:
        path: the file (already passed :func:`pipeline.guard.guard_file`).
        relative: its path relative to the inbox, for messages.

    Returns:
        The raw workbook; problems that stop reading are file-level findings in it, never exceptions.
    """
    book = RawWorkbook(relative)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        book.findings.append(Finding("F02", relative, found="tệp được đặt mật khẩu", expected="tệp không có mật khẩu"))
        return book
    except Exception as error:  # noqa: BLE001 — calamine raises several types for a damaged file
        book.findings.append(Finding("F01", relative, found=f"lỗi khi mở ({type(error).__name__})",
                                     expected="tệp .xlsx, .xlsm, .xls hoặc .ods lưu bằng Excel hoặc LibreOffice"))
        return book
    try:
        _read_sheets(workbook, book)
    except Exception as error:  # noqa: BLE001 — a damaged sheet must cost one file, never the run
        book.findings.append(Finding("F01", relative, found=f"trang tính hỏng ({type(error).__name__})",
                                     expected="tệp lưu lại được bằng Excel hoặc LibreOffice"))
    finally:
        workbook.close()
    return book


def _read_sheets(workbook: CalamineWorkbook, book: RawWorkbook) -> None:
    book.sheet_names = list(workbook.sheet_names)
    book.hidden = [m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible]
    grids = _Grids(workbook)
    by_key = {loose_key(name): name for name in book.sheet_names}
    meta_name = by_key.get(loose_key(SHEET_META))
    if meta_name is not None:
        book.meta = {clean_text(as_text(row[0])): clean_text(as_text(row[1]))
                     for row in grids[meta_name][1:] if len(row) >= 2 and not is_blank(row[0])}
    taken: set[str] = set()
    for sheet in REQUIRED_SHEETS:
        name = by_key.get(loose_key(sheet))
        if name is None:  # renamed beyond recognition: find it by its content
            name = _sheet_by_content(sheet, grids, book.sheet_names, taken)
        if name is None:
            continue
        taken.add(name)
        if name != sheet:
            book.findings.append(Finding("W06", book.file, sheet=name, found=f'trang tên "{name}"',
                                         expected=f'đã nhận là trang "{sheet}" của biểu mẫu'))
        if sheet in FORM_SHEETS:
            book.tables[sheet] = _read_form(sheet, name, grids[name])
        else:
            book.tables[sheet] = _read_list(sheet, name, grids[name], book)
    missing = [s for s in REQUIRED_SHEETS if s not in book.tables]
    if missing and meta_name is None and len(missing) == len(REQUIRED_SHEETS):
        book.findings.append(Finding("F06", book.file, found=f"các trang {', '.join(book.sheet_names)}",
                                     expected="biểu mẫu Mau_DienHinh do Công đoàn ngành phát hành"))
    elif missing:
        for sheet in missing:
            book.findings.append(Finding("F09", book.file, sheet=sheet, found="không có trang này",
                                         expected=f'trang "{sheet}" như biểu mẫu'))
    if meta_name is None or loose_key(SHEET_LISTS) not in by_key:
        if not missing:
            book.findings.append(Finding("W13", book.file, found="thiếu trang ẩn _meta hoặc _lists",
                                         expected="giữ nguyên các trang ẩn của biểu mẫu"))
    elif meta_name not in book.hidden:
        book.findings.append(Finding("W13", book.file, sheet=meta_name, found="trang _meta đang hiện",
                                     expected="nên dùng biểu mẫu gốc, không sửa trang ẩn"))


class _Grids(dict[str, list[list[Any]]]):
    """Sheets as lists of rows, read on first use (most files need five of their seven sheets)."""

    def __init__(self, workbook: CalamineWorkbook) -> None:
        super().__init__()
        self.workbook = workbook

    def __missing__(self, name: str) -> list[list[Any]]:
        grid = self.workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        self[name] = grid
        return grid


def _sheet_by_content(sheet: str, grids: _Grids, names: list[str], taken: set[str]) -> str | None:
    """The sheet whose first rows hold most of ``sheet``'s labels (at least half of them)."""
    keys = HEADER_KEYS[sheet]
    wanted = len(set(keys.values()))
    best, best_hits = None, wanted / 2
    for name in names:
        if name in taken:
            continue
        grid = grids[name]
        if sheet in FORM_SHEETS:
            cells = [row[c] for row in grid[:60] for c in range(min(FORM_SEARCH_COLUMNS, len(row)))]
        else:
            cells = [cell for row in grid[:HEADER_SEARCH_ROWS] for cell in row]
        hits = len({keys[k] for k in (_label_key(c) for c in cells) if k in keys})
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def _label_key(cell: object) -> str:
    """A header or label cell as a loose key, without the required marker."""
    return loose_key(as_text(cell).replace("*", ""))


def _read_form(sheet: str, name: str, grid: list[list[Any]]) -> RawTable:
    """A label/value form: each known label, and the cell to its right."""
    keys = HEADER_KEYS[sheet]
    table = RawTable(sheet, name)
    cells: dict[str, RawCell] = {}
    for r, row in enumerate(grid[:200]):
        for c in range(min(FORM_SEARCH_COLUMNS, len(row))):
            key = keys.get(_label_key(row[c]))
            if key is None or key in cells:
                continue
            value = row[c + 1] if c + 1 < len(row) else None
            cells[key] = RawCell(value, f"{xl_col_to_name(c + 1)}{r + 1}")
            break
    table.rows = [(0, cells)]
    return table


def _read_list(sheet: str, name: str, grid: list[list[Any]], book: RawWorkbook) -> RawTable:
    """A list sheet: find the header row, map columns by label, keep the non-empty rows."""
    keys = HEADER_KEYS[sheet]
    specs = column_specs(SHEET_MODELS[sheet])
    table = RawTable(sheet, name)
    header_index, best = None, 0
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = len({keys[k] for k in (_label_key(c) for c in row) if k in keys})
        if hits > best:
            header_index, best = r, hits
    if header_index is None:
        book.findings.append(Finding("F12", book.file, sheet=name, found="không có dòng tiêu đề cột",
                                     expected=f"dòng tiêu đề như biểu mẫu ({', '.join(m['label'] for m in specs.values())})"))
        return table
    header = grid[header_index]
    columns: dict[str, int] = {}
    ignored = {loose_key(label) for label in OUR_COLUMNS}
    for c, cell in enumerate(header):
        text = clean_text(as_text(cell))
        if not text:
            continue
        key = keys.get(_label_key(cell))
        letter = xl_col_to_name(c)
        if key is None:
            if _label_key(cell) not in ignored:
                book.findings.append(Finding("W07", book.file, sheet=name, cell=f"{letter}{header_index + 1}",
                                             found=f'cột lạ "{text}"', expected="đã bỏ qua cột này"))
            continue
        if key in columns:
            book.findings.append(Finding("W07", book.file, sheet=name, cell=f"{letter}{header_index + 1}",
                                         found=f'cột "{text}" lặp lại', expected="đã dùng cột đầu tiên, bỏ qua cột này"))
            continue
        columns[key] = c
        label = specs[key]["label"]
        if clean_text(text.replace("*", "")).strip() != label:
            book.findings.append(Finding("W07", book.file, sheet=name, cell=f"{letter}{header_index + 1}",
                                         column=label, found=f'tiêu đề "{text}"', expected=f'đã nhận là cột "{label}"'))
    missing = [k for k in specs if k not in columns]
    if missing:
        book.findings.append(Finding("F12", book.file, sheet=name, cell=f"A{header_index + 1}",
                                     found=f"không có cột {', '.join(repr(specs[k]['label']) for k in missing)}",
                                     expected="đủ các cột của biểu mẫu"))
    order = [k for k in sorted(columns, key=columns.__getitem__)]
    if order != [k for k in specs if k in columns]:
        book.findings.append(Finding("W07", book.file, sheet=name, cell=f"A{header_index + 1}",
                                     found="thứ tự cột khác biểu mẫu", expected="đã đọc các cột theo tiêu đề"))
    table.letters = {key: xl_col_to_name(c) for key, c in columns.items()}
    for r in range(header_index + 1, len(grid)):
        row = grid[r]
        cells = {key: RawCell(row[c] if c < len(row) else None, f"{table.letters[key]}{r + 1}")
                 for key, c in columns.items()}
        if all(is_blank(cell.value) for cell in cells.values()):
            continue  # formatted blank rows: calamine returns them all
        table.rows.append((r + 1, cells))
    return table
