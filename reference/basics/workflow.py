"""The basic Keras workflow on a small MNIST task: define, compile, fit, evaluate, predict.

    python -m reference.basics.workflow            # the five steps on 2,000 images, with a progress bar
    python -m reference.basics.workflow --seeds 0 1 2 --save docs/measurements/ch1_workflow_seeds.json

What it shows and why: every Keras project follows the same five steps, and each step has a
result a learner can check (a model with a known number of weights, a configured optimizer, a
History whose loss falls, a test loss and accuracy, one probability row per image).  The small
MNIST subsets drawn here (``mnist_subset``) are the data of the other chapter-1 experiments too,
so that they train in seconds on a CPU.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
SETUP = (
    "784-128-10 MLP, Adam, sparse categorical cross-entropy, batch 32, random MNIST subset of the given size, "
    "1,000 test images; define, compile, fit, evaluate, predict"
)


def mnist_subset(n_train: int, n_test: int = 1000, seed: int = 0, flat: bool = True):
    """A random subset of MNIST's training and test splits, scaled to [0, 1], integer labels.

    ``flat=True`` gives (n, 784) rows for dense models, ``flat=False`` (n, 28, 28, 1) images.
    The draw depends only on ``seed``; the same seed gives the same images.
    """
    if not 0 < n_train <= 60000 or not 0 < n_test <= 10000:
        raise ValueError(f"n_train must be in 1..60000 and n_test in 1..10000, got {n_train} and {n_test}")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(seed)
    train = rng.choice(len(x_train), n_train, replace=False)
    test = rng.choice(len(x_test), n_test, replace=False)
    shape = (-1, 28 * 28) if flat else (-1, *IMAGE_SHAPE)
    scale = lambda images: (images.reshape(shape) / 255.0).astype("float32")  # noqa: E731
    return (scale(x_train[train]), y_train[train].astype("int64")), (scale(x_test[test]), y_test[test].astype("int64"))


def build_mlp(hidden: int = 128, inputs: int = 28 * 28, seed: int | None = None) -> keras.Sequential:
    """Step 1, define: Dense(hidden, relu) -> Dense(10, softmax) on flat images."""
    if hidden < 1 or inputs < 1:
        raise ValueError(f"hidden and inputs must be positive, got hidden={hidden}, inputs={inputs}")
    init = keras.initializers.GlorotUniform(seed=seed) if seed is not None else "glorot_uniform"
    return keras.Sequential(
        [
            keras.Input((inputs,)),
            layers.Dense(hidden, activation="relu", kernel_initializer=init),
            layers.Dense(CLASSES, activation="softmax", kernel_initializer=init),
        ],
        name="mlp",
    )


def build_small_cnn(filters: tuple[int, int] = (8, 16)) -> keras.Sequential:
    """A small CNN: Conv(3x3) -> MaxPool -> Conv(3x3) -> BatchNorm -> Flatten -> Dense(10, softmax)."""
    if len(filters) != 2 or min(filters) < 1:
        raise ValueError(f"filters must be two positive counts, got {filters!r}")
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Conv2D(filters[0], 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(filters[1], 3, activation="relu"),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(CLASSES, activation="softmax"),
        ],
        name="small_cnn",
    )


def run_workflow(n_train: int = 2000, epochs: int = 5, seed: int = 0, verbose: int | str = 0) -> dict:
    """The five steps on an MNIST subset (1,000 test images), returning what each step produced.

    Keys: ``params`` (after define), ``optimizer`` and ``iterations_before_fit`` (after compile),
    ``history`` and ``iterations`` (after fit), ``evaluate`` (loss and accuracy), ``probabilities``
    (predict on the test images) and the test labels ``y_test``.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    keras.utils.set_random_seed(seed)
    (x, y), (x_test, y_test) = mnist_subset(n_train, seed=seed)
    model = build_mlp(seed=seed)  # 1. define: the layers and so the weights
    found = {"params": model.count_params()}
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # 2. compile
    found["optimizer"] = type(model.optimizer).__name__
    found["iterations_before_fit"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose)  # 3. fit
    found["history"] = {key: [float(v) for v in values] for key, values in history.history.items()}
    found["iterations"] = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    found["evaluate"] = model.evaluate(x_test, y_test, verbose=0, return_dict=True)  # 4. evaluate
    found["probabilities"] = model.predict(x_test, verbose=0)  # 5. predict: one probability row per image
    found["y_test"] = y_test
    return found


def main(argv=None) -> None:
    args = cli.parse_args("basics.workflow", argv)
    target = cli.output(args, "ch1_workflow_seeds.json")
    runs = {}
    cli.keep(runs=runs)  # Ctrl-C keeps the seeds finished so far with the history (reference/cli.py)
    for seed in args.seeds:
        found = run_workflow(args.train, args.epochs, seed, verbose=0 if target else 1)
        digits = found["probabilities"].argmax(axis=1)
        runs[str(seed)] = {key: found[key] for key in ("params", "iterations", "evaluate")}
        runs[str(seed)]["final_train_loss"] = found["history"]["loss"][-1]
        print(
            f"seed {seed}: {found['params']} weights, {found['iterations']} updates, test loss "
            f"{found['evaluate']['loss']:.4f}, test accuracy {found['evaluate']['accuracy']:.4f}; first 10 "
            f"predicted digits {digits[:10].tolist()} (true {found['y_test'][:10].tolist()})"
        )
    if target:
        how = (
            f"python -m reference.basics.workflow --train {args.train} --epochs {args.epochs} --seeds "
            f"{' '.join(map(str, args.seeds))} {cli.out_flag(target, 'ch1_workflow_seeds.json')}  (keras {keras.__version__}, "
            f"{keras.backend.backend()} backend, 2-core shared CPU)"
        )
        write_report({"how": how, "setup": SETUP, "runs": runs}, target)  # adds Keras, backend, CPU, threads
    cli.wrote([target])


if __name__ == "__main__":
    cli.run(main)
