"""Summarise pytest-benchmark results: samples/s per case, GPU/CPU speedup, Keras/native ratio, peak fraction."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path


def write_report(benchmarks, out: Path, backend: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for bench in benchmarks:
        info = dict(bench.extra_info)
        if "samples" not in info:
            continue
        seconds = getattr(bench.stats, "stats", bench.stats).median
        info["ms_per_step"] = seconds * 1000 / info.get("steps", 1)
        info["samples_per_s"] = info["samples"] / seconds
        if info.get("flops") and info.get("peak_flops"):
            info["fraction_of_peak"] = info["flops"] / seconds / info["peak_flops"]
        rows.append(info)
    peaks = {b.extra_info["device"]: b.extra_info["peak_flops"] for b in benchmarks if b.extra_info.get("kind") == "peak"}
    lines = [f"# Training-step throughput ({backend} backend)", ""]
    for device, flops in sorted(peaks.items()):
        lines.append(f"- measured float32 matmul peak on {device}: {flops / 1e9:.1f} GFLOP/s")
    lines += ["", "| model | way | device | batch | ms/step | samples/s | fraction of peak |", "|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["model"], r["way"], r["device"], r["batch"])):
        frac = f"{r['fraction_of_peak']:.1%}" if "fraction_of_peak" in r else "n/a"
        lines.append(f"| {r['model']} | {r['way']} | {r['device']} | {r['batch']} | {r['ms_per_step']:.2f} | {r['samples_per_s']:,.0f} | {frac} |")
    index = {(r["model"], r["way"], r["device"], r["batch"]): r for r in rows}
    ratios = []
    for (model, way, device, batch), r in sorted(index.items()):
        native = index.get((model, "native", device, batch))
        if native and way != "native":
            ratios.append(f"| {model} | {way} | {device} | {batch} | {r['ms_per_step'] / native['ms_per_step']:.2f} |")
        gpu = index.get((model, way, "gpu:0", batch))
        if device == "cpu:0" and gpu:
            ratios.append(f"| {model} | {way} | GPU/CPU speedup | {batch} | {r['ms_per_step'] / gpu['ms_per_step']:.1f}x |")
    if ratios:
        lines += ["", "| model | way | compared | batch | ratio (Keras/native time, or speedup) |", "|---|---|---|---|---|"] + ratios
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _plot(rows, out / "throughput.png", backend)


def _plot(rows, path: Path, backend: str) -> None:
    from reference.figures import plt

    series = defaultdict(list)
    for r in rows:
        series[(r["model"], r["way"], r["device"])].append((r["batch"], r["samples_per_s"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (model, way, device), points in sorted(series.items()):
        points.sort()
        style = "-" if device.startswith("gpu") else "--"
        ax.plot([p[0] for p in points], [p[1] for p in points], style, marker="o", label=f"{model} {way} {device}")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("training samples / s")
    ax.set_title(f"Training throughput, {backend} backend (solid: GPU, dashed: CPU)")
    ax.legend(fontsize=7)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
