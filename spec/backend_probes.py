"""Constructs whose verdict depends on the backend, run once per installed backend.

The Keras backend is fixed at import, so the spec runs this module in a fresh
interpreter per backend (``python -m spec.backend_probes NAME``); it prints one JSON line.
"""

import json
import sys

import numpy as np


def bce_on_probabilities():
    """The §4.2 loss choice: BinaryCrossentropy(from_logits=True) applied to sigmoid outputs."""
    import keras

    probabilities = np.array([[0.9], [0.1], [0.6]], "float32")
    targets = np.array([[1.0], [0.0], [1.0]], "float32")
    as_logits = keras.losses.BinaryCrossentropy(from_logits=True)(targets, probabilities)
    as_probabilities = keras.losses.BinaryCrossentropy()(targets, probabilities)
    exact = float(np.mean(-(targets * np.log(probabilities) + (1 - targets) * np.log(1 - probabilities))))
    return {
        "from_logits=True": float(keras.ops.convert_to_numpy(as_logits)),
        "from_logits=False": float(keras.ops.convert_to_numpy(as_probabilities)),
        "exact": exact,
    }


def shared_optimizer():
    """The §4.2 compile step: one Adam instance for the discriminator and the combined model."""
    import keras

    keras.utils.set_random_seed(0)
    d = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    g = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
    optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    d.compile(optimizer=optimizer, loss="binary_crossentropy")
    d.trainable = False
    z = keras.Input((2,))
    combined = keras.Model(z, d(g(z)))
    combined.compile(optimizer=optimizer, loss="binary_crossentropy")
    before = [w.copy() for w in g.get_weights()]
    try:  # the document's order: a discriminator step first, then the combined step
        d.train_on_batch(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"))
        combined.train_on_batch(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"))
    except Exception as error:  # the verdict is the error itself
        return {"combined step": f"{type(error).__name__}: {str(error)[:160]}"}
    change = max(float(np.abs(a - b).max()) for a, b in zip(before, g.get_weights()))
    return {"combined step": "ran", "generator weight change": change}


PROBES = {"bce_on_probabilities": bce_on_probabilities, "shared_optimizer": shared_optimizer}

if __name__ == "__main__":
    print(json.dumps(PROBES[sys.argv[1]]()))
