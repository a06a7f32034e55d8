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


def raw_pixel_sets() -> dict:
    """The two image sets clustered on raw pixels: scikit-learn's 1,797 8x8 digits and MNIST's 10,000 test
    images, flattened and scaled to [0, 1], with their labels."""
    from reference import data

    digits, digit_labels = data.load_digits()
    _, (images, labels) = data.load_mnist()
    return {
        "digits": ((digits.reshape(len(digits), -1) / 16.0).astype("float32"), digit_labels),
        "mnist": (images.reshape(len(images), -1).astype("float32") / 255, labels),
    }


def measure_raw_pixel_seeds(seeds=(0, 1, 2), out="docs/measurements/ch3_kmeans_raw_seeds.json") -> dict:
    """K-means (k = 10, k-means++) on raw pixels of each set in ``raw_pixel_sets``: ARI and NMI per seed
    against the digit labels (spec: TOC3.4-image-clustering)."""
    from reference.measurements import write_report

    sets = raw_pixel_sets()
    runs = {
        str(seed): {name: scores(y, kmeans(x, 10, seed=seed).labels) for name, (x, y) in sets.items()} for seed in seeds
    }
    payload = {
        "how": f"reference.clustering.applications.measure_raw_pixel_seeds(seeds={list(seeds)})",
        "setup": "K-means (k 10, k-means++, reference.clustering.kmeans) on raw pixels in [0, 1]: scikit-learn's "
        "1,797 8x8 digits and MNIST's 10,000 test images; ARI and NMI against the digit labels per seed",
        "runs": runs,
    }
    return write_report(payload, out)
