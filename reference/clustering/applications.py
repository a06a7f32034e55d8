"""Clustering applied (table of contents chapter 3): colour segmentation, digit clustering, DBSCAN.

Real data only: scikit-learn's sample photos and digits, and MNIST.
"""

from __future__ import annotations

import keras
import numpy as np
from sklearn import metrics

from reference.clustering.kmeans import kmeans


def psnr(original: np.ndarray, approximation: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for uint8-range images."""
    error = np.mean((original.astype("float64") - approximation.astype("float64")) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0**2 / error))


def segment_colors(image: np.ndarray, k: int, seed: int = 0, sample: int = 5000):
    """Replace every pixel by the nearest of k colours found by K-means on a pixel sample."""
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"expected an (h, w, 3) image, got {image.shape}")
    pixels = image.reshape(-1, 3).astype("float32")
    rng = np.random.default_rng(seed)
    fitted = kmeans(pixels[rng.choice(len(pixels), min(sample, len(pixels)), replace=False)], k, seed=seed)
    return quantize(image, fitted.centers)


def quantize(image: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Map each pixel to its nearest palette colour."""
    pixels = image.reshape(-1, 3).astype("float32")
    nearest = np.argmin(((pixels[:, None, :] - palette[None, :, :]) ** 2).sum(-1), axis=1)
    return np.round(palette[nearest]).clip(0, 255).astype(np.uint8).reshape(image.shape)


def random_codebook(k: int, seed: int = 0) -> np.ndarray:
    """k colours drawn uniformly from the RGB cube: the baseline K-means must beat."""
    return np.random.default_rng(seed).uniform(0, 255, size=(k, 3)).astype("float32")


def scores(labels_true, labels_pred) -> dict:
    return {
        "ari": float(metrics.adjusted_rand_score(labels_true, labels_pred)),
        "nmi": float(metrics.normalized_mutual_info_score(labels_true, labels_pred)),
    }


def autoencoder_embedding(x: np.ndarray, dim: int = 10, epochs: int = 60, seed: int = 0) -> np.ndarray:
    """Train a dense autoencoder on the rows of x (scaled to [0, 1]) and return their codes."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((x.shape[1],))
    code = keras.layers.Dense(128, activation="relu")(inputs)
    code = keras.layers.Dense(dim, name="code")(code)
    decoded = keras.layers.Dense(128, activation="relu")(code)
    decoded = keras.layers.Dense(x.shape[1], activation="sigmoid")(decoded)
    autoencoder = keras.Model(inputs, decoded)
    autoencoder.compile(optimizer="adam", loss="mse")
    autoencoder.fit(x, x, epochs=epochs, batch_size=64, verbose=0)
    return keras.Model(inputs, code).predict(x, verbose=0)
