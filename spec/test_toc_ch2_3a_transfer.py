"""Table of contents, 2.3 (first half): a CNN case study in transfer learning.

Lesson for a newcomer: features learned on one task can serve another.  Train a convnet on digits
0-4, freeze its convolutional layers (``trainable = False``: their weights then do not move at all
during ``fit``), put a new head on top and train only the head on digits 5-9.  It pays most when the
new task has few labels.  Two Keras 3 details matter when you copy older recipes: the optimizer name
``"adadelta"`` now starts at learning rate 0.001 (it was 1.0), and calling a base model with
``training=False`` no longer keeps its BatchNormalization layers in inference mode once you unfreeze
it; freeze those layers themselves.  Reference code: ``reference.vision.transfer``.
"""

import keras
import numpy as np
import pytest
from keras import layers

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.data import load_mnist
from reference.vision import transfer
from spec.shared_runs import shared_run
from spec.support import largest_change, weights_of

# docs/measurements/ch2_transfer_seeds.json (reference.vision.transfer.measure_seeds, seeds 0-2), 2 epochs per stage:
# digits 0-4 (the old example: 99.8% after 5 epochs), then 5-9 with frozen features (the example: 99.2%).
FIRST_THRESHOLD = threshold(0.993, "ch2_transfer_seeds", "first_accuracy")
SECOND_THRESHOLD = threshold(0.980, "ch2_transfer_seeds", "second_accuracy")
# 20 labelled images per class of 5-9, 20 epochs, accuracy on all 4,861 test digits 5-9, transfer vs scratch
# ("few/final"): the claim asks for at least 2 points, about a point under the smallest gap.
FEW_LABEL_GAP = threshold(0.02, "ch2_transfer_seeds", "few/final|transfer_gain")
# docs/measurements/ch2_adadelta_default_seeds.json: one epoch on 1,024 digits 0-4, accuracy on 1,000 test digits,
# the "adadelta" string (chance: 20%) against Adadelta(learning_rate=1.0).
ADADELTA_STRING_BELOW = threshold(
    0.45, "ch2_adadelta_default_seeds", "adadelta string (learning_rate 0.001)", side="above"
)
ADADELTA_ONE_ABOVE = threshold(0.85, "ch2_adadelta_default_seeds", "Adadelta(learning_rate=1.0)")


def slow_on_torch(test):
    """Convolution training on Keras's PyTorch CPU backend ran about 30 times slower than on TensorFlow on the
    development machine (the one-epoch claim: 135 s instead of 5 s), so there it belongs to the slow tier."""
    return pytest.mark.slow(test) if keras.backend.backend() == "torch" else test


def _recipe():
    return shared_run("ch2-transfer-recipe", lambda: transfer.run_recipe(seed=0))


@claim(
    "TOC2.3-freeze-keeps-weights",
    section="TOC 2.3",
    says="Setting trainable = False on the feature layers freezes them: fit() trains the new head and leaves the "
    "frozen weights exactly as they were.",
    today="Holds: after fit on 512 digits 5-9, every frozen convolution weight is bit-identical while the head's "
    "weights moved; the model reports 590,597 trainable and 9,568 non-trainable parameters.",
    verdict=Verdict.HOLDS,
)
def test_freeze_keeps_weights(evidence):
    (x_train, y_train), _ = load_mnist()
    x, y = transfer.split_digits(x_train, y_train, transfer.SECOND)
    features = transfer.frozen(transfer.feature_extractor())
    model = transfer.classifier(features)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    frozen_before, head_before = weights_of(features), weights_of(model.get_layer("head"))
    model.fit(x[:512], y[:512], batch_size=64, epochs=1, verbose=0)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    fixed = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    evidence("largest change of a frozen weight", largest_change(frozen_before, weights_of(features)))
    evidence("largest change of a head weight", largest_change(head_before, weights_of(model.get_layer("head"))))
    evidence("trainable / non-trainable parameters", f"{trainable:,} / {fixed:,}")
    evidence("training images of 5-9, labels", (len(x), sorted(set(y.tolist()))))
    assert all(np.array_equal(a, b) for a, b in zip(frozen_before, weights_of(features)))
    assert largest_change(head_before, weights_of(model.get_layer("head"))) > 1e-3
    assert (trainable, fixed) == (590597, 320 + 9248)
    assert len(x) == 29404 and sorted(set(y.tolist())) == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="digits must be distinct values in 0-9"):
        transfer.split_digits(x_train, y_train, (5, 5, 10))


def _bn_base():
    return keras.Sequential(
        [keras.Input((4,)), layers.Dense(8), layers.BatchNormalization(), layers.Activation("relu")], name="base"
    )


def _guide_recipe(rng, freeze_bn_after_unfreezing=False):
    """The guide's recipe on a small base: freeze it, call it with training=False inside a new model, fit; then
    unfreeze it, compile again and fit again.  Returns, for each stage, how far the BatchNormalization moving
    statistics and the base's Dense kernel moved."""
    x = (rng.normal(size=(64, 4)) * 3 + 5).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    base = _bn_base()
    dense, bn = base.layers[0], base.layers[1]
    base.trainable = False
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layers.Dense(1)(base(inputs, training=False)))
    moves = []
    for stage in ("frozen", "unfrozen"):
        if stage == "unfrozen":
            base.trainable = True
            if freeze_bn_after_unfreezing:
                bn.trainable = False
        model.compile(optimizer="adam", loss="mse")  # again after every change of trainable
        stats = [np.array(bn.moving_mean), np.array(bn.moving_variance)]
        kernel = np.array(dense.kernel)
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        moves.append(
            (
                largest_change(stats, [np.array(bn.moving_mean), np.array(bn.moving_variance)]),
                float(np.abs(np.array(dense.kernel) - kernel).max()),
            )
        )
    return moves


@claim(
    "TOC2.3-frozen-batchnorm-inference",
    section="TOC 2.3",
    says="A BatchNormalization layer inside a frozen base runs in inference mode: it normalises with its stored "
    "moving statistics and does not update them during fit.",
    today="Holds in Keras 3: a frozen base called with training=False keeps its moving mean and variance "
    "bit-identical through fit; and a BatchNormalization layer with trainable = False gives its inference output "
    "even when called with training=True (a trainable one differs from it by ~10 on this input).",
    verdict=Verdict.HOLDS,
)
def test_frozen_batchnorm_inference(rng, evidence):
    (stats_moved, kernel_moved), _ = _guide_recipe(rng)
    x = (rng.normal(size=(64, 4)) * 3 + 5).astype("float32")
    bn = layers.BatchNormalization()
    bn.build((None, 4))
    inference = keras.ops.convert_to_numpy(bn(x, training=False))
    training_mode = keras.ops.convert_to_numpy(bn(x, training=True))  # trainable: batch statistics (and an update)
    bn.trainable = False
    inference = keras.ops.convert_to_numpy(bn(x, training=False))  # with the statistics as they now are
    frozen_training = keras.ops.convert_to_numpy(bn(x, training=True))
    evidence("frozen base: largest change of the moving statistics / of the base's kernel", (stats_moved, kernel_moved))
    evidence(
        "trainable BN: training=True vs training=False output, largest difference",
        round(float(np.abs(training_mode - inference).max()), 3),
    )
    evidence(
        "frozen BN: training=True vs training=False output, largest difference",
        float(np.abs(frozen_training - inference).max()),
    )
    assert stats_moved == 0.0 and kernel_moved == 0.0
    assert float(np.abs(training_mode - inference).max()) > 1.0
    np.testing.assert_array_equal(frozen_training, inference)


@claim(
    "TOC2.3-training-false-after-unfreezing",
    section="TOC 2.3",
    qualifier="fix: set trainable = False on the BatchNormalization layers",
    says="Call the base with training=False when building the new model: then, when you unfreeze the base to "
    "fine-tune it, its BatchNormalization layers stay in inference mode and keep their statistics (the Keras "
    "transfer-learning guide's recipe, from tf.keras 2).",
    today="Fails on Keras 3 (TensorFlow and JAX alike): fit's own training=True replaces the training=False recorded "
    "when the model was built, so after unfreezing the moving mean and variance change (by ~0.75 here). Setting "
    "trainable = False on the BatchNormalization layers themselves after unfreezing keeps them exactly, while the "
    "rest of the base trains.",
    verdict=Verdict.CORRECTED,
)
def test_training_false_after_unfreezing(rng, evidence):
    _, (stats_moved, kernel_moved) = _guide_recipe(rng)
    _, (fixed_stats, fixed_kernel) = _guide_recipe(rng, freeze_bn_after_unfreezing=True)
    evidence(
        "after unfreezing (base called with training=False): change of the moving statistics / of the kernel",
        (round(stats_moved, 4), round(kernel_moved, 4)),
    )
    evidence(
        "fix, BatchNormalization.trainable = False after unfreezing: change of the statistics / of the kernel",
        (fixed_stats, round(fixed_kernel, 4)),
    )
    evidence("backend", keras.backend.backend())
    assert stats_moved > 0.1 and kernel_moved > 1e-3
    assert fixed_stats == 0.0 and fixed_kernel > 1e-3


@claim(
    "TOC2.3-adadelta-default",
    section="TOC 2.3",
    qualifier="fix: Adadelta(learning_rate=1.0)",
    says="The classic MNIST transfer example compiles with optimizer='adadelta' (Adadelta needs no learning rate) "
    "and learns the digits within an epoch.",
    today="The string now means Adadelta(learning_rate=0.001) (standalone Keras 2.0 through 2.3.1: 1.0; 0.001 came with tf.keras and Keras 2.4). One epoch on 1,024 digits 0-4 "
    "gives {m:ch2_adadelta_default_seeds:adadelta string (learning_rate 0.001):range=.0%} (chance 20%) against {m:ch2_adadelta_default_seeds:Adadelta(learning_rate=1.0):range=.0%} with learning_rate=1.0, over {m:ch2_adadelta_default_seeds:Adadelta(learning_rate=1.0):n} seeds.",
    verdict=Verdict.CORRECTED,
)
@slow_on_torch
def test_adadelta_default(evidence):
    rate = float(keras.ops.convert_to_numpy(keras.optimizers.get("adadelta").learning_rate))
    as_written = transfer.first_task_accuracy("adadelta", seed=0)
    corrected = transfer.first_task_accuracy(keras.optimizers.Adadelta(learning_rate=1.0), seed=0)
    evidence("learning rate of optimizer='adadelta'", rate)
    evidence(
        "accuracy after one epoch: 'adadelta' / Adadelta(learning_rate=1.0)",
        (round(as_written, 3), round(corrected, 3)),
    )
    assert rate == pytest.approx(0.001)
    assert as_written < ADADELTA_STRING_BELOW
    assert corrected > ADADELTA_ONE_ABOVE


@pytest.mark.slow
@claim(
    "TOC2.3-transfer-anchor",
    section="TOC 2.3",
    qualifier="2 epochs per stage instead of 5",
    says="(anchor) Keras's mnist_transfer_cnn example: a convnet trained on digits 0-4 reaches 99.8%; with its "
    "convolutional layers frozen and a head trained on 5-9, 99.2%.",
    today="Reproduced within a few tenths with 2 epochs per stage (adam): "
    "{m:ch2_transfer_seeds:first_accuracy:range=.2%} on 0-4 and {m:ch2_transfer_seeds:second_accuracy:range=.2%} on 5-9 over {m:ch2_transfer_seeds:first_accuracy:n} seeds (thresholds 99.3% and 98.0%).",
    verdict=Verdict.HOLDS,
)
def test_transfer_anchor(evidence):
    result = _recipe()
    evidence(
        "test accuracy, digits 0-4 / digits 5-9 with frozen features",
        (round(result.first_accuracy, 4), round(result.second_accuracy, 4)),
    )
    evidence("both stages, seconds", result.seconds)
    assert result.first_accuracy >= FIRST_THRESHOLD
    assert result.second_accuracy >= SECOND_THRESHOLD


@pytest.mark.slow
@claim(
    "TOC2.3-only-head-trains",
    section="TOC 2.3",
    says="In the transfer stage only the new head learns: the frozen convolutional layers end the stage exactly as "
    "the first task left them.",
    today="Holds: stage 1 trains 600,165 weights, stage 2 only the head's 590,597; after stage 2 every "
    "convolution weight is bit-identical to its value after stage 1.",
    verdict=Verdict.HOLDS,
)
def test_only_head_trains(evidence):
    result = _recipe()
    evidence("trainable parameters, stage 1 / stage 2", result.trainable_params)
    evidence("frozen weights bit-identical after stage 2", result.features_unchanged)
    assert result.trainable_params == (600165, 590597)
    assert result.features_unchanged is True


@pytest.mark.slow
@claim(
    "TOC2.3-few-labels",
    section="TOC 2.3",
    says="With few labels for the new task, the transferred network beats the same network trained from scratch.",
    today="Holds: with 20 labelled images per digit of 5-9, frozen 0-4 features and a new head reach "
    "{m:ch2_transfer_seeds:few/final/transfer:range=.1%} against {m:ch2_transfer_seeds:few/final/scratch:range=.1%} from scratch ({m:ch2_transfer_seeds:first_accuracy:n} seeds), and lead from the first epoch.",
    verdict=Verdict.HOLDS,
)
def test_few_labels(evidence):
    few = _recipe().few
    final, curves = few["final"], few["curves"]
    evidence(
        "test accuracy on 4,861 digits 5-9: transfer / scratch",
        (round(final["transfer"], 4), round(final["scratch"], 4)),
    )
    evidence(
        "accuracy after epoch 1 (1,000 test digits): transfer / scratch",
        (round(curves["transfer"][0], 3), round(curves["scratch"][0], 3)),
    )
    evidence.figure(
        transfer.transfer_figure(_recipe()),
        "ch2_transfer_vs_scratch",
        "20 labels per digit of 5-9: frozen features from 0-4 plus a new head, against training from scratch",
        caption_zh="数字 5-9 每类 20 个标签：用 0-4 上学到的冻结特征加一个新的输出层，对比从零开始训练",
    )
    assert few["per_class"] == 20 and len(curves["transfer"]) == len(curves["scratch"]) == 20
    assert final["transfer"] - final["scratch"] >= FEW_LABEL_GAP
    assert curves["transfer"][0] > curves["scratch"][0]


ZH = {
    "TOC2.3-freeze-keeps-weights": {
        "says": "对特征层设置 trainable = False 就把它们冻结了：fit() 训练新的分类头，被冻结的权重保持原样、一点不变。",
        "today": "成立：在 512 个数字 5-9 上 fit 之后，每个被冻结的卷积权重都逐位相同，而分类头的权重发生了变化；"
        "模型报告 590,597 个可训练参数和 9,568 个不可训练参数。",
    },
    "TOC2.3-frozen-batchnorm-inference": {
        "says": "冻结的基础模型中的 BatchNormalization 层以推理模式运行：它用已存储的滑动统计量做归一化，并且在 fit 中不更新它们。",
        "today": "在 Keras 3 中成立：以 training=False 调用的冻结基础模型，在 fit 前后滑动均值和方差逐位相同；"
        "而 trainable = False 的 BatchNormalization 层即使以 training=True 调用，也给出推理模式的输出"
        "（可训练的层在这个输入上与之相差约 10）。",
    },
    "TOC2.3-training-false-after-unfreezing": {
        "qualifier": "修正：对 BatchNormalization 层本身设置 trainable = False",
        "says": "构建新模型时以 training=False 调用基础模型：这样在解冻基础模型做微调时，其中的 BatchNormalization 层仍保持推理模式，"
        "统计量不变（Keras 迁移学习指南的做法，源自 tf.keras 2）。",
        "today": "在 Keras 3 中不成立（TensorFlow 与 JAX 都一样）：fit 自身的 training=True 会取代构建模型时记录的 training=False，"
        "因此解冻后滑动均值和方差会改变（这里约 0.75）。解冻后对 BatchNormalization 层本身设置 trainable = False，"
        "就能让它们保持不变，而基础模型的其余部分照常训练。",
    },
    "TOC2.3-adadelta-default": {
        "qualifier": "修正：Adadelta(learning_rate=1.0)",
        "says": "经典的 MNIST 迁移学习示例用 optimizer='adadelta' 编译（Adadelta 不需要设置学习率），一个 epoch 内就能学会识别数字。",
        "today": "这个字符串现在表示 Adadelta(learning_rate=0.001)（独立的 Keras 2.0 至 2.3.1 为 1.0；0.001 始于 tf.keras 和 Keras 2.4）。在 1,024 个数字 0-4 上训练一个 epoch，"
        "{m:ch2_adadelta_default_seeds:Adadelta(learning_rate=1.0):n} 个随机种子的准确率只有 {m:ch2_adadelta_default_seeds:adadelta string (learning_rate 0.001):range=.0%}（随机猜测为 20%），而 learning_rate=1.0 时为 {m:ch2_adadelta_default_seeds:Adadelta(learning_rate=1.0):range=.0%}。",
    },
    "TOC2.3-transfer-anchor": {
        "qualifier": "每个阶段训练 2 个 epoch 而不是 5 个",
        "says": "（参照基准）Keras 的 mnist_transfer_cnn 示例：在数字 0-4 上训练的卷积网络达到 99.8%；冻结其卷积层、"
        "在 5-9 上训练分类头后达到 99.2%。",
        "today": "每个阶段训练 2 个 epoch（adam），结果与之相差不过零点几个百分点："
        "{m:ch2_transfer_seeds:first_accuracy:n} 个随机种子在 0-4 上为 {m:ch2_transfer_seeds:first_accuracy:range=.2%}，在 5-9 上为 {m:ch2_transfer_seeds:second_accuracy:range=.2%}（阈值分别为 99.3% 和 98.0%）。",
    },
    "TOC2.3-only-head-trains": {
        "says": "在迁移阶段只有新的分类头在学习：被冻结的卷积层在这一阶段结束时与第一个任务结束时完全一样。",
        "today": "成立：第 1 阶段训练 600,165 个权重，第 2 阶段只训练分类头的 590,597 个；第 2 阶段之后，每个卷积权重都与第 1 阶段"
        "结束时逐位相同。",
    },
    "TOC2.3-few-labels": {
        "says": "当新任务只有很少的标签时，迁移过来的网络胜过从零开始训练的同一个网络。",
        "today": "成立：数字 5-9 每类只有 20 张带标签的图像时，冻结的 0-4 特征加新分类头达到 "
        "{m:ch2_transfer_seeds:few/final/transfer:range=.1%}，从零训练为 {m:ch2_transfer_seeds:few/final/scratch:range=.1%}（{m:ch2_transfer_seeds:first_accuracy:n} 个随机种子），并且从第一个 epoch 起就领先。",
    },
}
