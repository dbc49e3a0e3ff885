"""Scoring (SPEC §6) and consolidation: pure functions, frames in, frames out."""
