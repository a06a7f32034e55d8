"""Table of contents 6: frequently asked questions.

Lesson for a newcomer: code from 2019-era tutorials often stops at the first line on Keras 3
(``fit_generator``, ``predict_classes``, ``lr=``, ``keras.layers.merge``, ...); each has a short
modern spelling, kept with the exact error in ``reference.basics.keras2_idioms.IDIOMS``.  Beware of
``decay=``: it no longer fails, it is ignored.  The usual FAQ answers still hold and are checked here:
``keras.utils.set_random_seed`` makes a run repeatable, ``layer.trainable = False`` before ``compile()``
freezes a layer, a sub-model ``keras.Model(model.inputs, layer.output)`` reads any layer's output, and
a GPU is used only where the backend sees one.
"""

import re

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from reference import backends
from reference.basics import keras2_idioms as k2
from reference.basics.persistence import mnist_batch
from spec.keras2_runs import keras2, key

FAILING = [row.name for row in k2.IDIOMS if row.outcome in ("error", "ignored")]
DEPRECATED = [row.name for row in k2.IDIOMS if row.outcome == "deprecated"]


# What each idiom's old code does on Keras 2 as it survives, tf_keras 2.21 (reference.basics.keras2.idioms): an error
# (its class and the start of its message), or "ran" with what it said and did.  Keras 2.3 ran every one of them.
KERAS2_OUTCOMES = {
    "fit_generator": {"ran": True, "warns": "`Model.fit_generator` is deprecated", "optimizer steps": 4},
    "predict_classes": {"error": "AttributeError", "message": "'Sequential' object has no attribute 'predict_classes'"},
    "optimizer lr=": {"ran": True, "logs": "`lr` is deprecated in TF-Keras optimizer", "learning rate kept": 0.001},
    "optimizer decay=": {"error": "ValueError", "message": "decay is deprecated in the new TF-Keras optimizer"},
    "keras.layers.merge": {"error": "ModuleNotFoundError", "message": "No module named 'tf_keras.layers.merge'"},
    "keras.utils.np_utils": {"error": "ModuleNotFoundError", "message": "No module named 'tf_keras.utils.np_utils'"},
    "keras.layers.advanced_activations": {
        "error": "ModuleNotFoundError",
        "message": "No module named 'tf_keras.layers.advanced_activations'",
    },
    "ImageDataGenerator": {"ran": True, "flow() batch shape": [4, 8, 8, 1]},
    "lower-case optimizer keras.optimizers.adam": {
        "error": "AttributeError",
        "message": "module 'tf_keras.optimizers' has no attribute 'adam'",
    },
    "model.save to a SavedModel folder": {
        "ran": True,
        "files in the folder": ["assets", "fingerprint.pb", "keras_metadata.pb", "saved_model.pb", "variables"],
    },
    "K.function to read a layer's output": {"ran": True, "output shape": [16, 3]},
    "input_shape= on the first layer": {"ran": True, "warnings": [], "result": [None, 3]},
}


def _check_keras2(name, outcome):
    """The measured Keras 2 outcome of one idiom is the one KERAS2_OUTCOMES pins."""
    expected = KERAS2_OUTCOMES[name]
    if "error" in expected:
        assert outcome["error"] == expected["error"], outcome
        assert outcome["message"].startswith(expected["message"]), outcome
        return
    assert outcome.get("ran") is True, outcome
    for field, value in expected.items():
        if field == "warns":
            assert any(text.startswith(value) for text in outcome["warnings"]), outcome
        elif field == "logs":
            assert any(text.startswith(value) for text in outcome["logged"]), outcome
        elif isinstance(value, float):
            assert outcome[field] == pytest.approx(value), outcome
        else:
            assert outcome[field] == value, outcome


def _case_id(name):
    """A test id without spaces: 'optimizer lr=' -> 'optimizer-lr'."""
    return re.sub(r"[^A-Za-z0-9_.]+", "-", name).strip("-")


def _run_old_and_new(row, folder, evidence):
    """The old code fails (or warns) exactly as the table says; the replacement runs and gives ``expected``."""
    old = k2.learner_namespace(folder)
    if row.outcome == "error":
        with pytest.raises(row.raises, match=re.escape(row.message)) as failure:
            k2.run_snippet(row.keras2, old)
        evidence("Keras 2 code", " / ".join(line.strip() for line in row.keras2.strip().splitlines()))
        evidence("fails with", f"{type(failure.value).__name__}: {str(failure.value)[:300]}")
        assert type(failure.value) is row.raises  # the exact class, not a subclass
    else:
        with pytest.warns(row.raises, match=re.escape(row.message)) as warned:
            k2.run_snippet(row.keras2, old)
        evidence("Keras 2 code", " / ".join(line.strip() for line in row.keras2.strip().splitlines()))
        text = next(str(w.message) for w in warned if str(w.message).startswith(row.message))
        evidence("warns", f"{row.raises.__name__}: {text}")
        evidence("the old code's result", old["result"])
        assert old["result"] == row.old_result
    kind, text = k2.check_old(row, folder)
    assert kind == row.raises.__name__ and text.startswith(row.message)
    result = k2.check_new(row, folder)
    evidence("Keras 3 code", " / ".join(line.strip() for line in row.keras3.strip().splitlines()))
    evidence("replacement result (expected)", f"{result!r} ({row.expected!r})")
    assert result == row.expected
    assert set(KERAS2_OUTCOMES) == {idiom.name for idiom in k2.IDIOMS}
    report = keras2()  # the same old code on Keras 2 (tf_keras)
    outcome = report["idioms"][row.name]
    evidence(key(report, "the same Keras 2 code"), outcome)
    _check_keras2(row.name, outcome)


@claim(
    "TOC6-keras2-idioms",
    section="TOC 6",
    says="Keras 2 code a reader of the tutorial's era will type: fit_generator, predict_classes, optimizers with lr= "
    "and decay=, keras.layers.merge, keras.utils.np_utils, keras.layers.advanced_activations, "
    "keras.preprocessing.image.ImageDataGenerator, lower-case keras.optimizers.adam, model.save to a SavedModel "
    "folder, K.function.",
    today="Each fails on Keras 3 with the error in the evidence (AttributeError, ValueError, ModuleNotFoundError or "
    "ImportError), except decay=, which only warns and is then ignored (the learning rate stays 0.1 instead of "
    "decaying to 0.0926 after 8 steps). The replacement in reference.basics.keras2_idioms.IDIOMS runs and gives the "
    "stated result: fit() on the generator, argmax of predict(), learning_rate=, InverseTimeDecay, "
    "keras.layers.concatenate, keras.utils.to_categorical, keras.layers.LeakyReLU, augmentation layers, "
    "keras.optimizers.Adam, a .keras file, a sub-model. Keras 2.3 ran all of them; on Keras 2 as it survives "
    "(tf_keras 2.21) fit_generator (with a deprecation warning), ImageDataGenerator, model.save to a folder (a "
    "SavedModel) and K.function still run, lr= runs but is ignored (the rate stays 0.001, with only a log line), and "
    "predict_classes, decay= (ValueError), keras.layers.merge, keras.utils.np_utils, "
    "keras.layers.advanced_activations and keras.optimizers.adam already fail.",
    verdict=Verdict.CORRECTED,
)
@pytest.mark.parametrize("name", FAILING, ids=_case_id)
def test_keras2_idioms_fail_and_have_replacements(name, tmp_path, evidence):
    _run_old_and_new(k2.idiom(name), tmp_path, evidence)
    with pytest.raises(ValueError, match="no Keras 2 idiom named 'fit_generator2'; known: fit_generator, "):
        k2.idiom("fit_generator2")


@claim(
    "TOC6-keras2-idioms-deprecated",
    section="TOC 6",
    says="Keras 2 code that declares the input with input_shape= on the first layer of a Sequential model.",
    today="Still runs, with UserWarning 'Do not pass an `input_shape`/`input_dim` argument to a layer...'; the "
    "replacement keras.Input((4,)) as the first element builds the same model without a warning. On Keras 2 "
    "(tf_keras 2.21) the old spelling builds the same model without any warning.",
    verdict=Verdict.DEPRECATED,
)
@pytest.mark.parametrize("name", DEPRECATED, ids=_case_id)
def test_keras2_idioms_that_only_warn(name, tmp_path, evidence):
    _run_old_and_new(k2.idiom(name), tmp_path, evidence)


def _train_once(seed, x, y):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=64, shuffle=True, verbose=0)  # random init, dropout masks and shuffling
    return model.get_weights()


@claim(
    "TOC6-reproducible-runs",
    section="TOC 6",
    says="To make a training run repeatable, seed every random number generator before building the model.",
    today="Holds on this CPU: keras.utils.set_random_seed(seed) seeds Python, NumPy and the backend at once; two runs "
    "with dropout and shuffling then end with bit-identical weights, without tf.config.experimental."
    "enable_op_determinism (on a GPU some TensorFlow kernels are nondeterministic and need it: not measured here). "
    "Another seed gives other weights.",
    verdict=Verdict.HOLDS,
    qualifier="measured on CPU",
)
def test_reproducible_runs(evidence):
    x, y = mnist_batch(512)
    first, second, other = _train_once(7, x, y), _train_once(7, x, y), _train_once(8, x, y)
    same = max(float(np.abs(a - b).max()) for a, b in zip(first, second))
    different = max(float(np.abs(a - b).max()) for a, b in zip(first, other))
    evidence("largest weight difference, seed 7 twice", same)
    evidence("largest weight difference, seed 7 vs seed 8", different)
    evidence("devices", f"{keras.backend.backend()}, GPUs visible: {backends.gpu_count()}")
    assert same == 0.0
    assert different > 1e-2


@claim(
    "TOC6-freeze-layers",
    section="TOC 6",
    says="To freeze a layer (e.g. a pretrained part), set layer.trainable = False before compile(); fit() then leaves "
    "its weights unchanged.",
    today="Holds exactly: a frozen Dense layer and a frozen BatchNormalization stay bit-identical through fit(), "
    "including BatchNormalization's moving mean and variance (a frozen BatchNormalization runs in inference mode), "
    "while the trainable layer moves; the frozen weights leave model.trainable_weights.",
    verdict=Verdict.HOLDS,
)
def test_freeze_layers(evidence):
    x, y = mnist_batch(512)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(32, activation="relu", name="base"),
            keras.layers.BatchNormalization(name="norm"),
            keras.layers.Dense(10, activation="softmax", name="head"),
        ]
    )
    for name in ("base", "norm"):
        model.get_layer(name).trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    before = {name: [np.array(w) for w in model.get_layer(name).get_weights()] for name in ("base", "norm", "head")}
    model.fit(x, y, epochs=2, batch_size=64, verbose=0)
    after = {name: model.get_layer(name).get_weights() for name in before}
    change = {name: max(float(np.abs(a - b).max()) for a, b in zip(before[name], after[name])) for name in before}
    evidence("largest weight change per layer (norm includes moving statistics)", change)
    evidence(
        "trainable / non-trainable weight tensors", (len(model.trainable_weights), len(model.non_trainable_weights))
    )
    assert change["base"] == 0.0 and change["norm"] == 0.0
    assert change["head"] > 1e-3
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (2, 6)


@claim(
    "TOC6-intermediate-output",
    section="TOC 6",
    says="To read the output of an intermediate layer, build a model from the same inputs to that layer's output.",
    today="Holds: keras.Model(model.inputs, model.get_layer('hidden').output) shares the trained weights and returns "
    "exactly relu(x @ W + b) computed by hand from them (to float32 rounding).",
    verdict=Verdict.HOLDS,
)
def test_intermediate_output(evidence):
    x, y = mnist_batch(256)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((784,)),
            keras.layers.Dense(16, activation="relu", name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="out"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=64, verbose=0)
    reader = keras.Model(model.inputs, model.get_layer("hidden").output)
    kernel, bias = (w.astype("float64") for w in model.get_layer("hidden").get_weights())
    by_hand = np.maximum(x.astype("float64") @ kernel + bias, 0.0)
    read = reader.predict(x, verbose=0)
    evidence("sub-model output shape", read.shape)
    evidence("largest difference from relu(x @ W + b) by hand", float(np.abs(read - by_hand).max()))
    assert read.shape == (256, 16)
    np.testing.assert_allclose(read, by_hand, atol=1e-5)
    assert reader.get_layer("hidden") is model.get_layer("hidden")  # the same layer object, not a copy


@claim(
    "TOC6-use-gpu",
    section="TOC 6",
    says="Keras runs on a GPU automatically when the backend sees one; no code change is needed (see also §2).",
    today="Not measured here: this machine has no GPU. What is pinned is the error path: asking "
    "reference.backends.resolve_device('gpu') for one raises DeviceNotAvailable instead of silently using the CPU. "
    "Where a GPU is visible the test places a tensor on it and checks where it lives.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.gpu
def test_use_gpu(evidence):
    if backends.gpu_count() == 0:
        with pytest.raises(
            backends.DeviceNotAvailable, match="a GPU was requested but the .* backend sees none on this machine"
        ) as missing:
            backends.resolve_device("gpu")
        evidence("resolve_device('gpu') here", f"DeviceNotAvailable: {missing.value}")
        pytest.skip(f"not measured here: no GPU visible to the {keras.backend.backend()} backend")
    with keras.device(backends.resolve_device("gpu")):
        tensor = keras.ops.matmul(keras.ops.ones((64, 64)), keras.ops.ones((64, 64)))
    evidence("tensor placed on", backends.device_of(tensor))
    assert "gpu" in backends.device_of(tensor)
    default_placed = keras.ops.ones((2, 2))
    evidence("a tensor created without keras.device lives on", backends.device_of(default_placed))
    assert "gpu" in backends.device_of(default_placed)  # the default device is the GPU when there is one


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC6-keras2-idioms": {
        "says": "教程那个年代的读者会写的 Keras 2 代码：fit_generator、predict_classes、优化器的 lr= 和 decay= 参数、"
        "keras.layers.merge、keras.utils.np_utils、keras.layers.advanced_activations、"
        "keras.preprocessing.image.ImageDataGenerator、小写的 keras.optimizers.adam、用 model.save 保存为 SavedModel 文件夹、K.function。",
        "today": "它们在 Keras 3 上都会失败，错误见证据（AttributeError、ValueError、ModuleNotFoundError 或 ImportError）；"
        "只有 decay= 例外：它只给出警告，然后被忽略（8 步之后学习率仍是 0.1，而不是衰减到 0.0926）。"
        "reference.basics.keras2_idioms.IDIOMS 中的替代写法都能运行并给出所述结果：直接用 fit() 处理生成器、对 predict() 取 argmax、"
        "learning_rate=、InverseTimeDecay、keras.layers.concatenate、keras.utils.to_categorical、keras.layers.LeakyReLU、"
        "数据增强层、keras.optimizers.Adam、.keras 文件、子模型。Keras 2.3 能运行其中每一种写法；在延续至今的 Keras 2"
        "（tf_keras 2.21）上，fit_generator（给出弃用警告）、ImageDataGenerator、用 model.save 保存到文件夹（SavedModel）和 "
        "K.function 仍能运行，lr= 能运行但被忽略（学习率仍是 0.001，只有一行日志），而 predict_classes、decay=（ValueError）、"
        "keras.layers.merge、keras.utils.np_utils、keras.layers.advanced_activations 和 keras.optimizers.adam 在那里已经失败。",
    },
    "TOC6-keras2-idioms-deprecated": {
        "says": "在 Sequential 模型的第一层用 input_shape= 声明输入的 Keras 2 代码。",
        "today": "仍能运行，但给出 UserWarning“Do not pass an `input_shape`/`input_dim` argument to a layer...”；"
        "替代写法是把 keras.Input((4,)) 作为第一个元素，构建出同样的模型且没有警告。在 Keras 2（tf_keras 2.21）上，"
        "旧写法构建出同样的模型，没有任何警告。",
    },
    "TOC6-reproducible-runs": {
        "qualifier": "在 CPU 上测得",
        "says": "要让一次训练可以重复，应在构建模型之前为所有随机数生成器设定种子。",
        "today": "在这台 CPU 机器上成立：keras.utils.set_random_seed(seed) 一次性为 Python、NumPy 和后端设定种子；"
        "包含 dropout 和数据打乱的两次训练最终得到逐位相同的权重，无需调用 tf.config.experimental.enable_op_determinism"
        "（在 GPU 上 TensorFlow 的某些算子是非确定性的，需要调用它：本机未测量）。换一个种子则得到不同的权重。",
    },
    "TOC6-freeze-layers": {
        "says": "要冻结一层（例如预训练的部分），在 compile() 之前设置 layer.trainable = False；fit() 就不会改变它的权重。",
        "today": "严格成立：被冻结的 Dense 层和 BatchNormalization 层在 fit() 之后逐位不变，BatchNormalization 的滑动均值和方差也不变"
        "（被冻结的 BatchNormalization 以推理模式运行），而可训练的层在变化；被冻结的权重不再出现在 model.trainable_weights 中。",
    },
    "TOC6-intermediate-output": {
        "says": "要读取中间层的输出，就用相同的输入构建一个以该层输出为输出的模型。",
        "today": "成立：keras.Model(model.inputs, model.get_layer('hidden').output) 共享训练好的权重，"
        "其输出与用这些权重手算的 relu(x @ W + b) 完全一致（误差仅为 float32 舍入）。",
    },
    "TOC6-use-gpu": {
        "says": "只要后端能看到 GPU，Keras 就会自动在 GPU 上运行，无需修改代码（另见 §2）。",
        "today": "本机未测量：这台机器没有 GPU。这里固定的是出错路径：向 reference.backends.resolve_device('gpu') 请求 GPU 时"
        "会抛出 DeviceNotAvailable，而不是悄悄改用 CPU。在能看到 GPU 的机器上，测试会把张量放到 GPU 上并检查它的位置。",
    },
}
