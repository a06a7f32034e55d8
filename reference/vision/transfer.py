"""Transfer learning, the classic MNIST recipe (table of contents, 2.3).

    python -m reference.vision.transfer         # ~1.5 minutes on 2 cores; prints both accuracies and the few-label comparison

What it shows: the convolutional layers of a network trained on one task (digits 0-4) compute features
that serve a related task (digits 5-9).  The recipe, from Keras's old ``mnist_transfer_cnn`` example:
train the whole network on 0-4; set ``trainable = False`` on the feature layers; put a new
classification head on top and train only the head on 5-9.  The frozen layers' weights do not move at
all.  The payoff is largest when the new task has few labels: with 20 labelled images per class the
transferred network is more accurate than the same network trained from scratch on them
(``few_label_comparison``).

Differences from the old example: ``keras.Input`` instead of ``input_shape``; adam instead of adadelta
(Keras 3's ``"adadelta"`` starts at learning rate 0.001 where Keras 2.0's started at 1.0, and learns
very slowly), and two epochs per stage instead of five, to fit a CPU budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report
from reference.vision.cnn import to_images

FIRST, SECOND = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)


def split_digits(images: np.ndarray, labels: np.ndarray, digits=FIRST):
    """The images of the given digits, labels renumbered 0..len(digits)-1 in the order given."""
    labels = np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    unknown = sorted(set(digits) - set(range(10)))
    if unknown or len(set(digits)) != len(digits):
        raise ValueError(f"digits must be distinct values in 0-9, received {tuple(digits)}")
    keep = np.isin(labels, digits)
    renumber = np.full(10, -1)
    renumber[list(digits)] = np.arange(len(digits))
    return to_images(np.asarray(images)[keep]), renumber[labels[keep]].astype("int32")


def feature_extractor() -> keras.Sequential:
    """The example's feature layers: two 3x3 convolutions of 32 filters, max pooling, dropout, flatten."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
        ],
        name="features",
    )


def classifier(features: keras.Sequential, classes: int = 5, name: str = "head") -> keras.Sequential:
    """``features`` (shared, not copied) followed by a new head: Dense(128, relu), dropout, softmax."""
    head = keras.Sequential(
        [layers.Dense(128, activation="relu"), layers.Dropout(0.5), layers.Dense(classes, activation="softmax")],
        name=name,
    )
    return keras.Sequential([keras.Input((28, 28, 1)), features, head], name=f"classifier_{name}")


def _compile(model: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def frozen(features: keras.Model) -> keras.Model:
    """Freeze every weight of ``features`` (call before compiling the model that uses them)."""
    features.trainable = False
    return features


def first_task_accuracy(
    optimizer, seed: int = 0, n_train: int = 1024, n_test: int = 1000, batch_size: int = 32
) -> float:
    """One epoch of the example's network on the first ``n_train`` training digits 0-4 with ``optimizer``
    (a name or an instance); accuracy on the first ``n_test`` test digits 0-4.  A quick probe of an optimizer."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x, y = split_digits(x_train, y_train, FIRST)
    x_eval, y_eval = split_digits(x_test, y_test, FIRST)
    if not 1 <= n_train <= len(x) or not 1 <= n_test <= len(x_eval):
        raise ValueError(
            f"n_train must be in [1, {len(x)}] and n_test in [1, {len(x_eval)}], received {n_train}, {n_test}"
        )
    keras.utils.set_random_seed(seed)
    model = classifier(feature_extractor())
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:n_train], y[:n_train], batch_size=batch_size, epochs=1, verbose=0)
    guesses = keras.ops.convert_to_numpy(model(x_eval[:n_test], training=False)).argmax(axis=-1)
    return float((guesses == y_eval[:n_test]).mean())


def measure_adadelta(seeds=(0, 1, 2), out: str | Path = "docs/measurements/ch2_adadelta_default_seeds.json") -> dict:
    """The old example's ``optimizer="adadelta"`` against ``Adadelta(learning_rate=1.0)`` (Keras 2.0's default)."""
    runs = {
        str(seed): {
            "adadelta string (learning_rate 0.001)": first_task_accuracy("adadelta", seed),
            "Adadelta(learning_rate=1.0)": first_task_accuracy(keras.optimizers.Adadelta(learning_rate=1.0), seed),
        }
        for seed in seeds
    }
    payload = {
        "how": f"reference.vision.transfer.measure_adadelta(seeds={list(seeds)}): first_task_accuracy(optimizer, seed): "
        "one epoch, batch 32, on the first 1,024 training digits 0-4; accuracy on the first 1,000 test digits 0-4.",
        "setup": (
            "MNIST convnet, one epoch on 1,024 training digits 0-4: test accuracy on 1,000 digits 0-4 "
            "with optimizer='adadelta' (learning rate 0.001) and with Adadelta(learning_rate=1.0)"
        ),
        "runs": runs,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_report(payload, out)


@dataclass
class TransferResult:
    first_accuracy: float  # digits 0-4, after training on them
    second_accuracy: float  # digits 5-9, frozen features and a new head
    features_unchanged: bool  # the frozen weights are bit-identical after the second stage
    trainable_params: tuple  # (stage 1, stage 2)
    seconds: float
    few: dict = field(default_factory=dict)  # few_label_comparison's result
    feature_weights: list = field(default_factory=list)


def few_label_comparison(feature_weights: list, per_class: int = 20, epochs: int = 20, seed: int = 0) -> dict:
    """Train on ``per_class`` labelled images of each of 5-9: (a) frozen pretrained features + new head,
    (b) the same network from scratch.  Test accuracy after every epoch on the first 1,000 test images
    of 5-9 (the curve), and at the end on all 4,861 of them."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x, y = split_digits(x_train, y_train, SECOND)
    x_eval, y_eval = split_digits(x_test, y_test, SECOND)
    rng = np.random.default_rng(seed)
    chosen = np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in range(5)])
    curves, final = {}, {}
    for kind in ("transfer", "scratch"):
        keras.utils.set_random_seed(seed)
        features = feature_extractor()
        if kind == "transfer":
            features.set_weights(feature_weights)
            frozen(features)
        model = _compile(classifier(features))
        accuracy: list = []

        def track_accuracy(epoch, logs, model=model, accuracy=accuracy):
            guesses = keras.ops.convert_to_numpy(model(x_eval[:1000], training=False)).argmax(axis=-1)
            accuracy.append(float((guesses == y_eval[:1000]).mean()))

        model.fit(
            x[chosen],
            y[chosen],
            batch_size=20,
            epochs=epochs,
            verbose=0,
            callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=track_accuracy)],
        )
        curves[kind] = accuracy
        final[kind] = float(model.evaluate(x_eval, y_eval, batch_size=500, verbose=0)[1])
    return {"per_class": per_class, "epochs": epochs, "curves": curves, "final": final}


def run_recipe(
    seed: int = 0, epochs: int = 2, few_per_class: int = 20, few_epochs: int = 20, verbose: int | str = 0
) -> TransferResult:
    """Stage 1 on 0-4, stage 2 (frozen features, new head) on 5-9, then the few-label comparison."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x1, y1 = split_digits(x_train, y_train, FIRST)
    x1_test, y1_test = split_digits(x_test, y_test, FIRST)
    x2, y2 = split_digits(x_train, y_train, SECOND)
    x2_test, y2_test = split_digits(x_test, y_test, SECOND)
    keras.utils.set_random_seed(seed)
    features = feature_extractor()
    first = _compile(classifier(features, name="head_0_4"))

    def count(model):
        return sum(int(np.prod(w.shape)) for w in model.trainable_weights)

    stage_one_trainable = count(first)
    start = time.perf_counter()
    first.fit(x1, y1, batch_size=128, epochs=epochs, verbose=verbose)
    first_accuracy = float(first.evaluate(x1_test, y1_test, verbose=0)[1])
    trained = [np.array(w) for w in features.get_weights()]
    second = _compile(classifier(frozen(features), name="head_5_9"))
    second.fit(x2, y2, batch_size=128, epochs=epochs, verbose=verbose)
    second_accuracy = float(second.evaluate(x2_test, y2_test, verbose=0)[1])
    seconds = time.perf_counter() - start
    unchanged = all(np.array_equal(a, b) for a, b in zip(trained, features.get_weights()))
    counts = (stage_one_trainable, count(second))
    few = few_label_comparison(trained, few_per_class, few_epochs, seed) if few_per_class else {}
    return TransferResult(first_accuracy, second_accuracy, unchanged, counts, round(seconds, 1), few, trained)


def transfer_figure(result: TransferResult):
    from reference.figures import plt

    curves = result.few["curves"]
    fig, ax = plt.subplots(figsize=(4.6, 2.8))
    for kind, style in (("transfer", "-"), ("scratch", "--")):
        ax.plot(range(1, len(curves[kind]) + 1), curves[kind], style, label=kind)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy, 1,000 test digits 5-9")
    ax.set_title(f"{result.few['per_class']} labels per class: frozen 0-4 features vs scratch", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def measure_seeds(seeds=(0, 1, 2), out: str | Path = "docs/measurements/ch2_transfer_seeds.json", **kwargs) -> dict:
    runs = {}
    for seed in seeds:
        r = run_recipe(seed, **kwargs)
        runs[str(seed)] = {
            "first_accuracy": r.first_accuracy,
            "second_accuracy": r.second_accuracy,
            "features_unchanged": r.features_unchanged,
            "seconds": r.seconds,
            "few": r.few,
        }
        print(seed, runs[str(seed)], flush=True)
    payload = {
        "how": f"reference.vision.transfer.measure_seeds(seeds={list(seeds)}, {kwargs}): run_recipe(seed): "
        "2 epochs adam on digits 0-4 (batch 128), then frozen features + new head, 2 epochs on 5-9; then "
        "20 images per class of 5-9, 20 epochs (batch 20), frozen pretrained features vs scratch: accuracy after "
        "every epoch on the first 1,000 test images of 5-9 (curves), at the end on all 4,861 (final).",
        "setup": (
            "MNIST transfer: convnet trained on digits 0-4, then a new head on frozen features for 5-9 "
            "(2 epochs each); then 20 labelled images per class of 5-9, frozen features against scratch"
        ),
        "runs": runs,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_report(payload, out)


def main(argv=None) -> None:
    args = cli.parse_args("vision.transfer", argv)
    figure = cli.output(args, "transfer.png")
    stages = {} if args.epochs is None else {"epochs": args.epochs, "few_epochs": args.epochs}
    result = run_recipe(args.seed, verbose=1, **stages)
    print(
        f"digits 0-4: {result.first_accuracy:.4f}; digits 5-9 with frozen features: {result.second_accuracy:.4f} "
        f"(frozen weights unchanged: {result.features_unchanged}); trainable weights {result.trainable_params}"
    )
    final = result.few["final"]
    print(
        f"{result.few['per_class']} labels per class, test accuracy: transfer {final['transfer']:.4f}, "
        f"scratch {final['scratch']:.4f}"
    )
    transfer_figure(result).savefig(figure, dpi=90)
    cli.wrote([figure])


if __name__ == "__main__":
    cli.run(main)
