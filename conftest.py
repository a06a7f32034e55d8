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

# Keras imports requests, whose urllib3 opens (and closes) an IPv6 socket at import to learn whether the host has
# IPv6: no traffic, but pytest-socket blocks it inside the first test that imports Keras and prints a warning.
# Imported here, before sockets are blocked, that probe happens once, harmlessly.
try:
    import urllib3.util.connection  # noqa: F401
except ImportError:  # not installed: then nothing probes either
    pass

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


# Under pytest-xdist (the README's `pytest -n 2`): whole test files to each worker, the heaviest first by their
# recorded durations (tools/durations.py says why and how to refresh them).  An explicit `--dist` is obeyed.
def _dist_given(config) -> bool:
    return any(arg == "--dist" or arg.startswith("--dist=") for arg in config.invocation_params.args)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if _dist_given(config):
        return None
    from xdist.scheduler import LoadFileScheduling

    config.option.loadscopereorder = False  # keep the heaviest-first order of pytest_collection_modifyitems
    return LoadFileScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER") or _dist_given(config):
        return
    from tools import durations

    rank = {
        path: i for i, path in enumerate(durations.heaviest_files_first([i.nodeid for i in items], durations.load()))
    }
    items.sort(key=lambda item: rank[item.nodeid.split("::", 1)[0]])  # stable: each file keeps its own order
