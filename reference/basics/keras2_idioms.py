"""Keras 2 idioms that readers of 2019-era tutorials still type, and what to write on Keras 3 instead.

    python -m reference.basics.keras2_idioms      # runs every row: the old spelling, then the replacement

What it shows: each row of ``IDIOMS`` is one habit from Keras 2 (``fit_generator``, ``predict_classes``,
``lr=``, ``decay=``, ``keras.layers.merge``, ``keras.utils.np_utils``, ``K.function``, ...), how it fails on today's
Keras (the exception class and the start of its message, or the warning it prints), and the code that
does the same job on Keras 3.  The old and the new code are kept as text so that a learner reads
exactly what ``run_snippet`` executes: the table cannot claim a fix that does not run.

Why the outcome kinds differ:

- ``error``: the name is gone; the line raises.
- ``ignored``: Keras 3 accepts the argument, warns once and **ignores it** (``decay=``): the code runs
  but does something else than it says, which is worse than an error.
- ``deprecated``: the spelling still works and only warns (``input_shape=`` on a layer).

Every snippet runs in a namespace made by ``learner_namespace``: ``keras``, ``np``, a small compiled
classifier ``model`` (4 inputs, 3 classes), data ``x`` (16, 4) and integer labels ``y``, a batch of
``images`` (4, 8, 8, 1) and a scratch folder ``folder``.  A replacement snippet leaves its answer in
``result``; ``expected`` is what it must be.
"""

from __future__ import annotations

import re
import tempfile
import textwrap
import warnings
from dataclasses import dataclass

import keras
import numpy as np

from reference import cli

OUTCOMES = ("error", "ignored", "deprecated")


@dataclass(frozen=True)
class Idiom:
    """One Keras 2 habit: the old code, how Keras 3 answers it, and the code to write instead."""

    name: str
    keras2: str  # the old code, as a reader of the tutorial's era would type it
    outcome: str  # "error", "ignored" or "deprecated" (see the module docstring)
    raises: type[BaseException] | type[Warning]  # the exception class, or the warning's category
    message: str  # the start of the error or warning text, as Keras 3.15 prints it (matched literally)
    keras3: str  # the replacement; it leaves its answer in `result`
    expected: object  # what `result` must equal
    old_result: object = None  # for "ignored"/"deprecated": what the old code's `result` is


IDIOMS: list[Idiom] = [
    Idiom(
        "fit_generator",
        keras2="""
            def batches():
                while True:
                    yield x[:8], y[:8]
            model.fit_generator(batches(), steps_per_epoch=4, epochs=1, verbose=0)
        """,
        outcome="error",
        raises=AttributeError,
        message="'Sequential' object has no attribute 'fit_generator'",
        keras3="""
            def batches():
                while True:
                    yield x[:8], y[:8]
            # fit() takes the generator itself; shuffle=False, or Keras warns that it cannot shuffle a generator
            model.fit(batches(), steps_per_epoch=4, epochs=1, shuffle=False, verbose=0)
            result = int(model.optimizer.iterations)
        """,
        expected=4,
    ),
    Idiom(
        "predict_classes",
        keras2="classes = model.predict_classes(x)",
        outcome="error",
        raises=AttributeError,
        message="'Sequential' object has no attribute 'predict_classes'",
        keras3="""
            probabilities = model.predict(x, verbose=0)
            classes = np.argmax(probabilities, axis=-1)   # the most probable class of each row
            result = (classes.shape, classes.dtype.kind, probabilities.shape)
        """,
        expected=((16,), "i", (16, 3)),
    ),
    Idiom(
        "optimizer lr=",
        keras2="optimizer = keras.optimizers.Adam(lr=0.01)",
        outcome="error",
        raises=ValueError,
        message="Argument(s) not recognized: {'lr': 0.01}",
        keras3="""
            optimizer = keras.optimizers.Adam(learning_rate=0.01)
            result = round(float(optimizer.learning_rate), 6)
        """,
        expected=0.01,
    ),
    Idiom(
        "optimizer decay=",
        keras2="""
            optimizer = keras.optimizers.SGD(learning_rate=0.1, decay=0.01)
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
            model.fit(x, y, batch_size=2, epochs=1, verbose=0)              # 8 steps
            result = round(float(optimizer.learning_rate), 6)               # Keras 2: 0.1 / (1 + 0.01 * 8)
        """,
        outcome="ignored",
        raises=UserWarning,
        message="Argument `decay` is no longer supported and will be ignored.",
        old_result=0.1,  # the rate never decays
        keras3="""
            # Keras 2's decay was lr / (1 + decay * step): InverseTimeDecay with decay_steps=1
            schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.01)
            optimizer = keras.optimizers.SGD(learning_rate=schedule)
            model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
            model.fit(x, y, batch_size=2, epochs=1, verbose=0)              # 8 steps
            result = round(float(optimizer.learning_rate), 6)
        """,
        expected=round(0.1 / (1 + 0.01 * 8), 6),
    ),
    Idiom(
        "keras.layers.merge",
        keras2="from keras.layers.merge import concatenate",
        outcome="error",
        raises=ModuleNotFoundError,
        message="No module named 'keras.layers.merge'",
        keras3="""
            from keras.layers import concatenate            # or the layer class keras.layers.Concatenate
            left, right = keras.Input((4,)), keras.Input((3,))
            result = tuple(concatenate([left, right]).shape)
        """,
        expected=(None, 7),
    ),
    Idiom(
        "keras.utils.np_utils",
        keras2="from keras.utils.np_utils import to_categorical",
        outcome="error",
        raises=ModuleNotFoundError,
        message="No module named 'keras.utils.np_utils'",
        keras3="""
            from keras.utils import to_categorical
            result = to_categorical([0, 2], num_classes=3).tolist()
        """,
        expected=[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
    ),
    Idiom(
        "keras.layers.advanced_activations",
        keras2="from keras.layers.advanced_activations import LeakyReLU",
        outcome="error",
        raises=ModuleNotFoundError,
        message="No module named 'keras.layers.advanced_activations'",
        keras3="""
            from keras.layers import LeakyReLU               # its Keras 2 argument alpha= is now negative_slope=
            layer = LeakyReLU(negative_slope=0.1)
            result = keras.ops.convert_to_numpy(layer(np.array([-1.0, 2.0], "float32"))).tolist()
        """,
        expected=[np.float32(-0.1).item(), 2.0],
    ),
    Idiom(
        "ImageDataGenerator",
        keras2="from keras.preprocessing.image import ImageDataGenerator",
        outcome="error",
        raises=ImportError,
        message="cannot import name 'ImageDataGenerator' from 'keras.preprocessing.image'",
        keras3="""
            # augmentation is a stack of layers, active only when training=True (or inside fit())
            augment = keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.1)])
            changed = keras.ops.convert_to_numpy(augment(images, training=True))
            same = keras.ops.convert_to_numpy(augment(images, training=False))
            result = (changed.shape, bool(np.abs(changed - images).max() > 0), bool(np.array_equal(same, images)))
        """,
        expected=((4, 8, 8, 1), True, True),
    ),
    Idiom(
        "lower-case optimizer keras.optimizers.adam",
        keras2="optimizer = keras.optimizers.adam(lr=0.001)",
        outcome="error",
        raises=AttributeError,
        message="module 'keras.optimizers' has no attribute 'adam'",
        keras3="""
            optimizer = keras.optimizers.Adam(learning_rate=0.001)   # classes are capitalised; "adam" works as a string
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            result = (type(optimizer).__name__, type(model.optimizer).__name__)
        """,
        expected=("Adam", "Adam"),
    ),
    Idiom(
        "model.save to a SavedModel folder",
        keras2='model.save(f"{folder}/my_model")                    # Keras 2 on TF 2 wrote a SavedModel folder',
        outcome="error",
        raises=ValueError,
        message="Invalid filepath extension for saving. Please add either a `.keras` extension",
        keras3="""
            model.save(f"{folder}/my_model.keras")             # for serving without Python: model.export(folder)
            restored = keras.saving.load_model(f"{folder}/my_model.keras")
            result = bool(np.array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0)))
        """,
        expected=True,
    ),
    Idiom(
        "K.function to read a layer's output",
        keras2="""
            from keras import backend as K
            read_layer = K.function([model.input], [model.layers[0].output])
        """,
        outcome="error",
        raises=AttributeError,
        message="module 'keras.backend' has no attribute 'function'",
        keras3="""
            # a second model from the same input to the layer wanted: it shares the trained weights
            read_layer = keras.Model(model.inputs, model.layers[0].output)
            result = read_layer.predict(x, verbose=0).shape
        """,
        expected=(16, 3),
    ),
    Idiom(
        "input_shape= on the first layer",
        keras2="""
            model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
            result = tuple(model.output_shape)
        """,
        outcome="deprecated",
        raises=UserWarning,
        message="Do not pass an `input_shape`/`input_dim` argument to a layer.",
        old_result=(None, 3),
        keras3="""
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
            result = tuple(model.output_shape)
        """,
        expected=(None, 3),
    ),
]


def idiom(name: str) -> Idiom:
    """The row of ``IDIOMS`` called ``name``."""
    for row in IDIOMS:
        if row.name == name:
            return row
    raise ValueError(f"no Keras 2 idiom named {name!r}; known: {', '.join(row.name for row in IDIOMS)}")


def learner_namespace(folder: str, seed: int = 0, keras_module=keras) -> dict:
    """What every snippet may use: keras, np, a compiled 4-input 3-class ``model``, ``x``, ``y``, ``images``.

    ``keras_module`` is Keras 3 here; reference.basics.keras2 passes tf_keras (Keras 2) to run the same snippets
    on the same model and data there."""
    rng = np.random.default_rng(seed)
    keras_module.utils.set_random_seed(seed)
    model = keras_module.Sequential([keras_module.Input((4,)), keras_module.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return {
        "keras": keras_module,
        "np": np,
        "model": model,
        "x": rng.normal(size=(16, 4)).astype("float32"),
        "y": rng.integers(0, 3, size=16),
        "images": rng.uniform(size=(4, 8, 8, 1)).astype("float32"),
        "folder": str(folder),
    }


def run_snippet(code: str, namespace: dict) -> dict:
    """Execute one snippet of the table (dedented) in ``namespace``; return the namespace."""
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"expected a snippet of Python code, received {code!r}")
    exec(compile(textwrap.dedent(code).strip() + "\n", "<keras snippet>", "exec"), namespace)  # noqa: S102
    return namespace


def check_old(row: Idiom, folder: str) -> tuple[str, str]:
    """Run the Keras 2 code; return the class name and text of the error or warning it gives (the text must start
    with ``row.message``).

    Raises AssertionError if it does not fail (or warn) the way the table says.
    """
    namespace = learner_namespace(folder)
    if row.outcome == "error":
        try:
            run_snippet(row.keras2, namespace)
        except row.raises as error:
            kind, text = type(error).__name__, str(error)
        else:
            raise AssertionError(f"{row.name}: expected {row.raises.__name__}, but the Keras 2 code ran")
        if not text.startswith(row.message):
            raise AssertionError(f"{row.name}: expected a message starting {row.message!r}, got {text!r}")
        return kind, text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_snippet(row.keras2, namespace)
    texts = [str(w.message) for w in caught if issubclass(w.category, row.raises)]
    if not any(re.match(re.escape(row.message), text) for text in texts):
        raise AssertionError(f"{row.name}: expected a {row.raises.__name__} starting {row.message!r}, got {texts}")
    if namespace.get("result") != row.old_result:
        raise AssertionError(
            f"{row.name}: the old code's result is {namespace.get('result')!r}, not {row.old_result!r}"
        )
    return row.raises.__name__, next(t for t in texts if t.startswith(row.message))


def check_new(row: Idiom, folder: str):
    """Run the Keras 3 replacement; return its ``result`` (the table's ``expected`` value when it works)."""
    namespace = learner_namespace(folder)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_snippet(row.keras3, namespace)
    keras_warnings = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if keras_warnings:
        raise AssertionError(f"{row.name}: the replacement itself warns: {keras_warnings}")
    return namespace["result"]


def main(argv=None) -> None:
    from tqdm import tqdm

    args = cli.parse_args("basics.keras2_idioms", argv)
    rows = IDIOMS[: args.limit]
    with tempfile.TemporaryDirectory() as folder:
        lines = []
        for row in tqdm(rows, desc="Keras 2 idioms"):
            kind, text = check_old(row, folder)
            new = check_new(row, folder)
            old = f"{kind}: {text}"[:70]
            lines.append(f"{row.name:<44} {row.outcome:<10} {old:<72} -> {new!r} (expected {row.expected!r})")
        print("\n".join(lines))
    cli.wrote([])


if __name__ == "__main__":
    cli.run(main)
