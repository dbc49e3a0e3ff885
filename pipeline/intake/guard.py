"""Guarding: checks a file before any spreadsheet parser sees it (SPEC §5, §9).

python-calamine 0.9.1 aborts the whole process (SIGABRT: it asks for 549 GB) on a 5 KB sheet with a cell
at A1 and one at XFD1048576; openpyxl dies of MemoryError on the same file; a 209 KB zip inflating
1000:1 costs every reader 200+ MB. So before any reader runs, this module checks the format by its magic
bytes, the file size, the sizes the zip directory declares (nothing inflated yet), encryption, and the
extent of every sheet as the readers count it, streaming the sheet XML through regular expressions in
64 KB reads (never a DOM, never a whole part in memory). A member that inflates beyond its declared size
is cut there by zipfile and refused by calamine ("larger than its declared uncompressed size", measured),
so the declared sizes bound what every reader inflates. Every problem is a :class:`GuardFinding`;
nothing here raises on a damaged or hostile file.

The guard is the first line of defence, not the only one: files are also read in worker processes, so
that a crash it did not foresee costs one file (``pipeline.intake.workers``).
"""

from __future__ import annotations

import html
import io
import lzma
import posixpath
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO
from xml.etree.ElementTree import ParseError

import msoffcrypto
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from xlsxwriter.utility import xl_col_to_name

from pipeline.config.limits import LIMITS, MIB, Limits
from pipeline.intake.discover import describe_os_error
from pipeline.vi.numbers import vi_number

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

KIB = 1024

# MAX_FILE_BYTES (discover.py, which must not read larger files even to hash them): the template is 0.2 MB
# empty and 0.25–0.3 MB filled with 300 rows (measured, xlsxwriter, openpyxl and LibreOffice saves); 20 MB
# leaves room for pasted pictures while bounding what one file may cost.
# Sum of the sizes the zip declares once inflated. Measured: the 2018-2019 template declares 2.7 MB,
# filled with 300 rows 3.1 MB, saved by LibreOffice as .xlsx 4.1 MB and as .ods 6.2 MB; 200 MB is 30 times
# that, and about what the SPEC §5 bomb (209 KB inflating 1000:1) cost every reader.
MAX_UNCOMPRESSED_BYTES = LIMITS.uncompressed_bytes  # (the defaults of config/limits.py; the settings may change them)
# Inflated size / compressed size of one zip member. Measured on the 2018-2019 template, worst member:
# 14:1 as written (xlsxwriter, thousands of near-identical formulas); filled with 300 identical rows and
# saved by openpyxl 15.6:1; saved by LibreOffice as .xlsx 19.1:1 and as .ods 29.7:1. 200:1 is a safety
# factor of 6.7 over the worst genuine file; deflate reaches ~1000:1 on a bomb.
MAX_RATIO = LIMITS.ratio
# Apache POI's ZipSecureFile grace size: below 100 KB inflated, any ratio is harmless.
RATIO_GRACE_BYTES = 100 * KIB
# An xlsx has ~15 members, a LibreOffice .ods ~20, each picture adds one.
MAX_MEMBERS = 10_000
# Sheet extent from A1 to the farthest cell, as calamine allocates it (read.py asks for the full area).
# The template's sheets are at most 303 rows × 23 columns; Excel's limit is 1,048,576 × 16,384.
MAX_ROWS, MAX_COLS = LIMITS.rows, LIMITS.cols
# calamine holds every cell of the extent: measured 203 MB for 4.6 million cells (.xlsx) and 509 MB for
# 5 million (.ods); 2 million cells keeps a worker near 100–200 MB.
MAX_CELLS = LIMITS.cells

CHUNK_BYTES = 64 * KIB  # inflated XML is read this much at a time (zlib is fastest at this size, measured)
MAX_PIECE_BYTES = 4 * MIB  # a sheet row (ODS) or text run (xlsx) longer than this is not a spreadsheet
PROLOG_BYTES = 4 * KIB  # where a part's DOCTYPE would be, before the root element
SMALL_PART_BYTES = 10 * MIB  # workbook.xml, relationships, manifest: parsed whole only below this

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# What zipfile raises on a damaged archive, depending on where the damage is.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError, struct.error)

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,9})(?::\$?([A-Za-z]{1,3})\$?(\d{1,9}))?")
# xlsx. Fast path: one search for any <row> or <c> start tag that is not written the way every spreadsheet
# writer we know writes it — `<c r="AB12"` with a small reference (within FZ9999: 182 columns × 9,999 rows,
# under every limit), `<row r="12"` — or that carries a namespace prefix (x:c). None in a piece means every
# cell lies within those bounds and every row has its number, with no object made per cell. Anything else
# (r not the first attribute, a prefix, a large or missing reference) takes the exact path, which captures
# each cell's r="AB12" as letters and digits (("", "") when missing or invalid) and each row's r="12".
_NAME_PREFIX = rb"[^\s<>/:\"']+:"
_SUSPECT = re.compile(rb'<(?:c(?=[\s/>])(?! r="[A-Fa-f]?[A-Za-z]\d{1,4}")|row(?=[\s/>])(?! r="\d)|'
                      + _NAME_PREFIX + rb"(?:c|row)[\s/>])")
_CELL = re.compile(rb"<(?:" + _NAME_PREFIX + rb")?c(?=[\s/>])"
                   rb"(?:[^>]*?\sr\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,9})[\"'])?")
_ROW = re.compile(rb"<(?:" + _NAME_PREFIX + rb")?row(?=[\s/>])(?:[^>]*?\sr\s*=\s*[\"'](\d{1,9})[\"'])?")
_PREFIX = rb"<(?:" + _NAME_PREFIX + rb")?"
# What the parser need not see: a cell's formula, with or without attributes (t="shared", ref=, aca=) or a shared
# formula's reference (<f …/>) — formula text never holds '<' (XML escapes it), so no tag goes with it —; then (a
# second pass over what is left, a tenth of it on the template's list sheets) a cell with a format but no value,
# within the fast path's bounds: a cell beyond them is never dropped, the search below sees it. Prefixed tags stay.
_NOT_PARSED = re.compile(rb'<f(?=[\s/>])[^>]*?(?:/>|>[^<]*</f>)')
_EMPTY = re.compile(rb'<c r="[A-Fa-f]?[A-Za-z]\d{1,4}" s="\d+"/>')
_DIMENSION = re.compile(_PREFIX + rb"dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
# ods: table and row start tags (attribute values may hold '>', in formulas), a whole tag, repeats.
_ODS_TABLE_OR_ROW = re.compile(rb"<table:table(-row)?(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_TAG = re.compile(rb"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d+)[\"']")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d+)[\"']")
_TABLE_NAME = re.compile(rb"table:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ROW_END = b"</table:table-row>"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_REL_ID = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
           "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")


_number = vi_number  # counts in messages, grouped the Vietnamese way


EXPECTED_SPREADSHEET = ("tệp .xlsx, .xlsm, .xls hoặc .ods mở được bằng Excel hoặc LibreOffice "
                        "(mở tệp, chọn Lưu thành .xlsx rồi gửi lại)")
EXPECTED_SIZE = LIMITS.expected_size()  # with the default limits
EXPECTED_PLAIN = "tệp không đặt mật khẩu (mở bằng Excel, gỡ mật khẩu rồi lưu lại)"
EXPECTED_EXTENT = LIMITS.expected_extent()


@dataclass(frozen=True)
class GuardFinding:
    """Why a file must not reach a parser, in words a school understands.

    ``rule`` is ``F01`` (not a spreadsheet, or damaged), ``F02`` (encrypted), ``F03`` (too large, or a
    zip bomb) or ``F04`` (sheet extent too large, or rows and cells without coordinates).
    """

    rule: str
    found: str  # Vietnamese, what was found: "tệp nén 209 KB, giải nén 210 MB (tỷ lệ 1000:1)"
    expected: str  # Vietnamese, what is expected: "tệp dưới 20 MB, …"


@dataclass
class Inflated:
    """What the guard saw while it inflated an .xlsx's worksheets anyway, kept for the reader so that nothing is
    inflated or searched twice (filled in by :func:`guard_bytes`)."""

    error_parts: dict[str, str] = field(default_factory=dict)  # worksheet part → sheet name, if it has error cells
    # worksheet part → its XML without the cells' formulas and formatted empty cells (values are what the reader
    # takes, and a formula cell keeps its value), when the fast path read it whole
    sheets: dict[str, bytes] = field(default_factory=dict)
    partial: bool = False  # a worksheet was not kept (the exact path, CDATA, or a name the zip holds twice)


def guard_file(path: Path, limits: Limits = LIMITS) -> GuardFinding | None:
    """Check one file before any spreadsheet parser opens it (its size first: a huge file is never read).

    Returns:
        None when a parser may read the file; otherwise the first problem found. Never raises on the
        file's content.
    """
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            return GuardFinding("F03", f"tệp {_size(size)}", limits.expected_size())
        data = path.read_bytes()
    except OSError as error:
        return GuardFinding("F01", describe_os_error(error), EXPECTED_SPREADSHEET)
    return guard_bytes(data, limits=limits)


def guard_bytes(data: bytes, seen: Inflated | None = None, limits: Limits = LIMITS) -> GuardFinding | None:
    """Check a file's bytes, as read once, before any spreadsheet parser sees them (see :func:`guard_file`).

    Args:
        seen: when given, receives what the guard saw while inflating an .xlsx's worksheets — the parts that
            hold error cells (``t="e"``) and each part's XML — so that the reader need not inflate them again.
    """
    size = len(data)
    head = data[:512]
    if size == 0:
        return GuardFinding("F01", "tệp rỗng (0 byte)", EXPECTED_SPREADSHEET)
    if size > limits.file_bytes:
        return GuardFinding("F03", f"tệp {_size(size)}", limits.expected_size())
    if head.startswith(ZIP_MAGIC):
        return _guard_zip(io.BytesIO(data), size, seen, limits)
    if head.startswith(OLE_MAGIC):
        return _guard_ole(io.BytesIO(data))
    return GuardFinding("F01", _describe_other(head), EXPECTED_SPREADSHEET)


# ---- formats other than zip and OLE


def _describe_other(head: bytes) -> str:
    """Name what a file that is neither zip nor OLE looks like (many ".xls" files are web pages)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"%pdf"):
        return "tệp PDF, không phải bảng tính"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text or b"excel.sheet" in text:
        return "bảng tính dạng XML 2003 (SpreadsheetML), định dạng cũ không đọc được"
    if text.startswith(b"<") and (b"<html" in text or b"<table" in text or b"<!doctype html" in text):
        return "trang web (HTML) được đặt đuôi bảng tính"
    if text.startswith((b"rar!", b"7z\xbc\xaf")):
        return "tệp nén RAR hoặc 7z, không phải bảng tính"
    if text.startswith(b"{\\rtf"):
        return "văn bản RTF, không phải bảng tính"
    return "nội dung không phải bảng tính Excel hay LibreOffice"


def _guard_ole(handle: BinaryIO) -> GuardFinding | None:
    """An OLE compound file: a legacy .xls, or an encrypted .xlsx (its package is inside)."""
    try:
        office = msoffcrypto.OfficeFile(handle)
        kind = office.format
        encrypted = kind == "ooxml" or office.is_encrypted()
    except Exception:  # noqa: BLE001 — msoffcrypto/olefile raise anything from asserts to struct.error
        return GuardFinding("F01", "tệp Office hỏng hoặc không phải bảng tính Excel", EXPECTED_SPREADSHEET)
    if kind in ("doc97", "ppt97"):
        document = "Word" if kind == "doc97" else "PowerPoint"
        return GuardFinding("F01", f"tài liệu {document}, không phải bảng tính", EXPECTED_SPREADSHEET)
    if encrypted:
        return GuardFinding("F02", "tệp được đặt mật khẩu (mã hoá)", EXPECTED_PLAIN)
    return None


# ---- zip containers: .xlsx, .xlsm, .ods


class _Malformed(Exception):
    """The XML of a part is not what any spreadsheet application writes (message: Vietnamese)."""


def _guard_zip(source: BinaryIO, size: int, seen: Inflated | None, limits: Limits) -> GuardFinding | None:
    try:
        with zipfile.ZipFile(source) as archive:
            return _guard_archive(archive, size, seen, limits)
    except _Malformed as error:
        return GuardFinding("F01", f"dữ liệu bên trong tệp bất thường ({error})", EXPECTED_SPREADSHEET)
    except _ZIP_ERRORS:
        return GuardFinding("F01", "tệp nén bị hỏng hoặc không đầy đủ (có thể chưa tải về hết)",
                            EXPECTED_SPREADSHEET)


def _guard_archive(archive: zipfile.ZipFile, size: int, seen: Inflated | None, limits: Limits
                   ) -> GuardFinding | None:
    """Sizes first (from the zip directory, inflating nothing), then the kind, then the sheets."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        return GuardFinding("F03", f"tệp nén chứa {_number(len(members))} thành phần", limits.expected_size())
    for member in members:
        if member.flag_bits & 0x1:
            return GuardFinding("F02", "tệp nén có mật khẩu", EXPECTED_PLAIN)
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return GuardFinding("F01", f"tệp nén theo kiểu không chuẩn (mã {member.compress_type})",
                                EXPECTED_SPREADSHEET)
    inflated = sum(member.file_size for member in members)
    if inflated > limits.uncompressed_bytes:
        return GuardFinding("F03", f"tệp nén {_size(size)}, giải nén {_size(inflated)} "
                                   f"(tỷ lệ {inflated / size:.0f}:1)", limits.expected_size())
    for member in members:
        if member.file_size > RATIO_GRACE_BYTES and member.file_size > limits.ratio * member.compress_size:
            ratio = member.file_size / max(member.compress_size, 1)
            return GuardFinding("F03", f"tệp nén {_size(size)}, phần {member.filename} giải nén "
                                       f"{_size(member.file_size)} (tỷ lệ {ratio:.0f}:1)", limits.expected_size())
    names = set(archive.namelist())
    if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
        return _guard_xlsx(archive, seen, limits)
    if "mimetype" in names and "content.xml" in names:
        return _guard_ods(archive, limits)
    return GuardFinding("F01", _describe_zip(archive, names), EXPECTED_SPREADSHEET)


def _describe_zip(archive: zipfile.ZipFile, names: set[str]) -> str:
    """Name what a zip that is neither a workbook nor an ODS spreadsheet holds."""
    if "xl/workbook.bin" in names:
        return "bảng tính dạng nhị phân .xlsb, định dạng không đọc được"
    if "word/document.xml" in names:
        return "tài liệu Word, không phải bảng tính"
    if "ppt/presentation.xml" in names:
        return "tài liệu PowerPoint, không phải bảng tính"
    if "mimetype" in names:
        mimetype = _read_small(archive, "mimetype", 200).decode("ascii", "replace").strip()
        return f"tài liệu OpenDocument ({mimetype}), không phải bảng tính"
    return "tệp nén (zip) không chứa bảng tính"


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = SMALL_PART_BYTES) -> bytes:
    """A part, whole, if it is at most ``limit`` bytes inflated; else empty."""
    member = archive.getinfo(name)
    if member.file_size > limit:
        return b""
    with archive.open(member) as stream:
        return stream.read(limit)


def _pieces(stream: IO[bytes], boundary: bytes, *, after: bool) -> Iterator[bytes]:
    """A part's XML in pieces of about CHUNK_BYTES that end at the last ``boundary`` of each read.

    With ``after=False`` a piece ends just before a '<', so no tag is cut in two (tags never contain
    '<': XML forbids it in attribute values); with ``after=True`` it ends just after ``boundary``. The
    prolog must not declare a DTD (the door to entity-expansion bombs; Excel never writes one).

    Raises:
        _Malformed: a DTD, or no boundary for MAX_PIECE_BYTES.

    """
    pending = b""
    first = True
    while chunk := stream.read(CHUNK_BYTES):
        buffer = pending + chunk
        cut = buffer.rfind(boundary, max(0, len(pending) - len(boundary)))
        if cut < 0:
            if len(buffer) > MAX_PIECE_BYTES:
                raise _Malformed("một đoạn dữ liệu dài bất thường")
            pending = buffer
            continue
        cut += len(boundary) if after else 0
        if first and _DOCTYPE.search(buffer, 0, min(cut, PROLOG_BYTES)):
            raise _Malformed("có khai báo DOCTYPE/ENTITY, điều Excel không bao giờ ghi")
        first = False
        yield buffer[:cut]
        pending = buffer[cut:]
    if pending:
        if first and _DOCTYPE.search(pending, 0, PROLOG_BYTES):
            raise _Malformed("có khai báo DOCTYPE/ENTITY, điều Excel không bao giờ ghi")
        yield pending


# ---- xlsx / xlsm


def _guard_xlsx(archive: zipfile.ZipFile, seen: Inflated | None, limits: Limits) -> GuardFinding | None:
    sheet_names = xlsx_sheet_names(archive)
    parts = {m.filename for m in archive.infolist() if _WORKSHEET_PART.fullmatch(m.filename)}
    parts |= set(sheet_names) & set(archive.namelist())
    for member in archive.infolist():  # by ZipInfo: a duplicated name is checked twice, not once
        if member.filename in parts:
            finding = _scan_worksheet(archive, member, sheet_names.get(member.filename, member.filename),
                                      seen, limits)
            if finding is not None:
                return finding
    return None


def xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name (for messages), from workbook.xml and its relationships.

    Returns:
        The names, or {} when those parts cannot be read (messages then name the part).
    """
    try:
        workbook = fromstring(_read_small(archive, "xl/workbook.xml"))
        relations = fromstring(_read_small(archive, "xl/_rels/workbook.xml.rels"))
    except DefusedXmlException as error:
        raise _Malformed("có khai báo DOCTYPE/ENTITY, điều Excel không bao giờ ghi") from error
    except (KeyError, ParseError):
        return {}
    targets: dict[str, str] = {}
    for relation in relations:
        target = relation.get("Target", "")
        if relation.get("Type", "").endswith("/worksheet") and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            targets[relation.get("Id", "")] = posixpath.normpath(path)
    names: dict[str, str] = {}
    for sheet in workbook.iter():
        if sheet.tag in (f"{_NS_MAIN}sheet", f"{_NS_STRICT}sheet"):
            relation_id = sheet.get(_REL_ID[0]) or sheet.get(_REL_ID[1]) or ""
            if relation_id in targets:
                names[targets[relation_id]] = unicodedata.normalize("NFC", sheet.get("name", ""))
    return names


def _scan_worksheet(archive: zipfile.ZipFile, member: zipfile.ZipInfo, sheet: str,
                    seen: Inflated | None, limits: Limits) -> GuardFinding | None:
    """Stream one sheet's XML: declared dimension, rows and cells without coordinates, farthest cell (and,
    for the reader, whether it holds error cells — a piece never cuts a tag, so ``t="e"`` is never split — and
    the XML without what no value comes from: the template repeats its self-checks on every formatted blank row,
    nine tenths of a list sheet, and those are dropped before the searches, which then cover a thirtieth of it)."""
    kept: list[bytes] = []
    with archive.open(member) as stream:
        for number, piece in enumerate(_pieces(stream, b"<", after=False)):
            if seen is not None:
                piece = _EMPTY.sub(b"", _NOT_PARSED.sub(b"", piece))  # a formula a piece end cuts stays, whole
                kept.append(piece)
                if b't="e"' in piece:
                    seen.error_parts[member.filename] = sheet
                seen.partial |= b"<![CDATA[" in piece  # text that may look like a formula: parse the file itself
            if number == 0 and (match := _DIMENSION.search(piece, 0, _find_end(piece, b"sheetData"))):
                finding = _check_dimension(match.group(1).decode("ascii", "replace"), sheet, limits)
                if finding is not None:
                    return finding
            if _SUSPECT.search(piece):
                if seen is not None:
                    seen.error_parts[member.filename] = sheet  # not scanned to its end here: the reader looks itself
                    seen.partial = True
                return _scan_worksheet_exactly(archive, member, sheet, limits)
    if seen is not None:
        seen.partial |= member.filename in seen.sheets  # a name held twice: which one a parser takes is its choice
        seen.sheets[member.filename] = b"".join(kept)
    return None


def _scan_worksheet_exactly(archive: zipfile.ZipFile, member: zipfile.ZipInfo,
                            sheet: str, limits: Limits) -> GuardFinding | None:
    """The slow path, from the start of the part: every row and cell reference, the farthest cell."""
    max_row = max_col = 0
    with archive.open(member) as stream:
        for piece in _pieces(stream, b"<", after=False):
            if b"" in set(_ROW.findall(piece)):
                return GuardFinding("F04", f"trang «{sheet}» có dòng không ghi số dòng (thẻ <row> thiếu r=)",
                                    limits.expected_extent())
            cells = _CELL.findall(piece)
            if not cells:
                continue
            letters, digits = (set(group) for group in zip(*cells, strict=True))
            if b"" in letters:
                return GuardFinding("F04", f"trang «{sheet}» có ô không ghi địa chỉ hợp lệ "
                                           "(thẻ <c> thiếu r=)", limits.expected_extent())
            max_row = max(max_row, *(int(row) for row in digits))
            max_col = max(max_col, *(column_number(column) for column in letters))
            if limits.too_large(max_row, max_col):
                return GuardFinding("F04", f"trang «{sheet}» có dữ liệu trải tới ô "
                                           f"{_corner(max_row, max_col)} ({_extent(max_row, max_col)})",
                                    limits.expected_extent())
    return None


def _find_end(data: bytes, marker: bytes) -> int:
    """Where ``marker`` first occurs in ``data``, or its length."""
    found = data.find(marker)
    return len(data) if found < 0 else found


def _check_dimension(ref: str, sheet: str, limits: Limits) -> GuardFinding | None:
    """The declared used range (openpyxl's read-only mode, pandas' engine, sizes sheets by it)."""
    match = _RANGE.fullmatch(ref.strip())
    if match is None:
        return None
    last_col, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
    rows, cols = int(last_row), column_number(last_col.encode("ascii"))
    if not limits.too_large(rows, cols):
        return None
    return GuardFinding("F04", f"trang «{sheet}» khai báo vùng dữ liệu {ref} ({_extent(rows, cols)})",
                        limits.expected_extent())


def column_number(letters: bytes) -> int:
    """``b"A"`` → 1, ``b"XFD"`` → 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


# ---- ods


def _guard_ods(archive: zipfile.ZipFile, limits: Limits) -> GuardFinding | None:
    if not _read_small(archive, "mimetype", 200).strip().startswith(ODS_MIMETYPE):
        return GuardFinding("F01", _describe_zip(archive, {"mimetype"}), EXPECTED_SPREADSHEET)
    manifest = "META-INF/manifest.xml"
    if manifest in archive.namelist() and b"encryption-data" in _read_small(archive, manifest):
        return GuardFinding("F02", "tệp được đặt mật khẩu (mã hoá)", EXPECTED_PLAIN)
    with archive.open("content.xml") as stream:
        return _scan_ods_content(stream, limits)


def _scan_ods_content(stream: IO[bytes], limits: Limits) -> GuardFinding | None:
    """Follow rows and repeats to the farthest cell with content, a row at a time.

    LibreOffice ends each sheet with ~1,048,000 repeated empty rows of 16,384 repeated empty cells;
    calamine skips those (measured), but it expands repeated cells and rows that hold a value. Rows are
    measured with byte counts, not cell by cell: a genuine .ods has thousands of cells.
    """
    sheet = ""
    row = max_row = max_col = 0
    for piece in _pieces(stream, _ROW_END, after=True):
        position = 0
        while match := _ODS_TABLE_OR_ROW.search(piece, position):
            attributes, position = match.group(2), match.end()
            if match.group(1) is None:  # <table:table …>: a new sheet
                name = _TABLE_NAME.search(attributes)
                raw = (name.group(1) or name.group(2) or b"") if name else b""
                sheet = unicodedata.normalize("NFC", html.unescape(raw.decode("utf-8", "replace")))
                row = max_row = max_col = 0
                continue
            repeat = _repeat(_ROWS_REPEATED, attributes)
            if not attributes.endswith(b"/"):
                end = piece.find(_ROW_END, position)
                end = len(piece) if end < 0 else end
                width = _ods_row_width(piece, position, end)
                position = end
                if width:
                    max_row, max_col = row + repeat, max(max_col, width)
                    if limits.too_large(max_row, max_col):
                        return GuardFinding("F04", f"trang «{sheet}» có dữ liệu (ô lặp lại) trải tới ô "
                                                   f"{_corner(max_row, max_col)} "
                                                   f"({_extent(max_row, max_col)})", limits.expected_extent())
            row += repeat
    return None


def _ods_row_width(piece: bytes, start: int, end: int) -> int:
    """Columns up to the last cell with content in ``piece[start:end]`` (a row's cells); 0 if none.

    A cell has content if it has a value type or any child element (text, annotation): then it is
    written with a closing tag.
    """
    closing = piece.rfind(b"</table:", start, end)
    last = closing + 1 if closing >= 0 else start
    typed = piece.rfind(b"value-type", start, end)
    if typed >= 0:  # up to the end of the start tag holding it: its own repeat counts
        tag = _TAG.match(piece, max(piece.rfind(b"<", start, typed), start))
        last = max(last, tag.end() if tag else end)
    if last == start:
        return 0
    cells = (piece.count(b"<table:table-cell", start, last)
             + piece.count(b"<table:covered-table-cell", start, last))
    extra = sum(_repeat_value(count) - 1 for count in _COLUMNS_REPEATED.findall(piece, start, last))
    return cells + extra


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    """A ``number-…-repeated`` count, 1 when absent."""
    match = pattern.search(attributes)
    return 1 if match is None else _repeat_value(match.group(1))


def _repeat_value(digits: bytes) -> int:
    """The number, or a huge one for absurdly long digit strings (never parsed: int() is quadratic)."""
    return max(int(digits), 1) if len(digits) <= 9 else 10**9


# ---- limits and words


def _corner(rows: int, cols: int) -> str:
    """The cell at the far corner of an extent: ``XFD1048576``."""
    return f"{xl_col_to_name(min(cols, 10**6) - 1)}{rows}"


def _extent(rows: int, cols: int) -> str:
    """``1.048.576 dòng × 16.384 cột``."""
    return f"{_number(rows)} dòng × {_number(cols)} cột"


def _size(count: int) -> str:
    """A byte count as a school reads it: ``512 byte``, ``209 KB``, ``20,5 MB``, ``210 MB``, ``4,0 GB``."""
    if count < KIB:
        return f"{count} byte"
    if count < MIB:
        return f"{round(count / KIB)} KB"
    value, unit = count / MIB, "MB"
    if value >= 1024:
        value, unit = value / 1024, "GB"
    text = f"{value:.1f}".replace(".", ",") if value < 100 else _number(round(value))
    return f"{text} {unit}"
