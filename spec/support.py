"""Small measuring helpers the spec modules share."""

from __future__ import annotations

import contextlib
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
