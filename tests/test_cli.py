"""The command line shared by every runnable example (reference/cli.py, reference/__main__.py).

Most subprocesses here only ask for ``--help`` or give a bad flag: both must be answered before Keras is
imported, in well under a second of work.  Two short real runs, side by side, are interrupted with Ctrl-C (SIGINT)
to check what they keep and that no engine log reaches their output (about 15-20 s on a quiet 2-core machine).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reference import cli
from reference.__main__ import listing

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _seeded():
    """Replaces the spec's seeding fixture (tests/conftest.py) here: these checks train only in subprocesses, so
    this process never imports Keras, whose TensorFlow start-up alone costs 5-20 s."""
    yield


def _run(*args: str, module: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", module or "reference", *args]
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


# ---- the argument types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parse, text, message",
    [
        (cli.positive_int, "0", "must be a positive integer, received '0'"),
        (cli.positive_int, "-1", "must be a positive integer, received '-1'"),
        (cli.positive_int, "two", "must be a positive integer, received 'two'"),
        (cli.positive_int, "1.5", "must be a positive integer, received '1.5'"),
        (cli.positive_float, "0", "must be a positive number, received '0'"),
        (cli.positive_float, "nan", "must be a positive number, received 'nan'"),
        (cli.positive_float, "inf", "must be a positive number, received 'inf'"),
        (cli.seed, "-3", "must be an integer >= 0, received '-3'"),
        (cli.int_between(10, 60000), "-10", "must be an integer from 10 to 60000, received '-10'"),
        (cli.int_between(10, 60000), "60001", "must be an integer from 10 to 60000, received '60001'"),
    ],
)
def test_types_refuse_what_makes_no_sense(parse, text, message):
    with pytest.raises(argparse.ArgumentTypeError) as refused:
        parse(text)
    assert str(refused.value) == message


def test_types_accept_good_values():
    assert (cli.positive_int("3"), cli.positive_float("0.25"), cli.seed("0"), cli.int_between(1, 5)("5")) == (
        3,
        0.25,
        0,
        5,
    )


def test_output_folder_is_created_and_an_unwritable_one_refused(tmp_path):
    # Check that --out makes a missing folder, and refuses one under a file (as root, permissions stop nothing).
    made = cli.writable_dir(str(tmp_path / "a" / "b"))
    assert made.is_dir()
    (tmp_path / "file").write_text("")
    with pytest.raises(argparse.ArgumentTypeError, match=r"cannot write to '.*file/out'"):
        cli.writable_dir(str(tmp_path / "file" / "out"))
    with pytest.raises(argparse.ArgumentTypeError, match="is a folder; give a file name"):
        cli.writable_file(str(tmp_path))


# ---- every example's parser ------------------------------------------------------------------------------


def test_every_example_module_exists_and_calls_the_shared_parser():
    for name, example in cli.EXAMPLES.items():
        source = (ROOT / (example.module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        assert f'cli.parse_args("{name}", argv)' in source, name
        assert "cli.run(main)" in source, name
        assert "argparse.ArgumentParser" not in source, name


@pytest.mark.parametrize("name", sorted(cli.EXAMPLES))
def test_every_example_has_defaults_and_a_shortening_flag(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # default --out folders are made here, not in the checkout
    parser = cli.parser(name)
    positional = {"basics.tf_and_keras": ["train"], "basics.training_curves": ["overfit"], "sequence.rnn": ["memory"]}
    args = parser.parse_args(positional.get(name, []))
    shorteners = {"epochs", "steps", "n", "rows", "limit", "seeds"}
    assert shorteners & set(vars(args)), f"{name} has no flag to shorten its run"
    if "out" in vars(args) and args.out is not None:
        assert Path(args.out).is_dir() and not Path(args.out).is_absolute()


BAD_FLAGS = [
    ("mnist_mlp", ["--epochs", "0"], "argument --epochs: must be a positive integer, received '0'"),
    ("mnist_mlp", ["--epochs", "-1"], "argument --epochs: must be a positive integer, received '-1'"),
    ("distributed", ["--devices", "0"], "argument --devices: must be a positive integer, received '0'"),
    ("basics.splits", ["--n", "-10"], "argument --n: must be an integer from 10 to 60000, received '-10'"),
    ("gans.dcgan", ["--steps", "0"], "argument --steps: must be a positive integer, received '0'"),
    ("gans.dcgan", ["--width", "0"], "argument --width: must be a positive number, received '0'"),
    ("sequence.text_generation", ["--epochs", "0"], "argument --epochs: must be a positive integer, received '0'"),
    ("kaggle.digit_recognizer", ["--epochs", "0"], "argument --epochs: must be a positive integer, received '0'"),
    ("vision.detection", ["--epochs", "0"], "argument --epochs: must be a positive integer, received '0'"),
    ("vision.transfer", ["--epochs", "x"], "argument --epochs: must be a positive integer, received 'x'"),
    ("basics.workflow", ["--seeds", "-1"], "argument --seeds: must be an integer >= 0, received '-1'"),
]


@pytest.mark.parametrize("name, argv, message", BAD_FLAGS)
def test_bad_flags_are_refused_in_one_line(name, argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.parser(name).parse_args(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err == f"python -m reference.{name}: error: {message} (see --help)\n"


def test_older_flag_names_still_work_but_are_not_advertised(tmp_path):
    save = tmp_path / "reports" / "x.json"
    args = cli.parser("basics.workflow").parse_args(["--save", str(save)])
    assert cli.output(args, "ch1_workflow_seeds.json") == save and save.parent.is_dir()
    args = cli.parser("basics.regularisation").parse_args(["--write"])
    assert args.out == Path("docs/measurements")
    for name, older in (
        ("basics.workflow", "--save"),
        ("vision.cnn", "--figure"),
        ("basics.regularisation", "--write"),
    ):
        options = cli.parser(name).format_help().split("options:")[1]
        assert older not in options and older not in cli.parser(name).format_usage()
    assert cli.out_flag(tmp_path / "ch1_workflow_seeds.json", "ch1_workflow_seeds.json") == f"--out {tmp_path}"


def test_wrote_says_what_and_where(tmp_path, capsys):
    cli.wrote([tmp_path / "a.png", None])
    cli.wrote([])
    assert (
        capsys.readouterr().out == f"wrote {tmp_path / 'a.png'}\nwrote nothing (pass --out DIR to keep the results)\n"
    )


def test_ctrl_c_before_training_ends_in_one_line_with_status_130(capsys):
    def interrupted(argv):
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stopped:
        cli.run(interrupted)
    assert stopped.value.code == 130
    assert capsys.readouterr().err.strip() == "interrupted (Ctrl-C) before any training step: nothing trained to keep"


def test_report_settings_cannot_be_shortened_but_a_look_can(tmp_path):
    # Check that compile_settings and regularisation take --epochs, and refuse it with --out (their seed reports
    # are measured at the settings the spec cites).
    for name, measured in (("basics.regularisation", 30), ("basics.compile_settings", 2)):
        assert cli.parse_args(name, ["--epochs", "1"]).epochs == 1
        assert cli.parse_args(name, ["--epochs", str(measured), "--out", str(tmp_path)]).epochs == measured
        with pytest.raises(SystemExit) as stopped:
            cli.parse_args(name, ["--epochs", "1", "--out", str(tmp_path)])
        assert stopped.value.code == 2


# ---- in a fresh interpreter: answered before Keras is imported --------------------------------------------


def test_help_and_bad_flags_return_before_keras_is_imported():
    # --help of the heaviest example answers with its docstring, from the module's own `python -m` path.
    shown = _run("--help", module="reference.gans.dcgan")
    assert shown.returncode == 0 and "usage: python -m reference.gans.dcgan" in shown.stdout
    assert "The DCGAN of tutorial" in shown.stdout
    # A bad flag: one line on stderr, status 2, no traceback; -X importtime lists every module imported: no Keras.
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reference.gans.dcgan", "--steps", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    imported = {line.split("|")[-1].strip() for line in lines if line.startswith("import time:")}
    assert "reference.cli" in imported and not {"keras", "tensorflow", "numpy"} & imported
    assert [line for line in lines if not line.startswith("import time:")] == [
        "python -m reference.gans.dcgan: error: argument --steps: must be a positive integer, received '0' (see --help)"
    ]


def test_unwritable_output_is_refused_before_training(tmp_path):
    (tmp_path / "file").write_text("")
    done = _run("--out", str(tmp_path / "file" / "figures"), module="reference.vision.cnn")
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "argument --out: cannot write to" in done.stderr


def test_one_entry_point_lists_and_runs_the_examples():
    listed = _run()
    assert listed.returncode == 0 and listed.stdout.strip() == listing()
    for name in cli.EXAMPLES:
        assert f"  {name} " in listing()
    unknown = _run("nope")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "unknown example 'nope'" in unknown.stderr
    bad = _run("basics.splits", "--n", "-10")
    assert bad.returncode == 2
    assert bad.stderr == (
        "python -m reference.basics.splits: error: argument --n: must be an integer from 10 to 60000, received "
        "'-10' (see --help)\n"
    )


def test_console_script_is_declared():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["keras-tutorial"] == "reference.__main__:main"
    assert project["license"] == "MIT" and (ROOT / "LICENSE").is_file()


# ---- Ctrl-C during a real run, and what an example prints on each engine ----------------------------------
#
# Two examples are started at once (about 15-20 s together): basics.workflow on TensorFlow, interrupted during
# its second epoch, keeps the history so far (no --out: in ./build/interrupted); gans.dcgan on JAX, interrupted
# while its first step compiles, keeps the history and a grid of samples in --out.  Their stderr is also where
# an engine's start-up log would show.

ENGINE_LOG = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|cudart_stub|cpu_feature_guard|cuInit")


def _interrupt_when_printed(module: str, argv: list[str], marker: str, backend: str, cwd: Path) -> subprocess.Popen:
    """Start ``python -m module argv`` as a learner would (no TF_CPP_MIN_LOG_LEVEL of ours) and press Ctrl-C
    once ``marker`` is on its stdout; the process's ``printed`` holds its stdout when it ends."""
    env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", module, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )

    def watch() -> None:
        seen, sent = "", False
        for char in iter(lambda: process.stdout.read(1), ""):
            seen += char
            if not sent and marker in seen:
                process.send_signal(signal.SIGINT)
                sent = True
        process.printed = seen

    process.watcher = threading.Thread(target=watch, daemon=True)
    process.watcher.start()
    return process


@pytest.fixture(scope="module")
def interrupted_runs(tmp_path_factory):
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed (make install)")
    folder = tmp_path_factory.mktemp("interrupted")
    runs = {
        "workflow": _interrupt_when_printed(
            "reference.basics.workflow", ["--train", "200", "--epochs", "500"], "Epoch 2/", "tensorflow", folder
        ),
        # 2000 steps take 3 epochs: "Epoch 1/3" is printed before the first step (one epoch would print no header)
        "dcgan": _interrupt_when_printed(
            "reference.gans.dcgan", ["--steps", "2000", "--out", str(folder / "gans")], "Epoch 1/", "jax", folder
        ),
    }
    results = {}
    for name, process in runs.items():
        try:
            stderr = process.stderr.read()
            process.wait(timeout=120)
        finally:
            process.kill()
        process.watcher.join(timeout=10)
        results[name] = (process.returncode, process.printed, stderr)
    return folder, results


@pytest.mark.slow  # two real trainings interrupted in subprocesses (~40 s): full tier only
def test_ctrl_c_keeps_the_history_and_the_samples_so_far(interrupted_runs):
    folder, results = interrupted_runs
    code, _, stderr = results["workflow"]
    record = folder / "build" / "interrupted" / "interrupted-basics.workflow.json"
    assert code == 130, stderr
    assert stderr.strip().splitlines() == [
        f"interrupted (Ctrl-C) {json.loads(record.read_text())['interrupted']}; kept the history so far in {record}"
    ]
    kept = json.loads(record.read_text())
    (fit,) = kept["fits"]
    assert fit["epochs_finished"] >= 1 and len(fit["history"]["loss"]) == fit["epochs_finished"]
    assert fit["steps"] >= 7 * fit["epochs_finished"]  # 200 images in batches of 32: 7 steps an epoch
    assert kept["runs"] == {} and kept["command"].endswith("--train 200 --epochs 500")

    code, _, stderr = results["dcgan"]
    assert code == 130, stderr
    (line,) = stderr.strip().splitlines()
    samples, record = folder / "gans" / "samples.png", folder / "gans" / "interrupted-gans.dcgan.json"
    assert line.startswith("interrupted (Ctrl-C) after ") and line.endswith(
        f"kept the history so far in {record} and the samples so far in {samples}"
    )
    assert samples.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(record.read_text())["fits"][0]["steps"] >= 1


@pytest.mark.slow  # reads the output of the interrupted runs above: full tier only
def test_examples_print_no_engine_log_on_tensorflow_or_jax(interrupted_runs):
    # Check that TensorFlow's C++ start-up log (absl's, which ignores TF_CPP_MIN_LOG_LEVEL) stays out of an example's
    # output, on TensorFlow and on JAX (where Keras imports TensorFlow later, for set_random_seed and tf.data).
    _, results = interrupted_runs
    for name, (_, printed, stderr) in results.items():
        logged = [line for line in (printed + stderr).splitlines() if ENGINE_LOG.search(line)]
        assert logged == [], name
