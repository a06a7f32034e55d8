"""The pytest plugin: turns the spec's claim-marked tests into the claims ledger.

Every spec test carries a ``@claim(...)`` marker: a stable id, the tutorial section,
what the document says (paraphrased), what is true today, and the pinned verdict.
While it runs, a test records measured evidence through the ``evidence`` fixture.

Claims and evidence travel in ``report.user_properties``, so the ledger is assembled
on the controller even under pytest-xdist. At the end of the session the plugin prints
a summary and writes ``LEDGER.md`` and ``ledger.json`` (plus figures) to ``--ledger-dir``.
What a failing claim shows is decided by ``ledger.outcomes.classify`` (see its module docstring for the rule):
DRIFTED only when the claim ran as designed and an assertion on the measured behaviour failed (its message, the
line, and the evidence recorded before it); *broken* when the test or the reference raised something the claim
did not expect; *environment* for a data, backend or install fault.  A module that fails to import shows its
claims (read from its source) as broken; the run goes on with the other modules.

The ledger is never silently partial.  It is written to a temporary folder beside ``--ledger-dir`` (created
before the first test, so an unwritable folder is one usage error) and moved into place at the end.  A run that
selected part of the spec (``-k``, ``-m``, node ids, ``--lf``, ``--deselect``) or stopped early says so at the
top of the ledger ("partial: -m not slow; 212 tests"); it does not replace a complete ledger unless
``--ledger-replace`` is given, and goes to ``<ledger-dir>-partial`` instead.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from ledger.claims import Entry, Verdict, label
from ledger.evidence import short
from ledger.outcomes import classify, collection_entries, preface
from ledger.store import sort_entries, write_ledger
from reference.measurements import cpu_model


class Evidence:
    """Records measured facts on the running test; they end up in the ledger."""

    def __init__(self, item: pytest.Item, ledger_dir: Path):
        self._item = item
        self._ledger_dir = ledger_dir

    def __call__(self, key: str, value) -> None:
        self._item.user_properties.append(("evidence", (key, short(value))))

    def figure(self, fig, name: str, caption: str, caption_zh: str = "") -> Path:
        """Save a matplotlib figure next to the ledger and embed it; ``caption_zh``: its caption in the Chinese
        edition (LEDGER.zh.md and the site), also its alt text there."""
        figures = self._ledger_dir / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        path = figures / f"{name}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        self._item.user_properties.append(("figure", (f"figures/{name}.png", caption, caption_zh)))
        return path


_STATE: dict = {"entries": {}}


def pytest_addoption(parser):
    group = parser.getgroup("ledger")
    group.addoption(
        "--ledger-dir",
        default="build/ledger",
        help="where LEDGER.md, ledger.json and figures are written (default build/ledger)",
    )
    group.addoption(
        "--ledger-replace",
        action="store_true",
        help="let a partial run (-k, -m, node ids, stopped early) replace a complete ledger in --ledger-dir",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "claim: tutorial statement checked by the test")
    config._ledger_entries = _STATE["entries"] = {}
    _STATE.update(ran=set(), config=config)
    config._ledger_collected = None
    config._ledger_staging = config._ledger_written = None
    # One module that fails to import must not hide the others: its claims are listed as broken.
    config.option.continue_on_collection_errors = True


def _staging_dir(config) -> Path:
    """Where this run writes its ledger (figures included) until it is moved into --ledger-dir."""
    staging = getattr(config, "workerinput", {}).get("ledger_staging") or config._ledger_staging
    return Path(staging) if staging else _ledger_dir(config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    """Check --ledger-dir is writable before the first test: make this run's temporary folder beside it."""
    config = session.config
    if _is_worker(config) or config.option.collectonly:
        return
    target = _ledger_dir(config)
    try:
        if target.exists() and not target.is_dir():
            raise NotADirectoryError(f"{target} exists and is not a folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        config._ledger_staging = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise pytest.UsageError(
            f"--ledger-dir {config.getoption('--ledger-dir')}: cannot write the ledger there ({error}). "
            "Pass a writable folder, e.g. --ledger-dir build/ledger-mine."
        ) from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: each worker writes its figures into the controller's temporary folder."""
    node.workerinput["ledger_staging"] = node.config._ledger_staging


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node, ids):
    node.config._ledger_collected = len(ids)


def pytest_collection_finish(session):
    if not _is_worker(session.config):
        session.config._ledger_collected = len(session.items)


def pytest_collectreport(report):
    """A spec module that fails to import: its claims, read from the file, become broken entries."""
    if report.failed and report.nodeid.endswith(".py"):
        config = _STATE.get("config")
        root = config.rootpath if config is not None else Path.cwd()
        for entry in collection_entries(report.nodeid, Path(root, report.nodeid), report.longreprtext):
            _STATE["entries"][entry.nodeid] = entry


def _ledger_dir(config) -> Path:
    return Path(config.rootpath, config.getoption("--ledger-dir"))


@pytest.fixture
def evidence(request) -> Evidence:
    """Record a measured fact (``evidence("params", 7114)``) or a figure for the ledger."""
    return Evidence(request.node, _staging_dir(request.config))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    marker = item.get_closest_marker("claim")
    if marker is not None:
        found = dict(marker.kwargs)
        # Chinese wording of the claim: the module's ZH dict, keyed by claim id (see LEDGER.zh.md).
        zh = getattr(item.module, "ZH", {}).get(found["id"], {})
        found["says_zh"], found["today_zh"] = zh.get("says", ""), zh.get("today", "")
        found["qualifier_zh"] = zh.get("qualifier", "")
        # Measured ranges are fields ({m:report:path:stat}) rendered from docs/measurements/ (ledger.measured).
        from ledger.measured import render

        for key in ("says", "today", "qualifier", "says_zh", "today_zh", "qualifier_zh"):
            found[key] = render(found[key])
        item.user_properties.append(("claim", found))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing claim's outcome (DRIFTED, broken, environment) is decided where the exception is at hand."""
    report = yield
    if report.failed and call.excinfo is not None and item.get_closest_marker("claim") is not None:
        outcome, detail = classify(call.excinfo, _keras_backend_name(), str(item.path))
        report.user_properties.append(("failure", (outcome, detail)))
    return report


def pytest_runtest_logreport(report):
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _STATE.setdefault("ran", set()).add(report.nodeid)
    props = dict((k, v) for k, v in report.user_properties if k in ("claim", "failure"))
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
            last = report.longreprtext.strip().splitlines()[-1:]
            entry.outcome, entry.detail = props.get("failure") or ("broken", short(last[0] if last else "failed"))
    elif report.when == "teardown" and report.failed:
        entry.outcome = "broken"
        entry.detail = "teardown: " + (props.get("failure") or ("", "failed"))[1]


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


def _threads(config=None) -> int:
    """Threads each test process's kernels may use: OMP_NUM_THREADS, or the cores shared among xdist's workers
    (the root conftest sets that in each worker), or every core."""
    cores = os.cpu_count() or 1
    workers = getattr(getattr(config, "option", None), "numprocesses", None)
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return int(os.environ["OMP_NUM_THREADS"])
    return max(1, cores // workers) if isinstance(workers, int) and workers > 0 else cores


def _versions(config=None) -> dict:
    """What the run's numbers depend on: the packages, and the machine (evidence is per machine; verdicts are not)."""
    from importlib.metadata import version

    import numpy
    import sklearn

    return {
        "keras": version("keras"),
        "backend": _keras_backend_name(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
        "cpu": f"{cpu_model()}, {os.cpu_count()} cores, {_threads(config)} threads per test process",
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
    staging = config._ledger_staging
    if _is_worker(config) or staging is None:
        return
    if not config._ledger_entries:
        shutil.rmtree(staging, ignore_errors=True)
        return
    target = _ledger_dir(config)
    ran = len(_STATE.get("ran", ()))
    partial = _partial(session, exitstatus, ran, _read_json(target / "ledger.json"))
    if partial and _is_complete(target) and not config.getoption("--ledger-replace"):
        partial["kept"] = os.path.relpath(target)  # the complete ledger stays; this one goes beside it
        target = target.with_name(target.name + "-partial")
    entries = sort_entries(config._ledger_entries.values())
    extra = {"tests": ran, "partial": partial}
    write_ledger(
        Path(staging), entries, _untestable(), _versions(config), extra=extra, preface=preface(entries, partial)
    )
    _move_into_place(Path(staging), target)
    config._ledger_written = (target, partial)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_complete(folder: Path) -> bool:
    found = _read_json(folder / "ledger.json")
    return found is not None and not found.get("partial")


def _partial(session, exitstatus, ran: int, previous: dict | None) -> dict | None:
    """Why this run covers only part of the spec (selection, early stop, interruption), or None."""
    config = session.config
    why = []
    option = config.option
    if getattr(option, "keyword", ""):
        why.append(f"-k {option.keyword}")
    if getattr(option, "markexpr", ""):
        why.append(f"-m {option.markexpr}")
    if getattr(option, "deselect", None):
        why.append("--deselect " + " ".join(option.deselect))
    if getattr(option, "lf", False):
        why.append("--lf")
    whole = {config.rootpath.resolve(), (config.rootpath / "spec").resolve()}
    chosen = [Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args]
    covers = any(
        "::" not in arg and any(w == c or c in w.parents for w in whole) for arg, c in zip(config.args, chosen)
    )
    if not covers:
        why.append("selected " + " ".join(os.path.relpath(Path(config.invocation_params.dir, a)) for a in config.args))
    if exitstatus == pytest.ExitCode.INTERRUPTED or session.shouldstop or session.shouldfail:
        why.append(f"stopped early ({session.shouldstop or session.shouldfail or 'interrupted'})")
    if not why:
        return None
    of = previous.get("tests") if previous and not previous.get("partial") else None
    return {"why": why, "ran": ran, "of": of}


def _move_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with two renames, so no reader sees half a ledger."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def pytest_unconfigure(config):
    staging = getattr(config, "_ledger_staging", None)
    if staging and Path(staging).exists() and not _is_worker(config):
        shutil.rmtree(staging, ignore_errors=True)


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
    count = {kind: sum(e.outcome == kind for e in entries) for kind in ("DRIFTED", "broken", "environment")}
    distinct = len({e.claim["id"] for e in entries})
    target, partial = config._ledger_written or (_ledger_dir(config), None)
    tr.write_line(
        f"{distinct} claims ({len(entries)} test cases) checked, {count['DRIFTED']} drifted, {count['broken']} broken, "
        f"{count['environment']} environment, {len(_untestable())} not testable; "
        f"ledger: {os.path.relpath(target / 'LEDGER.md')}"
    )
    if partial:
        kept = (
            partial.get("kept") and f"; the complete ledger in {partial['kept']} is kept (--ledger-replace replaces it)"
        )
        tr.write_line(f"partial run: {'; '.join(partial['why'])}" + (kept or ""))
