"""Saving and loading models (table of contents, 1.7): the formats Keras 3 has, and what each keeps.

    python -m reference.basics.persistence       # train, save, reload, resume: resumed == uninterrupted

What it shows:

- ``model.save("name.keras")`` keeps everything: architecture, weights, the compile settings and the
  optimizer's state (its step counter, Adam's moment estimates), so training resumed from the file
  goes on exactly as if it had never stopped (``train_resume_compare``).
- ``model.save_weights("name.weights.h5")`` keeps no architecture (the code must rebuild the model), but
  for a compiled, trained model it keeps the optimizer's variables as well as the weights.
  ``load_weights`` restores them only into an optimizer that is already built; into a fresh one it skips
  them with a warning and the optimizer starts over (``load_weights_and_optimizer`` builds it first).
- ``model.save("name.h5")`` is the legacy HDF5 format: it still works, and Keras logs that it is legacy.
- A custom layer can be reloaded only if Keras can find its class: register it with
  ``@keras.saving.register_keras_serializable()`` (``RegisteredScale``) or pass
  ``custom_objects={"Scale": Scale}`` to ``load_model``; ``Scale`` alone cannot be reloaded.
- ``model.export(folder)`` writes a TensorFlow SavedModel for serving without the Python class
  (``export_for_serving``); Keras 3 reloads it for inference only, with ``keras.layers.TFSMLayer``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist


class Scale(keras.layers.Layer):
    """Multiplies its input by a fixed factor.  Not registered: a saved model that uses it cannot be
    reloaded by ``load_model`` alone (Keras cannot find the class)."""

    def __init__(self, factor: float = 2.0, **kwargs):
        super().__init__(**kwargs)
        if not np.isfinite(factor):
            raise ValueError(f"factor must be a finite number, received {factor!r}")
        self.factor = float(factor)

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable(package="basics")
class RegisteredScale(Scale):
    """The same layer, registered (as ``basics>RegisteredScale``): ``load_model`` finds it by name."""


def small_classifier(
    inputs: int = 784,
    classes: int = 10,
    custom: type[keras.layers.Layer] | None = None,
    seed: int = 0,
    dropout: float = 0.0,
) -> keras.Sequential:
    """Dense(32, relu) -> Dense(classes, softmax), optionally after a ``custom`` scaling layer, and with a
    ``Dropout(dropout)`` between the two when ``dropout`` > 0 (a random layer, as in the tutorial's MLP)."""
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), received {dropout!r}")
    if custom is not None and not (isinstance(custom, type) and issubclass(custom, keras.layers.Layer)):
        raise ValueError(f"custom must be a Layer class, received {custom!r}")
    keras.utils.set_random_seed(seed)
    stack = [keras.Input((inputs,))]
    if custom is not None:
        stack.append(custom(0.5, name="scale"))
    stack += [
        layers.Dense(32, activation="relu", name="hidden"),
        *([layers.Dropout(dropout, name="dropout")] if dropout else []),
        layers.Dense(classes, activation="softmax", name="out"),
    ]
    return keras.Sequential(stack)


def compiled_classifier(
    seed: int = 0, custom: type[keras.layers.Layer] | None = None, dropout: float = 0.0
) -> keras.Sequential:
    """``small_classifier`` compiled with Adam(1e-3), sparse categorical cross-entropy and accuracy."""
    model = small_classifier(custom=custom, seed=seed, dropout=dropout)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_batch(n: int = 512):
    """The first ``n`` MNIST training digits, flattened to [0, 1], with integer labels."""
    if not 0 < n <= 60_000:
        raise ValueError(f"n must be between 1 and 60000, received {n}")
    (images, labels), _ = load_mnist()
    return images[:n].reshape(n, -1).astype("float32") / 255.0, labels[:n].astype("int64")


def save_and_reload(model: keras.Model, path) -> keras.Model:
    """``model.save(path)`` then ``keras.saving.load_model(path)``; ``path`` must end in ``.keras``."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"the native format needs a file name ending in .keras, received {str(path)!r}")
    model.save(path)
    return keras.saving.load_model(path)


def load_weights_and_optimizer(model: keras.Model, path) -> keras.Model:
    """``model.load_weights(path)``, restoring the optimizer state the file holds too.

    Keras 3 writes a compiled model's optimizer variables into ``.weights.h5`` files, but loads them only
    into an optimizer whose variables exist; a freshly compiled model's optimizer is built here first.
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"model {model.name!r} is not compiled: compile it with the same optimizer before loading")
    if not str(path).endswith(".weights.h5"):
        raise ValueError(f"expected a file written by save_weights, ending in .weights.h5; received {str(path)!r}")
    model.optimizer.build(model.trainable_variables)
    model.load_weights(path)
    return model


def train_resume_compare(
    folder,
    first_epochs: int = 2,
    more_epochs: int = 2,
    n: int = 512,
    seed: int = 0,
    verbose: int | str = 0,
    dropout: float = 0.0,
) -> dict:
    """Train, save to ``.keras``, reload, train more; compare with the same training never interrupted.

    Returns the largest weight difference between the resumed and the uninterrupted model, the
    optimizer's step counters, and whether the reloaded model predicted exactly as the saved one.
    ``shuffle=False`` so both runs see the batches in the same order.  With ``dropout`` > 0 the model has a
    Dropout layer: the file does not keep the state of its random-number generator, so the reloaded model draws
    other dropout masks and the two runs part (the returned difference is then above 0).
    """
    x, y = mnist_batch(n)
    uninterrupted = compiled_classifier(seed, dropout=dropout)
    uninterrupted.fit(x, y, epochs=first_epochs, batch_size=64, shuffle=False, verbose=verbose)
    restored = save_and_reload(uninterrupted, Path(folder) / "checkpoint.keras")
    same_predictions = bool(np.array_equal(restored.predict(x, verbose=0), uninterrupted.predict(x, verbose=0)))
    steps_saved = int(keras.ops.convert_to_numpy(restored.optimizer.iterations))
    for model in (uninterrupted, restored):
        model.fit(x, y, epochs=more_epochs, batch_size=64, shuffle=False, verbose=verbose)
    gap = max(float(np.max(np.abs(a - b))) for a, b in zip(uninterrupted.get_weights(), restored.get_weights()))
    return {
        "same_predictions_after_reload": same_predictions,
        "optimizer": type(restored.optimizer).__name__,
        "steps_when_saved": steps_saved,
        "steps_at_end": int(keras.ops.convert_to_numpy(restored.optimizer.iterations)),
        "largest_weight_difference": gap,
    }


def export_for_serving(model: keras.Model, folder) -> Path:
    """``model.export(folder)``: a TensorFlow SavedModel with a ``serve`` endpoint (tensorflow or jax backend)."""
    if keras.backend.backend() not in ("tensorflow", "jax"):
        raise ValueError(
            f"exporting a SavedModel needs the tensorflow or jax backend, this is {keras.backend.backend()}"
        )
    folder = Path(folder)
    model.export(folder, verbose=False)
    return folder


def main(argv=None) -> None:
    args = cli.parse_args("basics.persistence", argv)
    with tempfile.TemporaryDirectory() as folder:
        result = train_resume_compare(folder, first_epochs=args.epochs, more_epochs=args.epochs, n=4096, verbose=1)
    print(
        f"optimizer {result['optimizer']}: steps {result['steps_when_saved']} when saved, {result['steps_at_end']} at the end"
    )
    print(f"reloaded model predicts exactly as the saved one: {result['same_predictions_after_reload']}")
    print(f"largest weight difference, resumed vs uninterrupted: {result['largest_weight_difference']:.3g}")
    cli.wrote([])  # the checkpoints lived in a temporary folder


if __name__ == "__main__":
    cli.run(main)
