"""The MNIST MLP of tutorial §4.1, on Keras 3, trainable on its own.

    python -m reference.mnist_mlp                  # the tutorial's recipe: 40 epochs, adam
    python -m reference.mnist_mlp --recipe classic # Keras's classic mnist_mlp: 20 epochs, 98.40%

Differences from the tutorial's code: the input is declared with ``keras.Input``
instead of ``input_shape=`` on the first layer, ``keras`` is imported before
``keras.utils.to_categorical`` is used, and MNIST is loaded offline.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist

PIXELS = 28 * 28
CLASSES = 10


def prepare(images: np.ndarray, labels: np.ndarray):
    """Flatten to (n, 784) float32 in [0, 1] and one-hot encode the labels."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    x = images.reshape((len(images), PIXELS)).astype("float32") / 255
    y = keras.utils.to_categorical(labels, CLASSES)
    return x, y


def build_mlp(hidden: int = 512, dropout: float = 0.5) -> keras.Sequential:
    """The tutorial's model: Dense(512, relu) -> Dropout(0.5) -> Dense(10, softmax)."""
    return keras.Sequential(
        [
            keras.Input(shape=(PIXELS,)),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(CLASSES, activation="softmax"),
        ],
        name="mnist_mlp",
    )


def build_classic_mlp() -> keras.Sequential:
    """Keras's long-standing mnist_mlp example: two 512-unit layers, dropout 0.2."""
    return keras.Sequential(
        [
            keras.Input(shape=(PIXELS,)),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.2),
            layers.Dense(CLASSES, activation="softmax"),
        ],
        name="classic_mnist_mlp",
    )


def prepared_mnist():
    """MNIST train and test splits, flattened, scaled and one-hot (see ``prepare``)."""
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    return prepare(train_images, train_labels), prepare(test_images, test_labels)


@dataclass
class Result:
    test_loss: float
    test_accuracy: float
    history: dict


def train_tutorial_recipe(seed: int = 0, epochs: int = 40, batch_size: int = 128, verbose: int | str = 0) -> Result:
    """§4.1.3-4.1.5: adam, first 1,000 training images held out for validation."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = prepared_mnist()
    model = build_mlp()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(
        x_train[1000:],
        y_train[1000:],
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(x_train[:1000], y_train[:1000]),
        verbose=verbose,
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return Result(float(loss), float(accuracy), history.history)


def train_classic_recipe(seed: int = 0, epochs: int = 20, batch_size: int = 128, verbose: int | str = 0) -> Result:
    """The classic example's recipe: RMSprop, all 60,000 images, 20 epochs."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = prepared_mnist()
    model = build_classic_mlp()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    return Result(float(loss), float(accuracy), history.history)


def main(argv=None) -> None:
    args = cli.parse_args("mnist_mlp", argv)
    train = train_tutorial_recipe if args.recipe == "tutorial" else train_classic_recipe
    kwargs = {} if args.epochs is None else {"epochs": args.epochs}
    result = train(seed=args.seed, verbose=1, **kwargs)
    print(f"test loss {result.test_loss:.4f}  test accuracy {result.test_accuracy:.4f}")
    cli.wrote([])


if __name__ == "__main__":
    cli.run(main)
