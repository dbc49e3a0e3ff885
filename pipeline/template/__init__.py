"""The school template (SPEC §4): its writer and its formula self-checks."""
