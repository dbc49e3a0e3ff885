"""The official format of the documents that are signed and sent (SPEC §7.1: Nghị định 30/2020/NĐ-CP,
Phụ lục I), independent of the medium: the texts of each element, their sizes, the page, and where pages
break. :mod:`pipeline.outputs.document` lays them out in a worksheet, :mod:`pipeline.outputs.dossier` in Word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.config.year import Settings

FONT = "Times New Roman"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_HEAD = "Nơi nhận:"

# Font size (pt) of each element of the format.
SIZE = {
    "parent": 13, "issuing": 13, "number": 13, "motto": 12, "motto_sub": 13, "date": 14, "title": 14,
    "summary": 14, "addressee": 14, "body": 13, "table": 12, "sign": 14, "recipients_head": 12, "recipients": 11,
}


@dataclass(frozen=True)
class Page:
    """A4 and the margins of NĐ 30 (mm): top and bottom 20–25, left 30–35, right 15–20."""

    landscape: bool = False
    top: float = 20.0
    bottom: float = 20.0
    left: float = 30.0
    right: float = 15.0
    header: float = 10.0  # from the top edge to the page number

    @property
    def width(self) -> float:
        """The printable width, in mm."""
        return (297.0 if self.landscape else 210.0) - self.left - self.right

    @property
    def height(self) -> float:
        """The printable height, in mm."""
        return (210.0 if self.landscape else 297.0) - self.top - self.bottom


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name as printed in the title and its abbreviation in the number."""

    title: str
    code: str


REPORT = Kind("BÁO CÁO", "BC")
LIST = Kind("DANH SÁCH", "DS")
SUBMISSION = Kind("TỜ TRÌNH", "TTr")


def document_date(place: str, day: dt.date) -> str:
    """``Hòa Bình, ngày 05 tháng 01 năm 2020``: a leading zero on days below 10 and on months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(kind: Kind, settings: Settings) -> str:
    """``Số:      /BC-CĐGD``: the number left blank for the office to fill."""
    return f"Số:{' ' * 6}/{kind.code}-{settings.symbol}"


def addressee_line(settings: Settings) -> str:
    """``Kính gửi: Ban Thường vụ Liên đoàn Lao động tỉnh Hòa Bình.``"""
    return f"Kính gửi: {settings.addressee.rstrip('.')}."


def recipient_lines(settings: Settings) -> list[str]:
    """The entries under ``Nơi nhận:``, each ``- …;``, the last ``- Lưu: VT.``"""
    entries = list(settings.recipients)
    return [f"- {entry}{'.' if last else ';'}" for last, entry in ((n == len(entries) - 1, e)
                                                                   for n, e in enumerate(entries))]


class PageFill:
    """Rows laid on pages top to bottom, a new page whenever the next row does not fit what is left (the rule of
    :func:`page_breaks`, kept for a list that has to know its page count as it is written)."""

    def __init__(self, capacity: float, repeat: float = 0.0) -> None:
        self.capacity = capacity
        self.repeat = repeat
        self.used = 0.0
        self.pages = 1

    def add(self, height: float, *, repeated: bool = False) -> bool:
        """Lay a row ``height`` high; ``repeated``: a page it starts also prints the repeated header.

        Returns:
            Whether the row starts a new page.
        """
        new_page = bool(self.used) and self.used + height > self.capacity
        if new_page:
            self.pages += 1
            self.used = self.repeat if repeated else 0.0
        self.used += height
        return new_page


def page_breaks(heights: Sequence[float], capacity: float, *, repeat_from: int | None = None,
                repeat: float = 0.0, keep: Sequence[tuple[int, int]] = ()) -> list[int]:
    """The rows at which a new page starts, so that no page holds more than ``capacity`` and no kept range
    is split (the signature block with the last rows of the list, a chart with its rows).

    Args:
        heights: the height of every row, from row 0.
        repeat_from: the first row after the repeated table header; pages that start at or after it also
            print the header, ``repeat`` high.
        keep: ranges ``(first, end)`` of rows printed on one page (end excluded).

    Returns:
        Row indexes, increasing; each is the first row of a page.
    """
    units: list[tuple[int, int]] = []
    kept = {first: end for first, end in keep}
    row = 0
    while row < len(heights):
        end = max(kept.get(row, row + 1), row + 1)
        units.append((row, min(end, len(heights))))
        row = end
    fill = PageFill(capacity, repeat)
    return [first for first, end in units
            if fill.add(sum(heights[first:end]), repeated=repeat_from is not None and first >= repeat_from)]
