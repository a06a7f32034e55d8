"""Measuring GAN sample quality without downloading a pretrained network.

The suite trains its own feature extractor, a small MNIST classifier, and compares
real and generated images in its 64-d feature space with the Frechet distance (the FID
recipe, with our own network instead of Inception).  Lower is better; the untrained
generator is the baseline to beat.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
from scipy import linalg

from reference.data import load_mnist
from reference.gans.dcgan import scale_images


@functools.lru_cache(maxsize=1)
def mnist_feature_extractor(seed: int = 0):
    """A classifier trained for one epoch on 20,000 MNIST images; returns (feature model, test accuracy)."""
    keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(256, activation="relu")(x)
    features = keras.layers.Dense(64, activation="relu", name="features")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(features)
    classifier = keras.Model(inputs, outputs)
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(scale_images(x_train[:20000]), y_train[:20000], epochs=1, batch_size=128, verbose=0)
    accuracy = classifier.evaluate(scale_images(x_test), y_test, verbose=0)[1]
    return keras.Model(inputs, features), float(accuracy)


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (rows are samples)."""
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"need two (n, d) arrays with equal d, got {a.shape} and {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    # A small ridge keeps dead features (constant columns) from making the covariances singular.
    ridge = 1e-6 * np.eye(a.shape[1])
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        root = root.real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def mnist_fid(generator: keras.Model, samples: int = 2000, seed: int = 0) -> float:
    """Frechet distance between MNIST test images and generator samples, in our classifier's features."""
    features, _ = mnist_feature_extractor()
    _, (x_test, _) = load_mnist()
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(samples, generator.input_shape[-1])).astype("float32")
    fake = generator.predict(z, batch_size=256, verbose=0)
    real = scale_images(x_test[:samples])
    return frechet_distance(
        features.predict(real, batch_size=512, verbose=0), features.predict(fake, batch_size=512, verbose=0)
    )
