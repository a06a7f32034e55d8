"""Summarise benchmark rows: ms/step (min, median, IQR), first-step time, samples/s, fraction of one peak per
device, memory, the load each row ran under; then the comparisons (GAN loop styles, backends, Keras against
native, GPU against CPU with the crossover batch) and a "what to use" read off those rows, each piece of
advice citing its rows and saying "tie" where the rows' interquartile ranges overlap.

Inputs: JSON lines from ``python -m benchmarks.run`` (the device script's ``results.jsonl``) and
pytest-benchmark JSON files (``--benchmark-json``), in any mix::

    python -m benchmarks.report docs/benchmarks/cpu_*.jsonl --out docs/benchmarks
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path

from benchmarks.flops import RULE

TRAINING_PRECISION = {"cpu": "fp32", "gpu": "tf32"}  # what float32 Keras training runs at, per device
PRECISION_WORDS = {
    "fp32": "FP32 (float32 multiplies)",
    "tf32": "TF32 (float32 inputs, TensorFloat-32 multiplies: JAX's and TensorFlow's default on NVIDIA GPUs)",
    "bf16": "bf16",
}
JAX_CPU_NOTE = (
    "JAX's CPU rows for the GAN models are slow because of one operation: the gradient of the generator's "
    "transposed convolutions (Conv2DTranspose), which XLA's CPU backend runs far slower than TensorFlow's "
    "oneDNN kernels (one such layer: 9.0 s against 0.59 s, measured for issue 24; jax-ml/jax#23783). "
    "Compare the dcgan_generator and dcgan_discriminator rows: the discriminator (plain convolutions) is "
    "much closer to TensorFlow. On a GPU, cuDNN runs these gradients and the gap does not apply."
)


# ----------------------------------------------------------------------------- reading


def _device(name: str) -> str:
    return name.split(":")[0]  # "cpu:0" (TensorFlow, JAX) and "cpu" (PyTorch) name one device


def _finish(row: dict) -> dict:
    steps = row.get("steps", 1)  # old pytest rows timed several steps per call
    for key in ("median_ms", "min_ms", "q1_ms", "q3_ms", "iqr_ms"):
        row[key] = row[key] / steps
    row["ms_per_step"] = row["median_ms"]
    row["samples_per_s"] = row["samples"] / steps * 1000 / row["median_ms"] if row["median_ms"] else 0.0
    row.setdefault("machine", "?")
    return row


def rows_from(benchmarks: list[dict], machine: str = "?") -> tuple[list[dict], list[dict]]:
    """Rows and peak records from pytest-benchmark entries (each with extra_info and stats in seconds)."""
    rows, peaks = [], []
    for bench in benchmarks:
        info, stats = dict(bench["extra_info"]), bench["stats"]
        if "device" in info:
            info["device"] = _device(info["device"])
        info.setdefault("machine", machine)
        if info.get("kind") == "peak":
            precision = TRAINING_PRECISION[info["device"]]  # keras.ops.matmul on float32: the default precision
            peaks.append(dict(device=info["device"], library=info["backend"], precision=precision,
                              flops=info["peak_flops"], machine=info["machine"]))  # fmt: skip
            continue
        if "samples" not in info:
            continue
        median = stats["median"]
        info.update(
            median_ms=median * 1000,
            min_ms=stats.get("min", median) * 1000,
            q1_ms=stats.get("q1", median) * 1000,
            q3_ms=stats.get("q3", median) * 1000,
            iqr_ms=stats.get("iqr", 0.0) * 1000,
            rounds=stats.get("rounds", len(stats.get("data", [])) or None),
        )
        info["samples"] = info["samples"]
        rows.append(_finish(info))
    return rows, peaks


def rows_from_records(records: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """Rows, peaks and the other records (host, skipped, cut, error) from ``benchmarks.run``'s JSON lines."""
    rows, peaks, other = [], [], []
    for record in records:
        kind = record.get("kind")
        if kind == "case":
            rows.append(_finish(dict(record, steps=1)))
        elif kind == "peak" and record.get("flops"):
            peaks.append(record)
        else:
            other.append(record)
    return rows, peaks, other


def read(paths: list[Path]) -> tuple[list[dict], list[dict], list[dict], list[str]]:
    rows, peaks, other, notes = [], [], [], []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
            more_rows, more_peaks, more_other = rows_from_records(records)
            hosts = [r for r in more_other if r.get("kind") == "host"]
            for host in hosts:
                v = host.get("versions", {})
                notes.append(
                    f"- `{path.name}`: {host.get('backend')} backend on {host.get('device')}, {host['machine']}, "
                    f"run {host['run']}; " + ", ".join(f"{k} {v[k]}" for k in sorted(v))
                )
        else:
            data = json.loads(text)
            cpu = data.get("machine_info", {}).get("cpu", {})
            machine = f"{cpu.get('count', '?')}-core {cpu.get('brand_raw', '?')}"
            more_rows, more_peaks = rows_from(data["benchmarks"], machine)
            more_other = []
            notes.append(f"- `{path.name}`: pytest-benchmark run of {data.get('datetime', '?')[:10]}, {machine}")
        rows += more_rows
        peaks += more_peaks
        other += more_other
    return rows, peaks, other, notes


# ----------------------------------------------------------------------------- comparisons


def differs(a: dict, b: dict) -> bool:
    """True when the two rows' interquartile ranges of ms/step do not overlap."""
    return a["q3_ms"] < b["q1_ms"] or b["q3_ms"] < a["q1_ms"]


def compare(a: dict, b: dict) -> str:
    """'a faster', 'b faster' or 'tie' (the IQRs overlap)."""
    if not differs(a, b):
        return "tie"
    return "a faster" if a["median_ms"] < b["median_ms"] else "b faster"


def denominators(peaks: list[dict]) -> dict:
    """One peak per (machine, device): the best measured matmul over libraries at the training precision."""
    best = {}
    for p in peaks:
        want = TRAINING_PRECISION.get(p["device"], "fp32")
        precision = p["precision"]
        if precision != want and not (want == "tf32" and precision == "fp32"):
            continue
        key = (p.get("machine", "?"), p["device"])
        old = best.get(key)
        # on a GPU, TF32 is the denominator where measured; a FP32 figure stands in only until one is
        rank = (precision == want, p["flops"])
        if old is None or rank > (old["precision"] == want, old["flops"]):
            best[key] = p
    return best


def add_fractions(rows: list[dict], denominator: dict) -> None:
    for r in rows:
        peak = denominator.get((r["machine"], r["device"]))
        if peak and r.get("flops") and r["median_ms"]:
            steps = r.get("steps", 1)
            r["fraction_of_peak"] = r["flops"] / steps / (r["median_ms"] / 1000) / peak["flops"]


def _key(r):
    return r["machine"], r["backend"], r["model"], r["way"], r["device"], r["batch"]


def _case(r) -> str:
    return f"{r['model']} · {r['way']} · {r['backend']} · {r['device']} · batch {r['batch']}"


def _ms(r) -> str:
    return f"{r['median_ms']:.2f} ms (IQR {r['q1_ms']:.2f}-{r['q3_ms']:.2f})"


def gpu_cpu_pairs(rows: list[dict]) -> list[tuple[dict, dict]]:
    """(cpu row, gpu row) for every case measured on both devices of one machine."""
    index = {_key(r): r for r in rows}
    pairs = []
    for key, r in sorted(index.items(), key=lambda kv: tuple(map(str, kv[0][:5])) + (kv[0][5],)):
        machine, backend, model, way, device, batch = key
        gpu = index.get((machine, backend, model, way, "gpu", batch))
        if device == "cpu" and gpu:
            pairs.append((r, gpu))
    return pairs


def crossovers(rows: list[dict]) -> list[dict]:
    """Per (machine, backend, model, way): the smallest batch from which the GPU is faster beyond the spread
    at that batch and every larger one measured on both devices (None: the GPU never pulls ahead)."""
    series = defaultdict(list)
    for cpu, gpu in gpu_cpu_pairs(rows):
        series[(cpu["machine"], cpu["backend"], cpu["model"], cpu["way"])].append((cpu["batch"], cpu, gpu))
    found = []
    for (machine, backend, model, way), points in sorted(series.items()):
        points.sort(key=lambda p: p[0])
        wins = [differs(c, g) and g["median_ms"] < c["median_ms"] for _, c, g in points]
        crossover = None
        for i in range(len(points)):
            if all(wins[i:]):
                crossover = points[i][0]
                break
        found.append(
            {
                "machine": machine, "backend": backend, "model": model, "way": way,
                "batches": [p[0] for p in points], "crossover": crossover,
                "speedups": [c["median_ms"] / g["median_ms"] for _, c, g in points],
            }
        )  # fmt: skip
    return found


# ----------------------------------------------------------------------------- rendering


def _mem(r) -> str:
    value = r.get("device_peak_bytes") if r["device"] == "gpu" else r.get("rss_peak_bytes")
    return f"{value / 2**20:,.0f}" if value else "n/a"


def render(rows, peaks, title, notes=(), other=(), method: str | None = None) -> str:
    denominator = denominators(peaks)
    add_fractions(rows, denominator)
    machines = sorted({r["machine"] for r in rows})
    lines = [f"# {title}", "", *notes, ""]
    if method:
        lines += ["## How each row is measured", "", method, ""]
    lines += ["## Peaks: one denominator per device", ""]
    for (machine, device), p in sorted(denominator.items()):
        lines.append(
            f"- **{device}** ({machine}): {p['flops'] / 1e9:,.1f} GFLOP/s, {p['library']} matmul, "
            f"{PRECISION_WORDS.get(p['precision'], p['precision'])}: every {device} row's fraction of peak uses it"
        )
    for p in sorted(peaks, key=lambda p: (p.get("machine", "?"), p["device"], p["library"], p["precision"])):
        lines.append(
            f"  - measured: {p['library']} {p['precision']} on {p['device']} ({p.get('machine', '?')}): "
            f"{p['flops'] / 1e9:,.1f} GFLOP/s"
        )
    lines += ["", "FLOPs (for the fraction of peak) are counted from the layer shapes:", "", RULE, ""]
    loaded = [r for r in rows if r.get("loaded")]
    if loaded:
        worst = max((r.get("others_on_our_cores") or 0) for r in loaded)
        elsewhere = max((r.get("others_elsewhere") or 0) for r in loaded)
        lines += [
            f"**Loaded machine**: {len(loaded)} of {len(rows)} rows ran while other processes used up to "
            f"{worst:.2f} of a core on this run's own cores and up to {elsewhere:.2f} cores elsewhere (marked "
            "⚠ below). Their ratios are indicative only.",
            "",
        ]
    for record in other:
        if record.get("kind") in ("cut", "error", "skipped", "note"):
            what = record.get("reason") or record.get("error")
            where = " ".join(str(record[k]) for k in ("device", "model", "way", "batch") if k in record)
            lines.append(f"- {record['kind']}: {where}: {what}" + (
                f" (not run: {', '.join(record['not_run'])})" if record.get("not_run") else ""))  # fmt: skip
    lines += [
        "",
        "## Every case",
        "",
        "ms per training step over the rounds (median, min, interquartile range); first step: the first call, "
        "compilation included; memory: the device's peak bytes in use on a GPU, the process's resident "
        "high-water mark on a CPU (MiB).",
        "",
        ("| machine " if len(machines) > 1 else "")
        + "| model | way | backend | device | batch | median ms | min ms | IQR ms | rounds | first step s "
        "| samples/s | fraction of peak | memory MiB |",
        ("|---" if len(machines) > 1 else "") + "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(rows, key=lambda r: (r["machine"], r["model"], r["way"], r["backend"], r["device"], r["batch"])):
        frac = f"{r['fraction_of_peak']:.1%}" if "fraction_of_peak" in r else "n/a"
        first = f"{r['first_step_s']:.2f}" if r.get("first_step_s") is not None else "n/a"
        flag = " ⚠" if r.get("loaded") else ""
        lines.append(
            (f"| {r['machine']} " if len(machines) > 1 else "")
            + f"| {r['model']} | {r['way']} | {r['backend']} | {r['device']} | {r['batch']} | "
            f"{r['median_ms']:.2f}{flag} | {r['min_ms']:.2f} | {r['q1_ms']:.2f}-{r['q3_ms']:.2f} | "
            f"{r.get('rounds') or 'n/a'} | {first} | {r['samples_per_s']:,.0f} | {frac} | {_mem(r)} |"
        )
    lines += _loop_styles(rows) + _backends(rows) + _native(rows) + _gpu_cpu(rows) + _time_to_accuracy(other)
    lines += _what_to_use(rows)
    if any(r["backend"] == "jax" and r["device"] == "cpu" and r["model"].startswith("dcgan") for r in rows):
        lines += ["", "## Why JAX's CPU rows for the GANs are slow", "", JAX_CPU_NOTE]
    return "\n".join(lines) + "\n"


def _loop_styles(rows) -> list[str]:
    groups = defaultdict(list)
    for r in rows:
        if r["model"] == "dcgan_full_step":
            groups[(r["machine"], r["backend"], r["device"], r["batch"])].append(r)
    if not groups:
        return []
    lines = [
        "",
        "## The tutorial's GAN loop against the idiomatic one",
        "",
        "One full DCGAN step (§4.2 networks, full width). Ratio: this style's median time per step over the "
        "fastest style's; 'tie' where its IQR overlaps the fastest's.",
        "",
        "| backend | device | batch | style | median ms/step | IQR | images/s | ratio to fastest | against fastest |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (_, backend, device, batch), members in sorted(groups.items()):
        fastest = min(members, key=lambda m: m["median_ms"])
        for m in sorted(members, key=lambda m: m["median_ms"]):
            verdict = "fastest" if m is fastest else ("slower" if differs(m, fastest) else "tie")
            lines.append(
                f"| {backend} | {device} | {batch} | {m['way']} | {m['median_ms']:.1f} | "
                f"{m['q1_ms']:.1f}-{m['q3_ms']:.1f} | {m['samples_per_s']:,.1f} | "
                f"{m['median_ms'] / fastest['median_ms']:.2f} | {verdict} |"
            )
    return lines


def _backends(rows) -> list[str]:
    groups = defaultdict(dict)
    for r in rows:
        groups[(r["machine"], r["model"], r["way"], r["device"], r["batch"])][r["backend"]] = r
    shared = {k: v for k, v in groups.items() if len(v) > 1}
    if not shared:
        return []
    names = sorted({b for v in shared.values() for b in v})
    lines = [
        "",
        "## Backends on the same device and case",
        "",
        "Median ms/step per backend; the fastest in bold when its IQR clears every other backend's, "
        "otherwise the tied ones in italics.",
        "",
        "| model | way | device | batch | " + " | ".join(names) + " |",
        "|---|---|---|---|" + "---|" * len(names),
    ]
    for (_, model, way, device, batch), per in sorted(shared.items()):
        fastest = min(per.values(), key=lambda r: r["median_ms"])
        tied = [r for r in per.values() if r is not fastest and not differs(r, fastest)]
        cells = []
        for name in names:
            r = per.get(name)
            if r is None:
                cells.append("n/a")
                continue
            cell = f"{r['median_ms']:.2f}"
            if r is fastest:
                cell = f"_{cell}_" if tied else f"**{cell}**"
            elif r in tied:
                cell = f"_{cell}_"
            cells.append(cell)
        lines.append(f"| {model} | {way} | {device} | {batch} | " + " | ".join(cells) + " |")
    return lines


def _native(rows) -> list[str]:
    index = {_key(r): r for r in rows}
    out = []
    for key, r in sorted(index.items(), key=lambda kv: tuple(map(str, kv[0]))):
        machine, backend, model, way, device, batch = key
        native = index.get((machine, backend, model, "native", device, batch))
        if native and way != "native":
            out.append(
                f"| {model} | {way} | {backend} | {device} | {batch} | {r['median_ms'] / native['median_ms']:.2f} | "
                f"{'tie' if not differs(r, native) else 'differs'} |"
            )
    if not out:
        return []
    return [
        "",
        "## Keras against a native step",
        "",
        "Keras's time per step over the same step written in the backend itself (tf.function or jax.jit).",
        "",
        "| model | way | backend | device | batch | Keras / native time | beyond the spread? |",
        "|---|---|---|---|---|---|---|",
    ] + out


def _gpu_cpu(rows) -> list[str]:
    pairs = gpu_cpu_pairs(rows)
    if not pairs:
        return []
    lines = [
        "",
        "## GPU against CPU",
        "",
        "The same case on the same machine's CPU and GPU. Speed-up: CPU time per step over GPU time per step.",
        "",
        "| model | way | backend | batch | CPU ms/step | GPU ms/step | GPU/CPU speed-up | faster |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cpu, gpu in pairs:
        verdict = {"a faster": "CPU", "b faster": "GPU", "tie": "tie"}[compare(cpu, gpu)]
        lines.append(
            f"| {cpu['model']} | {cpu['way']} | {cpu['backend']} | {cpu['batch']} | {cpu['median_ms']:.2f} | "
            f"{gpu['median_ms']:.2f} | {cpu['median_ms'] / gpu['median_ms']:.1f}x | {verdict} |"
        )
    lines += [
        "",
        "### Crossover batch",
        "",
        "The smallest batch from which the GPU is faster beyond the spread at that batch and every larger one "
        "measured on both devices.",
        "",
        "| model | way | backend | batches on both | crossover batch | speed-up, smallest to largest batch |",
        "|---|---|---|---|---|---|",
    ]
    for c in crossovers(rows):
        lines.append(
            f"| {c['model']} | {c['way']} | {c['backend']} | {', '.join(map(str, c['batches']))} | "
            f"{_crossover_words(c)} | {' → '.join(f'{s:.1f}x' for s in c['speedups'])} |"
        )
    return lines


def accuracy_runs(other) -> list[dict]:
    """The time-to-accuracy records (``benchmarks.time_to_accuracy``) among the other records."""
    return [r for r in other if r.get("kind") == "accuracy"]


def seconds_to_target(r) -> float:
    """Training seconds to the end of the epoch that reached the target (rows of 2026-12-07 before the field
    existed hold it as their last ``epoch_train_s``)."""
    return r.get("seconds_to_target") or r["epoch_train_s"][-1]


def _reached_cell(r) -> str:
    flag = " ⚠" if r.get("loaded") else ""
    epochs = f"{r['epochs']} epoch" + ("" if r["epochs"] == 1 else "s")
    if r["reached"]:
        return f"{seconds_to_target(r):.1f} s{flag}, {epochs} ({r['accuracy']:.2%})"
    got = "no epoch finished" if r.get("accuracy") is None else f"{r['accuracy']:.2%} after {epochs}"
    return f"not reached ({r['stopped']}){flag}: {got}"


def _accuracy_memory(runs, device) -> str:
    key = "device_peak_bytes" if device == "gpu" else "rss_peak_bytes"
    found = [r[key] for r in runs if r.get(key)]
    return f"{max(found) / 2**20:,.0f}" if found else "n/a"


def _time_to_accuracy(other) -> list[str]:
    """Seconds to the target test accuracy per model, backend and device; CPU and GPU side by side where the
    same machine has both, with the GPU's speed-up (medians of the runs that reached the target)."""
    runs = accuracy_runs(other)
    if not runs:
        return []
    groups = defaultdict(lambda: defaultdict(list))
    for r in runs:
        groups[(r.get("machine", "?"), r["model"], r["target"], r["backend"])][r["device"]].append(r)
    devices = [d for d in ("cpu", "gpu") if any(r["device"] == d for r in runs)]
    both = len(devices) == 2
    several = len({key[0] for key in groups}) > 1
    lines = [
        "",
        "## Time to accuracy",
        "",
        "Seconds of training (one `fit` call, compilation included, the test evaluation after each epoch left "
        "out) until the first epoch whose accuracy on the 10,000 test digits reaches the target; memory as in "
        "the table above (MiB). Recipes:",
        "",
        *sorted({f"- {r['model']}: {r['recipe']}; at most {r['max_epochs']} epochs" for r in runs}),
        "",
        ("| machine " if several else "")
        + "| model | target | backend | "
        + " | ".join(f"{d.upper()}: to target | {d.upper()} memory" for d in devices)
        + (" | GPU speed-up |" if both else " |"),
        ("|---" if several else "") + "|---|---|---|" + "---|---|" * len(devices) + ("---|" if both else ""),
    ]
    for (machine, model, target, backend), per in sorted(groups.items()):
        cells = []
        for device in devices:
            cells.append("; ".join(_reached_cell(r) for r in per.get(device, [])) or "n/a")
            cells.append(_accuracy_memory(per.get(device, []), device))
        if both:
            medians = {
                d: statistics.median(seconds_to_target(r) for r in per.get(d, []) if r["reached"])
                for d in devices
                if any(r["reached"] for r in per.get(d, []))
            }
            cells.append(f"{medians['cpu'] / medians['gpu']:.1f}x" if len(medians) == 2 else "n/a")
        lines.append(
            (f"| {machine} " if several else "") + f"| {model} | {target:.0%} | {backend} | " + " | ".join(cells) + " |"
        )
    return lines


def _crossover_words(c) -> str:
    if c["crossover"] is None:
        return f"none up to {c['batches'][-1]} (CPU faster or tied)"
    if c["crossover"] == c["batches"][0]:
        return f"≤ {c['crossover']} (GPU faster at every batch measured)"
    return str(c["crossover"])


def _what_to_use(rows) -> list[str]:
    """Recommendations computed from the rows above, each citing the rows it rests on; a difference inside
    the rows' spread is called a tie and gives no advice."""
    advice = []
    loops = [r for r in rows if r["model"] == "dcgan_full_step"]
    for machine, backend, device, batch in sorted(
        {(r["machine"], r["backend"], r["device"], r["batch"]) for r in loops}
    ):
        per = {
            r["way"]: r for r in loops if (r["machine"], r["backend"], r["device"], r["batch"]) == (machine, backend, device, batch)
        }  # fmt: skip
        tutorial, fit = per.get("tutorial_loop"), per.get("fit")
        if tutorial and fit:
            where = f"on {backend} {device} at batch {batch}"
            verdict = compare(tutorial, fit)
            if verdict == "tie":
                advice.append(
                    f"- **GAN loop** {where}: the tutorial's loop and `fit` tie within their spread "
                    f"({_ms(tutorial)} against {_ms(fit)}): choose the idiomatic `fit` for callbacks, "
                    "distribution and one place for the step."
                )
            else:
                faster, slower = (tutorial, fit) if verdict == "a faster" else (fit, tutorial)
                advice.append(
                    f"- **GAN loop** {where}: `{faster['way']}` is faster beyond the spread, "
                    f"{slower['median_ms'] / faster['median_ms']:.2f}x ({_case(faster)}: {_ms(faster)}; "
                    f"{_case(slower)}: {_ms(slower)})."
                    + (
                        " The idiomatic `fit` still buys callbacks, distribution and one place for the step."
                        if faster is tutorial
                        else ""
                    )
                )
        spe = per.get("fit_steps_per_execution")
        if fit and spe:
            verdict = compare(spe, fit)
            advice.append(
                f"  `steps_per_execution` {where}: "
                + (
                    f"no gain beyond the spread ({_ms(spe)} against {_ms(fit)})."
                    if verdict == "tie"
                    else f"{fit['median_ms'] / spe['median_ms']:.2f}x the step rate of plain `fit` "
                    f"({'worth setting' if verdict == 'a faster' else 'slower: leave it at 1'})."
                )
            )
    for machine, backend, device in sorted(
        {(r["machine"], r["backend"], r["device"]) for r in rows if r["model"] == "mnist_mlp"}
    ):
        mlp = {(r["way"], r["batch"]): r for r in rows if (r["machine"], r["model"], r["backend"], r["device"]) == (machine, "mnist_mlp", backend, device)}  # fmt: skip
        batches = sorted({b for w, b in mlp if w == "train_on_batch"})
        if len(batches) >= 2:
            small, large = mlp[("train_on_batch", batches[0])], mlp[("train_on_batch", batches[-1])]
            advice.append(
                f"- **Batch size** ({backend}, {device}, MLP): batch {batches[-1]} trains "
                f"{large['samples_per_s'] / small['samples_per_s']:.1f}x the samples per second of batch {batches[0]} "
                f"(rows: {_case(large)}; {_case(small)}): small batches pay Keras's fixed per-step cost."
            )
        small = mlp.get(("train_on_batch", batches[0])) if batches else None
        native = mlp.get(("native", batches[0])) if batches else None
        fit = mlp.get(("fit", batches[0])) if batches else None
        if small and native:
            advice.append(
                f"- **Per-call overhead** ({backend}, {device}, MLP batch {batches[0]}): a Keras `train_on_batch` "
                f"step costs {small['median_ms'] / native['median_ms']:.1f}x a native step of the same work "
                f"({'a tie within the spread' if not differs(small, native) else 'beyond the spread'}; "
                f"rows: {_case(small)}; {_case(native)})."
                + (
                    f" Inside `fit` the step costs {fit['median_ms'] / native['median_ms']:.1f}x native "
                    f"({'tie' if not differs(fit, native) else 'beyond the spread'})."
                    if fit
                    else ""
                )
            )
    by_case = defaultdict(dict)
    for r in rows:
        by_case[(r["machine"], r["model"], r["way"], r["device"], r["batch"])][r["backend"]] = r
    wins, ties, compared = defaultdict(int), 0, 0
    for per in by_case.values():
        if len(per) > 1:
            compared += 1
            fastest = min(per.values(), key=lambda r: r["median_ms"])
            if all(differs(fastest, r) for r in per.values() if r is not fastest):
                wins[fastest["backend"]] += 1
            else:
                ties += 1
    if compared:
        tally = ", ".join(f"{b} in {n}" for b, n in sorted(wins.items(), key=lambda kv: -kv[1])) or "none"
        advice.append(
            f"- **Backend**: of {compared} cases measured on several backends, one backend was fastest beyond "
            f"the spread in: {tally}; {ties} were ties (table 'Backends on the same device and case')."
        )
    for c in crossovers(rows):
        advice.append(
            f"- **CPU or GPU** ({c['backend']}, {c['model']}, {c['way']}): "
            + (
                f"the GPU is faster beyond the spread from batch {c['crossover']} "
                f"({c['speedups'][c['batches'].index(c['crossover'])]:.1f}x there, {c['speedups'][-1]:.1f}x at "
                f"batch {c['batches'][-1]}); below it, train on the CPU or batch more."
                if c["crossover"] is not None
                else f"the GPU never pulls ahead beyond the spread up to batch {c['batches'][-1]} "
                f"(speed-up {c['speedups'][-1]:.1f}x there): this model's steps are too small for the GPU."
            )
        )
    if not advice:
        return []
    return ["", "## What to use (read off the rows above)", ""] + advice


# ----------------------------------------------------------------------------- plot


def plot(rows, path: Path, title: str) -> None:
    """One panel per model (samples/s against batch, CPU dashed, GPU solid) and one of GPU/CPU speed-up."""
    from reference.figures import plt

    models = sorted({r["model"] for r in rows})
    if not models:
        return
    pairs = gpu_cpu_pairs(rows)
    panels = len(models) + (1 if pairs else 0)
    cols = min(panels, 3)
    fig, axes = plt.subplots(
        (panels + cols - 1) // cols, cols, figsize=(5 * cols, 3.6 * ((panels + cols - 1) // cols)), squeeze=False
    )
    flat = [ax for row in axes for ax in row]
    for ax, model in zip(flat, models):
        series = defaultdict(list)
        for r in rows:
            if r["model"] == model:
                series[(r["way"], r["backend"], r["device"])].append((r["batch"], r["samples_per_s"]))
        for (way, backend, device), points in sorted(series.items()):
            points.sort()
            ax.plot([p[0] for p in points], [p[1] for p in points], "-" if device == "gpu" else "--", marker="o",
                    label=f"{way} {backend} {device}")  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title(model, fontsize=9)
        ax.set_xlabel("batch size", fontsize=8)
        ax.set_ylabel("samples / s", fontsize=8)
        ax.legend(fontsize=5)
    if pairs:
        ax = flat[len(models)]
        ratio = defaultdict(list)
        for cpu, gpu in pairs:
            ratio[(cpu["model"], cpu["way"], cpu["backend"])].append(
                (cpu["batch"], cpu["median_ms"] / gpu["median_ms"])
            )
        for (model, way, backend), points in sorted(ratio.items()):
            points.sort()
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"{model} {way} {backend}")
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_title("GPU/CPU speed-up (CPU time / GPU time)", fontsize=9)
        ax.set_xlabel("batch size", fontsize=8)
        ax.legend(fontsize=5)
    for ax in flat[panels:]:
        ax.axis("off")
    fig.suptitle(f"{title} (solid: GPU, dashed: CPU)", fontsize=10)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)


# ----------------------------------------------------------------------------- entry points


def method_text() -> str:
    from benchmarks import run

    return (
        run.__doc__.split(
            "What a row measures (the method, stated once; ``benchmarks.report`` prints it above the tables):"
        )[1]
        .split("A case whose first call")[0]
        .strip()
    )


def write_report(benchmarks, out: Path, backend: str) -> None:
    """The summary of one pytest-benchmark session (called from benchmarks/conftest.py)."""
    entries = []
    for b in benchmarks:
        s = getattr(b.stats, "stats", b.stats)
        if getattr(s, "data", None):  # a case that failed before timing has no data
            stats = {"median": s.median, "min": s.min, "q1": s.q1, "q3": s.q3, "iqr": s.iqr, "rounds": s.rounds}
            entries.append({"extra_info": dict(b.extra_info), "stats": stats})
    rows, peaks = rows_from(entries)
    out.mkdir(parents=True, exist_ok=True)
    title = f"Training-step throughput ({backend} backend, pytest-benchmark pass)"
    (out / "summary.md").write_text(render(rows, peaks, title), encoding="utf-8")
    plot(rows, out / "throughput.png", title)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "runs", nargs="+", type=Path, help="benchmarks.run JSON lines (.jsonl) or pytest-benchmark JSON"
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--note", action="append", default=[], help="a line on how the runs were made (repeatable)")
    parser.add_argument("--title", default="Training-step throughput")
    args = parser.parse_args(argv)
    rows, peaks, other, notes = read(args.runs)
    args.out.mkdir(parents=True, exist_ok=True)
    notes = [f"- {line}" for line in args.note] + notes
    (args.out / "summary.md").write_text(render(rows, peaks, args.title, notes, other, method_text()), encoding="utf-8")
    plot(rows, args.out / "throughput.png", args.title)
    print(f"wrote {args.out / 'summary.md'} from {len(args.runs)} files, {len(rows)} cases")


if __name__ == "__main__":
    main()
