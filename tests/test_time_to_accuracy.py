"""benchmarks.time_to_accuracy's stopping rule on a tiny model (a few epochs of 64 samples): it stops at the
first epoch whose test accuracy reaches the target, at the cap, or at the deadline, and says which; and its
command line's one-line refusals."""

import time

import keras
import numpy as np
import pytest

from benchmarks.time_to_accuracy import main, train_to_target


def _tiny():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    return model, (x, (x[:, 0] > 0).astype("int32"))


def test_training_stops_at_the_first_epoch_that_reaches_the_target():
    model, data = _tiny()
    seen = []
    result = train_to_target(model, data, data, 0.0, 5, 32, time.monotonic() + 60, lambda e, a: seen.append(e))
    assert (result["reached"], result["stopped"], result["epochs"], seen) == (True, "target", 1, [1])
    assert result["wall_s"] >= result["train_s"] >= result["seconds_to_target"] == result["epoch_train_s"][0] > 0
    assert result["eval_s"] > 0


def test_a_target_out_of_reach_stops_at_the_cap_and_a_spent_budget_at_once():
    model, data = _tiny()
    capped = train_to_target(model, data, data, 1.01, 2, 32, time.monotonic() + 60)
    assert (capped["reached"], capped["stopped"], capped["epochs"]) == (False, "max_epochs", 2)
    assert capped["seconds_to_target"] is None
    assert capped["epoch_train_s"][0] < capped["epoch_train_s"][1]  # cumulative
    assert capped["accuracy"] == capped["epoch_test_accuracy"][-1]
    spent = train_to_target(model, data, data, 0.0, 5, 32, time.monotonic() - 1)
    assert (spent["reached"], spent["stopped"], spent["epochs"], spent["accuracy"]) == (False, "budget", 0, None)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--device", "cpu", "--out", "x.jsonl", "--max-epochs", "0"], "--max-epochs: must be a positive integer"),
        (["--device", "tpu", "--out", "x.jsonl"], "invalid choice: 'tpu'"),
        (["--device", "cpu", "--out", "x.jsonl", "--models", "vgg"], "invalid choice: 'vgg'"),
        (["--device", "cpu", "--out", "x.jsonl", "--budget-s", "-5"], "--budget-s: must be a positive number"),
    ],
)
def test_bad_input_is_refused_in_one_line_before_any_work(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []  # nothing written
