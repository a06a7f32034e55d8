"""Batch size: how many updates an epoch makes, and what that does to accuracy.

    python -m reference.basics.batch_size                    # fixed epochs: batch 16 ... 1024, with and without lr scaling
    python -m reference.basics.batch_size --seeds 0 1 2 --save docs/measurements/ch1_batch_size_seeds.json

What it shows and why: fit() cuts each epoch into ``ceil(n / batch_size)`` batches and makes one
optimizer update per batch, the last batch being smaller when ``batch_size`` does not divide ``n``.
At a fixed number of epochs and a fixed learning rate, a larger batch therefore means fewer
updates, and (with plain SGD) a less trained model.  Each larger-batch gradient is less noisy, so
the usual remedy is to scale the learning rate with the batch (the "linear scaling rule"), which
recovers much of the lost accuracy as long as the scaled rate stays stable.
"""

from __future__ import annotations

import math
import time

import keras
import numpy as np

from reference import cli
from reference.basics.workflow import build_mlp, mnist_subset
from reference.measurements import write_report

BATCH_SIZES = (16, 64, 256, 1024)
BASE_BATCH = 16
BASE_LR = 0.01
SETUP = (
    "784-128-10 MLP, SGD, 3 epochs, 4,000 MNIST training images, 1,000 test images; per batch size the optimizer "
    "updates and the test accuracy at lr 0.01 and at lr 0.01 x batch / 16"
)


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Optimizer updates fit() makes per epoch on ``n`` examples: ``ceil(n / batch_size)``."""
    if n < 1 or batch_size < 1:
        raise ValueError(f"n and batch_size must be positive integers, got n={n}, batch_size={batch_size}")
    return math.ceil(n / batch_size)


def scaled_learning_rate(batch_size: int, base_lr: float = BASE_LR, base_batch: int = BASE_BATCH) -> float:
    """The linear scaling rule: the learning rate grows in proportion to the batch size."""
    if batch_size < 1 or base_batch < 1 or base_lr <= 0:
        raise ValueError(f"need positive batch sizes and rate, got {batch_size}, {base_batch}, {base_lr}")
    return base_lr * batch_size / base_batch


def batch_size_experiment(
    batch_sizes=BATCH_SIZES, epochs: int = 3, n_train: int = 4000, seed: int = 0, verbose: int | str = 0
) -> dict:
    """Train the same MLP (same initial weights, SGD) for ``epochs`` epochs at each batch size, twice:
    at the fixed rate ``BASE_LR`` and at ``scaled_learning_rate(batch)``.

    Returns per batch size: ``updates`` (optimizer iterations counted after fit), and for "fixed lr"
    and "scaled lr" the learning rate and the test accuracy on 1,000 images.
    """
    if not batch_sizes or min(batch_sizes) < 1:
        raise ValueError(f"batch_sizes must be positive, got {batch_sizes!r}")
    (x, y), (x_test, y_test) = mnist_subset(n_train, seed=seed)
    results = {}
    for batch in batch_sizes:
        row = {}
        for name, rate in (("fixed lr", BASE_LR), ("scaled lr", scaled_learning_rate(batch))):
            if name == "scaled lr" and rate == BASE_LR:  # the base batch: the same run twice, train it once
                row[name] = dict(row["fixed lr"])
                continue
            keras.utils.set_random_seed(seed)
            model = build_mlp(seed=seed)
            model.compile(
                optimizer=keras.optimizers.SGD(rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
            )
            model.fit(x, y, epochs=epochs, batch_size=batch, verbose=verbose)
            row["updates"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
            accuracy = float(np.mean(model.predict(x_test, verbose=0).argmax(axis=1) == y_test))
            row[name] = {"learning_rate": rate, "test_accuracy": accuracy}
        results[batch] = row
    return results


def main(argv=None) -> None:
    args = cli.parse_args("basics.batch_size", argv)
    target = cli.output(args, "ch1_batch_size_seeds.json")
    runs = {}
    cli.keep(runs=runs)  # Ctrl-C keeps the seeds finished so far with the history (reference/cli.py)
    for seed in args.seeds:
        began = time.perf_counter()
        result = batch_size_experiment(seed=seed, epochs=args.epochs, verbose=0 if target else 1)
        runs[str(seed)] = {
            "result": {str(k): v for k, v in result.items()},
            "seconds": round(time.perf_counter() - began, 1),
        }
        for batch, row in result.items():
            print(
                f"seed {seed}, batch {batch:5d}: {row['updates']:4d} updates, test accuracy "
                f"{row['fixed lr']['test_accuracy']:.3f} at lr {BASE_LR}, "
                f"{row['scaled lr']['test_accuracy']:.3f} at lr {row['scaled lr']['learning_rate']:g}"
            )
    if target:
        how = (
            f"python -m reference.basics.batch_size --epochs {args.epochs} --seeds {' '.join(map(str, args.seeds))} "
            f"{cli.out_flag(target, 'ch1_batch_size_seeds.json')}  "
            f"(keras {keras.__version__}, {keras.backend.backend()} backend, 2-core shared CPU)"
        )
        write_report({"how": how, "setup": SETUP, "runs": runs}, target)  # adds Keras, backend, CPU, threads
    cli.wrote([target])


if __name__ == "__main__":
    cli.run(main)
