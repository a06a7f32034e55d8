"""Benchmark options, device parametrisation and the summary writer.

``pytest benchmarks --benchmark-only`` times one training step per case and writes
``build/benchmarks/summary.md`` and ``throughput.png`` (``--bench-out`` to change).
GPU cases skip with the reason when the active backend sees no GPU.
"""

from pathlib import Path

import keras
import pytest

from reference import backends


def pytest_addoption(parser):
    parser.addoption("--bench-quick", action="store_true", help="small batch sweep, few rounds (CI)")
    parser.addoption("--bench-out", default="build/benchmarks", help="where summary.md and throughput.png go")


@pytest.fixture(params=["cpu", "gpu"])
def device(request):
    """A keras.device name; skips GPU cases where there is none, with the reason."""
    try:
        return backends.resolve_device(request.param)
    except backends.DeviceNotAvailable as missing:
        pytest.skip(str(missing))


@pytest.fixture
def quick(request):
    return request.config.getoption("--bench-quick")


def pytest_sessionfinish(session, exitstatus):
    bench = getattr(session.config, "_benchmarksession", None)
    if bench is None or not bench.benchmarks or hasattr(session.config, "workerinput"):
        return
    from benchmarks.report import write_report

    out = Path(session.config.rootpath, session.config.getoption("--bench-out"))
    write_report(bench.benchmarks, out, backend=keras.backend.backend())
