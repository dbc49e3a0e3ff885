"""Consolidation of exemplar nominations (điển hình tiên tiến) for an education trade union.

Data flows one way: ``config → template`` and
``inbox → discover → read → normalise → validate → score → consolidate → write → outbox``.
The CLI (:mod:`pipeline.cli`) is a thin shell over the stage modules.
"""

from __future__ import annotations

__version__ = "0.1.0"
