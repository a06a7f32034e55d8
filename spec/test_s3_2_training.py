"""§3.2, training: what compile() and fit() each really do.

Lesson for a newcomer: compile() only configures (optimizer, loss, metrics) and never
touches the weights; fit() trains, for exactly ``epochs`` passes unless a callback stops
it early; ``validation_split`` holds out the *last* part of the arrays, before shuffling.
"""

import inspect

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from reference import construction
from spec.support import largest_change, weights_of


def _data(n=200, dim=100, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, classes, size=n), classes)
    return x, y


def _compiled(**compile_args):
    model = construction.sequential_classifier()
    model.compile(
        **{"optimizer": "rmsprop", "loss": "categorical_crossentropy", "metrics": ["accuracy"], **compile_args}
    )
    return model


@claim(
    "S3.2-two-training-methods",
    section="3.2",
    says="Keras offers two ways to train a model: fit() and compile().",
    today="Only fit() (and train_on_batch) trains. compile() configures optimizer, loss and metrics and "
    "leaves every weight exactly as it was.",
    verdict=Verdict.REFUTED,
)
def test_compile_does_not_train(evidence):
    x, y = _data()
    model = construction.sequential_classifier()
    initial = weights_of(model)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    after_compile = weights_of(model)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    after_fit = weights_of(model)
    evidence("largest weight change from compile()", largest_change(initial, after_compile))
    evidence("largest weight change from fit(), 1 epoch", largest_change(after_compile, after_fit))
    assert largest_change(initial, after_compile) == 0.0
    assert largest_change(after_compile, after_fit) > 1e-3


@claim(
    "S3.2-fit-steps",
    section="3.2",
    says="fit() feeds the data to the model, computes the error at every step, updates the weights by "
    "backpropagation, and repeats until a stopping condition.",
    today="Holds as a list of what happens: every step feeds a batch, computes its loss and makes one "
    "backpropagation update (the text's steps 2 and 4 are that same single update); ceil(n / batch_size) steps "
    "per epoch, for `epochs` epochs. The order the text gives is wrong: see S3.2-fit-step-order.",
    verdict=Verdict.HOLDS,
)
def test_fit_steps(evidence):
    x, y = _data(n=200)
    model = _compiled()
    losses, changes = [], []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.before = weights_of(self.model)

        def on_train_batch_end(self, batch, logs=None):
            losses.append(logs["loss"])
            changes.append(largest_change(self.before, weights_of(self.model)))

    model.fit(x, y, epochs=3, batch_size=32, verbose=0, callbacks=[Watch()])
    updates = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    evidence("optimizer updates for 200 samples, batch 32, 3 epochs", updates)
    evidence("losses logged", len(losses))
    evidence("smallest weight change in any step", min(changes))
    assert updates == 3 * 7 == len(losses) == len(changes)
    assert min(changes) > 0.0


@claim(
    "S3.2-fit-step-order",
    section="3.2",
    says="In fit()'s list of steps, the weights are updated by backpropagation (step 2) before the error is "
    "computed (step 3).",
    today="The other way round: each step computes the loss with the current weights, then its gradients, then "
    "updates. Measured: the loss fit() logs for its first batch is the loss of the weights before that batch's "
    "update, not after it.",
    verdict=Verdict.REFUTED,
)
def test_fit_step_order(evidence):
    x, y = _data(n=64)
    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="categorical_crossentropy")
    first = x[:32], y[:32]
    loss_before = model.evaluate(*first, verbose=0)
    logged = []

    class FirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                logged.append(logs["loss"])
                self.model.stop_training = True

    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[FirstBatch()])
    loss_after = model.evaluate(*first, verbose=0)
    evidence(
        "first batch: loss before the update / logged by fit / after the update",
        (round(loss_before, 5), round(logged[0], 5), round(loss_after, 5)),
    )
    assert logged[0] == pytest.approx(loss_before, rel=1e-5)
    assert abs(loss_after - loss_before) > 0.05


@claim(
    "S3.2-stop-condition",
    section="3.2",
    says="fit() repeats until the specified stopping condition is met.",
    today="Holds: besides `epochs`, a callback such as EarlyStopping can end training sooner.",
    verdict=Verdict.HOLDS,
)
def test_early_stopping(evidence):
    x, y = _data(n=200)
    # A learning rate of 0 and no dropout: the loss never improves, so patience runs out.
    model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="categorical_crossentropy")
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=2, min_delta=1e-3)
    history = model.fit(x, y, epochs=50, batch_size=50, verbose=0, callbacks=[stopper])
    evidence("epochs run of 50 with EarlyStopping(patience=2)", len(history.history["loss"]))
    assert len(history.history["loss"]) == 3


@claim(
    "S3.2-fit-snippet",
    section="3.2",
    says="fit(train_data, train_labels, epochs=10, batch_size=32, validation_split=0.2) returns a History "
    "recording loss, val_loss, accuracy and val_accuracy.",
    today="Holds: History.history has exactly those four keys when compiled with metrics=['accuracy'] "
    "(only loss and val_loss without metrics), one value per epoch.",
    verdict=Verdict.HOLDS,
)
def test_history_keys(evidence):
    x, y = _data(n=200)
    history = _compiled().fit(x, y, epochs=10, batch_size=32, validation_split=0.2, verbose=0)
    evidence("keys with metrics=['accuracy']", sorted(history.history))
    assert isinstance(history, keras.callbacks.History)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 10 for values in history.history.values())
    bare = construction.sequential_classifier()
    bare.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    keys = sorted(bare.fit(x, y, epochs=1, validation_split=0.2, verbose=0).history)
    evidence("keys without metrics", keys)
    assert keys == ["loss", "val_loss"]


@claim(
    "S3.2-fit-arguments",
    section="3.2",
    says="The fit() call shown takes four arguments: training data, training labels, epochs and batch_size.",
    today="Holds for the snippet: data and labels positionally, then epochs (passes over the data) and batch_size "
    "(samples per update); every other fit() argument has a default (epochs=1, batch_size=None meaning 32).",
    verdict=Verdict.HOLDS,
)
def test_fit_arguments(evidence):
    x, y = _data(n=200)
    model = _compiled()
    history = model.fit(x, y, epochs=3, batch_size=50, verbose=0)
    updates = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    evidence(
        "fit(x, y, epochs=3, batch_size=50) on 200 samples: epochs logged, updates",
        (len(history.history["loss"]), updates),
    )
    assert len(history.history["loss"]) == 3 and updates == 3 * 4
    model = _compiled()
    history = model.fit(x[:100], y[:100], verbose=0)
    updates = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    evidence(
        "fit(x, y) on 100 samples with the defaults: epochs logged, updates", (len(history.history["loss"]), updates)
    )
    assert len(history.history["loss"]) == 1 and updates == 4  # one epoch of ceil(100 / 32) batches


@claim(
    "S3.2-validation-split",
    section="3.2",
    says="validation_split is the fraction of the training data set aside for validation; default 0.0.",
    today="Holds, and precisely: it takes the LAST fraction of the arrays, before any shuffling, "
    "so sort-ordered data gives a biased validation set.",
    verdict=Verdict.HOLDS,
)
def test_validation_split_takes_the_tail(evidence):
    assert inspect.signature(keras.Model.fit).parameters["validation_split"].default == 0.0
    x, y = _data(n=200)
    model = _compiled(optimizer=keras.optimizers.SGD(0.0))  # weights frozen: val_loss is a pure read-out
    val_loss = model.fit(x, y, epochs=1, batch_size=40, validation_split=0.2, verbose=0).history["val_loss"][0]
    tail = model.evaluate(x[-40:], y[-40:], verbose=0)[0]
    head = model.evaluate(x[:40], y[:40], verbose=0)[0]
    evidence("val_loss", val_loss)
    evidence("loss on the last 20% / first 20%", f"{tail:.6f} / {head:.6f}")
    assert val_loss == pytest.approx(tail, rel=1e-5)
    assert abs(head - tail) > 1e-3


@claim(
    "S3.2-compile-arguments",
    section="3.2",
    says="compile() takes three arguments: the optimizer, the loss and the metrics.",
    today="Holds for what the snippet sets: compile(optimizer='rmsprop', loss='categorical_crossentropy', "
    "metrics=['accuracy']) configures exactly those three; the other compile() arguments have defaults.",
    verdict=Verdict.HOLDS,
)
def test_compile_arguments(evidence):
    x, y = _data(n=64)
    model = _compiled()
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    evidence("optimizer, loss, evaluate() keys", (type(model.optimizer).__name__, model.loss, sorted(results)))
    assert isinstance(model.optimizer, keras.optimizers.RMSprop) and model.loss == "categorical_crossentropy"
    assert sorted(results) == ["accuracy", "loss"]


@claim(
    "S3.2-compile-accepts",
    section="3.2",
    says="optimizer is an update rule such as Adam or SGD, loss e.g. CategoricalCrossentropy or MSE, "
    "and metrics are used in both training and testing.",
    today="Holds: names ('adam', 'sgd', 'mse') and objects (keras.optimizers.Adam(), "
    "keras.losses.CategoricalCrossentropy()) are both accepted; metrics appear in fit() and evaluate().",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize(
    "optimizer, loss",
    [
        ("adam", "categorical_crossentropy"),
        ("sgd", "mse"),
        (keras.optimizers.Adam, keras.losses.CategoricalCrossentropy),
        (keras.optimizers.SGD, keras.losses.MeanSquaredError),
    ],
    ids=["names-adam-cce", "names-sgd-mse", "objects-adam-cce", "objects-sgd-mse"],
)
def test_compile_accepts(optimizer, loss, evidence):
    optimizer = optimizer() if isinstance(optimizer, type) else optimizer
    loss = loss() if isinstance(loss, type) else loss
    x, y = _data(n=64)
    model = construction.sequential_classifier()
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    logs = model.fit(x, y, epochs=1, batch_size=32, verbose=0).history
    results = model.evaluate(x, y, verbose=0, return_dict=True)
    evidence("optimizer", type(model.optimizer).__name__)
    evidence("evaluate() keys", sorted(results))
    assert "accuracy" in logs and sorted(results) == ["accuracy", "loss"]


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S3.2-two-training-methods": {
        "says": "Keras 提供两种训练模型的方法：fit() 和 compile()。",
        "today": "只有 fit()（以及 train_on_batch）会训练。compile() 只是配置优化器、损失函数和评估指标，"
        "所有权重都保持原样，一个也不变。",
    },
    "S3.2-fit-steps": {
        "says": "fit() 把数据送入模型，每一步计算误差，用反向传播更新权重，如此反复直到满足停止条件。",
        "today": "作为“发生了哪些事”的清单是成立的：每一步送入一个批次，计算它的损失，并做一次反向传播更新"
        "（文中的第 2 步和第 4 步其实是同一次更新）；每个 epoch 有 ceil(n / batch_size) 步，共训练 `epochs` 个 epoch。"
        "但文中给出的顺序是错的：见 S3.2-fit-step-order。",
    },
    "S3.2-fit-step-order": {
        "says": "在 fit() 的步骤列表中，先用反向传播更新权重（第 2 步），再计算误差（第 3 步）。",
        "today": "顺序恰好相反：每一步先用当前权重计算损失，再求梯度，然后更新。实测：fit() 为第一个批次记录的损失，"
        "是该批次更新之前的权重的损失，而不是更新之后的。",
    },
    "S3.2-stop-condition": {
        "says": "fit() 反复训练，直到满足指定的停止条件。",
        "today": "成立：除了 `epochs` 之外，EarlyStopping 之类的回调也可以提前结束训练。",
    },
    "S3.2-fit-arguments": {
        "says": "示例中的 fit() 调用有四个参数：训练数据、训练标签、epochs 和 batch_size。",
        "today": "对这段代码成立：数据和标签按位置传入，然后是 epochs（遍历数据的轮数）和 batch_size（每次更新所用的样本数）；"
        "fit() 的其余参数都有默认值（epochs=1，batch_size=None 即 32）。",
    },
    "S3.2-fit-snippet": {
        "says": "fit(train_data, train_labels, epochs=10, batch_size=32, validation_split=0.2) 返回一个 History，"
        "其中记录了 loss、val_loss、accuracy 和 val_accuracy。",
        "today": "成立：用 metrics=['accuracy'] 编译时，History.history 正好有这四个键（不设评估指标时只有 loss 和 val_loss），"
        "每个 epoch 一个值。",
    },
    "S3.2-validation-split": {
        "says": "validation_split 是从训练数据中划出作为验证集的比例；默认值为 0.0。",
        "today": "成立，而且更确切地说：它取的是数组的最后那一部分，并且是在打乱之前取的，"
        "所以按顺序排好的数据会得到一个有偏的验证集。",
    },
    "S3.2-compile-arguments": {
        "says": "compile() 有三个参数：优化器、损失函数和评估指标。",
        "today": "对代码中设置的参数成立：compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy']) "
        "恰好配置这三项；compile() 的其他参数都有默认值。",
    },
    "S3.2-compile-accepts": {
        "says": "optimizer 是 Adam 或 SGD 之类的更新规则，loss 例如 CategoricalCrossentropy 或 MSE，"
        "metrics 在训练和测试时都会用到。",
        "today": "成立：名称（'adam'、'sgd'、'mse'）和对象（keras.optimizers.Adam()、keras.losses.CategoricalCrossentropy()）"
        "都可以接受；评估指标会出现在 fit() 和 evaluate() 的输出中。",
    },
}
