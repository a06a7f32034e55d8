"""Root configuration shared by the spec and the benchmarks.

The Keras backend is chosen before anything imports keras: TensorFlow unless
``KERAS_BACKEND`` says otherwise; an unknown backend stops the run with a clear message.
Sockets are disabled for every test (pytest-socket, see ``addopts``): a test that tries
the network fails loudly with ``SocketBlockedError``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out of reports

import pytest  # noqa: E402

from reference.backends import check_backend  # noqa: E402

pytest_plugins = ["spec.ledger"]


def pytest_configure(config):
    try:
        check_backend(os.environ["KERAS_BACKEND"])
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
