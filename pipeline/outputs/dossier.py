"""``HoSo_DeNghi_<năm học>.docx``, the annual dossier (SPEC §7.2), written with python-docx: the TỜ TRÌNH
to the level above with the figures of the consolidation, then the proposal list as a Word table in the shape
of ``Đề nghị biểu dương`` — the official format of §7.1 throughout. Everything in it is computed; staff sign.

Deterministic: the document properties carry a fixed time and the zip entries a fixed date, so a re-run on
the same inbox writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from pipeline.config.year import Settings, YearConfig
from pipeline.outputs.atomic import atomic_path
from pipeline.outputs.official import (
    FONT,
    LIST,
    MOTTO,
    MOTTO_SUB,
    RECIPIENTS_HEAD,
    SIZE,
    SUBMISSION,
    Page,
    addressee_line,
    document_date,
    number_line,
    recipient_lines,
)
from pipeline.outputs.xlsx import FIXED_TIME
from pipeline.scoring.consolidate import Consolidation, proposal_form
from pipeline.scoring.score import COMPREHENSIVE, FIELD
from schemas.scored import Scores
from schemas.submission import CollectiveRow, IndividualRow

LIST_HEADERS = ("TT", "Họ và tên (Tên tập thể)", "Chức vụ", "Đơn vị", "Hình thức đề nghị", "Tóm tắt thành tích",
                "Ghi chú")
LIST_WIDTHS_MM = (12, 38, 24, 40, 40, 86, 12)  # landscape: 252 mm between the margins
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def dossier_path(folder: Path, school_year: str) -> Path:
    """``<folder>/HoSo_DeNghi_<năm học>.docx``."""
    return folder / f"HoSo_DeNghi_{school_year}.docx"


def write_dossier(result: Consolidation, config: YearConfig, path: Path) -> None:
    """Write the dossier atomically."""
    document = docx.Document()
    _base_style(document)
    properties = document.core_properties
    properties.title = f"Tờ trình đề nghị biểu dương điển hình tiên tiến năm học {result.school_year}"
    properties.author = properties.last_modified_by = "Công đoàn Giáo dục tỉnh"
    properties.created = properties.modified = FIXED_TIME
    properties.revision = 1
    settings = config.settings
    section = document.sections[0]
    _page(section, Page(landscape=False), first=True)
    _submission(document, result, settings)
    landscape = document.add_section(WD_SECTION.NEW_PAGE)
    _page(landscape, Page(landscape=True), first=False)
    rows = _list(document, result, settings)
    with atomic_path(path) as temporary:
        temporary.write_bytes(saved(document, [rows]))


@dataclass(frozen=True)
class Splice:
    """Rows written as WordprocessingML text into the saved document, in place of a placeholder row."""

    mark: str  # the placeholder row's only text
    xml: str


def saved(document: Any, splices: Sequence[Splice] = ()) -> bytes:
    """The document's package, its rows spliced in, every entry dated ZIP_TIME (python-docx stamps the time of
    saving)."""
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = _spliced(data.decode("utf-8"), splices).encode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def _spliced(xml: str, splices: Sequence[Splice]) -> str:
    for splice in splices:
        at = xml.index(splice.mark)
        start, end = xml.rindex("<w:tr>", 0, at), xml.index("</w:tr>", at) + len("</w:tr>")
        xml = xml[:start] + splice.xml + xml[end:]
    return xml


def _base_style(document: Any) -> None:
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(SIZE["body"] + 1)  # body text 13–14 pt: 14 in Word, as the offices write it
    normal.font.color.rgb = RGBColor(0, 0, 0)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _page(section: Any, page: Page, *, first: bool) -> None:
    """A4, the margins of NĐ 30, the page number centred in the header from page 2 (``first``: this section
    holds the document's first page, which has none)."""
    long, short = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if page.landscape else (short, long)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.header_distance = Mm(page.header)
    section.different_first_page_header_footer = first
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(paragraph)
    if first:
        section.first_page_header.is_linked_to_previous = False


def _page_number(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _text(paragraph: Paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False,
          underline: bool = False) -> Paragraph:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold, run.font.italic, run.font.underline = bold, italic, underline
    run.font.name = FONT
    return paragraph


def _line(cell: _Cell, size: float, *, text: str = "", align: Any = WD_ALIGN_PARAGRAPH.CENTER, first: bool = False,
          **style: bool) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    return _text(paragraph, text, size, **style)


def _short_rule(cell: _Cell, width_mm: float, rule_mm: float) -> None:
    """The short solid line under the issuing body: an empty paragraph with a bottom border, indented to
    ``rule_mm`` and centred in a cell ``width_mm`` wide."""
    paragraph = cell.add_paragraph()
    indent = Mm((width_mm - rule_mm) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _borderless(table: Any) -> None:
    _borders(table, "nil")


def _borders(table: Any, value: str) -> None:
    """Every border of a table: ``nil`` (the header blocks, the signature) or ``single`` (the list — set on the
    table itself, since LibreOffice does not always apply the "Table Grid" style's)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            for key, setting in (("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
                element.set(qn(key), setting)
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _widths(table: Any, widths_mm: tuple[float, ...]) -> None:
    """Column widths that Word and LibreOffice both keep: the grid's and every cell's."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(_cells(row), widths_mm):
            cell.width = Mm(width)


def _header(document: Any, settings: Settings, kind: Any, day: dt.date) -> None:
    """Both header blocks in a borderless two-column table: issuing body left, motto right."""
    left_mm, right_mm = 70.0, 95.0
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    _no_cell_margins(table)  # the motto needs ~91 mm and the issuing body ~66 mm of the 165 mm
    _widths(table, (left_mm, right_mm))
    left, right = table.rows[0].cells
    _line(left, SIZE["parent"], text=settings.parent_body, first=True)
    _line(left, SIZE["issuing"], text=settings.issuing_body, bold=True)
    _short_rule(left, left_mm, left_mm * 0.35)
    _line(left, SIZE["number"], text=number_line(kind, settings)).paragraph_format.space_before = Pt(6)
    _line(right, SIZE["motto"], text=MOTTO, bold=True, first=True)
    _line(right, SIZE["motto_sub"], text=MOTTO_SUB, bold=True, underline=True)
    _line(right, 4)  # the space the short line takes on the left
    date = _line(right, SIZE["date"], text=document_date(settings.place, day), italic=True)
    date.paragraph_format.space_before = Pt(6)


def _centred(document: Any, text: str, size: float, *, bold: bool = False, before: float = 0) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(before)
    return _text(paragraph, text, size, bold=bold)


def _body(document: Any, text: str) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(12.7)
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.line_spacing = 1.15
    return _text(paragraph, text, SIZE["body"] + 1)


def _signature(container: Any, settings: Settings, widths_mm: tuple[float, float]) -> None:
    """``Nơi nhận`` on the left, level with the signature block on the right; the row never splits."""
    table = container.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, widths_mm)
    left, right = table.rows[0].cells
    _keep_row(table.rows[0])
    _line(left, SIZE["recipients_head"], text=RECIPIENTS_HEAD, align=WD_ALIGN_PARAGRAPH.LEFT, first=True, bold=True,
          italic=True)
    for entry in recipient_lines(settings):
        _line(left, SIZE["recipients"], text=entry, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, SIZE["sign"], text=settings.sign_on_behalf, first=True, bold=True)
    _line(right, SIZE["sign"], text=settings.sign_title, bold=True)
    for _ in range(4):
        _line(right, SIZE["sign"])
    _line(right, SIZE["sign"], text=settings.sign_name, bold=True)


def _list_table(container: Any, *, header: bool) -> Any:
    """A table in the shape of ``Đề nghị biểu dương`` (in the document or in a cell); with ``header``, its
    header row repeats on every page."""
    table = container.add_table(rows=1 if header else 0, cols=len(LIST_HEADERS))
    table.style = "Table Grid"
    _borders(table, "single")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if header:
        row = table.rows[0]
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, text in zip(row.cells, LIST_HEADERS):
            _line(cell, SIZE["table"], text=text, first=True, bold=True)
    return table


def _list_rows(table: Any, entries: list[tuple[str, list[str]]], *, keep_last: int = 0) -> Splice:
    """The list's rows, as WordprocessingML text spliced into the saved document (:func:`saved`) in place of the
    placeholder row appended here: python-docx's cell-by-cell API costs about a millisecond a cell, and as parsed
    elements a national list of 20,000 rows held 400 MB. The last ``keep_last`` rows keep with what follows."""
    size = int(SIZE["table"] * 2)  # half-points
    widths = [round(w / 25.4 * 1440) for w in LIST_WIDTHS_MM]  # twips

    def cell(text: str, width: int, align: str, keep: bool, *, bold: bool = False, span: int = 1) -> str:
        spanned = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        run = f"<w:rPr>{'<w:b/>' if bold else ''}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>"
        return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{spanned}</w:tcPr><w:p><w:pPr>'
                f'{"<w:keepNext/>" if keep else ""}<w:jc w:val="{align}"/></w:pPr><w:r>{run}'
                f'<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r></w:p></w:tc>')

    rows = []
    for index, (kind, texts) in enumerate(entries):
        keep = index >= len(entries) - keep_last
        if kind == "section":
            rows.append(f"<w:tr>{cell(texts[0], sum(widths), 'left', keep, bold=True, span=len(widths))}</w:tr>")
        else:
            rows.append("<w:tr>" + "".join(cell(text, width, "center" if col == 0 else "left", keep)
                                           for col, (text, width) in enumerate(zip(texts, widths))) + "</w:tr>")
    mark = f"@@rows-{len(table._tbl.tr_lst)}-{id(table)}@@"
    table._tbl.append(parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:p><w:r><w:t>{mark}</w:t></w:r></w:p></w:tc></w:tr>'))
    return Splice(mark, "".join(rows))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """School text as XML character data: escaped, without the control characters XML cannot hold."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=False)


def _no_cell_margins(table: Any) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def _cells(row: Any) -> list[_Cell]:
    """A row's cells, from its own XML: python-docx's ``row.cells`` lays out the whole table each time (quadratic
    in the rows of a list of thousands)."""
    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _keep_row(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _counts(result: Consolidation) -> dict[str, int]:
    figures = dict(result.figures)
    return {label: int(value) for label, value in figures.items() if isinstance(value, int)}


def _kinds(frame: Any) -> str:
    """"10 điển hình toàn diện, 34 điển hình trên lĩnh vực (theo lĩnh vực đơn vị chọn: Dạy và học 8, …)"."""
    classes = Counter(frame[Scores.xep_loai])
    fields = Counter(str(v) for v in frame[CollectiveRow.linh_vuc].dropna())
    chosen = ", ".join(f"{field} {n}" for field, n in sorted(fields.items(), key=lambda item: (-item[1], item[0])))
    text = f"{classes[COMPREHENSIVE]} điển hình toàn diện, {classes[FIELD]} điển hình trên lĩnh vực"
    return f"{text} (theo lĩnh vực đơn vị chọn: {chosen})" if chosen else text


def _submission(document: Any, result: Consolidation, settings: Settings) -> None:
    """The TỜ TRÌNH: header, title, summary, Kính gửi, the account of the selection, signature."""
    year = result.school_year
    _header(document, settings, SUBMISSION, result.document_date)
    _centred(document, SUBMISSION.title, SIZE["title"], bold=True, before=18)
    _centred(document, f"Về việc đề nghị biểu dương tập thể, cá nhân điển hình tiên tiến năm học {year}",
             SIZE["summary"], bold=True)
    _centred(document, addressee_line(settings), SIZE["addressee"], before=12).paragraph_format.space_after = Pt(12)
    n = _counts(result)
    collectives, people = result.collectives, result.individuals
    c_whole = int((collectives[Scores.xep_loai] == COMPREHENSIVE).sum())
    c_field = int((collectives[Scores.xep_loai] == FIELD).sum())
    p_whole = int((people[Scores.xep_loai] == COMPREHENSIVE).sum())
    p_field = int((people[Scores.xep_loai] == FIELD).sum())
    proposed_c, proposed_p = len(result.proposals_collective), len(result.proposals_individual)
    issuing = settings.body_name
    _body(document, f"Thực hiện Kế hoạch xây dựng và nhân rộng điển hình tiên tiến trong học tập và làm theo tư "
                    f"tưởng, đạo đức, phong cách Hồ Chí Minh giai đoạn 2017 - 2020, Ban Thường vụ {issuing} đã "
                    f"hướng dẫn công đoàn các đơn vị, trường học trực thuộc phát hiện, bồi dưỡng và đề nghị biểu "
                    f"dương các tập thể, cá nhân điển hình tiên tiến năm học {year}.")
    _body(document, f"Đến hạn tổng hợp, {n['Đơn vị đã nộp hợp lệ']}/{n['Đơn vị trong danh mục']} đơn vị đã gửi "
                    f"hồ sơ đúng biểu mẫu ({n['Đơn vị chưa nộp']} đơn vị chưa gửi, {n['Đơn vị có tệp bị từ chối']} "
                    f"đơn vị có tệp không dùng được); các đơn vị đề nghị {len(collectives)} tập thể và {len(people)} "
                    "cá nhân.")
    _body(document, f"Chấm điểm theo tiêu chí của Kế hoạch: {c_whole} tập thể đạt điển hình toàn diện, {c_field} "
                    f"tập thể đạt điển hình trên lĩnh vực; {p_whole} cá nhân đạt điển hình toàn diện, {p_field} cá "
                    f"nhân đạt điển hình trên lĩnh vực. Trong số {proposed_p} cá nhân đề nghị biểu dương có "
                    f"{n['Trong đó nữ']} nữ và {n['Trong đó người dân tộc thiểu số']} người dân tộc thiểu số.")
    if proposed_c:
        _body(document, f"Tập thể đề nghị biểu dương: {_kinds(result.proposals_collective)}.")
    if proposed_p:
        _body(document, f"Cá nhân đề nghị biểu dương: {_kinds(result.proposals_individual)}.")
    closing = _body(document, f"Ban Thường vụ {issuing} kính đề nghị {settings.addressee.rstrip('.')} xem xét, biểu dương "
                    f"{proposed_c} tập thể và {proposed_p} cá nhân điển hình tiên tiến năm học {year} (có danh sách "
                    "kèm theo)./.")
    closing.paragraph_format.keep_with_next = True  # the last lines stay on the signature's page
    document.add_paragraph().paragraph_format.keep_with_next = True
    _signature(document, settings, (80.0, 85.0))


def _list(document: Any, result: Consolidation, settings: Settings) -> Splice:
    """The proposal list, in the shape of ``Đề nghị biểu dương``: the header row repeats on every page; its rows
    are spliced in when the document is saved."""
    _centred(document, LIST.title, SIZE["title"], bold=True)
    _centred(document, f"Tập thể, cá nhân đề nghị biểu dương điển hình tiên tiến năm học {result.school_year}",
             SIZE["summary"], bold=True)
    paragraph = _centred(document, f"(Kèm theo {number_line(SUBMISSION, settings).replace('Số:', 'Tờ trình số')} "
                                   f"ngày {result.document_date:%d/%m/%Y} của Ban Thường vụ {settings.body_name})",
                         SIZE["body"])
    paragraph.runs[0].font.italic = True
    paragraph.paragraph_format.space_after = Pt(10)
    entries: list[tuple[str, list[str]]] = []  # ("section", [title]) or ("row", the cells' texts)
    for section, frame, person in (("I. TẬP THỂ", result.proposals_collective, False),
                                   ("II. CÁ NHÂN", result.proposals_individual, True)):
        entries.append(("section", [f"{section} ({len(frame)})"]))
        for number, record in enumerate(frame.to_dict("records"), start=1):
            entries.append(("row", [str(number), record[IndividualRow.ho_ten] if person else
                                    record[CollectiveRow.ten_tap_the],
                                    (record.get(IndividualRow.chuc_vu) or "") if person else "",
                                    record[Scores.dv_ten_don_vi], proposal_form(record),
                                    record[CollectiveRow.tom_tat] or "", ""]))
    table = _list_table(document, header=True)
    _widths(table, LIST_WIDTHS_MM)  # the grid and the header row; the rows carry their own widths
    # The signature stays with the list's last two rows: they, and the paragraph between, keep with the next.
    # Word honours it; LibreOffice ignores "keep with next" on table rows and may start the signature's page
    # with it alone. (Nesting the rows and the signature in one unsplittable row kept them together there but
    # made LibreOffice drop every border of the list, seen on its PDFs — a list without lines is worse.)
    rows = _list_rows(table, entries, keep_last=2)
    document.add_paragraph().paragraph_format.keep_with_next = True
    _signature(document, settings, (120.0, 132.0))
    return rows
