"""Configuration staff edit in ``config/`` (SPEC §3): loaded and checked once, resolved per school year."""
