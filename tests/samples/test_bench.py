"""The benchmark runs end to end and reports every figure (speed is never asserted in tests)."""

from __future__ import annotations

from pathlib import Path

from pipeline.samples.bench import bench_inbox, format_results, run_bench


def test_bench_reports_pipeline_floor_and_naive_and_reuses_its_inbox(config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("pipeline.samples.bench.FLOOR_SAMPLE", 1)  # as at 50,000 files: every n-th file, scaled
    results = run_bench(config, "2019-2020", 2, workdir=tmp_path)
    assert [m.files for m in results] == [2, 2, 2, 2]
    assert results[2].note == results[3].note == "đo trên 1 tệp, nhân 2.0 lần"  # one file of two, for two
    assert all(m.seconds > 0 for m in results)
    assert all(m.peak_mb > 10 for m in results[1:])  # a Python process: measured, not inherited
    assert (tmp_path / "outbox" / "2019-2020" / "TongHop_DienHinh_2019-2020.xlsx").exists()
    stages = results[1].stages
    assert list(stages) == ["config", "discover", "read", "identify", "validate", "score", "summary", "dossier", "feedback",
                            "manifest", "swap"]
    assert 0 < sum(stages.values()) < results[1].seconds  # the stages happen inside the measured run
    text = format_results(results)
    assert "Chương trình / mức sàn:" in text and "Cách thông thường / chương trình:" in text
    assert "Thời gian từng bước của chương trình (giây):" in text and "ghi phản hồi và bản đánh dấu" in text
    # a second bench reuses the generated inbox: nothing generated again, the same files measured
    inbox = sorted(p.name for p in (tmp_path / "inbox").rglob("*") if p.is_file())
    again = bench_inbox(config, "2019-2020", 2, tmp_path)
    assert results[0].seconds > 0 and again.seconds == 0.0 and again.note == "đã có sẵn, không tạo lại"
    assert again.inbox == tmp_path / "inbox" and again.config_dir == config.directory
    assert sorted(p.name for p in (tmp_path / "inbox").rglob("*") if p.is_file()) == inbox
