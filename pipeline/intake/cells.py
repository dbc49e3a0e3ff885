"""Parsing one cell's value the way Vietnamese schools type it (SPEC §5).

Pure functions that never raise: each returns the parsed value, or None, plus a ``guessed`` flag that
the normaliser turns into a warning. Numbers typed as text follow the Vietnamese convention first
(``,`` decimal, ``.`` or space grouping thousands: ``12.500`` is twelve thousand five hundred); dates are
day-first, never month-first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import NamedTuple

import pandas as pd

EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's 1900 leap-year bug
ERROR_VALUES = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
                "#SPILL!", "#CALC!", "Err:502", "Err:504", "Err:508", "Err:522"}
_UNIT_SUFFIX = re.compile(r"\s*(nghìn\s*đồng|ngàn\s*đồng|nghìn|ngàn|đồng|đ|vnđ|vnd|người|hs|gv|%)\s*$",
                          re.IGNORECASE)
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_DATE = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


class Parsed(NamedTuple):
    """A parsed value (None when it cannot be read) and whether reading it involved a guess."""

    value: object
    guessed: bool = False


def is_missing(value: object) -> bool:
    """Whether a typed value is absent: None, NaN, pandas NA or NaT (text, even empty, is not)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (str, bytes)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # containers: present
        return False


def is_blank(value: object) -> bool:
    """Whether a raw cell is empty (None, empty or whitespace-only text, NaN)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def is_error(value: object) -> bool:
    """Whether a raw cell holds a spreadsheet error value (``#VALUE!``, LibreOffice ``Err:502``…)."""
    return isinstance(value, str) and value.strip() in ERROR_VALUES


def parse_number(value: object) -> Parsed:
    """A number from a cell: numbers as they are; text the Vietnamese way first, then the English way.

    Returns:
        ``Parsed(float | None, guessed)``; text always counts as guessed.
    """
    if isinstance(value, bool):
        return Parsed(None)
    if isinstance(value, (int, float)):
        number = float(value)
        return Parsed(number if math.isfinite(number) else None)
    if not isinstance(value, str):
        return Parsed(None)
    text = value.strip().replace("\u00a0", " ").replace("\u202f", " ")
    text = _UNIT_SUFFIX.sub("", text).strip()
    text = re.sub(r"(?<=\d)[ ](?=\d{3}\b)", "", text)  # "12 500" → "12500"
    if not text:
        return Parsed(None)
    if re.fullmatch(r"[+-]?\d{1,15}", text):  # plain digits typed as text: nothing to guess
        return Parsed(float(text), text != value.strip())
    if _GROUPED_DOT.match(text):  # 12.500 → 12500 (Vietnamese grouping)
        return Parsed(float(text.replace(".", "")), True)
    if "." in text and "," in text:  # the last separator is the decimal one
        if text.rfind(",") > text.rfind("."):
            candidate = text.replace(".", "").replace(",", ".")
        else:
            candidate = text.replace(",", "")
        return _finite(candidate)
    if _GROUPED_COMMA.match(text) and text.count(",") > 1:  # 1,234,567: only grouping is possible
        return _finite(text.replace(",", ""))
    if _PLAIN.match(text):  # 12,5 → 12.5 (Vietnamese decimal comma); 12.5 (English)
        return _finite(text.replace(",", "."))
    return Parsed(None)


def _finite(text: str) -> Parsed:
    try:
        number = float(text)
    except ValueError:
        return Parsed(None)
    return Parsed(number if math.isfinite(number) else None, True)


def parse_date(value: object) -> Parsed:
    """A date from a cell: dates as they are; Excel serials; text as day/month/year, never month-first."""
    if isinstance(value, dt.datetime):
        return Parsed(value.date())
    if isinstance(value, dt.date):
        return Parsed(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if math.isfinite(value) and 1 <= value < 2_958_466:  # up to 9999-12-31
            return Parsed((EXCEL_EPOCH + dt.timedelta(days=int(value))).date(), True)
        return Parsed(None)
    if not isinstance(value, str):
        return Parsed(None)
    text = value.strip()
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        return Parsed(_date_or_none(year, month, day), True)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return Parsed(_date_or_none(year, month, day), True)
    return Parsed(None)


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def as_text(value: object) -> str:
    """A raw cell as text, the way it shows in the sheet (``1978.0`` → ``1978``, dates dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
