"""Keras 3 backends and devices, with clear errors for what is not there.

Keras 3 picks its backend once, at import, from ``KERAS_BACKEND`` (default
``tensorflow``).  Device placement goes through ``keras.device(...)``, which every
backend honours; asking for a GPU that the active backend cannot see is an error,
never a silent fallback to the CPU.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

# The backends Keras 3.x accepts in KERAS_BACKEND (keras/src/backend/config.py).
KERAS3_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")
# Backends the tutorial names (§2); none of these exist in Keras 3.
TUTORIAL_ONLY_BACKENDS = ("theano", "cntk", "mxnet", "paddlepaddle")
_BACKEND_MODULE = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy", "openvino": "openvino"}


class DeviceNotAvailable(RuntimeError):
    """A device was requested that the active backend cannot see."""


def check_backend(name: str) -> str:
    """Validate a backend name; raise ValueError naming the supported ones."""
    if name not in KERAS3_BACKENDS:
        raise ValueError(f"unsupported Keras backend {name!r}; Keras 3 supports {', '.join(KERAS3_BACKENDS)}")
    return name


# How to install each backend's engine, for the one-line refusal when it is missing.
INSTALL_COMMAND = {
    "tensorflow": "make install",
    "jax": "make install",
    "torch": "make install-torch",
    "openvino": 'pip install "openvino"',
}


def require_backend(name: str) -> str:
    """Validate a backend name and check that its engine is installed; raise ValueError naming the install
    command otherwise (``KERAS_BACKEND=torch`` without PyTorch fails here in one line, not at every import)."""
    check_backend(name)
    try:
        found = importlib.util.find_spec(_BACKEND_MODULE[name]) is not None
    except ImportError:  # a finder that refuses the name outright
        found = False
    if not found:
        raise ValueError(
            f"KERAS_BACKEND={name} but {_BACKEND_MODULE[name]} is not installed; "
            f"install it with: {INSTALL_COMMAND[name]} (or unset KERAS_BACKEND for TensorFlow)"
        )
    return name


def installed_backends() -> list[str]:
    """Backends whose engine is importable here (numpy always is)."""
    return [b for b in KERAS3_BACKENDS if importlib.util.find_spec(_BACKEND_MODULE[b]) is not None]


def gpu_count() -> int:
    """GPUs visible to the active Keras backend."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return len(tf.config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        try:
            return len(jax.devices("gpu"))
        except RuntimeError:
            return 0
    if backend == "torch":
        import torch

        return torch.cuda.device_count()
    return 0


def resolve_device(kind: str) -> str:
    """Map ``"cpu"``/``"gpu"`` to a ``keras.device`` name for the running backend; a missing GPU is an error."""
    import keras

    if kind == "cpu":
        # PyTorch names its one CPU device "cpu".  Keras 3.15's torch backend, handed "cpu:0", copies each new
        # variable out of its torch Parameter, and a layer with an integer variable (Dropout's seed) then fails
        # with "Only Tensors of floating point and complex dtype can require gradients".
        return "cpu" if keras.backend.backend() == "torch" else "cpu:0"
    if kind == "gpu":
        if gpu_count() == 0:
            raise DeviceNotAvailable(
                f"a GPU was requested but the {keras.backend.backend()} backend sees none on this machine"
            )
        return "gpu:0"
    raise ValueError(f"unknown device kind {kind!r}; use 'cpu' or 'gpu'")


def device_of(tensor) -> str:
    """Where a backend tensor actually lives, as the backend reports it, lower-case,
    with CUDA devices called ``gpu`` on every backend (JAX and PyTorch say ``cuda``)."""
    if hasattr(tensor, "device") and isinstance(tensor.device, str):  # tensorflow
        return tensor.device.lower()
    if hasattr(tensor, "devices"):  # jax: platform is "cpu" or "gpu"
        return ",".join(f"{d.platform}:{d.id}" for d in tensor.devices()).lower()
    return str(getattr(tensor, "device", "cpu")).lower().replace("cuda", "gpu")  # torch, numpy


def run_with_backend(backend: str, module: str, *args: str, env: dict | None = None, timeout: float = 600):
    """Run ``python -m module args`` in a fresh interpreter with the given Keras backend.

    The backend is fixed when keras is imported, so comparing backends (or configuring
    virtual devices before the engine starts) needs a new process.
    """
    check_backend(backend)
    full_env = {**os.environ, "KERAS_BACKEND": backend, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
