"""Model construction on Keras 3 (tutorial §3.1): Sequential, Functional, merging, multi-I/O.

The tutorial passes ``input_dim``/``input_shape`` to the first layer and imports
``Input`` from ``keras.models``.  Today the input is declared with ``keras.Input``
(as the first entry of a Sequential model, or as the start of a Functional graph).
"""

from __future__ import annotations

import keras
from keras import layers

# The functions the tutorial names for merging branches, and their layer classes.
MERGE_FUNCTIONS = {
    "concatenate": layers.Concatenate,
    "add": layers.Add,
    "subtract": layers.Subtract,
    "multiply": layers.Multiply,
    "average": layers.Average,
    "maximum": layers.Maximum,
    "minimum": layers.Minimum,
    "dot": layers.Dot,
}


def sequential_classifier(
    input_dim: int = 100, hidden: int = 64, classes: int = 10, dropout: float = 0.5
) -> keras.Sequential:
    """The §3.1 Sequential example: Dense(relu) -> Dropout -> Dense(softmax)."""
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(hidden, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(classes, activation="softmax"),
        ],
        name="sequential_classifier",
    )


def functional_binary_classifier(input_dim: int = 32, hidden: int = 64) -> keras.Model:
    """The §3.1 Functional example: Input -> Dense(relu) -> Dense(sigmoid)."""
    inputs = keras.Input(shape=(input_dim,), name="features")
    x = layers.Dense(hidden, activation="relu")(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="functional_binary_classifier")


def two_branch_merge(how: str, width: int = 8) -> keras.Model:
    """Two inputs, one Dense branch each, merged with the named function."""
    if how not in MERGE_FUNCTIONS:
        raise ValueError(f"unknown merge {how!r}; choose one of {', '.join(MERGE_FUNCTIONS)}")
    a = keras.Input(shape=(width,), name="a")
    b = keras.Input(shape=(width,), name="b")
    left = layers.Dense(width, name="left")(a)
    right = layers.Dense(width, name="right")(b)
    merge = getattr(layers, how)
    merged = merge([left, right], axes=1) if how == "dot" else merge([left, right])
    return keras.Model([a, b], merged, name=f"merge_{how}")


def multi_input_multi_output(text_dim: int = 20, meta_dim: int = 5, classes: int = 3) -> keras.Model:
    """A graph no Sequential model can express: two inputs, shared trunk, two heads."""
    text = keras.Input(shape=(text_dim,), name="text")
    meta = keras.Input(shape=(meta_dim,), name="meta")
    trunk = layers.concatenate([layers.Dense(16, activation="relu")(text), meta])
    trunk = layers.Dense(16, activation="relu")(trunk)
    label = layers.Dense(classes, activation="softmax", name="label")(trunk)
    score = layers.Dense(1, name="score")(trunk)
    return keras.Model(inputs={"text": text, "meta": meta}, outputs={"label": label, "score": score})
