"""The tutorial's Keras 2 code run on Keras 2 (the tf_keras package), for every claim whose verdict rests on what
Keras 2 did.

``keras2()`` runs ``python -m reference.basics.keras2`` once per pytest run (``spec.shared_runs``: one
interpreter, about 10 s, shared by every claim and xdist worker) and returns its measurements as data; without
tf_keras it skips the calling test, naming the install command.  A claim checks what Keras 3 does first, then
asks for these, so the Keras 3 part is asserted either way.  ``key(report, what)`` names an evidence entry
"Keras 2 (tf_keras 2.21): what", the version as measured.
"""

import importlib.util

import pytest

from reference import backends
from spec.shared_runs import shared_run
from spec.support import last_json_line

INSTALL = "pip install -e '.[legacy]'"


def installed() -> bool:
    return importlib.util.find_spec("tf_keras") is not None


def _measure() -> dict:
    done = backends.run_with_backend(
        "tensorflow", "reference.basics.keras2", env={"TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300
    )
    return last_json_line(done, "reference.basics.keras2")


def keras2() -> dict:
    """Every Keras 2 measurement (reference.basics.keras2.measure_all); skips the test without tf_keras."""
    if not installed():
        pytest.skip(f"Keras 2 not measured: tf_keras is not installed ({INSTALL})")
    return shared_run("keras2-tf_keras", _measure)


def key(report: dict, what: str) -> str:
    """An evidence key for a Keras 2 measurement: "Keras 2 (tf_keras 2.21): <what>"."""
    major, minor = report["version"].split(".")[:2]
    return f"Keras 2 (tf_keras {major}.{minor}): {what}"
