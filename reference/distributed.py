"""Data-parallel training with Keras's distribution API (tutorial §2: distributed computing).

    XLA_FLAGS=--xla_force_host_platform_device_count=2 KERAS_BACKEND=jax \
        python -m reference.distributed --devices 2

``keras.distribution.DataParallel`` replicates the model on each device and splits every
batch between them; gradients are averaged, so the result equals one-device training
up to floating-point summation order.  The API is implemented for the JAX backend; on
a machine with one CPU, XLA can expose several virtual CPU devices to show it working.
Prints a JSON line per device count asked for (``--devices 1 2`` compares one and two in one process): the devices used, the kernel's sharding, the loss per epoch, and the trained weights'
checksum (sha256 of their float32 bytes); ``--weights`` adds every weight, for comparing two runs.
"""

from __future__ import annotations

import hashlib
import json

import keras
import numpy as np

from reference import cli


def toy_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """512 rows of 16 normal features from ``seed``; the label says whether the first four sum above zero."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(512, 16)).astype("float32")
    y = (x[:, :4].sum(axis=1) > 0).astype("float32")
    return x, y


def train(devices: int, seed: int = 0, epochs: int = 3) -> dict:
    if keras.backend.backend() != "jax":
        raise RuntimeError(f"keras.distribution needs the jax backend, not {keras.backend.backend()}")
    if devices < 1:
        raise ValueError(f"devices must be a positive integer, received {devices}")
    available = keras.distribution.list_devices("cpu")
    if devices > len(available):
        raise RuntimeError(
            f"{devices} devices requested, {len(available)} available; set "
            f"XLA_FLAGS=--xla_force_host_platform_device_count={devices}"
        )
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=available[:devices]))
    keras.utils.set_random_seed(seed)
    x, y = toy_data(seed)
    model = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    history = model.fit(x, y, batch_size=64, epochs=epochs, shuffle=False, verbose=0)
    kernel = model.layers[0].kernel
    weights = model.get_weights()
    digest = hashlib.sha256(b"".join(np.asarray(w, "float32").tobytes() for w in weights)).hexdigest()
    return {
        "devices": devices,
        "kernel_sharding": str(getattr(kernel.value, "sharding", "n/a")),
        "loss": [float(v) for v in history.history["loss"]],
        "weights_sha256": digest[:16],
        "weights": [w.ravel().tolist() for w in weights],
    }


def main(argv=None) -> None:
    args = cli.parse_args("distributed", argv)
    for devices in args.devices:  # several counts in one process: one JAX start-up to compare them
        result = train(devices, seed=args.seed, epochs=args.epochs)
        if not args.weights:
            del result["weights"]
        print(json.dumps(result))  # one line per device count, the result as JSON


if __name__ == "__main__":
    cli.run(main)
