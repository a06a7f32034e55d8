"""§4.1, MNIST digit classification with a one-hidden-layer MLP.

Lesson for a newcomer: MNIST is 60,000 training and 10,000 test images; flatten and
scale them to [0, 1], one-hot the labels, and the tutorial's 512-unit MLP with adam
reaches about 98.4% test accuracy after its 40-epoch recipe.
Run it yourself: ``python -m reference.mnist_mlp``.
"""

import keras
import numpy as np
import pytest
from keras import layers, models
from pytest_socket import SocketBlockedError

from ledger import Verdict, claim
from ledger.measured import threshold
from reference import data, mnist_mlp
from spec.support import recorded_warnings

# Test accuracy of the tutorial's recipe (40 epochs, batch 128, adam, first 1,000 images held
# out), TensorFlow backend on a 2-core CPU, seeds 0-4 (docs/measurements/mnist_mlp_seeds.json, "tutorial_recipe").
# Threshold 0.980: about 0.003 below the worst seed.
TUTORIAL_RECIPE_MIN_ACCURACY = threshold(0.980, "mnist_mlp_seeds", "tutorial_recipe/test_accuracy")


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist()


@claim(
    "S4.1-dataset-sizes",
    section="4.1",
    says="MNIST has 60,000 training images and 20,000 test images.",
    today="60,000 training and 10,000 test images (uint8, 28x28), the same arrays keras.datasets.mnist "
    "returns; here loaded offline (reference.data.load_mnist).",
    verdict=Verdict.REFUTED,
)
def test_dataset_sizes(mnist, evidence):
    (x_train, y_train), (x_test, y_test) = mnist
    evidence("train", f"{x_train.shape} {x_train.dtype}, labels {y_train.shape} {y_train.dtype}")
    evidence("test", f"{x_test.shape} {x_test.dtype}, labels {y_test.shape} {y_test.dtype}")
    evidence("test labels per digit", np.bincount(y_test).tolist())
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    # The canonical arrays: published per-digit counts, first labels, and mean pixel values.
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9] and y_test[:5].tolist() == [7, 2, 1, 0, 4]
    assert x_train.mean() == pytest.approx(33.3184, abs=1e-4)
    evidence("source file", data.mnist_source().name)
    evidence("sha256 of the four arrays", data.mnist_fingerprint())


@claim(
    "S4.1-load-data-downloads",
    section="4.1",
    says="mnist.load_data() downloads the data set.",
    today="Holds: with an empty cache it fetches mnist.npz over the network (blocked in this suite, "
    "which is why reference.data reads a local copy).",
    verdict=Verdict.HOLDS,
)
def test_load_data_downloads(evidence):
    # A file name no cache holds, so load_data must fetch it (public API: the `path` argument).
    with pytest.warns(UserWarning, match="A test tried to use socket"), pytest.raises(SocketBlockedError) as blocked:
        keras.datasets.mnist.load_data(path="keras-tutorial-spec-not-cached.npz")
    evidence("with the file not in the cache and no network", f"SocketBlockedError: {blocked.value}")


@claim(
    "S4.1-preprocessing-snippet",
    section="4.1",
    says="The preparation snippet imports only `mnist` from keras.datasets and then calls keras.utils.to_categorical.",
    today="As a script it stops with NameError: `keras` is never imported. Adding `import keras` fixes it.",
    verdict=Verdict.CORRECTED,
)
def test_preprocessing_snippet_as_written(monkeypatch, evidence):
    monkeypatch.setattr(keras.datasets.mnist, "load_data", data.load_mnist)  # offline, same return value
    snippet = (
        "from keras.datasets import mnist\n"
        "(images, labels), _ = mnist.load_data()\n"
        "labels = keras.utils.to_categorical(labels)\n"
    )
    with pytest.raises(NameError, match="name 'keras' is not defined") as failure:
        exec(snippet, {})
    evidence("as written", f"NameError: {failure.value}")
    namespace = {}
    exec("import keras\n" + snippet, namespace)
    assert namespace["labels"].shape == (60000, 10)


@claim(
    "S4.1-preprocessing",
    section="4.1",
    says="Reshaping to rows of 784 and astype('float32') / 255 gives data in 0..1; to_categorical gives one-hot labels.",
    today="Holds: (60000, 784) and (10000, 784) float32 in [0, 1]; labels become (n, 10) float one-hot rows.",
    verdict=Verdict.HOLDS,
)
def test_preprocessing(mnist, evidence):
    (x_train, y_train), (x_test, y_test) = mnist
    train_x, train_y = mnist_mlp.prepare(x_train, y_train)
    test_x, test_y = mnist_mlp.prepare(x_test, y_test)
    evidence("train x", f"{train_x.shape} {train_x.dtype} [{train_x.min()}, {train_x.max()}]")
    evidence("train y", f"{train_y.shape} {train_y.dtype}")
    assert train_x.shape == (60000, 784) and test_x.shape == (10000, 784)
    assert train_x.dtype == np.float32 and train_x.min() == 0.0 and train_x.max() == 1.0
    assert train_y.shape == (60000, 10) and set(np.unique(train_y)) == {0.0, 1.0}
    np.testing.assert_array_equal(train_y.sum(axis=1), 1.0)
    np.testing.assert_array_equal(train_y.argmax(axis=1), y_train)
    with pytest.raises(ValueError, match=r"expected images of shape \(n, 28, 28\)"):
        mnist_mlp.prepare(train_x, y_train)
    with pytest.raises(ValueError, match="60000 images but 59999 labels"):
        mnist_mlp.prepare(x_train, y_train[1:])


def _settings(model) -> list[tuple]:
    """Each layer's tutorial-visible settings: Dense (units, activation), Dropout (rate)."""
    return [
        ("Dense", l.units, l.activation.__name__) if isinstance(l, layers.Dense) else ("Dropout", l.rate)
        for l in model.layers
    ]


class FitCall(Exception):
    """Raised by the fit() spy once it has recorded the call: the test needs the call, not the training."""


@pytest.fixture
def recorded_fit(monkeypatch):
    """Records the arguments of the next Model.fit call made by reference code, then stops it."""
    calls = []

    def spy(model, x=None, y=None, **kwargs):
        calls.append({"model": model, "x": x, "y": y, **kwargs})
        raise FitCall

    monkeypatch.setattr(keras.Model, "fit", spy)
    return calls


@claim(
    "S4.1-model",
    section="4.1",
    says="Dense(512, relu) on 784 inputs (input_shape=(784,)), Dropout(0.5), Dense(10, softmax).",
    today="Builds the same 407,050-parameter model, with a UserWarning for input_shape on a layer.",
    verdict=Verdict.DEPRECATED,
)
def test_model_as_written(evidence):
    with recorded_warnings() as caught:
        model = models.Sequential()
        model.add(layers.Dense(512, activation="relu", input_shape=(28 * 28,)))
        model.add(layers.Dropout(0.5))
        model.add(layers.Dense(10, activation="softmax"))
    evidence("warning", caught[0] if caught else "none")
    evidence("parameters", model.count_params())
    assert any("Do not pass an `input_shape`/`input_dim`" in w for w in caught)
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10 == 407050
    assert model.output_shape == (None, 10)
    reference = mnist_mlp.build_mlp()
    evidence("reference.mnist_mlp.build_mlp", _settings(reference))
    assert (
        _settings(reference) == _settings(model) == [("Dense", 512, "relu"), ("Dropout", 0.5), ("Dense", 10, "softmax")]
    )
    assert reference.input_shape == (None, 784) and reference.count_params() == 407050


@claim(
    "S4.1-input-channels",
    section="4.1",
    says="The first layer's input channels are set to 784 because each image is 28x28 grey.",
    today="A grey image has one channel. The 784 are its pixels, flattened into 784 input features: the first Dense "
    "kernel has one row per pixel, and reshaping a row back to 28x28 gives the image again. A convolution on the "
    "same images sees (28, 28, 1): 1 channel.",
    verdict=Verdict.REFUTED,
)
def test_input_channels(mnist, evidence):
    (x_train, y_train), _ = mnist
    rows, _ = mnist_mlp.prepare(x_train[:8], y_train[:8])
    model = mnist_mlp.build_mlp()
    kernel_shape = tuple(model.layers[0].kernel.shape)
    conv = layers.Conv2D(4, 3)
    conv.build((None, 28, 28, 1))
    evidence("image array shape (no channel axis: one grey channel)", x_train.shape[1:])
    evidence("first Dense kernel (input features, units)", kernel_shape)
    evidence("Conv2D kernel on the images (height, width, channels, filters)", tuple(conv.kernel.shape))
    assert x_train.shape[1:] == (28, 28) and kernel_shape == (784, 512)
    np.testing.assert_array_equal(np.rint(rows.reshape(8, 28, 28) * 255), x_train[:8])
    assert tuple(conv.kernel.shape)[2] == 1


@claim(
    "S4.1-compile",
    section="4.1",
    says="Compile with the adam optimizer, categorical cross-entropy and the accuracy metric.",
    today="Holds: loss decreases on a training batch; metrics reported as 'accuracy'.",
    verdict=Verdict.HOLDS,
)
def test_compile(mnist, evidence):
    (x_train, y_train), _ = mnist
    x, y = mnist_mlp.prepare(x_train[:512], y_train[:512])
    model = mnist_mlp.build_mlp()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    returned = [model.train_on_batch(x, y, return_dict=True) for _ in range(11)]
    first, last = returned[0], returned[-1]
    evidence("loss on one batch: first vs 11th step", f"{first['loss']:.4f} -> {last['loss']:.4f}")
    # Each step's own loss on Keras >= 3.15; a running mean of them on 3.0-3.14 (S4.2-train-on-batch-returns).
    evidence("loss returned by each of the 11 steps", [round(float(r["loss"]), 4) for r in returned])
    assert sorted(last) == ["accuracy", "loss"] and last["loss"] < first["loss"]
    assert type(model.optimizer).__name__ == "Adam"


@claim(
    "S4.1-validation-split",
    section="4.1",
    says="The first 1,000 training images are the validation set and the other 59,000 are trained on.",
    today="Holds as described: 461 batches of 128 per epoch. The held-out 1,000 come from the training "
    "file, so the 10,000 test images stay unseen.",
    verdict=Verdict.HOLDS,
)
def test_validation_split(mnist, recorded_fit, evidence):
    (x_train, y_train), _ = mnist
    with pytest.raises(FitCall):
        mnist_mlp.train_tutorial_recipe()
    call = recorded_fit[0]
    x, y = mnist_mlp.prepare(x_train, y_train)
    val_x, val_y = call["validation_data"]
    evidence("recipe's fit(): training rows, validation rows", (len(call["x"]), len(val_x)))
    evidence(
        "epochs, batch_size, optimizer, loss",
        (call["epochs"], call["batch_size"], type(call["model"].optimizer).__name__, call["model"].loss),
    )
    evidence("validation labels per digit", np.bincount(y_train[:1000]).tolist())
    np.testing.assert_array_equal(val_x, x[:1000])
    np.testing.assert_array_equal(val_y, y[:1000])
    np.testing.assert_array_equal(call["x"], x[1000:])
    np.testing.assert_array_equal(call["y"], y[1000:])
    assert (call["epochs"], call["batch_size"]) == (40, 128)
    assert (
        isinstance(call["model"].optimizer, keras.optimizers.Adam) and call["model"].loss == "categorical_crossentropy"
    )
    assert _settings(call["model"]) == _settings(mnist_mlp.build_mlp())
    assert int(np.ceil(len(call["x"]) / 128)) == 461
    assert min(np.bincount(y_train[:1000])) > 80  # every digit is in the validation set, 80+ each


@pytest.mark.slow
@claim(
    "S4.1-training-recipe",
    section="4.1",
    says="Training 40 epochs at batch 128 with adam (validation on the first 1,000) and evaluate() on the "
    "test set reports the model's test accuracy.",
    today=f"Holds: test accuracy is {{m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:range=.2%}} (threshold {TUTORIAL_RECIPE_MIN_ACCURACY:.3f}, from {{m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:n}} seeds); "
    "evaluate() returns [loss, accuracy]. Validation loss rises after the first ~10 epochs: 40 epochs overfit.",
    verdict=Verdict.HOLDS,
)
def test_training_recipe(evidence):
    result = mnist_mlp.train_tutorial_recipe(seed=0)
    val_loss = result.history["val_loss"]
    evidence("test accuracy (seed 0)", round(result.test_accuracy, 4))
    evidence("test loss", round(result.test_loss, 4))
    evidence("epoch of lowest val_loss", int(np.argmin(val_loss)) + 1)
    evidence("val_loss at its lowest / at epoch 40", f"{min(val_loss):.4f} / {val_loss[-1]:.4f}")
    assert len(val_loss) == 40
    assert result.test_accuracy >= TUTORIAL_RECIPE_MIN_ACCURACY
    # The overfitting the text states. Measured (seed 0, TensorFlow, one thread): lowest val_loss at epoch 10
    # (0.0803), epoch 40 at 1.46x that. Asserted with room: the lowest by epoch 20, the last at least 1.15x it.
    assert int(np.argmin(val_loss)) + 1 <= 20 and val_loss[-1] > 1.15 * min(val_loss)


# Keras's classic mnist_mlp example (two 512-unit layers, dropout 0.2, RMSprop, batch 128, all 60,000
# images, 20 epochs) states 98.40% test accuracy. Measured here, seeds 0-2 (docs/measurements/mnist_mlp_seeds.json,
# "classic_recipe"). Threshold 0.980: a few tenths of a point below the worst seed.
CLASSIC_RECIPE_MIN_ACCURACY = threshold(0.980, "mnist_mlp_seeds", "classic_recipe/test_accuracy")


@pytest.mark.slow
@claim(
    "S4.1-classic-anchor",
    section="4.1",
    says="(anchor, not in the document) Keras's classic MNIST MLP example reaches 98.40% test accuracy after 20 epochs.",
    today=f"Holds on Keras 3: {{m:mnist_mlp_seeds:classic_recipe/test_accuracy:range=.2%}} over {{m:mnist_mlp_seeds:classic_recipe/test_accuracy:n}} seeds (threshold {CLASSIC_RECIPE_MIN_ACCURACY:.3f}). "
    "Run it with `python -m reference.mnist_mlp --recipe classic`.",
    verdict=Verdict.HOLDS,
)
def test_classic_anchor(recorded_fit, monkeypatch, evidence):
    with pytest.raises(FitCall):
        mnist_mlp.train_classic_recipe()
    call = recorded_fit.pop()
    assert len(call["x"]) == 60000 and "validation_data" not in call
    assert (call["epochs"], call["batch_size"]) == (20, 128) and isinstance(
        call["model"].optimizer, keras.optimizers.RMSprop
    )
    assert _settings(call["model"]) == [
        ("Dense", 512, "relu"),
        ("Dropout", 0.2),
        ("Dense", 512, "relu"),
        ("Dropout", 0.2),
        ("Dense", 10, "softmax"),
    ]
    monkeypatch.undo()  # the recipe's setup is checked; now train it for real
    result = mnist_mlp.train_classic_recipe(seed=0)
    evidence("test accuracy (seed 0)", round(result.test_accuracy, 4))
    assert result.test_accuracy >= CLASSIC_RECIPE_MIN_ACCURACY


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "S4.1-dataset-sizes": {
        "says": "MNIST 有 60,000 张训练图像和 20,000 张测试图像。",
        "today": "实际是 60,000 张训练图像和 10,000 张测试图像（uint8，28x28），与 keras.datasets.mnist 返回的数组相同；"
        "这里离线加载（reference.data.load_mnist）。",
    },
    "S4.1-load-data-downloads": {
        "says": "mnist.load_data() 会下载数据集。",
        "today": "成立：缓存为空时，它会通过网络获取 mnist.npz（本套件禁止联网，所以 reference.data 读取本地副本）。",
    },
    "S4.1-preprocessing-snippet": {
        "says": "数据准备代码只从 keras.datasets 导入了 `mnist`，随后却调用 keras.utils.to_categorical。",
        "today": "作为脚本运行时会因 NameError 中止：从未导入 `keras`。加上 `import keras` 即可修复。",
    },
    "S4.1-preprocessing": {
        "says": "把图像变形为每行 784 个值，再用 astype('float32') / 255 把数据缩放到 0..1；to_categorical 生成 one-hot 标签。",
        "today": "成立：得到 (60000, 784) 和 (10000, 784) 的 float32 数组，取值在 [0, 1] 内；标签变为 (n, 10) 的浮点 one-hot 行。",
    },
    "S4.1-model": {
        "says": "Dense(512, relu) 接收 784 个输入（input_shape=(784,)），然后是 Dropout(0.5)、Dense(10, softmax)。",
        "today": "能构建出同样的 407,050 个参数的模型，但在层上使用 input_shape 会触发 UserWarning。",
    },
    "S4.1-input-channels": {
        "says": "第一层的输入通道数设为 784，因为每张图像是 28x28 的灰度图。",
        "today": "灰度图只有一个通道。784 是它的像素数，展平成 784 个输入特征：第一个 Dense 层的 kernel 每个像素一行，"
        "把一行重新变形为 28x28 就得到原图。对同样的图像做卷积时，输入是 (28, 28, 1)：1 个通道。",
    },
    "S4.1-compile": {
        "says": "使用 adam 优化器、分类交叉熵损失函数和准确率指标进行编译。",
        "today": "成立：在一个训练批次上损失下降；评估指标以 'accuracy' 的名称报告。",
    },
    "S4.1-validation-split": {
        "says": "前 1,000 张训练图像作为验证集，其余 59,000 张用于训练。",
        "today": "与描述一致：每个 epoch 有 461 个大小为 128 的批次。留出的 1,000 张取自训练文件，"
        "所以 10,000 张测试图像始终没有被模型见过。",
    },
    "S4.1-training-recipe": {
        "says": "用 adam 以批大小 128 训练 40 个 epoch（用前 1,000 张做验证），再在测试集上调用 evaluate()，"
        "即可得到模型的测试准确率。",
        "today": f"成立：测试准确率为 {{m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:range=.2%}}（阈值 {TUTORIAL_RECIPE_MIN_ACCURACY:.3f}，来自 {{m:mnist_mlp_seeds:tutorial_recipe/test_accuracy:n}} 个随机种子）；"
        "evaluate() 返回 [loss, accuracy]。大约前 10 个 epoch 之后验证损失开始上升：训练 40 个 epoch 会过拟合。",
    },
    "S4.1-classic-anchor": {
        "says": "（参照基准，并非原文内容）Keras 经典的 MNIST MLP 示例训练 20 个 epoch 后测试准确率达到 98.40%。",
        "today": f"在 Keras 3 上成立：{{m:mnist_mlp_seeds:classic_recipe/test_accuracy:n}} 个随机种子得到 {{m:mnist_mlp_seeds:classic_recipe/test_accuracy:range=.2%}}（阈值 {CLASSIC_RECIPE_MIN_ACCURACY:.3f}）。"
        "运行方式：`python -m reference.mnist_mlp --recipe classic`。",
    },
}
