"""Data augmentation with Keras preprocessing layers, and what it buys on a small MNIST subset.

    python -m reference.basics.augmentation                 # a small CNN on 1,000 images, with and without augmentation
    python -m reference.basics.augmentation --seeds 0 1 2 --save docs/measurements/ch1_augmentation_seeds.json

What it shows and why: with few training images a CNN memorises them; showing it slightly rotated,
shifted and zoomed copies (new images every epoch, same labels) teaches it that these changes do not
change the digit.  In Keras 3 the augmentation is a stack of layers (``RandomRotation``,
``RandomTranslation``, ``RandomZoom``) placed at the front of the model: they transform their input
only when called in training (inside ``fit``) and pass it through untouched in inference
(``predict``, ``evaluate``), so the same model serves both without a second pipeline.
"""

from __future__ import annotations

import time

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.basics.workflow import IMAGE_SHAPE, mnist_subset
from reference.measurements import write_report

CLASSES = 10
SETUP = (
    "small CNN (conv 16, pool, conv 32, pool, dense 64, dense 10), Adam, batch 32, 1,000 MNIST training images, "
    "2,000 test images, without and with RandomRotation(0.05), RandomTranslation(0.08), RandomZoom(0.08) in front"
)


def augmenter(
    rotation: float = 0.05, translation: float = 0.08, zoom: float = 0.08, seed: int | None = None
) -> keras.Sequential:
    """Random rotation (fraction of a full turn), translation and zoom (fractions of the image size)."""
    for name, value in (("rotation", rotation), ("translation", translation), ("zoom", zoom)):
        if not 0 <= value < 1:
            raise ValueError(f"{name} must be a fraction in [0, 1), got {value!r}")
    return keras.Sequential(
        [
            layers.RandomRotation(rotation, fill_mode="constant", seed=seed),
            layers.RandomTranslation(translation, translation, fill_mode="constant", seed=seed),
            layers.RandomZoom(zoom, fill_mode="constant", seed=seed),
        ],
        name="augmentation",
    )


def build_cnn(augment: bool, seed: int = 0) -> keras.Sequential:
    """A small CNN for 28x28x1 images, with the augmentation layers in front when ``augment``."""
    front = [augmenter(seed=seed)] if augment else []
    model = keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            *front,
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(CLASSES, activation="softmax"),
        ],
        name="cnn_augmented" if augment else "cnn",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def augmentation_experiment(seed: int = 0, n_train: int = 1000, epochs: int = 40, verbose: int | str = 0) -> dict:
    """Train ``build_cnn`` with and without augmentation on ``n_train`` images for ``epochs`` epochs.

    Returns per case the final training accuracy and the test accuracy on 2,000 test images.
    """
    if n_train < 10 or epochs < 1:
        raise ValueError(f"need n_train >= 10 and epochs >= 1, got n_train={n_train}, epochs={epochs}")
    (x, y), (x_test, y_test) = mnist_subset(n_train, 2000, seed=seed, flat=False)
    results = {}
    for augment in (False, True):
        keras.utils.set_random_seed(seed)
        model = build_cnn(augment, seed=seed)
        history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=verbose).history
        results["augmented" if augment else "plain"] = {
            "train_accuracy": float(history["accuracy"][-1]),
            "test_accuracy": float(model.evaluate(x_test, y_test, batch_size=500, verbose=0)[1]),
        }
    return results


def augmented_copies(image: np.ndarray, copies: int = 7, seed: int = 0) -> np.ndarray:
    """``copies`` augmented versions of one (28, 28, 1) image, as the training pass would see them."""
    image = np.asarray(image, dtype="float32")
    if image.shape != IMAGE_SHAPE:
        raise ValueError(f"expected one image of shape {IMAGE_SHAPE}, got {image.shape}")
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    batch = np.repeat(image[None], copies, axis=0)
    return keras.ops.convert_to_numpy(augmenter(seed=seed)(batch, training=True))


def main(argv=None) -> None:
    args = cli.parse_args("basics.augmentation", argv)
    target = cli.output(args, "ch1_augmentation_seeds.json")
    runs = {}
    cli.keep(runs=runs)  # Ctrl-C keeps the seeds finished so far with the history (reference/cli.py)
    for seed in args.seeds:
        began = time.perf_counter()
        result = augmentation_experiment(seed=seed, epochs=args.epochs, verbose=0 if target else 1)
        runs[str(seed)] = {"result": result, "seconds": round(time.perf_counter() - began, 1)}
        print(
            f"seed {seed}: test accuracy {result['plain']['test_accuracy']:.4f} without augmentation, "
            f"{result['augmented']['test_accuracy']:.4f} with"
        )
    if target:
        how = (
            f"python -m reference.basics.augmentation --seeds {' '.join(map(str, args.seeds))} --epochs {args.epochs} "
            f"{cli.out_flag(target, 'ch1_augmentation_seeds.json')}  (keras {keras.__version__}, {keras.backend.backend()} backend, 2-core shared CPU)"
        )
        write_report({"how": how, "setup": SETUP, "runs": runs}, target)  # adds Keras, backend, CPU, threads
    cli.wrote([target])


if __name__ == "__main__":
    cli.run(main)
