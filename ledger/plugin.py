"""The pytest plugin: turns the spec's claim-marked tests into the claims ledger.

Every spec test carries a ``@claim(...)`` marker: a stable id, the tutorial section,
what the document says (paraphrased), what is true today, and the pinned verdict.
While it runs, a test records measured evidence through the ``evidence`` fixture.

Claims and evidence travel in ``report.user_properties``, so the ledger is assembled
on the controller even under pytest-xdist. At the end of the session the plugin prints
a summary and writes ``LEDGER.md`` and ``ledger.json`` (plus figures) to ``--ledger-dir``.
A claim whose test fails is shown as DRIFTED: the document-versus-today verdict no
longer matches what the installed Keras does.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

import pytest

from ledger.claims import Entry, Verdict, label
from ledger.evidence import short
from ledger.store import sort_entries, write_ledger


class Evidence:
    """Records measured facts on the running test; they end up in the ledger."""

    def __init__(self, item: pytest.Item, ledger_dir: Path):
        self._item = item
        self._ledger_dir = ledger_dir

    def __call__(self, key: str, value) -> None:
        self._item.user_properties.append(("evidence", (key, short(value))))

    def figure(self, fig, name: str, caption: str) -> Path:
        """Save a matplotlib figure next to the ledger and embed it."""
        figures = self._ledger_dir / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        path = figures / f"{name}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        self._item.user_properties.append(("figure", (f"figures/{name}.png", caption)))
        return path


_STATE: dict = {"entries": {}}


def pytest_addoption(parser):
    group = parser.getgroup("ledger")
    group.addoption(
        "--ledger-dir",
        default="build/ledger",
        help="where LEDGER.md, ledger.json and figures are written (default build/ledger)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "claim: tutorial statement checked by the test")
    config._ledger_entries = _STATE["entries"] = {}


def _ledger_dir(config) -> Path:
    return Path(config.rootpath, config.getoption("--ledger-dir"))


@pytest.fixture
def evidence(request) -> Evidence:
    """Record a measured fact (``evidence("params", 7114)``) or a figure for the ledger."""
    return Evidence(request.node, _ledger_dir(request.config))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    marker = item.get_closest_marker("claim")
    if marker is not None:
        found = dict(marker.kwargs)
        # Chinese wording of the claim: the module's ZH dict, keyed by claim id (see LEDGER.zh.md).
        zh = getattr(item.module, "ZH", {}).get(found["id"], {})
        found["says_zh"], found["today_zh"] = zh.get("says", ""), zh.get("today", "")
        found["qualifier_zh"] = zh.get("qualifier", "")
        item.user_properties.append(("claim", found))


def pytest_runtest_logreport(report):
    props = dict((k, v) for k, v in report.user_properties if k == "claim")
    if "claim" not in props:
        return
    entries = _STATE["entries"]  # reports relayed by xdist carry no config
    entry = entries.setdefault(report.nodeid, Entry(report.nodeid, props["claim"]))
    entry.line = report.location[1] or 0
    entry.evidence = [v for k, v in report.user_properties if k == "evidence"]
    entry.figures = [v for k, v in report.user_properties if k == "figure"]
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            entry.outcome = "confirmed"
        elif report.skipped:
            # A claim that needs hardware this machine lacks was not measured: never "confirmed".
            entry.outcome = "not measured here" if "gpu" in report.keywords else "skipped"
            entry.detail = short(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        else:
            entry.outcome = "DRIFTED"
            last = report.longreprtext.strip().splitlines()[-1:]
            entry.detail = short(last[0] if last else "failed")
    elif report.when == "teardown" and report.failed:
        entry.outcome = "DRIFTED"
        entry.detail = "teardown failed"


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _keras_backend_name() -> str:
    """The backend Keras uses here, read as Keras reads it (KERAS_BACKEND, then keras.json), without importing
    keras: in pytest-xdist's controller that import would start TensorFlow and print its start-up chatter
    under the test summary."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def _versions() -> dict:
    from importlib.metadata import version

    import numpy
    import sklearn

    return {
        "keras": version("keras"),
        "backend": _keras_backend_name(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _untestable() -> list[dict]:
    from ledger import untestable

    zh = getattr(untestable, "ZH", {})
    return [
        {**item, "says_zh": zh.get(item["id"], {}).get("says", ""), "why_zh": zh.get(item["id"], {}).get("why", "")}
        for item in untestable.UNTESTABLE
    ]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_worker(config) or not config._ledger_entries:
        return
    write_ledger(_ledger_dir(config), sort_entries(config._ledger_entries.values()), _untestable(), _versions())


def pytest_terminal_summary(terminalreporter, config):
    if _is_worker(config) or not config._ledger_entries:
        return
    entries = sort_entries(config._ledger_entries.values())
    tr = terminalreporter
    tr.section("claims ledger")
    for e in entries:
        verdict = Verdict[e.claim["verdict"]]
        mark = "" if e.outcome == "confirmed" else f"  [{e.outcome}]"
        tr.write_line(f"{e.claim_id:<34} {label(e.claim['section']):<14} {verdict.value}{mark}")
    drifted = sum(e.outcome == "DRIFTED" for e in entries)
    distinct = len({e.claim["id"] for e in entries})
    where = Path(config.rootpath, config.getoption("--ledger-dir"), "LEDGER.md")
    tr.write_line(
        f"{distinct} claims ({len(entries)} test cases) checked, {drifted} drifted, "
        f"{len(_untestable())} not testable; ledger: {os.path.relpath(where)}"
    )
