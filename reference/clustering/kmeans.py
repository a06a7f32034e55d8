"""K-means (Lloyd's algorithm) written with Keras 3 ops, so it runs on any backend and device.

Initialisation comes from scikit-learn (``kmeans_plusplus``) or a random choice of data
points; giving scikit-learn's KMeans the same starting centres reproduces our result,
which the spec checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops


@dataclass
class KMeansResult:
    centers: np.ndarray
    labels: np.ndarray
    inertia_history: list  # sum of squared distances to the nearest centre, after each assignment
    iterations: int
    converged: bool

    @property
    def inertia(self) -> float:
        return self.inertia_history[-1]


def initial_centers(x: np.ndarray, k: int, init: str = "k-means++", seed: int = 0) -> np.ndarray:
    """Starting centres: ``"k-means++"`` (scikit-learn's) or ``"random"`` distinct data points."""
    x = np.asarray(x, dtype="float32")
    if x.ndim != 2:
        raise ValueError(f"expected data of shape (n, features), got {x.shape}")
    if not 1 <= k <= len(x):
        raise ValueError(f"k must be between 1 and the number of points ({len(x)}), got {k}")
    if init == "k-means++":
        from sklearn.cluster import kmeans_plusplus

        centers, _ = kmeans_plusplus(x, k, random_state=seed)
        return centers.astype("float32")
    if init == "random":
        return x[np.random.default_rng(seed).choice(len(x), k, replace=False)].copy()
    raise ValueError(f"unknown init {init!r}; use 'k-means++' or 'random'")


def _assign(x, centers):
    distances = (
        ops.sum(x * x, axis=1, keepdims=True)
        - 2 * ops.matmul(x, ops.transpose(centers))
        + ops.sum(centers * centers, axis=1)
    )
    labels = ops.argmin(distances, axis=1)
    inertia = ops.sum(ops.maximum(ops.min(distances, axis=1), 0.0))
    return labels, inertia


def kmeans(x, k: int, init="k-means++", max_iter: int = 300, tol: float = 1e-6, seed: int = 0) -> KMeansResult:
    """Cluster the rows of ``x`` into ``k`` groups; ``init`` is a name or an array of centres."""
    x_np = np.asarray(x, dtype="float32")
    centers_np = np.asarray(init, "float32") if not isinstance(init, str) else initial_centers(x_np, k, init, seed)
    if centers_np.shape != (k, x_np.shape[1]):
        raise ValueError(f"initial centres must have shape {(k, x_np.shape[1])}, got {centers_np.shape}")
    data = ops.convert_to_tensor(x_np)
    centers = ops.convert_to_tensor(centers_np)
    history, converged = [], False
    for iteration in range(1, max_iter + 1):  # noqa: B007  (the count is returned)
        labels, inertia = _assign(data, centers)
        history.append(float(inertia))
        onehot = ops.one_hot(labels, k, dtype="float32")
        counts = ops.sum(onehot, axis=0)
        sums = ops.matmul(ops.transpose(onehot), data)
        # An empty cluster keeps its old centre.
        new_centers = ops.where(counts[:, None] > 0, sums / ops.maximum(counts[:, None], 1.0), centers)
        shift = float(ops.sum(ops.square(new_centers - centers)))
        centers = new_centers
        if shift <= tol:
            converged = True
            break
    labels, inertia = _assign(data, centers)
    history.append(float(inertia))
    return KMeansResult(
        keras.ops.convert_to_numpy(centers),
        keras.ops.convert_to_numpy(labels).astype(int),
        history,
        iteration,
        converged,
    )
