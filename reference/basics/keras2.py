"""Keras 2, measured: the tutorial's Keras 2 code run on Keras 2 itself, the tf_keras package.

    python -m reference.basics.keras2     # every probe; the last line of output is the result, as JSON

What it shows and why: the tutorial was written for Keras 2.3, and several ledger verdicts rest on what Keras 2
did.  Keras 2 survives only as ``tf_keras`` (``pip install -e '.[legacy]'``; TensorFlow only, one minor version
per TensorFlow release), so each probe runs one construct the way Keras 2 code spells it, on that package, and
reports what happened as data: numbers and names, or an error as ``{"error": class, "message": first line}``.
The spec asserts on those values; nothing here is prose to be parsed back.

Keras 2 code says ``import keras`` and ``from keras.models import ...``; on a machine with Keras 3 those names are
Keras 3's, so each statement runs with its import rewritten to ``tf_keras`` (``as_tf_keras``) and the code that
follows sees ``keras`` bound to ``tf_keras``.  Where tf_keras 2.21 differs from the Keras 2.3 the tutorial names,
it is tf_keras that is measured here (the spec's texts say what 2.3 did): tf_keras is Keras 2 as TensorFlow
2.11+ left it, with the new optimizers (``lr=`` ignored, ``decay=`` refused) and without modules its public API
never exported (``keras.layers.merge``, ``keras.utils.np_utils``).

One interpreter runs every probe (TensorFlow's import alone takes seconds).  Nothing at module level imports
TensorFlow or Keras: ``backend_switch`` must import tf_keras itself, first.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from reference import cli

_IMPORT = re.compile(r"^(\s*)(from|import) keras\b", re.MULTILINE)


def as_tf_keras(code: str) -> str:
    """Keras 2 source with its imports of ``keras`` pointed at the tf_keras package.

    ``from keras.x import y`` becomes ``from tf_keras.x import y``; ``import keras`` becomes
    ``import tf_keras as keras``.  Only import statements change; the rest of the code reads ``keras`` from the
    namespace it runs in.
    """
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"expected Keras 2 source code, received {code!r}")

    def rewrite(match: re.Match) -> str:
        indent, word = match.groups()
        return f"{indent}from tf_keras" if word == "from" else f"{indent}import tf_keras"

    rewritten = _IMPORT.sub(rewrite, code)
    return re.sub(r"^(\s*import tf_keras)\s*$", r"\1 as keras", rewritten, flags=re.MULTILINE)


def _error(error: BaseException, folder: str | None = None) -> dict:
    """An exception as data: its class and the first line of its message (a scratch folder named as <folder>)."""
    lines = str(error).splitlines()
    message = lines[0] if lines else ""
    if folder:
        message = message.replace(str(folder), "<folder>")
    message = re.sub(r" \(/[^()]*\.py\)$", "", message)  # ImportError's file path: where this machine keeps it
    return {"error": type(error).__name__, "message": message[:200]}


@contextmanager
def _heard():
    """Collect what the code says while it runs: Python warnings and log records (tf_keras logs through absl)."""
    said = {"warnings": [], "logged": []}

    class Collect(logging.Handler):
        def emit(self, record):
            said["logged"].append(record.getMessage().splitlines()[0][:160])

    handler = Collect()
    logging.getLogger().addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
            said["warnings"] = [str(w.message).splitlines()[0][:160] for w in caught]
    finally:
        logging.getLogger().removeHandler(handler)


def run_keras2(code: str, namespace: dict, folder: str | None = None) -> dict:
    """Run Keras 2 source (imports rewritten by ``as_tf_keras``) in ``namespace``.

    Returns ``{"ran": True, "warnings": [...], "logged": [...]}`` or the error as data (``_error``).
    """
    import textwrap

    source = as_tf_keras(textwrap.dedent(code).strip() + "\n")
    with _heard() as said:
        try:
            exec(compile(source, "<keras 2 code>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # the probe reports any failure as data
            return _error(error, folder)
    return {"ran": True, **said}


def _data(value):
    """A value as JSON data: tuples become lists, numpy scalars Python numbers, anything else its repr."""
    if isinstance(value, (list, tuple)):
        return [_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


# ---- the probes: each one construct, as Keras 2 code writes it ------------------------------------------------


def backend_switch() -> dict:
    """§2: which version tf_keras is, and whether it has a backend switch.

    Keras 2.3 chose its backend at import from ``KERAS_BACKEND`` (or ``keras.json``): tensorflow, theano or cntk.
    Here ``KERAS_BACKEND=theano`` is set while tf_keras is imported (TensorFlow is imported first: it imports
    Keras 3, which would refuse the name) and ``backend()`` is read.
    """
    if "tf_keras" in sys.modules:
        raise RuntimeError("tf_keras is already imported: backend_switch must import it itself, first")
    import tensorflow  # noqa: F401  (before the switch: TensorFlow imports Keras 3, which reads KERAS_BACKEND too)

    before = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = "theano"
    try:
        import tf_keras
    finally:
        if before is None:
            del os.environ["KERAS_BACKEND"]
        else:
            os.environ["KERAS_BACKEND"] = before
    return {
        "version": tf_keras.__version__,
        "backend() when imported with KERAS_BACKEND=theano": tf_keras.backend.backend(),
    }


def functional_imports() -> dict:
    """§3.1: the Functional example's ``from keras.models import Input, Model``, and ``from keras import ...``."""
    import tf_keras

    found = {}
    for statement in ("from keras.models import Input, Model", "from keras import Input, Model"):
        found[statement] = run_keras2(statement, {"keras": tf_keras})
    found["names in keras.models"] = sorted(n for n in dir(tf_keras.models) if not n.startswith("_"))
    return found


def merge() -> dict:
    """§3.1: the old ``merge`` function, the ``keras.layers.merge`` module, and ``concatenate``."""
    import tf_keras

    found = {}
    for statement in ("from keras.layers import merge", "import keras.layers.merge"):
        found[statement] = run_keras2(statement, {"keras": tf_keras})
    namespace = {"keras": tf_keras}
    outcome = run_keras2(
        """
        from keras.layers import concatenate
        joined = concatenate([keras.Input((4,)), keras.Input((3,))])
        """,
        namespace,
    )
    if "error" not in outcome:
        outcome["output shape"] = _data(tuple(namespace["joined"].shape))
    found["from keras.layers import concatenate"] = outcome
    return found


def _first_adam_step(optimizer_code: str) -> dict:
    """Build an optimizer from Keras 2 code, train one step of a one-row model with it: the learning rate it keeps
    and the size of that first step (Adam's first step moves each weight by about the learning rate)."""
    import tf_keras

    namespace = {"keras": tf_keras}
    outcome = run_keras2(f"optimizer = {optimizer_code}", namespace)
    if "error" in outcome:
        return outcome
    optimizer = namespace["optimizer"]
    model = tf_keras.Sequential(
        [tf_keras.Input((3,)), tf_keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")]
    )
    model.compile(optimizer=optimizer, loss="mse")
    before = model.get_weights()[0].copy()
    model.train_on_batch(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"))
    outcome["learning rate kept"] = float(tf_keras.backend.get_value(optimizer.learning_rate))
    outcome["first step size"] = float(np.abs(model.get_weights()[0] - before).max())
    return outcome


def adam_lr() -> dict:
    """§4.2.3: ``Adam(lr=0.0002, beta_1=0.5)`` as written, and on tf_keras's legacy optimizer (which its log names)."""
    return {
        "Adam(lr=0.0002, beta_1=0.5)": _first_adam_step("keras.optimizers.Adam(lr=0.0002, beta_1=0.5)"),
        "optimizers.legacy.Adam(lr=0.0002, beta_1=0.5)": _first_adam_step(
            "keras.optimizers.legacy.Adam(lr=0.0002, beta_1=0.5)"
        ),
    }


def checkpoints(folder: str) -> dict:
    """§4.2.4: weights saved to ``gan_generator_<epoch>.h5`` and read back; loading ``gan_generator_final.h5``, which
    the loop never writes."""
    import tf_keras

    def small_model():
        return tf_keras.Sequential([tf_keras.Input((4,)), tf_keras.layers.Dense(3), tf_keras.layers.Dense(2)])

    tf_keras.utils.set_random_seed(0)
    namespace = {"keras": tf_keras, "generator": small_model(), "folder": folder}
    saved = run_keras2('generator.save_weights(f"{folder}/gan_generator_0.h5")', namespace, folder)
    found = {'save_weights("gan_generator_0.h5")': saved}
    if "error" in saved:
        return found
    path = Path(folder) / "gan_generator_0.h5"
    saved["files written"] = sorted(p.name for p in Path(folder).iterdir())
    saved["HDF5 file"] = path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    namespace["restored"] = small_model()
    loaded = run_keras2('restored.load_weights(f"{folder}/gan_generator_0.h5")', namespace, folder)
    if "error" not in loaded:
        pairs = zip(namespace["restored"].get_weights(), namespace["generator"].get_weights())
        loaded["largest weight difference"] = max(float(np.abs(a - b).max()) for a, b in pairs)
    found['load_weights("gan_generator_0.h5")'] = loaded
    found['load_weights("gan_generator_final.h5")'] = run_keras2(
        'restored.load_weights(f"{folder}/gan_generator_final.h5")', namespace, folder
    )
    return found


# After an idiom's Keras 2 code runs, what it did, read from its namespace (rows of keras2_idioms.IDIOMS).
_AFTER = {
    "fit_generator": lambda ns: {"optimizer steps": int(ns["model"].optimizer.iterations.numpy())},
    "optimizer lr=": lambda ns: {"learning rate kept": float(ns["optimizer"].learning_rate.numpy())},
    "ImageDataGenerator": lambda ns: {
        "flow() batch shape": _data(
            next(ns["ImageDataGenerator"](horizontal_flip=True).flow(ns["images"], batch_size=4, shuffle=False)).shape
        )
    },
    "model.save to a SavedModel folder": lambda ns: {
        "files in the folder": sorted(os.listdir(os.path.join(ns["folder"], "my_model")))
    },
    "K.function to read a layer's output": lambda ns: {
        "output shape": _data(tuple(ns["read_layer"]([ns["x"]])[0].shape))
    },
}


def _idiom_namespace(folder: str, seed: int = 0) -> dict:
    """keras2_idioms.learner_namespace on tf_keras: the same compiled 4-input 3-class model and data."""
    import tf_keras

    from reference.basics import keras2_idioms  # imports Keras 3 too: after backend_switch

    return keras2_idioms.learner_namespace(folder, seed, keras_module=tf_keras)


def idioms(folder: str, limit: int | None = None) -> dict:
    """TOC 6: each Keras 2 idiom of ``reference.basics.keras2_idioms.IDIOMS``, its old code run on tf_keras.

    Per idiom: the error as data, or ``ran`` with what it warned and logged, its ``result`` when it sets one, and
    what it did (``_AFTER``).
    """
    from reference.basics import keras2_idioms  # imports Keras 3 too: after backend_switch

    found = {}
    for row in keras2_idioms.IDIOMS[:limit]:
        scratch = Path(folder) / re.sub(r"[^A-Za-z0-9]+", "-", row.name)
        scratch.mkdir(parents=True, exist_ok=True)
        namespace = _idiom_namespace(str(scratch))
        outcome = run_keras2(row.keras2, namespace, str(scratch))
        if "error" not in outcome:
            if "result" in namespace:
                outcome["result"] = _data(namespace["result"])
            if row.name in _AFTER:
                outcome.update(_AFTER[row.name](namespace))
        found[row.name] = outcome
    return found


def measure_all(limit: int | None = None) -> dict:
    """Every probe, in one interpreter; ``backend_switch`` first, since it must be what imports tf_keras."""
    report = backend_switch()
    report["functional imports"] = functional_imports()
    report["merge"] = merge()
    report["Adam(lr=...)"] = adam_lr()
    with tempfile.TemporaryDirectory() as folder:
        checkpoint_folder = Path(folder) / "checkpoints"
        checkpoint_folder.mkdir()
        report["checkpoints"] = checkpoints(str(checkpoint_folder))
        report["idioms"] = idioms(str(Path(folder) / "idioms"), limit)
    return report


def main(argv=None) -> None:
    args = cli.parse_args("basics.keras2", argv)
    print(json.dumps(measure_all(args.limit)))  # the last line of output is the result, as JSON


if __name__ == "__main__":
    cli.run(main)
