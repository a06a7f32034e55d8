"""Table of contents 1.1, TensorFlow and Keras: what ``tf.keras`` is today, and Keras without TensorFlow.

Lesson for a newcomer: since TensorFlow 2.16 the ``keras`` package (Keras 3) also serves
``tf.keras``: a model, layer or optimizer you get from ``tf.keras`` is the very same class as from
``import keras``.  But ``tf.keras`` is a compatibility namespace, not the ``keras`` module itself:
it keeps some Keras 2 names and lacks ``keras.saving``, so write ``import keras``.  Keras 2 lives on
only as the separate ``tf_keras`` package behind ``TF_USE_LEGACY_KERAS=1``; and Keras 3 trains on
JAX or PyTorch without importing TensorFlow at all.

The document lists this section but never writes it; each claim is the standard statement such a
section makes, measured.  Reference code: ``reference.basics.tf_and_keras``.
"""

import keras
import pytest

from ledger import Verdict, claim
from reference import backends
from reference.basics import tf_and_keras
from spec.support import last_json_line


def _last_json_line(done) -> dict:
    return last_json_line(done, "reference.basics.tf_and_keras")


@claim(
    "TOC1.1-tf-keras-is-keras3",
    section="TOC 1.1",
    says="With TensorFlow 2.16 or later, tf.keras is Keras 3: the classes reached through tf.keras are Keras 3's.",
    today="Holds: tf.keras reports Keras 3.15.1, and all 15 everyday names checked (Model, Sequential, Input, Dense, "
    "Conv2D, LSTM, Dropout, Adam, SGD, CategoricalCrossentropy, Accuracy, EarlyStopping, to_categorical, load_model, "
    "mnist.load_data) are the very same objects as under `import keras`; a model built with tf.keras is a keras.Model.",
    verdict=Verdict.HOLDS,
)
def test_tf_keras_classes_are_keras3(evidence):
    import tensorflow as tf

    same = tf_and_keras.same_objects()
    evidence("tf.keras.__version__ / keras.__version__", (tf.keras.__version__, keras.__version__))
    evidence("names checked", ", ".join(same))
    evidence("names where tf.keras.<name> is not keras.<name>", [name for name, is_same in same.items() if not is_same])
    assert tf.keras.__version__ == keras.__version__ and keras.__version__.startswith("3.")
    assert same == {name: True for name in tf_and_keras.EVERYDAY_NAMES}
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    evidence("type of a tf.keras.Sequential", f"{type(model).__module__}.{type(model).__name__}")
    assert isinstance(model, keras.Model)
    with pytest.raises(ValueError, match=r"'layers\.Dense2' is not reachable in both tf\.keras and keras"):
        tf_and_keras.same_objects(["layers.Dense2"])


@claim(
    "TOC1.1-tf-keras-same-namespace",
    section="TOC 1.1",
    says="`from tensorflow import keras` and `import keras` are two names for the same module, interchangeable.",
    today="Not quite: tf.keras is the module keras._tf_keras.keras, a compatibility namespace inside the keras "
    "package. It lacks keras.saving (AttributeError), and keeps Keras 2 names that Keras 3 dropped: 123 backend "
    "functions (tf.keras.backend.batch_dot, ...), loss aliases (tf.keras.losses.mse, Reduction), and the legacy "
    "layers RandomHeight, RandomWidth, ThresholdedReLU plus its own AlphaDropout. Its layers, losses and backend "
    "are different module objects; optimizers, callbacks, utils, models and ops are keras's own.",
    verdict=Verdict.REFUTED,
    qualifier="the everyday classes are the same; the namespaces are not",
)
def test_tf_keras_is_a_compatibility_namespace(evidence):
    import tensorflow as tf

    report = tf_and_keras.namespace_differences()
    evidence("tf.keras.__name__", tf.keras.__name__)
    evidence("tf.keras is keras", tf.keras is keras)
    assert tf.keras.__name__ == "keras._tf_keras.keras" and tf.keras is not keras
    same_module = {sub: report[sub]["same_module"] for sub in tf_and_keras.SUBMODULES}
    evidence("tf.keras.<sub> is keras.<sub>", same_module)
    assert same_module == {
        "layers": False,
        "losses": False,
        "backend": False,
        "optimizers": True,
        "callbacks": True,
        "utils": True,
        "models": True,
        "ops": True,
    }
    evidence("top level: names only in keras", report[""]["only_keras"])
    assert report[""]["only_keras"] == ["saving", "src"] and report[""]["only_tf_keras"] == []
    with pytest.raises(AttributeError, match=r"^module 'keras\._tf_keras\.keras' has no attribute 'saving'$"):
        tf.keras.saving.load_model  # noqa: B018
    layers = report["layers"]
    evidence("layers only in tf.keras / different objects", (layers["only_tf_keras"], layers["different_objects"]))
    assert layers["only_tf_keras"] == ["RandomHeight", "RandomWidth", "ThresholdedReLU"]
    assert layers["only_keras"] == [] and layers["different_objects"] == ["AlphaDropout"]
    backend = report["backend"]
    keras2_style = [
        n
        for n in ("batch_dot", "int_shape", "get_value", "set_value", "variable", "rnn")
        if n in backend["only_tf_keras"]
    ]
    evidence("backend functions only in tf.keras", f"{len(backend['only_tf_keras'])}, e.g. {keras2_style}")
    assert len(backend["only_tf_keras"]) == 123 and "batch_dot" in backend["only_tf_keras"]
    with pytest.raises(AttributeError, match=r"^module 'keras\.backend' has no attribute 'batch_dot'$"):
        keras.backend.batch_dot  # noqa: B018
    losses = report["losses"]
    evidence("losses only in tf.keras", losses["only_tf_keras"])
    assert {"mse", "MSE", "Reduction"} <= set(losses["only_tf_keras"])
    with pytest.raises(AttributeError, match=r"^module 'keras\.losses' has no attribute 'mse'$"):
        keras.losses.mse  # noqa: B018


@claim(
    "TOC1.1-legacy-keras-switch",
    section="TOC 1.1",
    says="Keras 2 code can keep running on new TensorFlow by installing the tf_keras package and setting "
    "TF_USE_LEGACY_KERAS=1.",
    today="Only code written against tf.keras, and not faithfully. Measured with tf_keras 2.21: the switch turns "
    "tf.keras (and `from tensorflow.keras... import`) into tf_keras's Keras 2 classes, but `import keras`, what "
    "standalone Keras 2 code such as this tutorial writes, is still Keras 3, so its `from keras.models import Input` "
    "still fails (ImportError). Through tf.keras, Keras 2's Adam(lr=0.0002) silently trains at the default 0.001 "
    "(first step 0.001), with only a log line saying `lr` is deprecated. Without the tf_keras package the switch "
    "breaks tf.keras (ImportError 'Keras cannot be imported').",
    verdict=Verdict.REFUTED,
    qualifier="runs only tf.keras code, and there Adam(lr=...) is ignored",
)
def test_legacy_switch(evidence):
    done = backends.run_with_backend(
        "tensorflow",
        "reference.basics.tf_and_keras",
        "legacy",
        env={"TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"},
        timeout=300,
    )
    outcome = _last_json_line(done)
    for key, value in outcome.items():
        evidence(key, value)
    assert outcome["TF_USE_LEGACY_KERAS"] == "1"
    if outcome["tf_keras package"] == "not installed":
        # The switch alone: tf.keras cannot be imported, while the `from` spelling still finds Keras 3.
        assert outcome["tf.keras.layers.Dense"] == "ImportError: Keras cannot be imported. Check that it is installed."
        assert outcome["from tensorflow.keras.layers import Dense"] == "keras.layers.Dense of Keras 3"
        pytest.skip("tf_keras is not installed (pip install -e '.[legacy]'): the switch is measured only with it")
    assert outcome["tf.keras.layers.Dense"].startswith("tf_keras.")
    assert outcome["from tensorflow.keras.layers import Dense"].startswith("another class: tf_keras.")
    plain_keras = outcome["import keras gives"]  # the switch leaves `import keras` on Keras 3
    assert plain_keras["module"] == "keras" and int(plain_keras["version"].split(".")[0]) == 3
    assert (
        outcome["from keras.models import Input, Model"]
        == "ImportError: cannot import name 'Input' from 'keras.models'"
    )
    adam = outcome["tf.keras.optimizers.Adam(lr=0.0002)"]
    assert adam["learning rate kept"] == pytest.approx(0.001) and adam["first step size"] == pytest.approx(
        0.001, rel=0.01
    )
    assert adam["logged"] == ["`lr` is deprecated in TF-Keras optimizer"]


@claim(
    "TOC1.1-keras-without-tensorflow",
    section="TOC 1.1",
    says="Keras 3 is multi-backend: it trains a model on JAX or PyTorch without TensorFlow.",
    today="Holds: in a fresh interpreter with KERAS_BACKEND=jax (or torch), importing keras, building, compiling and "
    "fitting a small model never imports tensorflow ('tensorflow' not in sys.modules), and the loss falls "
    "to about 0.1. One catch: keras.utils.set_random_seed imports TensorFlow (to seed it) whenever it is installed, "
    "whatever the backend.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize(
    "backend",
    ["jax", pytest.param("torch", marks=pytest.mark.slow)],  # importing torch alone takes ~8 s here
)
def test_trains_without_tensorflow(backend, evidence):
    if backend not in backends.installed_backends():
        pytest.skip(f"{backend} is not installed (make install-torch)")
    done = backends.run_with_backend(
        backend, "reference.basics.tf_and_keras", "train", "--quiet", env={"TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300
    )
    result = _last_json_line(done)
    evidence("subprocess result", {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()})
    assert result["backend"] == backend
    assert result["tensorflow_imported"] is False
    assert result["last_loss"] < 0.5 * result["first_loss"] and result["accuracy"] >= 0.95
    assert result["tensorflow_imported_after_set_random_seed"] is True


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC1.1-tf-keras-is-keras3": {
        "says": "从 TensorFlow 2.16 起，tf.keras 就是 Keras 3：通过 tf.keras 拿到的类都是 Keras 3 的类。",
        "today": "成立：tf.keras 报告的版本是 Keras 3.15.1；检查的 15 个常用名字（Model、Sequential、Input、Dense、Conv2D、LSTM、"
        "Dropout、Adam、SGD、CategoricalCrossentropy、Accuracy、EarlyStopping、to_categorical、load_model、mnist.load_data）"
        "与 `import keras` 得到的是同一个对象；用 tf.keras 搭建的模型就是一个 keras.Model。",
    },
    "TOC1.1-tf-keras-same-namespace": {
        "qualifier": "常用的类相同，命名空间不同",
        "says": "`from tensorflow import keras` 和 `import keras` 是同一个模块的两个名字，可以互换。",
        "today": "不完全如此：tf.keras 是模块 keras._tf_keras.keras，是 keras 包内部的一个兼容命名空间。它没有 keras.saving"
        "（AttributeError），却保留了 Keras 3 已删掉的 Keras 2 名字：123 个后端函数（tf.keras.backend.batch_dot 等）、"
        "损失函数别名（tf.keras.losses.mse、Reduction），以及旧版层 RandomHeight、RandomWidth、ThresholdedReLU 和它自己的 "
        "AlphaDropout。它的 layers、losses 和 backend 是不同的模块对象；optimizers、callbacks、utils、models 和 ops 则就是 keras 自己的。",
    },
    "TOC1.1-legacy-keras-switch": {
        "qualifier": "只能运行 tf.keras 写的代码，而且其中的 Adam(lr=...) 被忽略",
        "says": "安装 tf_keras 包并设置 TF_USE_LEGACY_KERAS=1，Keras 2 的代码就能在新版 TensorFlow 上继续运行。",
        "today": "只适用于基于 tf.keras 写的代码，而且并不忠实。用 tf_keras 2.21 实测：这个开关把 tf.keras（以及 "
        "`from tensorflow.keras... import`）变成 tf_keras 的 Keras 2 类，但 `import keras`（本教程这类独立 Keras 2 代码的写法）"
        "仍然是 Keras 3，所以其中的 `from keras.models import Input` 照样失败（ImportError）。通过 tf.keras 时，Keras 2 的 "
        "Adam(lr=0.0002) 会悄悄地按默认的 0.001 训练（第一步步长 0.001），只留下一行日志说 `lr` 已弃用。没有安装 tf_keras 包时，"
        "这个开关会让 tf.keras 无法导入（ImportError 'Keras cannot be imported'）。",
    },
    "TOC1.1-keras-without-tensorflow": {
        "says": "Keras 3 支持多后端：它可以在 JAX 或 PyTorch 上训练模型，完全不需要 TensorFlow。",
        "today": "成立：在设置了 KERAS_BACKEND=jax（或 torch）的新解释器中，导入 keras、搭建、编译并训练一个小模型，"
        "始终没有导入 tensorflow（'tensorflow' 不在 sys.modules 中），损失降到约 0.1。一个陷阱：只要装了 TensorFlow，"
        "无论用哪个后端，keras.utils.set_random_seed 都会导入 TensorFlow（为了给它设种子）。",
    },
}
