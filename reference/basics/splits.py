"""Train/validation splits: a stratified split keeps every class's share; a tail split of ordered data does not.

    python -m reference.basics.splits      # class shares of both splits on label-sorted MNIST images

What it shows and why: a validation set is only useful if it looks like the data the model will
meet.  Keras's ``validation_split`` (and any "take the last 20 %" split, ``tail_split`` here) cuts
the arrays as they are ordered; when the data are sorted or grouped by label, that tail holds only
the last classes.  A stratified split (scikit-learn's ``train_test_split(..., stratify=y)``) draws
from every class in proportion, so both parts keep the class shares of the whole.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import train_test_split

from reference import cli


def _check(x, y, fraction):
    if len(x) != len(y):
        raise ValueError(f"{len(x)} examples but {len(y)} labels")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be strictly between 0 and 1, got {fraction!r}")


def class_proportions(labels, classes: int = 10) -> np.ndarray:
    """The share of each class 0..classes-1 among ``labels`` (sums to 1)."""
    labels = np.asarray(labels)
    if labels.size == 0:
        raise ValueError("labels is empty")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"labels must lie in 0..{classes - 1}, got values from {labels.min()} to {labels.max()}")
    return np.bincount(labels, minlength=classes) / labels.size


def sorted_by_label(x, y):
    """The same examples reordered so that all 0s come first, then all 1s, ... (a stable sort)."""
    if len(x) != len(y):
        raise ValueError(f"{len(x)} examples but {len(y)} labels")
    order = np.argsort(y, kind="stable")
    return x[order], y[order]


def tail_split(x, y, fraction: float = 0.2):
    """Hold out the last ``fraction`` of the arrays, as they are ordered (what ``validation_split`` does)."""
    _check(x, y, fraction)
    cut = len(x) - int(len(x) * fraction)
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def stratified_split(x, y, fraction: float = 0.2, seed: int = 0):
    """Hold out ``fraction`` of the examples so that each class keeps its share in both parts."""
    _check(x, y, fraction)
    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=fraction, stratify=y, random_state=seed)
    return (x_train, y_train), (x_val, y_val)


def main(argv=None) -> None:
    from reference.data import load_mnist

    args = cli.parse_args("basics.splits", argv)
    (x, y), _ = load_mnist()
    x, y = sorted_by_label(x[: args.n], y[: args.n])
    np.set_printoptions(precision=3, suppress=True)
    print("whole set         ", class_proportions(y))
    for name, split in (("tail split", tail_split), ("stratified split", stratified_split)):
        (_, y_train), (_, y_val) = split(x, y)
        print(f"{name:18s} train {class_proportions(y_train)}")
        print(f"{'':18s} val   {class_proportions(y_val)}")
    cli.wrote([])


if __name__ == "__main__":
    cli.run(main)
