"""The benchmarks' regression gate: ratios of times measured together in one process, against recorded bounds.

    python -m benchmarks.gate                       # one measurement: the ratios, and whether they pass
    python -m benchmarks.gate --record 8 --out docs/measurements/bench_gate_seeds.json

Why ratios: on a shared machine the same case's time moves several-fold with the load, so a gate on a case's
own time (pytest-benchmark's ``--benchmark-compare-fail``) either fails at random or is too loose to catch
anything.  Two ways of doing the same work, measured in interleaved rounds in one process, share the load,
and their ratio is what a Keras regression moves:

- ``keras_over_native``: the MNIST MLP's ``train_on_batch`` step over the same step written in the backend
  (``benchmarks.native``): Keras's per-call cost;
- ``fit_over_train_on_batch``: a ``fit`` step, timed inside the call (``benchmarks.run``'s method), over a
  ``train_on_batch`` step: what ``fit``'s loop adds per step.

Both at batch ``BATCH`` on the CPU; a measurement runs ``ROUNDS`` rounds of each way (``benchmarks.run.run_group``)
and takes the median over rounds of each round's ratio.  The bounds are declared with
``ledger.measured.threshold`` against the recorded runs (``--record``, one fresh process each), above the worst
of them; ``tests/test_measurements.py`` checks that they stay there.  A measurement above a bound is taken again
(``ATTEMPTS`` in all) before the gate fails: a regression stays above it every time, a burst of load seldom
does.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ledger.measured import threshold

BATCH = 32
ROUNDS = 7
ROUND_S = 0.2
ATTEMPTS = 3
WAYS = ("train_on_batch", "fit", "native")
REPORTS = {"tensorflow": "bench_gate_seeds"}  # the recorded runs per backend (docs/measurements/NAME.json)
BOUNDS = {
    "tensorflow": {
        # the recorded runs: docs/measurements/bench_gate_seeds.json (README's table renders them). About a
        # quarter above the worst: a typical run fails once Keras's own share of the step (train_on_batch less
        # native) more than doubles
        "keras_over_native": threshold(3.0, "bench_gate_seeds", "keras_over_native", side="above"),
        # fit's step costs about what train_on_batch's does today: the bound is about 30% above the worst run
        "fit_over_train_on_batch": threshold(1.3, "bench_gate_seeds", "fit_over_train_on_batch", side="above"),
    },
}


def ratios_of(rounds: dict[str, list[float]]) -> dict[str, float]:
    """The gate's two ratios from each way's seconds per step, round by round (round i of every way ran
    back to back, so each round's ratio compares times taken under the same load)."""

    def paired(a, b):
        return statistics.median(x / y for x, y in zip(rounds[a], rounds[b]))

    return {
        "keras_over_native": paired("train_on_batch", "native"),
        "fit_over_train_on_batch": paired("fit", "train_on_batch"),
    }


def measure(backend: str, batch: int = BATCH, rounds: int = ROUNDS, round_s: float = ROUND_S) -> dict:
    """Build the three ways, run their first calls and ``rounds`` interleaved rounds; the ratios and what they
    rest on (each way's median ms per step, the load, the machine)."""
    from benchmarks import run

    state, meter = run.machine_state(), run.LoadMeter()
    cases = [run.build_case("mnist_mlp", way, batch, "cpu", backend) for way in WAYS]
    run.run_group(cases, round_s, rounds, time.monotonic() + 3600, time.monotonic() + 600)
    per_round = {case.way: case.rounds for case in cases}
    return {
        **ratios_of(per_round),
        "median_ms": {way: round(statistics.median(v) * 1000, 4) for way, v in per_round.items()},
        "batch": batch,
        "rounds": rounds,
        "round_s": round_s,
        **meter.read(),
        "loadavg": state["loadavg"],
        "affinity": state["affinity"],
    }


@dataclass(frozen=True)
class Exceeded:
    """One ratio above its bound: the numbers, which tests compare; ``str()`` is the line a person reads."""

    name: str
    ratio: float
    bound: float

    def __str__(self) -> str:
        return f"{self.name} {self.ratio:.3f} > bound {self.bound} (docs/measurements/, benchmarks.gate.BOUNDS)"


def check(ratios: dict, bounds: dict) -> list[Exceeded]:
    """Every ratio above its bound (empty: the gate passes)."""
    return [Exceeded(name, ratios[name], bound) for name, bound in bounds.items() if ratios[name] > bound]


def gate(backend: str, attempts: int = ATTEMPTS, measure=measure) -> dict:
    """Measure until the ratios are within the bounds, at most ``attempts`` times; every attempt and the
    failures of the last (empty when one passed)."""
    bounds = BOUNDS[backend]
    tries = []
    for _ in range(attempts):
        result = measure(backend)
        tries.append(result)
        failures = check(result, bounds)
        if not failures:
            break
    return {"attempts": tries, "failures": failures, "bounds": bounds}


def record(runs: int, out: Path | None, append: bool = False, progress=True) -> dict:
    """``runs`` measurements, each in a fresh interpreter (as CI's pass runs it), written as a seed report;
    ``append``: after the runs the report at ``out`` already holds (each batch of runs listed in its notes)."""
    from tqdm import tqdm

    from reference.measurements import write_report

    found, notes = {}, []
    if append and out is not None and out.exists():
        old = json.loads(out.read_text(encoding="utf-8"))
        found, notes = old["runs"], old.get("notes", [])
    first = len(found)
    for index in tqdm(range(first, first + runs), desc="gate ratios", unit="run", disable=not progress):
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.gate", "--json"], capture_output=True, text=True, check=False
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"run {index} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        found[str(index)] = json.loads(lines[-1])
    notes.append(f"runs {first}-{first + runs - 1}: {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    report = {
        "how": "python -m benchmarks.gate --record RUNS [--append]: one fresh interpreter per run",
        "setup": (
            f"the MNIST MLP (reference.mnist_mlp.build_mlp, adam) at batch {BATCH} on the CPU: train_on_batch, fit "
            f"(timed per step inside the call) and the native step (benchmarks.native), built together and run in "
            f"{ROUNDS} interleaved rounds of {ROUND_S} s; each ratio the median over rounds of that round's ratio"
        ),
        "runs": found,
        "notes": notes,
    }
    return write_report(report, out)


def main(argv=None) -> int:
    import argparse

    from reference import cli

    parser = cli.Parser(
        prog="python -m benchmarks.gate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--record", type=cli.positive_int, metavar="RUNS", help="record this many runs")
    parser.add_argument("--out", type=cli.writable_file, help="where --record writes its report (JSON)")
    parser.add_argument("--append", action="store_true", help="--record after the runs --out already holds")
    parser.add_argument("--json", action="store_true", help="one measurement as a JSON line (what --record reads)")
    args = parser.parse_args(argv)
    if (args.out or args.append) and not args.record:
        parser.error("--out and --append go with --record")
    if args.append and not args.out:
        parser.error("--append needs --out (the report to add to)")
    if args.record:
        report = record(args.record, args.out, args.append)
        for name in ("keras_over_native", "fit_over_train_on_batch"):
            values = [run[name] for run in report["runs"].values()]
            print(f"{name}: {min(values):.3f}-{max(values):.3f} over {len(values)} runs")
        print(f"wrote {args.out}" if args.out else "(not written: no --out)")
        return 0
    import keras

    result = measure(keras.backend.backend())
    if args.json:
        print(json.dumps(result))
        return 0
    bounds = BOUNDS.get(keras.backend.backend(), {})
    for name in ("keras_over_native", "fit_over_train_on_batch"):
        print(f"{name}: {result[name]:.3f} (bound {bounds.get(name, 'none recorded')})")
    failures = check(result, bounds)
    print("\n".join(map(str, failures)) or "within the bounds")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
