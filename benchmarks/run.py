"""Steady-state training-step timing, one JSON line per case, written as each case finishes.

    python -m benchmarks.run --device gpu --out build/bench/results.jsonl --budget-s 300
    python -m benchmarks.run --device cpu --out build/bench/results.jsonl --budget-s 120

What a row measures (the method, stated once; ``benchmarks.report`` prints it above the tables):

- **first step**: the first call of a freshly built case, compilation included (``first_step_s``);
- **steady state**: ``rounds`` of at least ``--round-s`` seconds each, after that first call and one
  calibration call; a round's value is seconds per training step. ``train_on_batch``, the native step and
  the tutorial's GAN loop are timed call by call (each returns host values, so device work is
  synchronised). ``fit`` is timed *inside* one ``fit`` call per round by a callback that stamps the end of
  every execution (reading the loss, which synchronises) and keeps the intervals between stamps, leaving
  out the call's first execution and every epoch's first: ``fit``'s set-up is not in the figure;
- **A/B in one process**: the ways of one model, batch and device are built together and their rounds
  interleaved (A B C, B C A, ...), so a load that comes and goes hits every way alike;
- **the machine**: each row records the load average, the CPU affinity, the thread counts and how busy
  the *other* processes kept the machine and this run's own cores while it ran (from ``/proc/stat``
  less this process's CPU time); ``loaded`` is set when others used more than 0.1 of a core on ours or
  more than half a core elsewhere;
- **memory**: the device's peak bytes in use after the case (JAX and TensorFlow allocators: a high-water
  mark over the process so far; PyTorch: reset per case) and the process's resident high-water mark.

A case whose first call does not fit in the time left is skipped and the run stops, so a run cut by
its budget or an outer ``timeout`` still leaves every finished case in the file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

LOADED_OUR_CORES, LOADED_ELSEWHERE = 0.1, 0.5

# Batches per device.  The CPU sweep repeats the GPU's smaller batches so that every model has a
# CPU/GPU pair at two or more batches (the crossover needs them).
SWEEPS = {
    "gpu": {
        "mnist_mlp": [32, 256, 2048, 8192],
        "mnist_convnet": [32, 128, 1024],
        "char_lstm": [32, 128],
        "dcgan_full_step": [16, 64, 256],
        "dcgan_generator": [64],
        "dcgan_discriminator": [64],
    },
    "cpu": {
        "mnist_mlp": [32, 256, 2048],
        "mnist_convnet": [32, 128],
        "char_lstm": [32],
        "dcgan_full_step": [16],
        "dcgan_generator": [16],
        "dcgan_discriminator": [16],
    },
}
WAYS = {
    "mnist_mlp": ["train_on_batch", "fit", "fit_steps_per_execution", "native"],
    "mnist_convnet": ["train_on_batch", "fit"],
    "char_lstm": ["train_on_batch", "fit"],
    "dcgan_full_step": ["tutorial_loop", "fit", "fit_steps_per_execution"],
    "dcgan_generator": ["train_on_batch"],
    "dcgan_discriminator": ["train_on_batch"],
}
STEPS_PER_EXECUTION = {"mnist_mlp": 8, "dcgan_full_step": 2}  # steps per execution in the fit_steps_per_execution way
LSTM_VOCAB = 64


# ----------------------------------------------------------------------------- the machine


def _cpu_jiffies() -> dict[int, int]:
    """Busy jiffies (user+nice+system+irq+softirq+steal) per CPU from /proc/stat; {} where unreadable."""
    busy = {}
    try:
        for line in Path("/proc/stat").read_text().splitlines():
            name, *fields = line.split()
            if name.startswith("cpu") and name != "cpu":
                f = [int(v) for v in fields]
                busy[int(name[3:])] = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] if len(f) > 7 else 0)
    except OSError:
        pass
    return busy


class LoadMeter:
    """How busy other processes kept the machine, and this process's own cores, between start and stop."""

    def __init__(self):
        self.hz = os.sysconf("SC_CLK_TCK")
        self.ours = sorted(os.sched_getaffinity(0))
        self.t0, self.busy0, self.own0 = time.perf_counter(), _cpu_jiffies(), _own_cpu_s()

    def read(self) -> dict:
        wall = max(time.perf_counter() - self.t0, 1e-9)
        busy1, own = _cpu_jiffies(), _own_cpu_s() - self.own0
        if not busy1 or not self.busy0:
            return {"others_on_our_cores": None, "others_elsewhere": None, "loaded": None}
        delta = {c: (busy1[c] - self.busy0.get(c, 0)) / self.hz for c in busy1}
        on_ours = sum(delta[c] for c in self.ours if c in delta)
        elsewhere = sum(v for c, v in delta.items() if c not in self.ours)
        others_ours = max(0.0, on_ours - own) / wall
        others_else = elsewhere / wall
        return {
            "others_on_our_cores": round(others_ours, 3),
            "others_elsewhere": round(others_else, 3),
            "own_cpu_cores": round(own / wall, 3),
            "loaded": bool(others_ours > LOADED_OUR_CORES or others_else > LOADED_ELSEWHERE),
        }


def _own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def thread_counts() -> dict:
    counts = {"process_threads": len(os.listdir("/proc/self/task")) if Path("/proc/self/task").exists() else None}
    for var in ("OMP_NUM_THREADS", "XLA_FLAGS", "TF_NUM_INTRAOP_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var):
            counts[var] = os.environ[var]
    if sys.modules.get("torch"):  # None where BENCH_HIDE_MODULES hid it
        counts["torch_threads"] = sys.modules["torch"].get_num_threads()
    if sys.modules.get("tensorflow"):
        tf = sys.modules["tensorflow"]
        counts["tf_intra_op"] = tf.config.threading.get_intra_op_parallelism_threads()
        counts["tf_inter_op"] = tf.config.threading.get_inter_op_parallelism_threads()
    return counts


def machine_state() -> dict:
    return {
        "loadavg": [round(v, 2) for v in os.getloadavg()],
        "affinity": sorted(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "threads": thread_counts(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def gpu_name() -> str | None:
    try:
        import subprocess

        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=20
        )
        return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def machine_label() -> str:
    gpu = gpu_name()
    return f"{os.cpu_count()}-core {_cpu_model()}" + (f" + {gpu}" if gpu else "")


# ----------------------------------------------------------------------------- statistics


def summarise(per_step_s: list[float]) -> dict:
    """min, quartiles and median of the rounds' seconds per step, in ms."""
    ms = sorted(v * 1000 for v in per_step_s)
    if len(ms) >= 2:
        q1, med, q3 = statistics.quantiles(ms, n=4, method="inclusive")
    else:
        q1 = med = q3 = ms[0]
    return {"min_ms": ms[0], "q1_ms": q1, "median_ms": med, "q3_ms": q3, "iqr_ms": q3 - q1, "rounds": len(ms)}


# ----------------------------------------------------------------------------- memory


def memory(device: str) -> dict:
    out = {"rss_peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    if device != "gpu":
        return out
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            stats = jax.devices("gpu")[0].memory_stats() or {}
            out["device_peak_bytes"] = stats.get("peak_bytes_in_use")
            out["device_in_use_bytes"] = stats.get("bytes_in_use")
        elif backend == "torch":
            import torch

            out["device_peak_bytes"] = torch.cuda.max_memory_allocated()
            out["device_in_use_bytes"] = torch.cuda.memory_allocated()
        elif backend == "tensorflow":
            import tensorflow as tf

            info = tf.config.experimental.get_memory_info("GPU:0")
            out["device_peak_bytes"], out["device_in_use_bytes"] = info["peak"], info["current"]
    except Exception as error:  # memory statistics are a bonus; never lose a timing for them
        out["memory_error"] = repr(error)[:200]
    return out


def reset_memory(device: str) -> None:
    if device != "gpu":
        return
    import keras

    try:
        if keras.backend.backend() == "torch":
            import torch

            torch.cuda.reset_peak_memory_stats()
        elif keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.experimental.reset_memory_stats("GPU:0")
    except Exception:
        pass


# ----------------------------------------------------------------------------- matmul peaks


def _best_rate(fn, size, repeats, sync) -> float:
    sync(fn())
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sync(fn())
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def matmul_peaks(device: str, sizes, repeats=5) -> list[dict]:
    """Best matmul rate per library and precision on ``device``, each library used directly (no Keras).

    Precision names: ``fp32`` (float32 inputs, float32 multiplies), ``tf32`` (float32 inputs, the GPU's
    TensorFloat-32 multiplies, JAX's and TensorFlow's default on NVIDIA GPUs), ``bf16`` (bfloat16 inputs)."""
    rows = []

    def add(library, precision, fn_for_size, sync):
        try:
            rate = max(_best_rate(fn_for_size(s), s, repeats, sync) for s in sizes)
            rows.append({"kind": "peak", "device": device, "library": library, "precision": precision, "flops": rate})
        except Exception as error:
            rows.append({"kind": "peak", "device": device, "library": library, "precision": precision,
                         "error": repr(error)[:200]})  # fmt: skip

    if device == "cpu":
        import numpy as np

        def numpy_case(s):
            a = np.random.default_rng(0).standard_normal((s, s), dtype=np.float32)
            return lambda: a @ a

        add("numpy", "fp32", numpy_case, lambda r: None)
    try:
        import jax
        import jax.numpy as jnp

        target = jax.devices(device)[0]

        def jax_case(dtype, precision):
            def make(s):
                a = jax.device_put(jnp.ones((s, s), dtype) * 0.5, target)
                f = jax.jit(lambda x: jnp.matmul(x, x, precision=precision))
                return lambda: f(a)

            return make

        sync = lambda r: r.block_until_ready()  # noqa: E731
        add("jax", "fp32", jax_case(jnp.float32, "highest"), sync)
        if device == "gpu":
            add("jax", "tf32", jax_case(jnp.float32, "default"), sync)
            add("jax", "bf16", jax_case(jnp.bfloat16, "default"), sync)
    except (ImportError, RuntimeError):
        pass
    if sys.modules.get("torch") or os.environ.get("KERAS_BACKEND") == "torch" or device == "gpu":
        try:
            import torch

            dev = "cuda" if device == "gpu" else "cpu"
            if dev == "cuda" and not torch.cuda.is_available():
                raise RuntimeError("torch sees no CUDA device")
            sync = (lambda r: torch.cuda.synchronize()) if dev == "cuda" else (lambda r: None)

            def torch_case(dtype, tf32):
                def make(s):
                    torch.backends.cuda.matmul.allow_tf32 = tf32
                    a = torch.full((s, s), 0.5, dtype=dtype, device=dev)
                    return lambda: a @ a

                return make

            add("torch", "fp32", torch_case(torch.float32, False), sync)
            if dev == "cuda":
                add("torch", "tf32", torch_case(torch.float32, True), sync)
                add("torch", "bf16", torch_case(torch.bfloat16, False), sync)
                torch.backends.cuda.matmul.allow_tf32 = False
        except (ImportError, RuntimeError):
            pass
    if sys.modules.get("tensorflow"):
        tf = sys.modules["tensorflow"]
        with tf.device(f"{device}:0"):
            a_cache = {}

            def tf_case(s):
                a_cache[s] = tf.fill((s, s), 0.5)
                return lambda: tf.matmul(a_cache[s], a_cache[s])

            add("tensorflow", "tf32" if device == "gpu" else "fp32", tf_case, lambda r: r[0, 0].numpy())
    return rows


# ----------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One way of training one model: ``first()`` once, then ``per_step(n)`` for each round."""

    model: str
    way: str
    batch: int
    flops_per_step: int
    steps_per_execution: int = 1
    per_step: object = None  # callable n -> seconds per step
    first: object = None  # callable -> seconds
    note: str = ""
    rounds: list = field(default_factory=list)
    first_step_s: float | None = None
    steps_per_round: int = 1
    estimate: float = 0.0


def _timed_calls(call):
    def per_step(n):
        start = time.perf_counter()
        for _ in range(n):
            call()
        return (time.perf_counter() - start) / n

    def first():
        start = time.perf_counter()
        call()
        middle = time.perf_counter()
        call()
        return middle - start, time.perf_counter() - middle

    return per_step, first


def _sync_logs(logs):
    import numpy as np

    for value in (logs or {}).values():
        np.asarray(value)  # a host read: the step has finished
        return


def _fit_timer(model, x, y, batch, spe):
    """Seconds per step inside one fit() call: stamps at each execution's end, intervals between them;
    each call's first execution (its interval would include fit()'s set-up) and each epoch's first are left
    out; the callback stops the call once it has its executions."""
    import keras

    class Stamps(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.begin, self.first_end, self.diffs, self.count = time.perf_counter(), None, [], 0

        def on_epoch_begin(self, epoch, logs=None):
            self.last = None

        def on_train_batch_end(self, step, logs=None):
            _sync_logs(logs)
            now = time.perf_counter()
            self.count += 1
            if self.first_end is None:
                self.first_end = now
            if self.last is not None:
                self.diffs.append(now - self.last)
            self.last = now
            if self.count >= self.limit:
                self.model.stop_training = True

    stamps = Stamps()
    per_epoch = len(x) // batch // spe  # executions

    def run(executions):
        stamps.limit = executions
        epochs = math.ceil(executions / per_epoch) + 1
        kwargs = {"batch_size": batch, "epochs": epochs, "shuffle": False, "verbose": 0, "callbacks": [stamps]}
        model.fit(x, y, **kwargs) if y is not None else model.fit(x, **kwargs)

    def per_step(n):
        timed = math.ceil(n / spe)
        run(1 + timed + timed // (per_epoch - 1))
        return sum(stamps.diffs) / (len(stamps.diffs) * spe)

    def first():
        run(3)  # compile and first execution, then two steady intervals for the estimate
        return stamps.first_end - stamps.begin, stamps.diffs[-1] / spe

    return per_step, first


def _fit_data_batches(bytes_per_sample: int, batch: int, spe: int) -> int:
    """Batches held in memory for fit: at least 2 executions, at most ~64 MB, a multiple of spe."""
    most = max(2 * spe, (64 << 20) // max(bytes_per_sample * batch, 1))
    return max(2 * spe, min(32, most) // spe * spe)


def build_case(model_name: str, way: str, batch: int, device: str, backend: str) -> Case:
    import keras
    import numpy as np

    from benchmarks.flops import forward_flops, gan_step_flops
    from benchmarks.native import mlp_data, native_step
    from reference import backends

    place = backends.resolve_device(device)
    spe = STEPS_PER_EXECUTION.get(model_name, 8) if way.endswith("steps_per_execution") else 1
    if spe > 1 and backend == "torch":
        raise NotImplementedError("the torch backend runs one step per execution only")
    rng = np.random.default_rng(0)
    with keras.device(place):
        if model_name == "mnist_mlp":
            flops = (4 * 784 * 512 + 6 * 512 * 10) * batch
            if way == "native":
                return Case(model_name, way, batch, flops, 1, *_timed_calls(native_step(backend, batch, device)))
            from reference import mnist_mlp

            model = mnist_mlp.build_mlp()
            model.compile(optimizer="adam", loss="categorical_crossentropy", steps_per_execution=spe)
            if way == "train_on_batch":
                x, y = mlp_data(batch)
                return Case(model_name, way, batch, flops, 1, *_timed_calls(lambda: model.train_on_batch(x, y)))
            x, y = mlp_data(batch * _fit_data_batches(784 * 4, batch, spe))
            return Case(model_name, way, batch, flops, spe, *_fit_timer(model, x, y, batch, spe))
        if model_name in ("mnist_convnet", "char_lstm"):
            if model_name == "mnist_convnet":
                from reference.vision import cnn

                model, shape, dtype = cnn.build_convnet(), (28, 28, 1), "float32"
                flops = 3 * forward_flops(cnn.build_convnet()) * batch
            else:
                from reference.sequence import text_generation as tg

                model, shape, dtype = tg.build_char_lstm(LSTM_VOCAB), (tg.WINDOW,), "int32"
                fixed = keras.Sequential(
                    [
                        keras.Input((tg.WINDOW, LSTM_VOCAB)),
                        keras.layers.LSTM(128, return_sequences=True),
                        keras.layers.Dense(LSTM_VOCAB),
                    ]
                )
                flops = 3 * forward_flops(fixed) * batch
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", steps_per_execution=spe)
            count = batch * (1 if way == "train_on_batch" else _fit_data_batches(4 * math.prod(shape), batch, spe))
            if model_name == "mnist_convnet":
                x, y = rng.random((count, *shape), dtype=np.float32), rng.integers(0, 10, count)
            else:
                x = rng.integers(0, LSTM_VOCAB, (count, *shape)).astype(dtype)
                y = rng.integers(0, LSTM_VOCAB, (count, *shape))
            if way == "train_on_batch":
                return Case(model_name, way, batch, flops, 1, *_timed_calls(lambda: model.train_on_batch(x, y)))
            return Case(model_name, way, batch, flops, spe, *_fit_timer(model, x, y, batch, spe))
        from reference.gans import dcgan

        generator, discriminator = dcgan.build_generator(), dcgan.build_discriminator()
        d_flops, g_flops = forward_flops(discriminator), forward_flops(generator)
        if model_name in ("dcgan_discriminator", "dcgan_generator"):
            trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
            ones = np.ones((batch, 1), "float32")
            if model_name == "dcgan_discriminator":
                images = rng.uniform(-1, 1, (batch, 32, 32, 3)).astype("float32")
                call = lambda: trainer.discriminator.train_on_batch(images, ones)  # noqa: E731
                flops = 3 * d_flops * batch
            else:
                noise = dcgan.generate_noise(batch, rng=rng)
                trainer.discriminator.trainable = False
                call = lambda: trainer.combined.train_on_batch(noise, ones)  # noqa: E731
                flops = (3 * g_flops + 2 * d_flops) * batch
            note = "generator: Conv2DTranspose layers (their gradient is slow on JAX's CPU backend)"
            return Case(model_name, way, batch, flops, 1, *_timed_calls(call), note=note if "gen" in model_name else "")
        flops = gan_step_flops(generator, discriminator) * batch
        real = rng.uniform(-1, 1, (batch * _fit_data_batches(32 * 32 * 3 * 4, batch, spe), 32, 32, 3))
        real = real.astype("float32")
        if way == "tutorial_loop":
            trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
            batch_of_real = real[:batch]
            return Case(model_name, way, batch, flops, 1, *_timed_calls(lambda: trainer.train_step(batch_of_real, rng)))
        gan = dcgan.DCGAN(generator, discriminator)
        gan.compile(steps_per_execution=spe)
        return Case(model_name, way, batch, flops, spe, *_fit_timer(gan, real, None, batch, spe))


# ----------------------------------------------------------------------------- the rows


def hide_modules() -> None:
    """Hide the packages named in BENCH_HIDE_MODULES (comma-separated): importing one raises ImportError, so a
    rehearsal here behaves as a host that lacks it."""
    for hidden in filter(None, os.environ.get("BENCH_HIDE_MODULES", "").split(",")):
        sys.modules[hidden] = None


def row_writer(out: Path, device: str, machine: str | None = None):
    """A function that appends one row to the JSON-lines file ``out`` and flushes it at once, each row stamped
    with this run's id and the machine (``machine`` or cores, CPU model and GPU)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    label = machine or machine_label()
    run_id = f"{device}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"

    def emit(row: dict) -> None:
        row.update(run=run_id, machine=label)
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
            f.flush()

    return emit


def keras_backend(device: str, emit) -> tuple[str | None, bool]:
    """(the active Keras backend or None where Keras is missing, whether to go on). A device the backend cannot
    see is recorded as a ``skipped`` row (go on: False); a missing Keras as a ``note`` row (backend None)."""
    try:
        import keras

        from reference import backends

        backend = keras.backend.backend()
        try:
            backends.resolve_device(device)
        except backends.DeviceNotAvailable as missing:
            emit({"kind": "skipped", "device": device, "reason": str(missing)})
            print(f"skipped: {missing}")
            return backend, False
    except ImportError as missing:
        emit({"kind": "note", "device": device, "reason": f"Keras cases not run: {missing}"})
        return None, True
    return backend, True


# ----------------------------------------------------------------------------- the run


def run_group(cases: list[Case], round_s: float, rounds: int, share_end: float, deadline: float) -> None:
    """First call and a calibration call of every case, then ``rounds`` interleaved rounds.

    A round lasts ``round_s`` or less: where the group's share of the budget (until ``share_end``) cannot hold
    ``rounds`` rounds that long, rounds get shorter (down to one step), not fewer; only the run's ``deadline``
    cuts rounds (a row then says how many it has)."""
    for index, case in enumerate(cases):
        if index and time.monotonic() > deadline:
            del cases[index:]  # no time to start another: the ones started still get their rounds
            break
        case.first_step_s, case.estimate = case.first()
    left = max(share_end - time.monotonic(), 0.0)
    length = min(round_s, left / (rounds * len(cases)))
    for case in cases:
        case.steps_per_round = max(1, math.ceil(length / max(case.estimate, 1e-6)))
        spe = case.steps_per_execution
        case.steps_per_round = math.ceil(case.steps_per_round / spe) * spe
    for r in range(rounds):
        if r > 0 and time.monotonic() > deadline:
            break
        for case in cases[r % len(cases) :] + cases[: r % len(cases)]:
            case.rounds.append(case.per_step(case.steps_per_round))


def plan(device: str, models: list[str] | None) -> list[tuple[str, int, list[str]]]:
    """(model, batch, ways) groups in the order they run: each model's smallest batches first (the GANs, slow to
    compile, one rank later), so that a run cut short still has a pair of batches per model."""
    groups = []
    for index, (model, batches) in enumerate(SWEEPS[device].items()):
        if models and model not in models:
            continue
        late = 1 if model.startswith("dcgan") else 0  # slow to compile: after the others' second batch
        for rank, batch in enumerate(batches):
            groups.append(((rank + late, index), model, batch, WAYS[model]))
    return [(m, b, w) for _, m, b, w in sorted(groups, key=lambda g: g[0])]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=["cpu", "gpu"], required=True)
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file, appended to")
    parser.add_argument("--budget-s", type=float, default=300, help="stop starting cases after this many seconds")
    parser.add_argument("--round-s", type=float, default=1.0, help="minimum length of one timed round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--models", nargs="*", help="only these models")
    parser.add_argument("--peak-sizes", type=int, nargs="*", help="matmul sizes (default 8192 on GPU, 2048 on CPU)")
    parser.add_argument("--machine", help="a label for this machine (default: cores, CPU model, GPU)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    deadline = start + args.budget_s
    hide_modules()
    emit = row_writer(args.out, args.device, args.machine)
    backend, ready = keras_backend(args.device, emit)
    if not ready:
        return 0
    keras = sys.modules["keras"] if backend else None
    emit({"kind": "host", "device": args.device, "backend": backend, "versions": versions(),
          "argv": sys.argv[1:], **machine_state()})  # fmt: skip

    meter = LoadMeter()
    sizes = args.peak_sizes or ([4096, 8192] if args.device == "gpu" else [1024, 2048])
    for row in matmul_peaks(args.device, sizes):
        row.update(size=max(sizes), **meter.read())
        emit(row)
        print(f"peak {row['library']} {row['precision']}: {row.get('flops', 0) / 1e9:,.1f} GFLOP/s")
    if keras is None:
        if args.device == "cpu" or "jax" in sys.modules:
            _native_only(args, emit, deadline)
        return 0

    groups = plan(args.device, args.models)
    for index, (model_name, batch, ways) in enumerate(groups):
        left = deadline - time.monotonic()
        if left < 5:
            emit({"kind": "cut", "device": args.device, "reason": "budget spent",
                  "not_run": [f"{m} batch {b}" for m, b, _ in groups[index:]]})  # fmt: skip
            break
        reset_memory(args.device)
        meter = LoadMeter()
        state = machine_state()
        cases, notes = [], {}
        for way in ways:
            try:
                cases.append(build_case(model_name, way, batch, args.device, backend))
            except NotImplementedError as why:
                notes[way] = str(why)
        share = min(left, max(left / (len(groups) - index), 10))
        try:
            run_group(cases, args.round_s, args.rounds, time.monotonic() + share, deadline + 30)
        except Exception as error:  # one broken case must not lose the others
            emit({"kind": "error", "device": args.device, "model": model_name, "batch": batch, "error": repr(error)})
            continue
        load, mem = meter.read(), memory(args.device)
        for case in cases:
            if not case.rounds:
                continue
            row = {
                "kind": "case", "backend": backend, "device": args.device, "model": case.model, "way": case.way,
                "batch": case.batch, "samples": case.batch, "steps_per_execution": case.steps_per_execution,
                "flops": case.flops_per_step, "first_step_s": case.first_step_s,
                "steps_per_round": case.steps_per_round, "rounds_s_per_step": case.rounds,
                **summarise(case.rounds), "interleaved_with": [c.way for c in cases if c is not case],
                **state, **load, **mem,
            }  # fmt: skip
            if case.note:
                row["note"] = case.note
            emit(row)
            print(
                f"{args.device} {backend} {case.model} {case.way} batch {case.batch}: median {row['median_ms']:.2f} "
                f"ms/step (IQR {row['iqr_ms']:.2f}, {row['rounds']} rounds), first {case.first_step_s:.2f} s"
                + (" LOADED" if load.get("loaded") else ""),
                flush=True,
            )
        for way, why in notes.items():
            emit({"kind": "skipped", "device": args.device, "model": model_name, "way": way, "batch": batch,
                  "reason": why})  # fmt: skip
    print(f"done in {time.monotonic() - start:.0f} s")
    return 0


def _native_only(args, emit, deadline):
    """Without Keras: the native JAX MLP step alone, so a host missing Keras still yields step rows."""
    from benchmarks.native import native_step

    for batch in SWEEPS[args.device]["mnist_mlp"]:
        if time.monotonic() > deadline:
            break
        flops = (4 * 784 * 512 + 6 * 512 * 10) * batch
        case = Case("mnist_mlp", "native", batch, flops, 1, *_timed_calls(native_step("jax", batch, args.device)))
        meter, state = LoadMeter(), machine_state()
        run_group([case], args.round_s, args.rounds, deadline, deadline + 30)
        emit({"kind": "case", "backend": "jax", "device": args.device, "model": "mnist_mlp", "way": "native",
              "batch": batch, "samples": batch, "steps_per_execution": 1, "flops": flops,
              "first_step_s": case.first_step_s, "steps_per_round": case.steps_per_round,
              "rounds_s_per_step": case.rounds, **summarise(case.rounds), **state, **meter.read(),
              **memory("cpu")})  # fmt: skip


def versions() -> dict:
    import importlib.metadata as md

    found = {"python": platform.python_version()}
    for name in ("keras", "jax", "jaxlib", "tensorflow", "torch", "numpy"):
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return found


if __name__ == "__main__":
    sys.exit(main())
