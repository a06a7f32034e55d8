"""Table of contents 1.5: activation functions and regularisation.

Lesson for a newcomer: sigmoid squashes into [0, 1] and tanh into [-1, 1], relu cuts negatives to 0,
softmax turns a row of scores into probabilities that sum to 1.  Sigmoid's slope is at most 1/4,
so a deep sigmoid network barely trains its first layers (the gradient vanishes on the way back);
relu does not shrink it.  Regularisers fight overfitting: L2 adds l2 * sum(w**2) to the loss and so
keeps weights small; dropout zeroes random units while training only.  BatchNormalization uses the
batch's own statistics while training and its running averages at inference.
Reference code: ``reference.basics.regularisation``.
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.basics import regularisation as reg
from reference.figures import plt

WIDE = np.concatenate([np.linspace(-50.0, 50.0, 10001), [-1e4, 1e4]]).astype("float32")


def _activation(name, x):
    """Apply an activation the way a model does: as the layer keras.layers.Activation(name)."""
    return keras.ops.convert_to_numpy(keras.layers.Activation(name)(x)).astype("float64")


def _slopes(values, x):
    inside = np.abs(x) <= 50
    return np.diff(values[inside]) / np.diff(x[inside].astype("float64"))


def _check_sigmoid(evidence):
    out = _activation("sigmoid", WIDE)
    extremes = _activation("sigmoid", np.float32([0.0, 20.0, -1e4, 1e4]))
    evidence("range on [-1e4, 1e4]", (out.min(), out.max()))
    evidence("largest slope (finite differences)", _slopes(out, WIDE).max())
    evidence("sigmoid of 0, 20, -1e4, 1e4 in float32", extremes.tolist())
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert extremes.tolist() == [0.5, 1.0, 0.0, 1.0]  # float32 saturates: the open interval (0, 1) becomes [0, 1]
    assert _slopes(out, WIDE).max() == pytest.approx(0.25, abs=1e-3)  # the reason deep sigmoid nets vanish


def _check_tanh(evidence):
    out = _activation("tanh", WIDE)
    evidence("range on [-1e4, 1e4]", (out.min(), out.max()))
    evidence("largest slope (finite differences)", _slopes(out, WIDE).max())
    assert out.min() == -1.0 and out.max() == 1.0
    assert _activation("tanh", np.float32([0.0]))[0] == 0.0
    np.testing.assert_allclose(_activation("tanh", -WIDE), -out, atol=1e-7)  # odd: centred on zero
    assert _slopes(out, WIDE).max() == pytest.approx(1.0, abs=1e-3)


def _check_relu(evidence):
    out = _activation("relu", WIDE)
    evidence("range on [-1e4, 1e4]", (out.min(), out.max()))
    assert out.min() == 0.0 and out.max() == 1e4  # unbounded above
    np.testing.assert_array_equal(out, np.maximum(WIDE, 0.0))
    x = np.linspace(-5.0, 5.0, 11).astype("float32")
    slopes = np.diff(_activation("relu", x)) / np.diff(x)
    evidence("slopes between -5, -4, ..., 5", slopes.tolist())
    assert slopes.tolist() == [0.0] * 5 + [1.0] * 5  # slope 1 wherever a unit is active: nothing shrinks


def _check_softmax(evidence):
    # whole-number scores, so that adding 500 below is exact in float32
    logits = np.random.default_rng(0).integers(-1000, 1000, size=(500, 10)).astype("float32")
    out = _activation("softmax", logits)
    sums = out.sum(axis=1)
    evidence("row sums, min / max", (sums.min(), sums.max()))
    evidence("any NaN with logits up to +-1000", bool(np.isnan(out).any()))
    assert not np.isnan(out).any() and out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_allclose(sums, 1.0, atol=1e-6)
    np.testing.assert_allclose(
        _activation("softmax", logits + 500.0), out, atol=1e-6
    )  # shifting all scores changes nothing
    small = np.float32([[1.0, 2.0, 3.0]])
    by_hand = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(_activation("softmax", small)[0], by_hand, rtol=1e-6)


@claim(
    "TOC1.5-activation-ranges",
    section="TOC 1.5",
    says="Sigmoid outputs lie in (0, 1), tanh in (-1, 1) centred on 0, relu in [0, infinity), and softmax turns "
    "each row of scores into probabilities that sum to 1.",
    today="Holds, measured on inputs from -10^4 to 10^4 through keras.layers.Activation: sigmoid's largest slope is "
    "0.25 and tanh's 1.0; relu is exactly max(x, 0); softmax rows sum to 1 within 1e-6 and stay finite for scores "
    "of +-1000. In float32 the open intervals close: sigmoid(20) is exactly 1.0 and tanh reaches +-1.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax"])
def test_activation_ranges(name, evidence):
    {"sigmoid": _check_sigmoid, "tanh": _check_tanh, "relu": _check_relu, "softmax": _check_softmax}[name](evidence)
    if name == "sigmoid":
        x = np.linspace(-6, 6, 241).astype("float32")
        fig, ax = plt.subplots(figsize=(4.2, 2.6))
        for act in ("sigmoid", "tanh", "relu"):
            ax.plot(x, _activation(act, x), label=act)
        ax.set_ylim(-1.2, 2.5)
        ax.axhline(0, color="grey", lw=0.5)
        ax.legend(fontsize=8)
        ax.set_title("activation functions", fontsize=9)
        evidence.figure(
            fig,
            "toc1_5_activations",
            "sigmoid, tanh and relu on [-6, 6] (keras.layers.Activation)",
            caption_zh="sigmoid、tanh 和 relu 在 [-6, 6] 上的曲线（keras.layers.Activation）",
        )


# seeds 0-2 (docs/measurements/ch1_vanishing_gradient_seeds.json): relu / sigmoid first-layer gradient norm.
# "Orders of magnitude": the threshold 1,000 sits more than 20x below the worst seed.
VANISHING_MIN_RATIO = threshold(1e3, "ch1_vanishing_gradient_seeds", "relu_over_sigmoid_first_layer")


@claim(
    "TOC1.5-vanishing-gradient",
    section="TOC 1.5",
    says="In a deep network with sigmoid activations the gradient vanishes on its way back to the first layers; "
    "relu avoids this.",
    today="Holds: in a 10-layer, 64-unit MLP on 256 MNIST digits the first layer's gradient norm is about 1e-6 with "
    "sigmoid and {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/relu|first:range=.3f} with relu, a ratio of {m:ch1_vanishing_gradient_seeds:relu_over_sigmoid_first_layer|per_1e4:range=.1f} x 10^4 over {m:ch1_vanishing_gradient_seeds:relu_over_sigmoid_first_layer:n} seeds; with "
    "sigmoid it shrinks at every layer from the output back to the input (by {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/sigmoid|step_ratios:range=.1f}x per layer), while "
    "with relu and tanh the first layer gets more than the last (relu {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/relu|first_over_last:range=.1f}x, tanh {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/tanh|first_over_last:range=.1f}x).",
    verdict=Verdict.HOLDS,
)
def test_vanishing_gradient(evidence):
    settings = reg.GRADIENT_SETTINGS
    (x, y), _ = reg.mnist_subset(settings["batch"])
    norms = {
        act: reg.layer_gradient_norms(
            reg.deep_mlp(act, depth=settings["depth"], width=settings["width"], seed=0), x, y, settings["probe_lr"]
        )
        for act in ("sigmoid", "tanh", "relu")
    }
    ratio = norms["relu"][0] / norms["sigmoid"][0]
    for act, values in norms.items():
        evidence(f"{act}: gradient norm per Dense layer, input side first", [f"{v:.2g}" for v in values])
    evidence("relu / sigmoid, first layer", round(ratio))
    assert ratio > VANISHING_MIN_RATIO
    assert all(a < b for a, b in zip(norms["sigmoid"], norms["sigmoid"][1:]))  # shrinks at every layer going back
    assert norms["relu"][0] > norms["relu"][-1] and norms["tanh"][0] > norms["tanh"][-1]  # no vanishing
    # The proxy is the gradient itself: a 10x smaller probe learning rate gives the same norms.
    again = reg.layer_gradient_norms(
        reg.deep_mlp("sigmoid", depth=settings["depth"], width=settings["width"], seed=0),
        x,
        y,
        settings["probe_lr"] / 10,
    )
    np.testing.assert_allclose(again, norms["sigmoid"], rtol=1e-2)
    fig, ax = plt.subplots(figsize=(4.5, 2.8))
    for act, values in norms.items():
        ax.semilogy(range(1, len(values) + 1), values, marker="o", ms=3, label=act)
    ax.set_xlabel("Dense layer (1 = next to the input, 11 = output)", fontsize=8)
    ax.set_ylabel("gradient norm", fontsize=8)
    ax.legend(fontsize=8)
    evidence.figure(
        fig,
        "toc1_5_vanishing_gradient",
        "Gradient norm per layer, 10-layer MLPs at initialisation, 256 MNIST digits (seed 0)",
        caption_zh="初始化时 10 层 MLP 各层的梯度范数，256 张 MNIST 数字图像（种子 0）",
    )


@claim(
    "TOC1.5-l2-adds-penalty",
    section="TOC 1.5",
    says="An L2 weight regulariser adds l2 times the sum of the squared weights to the loss being minimised.",
    today="Holds exactly, and with no factor 1/2: model.losses holds l2 * sum(w**2) per regularised kernel, and the "
    "loss evaluate() reports is the data loss plus that penalty (keras.regularizers.L2's default l2 is 0.01).",
    verdict=Verdict.HOLDS,
)
def test_l2_adds_penalty(evidence):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 20)).astype("float32"), rng.integers(0, 3, size=64)
    regularised = reg.classifier(width=8, l2=0.01, inputs=20, classes=3, seed=0)
    plain = reg.classifier(width=8, l2=0.0, inputs=20, classes=3, seed=0)
    plain.set_weights(regularised.get_weights())
    for model in (regularised, plain):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    penalties = [float(keras.ops.convert_to_numpy(t)) for t in regularised.losses]
    by_hand = reg.penalty_by_hand(regularised)
    kernels = [keras.ops.convert_to_numpy(regularised.get_layer(f"hidden{i}").kernel).astype("float64") for i in (1, 2)]
    with_penalty, data_only = regularised.evaluate(x, y, verbose=0), plain.evaluate(x, y, verbose=0)
    evidence("model.losses (one per regularised kernel)", [round(p, 6) for p in penalties])
    evidence("0.01 * sum(w**2) by hand", round(by_hand, 6))
    evidence(
        "evaluate(): regularised / same weights unregularised / difference",
        (round(with_penalty, 6), round(data_only, 6), round(with_penalty - data_only, 6)),
    )
    evidence("keras.regularizers.L2() default l2", keras.regularizers.L2().get_config()["l2"])
    assert len(penalties) == 2
    assert sum(penalties) == pytest.approx(by_hand, rel=1e-5)
    # float32 tolerance: Keras 3.14 stores the regulariser's l2 as float32 (0.009999999776482582), so the by-hand
    # penalty is 0.01 * sum(w**2) to float32 precision, not exactly (0.1772869831970833 vs 0.17728698715975624).
    assert by_hand == pytest.approx(0.01 * sum(float(np.square(k).sum()) for k in kernels), rel=1e-6)
    assert with_penalty - data_only == pytest.approx(by_hand, rel=1e-4)
    assert keras.regularizers.L2().get_config()["l2"] == pytest.approx(0.01)


# seeds 0-2 (docs/measurements/ch1_l2_weight_norm_seeds.json): first hidden kernel's norm after 10 epochs on
# 1,000 digits, with L2(1e-3) and without; the ratio with / without.
L2_MAX_NORM_RATIO = threshold(0.85, "ch1_l2_weight_norm_seeds", ".|kernel_norm_ratio", side="above")


@claim(
    "TOC1.5-l2-shrinks-weights",
    section="TOC 1.5",
    says="L2 regularisation (weight decay) keeps the weights smaller than training without it.",
    today="Holds: after 10 epochs on 1,000 MNIST digits (784-64-64-10, adam), L2(1e-3) leaves the first kernel's "
    "norm at {m:ch1_l2_weight_norm_seeds:.|kernel_norm_ratio:range=.2f} of the unregularised one ({m:ch1_l2_weight_norm_seeds:with/hidden1_kernel_norm:range=.1f} vs {m:ch1_l2_weight_norm_seeds:without/hidden1_kernel_norm:range=.1f}; {m:ch1_l2_weight_norm_seeds:with/hidden1_kernel_norm:n} seeds), at the "
    "same training accuracy ({m:ch1_l2_weight_norm_seeds:with/train_accuracy:range=.0%}).",
    verdict=Verdict.HOLDS,
)
def test_l2_shrinks_weights(evidence):
    settings = reg.L2_SETTINGS
    runs = {
        name: reg.overfitting_gap(l2=l2, seed=0, epochs=settings["epochs"], width=settings["width"], curves=False)
        for name, l2 in (("L2", settings["l2"]), ("none", 0.0))
    }
    ratio = runs["L2"]["hidden1_kernel_norm"] / runs["none"]["hidden1_kernel_norm"]
    for name, run in runs.items():
        evidence(
            f"{name}: first kernel norm, train accuracy, val accuracy",
            (round(run["hidden1_kernel_norm"], 2), round(run["train_accuracy"], 3), round(run["val_accuracy"], 3)),
        )
    evidence("norm ratio L2 / none", round(ratio, 3))
    assert ratio < L2_MAX_NORM_RATIO
    assert runs["L2"]["train_accuracy"] > 0.9  # the smaller weights still fit the data


@claim(
    "TOC1.5-dropout-train-only",
    section="TOC 1.5",
    says="Dropout zeroes a random fraction of units during training only; at inference the layer does nothing.",
    today="Holds, with 'inverted' scaling: Dropout(0.5) in training zeroes about half the units and multiplies the "
    "rest by 1/(1-0.5) = 2, so the expected value is unchanged; with training=False, and so in predict() and "
    "evaluate(), the output equals the input exactly.",
    verdict=Verdict.HOLDS,
)
def test_dropout_train_only(evidence):
    layer = keras.layers.Dropout(0.5, seed=0)
    ones = np.ones((1, 10_000), "float32")
    train = keras.ops.convert_to_numpy(layer(ones, training=True))
    infer = keras.ops.convert_to_numpy(layer(ones, training=False))
    model = keras.Sequential([keras.Input((10_000,)), keras.layers.Dropout(0.5)])
    predicted = model.predict(ones, verbose=0)
    evidence(
        "training: distinct values, fraction zeroed", (sorted(set(train.ravel().tolist())), float((train == 0).mean()))
    )
    evidence(
        "inference and predict() equal the input", bool(np.array_equal(infer, ones) and np.array_equal(predicted, ones))
    )
    assert set(train.ravel().tolist()) == {0.0, 2.0}
    assert 0.47 < (train == 0).mean() < 0.53  # 10,000 coin flips: 0.5 +- 0.005 (1 sd)
    assert np.array_equal(infer, ones) and np.array_equal(predicted, ones)


# seeds 0-2 (docs/measurements/ch1_dropout_gap_seeds.json), 1,000 digits, 784-256-256-10, 30 epochs, adam;
# gap = validation loss - training loss, both by evaluate(), with dropout (input 0.2, hidden 0.5) and without.
# Thresholds: the ratio with / without, and a fixed line between the two groups' gaps, clear of both.
DROPOUT_MAX_GAP_RATIO = threshold(0.85, "ch1_dropout_gap_seeds", ".|loss_gap_ratio", side="above")
GAP_LINE = threshold(0.38, "ch1_dropout_gap_seeds", "with/loss_gap", side="above")
threshold(GAP_LINE, "ch1_dropout_gap_seeds", "without/loss_gap")


@pytest.mark.slow
@claim(
    "TOC1.5-dropout-narrows-gap",
    section="TOC 1.5",
    says="Dropout reduces overfitting: on small data it narrows the gap between training and validation performance.",
    today="Holds for the loss, modestly for accuracy: on 1,000 MNIST digits (30 epochs) dropout narrows the "
    "validation-minus-training loss gap from {m:ch1_dropout_gap_seeds:without/loss_gap:range=.2f} to {m:ch1_dropout_gap_seeds:with/loss_gap:range=.2f} ({m:ch1_dropout_gap_seeds:with/loss_gap:n} seeds); both nets still "
    "fit the training set ({m:ch1_dropout_gap_seeds:with/train_accuracy:range=.1%} with dropout, {m:ch1_dropout_gap_seeds:without/train_accuracy:range=.1%} without) and the accuracy gap narrows only from {m:ch1_dropout_gap_seeds:without/accuracy_gap|x100:range=.1f} to {m:ch1_dropout_gap_seeds:with/accuracy_gap|x100:range=.1f} points.",
    verdict=Verdict.HOLDS,
    qualifier="on the loss; the accuracy gain is small",
)
def test_dropout_narrows_gap(evidence):
    runs = {name: reg.overfitting_gap(seed=0, **kwargs) for name, kwargs in reg.DROPOUT_SETTINGS.items()}
    for name, run in runs.items():
        evidence(
            f"{name} dropout: train / val loss, loss gap, accuracy gap",
            (
                round(run["train_loss"], 4),
                round(run["val_loss"], 4),
                round(run["loss_gap"], 3),
                round(run["accuracy_gap"], 3),
            ),
        )
    ratio = runs["with"]["loss_gap"] / runs["without"]["loss_gap"]
    evidence("loss gap ratio with / without", round(ratio, 3))
    assert reg.DROPOUT_SETTINGS["with"] == {"dropout": 0.5, "input_dropout": 0.2}
    assert ratio < DROPOUT_MAX_GAP_RATIO
    assert runs["with"]["loss_gap"] < GAP_LINE < runs["without"]["loss_gap"]
    assert min(run["train_accuracy"] for run in runs.values()) > 0.99
    fig, ax = plt.subplots(figsize=(4.5, 2.8))
    for (name, run), colour in zip(runs.items(), ("tab:blue", "tab:red")):
        ax.plot(run["history"]["loss"], color=colour, ls="--", label=f"{name} dropout: training loss (as fit logs it)")
        ax.plot(run["history"]["val_loss"], color=colour, label=f"{name} dropout: validation loss")
    ax.set_xlabel("epoch", fontsize=8)
    ax.set_ylim(0, 1.0)
    ax.legend(fontsize=6)
    evidence.figure(
        fig,
        "toc1_5_dropout_gap",
        "Training and validation loss, 1,000 MNIST digits, with and without dropout",
        caption_zh="1,000 张 MNIST 数字图像上的训练损失与验证损失：有 dropout 与没有 dropout",
    )


@claim(
    "TOC1.5-batchnorm-train-vs-inference",
    section="TOC 1.5",
    says="Batch normalisation normalises with the statistics of the current batch during training and with running "
    "averages of them at inference.",
    today="Holds, to float32 rounding: in training the output is (x - batch mean) / sqrt(batch variance + 1e-3) "
    "(biased variance); each training step moves the running mean and variance to 0.99 * old + 0.01 * batch value; "
    "predict() normalises with those running values.",
    verdict=Verdict.HOLDS,
)
def test_batchnorm_train_vs_inference(evidence):
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(8, 3)).astype("float32")
    layer = keras.layers.BatchNormalization()
    trained = keras.ops.convert_to_numpy(layer(x, training=True))
    mean, variance = x.astype("float64").mean(axis=0), x.astype("float64").var(axis=0)
    expected_train = reg.batchnorm_by_hand(x, 1.0, 0.0, mean, variance, layer.epsilon)
    evidence("momentum, epsilon", (layer.momentum, layer.epsilon))
    evidence("training output vs hand computation with batch statistics", float(np.abs(trained - expected_train).max()))
    np.testing.assert_allclose(trained, expected_train, atol=1e-5)
    # One fit() step with a zero learning rate: only the running statistics move.
    model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization()])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    model.fit(x, np.zeros_like(x), batch_size=8, epochs=1, shuffle=False, verbose=0)
    bn = model.layers[0]
    moving_mean = keras.ops.convert_to_numpy(bn.moving_mean)
    moving_var = keras.ops.convert_to_numpy(bn.moving_variance)
    np.testing.assert_allclose(moving_mean, reg.moving_average(0.0, mean, 0.99), rtol=1e-5)
    np.testing.assert_allclose(moving_var, reg.moving_average(1.0, variance, 0.99), rtol=1e-5)
    predicted = model.predict(x, verbose=0)
    expected_infer = reg.batchnorm_by_hand(
        x, 1.0, 0.0, reg.moving_average(0.0, mean), reg.moving_average(1.0, variance)
    )
    evidence("running mean after one step (0.01 * batch mean)", np.round(moving_mean, 5).tolist())
    evidence("predict() vs hand computation with running statistics", float(np.abs(predicted - expected_infer).max()))
    np.testing.assert_allclose(predicted, expected_infer, atol=1e-5)
    assert np.abs(predicted - trained).max() > 1.0  # the two modes really differ after one step


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC1.5-activation-ranges": {
        "says": "sigmoid 的输出在 (0, 1) 之间，tanh 在 (-1, 1) 之间且以 0 为中心，relu 在 [0, 无穷) 之间；"
        "softmax 把每一行分数变成和为 1 的概率。",
        "today": "成立。通过 keras.layers.Activation 在 -10^4 到 10^4 的输入上实测：sigmoid 的最大斜率为 0.25，tanh 为 1.0；"
        "relu 恰好等于 max(x, 0)；softmax 每行之和与 1 的差在 1e-6 以内，分数达到 +-1000 时仍不溢出。"
        "在 float32 中开区间变成了闭区间：sigmoid(20) 恰好等于 1.0，tanh 能取到 +-1。",
    },
    "TOC1.5-vanishing-gradient": {
        "says": "在使用 sigmoid 激活函数的深层网络中，梯度在反向传到前面几层的途中会消失；relu 可以避免这一点。",
        "today": "成立：在 256 张 MNIST 图片上，一个 10 层、每层 64 个单元的 MLP，第一层的梯度范数用 sigmoid 时约为 1e-6，"
        "用 relu 时为 {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/relu|first:range=.3f}，{m:ch1_vanishing_gradient_seeds:relu_over_sigmoid_first_layer:n} 个随机种子下两者之比为 {m:ch1_vanishing_gradient_seeds:relu_over_sigmoid_first_layer|per_1e4:range=.1f} x 10^4；用 sigmoid 时梯度从输出层"
        "往输入层每经过一层就缩小（每层缩小 {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/sigmoid|step_ratios:range=.1f} 倍）；用 relu 和 tanh 时，第一层得到的梯度反而比最后一层多"
        "（relu 为 {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/relu|first_over_last:range=.1f} 倍，tanh 为 {m:ch1_vanishing_gradient_seeds:per_layer_gradient_norms/tanh|first_over_last:range=.1f} 倍）。",
    },
    "TOC1.5-l2-adds-penalty": {
        "says": "L2 权重正则化会在要最小化的损失上加上 l2 乘以权重平方和。",
        "today": "严格成立，而且没有 1/2 的系数：model.losses 中每个被正则化的核对应一项 l2 * sum(w**2)，"
        "evaluate() 报告的损失就是数据损失加上这一惩罚项（keras.regularizers.L2 的 l2 默认值为 0.01）。",
    },
    "TOC1.5-l2-shrinks-weights": {
        "says": "L2 正则化（权重衰减）使权重比不加正则化训练时更小。",
        "today": "成立：在 1,000 张 MNIST 图片上训练 10 个 epoch（784-64-64-10，adam），L2(1e-3) 使第一层核的范数只有"
        "不加正则化时的 {m:ch1_l2_weight_norm_seeds:.|kernel_norm_ratio:range=.2f}（{m:ch1_l2_weight_norm_seeds:with/hidden1_kernel_norm:range=.1f} 对 {m:ch1_l2_weight_norm_seeds:without/hidden1_kernel_norm:range=.1f}；{m:ch1_l2_weight_norm_seeds:with/hidden1_kernel_norm:n} 个随机种子），训练准确率相同（{m:ch1_l2_weight_norm_seeds:with/train_accuracy:range=.0%}）。",
    },
    "TOC1.5-dropout-train-only": {
        "says": "Dropout 只在训练时把随机一部分单元置零；推理时这一层什么也不做。",
        "today": "成立，并且采用“反向（inverted）”缩放：训练时 Dropout(0.5) 把大约一半的单元置零，其余乘以 1/(1-0.5) = 2，"
        "因此期望值不变；training=False 时（predict() 和 evaluate() 中也是如此）输出与输入完全相同。",
    },
    "TOC1.5-dropout-narrows-gap": {
        "qualifier": "对损失成立；对准确率的改善很小",
        "says": "Dropout 能减轻过拟合：在小数据上，它能缩小训练表现与验证表现之间的差距。",
        "today": "对损失成立，对准确率只是略有改善：在 1,000 张 MNIST 图片上训练 30 个 epoch，dropout 把“验证损失减训练损失”"
        "的差距从 {m:ch1_dropout_gap_seeds:without/loss_gap:range=.2f} 缩小到 {m:ch1_dropout_gap_seeds:with/loss_gap:range=.2f}（{m:ch1_dropout_gap_seeds:with/loss_gap:n} 个随机种子）；两个网络都仍然拟合了训练集（有 dropout 时 {m:ch1_dropout_gap_seeds:with/train_accuracy:range=.1%}，没有时 {m:ch1_dropout_gap_seeds:without/train_accuracy:range=.1%}），"
        "准确率差距只从 {m:ch1_dropout_gap_seeds:without/accuracy_gap|x100:range=.1f} 个百分点缩小到 {m:ch1_dropout_gap_seeds:with/accuracy_gap|x100:range=.1f} 个百分点。",
    },
    "TOC1.5-batchnorm-train-vs-inference": {
        "says": "批归一化在训练时用当前批次的统计量做归一化，在推理时用这些统计量的滑动平均。",
        "today": "成立，误差仅为 float32 舍入：训练时输出为 (x - 批均值) / sqrt(批方差 + 1e-3)（有偏方差）；"
        "每个训练步把滑动均值和滑动方差更新为 0.99 * 旧值 + 0.01 * 本批次的值；predict() 用这些滑动值做归一化。",
    },
}
