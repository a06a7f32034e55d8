"""TensorFlow and Keras today: what ``tf.keras`` is, the legacy switch, and Keras without TensorFlow.

    python -m reference.basics.tf_and_keras train     # train a tiny model on the active backend
    KERAS_BACKEND=jax python -m reference.basics.tf_and_keras train   # ... and TensorFlow is never imported
    python -m reference.basics.tf_and_keras legacy    # what TF_USE_LEGACY_KERAS=1 does without tf_keras

What it shows and why: since TensorFlow 2.16, ``tf.keras`` is served by the Keras 3 package itself
(a compatibility namespace inside ``keras``), so the classes a learner uses through ``tf.keras`` and
through ``import keras`` are the same objects; Keras 2 survives only as the separate ``tf_keras``
package behind the ``TF_USE_LEGACY_KERAS`` switch; and Keras 3 runs on JAX or PyTorch with no
TensorFlow at all.  Nothing at module level imports TensorFlow, so that the last point can be shown
by running this very module in a fresh interpreter (``KERAS_BACKEND`` is read when keras is imported).
"""

from __future__ import annotations

import importlib.util
import json
import operator
import sys

import numpy as np

from reference import cli

# Names a learner reaches through tf.keras every day, as dotted paths below the namespace.
EVERYDAY_NAMES = (
    "Model",
    "Sequential",
    "Input",
    "layers.Dense",
    "layers.Conv2D",
    "layers.LSTM",
    "layers.Dropout",
    "optimizers.Adam",
    "optimizers.SGD",
    "losses.CategoricalCrossentropy",
    "metrics.Accuracy",
    "callbacks.EarlyStopping",
    "utils.to_categorical",
    "models.load_model",
    "datasets.mnist.load_data",
)
SUBMODULES = ("layers", "losses", "backend", "optimizers", "callbacks", "utils", "models", "ops")


def _public(module) -> set[str]:
    return {name for name in dir(module) if not name.startswith("_")}


def same_objects(names=EVERYDAY_NAMES) -> dict[str, bool]:
    """For each dotted name, whether ``tf.keras.<name> is keras.<name>`` (the very same Python object).

    A name missing on either side raises ValueError naming it.
    """
    if isinstance(names, str):
        raise ValueError(f"names must be a sequence of dotted names, got the string {names!r}")
    import keras
    import tensorflow as tf

    found = {}
    for name in names:
        try:
            old, new = operator.attrgetter(name)(tf.keras), operator.attrgetter(name)(keras)
        except AttributeError as error:
            raise ValueError(f"{name!r} is not reachable in both tf.keras and keras: {error}") from None
        found[name] = old is new
    return found


def namespace_differences(submodules=SUBMODULES) -> dict[str, dict]:
    """How ``tf.keras`` differs from ``keras``, top level ("") and per submodule.

    For each: whether it is the same module object, the public names only ``tf.keras`` has, the
    names only ``keras`` has, and the shared names bound to different objects.
    """
    import keras
    import tensorflow as tf

    report = {}
    for sub in ("", *submodules):
        old = operator.attrgetter(sub)(tf.keras) if sub else tf.keras
        new = operator.attrgetter(sub)(keras) if sub else keras
        shared = _public(old) & _public(new)
        report[sub] = {
            "same_module": old is new,
            "module_name": old.__name__,
            "only_tf_keras": sorted(_public(old) - _public(new)),
            "only_keras": sorted(_public(new) - _public(old)),
            "different_objects": sorted(n for n in shared if getattr(old, n) is not getattr(new, n)),
        }
    return report


def _first_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0]}"


def _legacy_adam_lr() -> dict:
    """Keras 2's ``Adam(lr=0.0002)`` through ``tf.keras`` when that is tf_keras: the learning rate it keeps, the
    size of its first step on a one-weight-row model (Adam's first step moves each weight by about the learning
    rate), and what it logs."""
    import logging

    import tensorflow as tf

    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            said.append(record.getMessage())

    handler = Collect()
    logging.getLogger().addHandler(handler)
    try:
        optimizer = tf.keras.optimizers.Adam(lr=0.0002, beta_1=0.5)
    finally:
        logging.getLogger().removeHandler(handler)
    model = tf.keras.Sequential(
        [tf.keras.Input((3,)), tf.keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")]
    )
    model.compile(optimizer=optimizer, loss="mse")
    before = model.get_weights()[0].copy()
    model.train_on_batch(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"))
    return {
        "learning rate kept": float(optimizer.learning_rate.numpy()),
        "first step size": float(np.abs(model.get_weights()[0] - before).max()),
        "logged": [line.split(",")[0] for line in said if "lr" in line],
    }


def legacy_switch_outcome() -> dict:
    """What a learner's usual spellings give in this interpreter (run it with TF_USE_LEGACY_KERAS=1).

    The attribute path is tried first: a successful ``from tensorflow.keras... import`` binds
    ``tf.keras`` to the module it found, which would hide what the lazy attribute does.  With the tf_keras
    package installed it also reports what ``import keras`` is (the switch does not touch it), and what Keras 2's
    ``Adam(lr=...)`` does through ``tf.keras``.
    """
    import os

    import tensorflow as tf

    outcome = {"TF_USE_LEGACY_KERAS": os.environ.get("TF_USE_LEGACY_KERAS", "")}
    installed = importlib.util.find_spec("tf_keras") is not None
    outcome["tf_keras package"] = "installed" if installed else "not installed"
    try:
        dense = tf.keras.layers.Dense
        outcome["tf.keras.layers.Dense"] = f"{dense.__module__}.{dense.__name__}"
    except ImportError as error:
        outcome["tf.keras.layers.Dense"] = _first_line(error)
    try:
        import keras  # noqa: PLC0415  (Keras 3 itself, whatever the switch says)
        from tensorflow.keras.layers import Dense  # noqa: PLC0415  (the spelling under test)

        same = Dense is keras.layers.Dense
        outcome["from tensorflow.keras.layers import Dense"] = (
            "keras.layers.Dense of Keras 3" if same else f"another class: {Dense.__module__}.{Dense.__name__}"
        )
    except ImportError as error:
        outcome["from tensorflow.keras.layers import Dense"] = _first_line(error)
    if installed:
        import keras  # noqa: PLC0415
        import tf_keras  # noqa: PLC0415

        outcome["tf_keras version"] = tf_keras.__version__
        outcome["import keras gives"] = {"module": keras.__name__, "version": keras.__version__}
        try:
            exec("from keras.models import Input, Model", {})
            outcome["from keras.models import Input, Model"] = "imported"
        except ImportError as error:
            outcome["from keras.models import Input, Model"] = _first_line(error).split(" (")[0]
        outcome["tf.keras.optimizers.Adam(lr=0.0002)"] = _legacy_adam_lr()
    return outcome


def separable_points(n: int = 256, seed: int = 0):
    """A tiny learnable task: 2-d points labelled by the side of a line they lie on."""
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("float32")
    return x, y


def train_tiny_model(epochs: int = 20, verbose: int | str = 0, seed: int = 0) -> dict:
    """Train a one-neuron logistic model on ``separable_points`` with the active backend.

    Returns the backend, the first and last epoch loss, the final accuracy, and whether the
    ``tensorflow`` module was imported by then; then calls ``keras.utils.set_random_seed`` and
    reports whether TensorFlow was imported after it.  The model is seeded through its
    initializer (and fit does not shuffle) because ``set_random_seed`` seeds TensorFlow too,
    importing it whenever it is installed, whatever the backend.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    import keras

    x, y = separable_points(seed=seed)
    dense = keras.layers.Dense(1, activation="sigmoid", kernel_initializer=keras.initializers.GlorotUniform(seed=seed))
    model = keras.Sequential([keras.Input((2,)), dense])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=32, shuffle=False, verbose=verbose).history
    result = {
        "backend": keras.backend.backend(),
        "first_loss": float(history["loss"][0]),
        "last_loss": float(history["loss"][-1]),
        "accuracy": float(history["accuracy"][-1]),
        "tensorflow_imported": "tensorflow" in sys.modules,
    }
    keras.utils.set_random_seed(seed)
    result["tensorflow_imported_after_set_random_seed"] = "tensorflow" in sys.modules
    return result


def main(argv=None) -> None:
    args = cli.parse_args("basics.tf_and_keras", argv)
    if args.what == "train":
        result = train_tiny_model(args.epochs, verbose=0 if args.quiet else 1)
    else:
        result = legacy_switch_outcome()
    print(json.dumps(result))  # the last line of output is the result, as JSON


if __name__ == "__main__":
    cli.run(main)
