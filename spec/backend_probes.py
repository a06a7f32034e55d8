"""Constructs whose verdict depends on the backend, run once per installed backend.

The Keras backend is fixed at import, so the spec runs this module in a fresh
interpreter per backend (``python -m spec.backend_probes all``, every probe in one start-up, or one ``NAME``);
it prints one JSON line.
Each probe builds what a learner builds (a compiled model, train_on_batch/evaluate), as
the §4.2 code does, and reports what happened as data: numbers, or an error as
``{"error": class name, "message": first line}``.  The claims assert on those values; the
ledger formats them.
"""

import json
import sys
import warnings

import numpy as np


def _error(error: Exception) -> dict:
    """An exception as data: its class and the first line of its message."""
    lines = str(error).splitlines()
    return {"error": type(error).__name__, "message": lines[0][:200] if lines else ""}


def _tiny_discriminator(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])


def bce_on_probabilities():
    """§4.2.3: BinaryCrossentropy(from_logits=True) as the loss of a model that ends in a sigmoid.

    Measured through ``compile`` + ``evaluate`` (the learner's path), against the exact
    cross-entropy of the model's own predicted probabilities.
    """
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[1.0], [-2.0], [0.5]], "float32"), np.array([0.1], "float32")])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (rng.random((64, 1)) > 0.5).astype("float32")
    p = model.predict(x, verbose=0).astype("float64")
    exact = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
    result = {"exact cross-entropy": exact}
    for from_logits in (True, False):
        model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=from_logits))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result[f"evaluate, from_logits={from_logits}"] = float(model.evaluate(x, y, verbose=0))
        said = [str(w.message) for w in caught if "from_logits" in str(w.message)]
        result[f"warning, from_logits={from_logits}"] = said[0][:140] if said else None
    return result


def shared_optimizer():
    """§4.2.3: one Adam instance given to compile() of the discriminator and of the combined model.

    Stepped as the document orders it (D on a batch, then the combined model), twice:
    as written (D frozen once, before compiling the combined model) and with the freezing
    corrected (D.trainable switched on for D's step and off for the combined step).
    """
    import keras

    outcome = {}
    for variant in ("as written", "with corrected freezing"):
        discriminator = _tiny_discriminator()
        generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])
        optimizer = keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
        discriminator.compile(optimizer=optimizer, loss="binary_crossentropy")
        discriminator.trainable = False
        z = keras.Input((2,))
        combined = keras.Model(z, discriminator(generator(z)))
        combined.compile(optimizer=optimizer, loss="binary_crossentropy")
        ones = np.ones((8, 1), "float32")
        try:
            for _ in range(2):
                if variant == "with corrected freezing":
                    discriminator.trainable = True
                discriminator.train_on_batch(np.ones((8, 4), "float32"), ones)
                discriminator.trainable = False  # as written, it stays False throughout
                combined.train_on_batch(np.ones((8, 2), "float32"), ones)
            outcome[variant] = {"ran": True}
        # The verdict is the error itself.  Keras <= 3.12 raised NotImplementedError while formatting this same
        # refusal (the optimizer's variable lookup), so both classes mean "the shared optimizer was refused".
        except (ValueError, NotImplementedError) as error:
            outcome[variant] = _error(error)
    return outcome


def freezing():
    """§4.2.3: when does ``trainable = False`` take effect on a compiled model?

    Three situations: the document's order (frozen after compile, before the first step);
    trained once, then frozen; frozen, then compiled again.
    """

    x, y = np.ones((8, 4), "float32"), np.ones((8, 1), "float32")

    def step_change(model):
        before = [w.copy() for w in model.get_weights()]
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.train_on_batch(x, y)
        except ValueError as error:
            return _error(error)
        change = max(float(np.abs(a - b).max()) for a, b in zip(before, model.get_weights()))
        said = [str(w.message) for w in caught if "trainable" in str(w.message)]
        return {"weight change": change, "warning": said[0] if said else None}

    outcome = {}
    model = _tiny_discriminator()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.trainable = False
    outcome["frozen after compile, first step"] = step_change(model)
    model = _tiny_discriminator()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.train_on_batch(x, y)
    model.trainable = False
    outcome["trained once, then frozen"] = step_change(model)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    outcome["frozen, then compiled again"] = step_change(model)
    return outcome


PROBES = {"bce_on_probabilities": bce_on_probabilities, "shared_optimizer": shared_optimizer, "freezing": freezing}


def run_all() -> dict:
    """Every probe in this one interpreter (one engine start-up, not three), each probe's result under its name.

    A probe that raises something unplanned is recorded as ``{"crashed": traceback}``: its own claim is broken,
    the other probes still report."""
    import traceback

    results = {}
    for name, probe in PROBES.items():
        try:
            results[name] = probe()
        except Exception:  # noqa: BLE001 - the claim that asked for this probe reports it as broken
            results[name] = {"crashed": traceback.format_exc(limit=4)[-1500:]}
    return results


if __name__ == "__main__":
    print(json.dumps(run_all() if sys.argv[1:] == ["all"] else PROBES[sys.argv[1]]()))
