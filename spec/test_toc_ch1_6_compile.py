"""Table of contents 1.6: compile settings.

Lesson for a newcomer: ``compile()`` chooses the optimizer (by name, with its default learning rate,
or as an object whose ``learning_rate`` you set), the loss (integer labels take
``sparse_categorical_crossentropy``, one-hot labels ``categorical_crossentropy``: the same number), and any
number of metrics, which then appear in the History and in ``evaluate()``.  ``run_eagerly``,
``jit_compile`` and ``steps_per_execution`` only change how fast a step runs, never what it computes.
Reference code: ``reference.basics.compile_settings``.
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.basics import compile_settings as cs
from spec.shared_runs import shared_run

# What each optimizer name gives in Keras 3 (the class and its default learning rate).
BY_NAME = {
    "sgd": ("SGD", 0.01),
    "adam": ("Adam", 0.001),
    "rmsprop": ("RMSprop", 0.001),
    "adagrad": ("Adagrad", 0.001),
    "adadelta": ("Adadelta", 0.001),
    "adamax": ("Adamax", 0.001),
    "nadam": ("Nadam", 0.001),
}


def _linear(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])


@claim(
    "TOC1.6-optimizer-name-or-object",
    section="TOC 1.6",
    says="The optimizer is given to compile() either by name, with its default settings, or as an optimizer object "
    "whose learning rate you choose.",
    today="Holds: 'sgd' gives SGD with learning rate 0.01, 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax' and "
    "'nadam' their classes with 0.001. An object's learning_rate is the one used: one step of SGD(learning_rate=0.1) "
    "moves the weights exactly by 0.1 x the gradient computed by hand, and assigning "
    "model.optimizer.learning_rate after compile() takes effect at the next step.",
    verdict=Verdict.HOLDS,
)
def test_optimizer_name_or_object(evidence):
    found = {}
    for name in BY_NAME:
        model = _linear()
        model.compile(optimizer=name, loss="mse")
        found[name] = (type(model.optimizer).__name__, round(float(model.optimizer.learning_rate), 6))
    evidence("compile(optimizer=name): class, learning rate", found)
    assert found == BY_NAME
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    model = _linear()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    steps = []
    for learning_rate in (0.1, 0.02):
        if learning_rate != 0.1:
            model.optimizer.learning_rate = learning_rate  # changed after compile()
        kernel, bias = model.get_weights()
        expected = cs.sgd_step_by_hand(x, y, kernel, bias, learning_rate)
        model.train_on_batch(x, y)
        gaps = [float(np.abs(a - b).max()) for a, b in zip(model.get_weights(), expected)]
        moved = float(np.abs(model.get_weights()[0] - kernel).max())
        steps.append((learning_rate, moved, max(gaps)))
        assert max(gaps) < 1e-6 < moved
    evidence("SGD steps: learning rate, largest kernel change, largest gap from the hand-computed step", steps)


# The error a mixed-up loss and label format gives (batch of 32, 4 classes): the wording is the backend's.
_TORCH = r"torch\.Size\(\[{}\]\)"
LABEL_MISMATCH = {
    "tensorflow": {
        "sparse loss, one-hot labels": r"Argument `output` must have rank \(ndim\) `target.ndim - 1`. "
        r"Received: target.shape=\(32, 4\), output.shape=\(32, 4\)",
        "categorical loss, integer labels": r"Arguments `target` and `output` must have the same rank \(ndim\). "
        r"Received: target.shape=\(32,\), output.shape=\(32, 4\)",
    },
    "jax": {
        "sparse loss, one-hot labels": r"Arguments `target` and `output` must have the same shape up until the last "
        r"dimension: target.shape=\(32, 4\), output.shape=\(32, 4\)",
        "categorical loss, integer labels": r"Arguments `target` and `output` must have the same shape. "
        r"Received: target.shape=\(32,\), output.shape=\(32, 4\)",
    },
    "torch": {
        "sparse loss, one-hot labels": r"Arguments `target` and `output` must have the same shape up until the last "
        r"dimension: target.shape=" + _TORCH.format("32, 4") + ", output.shape=" + _TORCH.format("32, 4"),
        "categorical loss, integer labels": r"Arguments `target` and `output` must have the same shape. "
        r"Received: target.shape=" + _TORCH.format("32") + ", output.shape=" + _TORCH.format("32, 4"),
    },
    "other": {
        "sparse loss, one-hot labels": r"`target`.*`output`",
        "categorical loss, integer labels": r"`target`.*`output`",
    },
}


@claim(
    "TOC1.6-sparse-vs-categorical",
    section="TOC 1.6",
    says="Use sparse_categorical_crossentropy with integer labels and categorical_crossentropy with one-hot labels; "
    "they compute the same loss.",
    today="Holds: evaluate() gives the same value, to float32 rounding (1.2e-7 apart), for a model's integer labels "
    "under the sparse loss and their one-hot encoding under the categorical one, and it equals -mean(log p) by hand. "
    "Mixing them up is an error, not a silent wrong "
    "number: categorical loss on integer labels and sparse loss on one-hot labels both raise ValueError about the "
    "shapes (each backend words it differently).",
    verdict=Verdict.HOLDS,
)
def test_sparse_vs_categorical(evidence):
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(64, 5)).astype("float32"), rng.integers(0, 4, size=64)
    one_hot = keras.utils.to_categorical(labels, 4)

    def compiled(loss):  # the same weights every time (seed 0), compiled with ``loss``
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="softmax")])
        model.compile(optimizer="adam", loss=loss)
        return model

    model = compiled("sparse_categorical_crossentropy")
    sparse = model.evaluate(x, labels, verbose=0)
    categorical = compiled("categorical_crossentropy").evaluate(x, one_hot, verbose=0)
    # The mix-ups, each on its own model (on JAX a model whose traced step raised is not reused).
    messages = LABEL_MISMATCH.get(keras.backend.backend(), LABEL_MISMATCH["other"])
    with pytest.raises(ValueError, match=messages["sparse loss, one-hot labels"]) as sparse_on_one_hot:
        compiled("sparse_categorical_crossentropy").evaluate(x, one_hot, verbose=0)
    with pytest.raises(ValueError, match=messages["categorical loss, integer labels"]) as categorical_on_integers:
        compiled("categorical_crossentropy").evaluate(x, labels, verbose=0)
    probabilities = model.predict(x, verbose=0).astype("float64")
    by_hand = -np.log(probabilities[np.arange(64), labels]).mean()
    evidence(
        "sparse loss on integers / categorical loss on one-hot / -mean log p by hand",
        (round(sparse, 7), round(categorical, 7), round(by_hand, 7)),
    )
    evidence("sparse loss on one-hot labels", f"ValueError: {str(sparse_on_one_hot.value).splitlines()[0]}")
    evidence("categorical loss on integer labels", f"ValueError: {str(categorical_on_integers.value).splitlines()[0]}")
    assert sparse == pytest.approx(categorical, rel=1e-6)  # the same up to float32 rounding (1 ulp here)
    assert sparse == pytest.approx(by_hand, rel=1e-5)


@claim(
    "TOC1.6-from-logits",
    section="TOC 1.6",
    says="A model may output raw scores (logits) instead of probabilities if the loss is told so with from_logits=True.",
    today="Holds: a linear output layer with SparseCategoricalCrossentropy(from_logits=True) gives the same loss, to "
    "float32 rounding, as the same weights with a softmax output and the default loss.",
    verdict=Verdict.HOLDS,
)
def test_from_logits(evidence):
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(64, 5)).astype("float32"), rng.integers(0, 4, size=64)
    keras.utils.set_random_seed(0)
    logits = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4)])
    softmax = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="softmax")])
    softmax.set_weights(logits.get_weights())
    logits.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    softmax.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with_logits, with_probabilities = logits.evaluate(x, labels, verbose=0), softmax.evaluate(x, labels, verbose=0)
    logits.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy"
    )  # forgot from_logits: scores read as probabilities
    forgot = logits.evaluate(x, labels, verbose=0)
    evidence(
        "loss: logits + from_logits=True / softmax output / logits without from_logits",
        (round(with_logits, 6), round(with_probabilities, 6), round(forgot, 6)),
    )
    assert with_logits == pytest.approx(with_probabilities, rel=1e-5)
    assert abs(forgot - with_logits) > 0.1


@claim(
    "TOC1.6-several-metrics",
    section="TOC 1.6",
    says="compile() accepts several metrics at once; each is reported during training and by evaluate().",
    today="Holds: metrics=['accuracy', AUC(name='auc'), 'mae'] gives History keys loss, accuracy, auc, mae and their "
    "val_ versions, and evaluate() returns [loss, accuracy, auc, mae] in that order (or a dict with "
    "return_dict=True); the values match a hand computation from predict(). model.metrics_names no longer lists "
    "them one by one: it reads ['loss', 'compile_metrics'].",
    verdict=Verdict.HOLDS,
)
def test_several_metrics(evidence):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * rng.normal(size=128) > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")]
    )
    model.compile(
        optimizer="adam", loss="binary_crossentropy", metrics=["accuracy", keras.metrics.AUC(name="auc"), "mae"]
    )
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    as_list = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)[:, 0].astype("float64")
    evidence("History keys", sorted(history.history))
    evidence("evaluate(return_dict=True)", {k: round(v, 4) for k, v in as_dict.items()})
    evidence("model.metrics_names", model.metrics_names)
    assert sorted(history.history) == [
        "accuracy",
        "auc",
        "loss",
        "mae",
        "val_accuracy",
        "val_auc",
        "val_loss",
        "val_mae",
    ]
    assert all(len(values) == 3 for values in history.history.values())
    assert sorted(as_dict) == ["accuracy", "auc", "loss", "mae"]
    assert as_list == pytest.approx([as_dict["loss"], as_dict["accuracy"], as_dict["auc"], as_dict["mae"]])
    assert as_dict["accuracy"] == pytest.approx(((p > 0.5) == (y == 1)).mean(), abs=1e-6)
    assert as_dict["mae"] == pytest.approx(np.abs(y - p).mean(), rel=1e-5)
    assert model.metrics_names == ["loss", "compile_metrics"]


# seeds 0-2 (docs/measurements/ch1_execution_modes_seeds.json), 2 epochs on 1,024 digits, batch 64, Adam: each
# setting's seconds and largest weight difference from the default (run_eagerly and steps_per_execution=8: 0;
# jit_compile=True: not 0, XLA fuses and reorders float32 operations).  Tolerance about 20x the worst seed.
SAME_RESULT_TOLERANCE = threshold(
    1e-5, "ch1_execution_modes_seeds", "jit_compile/largest_weight_difference", side="above"
)


@claim(
    "TOC1.6-execution-settings",
    section="TOC 1.6",
    says="run_eagerly, jit_compile and steps_per_execution change how fast training runs, not its result.",
    today="Holds: trained from the same weights on the same batches, run_eagerly=True and steps_per_execution=8 end "
    "with bit-identical weights on TensorFlow and jit_compile=True within {m:ch1_execution_modes_seeds:jit_compile/largest_weight_difference:max=.1e} ({m:ch1_execution_modes_seeds:jit_compile/largest_weight_difference:n} seeds); "
    "only the time differs (in the evidence: eager runs {m:ch1_execution_modes_seeds:.|eager_over_default:range=.1f}x slower here, and on a run this short "
    "XLA's compile time outweighs its gain). "
    "The PyTorch backend refuses steps_per_execution > 1 with a ValueError.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("setting", sorted(cs.EXECUTION_SETTINGS))
def test_execution_settings(setting, evidence):
    if setting == "steps_per_execution" and keras.backend.backend() == "torch":
        with pytest.raises(
            ValueError,
            match=r"`steps_per_execution` must be 1 with the PyTorch backend\. "
            r"Received: steps_per_execution=8",
        ) as refused:
            cs.train_with(cs.EXECUTION_SETTINGS[setting])
        evidence("compile(steps_per_execution=8) on torch", f"ValueError: {refused.value}")
        return
    default = shared_run("toc1_6_default_fit", lambda: cs.train_with({}))
    run = cs.train_with(cs.EXECUTION_SETTINGS[setting])
    gap = cs.largest_difference(run["weights"], default["weights"])
    evidence(f"compile({setting}=...)", cs.EXECUTION_SETTINGS[setting])
    evidence("fit() seconds: default / this setting", (round(default["seconds"], 2), round(run["seconds"], 2)))
    evidence(
        "resolved jit_compile, run_eagerly: default / this setting",
        ((default["jit_compile"], default["run_eagerly"]), (run["jit_compile"], run["run_eagerly"])),
    )
    evidence("largest weight difference from the default", gap)
    assert gap < SAME_RESULT_TOLERANCE
    assert run["loss"] == pytest.approx(default["loss"], rel=1e-4)
    if setting == "run_eagerly":
        assert run["run_eagerly"] is True
    if setting == "jit_compile":
        assert run["jit_compile"] is True


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC1.6-optimizer-name-or-object": {
        "says": "传给 compile() 的优化器既可以是名称（使用默认设置），也可以是一个优化器对象，由你自己选定学习率。",
        "today": "成立：'sgd' 得到学习率为 0.01 的 SGD，'adam'、'rmsprop'、'adagrad'、'adadelta'、'adamax' 和 'nadam' "
        "得到各自的类，学习率为 0.001。对象的 learning_rate 就是实际使用的学习率：SGD(learning_rate=0.1) 走一步，权重的变化"
        "恰好等于 0.1 乘以手算的梯度；在 compile() 之后给 model.optimizer.learning_rate 赋新值，下一步即生效。",
    },
    "TOC1.6-sparse-vs-categorical": {
        "says": "整数标签用 sparse_categorical_crossentropy，one-hot 标签用 categorical_crossentropy；两者计算的是同一个损失。",
        "today": "成立：对同一个模型，用整数标签配稀疏损失、用其 one-hot 编码配分类损失，evaluate() 给出的值在 float32 舍入范围内相同"
        "（相差 1.2e-7），并且等于手算的 -mean(log p)。"
        "两者用混了会报错，而不是悄悄给出错误的数字：分类损失配整数标签、稀疏损失配 one-hot 标签，都会抛出关于形状不符的 ValueError（各后端的措辞不同）。",
    },
    "TOC1.6-from-logits": {
        "says": "只要通过 from_logits=True 告诉损失函数，模型就可以输出原始分数（logits）而不是概率。",
        "today": "成立：线性输出层配 SparseCategoricalCrossentropy(from_logits=True)，与同样权重的 softmax 输出层配默认损失，"
        "得到的损失相同（误差仅为 float32 舍入）。",
    },
    "TOC1.6-several-metrics": {
        "says": "compile() 可以同时接受多个评估指标；每个指标都会在训练中和 evaluate() 里报告。",
        "today": "成立：metrics=['accuracy', AUC(name='auc'), 'mae'] 使 History 的键为 loss、accuracy、auc、mae 及其 val_ 版本，"
        "evaluate() 按 [loss, accuracy, auc, mae] 的顺序返回（return_dict=True 时返回字典）；这些值与用 predict() 手算的结果一致。"
        "model.metrics_names 不再逐个列出它们：它的值是 ['loss', 'compile_metrics']。",
    },
    "TOC1.6-execution-settings": {
        "says": "run_eagerly、jit_compile 和 steps_per_execution 改变的是训练的速度，而不是训练的结果。",
        "today": "成立：从相同的权重出发、用相同的批次训练，run_eagerly=True 和 steps_per_execution=8 在 TensorFlow 上得到逐位相同的权重，"
        "jit_compile=True 的差异在 {m:ch1_execution_modes_seeds:jit_compile/largest_weight_difference:max=.1e} 以内（{m:ch1_execution_modes_seeds:jit_compile/largest_weight_difference:n} 个随机种子）；不同的只是耗时（见证据：这里 eager 模式慢 {m:ch1_execution_modes_seeds:.|eager_over_default:range=.1f} 倍，"
        "而在这么短的训练中，XLA 的编译时间超过了它带来的加速）。"
        "PyTorch 后端不接受大于 1 的 steps_per_execution，会抛出 ValueError。",
    },
}
