"""Arbitrary values in every column of the real template, odd file names: every file ends with a status,
nothing raises, no internal error, and the outputs are written (SPEC §9, reliability)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.samples.sample import make_unit_data
from pipeline.template.writer import write_template

YEAR = "2019-2020"
ROOT = Path(__file__).resolve().parents[1]
STATUSES = {"accepted", "accepted_with_errors", "rejected", "superseded", "ignored"}

# What a school's cell can hold: nothing, text of any kind (control characters, formulas, legacy encodings,
# right-to-left marks), numbers far out of range, booleans, dates and times.
VALUES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["=1+1", "=cmd|' /C calc'!A0", "@SUM(A1)", "#N/A", "1.234,5", "12.500", "65%", "HTXSNV", " ",
                     "NguyÔn", "Coâng", "\u200f\u202e", "1e308", "-0", "01/13/2020"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)),
)
# File names as the file system holds them: any text (NFD, right-to-left, emoji, spaces, dots), bytes that are not
# UTF-8 (a zip unpacked from another system), and long names (up to the 255-byte limit).
NAMES = st.one_of(
    st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=80).map(
        lambda text: text.encode("utf-8")),
    st.binary(min_size=1, max_size=60).map(lambda raw: raw.replace(b"/", b"_").replace(b"\x00", b"_")),
    st.integers(150, 240).map(lambda n: ("Báo cáo điển hình " * 20).encode("utf-8")[:n]),
)


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_values_and_any_names_end_with_a_status_for_every_file(config, tmp_path_factory, capsys, data) -> None:
    year = config.for_year(YEAR)
    base = tmp_path_factory.mktemp("fuzz")
    inbox = base / "inbox"
    inbox.mkdir()
    count = data.draw(st.integers(1, 2))
    for n in range(count):
        unit = make_unit_data(year.units.iloc[n], YEAR, seed=n)
        for row in (unit.unit, unit.report, *unit.collectives, *unit.individuals):
            for key in list(row):
                if data.draw(st.booleans()):
                    row[key] = data.draw(VALUES)
        stem = data.draw(NAMES)[:240]
        path = Path(os.fsdecode(os.path.join(os.fsencode(inbox), f"{n}_".encode() + stem + b".xlsx")))
        try:
            write_template(year, path, unit.fill())
        except (OSError, ValueError, TypeError, OverflowError):
            path.write_bytes(b"")  # a value the writer cannot hold: the school's file is empty then
    outbox = base / "outbox"
    capsys.readouterr()
    assert main(["consolidate", "--inbox", str(inbox), "--outbox", str(outbox), "--year", YEAR,
                 "--config", str(ROOT / "config")]) == 0
    import json

    manifest = json.loads((outbox / YEAR / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == count and {f["status"] for f in manifest["files"]} <= STATUSES
    assert (outbox / YEAR / f"TongHop_DienHinh_{YEAR}.xlsx").is_file()
    assert (outbox / YEAR / f"HoSo_DeNghi_{YEAR}.docx").is_file()
    err = capsys.readouterr().err
    assert "Lỗi nội bộ" not in err and "Traceback" not in err and "Warning" not in err, err
