"""benchmarks.gate's comparison and retries on synthetic ratios, and its command line's one-line refusals; no
timing here."""

import pytest

from benchmarks import gate

BOUNDS = {"keras_over_native": 2.0, "fit_over_train_on_batch": 1.2}


def test_a_ratio_above_its_bound_fails_the_gate_and_names_it():
    # Check that the comparison fails on a ratio above the bound, passes at and below it, and says which ratio.
    assert gate.check({"keras_over_native": 2.0, "fit_over_train_on_batch": 0.9}, BOUNDS) == []
    (failure,) = gate.check({"keras_over_native": 2.31, "fit_over_train_on_batch": 0.9}, BOUNDS)
    assert (failure.name, failure.ratio, failure.bound) == ("keras_over_native", 2.31, 2.0)


def test_the_committed_bounds_fail_a_slowdown_beyond_the_worst_recorded_run():
    # Check that each committed bound sits within reach: a ratio 10% above it fails.
    bounds = gate.BOUNDS["tensorflow"]
    slower = {name: bound * 1.1 for name, bound in bounds.items()}
    assert len(gate.check(slower, bounds)) == 2


def _measurements(*values):
    """A fake measure() handing back these keras_over_native ratios in turn."""
    queue = list(values)

    def measure(backend):
        return {"keras_over_native": queue.pop(0), "fit_over_train_on_batch": 1.0}

    return measure


def test_one_attempt_inside_the_bounds_passes_after_a_burst_of_load(monkeypatch):
    monkeypatch.setitem(gate.BOUNDS, "test", BOUNDS)
    outcome = gate.gate("test", attempts=3, measure=_measurements(2.5, 1.7, 9.0))
    assert outcome["failures"] == [] and len(outcome["attempts"]) == 2


def test_a_regression_fails_every_attempt(monkeypatch):
    monkeypatch.setitem(gate.BOUNDS, "test", BOUNDS)
    outcome = gate.gate("test", attempts=3, measure=_measurements(2.5, 2.4, 2.6))
    assert len(outcome["attempts"]) == 3
    assert outcome["failures"] == [gate.Exceeded("keras_over_native", 2.6, 2.0)]  # the last attempt's numbers


def test_paired_ratios_are_the_median_of_each_rounds_ratio():
    rounds = {"train_on_batch": [2.0, 2.0, 9.0], "native": [1.0, 1.0, 1.0], "fit": [2.0, 2.2, 9.0]}
    assert gate.ratios_of(rounds) == {"keras_over_native": 2.0, "fit_over_train_on_batch": 1.0}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--record", "0"], "argument --record: must be a positive integer, received '0'"),
        (["--out", "x.json"], "--out and --append go with --record"),
        (["--record", "2", "--append"], "--append needs --out"),
    ],
)
def test_bad_input_is_refused_in_one_line_before_any_work(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        gate.main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []  # nothing written
