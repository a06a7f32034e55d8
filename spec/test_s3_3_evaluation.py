"""§3.3, evaluation: what evaluate() returns.

Lesson for a newcomer: evaluate() returns the loss followed by one value per metric, in
compile order; with no metrics it returns a bare float, so ``loss, acc = ...`` fails.
Prefer ``evaluate(..., return_dict=True)``.
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from reference import construction


def _trained(metrics):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 100)).astype("float32")
    labels = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0).astype(int)
    y = keras.utils.to_categorical(labels, 10)
    model = construction.sequential_classifier()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=metrics)
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    return model, x, y


@claim(
    "S3.3-evaluate-two-values",
    section="3.3",
    says="evaluate() returns two values, the test loss and the test accuracy (stated with no condition).",
    today="Only when the model was compiled with exactly one metric, accuracy: then [loss, accuracy], and the "
    "accuracy equals the fraction of argmax predictions that match. With no metrics it returns a single float, "
    "so the document's two-name unpacking raises TypeError; with two metrics, three values. "
    "Prefer evaluate(..., return_dict=True).",
    verdict=Verdict.HOLDS,
    qualifier="only with exactly one metric",
)
def test_evaluate_loss_and_accuracy(evidence):
    model, x, y = _trained(["accuracy"])
    result = model.evaluate(x, y, verbose=0)
    test_loss, test_acc = result
    predicted = model.predict(x, verbose=0)
    manual = float(np.mean(predicted.argmax(1) == y.argmax(1)))
    cross_entropy = float(np.mean(-np.sum(y * np.log(np.clip(predicted, 1e-7, 1)), axis=1)))
    evidence("evaluate(), metrics=['accuracy']", [round(v, 6) for v in result])
    evidence("accuracy recomputed by hand", manual)
    assert test_acc == pytest.approx(manual, abs=1e-6)
    assert test_loss == pytest.approx(cross_entropy, rel=1e-4)
    model, x, y = _trained(None)
    bare = model.evaluate(x, y, verbose=0)
    evidence("no metrics", f"{type(bare).__name__} {bare:.4f}")
    assert isinstance(bare, float)
    with pytest.raises(TypeError, match="cannot unpack non-iterable float object"):
        test_loss, test_acc = bare
    model, x, y = _trained(["accuracy", "top_k_categorical_accuracy"])
    three = model.evaluate(x, y, verbose=0)
    evidence("two metrics", f"{len(three)} values")
    assert len(three) == 3
    named = model.evaluate(x, y, verbose=0, return_dict=True)
    evidence("return_dict=True keys", sorted(named))
    assert sorted(named) == ["accuracy", "loss", "top_k_categorical_accuracy"]


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S3.3-evaluate-two-values": {
        "qualifier": "仅当恰好只有一个评估指标时",
        "says": "evaluate() 返回两个值：测试损失和测试准确率（文中没有附加任何条件）。",
        "today": "只有当模型编译时恰好只用了一个评估指标 accuracy 时才成立：此时返回 [loss, accuracy]，"
        "且准确率等于 argmax 预测正确的比例。不设评估指标时它只返回一个浮点数，文中用两个变量解包会抛出 TypeError；"
        "设两个评估指标时则返回三个值。建议使用 evaluate(..., return_dict=True)。",
    },
}
