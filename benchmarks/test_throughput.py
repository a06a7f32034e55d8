"""One training step of each reference model, by device and batch size.

Compilation and warm-up happen before timing (``warmup_rounds``); every timed call
returns host values (``train_on_batch`` returns floats, native steps are followed by a
host read), so device work is synchronised inside the timing.  References in the same
run: a native step of the same MLP written in the backend itself, and the device's
measured float32 matmul peak.
"""

import time

import keras
import numpy as np
import pytest

from benchmarks.flops import forward_flops, gan_step_flops
from benchmarks.native import native_step
from reference import backends, mnist_mlp
from reference.gans import dcgan
from reference.sequence import text_generation
from reference.vision import cnn

MLP_BATCHES_FULL = [32, 128, 1024, 8192]
MLP_BATCHES_QUICK = [32, 1024]
GAN_BATCHES_FULL, GAN_BATCH_QUICK = [16, 64, 512], 16  # 16 keeps the CI pass under a minute
# Per multiply-add: forward 2 FLOPs, backward 2 for the weight gradient plus 2 for the input
# gradient, which the first layer does not need (its input is data).
MLP_FLOPS_PER_SAMPLE = 4 * 784 * 512 + 6 * 512 * 10


def _batches(quick):
    return MLP_BATCHES_QUICK if quick else MLP_BATCHES_FULL


def _rounds(quick):
    return 3 if quick else 10


def _steps_per_execution(steps: int) -> int:
    """``steps`` calls of the step per execution where the backend allows it; PyTorch allows only 1
    (Keras raises "`steps_per_execution` must be 1 with the PyTorch backend")."""
    return 1 if keras.backend.backend() == "torch" else steps


def _mlp_data(batch):
    rng = np.random.default_rng(0)
    return rng.random((batch, 784), dtype=np.float32), keras.utils.to_categorical(rng.integers(0, 10, batch), 10)


def _check_placed(model, device):
    where = backends.device_of(model.trainable_weights[0].value)
    kind = device.split(":")[0]
    assert kind in where, f"model asked for {device} but its weights live on {where}"


PEAK_SIZES = (1024, 2048, 4096)


def _matmul_rate(device, size, repeats=5):
    """Best float32 matmul rate (FLOP/s) over a few repeats, synchronised by a host read."""
    import time

    with keras.device(device):
        a, b = keras.random.normal((size, size)), keras.random.normal((size, size))
        keras.ops.convert_to_numpy(keras.ops.matmul(a, b)[0, 0])
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            keras.ops.convert_to_numpy(keras.ops.matmul(a, b)[0, 0])
            best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def _peak(device, quick=False):
    return max(
        _matmul_rate(device, size, repeats=3 if quick else 5) for size in (PEAK_SIZES[:1] if quick else PEAK_SIZES)
    )


@pytest.fixture(scope="module")
def peaks():
    return {}


def _info(benchmark, model, way, device, batch, flops, peaks):
    if device not in peaks:
        peaks[device] = _peak(device, peaks.get("quick", False))
    benchmark.extra_info.update(
        model=model,
        way=way,
        device=device,
        batch=batch,
        samples=batch,
        backend=keras.backend.backend(),
        flops=flops,
        peak_flops=peaks[device],
    )


def test_matmul_peak(benchmark, device, peaks, quick):
    """The device's float32 matmul rate, best over sizes: the ceiling each case is compared with."""
    peaks["quick"] = quick
    size = PEAK_SIZES[0] if quick else PEAK_SIZES[-1]
    with keras.device(device):
        a, b = keras.random.normal((size, size)), keras.random.normal((size, size))
        benchmark.pedantic(lambda: keras.ops.convert_to_numpy(keras.ops.matmul(a, b)[0, 0]), rounds=5, warmup_rounds=1)
    peaks[device] = max(_peak(device, quick), 2 * size**3 / benchmark.stats.stats.min)
    benchmark.extra_info.update(kind="peak", device=device, peak_flops=peaks[device], backend=keras.backend.backend())


@pytest.mark.parametrize("batch", MLP_BATCHES_FULL)
def test_mlp_train_on_batch(benchmark, device, batch, quick, peaks):
    if batch not in _batches(quick):
        pytest.skip("not in the quick sweep")
    x, y = _mlp_data(batch)
    with keras.device(device):
        model = mnist_mlp.build_mlp()
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        _check_placed(model, device)
        benchmark.pedantic(model.train_on_batch, args=(x, y), rounds=_rounds(quick), warmup_rounds=2)
    _info(benchmark, "mnist_mlp", "train_on_batch", device, batch, MLP_FLOPS_PER_SAMPLE * batch, peaks)


@pytest.mark.parametrize("batch", MLP_BATCHES_FULL)
@pytest.mark.parametrize("way", ["fit", "fit_steps_per_execution"])
def test_mlp_fit(benchmark, device, way, batch, quick, peaks):
    """fit(), timed per step inside the call (its set-up left out), with and without steps_per_execution."""
    if batch not in _batches(quick) or (quick and way != "fit" and batch != _batches(quick)[0]):
        pytest.skip("not in the quick sweep")
    _steady(benchmark, "mnist_mlp", way, device, batch, quick, peaks)


def _steady(benchmark, model_name, way, device, batch, quick, peaks):
    """Time ``way`` (a fit style) per step inside fit() calls, as benchmarks.run does, and hand the rounds to
    pytest-benchmark: its pedantic mode can only time whole calls, which would count fit()'s set-up."""
    from benchmarks import run

    kind = device.split(":")[0]
    try:
        case = run.build_case(model_name, way, batch, kind, keras.backend.backend())
    except NotImplementedError as why:
        pytest.skip(str(why))
    rounds = _rounds(quick)
    run.run_group([case], 0.05 if quick else 1.0, rounds, time.monotonic() + 60, time.monotonic() + 600)
    benchmark._mode = "benchmark.pedantic(...)"  # pytest-benchmark 5: one Metadata filled with our rounds
    stats = benchmark._make_stats(1)
    for seconds in case.rounds:
        stats.update(seconds)
    _info(benchmark, model_name, way, device, batch, case.flops_per_step, peaks)
    benchmark.extra_info.update(first_step_s=case.first_step_s, steps_per_execution=case.steps_per_execution)


def _native_step(batch, device):
    """The same MLP, loss and Adam update written directly in the backend (benchmarks.native)."""
    try:
        return native_step(keras.backend.backend(), batch, device)
    except NotImplementedError as missing:
        pytest.skip(str(missing))


@pytest.mark.parametrize("batch", MLP_BATCHES_FULL)
def test_mlp_native(benchmark, device, batch, quick, peaks):
    if batch not in _batches(quick):
        pytest.skip("not in the quick sweep")
    run = _native_step(batch, device)
    benchmark.pedantic(run, rounds=_rounds(quick), warmup_rounds=2)
    _info(benchmark, "mnist_mlp", "native", device, batch, MLP_FLOPS_PER_SAMPLE * batch, peaks)


@pytest.mark.parametrize("batch", GAN_BATCHES_FULL)
@pytest.mark.parametrize("network", ["discriminator", "generator"])
def test_dcgan_step(benchmark, device, network, batch, quick, peaks):
    """The §4.2 networks at the document's full width; the steps its loop calls (train_on_batch)."""
    if quick and batch != GAN_BATCH_QUICK:
        pytest.skip("not in the quick sweep")
    rng = np.random.default_rng(0)
    with keras.device(device):
        trainer = dcgan.DocumentStyleTrainer(dcgan.build_generator(), dcgan.build_discriminator())
        _check_placed(trainer.discriminator, device)
        ones = np.ones((batch, 1), "float32")
        if network == "discriminator":
            images = rng.uniform(-1, 1, (batch, 32, 32, 3)).astype("float32")
            run = lambda: trainer.discriminator.train_on_batch(images, ones)  # noqa: E731
        else:
            noise = dcgan.generate_noise(batch, rng=rng)
            trainer.discriminator.trainable = False
            run = lambda: trainer.combined.train_on_batch(noise, ones)  # noqa: E731
        benchmark.pedantic(run, rounds=_rounds(quick), warmup_rounds=1)
    d_flops, g_flops = forward_flops(trainer.discriminator), forward_flops(trainer.generator)
    per_image = 3 * d_flops if network == "discriminator" else 3 * g_flops + 2 * d_flops
    _info(benchmark, f"dcgan_{network}", "train_on_batch", device, batch, per_image * batch, peaks)


GAN_LOOP_STYLES = ["tutorial_loop", "fit", "fit_steps_per_execution"]


@pytest.mark.parametrize("batch", GAN_BATCHES_FULL)
@pytest.mark.parametrize("style", GAN_LOOP_STYLES)
def test_gan_loop(benchmark, device, style, batch, quick, peaks):
    """One full DCGAN step (D on real and generated images, then G), the §4.2 networks at full width.

    ``tutorial_loop``: the document's way, three train_on_batch calls and a predict from Python
    (reference.gans.dcgan.DocumentStyleTrainer.train_step); ``fit``: the idiomatic reference.gans.dcgan.DCGAN, one
    compiled train_step per batch; ``fit_steps_per_execution``: the same with all steps in one call.
    """
    if quick and batch != GAN_BATCH_QUICK:
        pytest.skip("not in the quick sweep")
    if quick and style == "fit_steps_per_execution":
        pytest.skip("not in the quick sweep")
    if style == "fit_steps_per_execution" and _steps_per_execution(2) == 1:
        pytest.skip(f"the {keras.backend.backend()} backend runs one step per execution only")
    if style != "tutorial_loop":
        _steady(benchmark, "dcgan_full_step", style, device, batch, quick, peaks)
        return
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (batch, 32, 32, 3)).astype("float32")
    with keras.device(device):
        generator, discriminator = dcgan.build_generator(), dcgan.build_discriminator()
        trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
        _check_placed(trainer.discriminator, device)
        benchmark.pedantic(lambda: trainer.train_step(real, rng), rounds=_rounds(quick), warmup_rounds=1)
    _info(benchmark, "dcgan_full_step", style, device, batch, gan_step_flops(generator, discriminator) * batch, peaks)


CNN_BATCHES_FULL, CNN_BATCHES_QUICK = [32, 128, 1024], [128]
LSTM_BATCHES_FULL, LSTM_BATCHES_QUICK = [32, 128], [32]
LSTM_VOCAB = 64  # about the corpus's character set (reference.sequence.text_generation)


def _chapter2_case(model_name, batch):
    """The TOC 2.1 convnet on MNIST-shaped images, or the TOC 2.4 character LSTM on 64-character windows."""
    rng = np.random.default_rng(0)
    if model_name == "mnist_convnet":
        model = cnn.build_convnet()
        x = rng.random((batch, 28, 28, 1), dtype=np.float32)
        y = rng.integers(0, 10, batch)
        loss = "sparse_categorical_crossentropy"
    else:
        model = text_generation.build_char_lstm(LSTM_VOCAB)
        x = rng.integers(0, LSTM_VOCAB, (batch, text_generation.WINDOW)).astype("int32")
        y = rng.integers(0, LSTM_VOCAB, (batch, text_generation.WINDOW))
        loss = "sparse_categorical_crossentropy"
    return model, x, y, loss


def _chapter2_flops(model_name):
    """Forward FLOPs per sample, counted on a copy built with fixed shapes (the LSTM's length is a call-time detail)."""
    if model_name == "mnist_convnet":
        return forward_flops(cnn.build_convnet())
    fixed = keras.Sequential(
        [
            keras.Input((text_generation.WINDOW, LSTM_VOCAB)),
            keras.layers.LSTM(128, return_sequences=True),
            keras.layers.Dense(LSTM_VOCAB),
        ]
    )
    return forward_flops(fixed)


@pytest.mark.parametrize("way", ["train_on_batch", "fit"])
@pytest.mark.parametrize(
    "model_name, batches",
    [("mnist_convnet", (CNN_BATCHES_FULL, CNN_BATCHES_QUICK)), ("char_lstm", (LSTM_BATCHES_FULL, LSTM_BATCHES_QUICK))],
    ids=["mnist_convnet", "char_lstm"],
)
@pytest.mark.parametrize("batch", sorted(set(CNN_BATCHES_FULL + LSTM_BATCHES_FULL)))
def test_chapter2_step(benchmark, device, model_name, batches, way, batch, quick, peaks):
    """Training steps of chapter 2's models: convolutions and recurrences, not only matmuls."""
    full, quick_sweep = batches
    if batch not in (quick_sweep if quick else full):
        pytest.skip("not in this sweep")
    if way == "fit":
        _steady(benchmark, model_name, way, device, batch, quick, peaks)
        return
    with keras.device(device):
        model, x, y, loss = _chapter2_case(model_name, batch)
        model.compile(optimizer="adam", loss=loss)
        benchmark.pedantic(lambda: model.train_on_batch(x, y), rounds=_rounds(quick), warmup_rounds=2)
        _check_placed(model, device)
    _info(benchmark, model_name, way, device, batch, 3 * _chapter2_flops(model_name) * batch, peaks)
