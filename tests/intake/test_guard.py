"""The guard: every file is checked before a parser sees it (SPEC §5).

Fixtures are made here: genuine files through the project's template writer (and openpyxl, LibreOffice
saves of it), hostile ones by hand, each named after what it does. Nothing hostile is ever given to
python-calamine in this process: it aborts the whole process on some of them.
"""

from __future__ import annotations

import io
import re
import resource
import signal
import subprocess
import sys
import textwrap
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile

from pipeline.intake.discover import MAX_FILE_BYTES
from pipeline.intake.guard import (
    MAX_MEMBERS,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    OLE_MAGIC,
    ZIP_MAGIC,
    GuardFinding,
    Inflated,
    guard_bytes,
    guard_file,
)
from pipeline.intake.read import parser_copy
from tests.libreoffice import needs_libreoffice

YEAR = "2018-2019"
ROOT = Path(__file__).resolve().parents[2]
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
ODS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
            b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            b"<office:body><office:spreadsheet>" + '<table:table table:name="Cá nhân">'.encode())
ODS_TAIL = b"</table:table></office:spreadsheet></office:body></office:document-content>"
ODS_VALUE = (b'<table:table-cell office:value-type="float" office:value="1">'
             b"<text:p>1</text:p></table:table-cell>")
ODS_EMPTY_TAIL = (b'<table:table-row table:number-rows-repeated="1048570">'
                  b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')


def assert_finding(finding: GuardFinding | None, rule: str) -> GuardFinding:
    """The finding has ``rule`` and Vietnamese NFC texts a school can read."""
    assert finding is not None, f"expected {rule}, the file passed"
    assert finding.rule == rule, finding
    for text in (finding.found, finding.expected):
        assert text and unicodedata.is_normalized("NFC", text)
    return finding


# ---- builders


def small_workbook() -> bytes:
    """A genuine one-cell workbook saved by openpyxl."""
    book = openpyxl.Workbook()
    book.active.title = "Tập thể"
    book.active["A1"] = "Tên tập thể"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_member(workbook: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one member's content replaced."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, data if member.filename == name else source.read(member))
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "A1") -> bytes:
    return SHEET_HEAD + f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'.encode()


def xlsx_with_sheet(path: Path, rows: str, dimension: str = "A1") -> Path:
    """A 5 KB workbook whose first sheet holds ``rows`` (raw <sheetData> XML)."""
    path.write_bytes(replace_member(small_workbook(), SHEET, sheet_xml(rows, dimension)))
    return path


def ods_with_rows(path: Path, rows: bytes, manifest_extra: bytes = b"",
                  mimetype: bytes = b"application/vnd.oasis.opendocument.spreadsheet") -> Path:
    """A minimal .ods whose one sheet holds ``rows`` (raw <table:table-row> XML)."""
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                + manifest_extra + b"</manifest:file-entry></manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", ODS_HEAD + rows + ODS_TAIL)
    return path


def zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">' + "".join(f'<c r="{cell}"><v>1</v></c>' for cell in cells) + "</row>"


# ---- genuine files pass


@pytest.fixture(scope="module")
def template(template_factory: Callable[[str], Path]) -> Path:
    return template_factory(YEAR)


def test_genuine_template_passes(template: Path) -> None:
    assert guard_file(template) is None


def test_template_saved_by_openpyxl_passes(template: Path, tmp_path: Path) -> None:
    saved = tmp_path / "openpyxl.xlsx"
    openpyxl.load_workbook(template).save(saved)
    assert guard_file(saved) is None


def test_template_filled_to_the_last_row_with_identical_values_passes(template: Path, tmp_path: Path) -> None:
    """The most compressible genuine file measured (the worst ratio the MAX_RATIO comment cites)."""
    book = openpyxl.load_workbook(template)
    for name, last_row, columns in (("Tập thể", 203, 21), ("Cá nhân", 303, 18)):
        for row_number in range(4, last_row + 1):
            for column in range(1, columns + 1):
                book[name].cell(row_number, column, "Trường THCS Nguyễn Du" if column % 2 else 5)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    assert guard_file(filled) is None


def test_small_workbook_passes(tmp_path: Path) -> None:
    path = tmp_path / "small.xlsx"
    path.write_bytes(small_workbook())
    assert guard_file(path) is None


@needs_libreoffice
@pytest.mark.parametrize("kind", ["ods", "xlsx", "xls", "xlsm"])
def test_a_filled_template_saved_by_libreoffice_passes(libreoffice_copies, kind: str) -> None:
    """LibreOffice ends each .ods sheet with ~1,048,000 repeated empty rows: they are not content (the copies are
    the round-trip test's: tests/intake/conftest.py)."""
    assert guard_file(libreoffice_copies[1][kind]) is None


def test_ods_with_trailing_repeated_empty_rows_passes(tmp_path: Path) -> None:
    rows = b"<table:table-row>" + ODS_VALUE + b"</table:table-row>" + ODS_EMPTY_TAIL
    assert guard_file(ods_with_rows(tmp_path / "ok.ods", rows)) is None


def test_ods_with_repeated_styled_empty_cells_passes(tmp_path: Path) -> None:
    rows = (b"<table:table-row>" + ODS_VALUE + b"</table:table-row>"
            b'<table:table-row table:number-rows-repeated="1048575">'
            b'<table:table-cell table:style-name="ce1" table:number-columns-repeated="16384"/>'
            b"</table:table-row>")
    assert guard_file(ods_with_rows(tmp_path / "styled.ods", rows)) is None


# ---- F04: sheet extents and coordinates


@pytest.mark.parametrize(("rows", "rule"), [
    pytest.param(row(1, "A1") + row(1048576, "XFD1048576"), "F04", id="A1-and-XFD1048576"),
    pytest.param(row(1, "A1") + row(303, "T303"), None, id="template-size"),
    pytest.param(row(1, "A1", "ALL1"), None, id="last-allowed-column"),
    pytest.param(row(1, "A1", "ALM1"), "F04", id="one-column-too-many"),
    pytest.param(row(1, "A1") + row(MAX_ROWS, f"A{MAX_ROWS}"), None, id="last-allowed-row"),
    pytest.param(row(1, "A1") + row(MAX_ROWS + 1, f"A{MAX_ROWS + 1}"), "F04", id="one-row-too-many"),
    pytest.param(row(1, "A1") + row(MAX_ROWS, f"T{MAX_ROWS}"), None, id="area-at-limit"),
    pytest.param(row(1, "A1") + row(MAX_ROWS, f"U{MAX_ROWS}"), "F04", id="area-over-limit"),
    pytest.param(row(1, "A1") + row(10000, "GA10000"), None, id="exact-path-under-limits"),
    pytest.param('<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>', "F04",
                 id="prefixed-far-cell"),
    pytest.param('<row r="1"><c r="A1" s="1"/></row><row r="1048576"><c r="XFD1048576" s="1"/></row>', "F04",
                 id="far-formatted-cell-without-value"),
])
def test_sheet_extent_is_measured_from_the_cells(tmp_path: Path, rows: str, rule: str | None) -> None:
    """The declared dimension says A1, so only the scan of the cells can find how far they go."""
    finding = guard_file(xlsx_with_sheet(tmp_path / "extent.xlsx", rows))
    if rule is None:
        assert finding is None
    else:
        assert "trang «Tập thể»" in assert_finding(finding, rule).found


def test_far_cell_message_names_sheet_cell_and_extent(tmp_path: Path) -> None:
    finding = guard_file(xlsx_with_sheet(tmp_path / "far.xlsx", row(1, "A1") + row(1048576, "XFD1048576")))
    assert assert_finding(finding, "F04").found == (
        "trang «Tập thể» có dữ liệu trải tới ô XFD1048576 (1.048.576 dòng × 16.384 cột)")
    assert "100.000 dòng" in finding.expected and "1.000 cột" in finding.expected


def test_declared_dimension_beyond_limits_is_refused(tmp_path: Path) -> None:
    """openpyxl's read-only mode (pandas' engine) sizes a sheet by its <dimension>."""
    finding = guard_file(xlsx_with_sheet(tmp_path / "dimension.xlsx", row(1, "A1"), "A1:XFD1048576"))
    assert "A1:XFD1048576" in assert_finding(finding, "F04").found


@pytest.mark.parametrize("rows", [
    pytest.param("<row><c><v>1</v></c></row>" * 3, id="rows-without-r"),
    pytest.param('<row><c r="A1"><v>1</v></c></row>', id="row-without-r-cells-with-r"),
    pytest.param('<row r="1"><c><v>1</v></c><c><v>2</v></c></row>', id="cells-without-r"),
    pytest.param('<row r="1"><c r="1A"><v>1</v></c></row>', id="cell-with-invalid-r"),
    pytest.param('<x:row><x:c r="A1"><x:v>1</x:v></x:c></x:row>', id="prefixed-row-without-r"),
])
def test_rows_or_cells_without_coordinates_are_refused(tmp_path: Path, rows: str) -> None:
    """calamine places such cells differently from Excel, and counts them into huge extents."""
    assert_finding(guard_file(xlsx_with_sheet(tmp_path / "no_r.xlsx", rows)), "F04")


@pytest.mark.parametrize("rows", [
    pytest.param(b'<table:table-row table:number-rows-repeated="1048576">' + ODS_VALUE
                 + b"</table:table-row>", id="value-row-repeated"),
    pytest.param(b'<table:table-row><table:table-cell table:number-columns-repeated="16384" '
                 b'office:value-type="float" office:value="1"/></table:table-row>', id="value-cell-repeated"),
    pytest.param(b"<table:table-row>" + ODS_VALUE + b"</table:table-row>"
                 b'<table:table-row table:number-rows-repeated="1048574"><table:table-cell/>'
                 b"</table:table-row>"
                 b'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>' + ODS_VALUE
                 + b"</table:table-row>", id="value-after-empty-repeats"),
    pytest.param(b'<table:table-row table:number-rows-repeated="5000"><table:table-cell '
                 b'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/>'
                 b"</table:table-row>", id="area-over-limit"),
])
def test_ods_repeats_that_carry_values_beyond_limits_are_refused(tmp_path: Path, rows: bytes) -> None:
    """calamine expands repeated cells that hold a value (measured: 5,000 × 1,000 of them took 509 MB)."""
    finding = guard_file(ods_with_rows(tmp_path / "repeats.ods", rows))
    assert "trang «Cá nhân»" in assert_finding(finding, "F04").found


# ---- F03: size and zip bombs


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Workbooks whose sheet is megabytes of zeros deflating ~1000:1: over the total, and over the ratio."""
    folder = tmp_path_factory.mktemp("bombs")
    made = {}
    for kind, mib in (("total", MAX_UNCOMPRESSED_BYTES // (1 << 20) + 56), ("ratio", 16)):
        path = folder / f"{kind}.xlsx"
        path.write_bytes(small_workbook())
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
                archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as member:
            block = b"0" * (1 << 20)
            for _ in range(mib):
                member.write(block)
        made[kind] = path
    return made


@pytest.mark.parametrize(("kind", "words"), [
    ("total", "giải nén 256 MB"),
    ("ratio", "phần xl/worksheets/sheet2.xml"),
])
def test_zip_bomb_is_refused_without_inflating_it(bombs: dict[str, Path], kind: str, words: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    tracemalloc.start()
    try:
        finding = guard_file(bombs[kind])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert words in assert_finding(finding, "F03").found
    assert "tỷ lệ" in finding.found and "200:1" in finding.expected
    assert opened == []  # decided from the zip directory alone
    assert peak < 2 * (1 << 20)


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.write(ZIP_MAGIC)
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    finding = assert_finding(guard_file(path), "F03")
    assert finding.found == "tệp 20,0 MB"
    assert finding.expected.startswith("tệp dưới 20 MB")


def test_zip_with_too_many_members_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "members.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(MAX_MEMBERS + 1):
            archive.writestr(f"x/{number}", b"")
    assert "thành phần" in assert_finding(guard_file(path), "F03").found


# ---- F02: encrypted


def test_encrypted_xlsx_is_refused(template: Path, tmp_path: Path) -> None:
    encrypted = tmp_path / "mat_khau.xlsx"
    with template.open("rb") as plain, encrypted.open("wb") as out:
        OOXMLFile(plain).encrypt("1234", out)
    assert encrypted.read_bytes().startswith(OLE_MAGIC)
    assert assert_finding(guard_file(encrypted), "F02").found == "tệp được đặt mật khẩu (mã hoá)"


def test_encrypted_ods_is_refused(tmp_path: Path) -> None:
    rows = b"<table:table-row>" + ODS_VALUE + b"</table:table-row>"
    path = ods_with_rows(tmp_path / "mat_khau.ods", rows,
                         manifest_extra=b'<manifest:encryption-data manifest:checksum-type="SHA1"/>')
    assert_finding(guard_file(path), "F02")


def test_zip_with_password_protected_member_is_refused(tmp_path: Path) -> None:
    data = bytearray(small_workbook())
    entry = data.find(b"PK\x01\x02")  # the first central directory entry
    data[entry + 8] |= 0x1  # its "encrypted" flag bit
    path = tmp_path / "zip_mat_khau.xlsx"
    path.write_bytes(bytes(data))
    assert_finding(guard_file(path), "F02")


# ---- F01: not a spreadsheet, damaged


def _truncated(template: Path) -> bytes:
    data = template.read_bytes()
    return data[: len(data) // 2]


def _without_directory(template: Path) -> bytes:
    """The members' local headers and data, without the central directory that lists them."""
    data = template.read_bytes()
    return data[: data.find(b"PK\x01\x02")]


def _renamed_workbook_stream(xls: Path) -> bytes:
    """A genuine .xls whose Workbook stream is renamed: an OLE file msoffcrypto does not recognise."""
    return xls.read_bytes().replace("Workbook".encode("utf-16-le"), "Wxrkbook".encode("utf-16-le"))


F01_CASES: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("empty", lambda _: b"", "tệp rỗng"),
    ("random-bytes", lambda _: bytes(range(256)) * 8, "không phải bảng tính"),
    ("text-renamed", lambda _: "Danh sách điển hình\nNguyễn Văn A\n".encode(), "không phải bảng tính"),
    ("html-renamed", lambda _: b"<html><body><table><tr><td>1</td></tr></table></body></html>", "trang web"),
    ("pdf-renamed", lambda _: b"%PDF-1.7\n", "PDF"),
    ("truncated-zip", _truncated, "tệp nén bị hỏng"),
    ("zip-without-directory", _without_directory, "tệp nén bị hỏng"),
    ("zip-magic-only", lambda _: ZIP_MAGIC, "tệp nén bị hỏng"),
    ("ole-magic-only", lambda _: OLE_MAGIC + bytes(100), "tệp Office hỏng"),
]


@pytest.mark.parametrize(("name", "make", "words"), F01_CASES, ids=[case[0] for case in F01_CASES])
def test_not_a_spreadsheet_or_damaged_is_refused(template: Path, tmp_path: Path, name: str,
                                                 make: Callable[[Path], bytes], words: str) -> None:
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(make(template))
    assert words in assert_finding(guard_file(path), "F01").found


@pytest.mark.parametrize(("members", "words"), [
    pytest.param({"ghi_chu.txt": b"hello"}, "không chứa bảng tính", id="plain-zip"),
    pytest.param({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}, "Word",
                 id="docx"),
    pytest.param({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00"}, ".xlsb", id="xlsb"),
    pytest.param({"xl/workbook.xml": b"<workbook/>"}, "không chứa bảng tính", id="no-content-types"),
])
def test_zip_that_is_not_a_workbook_is_refused(tmp_path: Path, members: dict[str, bytes], words: str) -> None:
    assert words in assert_finding(guard_file(zip_with(tmp_path / "x.xlsx", members)), "F01").found


def test_opendocument_text_is_refused(tmp_path: Path) -> None:
    path = ods_with_rows(tmp_path / "van_ban.ods", b"", mimetype=b"application/vnd.oasis.opendocument.text")
    assert "OpenDocument" in assert_finding(guard_file(path), "F01").found


def test_unusual_compression_is_refused(tmp_path: Path) -> None:
    """OOXML and ODF allow only stored and deflated members."""
    path = tmp_path / "bzip2.xlsx"
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as archive:
        for member in source.infolist():
            archive.writestr(member.filename, source.read(member))
    assert "kiểu không chuẩn" in assert_finding(guard_file(path), "F01").found


def test_sheet_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    """A DTD is how entity-expansion (billion laughs) bombs start; Excel never writes one."""
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            + sheet_xml(row(1, "A1")).split(b"?>", 1)[1])
    path = tmp_path / "dtd.xlsx"
    path.write_bytes(replace_member(small_workbook(), SHEET, bomb))
    assert "DOCTYPE" in assert_finding(guard_file(path), "F01").found


@needs_libreoffice
def test_ole_file_that_is_not_a_workbook_is_refused(libreoffice_copies, tmp_path: Path) -> None:
    path = tmp_path / "ole.xls"
    path.write_bytes(_renamed_workbook_stream(libreoffice_copies[1]["xls"]))
    assert_finding(guard_file(path), "F01")


@pytest.mark.parametrize("make", [lambda p: p, lambda p: p / "khong_co.xlsx"], ids=["directory", "missing"])
def test_path_that_is_not_a_readable_file_is_refused(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    assert_finding(guard_file(make(tmp_path)), "F01")


# ---- the guard protects calamine, proven in another process

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pipeline.intake.guard import guard_file
    finding = guard_file(Path(sys.argv[1]))
    if finding is None:
        from python_calamine import CalamineWorkbook
        CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
        print("read")
    else:
        print(finding.rule)
""")


def _limit_memory() -> None:  # pragma: no cover — runs in the child
    """2 GB of address space: the child can only fail, never take the machine's memory."""
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def _run_child(code: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, preexec_fn=_limit_memory, check=False)


def test_guard_stops_the_huge_extent_file_before_calamine(tmp_path: Path) -> None:
    path = xlsx_with_sheet(tmp_path / "far.xlsx", row(1, "A1") + row(1048576, "XFD1048576"))
    child = _run_child(CHILD, path)
    assert (child.returncode, child.stdout.strip()) == (0, "F04"), child.stderr


def test_calamine_alone_aborts_on_the_huge_extent_file(tmp_path: Path) -> None:
    """Why the guard exists (SPEC §5), measured on python-calamine 0.9.1: SIGABRT, no exception.

    If this starts failing after an upgrade, calamine no longer aborts: re-measure before relaxing the guard.
    """
    path = xlsx_with_sheet(tmp_path / "far.xlsx", row(1, "A1") + row(1048576, "XFD1048576"))
    code = ("import sys; from python_calamine import CalamineWorkbook; "
            "CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()")
    assert _run_child(code, path).returncode == -signal.SIGABRT


def test_genuine_template_is_read_after_the_guard(template: Path) -> None:
    child = _run_child(CHILD, template)
    assert (child.returncode, child.stdout.strip()) == (0, "read"), child.stderr


# ---- never raises


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hypothesis") / "file.xlsx"


@settings(max_examples=300, deadline=None)
@given(blob=st.one_of(st.binary(max_size=4096),
                      st.tuples(st.sampled_from([ZIP_MAGIC, OLE_MAGIC]), st.binary(max_size=4096))
                      .map(lambda parts: parts[0] + parts[1])))
def test_guard_never_raises_on_arbitrary_bytes(scratch: Path, blob: bytes) -> None:
    finding = guard_file(_write(scratch, blob))
    assert finding is not None and finding.rule in {"F01", "F02", "F03", "F04"}


WORKBOOK = small_workbook()


@settings(max_examples=300, deadline=None)
@given(changes=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8),
       keep=st.integers(1, len(WORKBOOK)))
def test_guard_never_raises_on_a_damaged_workbook(scratch: Path, changes: list[tuple[int, int]],
                                                   keep: int) -> None:
    data = bytearray(WORKBOOK)
    for position, value in changes:
        data[position] = value
    finding = guard_file(_write(scratch, bytes(data[:keep])))
    assert finding is None or finding.rule in {"F01", "F02", "F03", "F04"}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---- what the guard inflated, the reader parses: without formulas, the values the same


def _values(data: bytes) -> dict[str, list[list[object]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def _parser_copy(data: bytes) -> tuple[bytes, Inflated]:
    seen = Inflated()
    assert guard_bytes(data, seen) is None
    return parser_copy(data, seen), seen


def test_the_parser_reads_a_filled_template_without_its_formulas_and_the_same_values(config, tmp_path: Path) -> None:
    from pipeline.samples.sample import make_unit_data
    from pipeline.template.writer import write_template

    year = config.for_year(YEAR)
    path = tmp_path / "bai_nop.xlsx"
    write_template(year, path, make_unit_data(year.units.iloc[0], YEAR, seed=4).fill())
    data = path.read_bytes()
    copy, seen = _parser_copy(data)
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(io.BytesIO(copy)) as slim:
        assert [m.filename for m in slim.infolist()] == [m.filename for m in original.infolist()]
        assert {m.compress_type for m in slim.infolist()} == {zipfile.ZIP_STORED}
        formulas = sum(original.read(part).count(b"<f>") for part in seen.sheets)
        assert formulas > 500  # the self-checks of every template row
        left = sum(len(re.findall(rb"<f[\s/>]", slim.read(part))) for part in seen.sheets)
        assert left < formulas / 50  # only those a 64 KB piece of the guard's stream happened to cut
        assert b"<formula>" in slim.read("xl/worksheets/sheet3.xml")  # conditional formats are not cells' formulas
        blank = rb'<c r="[A-Z]+\d+" s="\d+"/>'  # a formatted cell with no value: the template's blank rows
        assert len(re.findall(blank, original.read("xl/worksheets/sheet3.xml"))) > 1000
        assert re.findall(blank, slim.read("xl/worksheets/sheet3.xml")) == []
    assert _values(copy) == _values(data)


def test_shared_and_attributed_formulas_keep_their_values() -> None:
    rows = ('<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1*2</f><v>4</v></c><c r="B1"><v>2</v></c>'
            '<c r="C1" t="str"><f aca="false">"x"&amp;"y"</f><v>xy</v></c></row>'
            '<row r="2"><c r="A2"><f t="shared" si="0"/><v>6</v></c><c r="B2"><v>3</v></c>'
            '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>')
    data = replace_member(small_workbook(), SHEET, sheet_xml(rows, "A1:C2"))
    copy, _ = _parser_copy(data)
    assert copy != data
    assert _values(copy) == _values(data)
    assert _values(copy)["Tập thể"][0] == [4.0, 2.0, "xy"]


def test_a_far_formatted_empty_cell_is_seen_though_empty_cells_are_dropped_for_the_parser() -> None:
    data = replace_member(small_workbook(), SHEET, sheet_xml('<row r="1"><c r="A1" s="1"/></row>'
                                                             '<row r="1048576"><c r="XFD1048576" s="1"/></row>'))
    finding = assert_finding(guard_bytes(data, Inflated()), "F04")
    assert "XFD1048576" in finding.found


@pytest.mark.parametrize("rows", [
    '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<f>giữ</f>]]></t></is></c></row>',  # text, not a formula
    '<row r="1"><x:c r="A1"><v>1</v></x:c></row>',  # a prefixed tag: the guard's exact path keeps nothing whole
])
def test_the_parser_reads_the_file_itself_when_a_copy_could_change_it(rows: str) -> None:
    data = replace_member(small_workbook(), SHEET, sheet_xml(rows))
    copy, _ = _parser_copy(data)
    assert copy is data
