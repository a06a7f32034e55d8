"""Seed reports: the JSON files in docs/measurements/ that the thresholds in spec/ are read from.

Each ``measure_seeds`` function builds one report (``"how"``: the call and its setup; ``"runs"``: one
entry per seed) and hands it to ``write_report``, which adds where it was measured.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras


def machine_note() -> str:
    """Keras version, backend and CPU count: what a seed report's numbers depend on besides the code."""
    return f"Keras {keras.__version__}, {keras.backend.backend()} backend, {os.cpu_count()} CPUs."


def write_report(report: dict, out: str | Path | None) -> dict:
    """Add ``machine_note()`` to ``report["how"]``, write the report as indented JSON to ``out`` (nothing
    when ``out`` is None) and return it."""
    if "how" not in report or "runs" not in report:
        raise ValueError(f"a seed report needs 'how' and 'runs'; received keys {sorted(report)}")
    report = {**report, "how": f"{report['how']} {machine_note()}"}
    if out is not None:
        Path(out).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report
