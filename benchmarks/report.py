"""Summarise pytest-benchmark results: ms/step and samples/s per case, fraction of the measured peak,
Keras against native, GPU against CPU, the GAN loop styles against each other, backends against each
other, and a short "what to use" read off those rows.

One run (``pytest benchmarks --benchmark-only``) writes its own summary; several saved runs
(``--benchmark-json``, one per backend and machine) are combined with::

    python -m benchmarks.report docs/benchmarks/cpu_tensorflow.json docs/benchmarks/cpu_jax.json --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from benchmarks.flops import RULE


def rows_from(benchmarks: list[dict]) -> tuple[list[dict], dict]:
    """Per-case rows (with ms/step, samples/s, fraction of peak) and the peak per (backend, device)."""
    rows, peaks = [], {}
    for bench in benchmarks:
        info = dict(bench["extra_info"])
        if "device" in info:  # PyTorch calls its CPU "cpu", the others "cpu:0": one name, so backends line up
            info["device"] = info["device"].removesuffix(":0")
        if info.get("kind") == "peak":
            peaks[(info["backend"], info["device"])] = info["peak_flops"]
            continue
        if "samples" not in info:
            continue
        seconds = bench["stats"]["median"]
        info["ms_per_step"] = seconds * 1000 / info.get("steps", 1)
        info["samples_per_s"] = info["samples"] / seconds
        if info.get("flops") and info.get("peak_flops"):
            info["fraction_of_peak"] = info["flops"] / seconds / info["peak_flops"]
        rows.append(info)
    return rows, peaks


def _key(r):
    return r["backend"], r["model"], r["way"], r["device"], r["batch"]


def _case(r) -> str:
    return f"{r['model']} · {r['way']} · {r['backend']} · {r['device']} · batch {r['batch']}"


def render(rows: list[dict], peaks: dict, title: str, notes: list[str] = ()) -> str:
    lines = [f"# {title}", "", *notes]
    for (backend, device), flops in sorted(peaks.items()):
        lines.append(f"- measured float32 matmul peak, {backend} on {device}: {flops / 1e9:.1f} GFLOP/s")
    lines += ["", "FLOPs (for the fraction of peak) are counted from the layer shapes:", "", RULE, ""]
    lines += [
        "## Every case",
        "",
        "| model | way | backend | device | batch | ms/step | samples/s | fraction of peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: (r["model"], r["way"], r["backend"], r["device"], r["batch"])):
        frac = f"{r['fraction_of_peak']:.1%}" if "fraction_of_peak" in r else "n/a"
        lines.append(
            f"| {r['model']} | {r['way']} | {r['backend']} | {r['device']} | {r['batch']} | "
            f"{r['ms_per_step']:.2f} | {r['samples_per_s']:,.0f} | {frac} |"
        )
    index = {_key(r): r for r in rows}
    lines += _loop_styles(rows) + _backends(rows) + _ratios(index) + _what_to_use(rows, index)
    return "\n".join(lines) + "\n"


def _loop_styles(rows) -> list[str]:
    groups = defaultdict(list)
    for r in rows:
        if r["model"] == "dcgan_full_step":
            groups[(r["backend"], r["device"], r["batch"])].append(r)
    if not groups:
        return []
    lines = [
        "",
        "## The tutorial's GAN loop against the idiomatic one",
        "",
        "One full DCGAN step (§4.2 networks, full width). Ratio: this style's time per step over the fastest style's.",
        "",
        "| backend | device | batch | style | ms/step | images/s | ratio to fastest |",
        "|---|---|---|---|---|---|---|",
    ]
    for (backend, device, batch), members in sorted(groups.items()):
        fastest = min(m["ms_per_step"] for m in members)
        for m in sorted(members, key=lambda m: m["ms_per_step"]):
            lines.append(
                f"| {backend} | {device} | {batch} | {m['way']} | {m['ms_per_step']:.1f} | "
                f"{m['samples_per_s']:,.1f} | {m['ms_per_step'] / fastest:.2f} |"
            )
    return lines


def _backends(rows) -> list[str]:
    groups = defaultdict(dict)
    for r in rows:
        groups[(r["model"], r["way"], r["device"], r["batch"])][r["backend"]] = r
    shared = {k: v for k, v in groups.items() if len(v) > 1}
    if not shared:
        return []
    names = sorted({b for v in shared.values() for b in v})
    lines = [
        "",
        "## Backends on the same device and case",
        "",
        "ms/step per backend; the fastest in bold.",
        "",
        "| model | way | device | batch | " + " | ".join(names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
    ]
    for (model, way, device, batch), per in sorted(shared.items()):
        fastest = min(r["ms_per_step"] for r in per.values())
        cells = []
        for name in names:
            r = per.get(name)
            cell = "n/a" if r is None else f"{r['ms_per_step']:.2f}"
            cells.append(f"**{cell}**" if r is not None and r["ms_per_step"] == fastest else cell)
        lines.append(f"| {model} | {way} | {device} | {batch} | " + " | ".join(cells) + " |")
    return lines


def _ratios(index) -> list[str]:
    ratios = []
    for (backend, model, way, device, batch), r in sorted(index.items()):
        native = index.get((backend, model, "native", device, batch))
        if native and way != "native":
            ratios.append(
                f"| {model} | {way} | {backend} | {device} | Keras / native time | {batch} | "
                f"{r['ms_per_step'] / native['ms_per_step']:.2f} |"
            )
        gpu = index.get((backend, model, way, "gpu:0", batch))
        if device == "cpu:0" and gpu:
            ratios.append(
                f"| {model} | {way} | {backend} | | GPU/CPU speedup | {batch} | {r['ms_per_step'] / gpu['ms_per_step']:.1f}x |"
            )
    if not ratios:
        return []
    return [
        "",
        "## Keras against native, GPU against CPU",
        "",
        "| model | way | backend | device | compared | batch | ratio |",
        "|---|---|---|---|---|---|---|",
    ] + ratios


def _what_to_use(rows, index) -> list[str]:
    """Recommendations computed from the rows above, each citing the rows it rests on."""
    advice = []
    loops = [r for r in rows if r["model"] == "dcgan_full_step"]
    for backend, device, batch in sorted({(r["backend"], r["device"], r["batch"]) for r in loops}):
        per = {r["way"]: r for r in loops if (r["backend"], r["device"], r["batch"]) == (backend, device, batch)}
        if "tutorial_loop" in per and "fit" in per:
            best = min(per.values(), key=lambda r: r["ms_per_step"])
            tutorial = per["tutorial_loop"]
            if best is tutorial:
                slowest = max(per.values(), key=lambda r: r["ms_per_step"])
                ratio = slowest["ms_per_step"] / tutorial["ms_per_step"]
                verdict = (
                    "the styles are within 10% of each other: choose the idiomatic `fit` for clarity"
                    if ratio < 1.1
                    else "the tutorial's three train_on_batch calls win here; the idiomatic `fit` still buys callbacks, "
                    "distribution and one place for the step, at this measured cost"
                )
                advice.append(
                    f"- **GAN loop**: on {backend} {device} at batch {batch} the tutorial's loop is the fastest style; "
                    f"`{slowest['way']}` takes {ratio:.2f}x as long per step "
                    f"(rows: {_case(tutorial)}; {_case(slowest)}): {verdict}."
                )
            else:
                advice.append(
                    f"- **GAN loop**: on {backend} {device} at batch {batch}, `{best['way']}` is the fastest style, "
                    f"{tutorial['ms_per_step'] / best['ms_per_step']:.2f}x the tutorial loop's speed "
                    f"(rows: {_case(best)}; {_case(tutorial)})."
                )
            if "fit_steps_per_execution" in per:
                gain = per["fit"]["ms_per_step"] / per["fit_steps_per_execution"]["ms_per_step"]
                advice.append(
                    f"  `steps_per_execution` changes the idiomatic loop's step time by a factor {gain:.2f} there "
                    f"({'worth setting' if gain > 1.1 else 'no measurable gain at this size'})."
                )
    for backend, device in sorted({(r["backend"], r["device"]) for r in rows if r["model"] == "mnist_mlp"}):
        mlp = {
            (r["way"], r["batch"]): r
            for r in rows
            if (r["model"], r["backend"], r["device"]) == ("mnist_mlp", backend, device)
        }
        small, large = mlp.get(("train_on_batch", 32)), mlp.get(("train_on_batch", 1024))
        if small and large:
            advice.append(
                f"- **Batch size** ({backend}, {device}, MLP): batch 1024 trains {large['samples_per_s'] / small['samples_per_s']:.1f}x "
                f"more samples per second than batch 32 (rows: {_case(large)}; {_case(small)}); small batches pay "
                "Keras's fixed per-step cost."
            )
        native = mlp.get(("native", 32))
        if small and native:
            advice.append(
                f"- **Per-call overhead** ({backend}, {device}): at batch 32 a Keras train_on_batch step costs "
                f"{small['ms_per_step'] / native['ms_per_step']:.1f}x a native step of the same work (rows: {_case(small)}; "
                f"{_case(native)}); use `fit` with `steps_per_execution` or larger batches when steps are tiny."
            )
    by_case = defaultdict(dict)
    for r in rows:
        by_case[(r["model"], r["way"], r["device"], r["batch"])][r["backend"]] = r
    wins = defaultdict(int)
    compared = 0
    for per in by_case.values():
        if len(per) > 1:
            compared += 1
            wins[min(per.values(), key=lambda r: r["ms_per_step"])["backend"]] += 1
    if compared:
        tally = ", ".join(f"{b} in {n}" for b, n in sorted(wins.items(), key=lambda kv: -kv[1]))
        advice.append(
            f"- **Backend**: of {compared} cases measured on several backends, the fastest was {tally} "
            "(table 'Backends on the same device and case')."
        )
    if not advice:
        return []
    return ["", "## What to use (read off the rows above)", ""] + advice


def _plot(rows, path: Path, title: str) -> None:
    from reference.figures import plt

    series = defaultdict(list)
    for r in rows:
        series[(r["model"], r["way"], r["backend"], r["device"])].append((r["batch"], r["samples_per_s"]))
    fig, ax = plt.subplots(figsize=(8, 5))
    for (model, way, backend, device), points in sorted(series.items()):
        points.sort()
        style = "-" if device.startswith("gpu") else "--"
        ax.plot(
            [p[0] for p in points], [p[1] for p in points], style, marker="o", label=f"{model} {way} {backend} {device}"
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("training samples / s")
    ax.set_title(f"{title} (solid: GPU, dashed: CPU)", fontsize=9)
    ax.legend(fontsize=5, ncol=2)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)


def write_report(benchmarks, out: Path, backend: str) -> None:
    """The summary of one pytest-benchmark session (called from benchmarks/conftest.py)."""
    stats = [(b, getattr(b.stats, "stats", b.stats)) for b in benchmarks]
    as_dicts = [
        {"extra_info": dict(b.extra_info), "stats": {"median": s.median}} for b, s in stats if getattr(s, "data", None)
    ]  # a case that failed before timing has no data
    rows, peaks = rows_from(as_dicts)
    out.mkdir(parents=True, exist_ok=True)
    title = f"Training-step throughput ({backend} backend)"
    (out / "summary.md").write_text(render(rows, peaks, title), encoding="utf-8")
    _plot(rows, out / "throughput.png", title)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="pytest-benchmark JSON files (--benchmark-json)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--note", action="append", default=[], help="a line on how the runs were made (repeatable)")
    args = parser.parse_args(argv)
    rows, peaks, notes = [], {}, [f"- {line}" for line in args.note]
    for path in args.runs:
        data = json.loads(path.read_text(encoding="utf-8"))
        more_rows, more_peaks = rows_from(data["benchmarks"])
        rows += more_rows
        peaks.update(more_peaks)
        machine = data.get("machine_info", {})
        cpu = machine.get("cpu", {})
        backend = next(
            (b["extra_info"].get("backend") for b in data["benchmarks"] if b["extra_info"].get("backend")), "?"
        )
        notes.append(
            f"- `{path.name}`: {backend} backend, {data.get('datetime', '?')[:10]}, "
            f"{cpu.get('brand_raw', machine.get('processor', '?'))} ({cpu.get('count', '?')} cores)"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    title = "Training-step throughput, all committed runs"
    (args.out / "summary.md").write_text(render(rows, peaks, title, notes + [""]), encoding="utf-8")
    _plot(rows, args.out / "throughput.png", title)
    print(f"wrote {args.out / 'summary.md'} from {len(args.runs)} runs, {len(rows)} cases")


if __name__ == "__main__":
    main()
