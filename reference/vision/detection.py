"""A small object detector on MNIST canvases: where is the digit, and which digit is it? (table of contents, 2.3)

    python -m reference.vision.detection        # ~30 s on 2 cores; prints mean IoU and accuracy, writes a figure

What it shows: detection is classification plus localisation.  ``place_digits`` builds a real, offline
detection task from MNIST: each digit is cropped to its ink, resized to a random size and pasted at a
random position on a larger empty canvas, so every box is known exactly (the tight box of the ink on
the canvas).  ``build_detector`` is one convolutional trunk with two heads, a softmax over the ten
classes and four sigmoid box coordinates, trained with two losses at once (cross-entropy and mean
squared error).  Boxes are scored with the intersection over union (``iou``), the standard measure of
how well a predicted box matches the true one (1: the same box, 0: disjoint; 0.5 is the usual "hit").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers
from scipy import ndimage

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

CANVAS = 48


def iou(a, b) -> np.ndarray:
    """Intersection over union of boxes ``(x_min, y_min, x_max, y_max)`` (max edges exclusive), last axis 4,
    broadcasting over the others.  Two empty boxes score 0."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape[-1] != 4 or b.shape[-1] != 4:
        raise ValueError(f"boxes need a last axis of 4 (x_min, y_min, x_max, y_max), received {a.shape} and {b.shape}")
    for box in (a, b):
        if np.any(box[..., 2] < box[..., 0]) or np.any(box[..., 3] < box[..., 1]):
            raise ValueError("every box needs x_max >= x_min and y_max >= y_min")
    width = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    height = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = width * height
    union = (
        (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter
    )
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """The tight box of the non-zero pixels of a 2-D image: (x_min, y_min, x_max, y_max), max exclusive."""
    rows, cols = np.nonzero(np.asarray(image) > 0)
    if len(rows) == 0:
        raise ValueError("the image has no ink (all pixels are zero)")
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


@dataclass
class Canvases:
    images: np.ndarray  # (n, CANVAS, CANVAS, 1) float32 in [0, 1]
    boxes: np.ndarray  # (n, 4) pixel boxes (x_min, y_min, x_max, y_max), exact
    labels: np.ndarray  # (n,) digit classes


def place_digits(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    canvas: int = CANVAS,
    min_size: int = 14,
    max_size: int = 28,
    seed: int = 0,
) -> Canvases:
    """``n`` canvases, each holding one randomly chosen digit scaled so its longer ink side is between
    ``min_size`` and ``max_size`` pixels, at a random position that keeps it whole."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(
            f"expected images (m, h, w) with one label each, received {images.shape} and {len(labels)} labels"
        )
    if not 1 <= min_size <= max_size <= canvas:
        raise ValueError(f"need 1 <= min_size <= max_size <= canvas, received {min_size}, {max_size}, {canvas}")
    rng = np.random.default_rng(seed)
    out = np.zeros((n, canvas, canvas), "float32")
    boxes = np.zeros((n, 4), "float32")
    chosen = rng.integers(0, len(images), size=n)
    for i, k in enumerate(chosen):
        x0, y0, x1, y1 = ink_box(images[k])
        digit = images[k, y0:y1, x0:x1].astype("float32") / 255.0
        size = rng.integers(min_size, max_size + 1)
        scale = size / max(digit.shape)
        digit = np.clip(ndimage.zoom(digit, scale, order=1), 0, 1)
        h, w = digit.shape
        top, left = rng.integers(0, canvas - h + 1), rng.integers(0, canvas - w + 1)
        out[i, top : top + h, left : left + w] = digit
        boxes[i] = ink_box(out[i])  # exact: measured on the canvas itself
    return Canvases(out[..., None], boxes, np.asarray(labels)[chosen])


def decode_boxes(raw: np.ndarray, canvas: int = CANVAS) -> np.ndarray:
    """The box head's four numbers in [0, 1] -> pixel boxes; corners put in order (nothing stops the
    network from answering x_max < x_min)."""
    raw = np.asarray(raw, dtype="float32")
    if raw.ndim != 2 or raw.shape[1] != 4:
        raise ValueError(f"expected raw boxes of shape (n, 4), received {raw.shape}")
    x = np.sort(raw[:, [0, 2]], axis=1)
    y = np.sort(raw[:, [1, 3]], axis=1)
    return np.stack([x[:, 0], y[:, 0], x[:, 1], y[:, 1]], axis=1) * canvas


def build_detector(canvas: int = CANVAS) -> keras.Model:
    """A convolutional trunk with two heads: ``class`` (10-way softmax) and ``box`` (4 sigmoid numbers,
    the box divided by the canvas size)."""
    inputs = keras.Input((canvas, canvas, 1))
    x = inputs
    for filters in (16, 32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    return keras.Model(
        inputs,
        {
            "class": layers.Dense(10, activation="softmax", name="class")(x),
            "box": layers.Dense(4, activation="sigmoid", name="box")(x),
        },
        name="digit_detector",
    )


def compile_detector(model: keras.Model, box_weight: float = 20.0) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(2e-3),
        loss={"class": "sparse_categorical_crossentropy", "box": "mse"},
        loss_weights={"class": 1.0, "box": box_weight},
    )
    return model


@dataclass
class DetectionResult:
    mean_iou: float
    hit_rate: float  # fraction of test canvases with IoU >= 0.5
    class_accuracy: float
    mean_box_iou: float  # baseline: always predict the training set's mean box
    params: int
    seconds: float
    examples: Canvases  # the first test canvases, for the figure
    predicted_boxes: np.ndarray
    predicted_labels: np.ndarray


def train_detector(
    seed: int = 0, n_train: int = 10000, n_test: int = 2000, epochs: int = 5, verbose: int | str = 0
) -> DetectionResult:
    """Canvases from MNIST's training digits to train, from its test digits to evaluate."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    train = place_digits(x_train, y_train, n_train, seed=seed)
    test = place_digits(x_test, y_test, n_test, seed=10_000 + seed)
    keras.utils.set_random_seed(seed)
    model = compile_detector(build_detector())
    start = time.perf_counter()
    model.fit(
        train.images,
        {"class": train.labels, "box": train.boxes / CANVAS},
        batch_size=64,
        epochs=epochs,
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    out = model.predict(test.images, batch_size=256, verbose=0)
    boxes = decode_boxes(out["box"])
    labels = np.asarray(out["class"]).argmax(axis=-1)
    scores = iou(boxes, test.boxes)
    baseline = iou(np.broadcast_to(train.boxes.mean(axis=0), test.boxes.shape), test.boxes)
    k = 12
    return DetectionResult(
        float(scores.mean()),
        float((scores >= 0.5).mean()),
        float((labels == test.labels).mean()),
        float(baseline.mean()),
        model.count_params(),
        round(seconds, 1),
        Canvases(test.images[:k], test.boxes[:k], test.labels[:k]),
        boxes[:k],
        labels[:k],
    )


def detection_figure(result: DetectionResult):
    """Test canvases with the true box (green) and the predicted box and class (red)."""
    from reference.figures import plt

    ex = result.examples
    fig, axes = plt.subplots(2, len(ex.images) // 2, figsize=(8.0, 3.0))
    for ax, image, true, pred, label, guess in zip(
        axes.ravel(), ex.images, ex.boxes, result.predicted_boxes, ex.labels, result.predicted_labels
    ):
        ax.imshow(image[..., 0], cmap="gray")
        for box, colour in ((true, "lime"), (pred, "red")):
            ax.add_patch(
                plt.Rectangle(
                    (box[0] - 0.5, box[1] - 0.5), box[2] - box[0], box[3] - box[1], fill=False, edgecolor=colour, lw=1.2
                )
            )
        ax.set_title(f"{label}->{guess} IoU {float(iou(pred, true)):.2f}", fontsize=7)
        ax.axis("off")
    fig.suptitle("Held-out canvases: true box green, predicted red (title: true -> predicted class)", fontsize=8)
    fig.tight_layout(pad=0.3, rect=(0, 0, 1, 0.92))
    return fig


def measure_seeds(seeds=(0, 1, 2), out: str | Path = "docs/measurements/ch2_detection_seeds.json", **kwargs) -> dict:
    runs = {}
    for seed in seeds:
        r = train_detector(seed, **kwargs)
        runs[str(seed)] = {
            k: getattr(r, k) for k in ("mean_iou", "hit_rate", "class_accuracy", "mean_box_iou", "seconds")
        }
        print(seed, runs[str(seed)], flush=True)
    payload = {
        "how": f"reference.vision.detection.measure_seeds(seeds={list(seeds)}, {kwargs}): train_detector(seed) "
        "(10,000 training canvases from MNIST's training digits, 5 epochs, adam 2e-3, box loss weight 20), "
        "scored on 2,000 canvases made from MNIST's test digits.",
        "setup": (
            "one-digit detector on 56x56 canvases: 10,000 training canvases, 5 epochs; mean IoU, share "
            "with IoU >= 0.5, class accuracy on 2,000 canvases from MNIST's test digits, and the mean "
            "box's IoU"
        ),
        "runs": runs,
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_report(payload, out)


def main(argv=None) -> None:
    args = cli.parse_args("vision.detection", argv)
    figure = cli.output(args, "detection.png")
    result = train_detector(args.seed, epochs=args.epochs, verbose=1)
    detection_figure(result).savefig(figure, dpi=90)
    print(
        f"mean IoU {result.mean_iou:.3f} (always the mean box: {result.mean_box_iou:.3f}), IoU >= 0.5 on "
        f"{result.hit_rate:.1%}, class accuracy {result.class_accuracy:.4f}"
    )
    cli.wrote([figure])


if __name__ == "__main__":
    cli.run(main)
