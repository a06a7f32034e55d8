"""Seed reports: the JSON files in docs/measurements/ that the thresholds in spec/ are read from.

Every report has one schema (``SCHEMA``): ``how`` (the command or call that produced it), ``setup`` (what
was trained and measured), ``machine`` (Keras version, backend, CPU model, cores, threads, date: what the
numbers depend on besides the code), ``runs`` (one entry per seed, keyed by the seed as a string) and,
optionally, ``constants`` (numbers that do not vary by seed: a baseline, a fixed setting) and ``notes``
(anything else worth keeping: a design note, an exploration, a summary).

Each ``measure_seeds`` function builds ``how``, ``setup`` and ``runs`` and hands them to ``write_report``,
the one writer, which adds ``machine`` and checks the shape.  ``load_reports`` reads them back; the ledger
renders every measured range quoted in a text from them (``ledger.measured``).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

SCHEMA = 1
DIRECTORY = Path(__file__).resolve().parent.parent / "docs" / "measurements"
REQUIRED = ("schema", "how", "setup", "machine", "runs")
OPTIONAL = ("constants", "notes")
MACHINE_KEYS = ("keras", "backend", "cpu", "cores", "threads", "date")
NOT_RECORDED = "not recorded"


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or NOT_RECORDED


def thread_count(backend: str) -> int:
    """How many threads the active backend's CPU kernels use (its intra-op pool)."""
    cores = os.cpu_count() or 1
    if backend == "torch":
        import torch

        return torch.get_num_threads()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.config.threading.get_intra_op_parallelism_threads() or cores
    return int(os.environ.get("OMP_NUM_THREADS", cores))


def machine() -> dict:
    """What a seed report's numbers depend on besides the code: Keras, backend, CPU model, cores, threads."""
    import keras  # here, not at module top: the ledger plugin imports this module before the backend is checked

    backend = keras.backend.backend()
    return {
        "keras": keras.__version__,
        "backend": backend,
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "threads": thread_count(backend),
        "date": datetime.date.today().isoformat(),
    }


def machine_note(report: dict | None = None) -> str:
    """One line: 'Keras 3.15.1, tensorflow backend, 2 cores (...)' for a report (default: this machine)."""
    m = (report or {}).get("machine") or machine()
    return f"Keras {m['keras']}, {m['backend']} backend, {m['cores']} cores, {m['threads']} threads, CPU: {m['cpu']}"


def check_report(report: dict) -> None:
    """Raise ValueError naming what is wrong when ``report`` is not in the one schema."""
    keys = set(report)
    missing = [k for k in REQUIRED if k not in keys]
    extra = sorted(keys - set(REQUIRED) - set(OPTIONAL))
    if missing or extra:
        raise ValueError(
            f"a seed report has the keys {list(REQUIRED)} and optionally {list(OPTIONAL)}; "
            f"missing {missing}, unexpected {extra}"
        )
    if report["schema"] != SCHEMA:
        raise ValueError(f"seed report schema {report['schema']!r}; this code reads schema {SCHEMA}")
    if sorted(report["machine"]) != sorted(MACHINE_KEYS):
        raise ValueError(f"'machine' needs exactly {list(MACHINE_KEYS)}; received {sorted(report['machine'])}")
    runs = report["runs"]
    if not isinstance(runs, dict) or not runs or not all(isinstance(k, str) and k.isdigit() for k in runs):
        raise ValueError(f"'runs' maps each seed (a string of digits) to its result; received keys {list(runs)[:5]}")


def write_report(report: dict, out: str | Path | None) -> dict:
    """Add ``schema`` and ``machine`` to ``report`` (``how``, ``setup``, ``runs``, optionally ``constants``
    and ``notes``), check it, write it as indented JSON to ``out`` (nothing when ``out`` is None) and return it."""
    report = {"schema": SCHEMA, **{k: v for k, v in report.items() if k != "machine"}, "machine": machine()}
    report = {k: report[k] for k in (*REQUIRED, *OPTIONAL) if k in report} | report
    check_report(report)
    if out is not None:
        Path(out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def runs_by_seed(runs: dict) -> dict:
    """``{seed: result}`` with string keys, as ``runs`` is stored (JSON keys are strings)."""
    return {str(seed): result for seed, result in runs.items()}


def load_reports(directory: str | Path = DIRECTORY) -> dict[str, dict]:
    """Every seed report in ``directory`` (``*_seeds*.json``), by file stem, each checked against the schema."""
    reports = {}
    for path in sorted(Path(directory).glob("*_seeds*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        try:
            check_report(report)
        except ValueError as error:
            raise ValueError(f"{path.name}: {error}") from None
        reports[path.stem] = report
    return reports
