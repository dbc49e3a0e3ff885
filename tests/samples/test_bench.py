"""The benchmark runs end to end and reports every figure (speed is never asserted in tests)."""

from __future__ import annotations

from pathlib import Path

from pipeline.samples.bench import format_results, run_bench


def test_bench_reports_pipeline_floor_and_naive(config, tmp_path: Path) -> None:
    results = run_bench(config, "2019-2020", 3, workdir=tmp_path)
    assert [m.files for m in results] == [3, 3, 3, 3]
    assert all(m.seconds > 0 for m in results)
    assert all(m.peak_mb > 10 for m in results[1:])  # a Python process: measured, not inherited
    assert (tmp_path / "outbox" / "2019-2020" / "TongHop_DienHinh_2019-2020.xlsx").exists()
    text = format_results(results)
    assert "Chương trình / mức sàn:" in text and "Chương trình / cách thông thường:" in text
