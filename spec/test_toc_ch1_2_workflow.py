"""Table of contents 1.2, the basic workflow: define, compile, fit, evaluate, predict.

Lesson for a newcomer: every Keras model goes through the same five steps, and each has a result
you can check.  A model declared without ``keras.Input`` has no weights until it first sees data
(``summary()`` then shows "0 (unbuilt)" and ``count_params()`` is an error); ``fit`` and
``evaluate`` refuse to run before ``compile``; and the parameter counts ``summary()`` prints follow
from simple formulas: (inputs + 1) x units for a Dense layer, (kernel area x input channels + 1) x
filters for a Conv2D, 4 x channels for BatchNormalization (half of them not trainable).

The document lists this section but never writes it; each claim is the standard statement such a
section makes, measured.  Reference code: ``reference.basics.workflow``.
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.basics import workflow
from spec.shared_runs import shared_run

# Test accuracy of the five-step workflow (2,000 training images, 5 epochs, Adam, 1,000 test images),
# seeds 0-2 on TensorFlow (docs/measurements/ch1_workflow_seeds.json); about 0.04 below the worst seed.
WORKFLOW_MIN_ACCURACY = threshold(0.86, "ch1_workflow_seeds", "evaluate/accuracy")


@claim(
    "TOC1.2-five-steps",
    section="TOC 1.2",
    says="A Keras model is built in five steps: define the layers, compile (optimizer, loss, metrics), fit on "
    "training data, evaluate on test data, predict on new data.",
    today="Holds on 2,000 MNIST images: define gives a 101,770-weight MLP; compile sets Adam with 0 updates made; "
    "fit runs 5 epochs of 63 updates with a falling loss; evaluate returns the test loss and "
    "{m:ch1_workflow_seeds:evaluate/accuracy:range=.2f} accuracy (TensorFlow seeds); "
    "predict returns one probability row per image (each sums to 1) whose argmax reproduces evaluate's accuracy.",
    verdict=Verdict.HOLDS,
)
def test_five_step_workflow(evidence):
    found = shared_run("ch1-workflow", lambda: workflow.run_workflow(n_train=2000, epochs=5, seed=0))
    hidden, inputs, classes = 128, 28 * 28, 10
    evidence("1. define: weights", found["params"])
    assert found["params"] == (inputs + 1) * hidden + (hidden + 1) * classes
    evidence("2. compile: optimizer, updates so far", (found["optimizer"], found["iterations_before_fit"]))
    assert found["optimizer"] == "Adam" and found["iterations_before_fit"] == 0
    losses = found["history"]["loss"]
    evidence("3. fit: loss per epoch", [round(v, 3) for v in losses])
    evidence("3. fit: optimizer updates", found["iterations"])
    assert sorted(found["history"]) == ["accuracy", "loss"] and len(losses) == 5
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))
    assert found["iterations"] == 5 * int(np.ceil(2000 / 32))
    scores = found["evaluate"]
    evidence("4. evaluate: test loss, accuracy", {k: round(v, 4) for k, v in scores.items()})
    assert sorted(scores) == ["accuracy", "loss"] and scores["accuracy"] > WORKFLOW_MIN_ACCURACY
    probabilities = found["probabilities"]
    predicted_accuracy = float(np.mean(probabilities.argmax(axis=1) == found["y_test"]))
    evidence("5. predict: shape, accuracy of the argmax", (probabilities.shape, predicted_accuracy))
    assert probabilities.shape == (1000, classes) and probabilities.min() >= 0
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert predicted_accuracy == pytest.approx(scores["accuracy"], abs=1e-6)


@claim(
    "TOC1.2-deferred-build",
    section="TOC 1.2",
    says="A Sequential model declared without an input shape is not built: it has no weights until it is first "
    "called on data, which fixes the input size.",
    today="Holds: before the first call built is False and weights == []; summary() still prints, with '?' shapes, "
    "'0 (unbuilt)' per layer and 'Total params: 0'; count_params() raises ValueError ('... the layer isn't built') "
    "and input_shape raises AttributeError (on PyTorch with a vaguer message). Called once on a (2, 5) batch it "
    "has 4 weights, 75 parameters.",
    verdict=Verdict.HOLDS,
)
def test_unbuilt_model_has_no_weights(evidence):
    model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    evidence("before the first call: built, weights", (model.built, model.weights))
    assert model.built is False and model.weights == []
    printed = []
    model.summary(print_fn=lambda text, **kwargs: printed.append(text))
    summary = "\n".join(printed)
    evidence("summary() before build, last line", summary.strip().splitlines()[-3].strip())
    assert summary.count("0 (unbuilt)") == 2 and "Total params: 0 (0.00 B)" in summary
    with pytest.raises(
        ValueError,
        match=r"^You tried to call `count_params` on layer 'sequential(_\d+)?', but the layer "
        r"isn't built\. You can build it manually via: `layer\.build\(input_shape\)`\.$",
    ) as unbuilt:
        model.count_params()
    evidence("count_params() before build", f"ValueError: {unbuilt.value}")
    # PyTorch's Module.__getattr__ replaces the AttributeError Keras raises by its own, vaguer one.
    no_shape = {"torch": r"^'Sequential' object has no attribute 'input_shape'$"}.get(
        keras.backend.backend(), r"^Sequential model 'sequential(_\d+)?' has no defined input shape yet\.$"
    )
    with pytest.raises(AttributeError, match=no_shape) as shapeless:
        model.input_shape  # noqa: B018
    evidence("input_shape before build", f"AttributeError: {shapeless.value}")
    model(np.zeros((2, 5), "float32"))
    shapes = [tuple(w.shape) for w in model.weights]
    evidence("after one call on a (2, 5) batch: weight shapes, parameters", (shapes, model.count_params()))
    assert model.built is True and shapes == [(5, 8), (8,), (8, 3), (3,)]
    assert model.count_params() == (5 + 1) * 8 + (8 + 1) * 3


UNCOMPILED_ERROR = (ValueError, r"^You must call `compile\(\)` before using the model\.$")
# Measured exception: on PyTorch, evaluate() trips over the missing optimizer before Keras's own check.
UNCOMPILED_ERRORS = {("torch", "evaluate"): (AttributeError, r"^'Sequential' object has no attribute 'optimizer'$")}


@claim(
    "TOC1.2-compile-before-fit",
    section="TOC 1.2",
    says="A model must be compiled before it is trained or evaluated.",
    today="Holds: fit(), evaluate() and train_on_batch() on an uncompiled model raise ValueError 'You must call "
    "`compile()` before using the model.'; predict() needs no compile (it uses no loss and no optimizer). On the "
    "PyTorch backend evaluate() fails less clearly, with AttributeError \"'Sequential' object has no attribute "
    "'optimizer'\".",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_fit_before_compile_is_an_error(method, evidence):
    model = workflow.build_mlp(hidden=4, inputs=6)
    x, y = np.zeros((8, 6), "float32"), np.zeros((8,), "int64")
    error_class, message = UNCOMPILED_ERRORS.get((keras.backend.backend(), method), UNCOMPILED_ERROR)
    with pytest.raises(error_class, match=message) as error:
        getattr(model, method)(x, y)
    evidence(
        f"{method}() before compile(), {keras.backend.backend()} backend",
        f"{type(error.value).__name__}: {error.value}",
    )
    predictions = model.predict(x, verbose=0)
    evidence("predict() before compile(): output shape", predictions.shape)
    assert predictions.shape == (8, 10)


def _mlp_formula(inputs=28 * 28, hidden=128, classes=10):
    """Dense: one weight per input per unit, plus one bias per unit."""
    total = (inputs + 1) * hidden + (hidden + 1) * classes
    return total, total, 0


def _cnn_formula(filters=(8, 16), classes=10):
    """Conv2D: (3 x 3 x input channels + 1) x filters; BatchNormalization: gamma, beta (trained) and the moving
    mean and variance (not trained) per channel; Dense after Flatten on the shrunk feature map."""
    conv1 = (3 * 3 * 1 + 1) * filters[0]
    side = ((28 - 2) // 2) - 2  # 3x3 valid conv: 26; pool 2: 13; 3x3 valid conv: 11
    conv2 = (3 * 3 * filters[0] + 1) * filters[1]
    norm_trained, norm_fixed = 2 * filters[1], 2 * filters[1]
    dense = (side * side * filters[1] + 1) * classes
    trainable = conv1 + conv2 + norm_trained + dense
    return trainable + norm_fixed, trainable, norm_fixed


MODELS = {"mlp": (workflow.build_mlp, _mlp_formula), "small-cnn": (workflow.build_small_cnn, _cnn_formula)}


@claim(
    "TOC1.2-parameter-count",
    section="TOC 1.2",
    says="summary() lists each layer's output shape and parameter count; the counts follow from the layer sizes.",
    today="Holds exactly: the 784-128-10 MLP has (784+1)x128 + (128+1)x10 = 101,770 parameters; the small CNN "
    "(Conv 8, pool, Conv 16, BatchNorm, Dense 10) has 80 + 1,168 + 64 + 19,370 = 20,682, of which the 32 moving "
    "statistics of BatchNorm are non-trainable. summary() prints the same totals.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_parameter_counts_match_formulas(name, evidence):
    build, formula = MODELS[name]
    model = build()
    total, trainable, fixed = formula()
    printed = []
    model.summary(print_fn=lambda text, **kwargs: printed.append(text))
    summary = "\n".join(printed)
    evidence("per layer", {layer.name: layer.count_params() for layer in model.layers})
    evidence("total / trainable / non-trainable (formula)", (total, trainable, fixed))
    assert model.count_params() == total
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trainable
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == fixed
    assert f"Total params: {total:,} " in summary and f"Trainable params: {trainable:,} " in summary
    assert f"Non-trainable params: {fixed:,} " in summary


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC1.2-five-steps": {
        "says": "搭建一个 Keras 模型分五步：定义各层，编译（优化器、损失函数、评估指标），在训练数据上 fit，在测试数据上 evaluate，"
        "对新数据 predict。",
        "today": "在 2,000 张 MNIST 图像上成立：定义得到一个有 101,770 个权重的 MLP；编译设定了 Adam，此时尚未做任何更新；"
        "fit 训练 5 个 epoch，每个 epoch 63 次更新，损失逐轮下降；evaluate 返回测试损失和 {m:ch1_workflow_seeds:evaluate/accuracy:range=.2f} 的准确率（TensorFlow 上的随机种子）；predict 为每张图像"
        "返回一行概率（每行之和为 1），取 argmax 得到的准确率与 evaluate 的结果一致。",
    },
    "TOC1.2-deferred-build": {
        "says": "没有声明输入形状的 Sequential 模型尚未构建：在第一次接收数据之前它没有任何权重，第一次调用时才确定输入尺寸。",
        "today": "成立：第一次调用之前 built 为 False，weights == []；summary() 仍然能打印，形状显示为 '?'，每层显示 "
        "'0 (unbuilt)'，并显示 'Total params: 0'；count_params() 抛出 ValueError（'... the layer isn't built'），"
        "input_shape 抛出 AttributeError（在 PyTorch 上消息更含糊）。在一个 (2, 5) 的批次上调用一次之后，它有 4 个权重张量、75 个参数。",
    },
    "TOC1.2-compile-before-fit": {
        "says": "模型必须先编译，才能训练或评估。",
        "today": "成立：对未编译的模型调用 fit()、evaluate() 或 train_on_batch() 会抛出 ValueError 'You must call "
        "`compile()` before using the model.'；predict() 不需要编译（它不用损失函数，也不用优化器）。在 PyTorch 后端上，"
        "evaluate() 报的错没那么清楚：AttributeError \"'Sequential' object has no attribute 'optimizer'\"。",
    },
    "TOC1.2-parameter-count": {
        "says": "summary() 列出每一层的输出形状和参数个数；这些数字由各层的尺寸决定。",
        "today": "完全成立：784-128-10 的 MLP 有 (784+1)x128 + (128+1)x10 = 101,770 个参数；小型 CNN（Conv 8、池化、Conv 16、"
        "BatchNorm、Dense 10）有 80 + 1,168 + 64 + 19,370 = 20,682 个参数，其中 BatchNorm 的 32 个滑动统计量不可训练。"
        "summary() 打印的总数与此相同。",
    },
}
