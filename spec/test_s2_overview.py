"""§2, the overview: which backends Keras runs on, which version is current, GPUs, distribution.

Lesson for a newcomer: Keras 3 is multi-backend again, but the engines are TensorFlow,
JAX and PyTorch (plus NumPy and OpenVINO for inference); Theano, CNTK, MXNet and
PaddlePaddle are gone.  Pick the engine with ``KERAS_BACKEND`` before importing keras.
"""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from reference import backends
from spec.keras2_runs import keras2, key
from spec.support import last_json_line


def _import_keras_with(backend: str):
    """Start a fresh interpreter with KERAS_BACKEND set and report what importing keras does."""
    code = "import keras; print('BACKEND=' + keras.backend.backend())"
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    lines = (done.stdout if done.returncode == 0 else done.stderr).strip().splitlines()
    return done.returncode, lines[-1] if lines else ""


@claim(
    "S2-high-level-api",
    section="2",
    says="Keras is a high-level Python API: a model is built, trained and optimised with little code.",
    today="Holds: one statement each builds (Sequential), configures the optimisation (compile) and trains (fit) "
    "a network; the three calls below fit a two-layer classifier, every weight updated by the optimiser.",
    verdict=Verdict.HOLDS,
)
def test_high_level_api(evidence):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, "relu"), keras.layers.Dense(1, "sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    before = [np.array(w) for w in model.get_weights()]
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0).history
    moved = [bool(np.any(np.array(a) != b)) for a, b in zip(model.get_weights(), before)]
    evidence("loss: first / last epoch", (round(history["loss"][0], 4), round(history["loss"][-1], 4)))
    evidence("training accuracy, last epoch", round(history["accuracy"][-1], 4))
    evidence("weight arrays updated by fit()", f"{sum(moved)} of {len(moved)}")
    assert history["loss"][-1] < 0.5 * history["loss"][0] and history["accuracy"][-1] > 0.9
    assert all(moved)


def _engine_gradient(layer, x):
    """d sum(layer(x)) / d kernel, computed by the active engine's own automatic differentiation."""
    name = keras.backend.backend()
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            total = keras.ops.sum(layer(x))
        return "tf.GradientTape", tape.gradient(total, layer.kernel.value)
    if name == "jax":
        import jax

        def total(kernel):
            outputs, _ = layer.stateless_call([kernel, layer.bias.value], [], x)
            return keras.ops.sum(outputs)

        return "jax.grad", jax.grad(total)(layer.kernel.value)
    if name == "torch":
        total = keras.ops.sum(layer(x))
        total.backward()
        return "torch autograd (backward)", layer.kernel.value.grad
    pytest.skip(f"the {name} backend cannot differentiate: it is for inference only")


@claim(
    "S2-core-algorithms",
    section="2",
    says="Keras implements the core algorithms of deep learning itself, from the bottom up.",
    today="Never so: Keras 2.3 called its backend for them (K.gradients was tf.gradients or theano's grad), and "
    "Keras 3 has no differentiation of its own either: keras.ops has no grad function, and a layer's gradient is "
    "computed by the engine's autodiff (tf.GradientTape, jax.grad, torch autograd), with the engine's kernels. "
    "Keras is the layer above them (see S2-framework-and-engine).",
    verdict=Verdict.REFUTED,
)
def test_core_algorithms_are_the_engines(evidence):
    assert not any(hasattr(keras.ops, name) for name in ("grad", "gradient", "gradients", "value_and_grad"))
    x = np.arange(6, dtype="float32").reshape(3, 2)
    layer = keras.layers.Dense(4)
    layer.build((None, 2))
    by, gradient = _engine_gradient(layer, x)
    gradient = keras.ops.convert_to_numpy(gradient)
    evidence("gradient of sum(Dense(x)) w.r.t. the kernel computed by", by)
    evidence("gradient", gradient.tolist())
    # By hand: d sum(x W + b) / dW[i, j] = sum over the batch of x[:, i], whatever j.
    np.testing.assert_allclose(gradient, np.repeat(x.sum(axis=0)[:, None], 4, axis=1))
    evidence("keras.ops has grad / gradient / value_and_grad", False)


@claim(
    "S2-backends-tf-cntk-theano",
    section="2",
    says="Keras runs on the mainstream backends TensorFlow, CNTK and Theano.",
    today="True of Keras 2.3, whose backends were exactly these three. Today only TensorFlow remains: Keras 3 "
    "accepts tensorflow, jax, torch, numpy and openvino; asking for theano or cntk fails at import with "
    "ValueError 'Unable to import backend'. Keras 2 lives on only as the tf_keras package, which runs on TensorFlow "
    "alone: imported with KERAS_BACKEND=theano (the variable Keras 2.3 read to pick its backend) it still reports "
    "tensorflow.",
    verdict=Verdict.OBSOLETE,
)
def test_named_backends(evidence):
    assert keras.backend.backend() in backends.KERAS3_BACKENDS
    code, last = _import_keras_with("tensorflow")
    assert code == 0 and last == "BACKEND=tensorflow"
    evidence("tensorflow", last)
    for gone in ("theano", "cntk"):
        code, last = _import_keras_with(gone)
        assert code != 0
        assert last == f"ValueError: Unable to import backend : {gone}"
        evidence(gone, last)
    report = keras2()  # Keras 2 as it survives: is there still a switch?
    switched = report["backend() when imported with KERAS_BACKEND=theano"]
    evidence(key(report, "backend() when imported with KERAS_BACKEND=theano"), switched)
    assert switched == "tensorflow"


@claim(
    "S2-latest-version",
    section="2",
    says="Keras 2.3.1 is the newest release and the richest in features.",
    today="2.3.1 (2019) was the last multi-backend Keras 2. The current line is Keras 3, installed here; "
    "Keras 2.3 code (keras.models.Input, Adam(lr=...)) no longer runs on it unchanged. Keras 2 itself went on past "
    "2.3.1 and survives as the TensorFlow-only tf_keras package (2.21.0 measured), where that code does not run "
    "unchanged either (keras.models has no Input; Adam's lr= is ignored).",
    verdict=Verdict.OBSOLETE,
)
def test_latest_version(evidence):
    major, minor = (int(part) for part in keras.__version__.split(".")[:2])
    evidence("installed keras", keras.__version__)
    assert (major, minor) > (2, 3)
    assert major >= 3
    report = keras2()
    imports = report["functional imports"]["from keras.models import Input, Model"]
    adam = report["Adam(lr=...)"]["Adam(lr=0.0002, beta_1=0.5)"]
    evidence(key(report, "version"), report["version"])
    evidence(key(report, "from keras.models import Input, Model"), imports)
    evidence(key(report, "learning rate Adam(lr=0.0002) keeps"), adam["learning rate kept"])
    keras2_major, keras2_minor = (int(part) for part in report["version"].split(".")[:2])
    assert keras2_major == 2 and keras2_minor > 3
    assert imports["error"] == "ImportError"
    assert adam["learning rate kept"] == pytest.approx(0.001)


@claim(
    "S2-framework-and-engine",
    section="2",
    says="Keras has two parts: the framework (models, training, testing) and backend engines that do the computing.",
    today="Still the design of Keras 3: keras.ops dispatches every operation to the active engine's own tensors.",
    verdict=Verdict.HOLDS,
)
def test_framework_and_engine(evidence):
    product = keras.ops.matmul(np.ones((2, 3), "float32"), np.ones((3, 4), "float32"))
    native = type(product).__module__
    evidence("backend", keras.backend.backend())
    evidence("type of keras.ops.matmul result", f"{native}.{type(product).__name__}")
    expected_module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy"}
    assert native.startswith(expected_module[keras.backend.backend()])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(product), np.full((2, 4), 3.0))


@claim(
    "S2-backends-more",
    section="2",
    says="Besides TensorFlow, Theano and CNTK, Keras also supports mxnet, keras.js, torch and PaddlePaddle.",
    today="None of the four was a backend of the Keras the document names (2.3: TensorFlow, Theano, CNTK only; "
    "mxnet ran only in a separate fork). Today torch is one (Keras 3, installed separately): Keras accepts the name "
    "and imports the engine; mxnet, PaddlePaddle and keras.js are rejected like any unknown name (keras.js was a "
    "browser runtime for Keras 1/2 models, never a backend).",
    verdict=Verdict.REFUTED,
    qualifier="torch became a backend only in Keras 3",
)
def test_other_backends(evidence):
    # torch is a known backend: Keras tries to import the engine itself.
    code, last = _import_keras_with("torch")
    if "torch" in backends.installed_backends():
        assert code == 0 and last == "BACKEND=torch"
    else:
        assert code != 0 and last == "ModuleNotFoundError: No module named 'torch'"
    evidence("torch", last)
    for gone in ("mxnet", "keras.js", "paddlepaddle"):
        code, last = _import_keras_with(gone)
        assert code != 0 and last == f"ValueError: Unable to import backend : {gone}"
        evidence(gone, last)


@claim(
    "S2-gpu",
    section="2",
    says="Keras supports heterogeneous devices such as GPU acceleration.",
    today="keras.device('gpu:0') places computation on a GPU on every backend that sees one. Confirmed only where a "
    "GPU is visible; on a CPU-only machine this entry is 'not measured here', and asking "
    "reference.backends.resolve_device('gpu') for one is an error (DeviceNotAvailable), never a silent CPU fallback.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.gpu
def test_gpu_placement(evidence):
    if backends.gpu_count() == 0:
        with pytest.raises(
            backends.DeviceNotAvailable, match="GPU was requested but the .* backend sees none"
        ) as missing:
            backends.resolve_device("gpu")
        evidence("resolve_device('gpu') here", f"DeviceNotAvailable: {missing.value}")
        pytest.skip(f"not measured here: no GPU visible to the {keras.backend.backend()} backend")
    with keras.device(backends.resolve_device("gpu")):
        tensor = keras.ops.ones((4, 4)) * 2
    where = backends.device_of(tensor)
    evidence("tensor placed on", where)
    assert "gpu" in where


@claim(
    "S2-distributed",
    section="2",
    says="Keras supports distributed computing.",
    today="keras.distribution.DataParallel (JAX backend) splits each batch across devices and gives the "
    "same trained weights as one device; shown here on 2 virtual CPU devices.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.skipif("jax" not in backends.installed_backends(), reason="JAX is not installed")
def test_data_parallel_equals_single_device(evidence):
    flags = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    done = backends.run_with_backend("jax", "reference.distributed", "--devices", "1", "2", "--weights", env=flags)
    last_json_line(done, "reference.distributed")  # a crash is a broken claim, not a drifted one
    one, two = (json.loads(line) for line in done.stdout.strip().splitlines()[-2:])
    assert (one["devices"], two["devices"]) == (1, 2)
    assert [len(w) for w in two["weights"]] == [16 * 32, 32, 32, 1]  # the 16-32-1 network of reference.distributed
    assert re.search(r"Mesh\('batch': 2", two["kernel_sharding"]), two["kernel_sharding"]
    difference = max(float(np.max(np.abs(np.array(a) - np.array(b)))) for a, b in zip(one["weights"], two["weights"]))
    evidence("2-device kernel sharding", two["kernel_sharding"])
    evidence("final loss, 1 device vs 2", f"{one['loss'][-1]:.6f} vs {two['loss'][-1]:.6f}")
    evidence("largest weight difference", difference)
    assert two["loss"][-1] < two["loss"][0]
    assert difference < 1e-5


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S2-high-level-api": {
        "says": "Keras 是一个高级 Python API：用很少的代码就能完成模型的搭建、训练和优化。",
        "today": "成立：搭建（Sequential）、配置优化（compile）、训练（fit）各只需一条语句；下面三个调用就训练好了一个两层分类器，"
        "每个权重都由优化器更新过。",
    },
    "S2-core-algorithms": {
        "says": "Keras 自己从最底层写出了深度学习的核心算法。",
        "today": "从来不是这样：Keras 2.3 调用后端来完成这些算法（K.gradients 就是 tf.gradients 或 theano 的 grad），"
        "Keras 3 同样没有自己的求导：keras.ops 中没有 grad 函数，层的梯度由引擎的自动微分（tf.GradientTape、jax.grad、"
        "torch autograd）和引擎的算子计算。Keras 是它们之上的一层（见 S2-framework-and-engine）。",
    },
    "S2-backends-tf-cntk-theano": {
        "says": "Keras 运行在 TensorFlow、CNTK 和 Theano 这三个主流后端之上。",
        "today": "对 Keras 2.3 成立，它的后端正好是这三个。如今只剩 TensorFlow：Keras 3 接受 tensorflow、jax、torch、"
        "numpy 和 openvino；指定 theano 或 cntk 会在导入时失败，报 ValueError 'Unable to import backend'。Keras 2 只以 "
        "tf_keras 包的形式延续下来，它只能运行在 TensorFlow 上：即使在 KERAS_BACKEND=theano（Keras 2.3 据此选择后端的变量）"
        "下导入，它报告的后端仍是 tensorflow。",
    },
    "S2-backends-more": {
        "qualifier": "torch 直到 Keras 3 才成为后端",
        "says": "除了 TensorFlow、Theano 和 CNTK，Keras 还支持 mxnet、keras.js、torch 和 PaddlePaddle。",
        "today": "这四个都不是文中所说的 Keras（2.3，后端只有 TensorFlow、Theano、CNTK）的后端；mxnet 只在一个独立的分支里可用。"
        "如今 torch 是后端之一（Keras 3，需另行安装）：Keras 接受这个名字并导入该引擎；mxnet、PaddlePaddle 和 keras.js "
        "会像任何未知名称一样被拒绝（keras.js 是在浏览器中运行 Keras 1/2 模型的运行时，从来不是后端）。",
    },
    "S2-latest-version": {
        "says": "Keras 2.3.1 是最新版本，功能也最丰富。",
        "today": "2.3.1（2019 年）是最后一个多后端的 Keras 2。当前版本线是 Keras 3，本环境安装的就是它；Keras 2.3 的代码"
        "（keras.models.Input、Adam(lr=...)）不经修改已无法在上面运行。Keras 2 本身在 2.3.1 之后仍有新版本，如今以只支持 "
        "TensorFlow 的 tf_keras 包延续（实测 2.21.0），那里这些代码不经修改同样不行（keras.models 中没有 Input；Adam 的 lr= "
        "被忽略）。",
    },
    "S2-framework-and-engine": {
        "says": "Keras 由两部分组成：框架（模型、训练、测试）和负责实际计算的后端引擎。",
        "today": "Keras 3 依然是这种设计：keras.ops 把每个运算分派给当前引擎，在该引擎自己的张量上执行。",
    },
    "S2-gpu": {
        "says": "Keras 支持异构设备，例如 GPU 加速。",
        "today": "在任何能看到 GPU 的后端上，keras.device('gpu:0') 都会把计算放到 GPU 上。只有在可见 GPU 时才能证实；"
        "在只有 CPU 的机器上，此条目为“本机未测量”，而此时调用 reference.backends.resolve_device('gpu') 会报错"
        "（DeviceNotAvailable），绝不会悄悄退回到 CPU。",
    },
    "S2-distributed": {
        "says": "Keras 支持分布式计算。",
        "today": "keras.distribution.DataParallel（JAX 后端）把每个批次拆分到多个设备上，训练出的权重与单设备相同；"
        "这里在 2 个虚拟 CPU 设备上演示。",
    },
}
