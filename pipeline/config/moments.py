"""Named moments of a consolidation, for the kill tests (SPEC §7: a kill at any moment leaves one run's outputs).

``PIPELINE_KILL_AT="<moment>:<file>"`` in the environment makes a run write ``<file>`` when it reaches ``<moment>``
and wait there to be killed, so that a kill -9 lands exactly at that moment — in the run's own process or in a
worker (workers inherit the environment). Without it, a moment costs one dictionary lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

KILL_AT = "PIPELINE_KILL_AT"
MOMENTS = ("read", "summary", "feedback", "complete", "swap")  # reading a file, after the summary, after a unit's
# feedback, the journal written, half-way through the renames


def moment(name: str) -> None:
    """Mark a moment of a consolidation (see :data:`KILL_AT`); nothing happens unless a kill test asks for it."""
    wanted, _, marker = os.environ.get(KILL_AT, "").partition(":")
    if wanted == name and marker:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(600)
