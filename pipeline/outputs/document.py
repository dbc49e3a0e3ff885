"""Signed documents in a worksheet (SPEC §7.1): the official header and signature laid out on a column
grid, every row's height set (so Excel and LibreOffice break pages where we planned), A4 with the
margins of NĐ 30, page numbers centred in the header from page 2, numbered per document.

A document sheet is written top to bottom through :class:`DocumentSheet`: each row is added with its
height, and :meth:`DocumentSheet.finish` places the page breaks so that the signature block stays with the
last rows of the list (Excel ignores manual breaks under "fit to page", so documents print at 100 % on
a grid whose widths fit the page). Excel keeps at most MAX_PAGE_BREAKS manual breaks a sheet (xlsxwriter drops
the rest without a word): a longer document continues on another sheet whose page numbers go on
(``first_page``), as :func:`pipeline.outputs.summary.proposal_list` does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline.config.year import Settings
from pipeline.outputs.official import (
    FONT,
    MOTTO,
    MOTTO_SUB,
    RECIPIENTS_HEAD,
    SIZE,
    Kind,
    Page,
    PageFill,
    addressee_line,
    document_date,
    number_line,
    page_breaks,
    recipient_lines,
)
from pipeline.outputs.xlsx import NUMBER_FORMATS, PAPER_A4

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
PX_PER_MM = 96 / MM_PER_INCH
SIGNING_SPACE = 4  # empty rows between the signer's title and name (≈ 3 cm)
MAX_PAGE_BREAKS = 1023  # manual page breaks Excel keeps in a sheet (xlsxwriter.Worksheet._sort_pagebreaks)
FIT = 0.97  # of a page's printable height filled: a little room for the applications' rounding


def column_mm(width: float) -> float:
    """The printed width of an Excel column ``width`` units wide, at 100 % (7 px a unit and 5 px padding)."""
    return (7 * width + 5) / PX_PER_MM


def line_height(size: float) -> float:
    """The height (pt) of a row holding one line of Times New Roman ``size`` pt."""
    return round(size * 1.17 + 3, 1)


def rows_height(lines: int, size: float) -> float:
    """The height (pt) of a row holding ``lines`` wrapped lines of ``size`` pt (at most Excel's 409 pt)."""
    return min(round(lines * size * 1.17 + 4, 1), 409.0)


def lines_of(text: str, width: float, size: float) -> int:
    """Lines a wrapped text of ``size`` pt takes in a column (or merged range) ``width`` units wide.

    An estimate on the side of more lines, measured on LibreOffice's pages: a unit of width holds about
    one character of Times New Roman 12 pt, and wrapping at spaces loses about three per line."""
    per_line = max(width * 12 / size - 3, 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


@dataclass(frozen=True)
class Grid:
    """The columns of a document sheet and where the header's two blocks sit on them.

    ``line`` are the columns under the issuing body's short line: centred under ``left`` and ⅓–½ of the
    issuing body's printed width (checked by the tests).
    """

    widths: tuple[float, ...]
    left: tuple[int, int]  # first and last column of the issuing body's block
    line: tuple[int, int]  # first and last column of the short line under it
    right: tuple[int, int]  # first and last column of the national motto's block

    @property
    def last(self) -> int:
        return len(self.widths) - 1

    def span(self, first: int, last: int) -> float:
        """The width, in units, of columns ``first``…``last``."""
        return sum(self.widths[first:last + 1])

    def printed_mm(self) -> float:
        return sum(column_mm(w) for w in self.widths)


class _FirstPagePlain(Worksheet):
    """A worksheet whose page header is left off the first page (``differentFirst``): NĐ 30 numbers pages
    from page 2. xlsxwriter writes only the odd header; this adds the attribute Excel and LibreOffice read."""

    def _write_header_footer(self) -> None:
        if not self.header_footer_changed:
            super()._write_header_footer()
            return
        attributes: list[tuple[str, Any]] = [("differentFirst", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        if self.header:
            self._write_odd_header()
        if self.footer:
            self._write_odd_footer()
        self._xml_end_tag("headerFooter")


class DocumentStyles:
    """The formats of every element of the official format (Times New Roman, black, sizes of SIZE)."""

    def __init__(self, workbook: Workbook) -> None:
        def fmt(size: float, **props: Any) -> Format:
            return workbook.add_format({"font_name": FONT, "font_size": size, "font_color": "#000000",
                                        "valign": "top", **props})

        centre = {"align": "center"}
        self.parent = fmt(SIZE["parent"], text_wrap=True, **centre)  # a long body name wraps in its block
        self.issuing = fmt(SIZE["issuing"], bold=True, text_wrap=True, **centre)
        self.line = fmt(SIZE["body"], bottom=1, bottom_color="#000000")
        self.number = fmt(SIZE["number"], **centre)
        self.motto = fmt(SIZE["motto"], bold=True, **centre)
        self.motto_sub = fmt(SIZE["motto_sub"], bold=True, underline=1, **centre)
        self.date = fmt(SIZE["date"], italic=True, **centre)
        self.title = fmt(SIZE["title"], bold=True, **centre)
        self.summary = fmt(SIZE["summary"], bold=True, text_wrap=True, **centre)
        self.addressee = fmt(SIZE["addressee"], **centre)
        self.heading = fmt(SIZE["body"], bold=True)
        self.body = fmt(SIZE["body"], text_wrap=True)
        self.sign = fmt(SIZE["sign"], bold=True, **centre)
        self.recipients_head = fmt(SIZE["recipients_head"], bold=True, italic=True)
        self.recipients = fmt(SIZE["recipients"])
        table = {"font_name": FONT, "font_size": SIZE["table"], "font_color": "#000000", "border": 1,
                 "valign": "top", "text_wrap": True}
        self.table_header = workbook.add_format({**table, "bold": True, "align": "center", "valign": "vcenter"})
        self.table_section = workbook.add_format({**table, "bold": True, "valign": "vcenter"})
        self.table_text = workbook.add_format(table)
        self.table_centre = workbook.add_format({**table, "align": "center"})
        self.table_integer = workbook.add_format({**table, "align": "center", "num_format": NUMBER_FORMATS["integer"]})
        self.table_decimal = workbook.add_format({**table, "align": "center", "num_format": NUMBER_FORMATS["decimal"]})


BOLD_CAPITALS = 1.1  # upper-case (bold) text is about this much wider than the mixed case lines_of measures


class DocumentSheet:
    """One signed document in one worksheet, written top to bottom."""

    def __init__(self, workbook: Workbook, name: str, grid: Grid, page: Page, styles: DocumentStyles, *,
                 first_page: int = 1) -> None:
        """``first_page``: the number of the sheet's first page; a document continued from another sheet
        (above 1) shows its number on that page too."""
        self.sheet: Worksheet = workbook.add_worksheet(
            name, worksheet_class=_FirstPagePlain if first_page == 1 else Worksheet)
        self.grid = grid
        self.page = page
        self.styles = styles
        self.first_page = first_page
        self.heights: list[float] = []
        for col, width in enumerate(grid.widths):
            self.sheet.set_column(col, col, width)

    @property
    def row(self) -> int:
        """The next row to write."""
        return len(self.heights)

    @property
    def capacity(self) -> float:
        """The height (pt) of rows a page holds."""
        return self.page.height * PT_PER_MM * FIT

    def fill(self, repeat: int | None = None) -> PageFill:
        """The pages of the rows written so far, to go on laying rows on (``repeat``: the repeated header row)."""
        fill = PageFill(self.capacity, self.heights[repeat] if repeat is not None else 0.0)
        for row, height in enumerate(self.heights):
            fill.add(height, repeated=repeat is not None and row > repeat)
        return fill

    def add_row(self, height: float) -> int:
        row = self.row
        self.heights.append(height)
        self.sheet.set_row(row, height)
        return row

    def put(self, row: int, cols: tuple[int, int], text: str, fmt: Format) -> None:
        """A text over columns ``cols`` (merged when more than one), always as text."""
        if cols[0] == cols[1]:
            self.sheet.write_string(row, cols[0], text, fmt)
        else:
            self.sheet.merge_range(row, cols[0], row, cols[1], text, fmt)

    def paragraph(self, text: str, fmt: Format | None = None, size: float = SIZE["body"]) -> int:
        """A wrapped paragraph over the whole width, its row as tall as its lines."""
        full = (0, self.grid.last)
        lines = lines_of(text, self.grid.span(*full), size)
        row = self.add_row(rows_height(lines, size))
        self.put(row, full, text, fmt or self.styles.body)
        return row

    def table_row(self, cells: Sequence[tuple[tuple[int, int], Any]], fmt: Format | None = None) -> int:
        """One row of a table: each value over its columns; numbers as numbers, text as text (or all in ``fmt``).
        The row is as tall as its longest wrapped text."""
        lines = max((lines_of(str(v), self.grid.span(*c), SIZE["table"]) for c, v in cells if isinstance(v, str)),
                    default=1)
        row = self.add_row(rows_height(lines, SIZE["table"]))
        styles = self.styles
        for cols, value in cells:
            if fmt is not None:
                self.put(row, cols, "" if value is None else str(value), fmt)
                continue
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            cell_format = (styles.table_integer if float(value).is_integer() else styles.table_decimal) if number \
                else styles.table_text
            if cols[0] != cols[1]:
                self.sheet.merge_range(row, cols[0], row, cols[1], None, cell_format)
            if number:
                self.sheet.write_number(row, cols[0], value, cell_format)
            elif value is None:
                self.sheet.write_blank(row, cols[0], None, cell_format)
            else:
                self.sheet.write_string(row, cols[0], str(value), cell_format)
        return row

    def space(self, height: float = 8.0) -> int:
        return self.add_row(height)

    def head(self, kind: Kind, summary: str, day: dt.date, settings: Settings, *, sent_up: bool) -> None:
        """Both header blocks, the number and the date, the title, the summary and (sent up) ``Kính gửi``."""
        g, s = self.grid, self.styles
        # a body name too long for its block wraps (its row as tall as its lines); NĐ 30 names fit one line
        lines = lines_of(settings.parent_body, g.span(*g.left), SIZE["parent"] * BOLD_CAPITALS)
        row = self.add_row(rows_height(lines, SIZE["parent"]) if lines > 1 else line_height(SIZE["parent"]))
        self.put(row, g.left, settings.parent_body, s.parent)
        self.put(row, g.right, MOTTO, s.motto)
        lines = lines_of(settings.issuing_body, g.span(*g.left), SIZE["issuing"] * BOLD_CAPITALS)
        row = self.add_row(rows_height(lines, SIZE["issuing"]) if lines > 1 else line_height(SIZE["motto_sub"]))
        self.put(row, g.left, settings.issuing_body, s.issuing)
        self.put(row, g.right, MOTTO_SUB, s.motto_sub)
        row = self.add_row(3.0)  # the short solid line under the issuing body: a bottom border
        self.put(row, g.line, "", s.line)
        self.space(6.0)
        row = self.add_row(line_height(SIZE["date"]))
        self.put(row, g.left, number_line(kind, settings), s.number)
        self.put(row, g.right, document_date(settings.place, day), s.date)
        self.space(12.0)
        row = self.add_row(line_height(SIZE["title"]))
        self.put(row, (0, g.last), kind.title, s.title)
        self.paragraph(summary, s.summary, SIZE["summary"])
        if sent_up:
            self.space(8.0)
            self.paragraph(addressee_line(settings), s.addressee, SIZE["addressee"])
        self.space(10.0)

    def signature(self, settings: Settings, left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
        """``Nơi nhận`` on the left level with the signature block on the right; returns its rows."""
        s = self.styles
        entries = recipient_lines(settings)
        first = self.row
        rows = max(len(entries) + 1, 2 + SIGNING_SPACE + 1)
        for offset in range(rows):
            row = self.add_row(line_height(SIZE["sign"]))
            if offset == 0:
                self.put(row, left, RECIPIENTS_HEAD, s.recipients_head)
            elif offset <= len(entries):
                self.put(row, left, entries[offset - 1], s.recipients)
        self.put(first, right, settings.sign_on_behalf, s.sign)
        self.put(first + 1, right, settings.sign_title, s.sign)
        self.put(first + 2 + SIGNING_SPACE, right, settings.sign_name, s.sign)
        return first, self.row

    def finish(self, *, keep: Sequence[tuple[int, int]] = (), repeat: int | None = None) -> list[int]:
        """Page setup of NĐ 30 and the page breaks; ``repeat`` is the table header row printed on every page.

        Returns:
            The rows that start a page (after the first).

        Raises:
            ValueError: more than MAX_PAGE_BREAKS breaks (the caller continues on another sheet).
        """
        sheet, page = self.sheet, self.page
        sheet.set_paper(PAPER_A4)
        sheet.set_landscape() if page.landscape else sheet.set_portrait()
        sheet.set_margins(left=page.left / MM_PER_INCH, right=page.right / MM_PER_INCH,
                          top=page.top / MM_PER_INCH, bottom=page.bottom / MM_PER_INCH)
        sheet.set_header(f'&C&"{FONT},Regular"&{SIZE["table"]}&P', {"margin": page.header / MM_PER_INCH})
        sheet.set_start_page(self.first_page)
        sheet.set_print_scale(100)
        if repeat is not None:
            sheet.repeat_rows(repeat)
        breaks = page_breaks(self.heights, self.capacity, repeat_from=None if repeat is None else repeat + 1,
                             repeat=self.heights[repeat] if repeat is not None else 0.0, keep=keep)
        if len(breaks) > MAX_PAGE_BREAKS:
            raise ValueError(f"{sheet.name}: {len(breaks)} page breaks, Excel keeps {MAX_PAGE_BREAKS}")
        if breaks:
            sheet.set_h_pagebreaks(breaks)
        sheet.print_area(0, 0, max(self.row - 1, 0), self.grid.last)
        sheet.hide_gridlines(2)
        return breaks
