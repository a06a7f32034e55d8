"""Activation functions and regularisation (table of contents, 1.5), as experiments one can rerun.

    python -m reference.basics.regularisation                 # dropout vs none on 1,000 MNIST digits, seed 0
    python -m reference.basics.regularisation --seeds 0 1 2 --write   # the measurements in docs/measurements/

What it shows, and why each piece is here:

- **Vanishing gradients.**  A sigmoid's slope is at most 1/4, so in a deep sigmoid network the gradient
  shrinks layer after layer on its way back to the input; ReLU passes it on unchanged where a unit is
  active.  ``layer_gradient_norms`` reads each Dense layer's gradient norm from one plain SGD step
  (the weight change divided by the learning rate: a public path that works on every backend).
- **L2 weight decay.**  ``kernel_regularizer=keras.regularizers.L2(l2)`` adds ``l2 * sum(w**2)`` (no 1/2)
  to the loss; ``penalty_by_hand`` computes it from the weights, to compare with ``model.losses``.
- **Dropout.**  Random units are zeroed while training only; on small data it narrows the gap
  between training and validation loss (``overfitting_gap``).
- **Batch normalisation.**  In training a layer normalises with the batch's own mean and variance and
  moves its running averages towards them; in inference it uses the running averages
  (``batchnorm_by_hand``, ``moving_average``).

The MNIST subsets: the first ``n_train`` training digits; validation digits from 50,000 on.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

MEASUREMENTS = Path(__file__).resolve().parents[2] / "docs" / "measurements"
VALIDATION_START = 50_000  # validation digits come from the training split's tail, never from the first n_train


def mnist_subset(n_train: int = 1000, n_val: int = 2000):
    """(x_train, y_train), (x_val, y_val): flattened pixels in [0, 1] (float32) and integer labels."""
    if not 0 < n_train <= VALIDATION_START or not 0 < n_val <= 60_000 - VALIDATION_START:
        raise ValueError(
            f"need 0 < n_train <= {VALIDATION_START} and 0 < n_val <= {60_000 - VALIDATION_START}; "
            f"received n_train={n_train}, n_val={n_val}"
        )
    (images, labels), _ = load_mnist()
    val = slice(VALIDATION_START, VALIDATION_START + n_val)

    def flat(part):
        return part.reshape(len(part), -1).astype("float32") / 255.0

    return (flat(images[:n_train]), labels[:n_train].astype("int64")), (flat(images[val]), labels[val].astype("int64"))


def deep_mlp(
    activation: str, depth: int = 10, width: int = 64, inputs: int = 784, classes: int = 10, seed: int = 0
) -> keras.Sequential:
    """``depth`` hidden Dense layers of ``width`` units with ``activation`` (Glorot-uniform), then softmax."""
    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be positive, received depth={depth}, width={width}")
    keras.utils.set_random_seed(seed)
    hidden = [layers.Dense(width, activation=activation, name=f"hidden{i + 1}") for i in range(depth)]
    return keras.Sequential(
        [keras.Input((inputs,)), *hidden, layers.Dense(classes, activation="softmax", name="out")],
        name=f"deep_{activation}",
    )


def layer_gradient_norms(model: keras.Model, x: np.ndarray, y: np.ndarray, probe_lr: float = 1000.0) -> list[float]:
    """Norm of the loss gradient w.r.t. each Dense kernel, first layer first; ``model`` is left unchanged.

    One step of plain SGD (no momentum) moves every weight by exactly ``-probe_lr * gradient``, and all
    gradients are taken at the starting weights, so ``|kernel change| / probe_lr`` is the gradient norm.
    The large ``probe_lr`` lifts tiny updates (1e-6 and less in a deep sigmoid net) well above float32
    rounding of the weights; a copy of the model takes the step.
    """
    if probe_lr <= 0:
        raise ValueError(f"probe_lr must be positive, received {probe_lr}")
    if len(x) != len(y):
        raise ValueError(f"{len(x)} inputs but {len(y)} labels")
    dense = [i for i, layer in enumerate(model.layers) if isinstance(layer, layers.Dense)]
    if not dense:
        raise ValueError(f"model {model.name!r} has no Dense layer to measure")
    probe = keras.models.clone_model(model)
    probe.set_weights(model.get_weights())
    probe.compile(optimizer=keras.optimizers.SGD(learning_rate=probe_lr), loss="sparse_categorical_crossentropy")
    before = [keras.ops.convert_to_numpy(probe.layers[i].kernel).astype("float64") for i in dense]
    probe.train_on_batch(x, y)
    after = [keras.ops.convert_to_numpy(probe.layers[i].kernel).astype("float64") for i in dense]
    return [float(np.linalg.norm(a - b) / probe_lr) for a, b in zip(after, before)]


def penalty_by_hand(model: keras.Model) -> float:
    """The regularisation loss of ``model``'s kernels, from the weights: sum of l1*|w| + l2*w**2 per layer."""
    total = 0.0
    for layer in model.layers:
        regularizer = getattr(layer, "kernel_regularizer", None)
        if regularizer is None:
            continue
        if not isinstance(regularizer, (keras.regularizers.L1, keras.regularizers.L2, keras.regularizers.L1L2)):
            raise ValueError(
                f"layer {layer.name!r}: only L1, L2 and L1L2 are computed by hand, "
                f"received {type(regularizer).__name__}"
            )
        config = regularizer.get_config()
        kernel = keras.ops.convert_to_numpy(layer.kernel).astype("float64")
        total += config.get("l1", 0.0) * np.abs(kernel).sum() + config.get("l2", 0.0) * np.square(kernel).sum()
    return float(total)


def classifier(
    width: int = 256,
    depth: int = 2,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    l2: float = 0.0,
    inputs: int = 784,
    classes: int = 10,
    seed: int = 0,
) -> keras.Sequential:
    """An MLP: optional input dropout, ``depth`` x (Dense(width, relu) [+ L2] + optional Dropout), softmax."""
    for name, rate in (("dropout", dropout), ("input_dropout", input_dropout)):
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"{name} must be in [0, 1), received {rate}")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, received {l2}")
    keras.utils.set_random_seed(seed)
    stack: list = [keras.Input((inputs,))]
    if input_dropout:
        stack.append(layers.Dropout(input_dropout))
    for i in range(depth):
        stack.append(
            layers.Dense(
                width,
                activation="relu",
                name=f"hidden{i + 1}",
                kernel_regularizer=keras.regularizers.L2(l2) if l2 else None,
            )
        )
        if dropout:
            stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(classes, activation="softmax", name="out"))
    return keras.Sequential(stack)


def overfitting_gap(
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    l2: float = 0.0,
    seed: int = 0,
    n_train: int = 1000,
    epochs: int = 30,
    width: int = 256,
    batch_size: int = 100,
    curves: bool = True,
    verbose: int | str = 0,
) -> dict:
    """Train ``classifier`` on ``n_train`` MNIST digits (adam); loss and accuracy on them and on 2,000 others.

    Both are measured by ``evaluate`` (inference mode: no dropout), so the gap compares like with like.
    Returns the numbers, the first hidden kernel's norm and the per-epoch history (with the validation
    loss per epoch when ``curves``; validating does not change the training, only its cost).
    """
    (x, y), (x_val, y_val) = mnist_subset(n_train)
    model = classifier(width=width, dropout=dropout, input_dropout=input_dropout, l2=l2, seed=seed)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(
        x, y, epochs=epochs, batch_size=batch_size, verbose=verbose, validation_data=(x_val, y_val) if curves else None
    )
    seconds = time.perf_counter() - started
    train = model.evaluate(x, y, verbose=0, return_dict=True)
    val = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    kernel = keras.ops.convert_to_numpy(model.get_layer("hidden1").kernel)
    return {
        "train_loss": float(train["loss"]),
        "train_accuracy": float(train["accuracy"]),
        "val_loss": float(val["loss"]),
        "val_accuracy": float(val["accuracy"]),
        "loss_gap": float(val["loss"] - train["loss"]),
        "accuracy_gap": float(train["accuracy"] - val["accuracy"]),
        "hidden1_kernel_norm": float(np.linalg.norm(kernel)),
        "seconds": round(seconds, 2),
        "history": {k: [float(v) for v in values] for k, values in history.history.items()},
    }


def batchnorm_by_hand(x, gamma, beta, mean, variance, epsilon: float = 1e-3) -> np.ndarray:
    """gamma * (x - mean) / sqrt(variance + epsilon) + beta, in float64 (Keras's default epsilon is 1e-3)."""
    x = np.asarray(x, dtype="float64")
    if x.ndim != 2:
        raise ValueError(f"expected a batch of feature vectors (n, features), received shape {x.shape}")
    return np.asarray(gamma) * (x - np.asarray(mean)) / np.sqrt(np.asarray(variance) + epsilon) + np.asarray(beta)


def moving_average(old, batch_value, momentum: float = 0.99) -> np.ndarray:
    """One update of a BatchNormalization running statistic: momentum * old + (1 - momentum) * batch value."""
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be in [0, 1], received {momentum}")
    return momentum * np.asarray(old, dtype="float64") + (1 - momentum) * np.asarray(batch_value, dtype="float64")


# The settings the spec's thresholds were measured with (spec/test_toc_ch1_5_activations.py).
DROPOUT_SETTINGS = {"with": {"dropout": 0.5, "input_dropout": 0.2}, "without": {}}
L2_SETTINGS = {"l2": 1e-3, "epochs": 10, "width": 64}
GRADIENT_SETTINGS = {"depth": 10, "width": 64, "batch": 256, "probe_lr": 1000.0}


# What each seed report measures (its "setup"); the machine is added by reference.measurements.write_report.
REPORT_SETUPS = {
    "ch1_dropout_gap_seeds": "784-256-256-10 MLP on 1,000 MNIST digits, with and without dropout (settings)",
    "ch1_vanishing_gradient_seeds": "a deep MLP (settings) with sigmoid, tanh and relu: gradient norm of each layer's "
    "kernel on one batch, first layer first",
    "ch1_l2_weight_norm_seeds": "MLP with and without an L2 penalty on its kernels (settings); train/validation loss "
    "and accuracy and the first hidden kernel's norm",
}


def _seed_report(measured: dict, how: str, setup: str) -> dict:
    """A _measure_* result ({"settings", runs keyed "name/seedN"}) in the seed-report shape: runs keyed by seed."""
    runs: dict = {}
    for key, value in measured.items():
        if key == "settings":
            continue
        if isinstance(value, dict):  # {"name/seedN": result}
            for name_seed, result in value.items():
                name, seed = name_seed.rsplit("/seed", 1)
                target = runs.setdefault(seed, {})
                (target.setdefault(key, {}) if key != "runs" else target)[name] = result
        else:  # one number per seed, in seed order
            for seed, result in zip(sorted(runs, key=int), value):
                runs[seed][key] = result
    return {"how": how, "setup": setup, "runs": runs, "constants": {"settings": measured["settings"]}}


def _measure_vanishing(seeds=(0, 1, 2)) -> dict:
    """First- and last-layer gradient norms of the deep sigmoid, tanh and ReLU MLPs, per seed."""
    (x, y), _ = mnist_subset(GRADIENT_SETTINGS["batch"])
    runs = {}
    for seed in seeds:
        for activation in ("sigmoid", "tanh", "relu"):
            model = deep_mlp(activation, depth=GRADIENT_SETTINGS["depth"], width=GRADIENT_SETTINGS["width"], seed=seed)
            runs[f"{activation}/seed{seed}"] = layer_gradient_norms(model, x, y, GRADIENT_SETTINGS["probe_lr"])
    ratios = [runs[f"relu/seed{s}"][0] / runs[f"sigmoid/seed{s}"][0] for s in seeds]
    return {"settings": GRADIENT_SETTINGS, "per_layer_gradient_norms": runs, "relu_over_sigmoid_first_layer": ratios}


def _measure_dropout(seeds=(0, 1, 2), verbose: int | str = 0, epochs: int = 30) -> dict:
    runs = {
        f"{name}/seed{seed}": {
            k: v for k, v in overfitting_gap(seed=seed, epochs=epochs, verbose=verbose, **kw).items() if k != "history"
        }
        for seed in seeds
        for name, kw in DROPOUT_SETTINGS.items()
    }
    return {"settings": DROPOUT_SETTINGS, "runs": runs}


def _measure_l2(seeds=(0, 1, 2)) -> dict:
    runs = {}
    for seed in seeds:
        for name, l2 in (("with", L2_SETTINGS["l2"]), ("without", 0.0)):
            run = overfitting_gap(
                l2=l2, seed=seed, epochs=L2_SETTINGS["epochs"], width=L2_SETTINGS["width"], curves=False
            )
            runs[f"{name}/seed{seed}"] = {k: v for k, v in run.items() if k != "history"}
    return {"settings": L2_SETTINGS, "runs": runs}


def main(argv=None) -> None:
    args = cli.parse_args("basics.regularisation", argv)
    seeds = tuple(args.seeds)
    how = f"python -m reference.basics.regularisation --seeds {' '.join(map(str, seeds))} --out {args.out}"
    dropout = _measure_dropout(seeds, verbose=1, epochs=args.epochs)
    for key, run in dropout["runs"].items():
        print(
            f"{key:<14} train loss {run['train_loss']:.4f}  val loss {run['val_loss']:.4f}  "
            f"loss gap {run['loss_gap']:.3f}  accuracy gap {run['accuracy_gap']:.3f}"
        )
    if args.out is None:
        cli.wrote([])
        return
    vanishing, l2 = _measure_vanishing(seeds), _measure_l2(seeds)
    for name, payload in (
        ("ch1_dropout_gap_seeds", dropout),
        ("ch1_vanishing_gradient_seeds", vanishing),
        ("ch1_l2_weight_norm_seeds", l2),
    ):
        write_report(_seed_report(payload, how, REPORT_SETUPS[name]), args.out / f"{name}.json")
        cli.wrote([args.out / f"{name}.json"])


if __name__ == "__main__":
    cli.run(main)
