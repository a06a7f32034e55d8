"""The command line shared by every runnable example (reference/cli.py, reference/__main__.py).

Subprocesses here only ever ask for ``--help`` or give a bad flag: both must be answered before Keras is
imported, in well under a second of work, so these checks stay quick.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reference import cli
from reference.__main__ import listing

ROOT = Path(__file__).resolve().parents[1]


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


def test_ctrl_c_ends_in_one_line_with_status_130(capsys):
    def interrupted(argv):
        raise KeyboardInterrupt

    with pytest.raises(SystemExit) as stopped:
        cli.run(interrupted)
    assert stopped.value.code == 130
    assert capsys.readouterr().err.strip() == "interrupted (Ctrl-C): stopped before the end"


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
