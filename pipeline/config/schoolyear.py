"""School years (năm học): parsing the spellings schools use, and arithmetic on them."""

from __future__ import annotations

import re

# "2018-2019", "2018 – 2019", "2018/2019", "2018 - 2019", "Năm học 2018-2019"
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–—/]\s*((?:19|20)\d\d)(?!\d)")


def parse_school_year(text: object) -> str | None:
    """Return the canonical ``YYYY-YYYY`` form of a school year, or None if it is not one.

    Args:
        text: anything a cell may hold.

    Returns:
        ``"2018-2019"`` for any accepted spelling whose second year follows the first; otherwise None.
    """
    if not isinstance(text, str):
        return None
    match = _YEAR_RE.search(text)
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if second != first + 1:
        return None
    return f"{first}-{second}"


def year_start(school_year: str) -> int:
    """The calendar year a canonical school year starts in (``"2018-2019"`` → 2018)."""
    return int(school_year[:4])


def school_year_of(start: int) -> str:
    """The canonical school year starting in ``start``."""
    return f"{start}-{start + 1}"


def years_between(first: str, last: str) -> list[str]:
    """Every school year from ``first`` to ``last`` inclusive (empty if last precedes first)."""
    return [school_year_of(y) for y in range(year_start(first), year_start(last) + 1)]
