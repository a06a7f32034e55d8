"""Small measuring helpers the spec modules share."""

from __future__ import annotations

import contextlib
import json
import subprocess
import warnings

import numpy as np


@contextlib.contextmanager
def recorded_warnings():
    """Collect every warning raised inside the block as ``"Category: message"`` strings."""
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield texts
    texts.extend(f"{w.category.__name__}: {w.message}" for w in caught)


def weights_of(model) -> list[np.ndarray]:
    """A copy of every weight of a model (trainable and not), as numpy arrays."""
    return [np.array(w) for w in model.get_weights()]


def largest_change(before: list[np.ndarray], after: list[np.ndarray]) -> float:
    """Largest absolute difference between two weight snapshots."""
    return max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))


class SubprocessCrashed(RuntimeError):
    """A measuring subprocess exited with an error instead of printing its result.

    Raised rather than asserted: the ledger reports the claim as broken (a crash), never as drifted."""


def last_json_line(done: subprocess.CompletedProcess, what: str) -> dict:
    """The JSON result a measuring subprocess printed last; ``SubprocessCrashed`` if it exited with an error."""
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [""]
        raise SubprocessCrashed(f"{what} exited with {done.returncode}: {lines[-1]}\n{done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
