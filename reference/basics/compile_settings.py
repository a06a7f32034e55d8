"""Compile settings (table of contents, 1.6): what each argument of ``compile()`` changes, and what it does not.

    python -m reference.basics.compile_settings          # the same training under each execution setting, timed

What it shows:

- ``optimizer`` takes a name (``"adam"``: the class with its default learning rate) or an object
  (``keras.optimizers.SGD(learning_rate=0.1)``); ``sgd_step_by_hand`` is the update plain SGD must make,
  to check that the learning rate given is the one used.
- ``run_eagerly``, ``jit_compile`` and ``steps_per_execution`` change how a step is executed (Python op
  by op; compiled by XLA; several steps per call into the compiled function), not what it computes:
  ``train_with`` trains the same model from the same weights on the same batches under each setting,
  so the final weights can be compared and the time shown.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

MEASUREMENTS = Path(__file__).resolve().parents[2] / "docs" / "measurements"
# The execution settings compared with the default (compile's defaults: run_eagerly=False, jit_compile="auto",
# steps_per_execution=1).
EXECUTION_SETTINGS = {
    "run_eagerly": {"run_eagerly": True},
    "jit_compile": {"jit_compile": True},
    "steps_per_execution": {"steps_per_execution": 8},
}


def sgd_step_by_hand(x, y, kernel, bias, learning_rate: float):
    """One plain SGD step of a linear layer ``x @ kernel + bias`` under mean squared error, in float64.

    The loss is the mean over the batch and the outputs of (prediction - y)**2, so its gradient with respect
    to the kernel is 2 / (n * k) * x.T @ (prediction - y).  Returns the new (kernel, bias).
    """
    x, y = np.asarray(x, "float64"), np.asarray(y, "float64")
    kernel, bias = np.asarray(kernel, "float64"), np.asarray(bias, "float64")
    if x.ndim != 2 or y.shape != (len(x), kernel.shape[1]) or kernel.shape[0] != x.shape[1]:
        raise ValueError(f"shapes do not fit a linear layer: x {x.shape}, y {y.shape}, kernel {kernel.shape}")
    residual = x @ kernel + bias - y
    scale = 2.0 / residual.size
    return kernel - learning_rate * scale * x.T @ residual, bias - learning_rate * scale * residual.sum(axis=0)


def mnist_digits(n: int = 2048):
    """The first ``n`` MNIST training digits, flattened to [0, 1], with integer labels."""
    if not 0 < n <= 60_000:
        raise ValueError(f"n must be between 1 and 60000, received {n}")
    (images, labels), _ = load_mnist()
    return images[:n].reshape(n, -1).astype("float32") / 255.0, labels[:n].astype("int64")


def mlp(seed: int = 0) -> keras.Sequential:
    """784-64-10 relu/softmax, initialised from ``seed``."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    )


def train_with(
    settings: dict, seed: int = 0, n: int = 1024, epochs: int = 2, batch_size: int = 64, verbose: int | str = 0
) -> dict:
    """Train ``mlp(seed)`` with Adam(1e-3) under compile(**settings); same weights, same unshuffled batches.

    Returns the final weights, the wall time of fit() (it includes tracing and compiling), the resolved
    ``jit_compile`` and ``run_eagerly`` and the last epoch's loss.
    """
    unknown = set(settings) - {"run_eagerly", "jit_compile", "steps_per_execution"}
    if unknown:
        raise ValueError(
            f"only run_eagerly, jit_compile and steps_per_execution are compared; received {sorted(unknown)}"
        )
    x, y = mnist_digits(n)
    model = mlp(seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", **settings)
    started = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=verbose)
    seconds = time.perf_counter() - started
    return {
        "weights": model.get_weights(),
        "seconds": seconds,
        "jit_compile": model.jit_compile,
        "run_eagerly": model.run_eagerly,
        "loss": float(history.history["loss"][-1]),
    }


def largest_difference(a: list, b: list) -> float:
    """Largest absolute difference between two lists of weight arrays of the same shapes."""
    if len(a) != len(b) or any(np.shape(u) != np.shape(v) for u, v in zip(a, b)):
        raise ValueError("the two weight lists do not have the same shapes")
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)))) for u, v in zip(a, b))


def _measure_execution_modes(seeds=(0, 1, 2), verbose: int | str = 0, epochs: int = 2) -> dict:
    """Per seed and setting: the largest weight difference from the default, and the seconds fit() took."""
    runs = {}
    for seed in seeds:
        default = train_with({}, seed=seed, epochs=epochs, verbose=verbose)
        runs[f"default/seed{seed}"] = {"seconds": round(default["seconds"], 3), "largest_weight_difference": 0.0}
        for name, settings in EXECUTION_SETTINGS.items():
            run = train_with(settings, seed=seed, epochs=epochs, verbose=verbose)
            runs[f"{name}/seed{seed}"] = {
                "seconds": round(run["seconds"], 3),
                "largest_weight_difference": largest_difference(run["weights"], default["weights"]),
            }
    return {"settings": EXECUTION_SETTINGS, "runs": runs}


def main(argv=None) -> None:
    args = cli.parse_args("basics.compile_settings", argv)
    result = _measure_execution_modes(tuple(args.seeds), verbose=1, epochs=args.epochs)
    for key, run in result["runs"].items():
        print(
            f"{key:<28} fit {run['seconds']:6.2f} s   "
            f"largest weight difference from default {run['largest_weight_difference']:.3g}"
        )
    target = None
    if args.out is not None:
        how = f"python -m reference.basics.compile_settings --seeds {' '.join(map(str, args.seeds))} --out {args.out}"
        runs: dict = {}
        for name_seed, run in result["runs"].items():  # "name/seedN" -> runs keyed by seed, as every report is
            name, seed = name_seed.rsplit("/seed", 1)
            runs.setdefault(seed, {})[name] = run
        setup = (
            "the same model trained by default, eagerly, jit-compiled and with steps_per_execution (settings); "
            "seconds and the largest weight difference from the default"
        )
        target = args.out / "ch1_execution_modes_seeds.json"
        write_report({"how": how, "setup": setup, "runs": runs, "constants": {"settings": result["settings"]}}, target)
    cli.wrote([target])


if __name__ == "__main__":
    cli.run(main)
