"""Numbers written in Vietnamese text, one way everywhere a user reads them: ``.`` groups thousands, ``,``
is the decimal mark (``1.234``, ``76,8``); years are written without grouping (``2019``).

Cells hold numbers, never these texts: in a cell the same convention comes from the number format
(:data:`pipeline.outputs.xlsx.KINDS`); these are for sentences, prompts and messages.
"""

from __future__ import annotations


def vi_number(number: float) -> str:
    """``1048576`` → ``1.048.576``; ``76.75`` → ``76,75``; at most three decimals, none trailing."""
    whole = f"{number:,.3f}".rstrip("0").rstrip(".")
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")


def vi_bound(number: float, *, year: bool = False) -> str:
    """A bound in a prompt or a message: a year as it is written (``1950``), any other number grouped."""
    return f"{number:.0f}" if year else vi_number(number)
