"""What the three §4.2 lessons share: the document's imports as a reader runs them, a small DCGAN, and the
per-backend probe runner (each probe is a readable function in spec.backend_probes)."""

import keras
import pytest

from reference import backends
from reference.gans import dcgan
from spec.shared_runs import shared_run
from spec.support import last_json_line

needs_tf = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.data / GradientTape constructs: tensorflow backend only"
)


def tiny_gan(width=0.125):
    """The §4.2 generator and discriminator at 1/8 width: the same layer stacks, quick to build and train."""
    generator = dcgan.build_generator(width=width)
    discriminator = dcgan.build_discriminator(width=width)
    return generator, discriminator


# Every import statement of the document, section by section (§3.1 also imports Input and Model from
# keras.models, which fails on Keras 3 and so defines nothing; see S3.1-functional-imports).
DOCUMENT_IMPORTS = {
    "3.1": ["import keras", "from keras import layers", "from keras import models", "from keras import backend as K"],
    "4.1": ["from keras.datasets import mnist", "import numpy as np"],
    "4.2": [
        "from keras.datasets import cifar10",
        "from keras.models import Sequential",
        "from keras.layers import BatchNormalization, Conv2D, Conv2DTranspose, LeakyReLU",
    ],
}


def document_namespace() -> dict:
    """The names a reader has after running every import the document writes."""
    namespace: dict = {}
    for statements in DOCUMENT_IMPORTS.values():
        for statement in statements:
            exec(statement, namespace)
    return namespace


class ProbeCrashed(RuntimeError):
    """A backend probe raised instead of reporting its result (a broken claim in the ledger, not a drifted one)."""


def _probes_on(backend: str) -> dict:
    done = backends.run_with_backend(backend, "spec.backend_probes", "all")
    return last_json_line(done, f"backend probes on {backend}")


def probe_every_backend(name: str) -> dict:
    """spec.backend_probes.<name>'s result on every installed backend that can train.

    All probes run in one interpreter per backend, once per pytest run (spec.shared_runs): the three §4.2.3
    claims that need them share two or three engine start-ups instead of paying six to nine."""
    results = {}
    for backend in backends.installed_backends():
        if backend in ("numpy", "openvino"):  # inference-only backends cannot train
            continue
        outcome = shared_run(f"backend-probes-{backend}", lambda backend=backend: _probes_on(backend))[name]
        if "crashed" in outcome:
            raise ProbeCrashed(f"{name} on {backend} raised:\n{outcome['crashed']}")
        results[backend] = outcome
    return results


def refused(outcome: dict, message_start: str = "") -> bool:
    """A probe's outcome is the optimizer's refusal (ValueError; NotImplementedError on Keras <= 3.12), whose
    message starts as given."""
    error = outcome.get("error")
    # Keras <= 3.12 raised its NotImplementedError while formatting the refusal, so that message is not the
    # refusal's ("numpy() is only available when eager execution is enabled."): only the class is checked.
    return error == "NotImplementedError" or (error == "ValueError" and outcome["message"].startswith(message_start))
