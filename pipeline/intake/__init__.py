"""Intake (SPEC §5): every inbox file discovered, guarded, read, normalised, identified and validated."""
