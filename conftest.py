"""Root configuration shared by the spec, the unit checks and the benchmarks.

The Keras backend is chosen before anything imports keras: TensorFlow unless
``KERAS_BACKEND`` says otherwise; an unknown backend, or one whose engine is not installed
(``KERAS_BACKEND=torch`` without PyTorch), stops the run with one line naming the fix.
Sockets are disabled for every test (pytest-socket, see ``addopts``): a test that tries
the network fails loudly with ``SocketBlockedError``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # keep TensorFlow's start-up chatter out of reports
# Under pytest-xdist each worker is one process per core: an OpenMP pool (PyTorch's) as wide as the
# machine in every worker oversubscribes the cores, and its threads spin.  Measured on the 2-core machine,
# two concurrent PyTorch MLP fits took 15 s each with default threads and 4 s with one thread each.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    os.environ.setdefault(
        "OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))
    )

import pytest  # noqa: E402

from reference.backends import require_backend  # noqa: E402

# The claims ledger (ledger/plugin.py).  Loaded here, where pytest registers it before the session starts on the
# xdist controller and every worker alike (a plugin in spec/conftest.py is registered too late when a run names no
# folder: no ledger was written).  It does nothing in a run that collects no claim, such as the benchmarks.
pytest_plugins = ["ledger.plugin"]


def pytest_configure(config):
    try:
        require_backend(os.environ["KERAS_BACKEND"])
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
