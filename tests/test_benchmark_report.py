"""benchmarks.report on synthetic rows: the GPU/CPU table, the crossover batch, ties within the spread,
one peak per device, and both input formats (benchmarks.run's JSON lines, pytest-benchmark's JSON)."""

import json

import pytest

from benchmarks import report

MACHINE = "16-core test CPU + test GPU"


def _row(device, batch, median, spread=0.02, model="mnist_mlp", way="train_on_batch", backend="jax", **more):
    """A benchmarks.run case record: median ms/step with an IQR of +-spread (relative)."""
    return {
        "kind": "case", "backend": backend, "device": device, "model": model, "way": way, "batch": batch,
        "samples": batch, "flops": 1e9 * batch, "first_step_s": 1.5, "rounds": 5, "machine": MACHINE,
        "min_ms": median * (1 - 2 * spread), "q1_ms": median * (1 - spread), "median_ms": median,
        "q3_ms": median * (1 + spread), "iqr_ms": 2 * spread * median, **more,
    }  # fmt: skip


# CPU time grows with the batch; the GPU's stays near its launch cost: the CPU wins at 32, the GPU from 256.
MLP = [
    _row("cpu", 32, 1.0),
    _row("gpu", 32, 2.0),
    _row("cpu", 256, 6.0),
    _row("gpu", 256, 2.1),
    _row("cpu", 2048, 48.0),
    _row("gpu", 2048, 3.0),
]


def _rendered(records, **kw):
    rows, peaks, other = report.rows_from_records(records)
    return report.render(rows, peaks, "test", other=other, **kw)


def test_gpu_cpu_pairs_match_devices_named_cpu_and_gpu():
    # Check that rows whose devices are named "cpu" and "gpu" pair up (the old table looked for "gpu:0").
    rows, _, _ = report.rows_from_records(MLP)
    pairs = report.gpu_cpu_pairs(rows)
    assert [(c["batch"], g["batch"]) for c, g in pairs] == [(32, 32), (256, 256), (2048, 2048)]
    assert [round(c["median_ms"] / g["median_ms"], 2) for c, g in pairs] == [0.5, 2.86, 16.0]


def test_speedup_table_renders_one_line_per_pair():
    text = _rendered(MLP)
    assert "## GPU against CPU" in text
    assert "| mnist_mlp | train_on_batch | jax | 32 | 1.00 | 2.00 | 0.5x | CPU |" in text
    assert "| mnist_mlp | train_on_batch | jax | 2048 | 48.00 | 3.00 | 16.0x | GPU |" in text


def test_crossover_is_the_smallest_batch_from_which_the_gpu_always_wins():
    rows, _, _ = report.rows_from_records(MLP)
    (found,) = report.crossovers(rows)
    assert found["crossover"] == 256
    assert found["batches"] == [32, 256, 2048]
    text = _rendered(MLP)
    assert "| mnist_mlp | train_on_batch | jax | 32, 256, 2048 | 256 | 0.5x → 2.9x → 16.0x |" in text
    assert "the GPU is faster beyond the spread from batch 256 (2.9x there, 16.0x at batch 2048)" in text


def test_crossover_ignores_a_gpu_win_inside_the_spread_and_a_later_loss():
    # Check that a GPU "win" whose IQR overlaps the CPU's does not count, and that a win followed by a
    # loss at a larger batch is no crossover.
    records = [
        _row("cpu", 32, 2.0, spread=0.1),
        _row("gpu", 32, 1.9, spread=0.1),  # inside the spread: a tie
        _row("cpu", 256, 10.0),
        _row("gpu", 256, 5.0),
        _row("cpu", 2048, 10.0),
        _row("gpu", 2048, 20.0),
    ]
    rows, _, _ = report.rows_from_records(records)
    (found,) = report.crossovers(rows)
    assert found["crossover"] is None
    assert "the GPU never pulls ahead beyond the spread up to batch 2048" in _rendered(records)
    assert "| mnist_mlp | train_on_batch | jax | 32 | 2.00 | 1.90 | 1.1x | tie |" in _rendered(records)


def test_crossover_at_the_smallest_batch_says_every_batch():
    rows, _, _ = report.rows_from_records([_row("cpu", 64, 10.0), _row("gpu", 64, 1.0)])
    (found,) = report.crossovers(rows)
    assert report._crossover_words(found) == "≤ 64 (GPU faster at every batch measured)"


def test_gpu_rows_pair_only_with_the_cpu_of_their_own_machine():
    other_cpu = dict(_row("cpu", 32, 1.0), machine="2-core laptop")
    rows, _, _ = report.rows_from_records([other_cpu, _row("gpu", 32, 2.0)])
    assert report.gpu_cpu_pairs(rows) == []


def test_loop_advice_is_a_tie_within_the_spread_and_a_ratio_beyond_it():
    tie = [
        _row("cpu", 64, 100.0, spread=0.1, model="dcgan_full_step", way="tutorial_loop"),
        _row("cpu", 64, 104.0, spread=0.1, model="dcgan_full_step", way="fit"),
    ]
    assert "the tutorial's loop and `fit` tie within their spread" in _rendered(tie)
    beyond = [
        _row("cpu", 64, 100.0, model="dcgan_full_step", way="tutorial_loop"),
        _row("cpu", 64, 150.0, model="dcgan_full_step", way="fit"),
    ]
    text = _rendered(beyond)
    assert "`tutorial_loop` is faster beyond the spread, 1.50x" in text
    assert "| jax | cpu | 64 | fit | 150.0 | 147.0-153.0 | 426.7 | 1.50 | slower |" in text


def test_one_denominator_per_device_best_over_libraries_at_the_training_precision():
    peaks = [
        {"kind": "peak", "device": "cpu", "library": "numpy", "precision": "fp32", "flops": 100e9, "machine": MACHINE},
        {"kind": "peak", "device": "cpu", "library": "jax", "precision": "fp32", "flops": 150e9, "machine": MACHINE},
        {"kind": "peak", "device": "gpu", "library": "jax", "precision": "fp32", "flops": 50e12, "machine": MACHINE},
        {"kind": "peak", "device": "gpu", "library": "jax", "precision": "tf32", "flops": 400e12, "machine": MACHINE},
        {"kind": "peak", "device": "gpu", "library": "jax", "precision": "bf16", "flops": 800e12, "machine": MACHINE},
    ]
    best = report.denominators(peaks)
    assert best[(MACHINE, "cpu")]["library"] == "jax"
    assert best[(MACHINE, "gpu")]["precision"] == "tf32"  # not bf16: float32 training runs at TF32
    text = _rendered(MLP + peaks)
    assert "- **gpu** (16-core test CPU + test GPU): 400,000.0 GFLOP/s, jax matmul, TF32" in text
    rows, _, _ = report.rows_from_records(MLP)
    report.add_fractions(rows, best)
    cpu32 = next(r for r in rows if r["device"] == "cpu" and r["batch"] == 32)
    # 32 GFLOP per step in 1 ms = 32 TFLOP/s against 150 GFLOP/s
    assert cpu32["fraction_of_peak"] == pytest.approx(32e9 / 1e-3 / 150e9)


def test_loaded_rows_are_flagged_and_counted():
    records = [_row("cpu", 32, 1.0, loaded=True, others_on_our_cores=0.4, others_elsewhere=0.9), _row("cpu", 64, 2.0)]
    text = _rendered(records)
    assert "**Loaded machine**: 1 of 2 rows ran while other processes used up to 0.40 of a core" in text
    assert "| mnist_mlp | train_on_batch | jax | cpu | 32 | 1.00 ⚠ |" in text


def test_pytest_benchmark_json_and_run_jsonl_read_together(tmp_path):
    legacy = {
        "datetime": "2026-11-27T10:00:00",
        "machine_info": {"cpu": {"count": 2, "brand_raw": "Test Xeon"}},
        "benchmarks": [
            {   # a fit call of 4 steps: 40 ms per call is 10 ms per step
                "extra_info": {"model": "mnist_mlp", "way": "fit", "device": "cpu:0", "batch": 32, "samples": 128,
                               "steps": 4, "backend": "tensorflow", "flops": 4e9},
                "stats": {"median": 0.040, "min": 0.036, "q1": 0.038, "q3": 0.042, "iqr": 0.004, "rounds": 5},
            },
            {"extra_info": {"kind": "peak", "device": "cpu:0", "peak_flops": 2e11, "backend": "tensorflow"},
             "stats": {"median": 1.0}},
        ],
    }  # fmt: skip
    (tmp_path / "old.json").write_text(json.dumps(legacy))
    (tmp_path / "new.jsonl").write_text("\n".join(json.dumps(r) for r in MLP[:2]) + "\n")
    rows, peaks, _, notes = report.read([tmp_path / "old.json", tmp_path / "new.jsonl"])
    old = next(r for r in rows if r["backend"] == "tensorflow")
    assert (old["device"], old["median_ms"], old["q1_ms"], old["samples_per_s"]) == ("cpu", 10.0, 9.5, 3200.0)
    assert peaks[0]["precision"] == "fp32" and len(rows) == 3
    assert "pytest-benchmark run of 2026-11-27, 2-core Test Xeon" in notes[0]


def test_main_writes_summary_and_plot(tmp_path):
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in MLP) + "\n")
    report.main([str(path), "--out", str(tmp_path / "out")])
    text = (tmp_path / "out" / "summary.md").read_text()
    assert "### Crossover batch" in text and "## How each row is measured" in text
    assert (tmp_path / "out" / "throughput.png").stat().st_size > 1000


def _accuracy(device, model, train_s, epochs, accuracy, reached=True, stopped="target", **more):
    """A benchmarks.time_to_accuracy record."""
    target = {"mnist_mlp": 0.98, "mnist_convnet": 0.99}[model]
    memory = {"device_peak_bytes": 300 * 2**20} if device == "gpu" else {"rss_peak_bytes": 2048 * 2**20}
    return {
        "kind": "accuracy", "backend": "jax", "device": device, "model": model, "target": target,
        "max_epochs": 6, "batch": 128, "recipe": f"{model}'s recipe", "reached": reached, "stopped": stopped,
        "epochs": epochs, "accuracy": accuracy, "seconds_to_target": train_s if reached else None,
        "epoch_train_s": [train_s * (i + 1) / max(epochs, 1) for i in range(epochs)], "train_s": train_s + 0.5,
        "machine": MACHINE, **memory, **more,
    }  # fmt: skip


def test_time_to_accuracy_puts_cpu_and_gpu_side_by_side_with_the_speedup():
    # Check that one line per model holds both devices' seconds, epochs and memory, and the CPU/GPU ratio.
    records = [
        _accuracy("cpu", "mnist_mlp", 60.0, 9, 0.9803),
        _accuracy("gpu", "mnist_mlp", 12.0, 9, 0.9806),
        _accuracy("cpu", "mnist_convnet", 240.0, 3, 0.9901, loaded=True),  # seconds_to_target dropped below
        _accuracy("gpu", "mnist_convnet", 16.0, 4, 0.9904),
    ]
    del records[2]["seconds_to_target"]  # a row recorded before the field: its last epoch_train_s stands in
    text = _rendered(MLP + records)
    assert "## Time to accuracy" in text
    assert (
        "| model | target | backend | CPU: to target | CPU memory | GPU: to target | GPU memory | GPU speed-up |"
        in text
    )
    assert (
        "| mnist_mlp | 98% | jax | 60.0 s, 9 epochs (98.03%) | 2,048 | 12.0 s, 9 epochs (98.06%) | 300 | 5.0x |" in text
    )
    assert (
        "| mnist_convnet | 99% | jax | 240.0 s ⚠, 3 epochs (99.01%) | 2,048 | 16.0 s, 4 epochs (99.04%) | 300 | 15.0x |"
        in text
    )
    assert "- mnist_convnet: mnist_convnet's recipe; at most 6 epochs" in text


def test_time_to_accuracy_says_when_and_why_a_target_was_missed():
    # Check a CPU-only table (no GPU columns, no speed-up) with a run cut by its budget and one that ran out of epochs.
    records = [
        _accuracy("cpu", "mnist_convnet", 50.0, 1, 0.982, reached=False, stopped="budget"),
        _accuracy("cpu", "mnist_mlp", 30.0, 0, None, reached=False, stopped="budget"),
    ]
    text = _rendered(records)
    assert "| model | target | backend | CPU: to target | CPU memory |\n" in text
    assert "| mnist_convnet | 99% | jax | not reached (budget): 98.20% after 1 epoch | 2,048 |" in text
    assert "| mnist_mlp | 98% | jax | not reached (budget): no epoch finished | 2,048 |" in text
    assert "GPU speed-up" not in text
