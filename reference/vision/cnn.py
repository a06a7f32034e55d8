"""A convolutional classifier for MNIST, and the arithmetic of a Conv2D layer (table of contents, 2.1).

    python -m reference.vision.cnn                  # 6 epochs on all 60,000 images: about 99.2% test accuracy, ~1.5 min
    python -m reference.vision.cnn --epochs 1 --train-size 10000   # the quick version, a few seconds

What it shows: a convolution slides one small kernel over the whole image, so a layer's parameter
count depends on the kernel and the channels, never on the image size (``conv2d_param_count``), and
its output size follows from the padding and the stride (``conv_output_length``).  Sharing the kernel
this way is why a small convnet (Keras's MNIST convnet example: two Conv2D layers of 32 and 64
filters, max pooling, dropout, a softmax layer; 34,826 parameters) beats the 407,050-parameter MLP
of tutorial §4.1 on MNIST.  The ``main`` entry writes the first layer's filters and feature maps
to ``build/vision/convnet_filters.png``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

CLASSES = 10
PADDINGS = ("valid", "same")


def conv_output_length(size: int, kernel: int, stride: int = 1, padding: str = "valid") -> int:
    """Length of one spatial axis after a convolution or pooling window.

    ``valid`` (no padding): floor((size - kernel) / stride) + 1; ``same`` (zeros added so the window
    may hang over the border): ceil(size / stride), whatever the kernel.
    """
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, received {padding!r}")
    if min(size, kernel, stride) < 1:
        raise ValueError(f"size, kernel and stride must be positive integers, received {size}, {kernel}, {stride}")
    if padding == "same":
        return math.ceil(size / stride)
    if kernel > size:
        raise ValueError(f"a 'valid' window of {kernel} does not fit an axis of {size}; use padding='same'")
    return (size - kernel) // stride + 1


def conv2d_param_count(in_channels: int, filters: int, kernel: int | tuple[int, int], use_bias: bool = True) -> int:
    """Weights of a Conv2D layer: one kernel_h x kernel_w x in_channels block per filter, plus one bias each."""
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    if min(in_channels, filters, kh, kw) < 1:
        raise ValueError(
            f"channels, filters and kernel sizes must be positive, received {in_channels}, {filters}, {(kh, kw)}"
        )
    return filters * (kh * kw * in_channels + (1 if use_bias else 0))


def to_images(images: np.ndarray) -> np.ndarray:
    """MNIST digits (n, 28, 28) with pixels 0-255 -> float32 (n, 28, 28, 1) in [0, 1], channels last."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (n, 28, 28), received {images.shape}")
    return (images.astype("float32") / 255.0)[..., None]


def build_convnet(dropout: float = 0.5) -> keras.Sequential:
    """Keras's MNIST convnet example: Conv(32) - pool - Conv(64) - pool - dropout - softmax; 34,826 weights."""
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), received {dropout}")
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=3, activation="relu", name="conv1"),
            layers.MaxPooling2D(pool_size=2),
            layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2"),
            layers.MaxPooling2D(pool_size=2),
            layers.Flatten(),
            layers.Dropout(dropout),
            layers.Dense(CLASSES, activation="softmax"),
        ],
        name="mnist_convnet",
    )


@dataclass
class Result:
    """What a training run leaves behind (plain numbers and arrays, so it can be pickled and shared)."""

    test_accuracy: float
    test_loss: float
    params: int
    seconds: float
    epoch_test_accuracy: list = field(default_factory=list)  # filled when evaluate_each_epoch
    history: dict = field(default_factory=dict)
    first_filters: np.ndarray | None = None  # conv1 kernels, (3, 3, 1, 32)
    sample_maps: np.ndarray | None = None  # conv1 activations of the first test digit, (26, 26, 32)
    sample_image: np.ndarray | None = None
    final_learning_rate: float | None = None  # the cosine schedule's rate after the last step: 0 when it spans the run


def train_convnet(
    seed: int = 0,
    epochs: int = 6,
    train_size: int | None = None,
    batch_size: int = 128,
    learning_rate: float = 3e-3,
    evaluate_each_epoch: bool = False,
    feature_maps: bool = True,
    verbose: int | str = 0,
) -> Result:
    """Train ``build_convnet`` on the first ``train_size`` training digits; evaluate on all 10,000 test digits.

    Adam whose learning rate falls from ``learning_rate`` to 0 along a cosine over the whole run: the
    Keras example's constant 1e-3 needs about 15 epochs for 99.2%; the schedule gets there in a third of that."""
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, received {epochs}")
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if train_size is not None:
        if not 1 <= train_size <= len(x_train):
            raise ValueError(f"train_size must be between 1 and {len(x_train)}, received {train_size}")
        x_train, y_train = x_train[:train_size], y_train[:train_size]
    x_train, x_test = to_images(x_train), to_images(x_test)
    keras.utils.set_random_seed(seed)
    model = build_convnet()
    steps = epochs * math.ceil(len(x_train) / batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    per_epoch: list = []
    callbacks = []
    if evaluate_each_epoch:
        callbacks.append(
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: per_epoch.append(float(model.evaluate(x_test, y_test, verbose=0)[1]))
            )
        )
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    conv1 = model.get_layer("conv1")
    maps = None
    if feature_maps:  # the first layer's response to one test digit, for filters_figure
        maps = keras.ops.convert_to_numpy(conv1(x_test[:1]))[0]
    return Result(
        float(accuracy),
        float(loss),
        model.count_params(),
        round(seconds, 1),
        per_epoch,
        {k: [float(v) for v in vals] for k, vals in history.history.items()},
        np.array(conv1.get_weights()[0]),
        maps,
        x_test[0, ..., 0],
        float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)),
    )


def filters_figure(result: Result):
    """The first layer's 32 kernels (top) and their feature maps for one test digit (bottom)."""
    from reference.figures import plt

    if result.first_filters is None or result.sample_maps is None:
        raise ValueError("this Result holds no filters or feature maps")
    fig, axes = plt.subplots(4, 17, figsize=(8.5, 2.3))
    for ax in axes.ravel():
        ax.axis("off")
    axes[0, 0].imshow(result.sample_image, cmap="gray")
    axes[0, 0].set_title("input", fontsize=6)
    for i in range(32):
        row, col = divmod(i, 16)
        axes[row, col + 1].imshow(result.first_filters[:, :, 0, i], cmap="bwr")
        axes[row + 2, col + 1].imshow(result.sample_maps[:, :, i], cmap="viridis")
    axes[0, 1].set_title("conv1 kernels (rows 1-2) and their feature maps (rows 3-4)", fontsize=7, loc="left")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.01, wspace=0.08, hspace=0.08)
    return fig


def measure_seeds(
    seeds=(0, 1, 2),
    epochs: int = 6,
    out: str | Path = "docs/measurements/ch2_cnn_mnist_seeds.json",
    quick_train_size: int = 10000,
) -> dict:
    """The measurement behind the spec's thresholds: full runs (test accuracy after every epoch) and
    the quick tier's one-epoch run on ``quick_train_size`` images, for each seed."""
    runs: dict = {}
    for seed in seeds:
        full = train_convnet(seed, epochs=epochs, evaluate_each_epoch=True)
        runs[str(seed)] = {"full": {"epoch_test_accuracy": full.epoch_test_accuracy, "seconds": full.seconds}}
        quick = train_convnet(seed, epochs=1, train_size=quick_train_size)
        runs[str(seed)]["quick"] = {"test_accuracy": quick.test_accuracy, "seconds": quick.seconds}
        print(seed, runs[str(seed)], flush=True)
    payload = {
        "how": f"reference.vision.cnn.measure_seeds(seeds={list(seeds)}, epochs={epochs}): build_convnet, adam 3e-3 with cosine decay to 0 over the run, batch 128, "
        f"all 60,000 training digits, test accuracy on the 10,000 test digits after every epoch; quick: 1 epoch on the "
        f"first {quick_train_size} training digits.",
        "setup": (
            "Keras's MNIST convnet, adam with cosine decay, batch 128: 6 epochs on all 60,000 digits "
            "(test accuracy after each epoch on the 10,000 test digits), and one epoch on the first "
            "10,000 (quick)"
        ),
        "runs": runs,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_report(payload, out)


def main(argv=None) -> None:
    args = cli.parse_args("vision.cnn", argv)
    figure = cli.output(args, "convnet_filters.png")
    result = train_convnet(args.seed, args.epochs, args.train_size, verbose=1)
    filters_figure(result).savefig(figure, dpi=90)
    print(f"{result.params:,} parameters, test accuracy {result.test_accuracy:.4f}, {result.seconds:.0f} s of training")
    cli.wrote([figure])


if __name__ == "__main__":
    cli.run(main)
