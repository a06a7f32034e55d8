"""The regression gate of CI's benchmark pass (benchmarks.gate): Keras against native and fit against
train_on_batch, as ratios measured together, each below the bound recorded in docs/measurements/."""

import keras
import pytest

from benchmarks import gate


def test_ratio_gate(benchmark):
    """Fails when Keras's train_on_batch step grows against the native step, or fit's step against
    train_on_batch's, beyond the worst recorded run (after ATTEMPTS measurements, so a burst of load does not)."""
    backend = keras.backend.backend()
    if backend not in gate.BOUNDS:
        pytest.skip(f"no gate bounds recorded for the {backend} backend (python -m benchmarks.gate --record 8)")
    outcome = benchmark.pedantic(gate.gate, args=(backend,), rounds=1, iterations=1)
    last = outcome["attempts"][-1]
    benchmark.extra_info.update(
        kind="gate",
        backend=backend,
        attempts=len(outcome["attempts"]),
        bounds=outcome["bounds"],
        **{name: last[name] for name in outcome["bounds"]},
        median_ms=last["median_ms"],
        loaded=last.get("loaded"),
    )
    failures = "; ".join(map(str, outcome["failures"]))
    assert not outcome["failures"], f"{failures} in each of {len(outcome['attempts'])} attempts"
