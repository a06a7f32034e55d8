"""How training behaves, measured on small MNIST subsets: learning rate, overfitting, early stopping, shuffling.

    python -m reference.basics.training_curves lr-sweep     # loss curves for SGD rates 1e-4 ... 10
    python -m reference.basics.training_curves labels       # real labels against shuffled (random) labels
    python -m reference.basics.training_curves overfit      # 500 images: train accuracy -> 100 %, val loss turns up
    python -m reference.basics.training_curves shuffle      # label-sorted data, with and without shuffling
    python -m reference.basics.training_curves shuffle --seeds 0 1 2 --save docs/measurements/ch1_shuffle_seeds.json

What it shows and why: training is gradient descent on the loss, so its behaviour follows from a few
settings a learner chooses.  Each experiment here is one of the classic lessons, small enough to run in
seconds: the learning rate decides between crawling, converging and diverging; a loss falls only if
there is something to learn; a big model on few images memorises them (training accuracy near 100 %)
while its validation loss turns upward, which EarlyStopping catches; and fit() must see the classes
mixed, which is why it shuffles by default.  ``--seeds ... --save`` writes the per-seed measurements
the spec's thresholds come from.
"""

from __future__ import annotations

import json
import math
import time

import keras
import numpy as np

from reference import cli
from reference.basics.splits import sorted_by_label
from reference.basics.workflow import build_mlp, mnist_subset
from reference.measurements import write_report

LR_SWEEP_RATES = (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


def _compiled_mlp(optimizer, hidden: int = 128, seed: int = 0) -> keras.Sequential:
    model = build_mlp(hidden, seed=seed)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _finite_or_none(value: float):
    return float(value) if math.isfinite(value) else None  # JSON has no NaN; None marks a diverged loss


def lr_sweep(rates=LR_SWEEP_RATES, epochs: int = 5, n_train: int = 2000, seed: int = 0, verbose: int | str = 0) -> dict:
    """Train the same MLP (same initial weights) with plain SGD at each learning rate.

    Returns, per rate: ``loss`` (the loss before training, then each epoch's loss as fit reports it, the mean over
    that epoch's batches; None where it is NaN or infinite) and ``test_accuracy`` on 1,000 test images.
    """
    rates = tuple(float(r) for r in rates)
    if not rates or min(rates) <= 0:
        raise ValueError(f"rates must be positive learning rates, got {rates!r}")
    (x, y), (x_test, y_test) = mnist_subset(n_train, seed=seed)
    results = {}
    for rate in rates:
        keras.utils.set_random_seed(seed)
        model = _compiled_mlp(keras.optimizers.SGD(rate), seed=seed)
        start = model.evaluate(x, y, verbose=0)[0]
        history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose).history
        accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
        results[rate] = {
            "loss": [_finite_or_none(v) for v in [start, *history["loss"]]],
            "test_accuracy": float(accuracy),
        }
    return results


def real_vs_random_labels(epochs: int = 5, n_train: int = 2000, seed: int = 0, verbose: int | str = 0) -> dict:
    """The same model and data trained on the true labels and on a random permutation of them.

    Returns per case the loss before training, then each epoch's loss as fit reports it (the mean over that
    epoch's batches), and the test accuracy.
    """
    (x, y), (x_test, y_test) = mnist_subset(n_train, seed=seed)
    shuffled = np.random.default_rng(seed).permutation(y)
    results = {}
    for name, labels in (("real labels", y), ("random labels", shuffled)):
        keras.utils.set_random_seed(seed)
        model = _compiled_mlp(keras.optimizers.SGD(0.1), seed=seed)
        start = model.evaluate(x, labels, verbose=0)[0]
        history = model.fit(x, labels, epochs=epochs, batch_size=32, verbose=verbose).history
        results[name] = {
            "loss": [float(v) for v in [start, *history["loss"]]],
            "test_accuracy": float(model.evaluate(x_test, y_test, verbose=0)[1]),
        }
    return results


def overfitting_data(n_train: int = 500, n_val: int = 1000, seed: int = 0):
    """A small training set (MNIST training split) and a larger held-out validation set (MNIST test split)."""
    (x, y), (x_val, y_val) = mnist_subset(n_train, n_val, seed=seed)
    return (x, y), (x_val, y_val)


def overfitting_model(seed: int = 0) -> keras.Sequential:
    """A model far too big for 500 images: 784 -> 512 -> 10, Adam 1e-3, no regularisation."""
    return _compiled_mlp(keras.optimizers.Adam(1e-3), hidden=512, seed=seed)


def overfitting_curve(n_train: int = 500, epochs: int = 30, seed: int = 0, verbose: int | str = 0) -> dict:
    """Train ``overfitting_model`` on ``n_train`` images and return its History (loss, accuracy, val_*)."""
    if n_train < 10 or epochs < 2:
        raise ValueError(f"need n_train >= 10 and epochs >= 2, got n_train={n_train}, epochs={epochs}")
    keras.utils.set_random_seed(seed)
    (x, y), validation = overfitting_data(n_train, seed=seed)
    model = overfitting_model(seed)
    history = model.fit(
        x, y, epochs=epochs, batch_size=32, validation_data=validation, validation_batch_size=500, verbose=verbose
    ).history
    return {key: [float(v) for v in values] for key, values in history.items()}


def val_loss_turning_epoch(val_loss) -> int:
    """The epoch (1-based) with the lowest validation loss: after it, the loss turns upward."""
    if len(val_loss) == 0:
        raise ValueError("val_loss is empty")
    return int(np.argmin(val_loss)) + 1


class WeightHistory(keras.callbacks.Callback):
    """Records a copy of every weight at the end of each epoch (``self.epochs[i]`` for epoch i + 1)."""

    def __init__(self):
        super().__init__()
        self.epochs: list[list[np.ndarray]] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append([np.array(w) for w in self.model.get_weights()])


def shuffle_experiment(seed: int = 0, epochs: int = 3, n_train: int = 2000, verbose: int | str = 0) -> dict:
    """Test accuracy after training on label-sorted data with ``shuffle=True`` (the default) and ``shuffle=False``."""
    (x, y), (x_test, y_test) = mnist_subset(n_train, seed=seed)
    x_sorted, y_sorted = sorted_by_label(x, y)
    results = {}
    for shuffle in (True, False):
        keras.utils.set_random_seed(seed)
        model = _compiled_mlp(keras.optimizers.SGD(0.1), seed=seed)
        model.fit(x_sorted, y_sorted, epochs=epochs, batch_size=32, shuffle=shuffle, verbose=verbose)
        predicted = model.predict(x_test, verbose=0).argmax(axis=1)
        results["shuffle" if shuffle else "no shuffle"] = {
            "test_accuracy": float(np.mean(predicted == y_test)),
            "share predicted as 9": float(np.mean(predicted == 9)),
            "evaluate() accuracy": float(
                model.evaluate(x_test, y_test, verbose=0)[1]
            ),  # Keras's own count, a cross-check
        }
    return results


SETUPS = {
    "lr-sweep": "784-128-10 MLP, plain SGD at each rate, batch 32, 5 epochs, 2,000 MNIST training images, 1,000 test images; "
    "loss = the loss before training, then fit's loss per epoch, the mean over that epoch's batches (None = NaN/inf)",
    "labels": "784-128-10 MLP, SGD(0.1), batch 32, 5 epochs, 2,000 MNIST images with their labels or a random permutation "
    "of them; test accuracy on 1,000 test images",
    "overfit": "784-512-10 MLP, Adam(1e-3), batch 32, 30 epochs, 500 MNIST training images, 1,000 validation images "
    "(test split); the Keras History",
    "shuffle": "784-128-10 MLP, SGD(0.1), batch 32, 3 epochs, 2,000 MNIST images sorted by label, fit(shuffle=True/False); "
    "test accuracy and share of predictions equal to 9 on 1,000 test images",
}
EXPERIMENTS = {  # each takes (seed, verbose, **{"epochs": n} to shorten it) and returns JSON-ready results
    "lr-sweep": lambda seed, verbose, **kw: {str(k): v for k, v in lr_sweep(seed=seed, verbose=verbose, **kw).items()},
    "labels": lambda seed, verbose, **kw: real_vs_random_labels(seed=seed, verbose=verbose, **kw),
    "overfit": lambda seed, verbose, **kw: overfitting_curve(seed=seed, verbose=verbose, **kw),
    "shuffle": lambda seed, verbose, **kw: shuffle_experiment(seed=seed, verbose=verbose, **kw),
}


def main(argv=None) -> None:
    args = cli.parse_args("basics.training_curves", argv)
    filename = f"ch1_{args.experiment.replace('-', '_')}_seeds.json"
    target = cli.output(args, filename)
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    runs = {}
    cli.keep(runs=runs)  # Ctrl-C keeps the seeds finished so far with the history (reference/cli.py)
    for seed in args.seeds:
        began = time.perf_counter()
        result = EXPERIMENTS[args.experiment](seed, 0 if target else 1, **epochs)  # progress bars unless measuring
        runs[str(seed)] = {"result": result, "seconds": round(time.perf_counter() - began, 1)}
        print(f"seed {seed}: {json.dumps(result)[:2000]}")
    if target:
        how = (
            f"python -m reference.basics.training_curves {args.experiment}"
            f"{'' if args.epochs is None else f' --epochs {args.epochs}'} --seeds "
            f"{' '.join(map(str, args.seeds))} {cli.out_flag(target, filename)}  (keras {keras.__version__}, "
            f"{keras.backend.backend()} backend, 2-core shared CPU)"
        )
        write_report({"how": how, "setup": SETUPS[args.experiment], "runs": runs}, target)  # adds the machine
    cli.wrote([target])


if __name__ == "__main__":
    cli.run(main)
