"""Figures the ledger embeds: sample grids and curves (matplotlib, no display needed)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def image_grid(images: np.ndarray, title: str, columns: int = 8):
    """Images in [-1, 1] or [0, 255], shape (n, h, w[, c]), laid out in a grid."""
    images = np.asarray(images, dtype="float32")
    if images.min() < 0:
        images = (images + 1) / 2
    elif images.max() > 1:
        images = images / 255
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 0.9 + 0.4))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, image in zip(np.ravel(axes), images):
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        ax.imshow(np.clip(image, 0, 1), cmap="gray" if image.ndim == 2 else None, vmin=0, vmax=1)
    fig.suptitle(title)
    return fig


def sample_grid(generator, title: str, n: int = 32, seed: int = 0):
    z = np.random.default_rng(seed).normal(size=(n, generator.input_shape[-1])).astype("float32")
    return image_grid(generator.predict(z, verbose=0), title)
