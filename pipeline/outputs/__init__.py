"""Outputs (SPEC §7): everything written to ``outbox/``, atomically and deterministically. They never score."""
