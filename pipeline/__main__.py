"""Entry point for ``python -m pipeline``."""

from __future__ import annotations

import sys

from pipeline.cli import main

# Guarded so that importing this module (as tools and some process start methods do) runs nothing.
if __name__ == "__main__":
    sys.exit(main())
