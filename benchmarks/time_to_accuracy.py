"""Time to accuracy: how long the reference's own MNIST recipes take to reach a test accuracy, on one device.

    python -m benchmarks.time_to_accuracy --device cpu --out build/bench/cpu.jsonl
    python -m benchmarks.time_to_accuracy --device gpu --out build/bench/gpu.jsonl --budget-s 60

The targets of issue 24: the §4.1 MLP to 98% and the chapter 2 convnet to 99% test accuracy (all 10,000 test
digits).  Each model trains with its reference recipe (``RECIPES``) in one ``fit`` call; after every epoch a
callback evaluates the test digits and stops the call at the first epoch that reaches the target, at the cap
(``--max-epochs``, default the recipe's own epochs) or when the budget is spent.

What a row records (one JSON line per model, ``kind: "accuracy"``, beside ``benchmarks.run``'s rows):

- ``seconds_to_target``: wall seconds from the ``fit`` call to the end of the epoch that reached the target,
  compilation included, the per-epoch test evaluations left out (``None`` when not reached); ``epoch_train_s``
  the same at the end of every epoch; ``train_s`` the whole call less the evaluations (its tear-down too),
  ``wall_s`` the whole call;
- ``epochs``, ``accuracy`` (the last evaluation), ``epoch_test_accuracy``, ``reached`` and ``stopped``
  (``target``, ``max_epochs`` or ``budget``);
- the machine, as every ``benchmarks.run`` row: load average, CPU affinity, thread counts, how busy the other
  processes kept the machine (``loaded``), and the memory high-water marks (``benchmarks.run.memory``).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

from benchmarks import run
from reference import cli


@dataclass(frozen=True)
class Recipe:
    model: str
    target: float
    epochs: int  # the recipe's own length: the default cap
    batch: int
    words: str  # how it trains, for the row and the summary


RECIPES = {
    "mnist_mlp": Recipe(
        "mnist_mlp", 0.98, 40, 128,
        "reference.mnist_mlp's tutorial recipe: build_mlp, adam, batch 128, 59,000 training digits (the first "
        "1,000 held out as the recipe does)",
    ),
    "mnist_convnet": Recipe(
        "mnist_convnet", 0.99, 6, 128,
        "reference.vision.cnn.train_convnet's recipe: build_convnet, adam 3e-3 with cosine decay to 0 over the "
        "cap, batch 128, all 60,000 training digits",
    ),
}  # fmt: skip


def prepared(recipe: Recipe, max_epochs: int):
    """(model compiled as its recipe does, (x, y) to train on, (x, y) to test on)."""
    import keras

    from reference import mnist_mlp
    from reference.data import load_mnist
    from reference.vision import cnn

    if recipe.model == "mnist_mlp":
        (x, y), test = mnist_mlp.prepared_mnist()
        model = mnist_mlp.build_mlp()
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return model, (x[1000:], y[1000:]), test
    (x, y), (x_test, y_test) = load_mnist()
    model = cnn.build_convnet()
    steps = max_epochs * math.ceil(len(x) / recipe.batch)  # the schedule spans the cap as the recipe's spans its run
    schedule = keras.optimizers.schedules.CosineDecay(3e-3, decay_steps=steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return model, (cnn.to_images(x), y), (cnn.to_images(x_test), y_test)


def train_to_target(model, train, test, target: float, max_epochs: int, batch: int, deadline: float, progress=None):
    """Fit ``model`` epoch by epoch until its accuracy on ``test`` reaches ``target``; the timings and accuracies.

    ``deadline`` (``time.monotonic()``) stops the call at the end of the running training step; ``progress`` is
    called after each epoch with (epoch, test accuracy)."""
    import keras

    state = {"accuracy": [], "train_s": [], "eval_s": 0.0, "stopped": "max_epochs"}

    class UntilTarget(keras.callbacks.Callback):
        # at a batch's beginning, not its end: Keras hands a batch-end hook the step's logs, read on the host
        # (a synchronisation every step); the flag set here still stops the call after this batch
        def on_train_batch_begin(self, step, logs=None):
            if time.monotonic() > deadline:
                self.model.stop_training, state["stopped"] = True, "budget"

        def on_epoch_end(self, epoch, logs=None):
            trained = time.perf_counter() - start - state["eval_s"]
            if state["stopped"] == "budget":  # an epoch cut short is not evaluated
                return
            before = time.perf_counter()
            accuracy = self.model.evaluate(*test, batch_size=1000, verbose=0, return_dict=True)["accuracy"]
            state["eval_s"] += time.perf_counter() - before
            state["accuracy"].append(float(accuracy))
            state["train_s"].append(round(trained, 3))
            if progress:
                progress(epoch + 1, float(accuracy))
            if accuracy >= target:
                self.model.stop_training, state["stopped"] = True, "target"

    start = time.perf_counter()
    model.fit(*train, batch_size=batch, epochs=max_epochs, verbose=0, callbacks=[UntilTarget()])
    wall = time.perf_counter() - start
    accuracies = state["accuracy"]
    return {
        "reached": state["stopped"] == "target",
        "stopped": state["stopped"],
        "epochs": len(accuracies),
        "accuracy": accuracies[-1] if accuracies else None,
        "epoch_test_accuracy": accuracies,
        "epoch_train_s": state["train_s"],
        "seconds_to_target": state["train_s"][-1] if state["stopped"] == "target" else None,
        "train_s": round(wall - state["eval_s"], 3),
        "eval_s": round(state["eval_s"], 3),
        "wall_s": round(wall, 3),
    }


def parser() -> cli.Parser:
    p = cli.Parser(
        prog="python -m benchmarks.time_to_accuracy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--device", choices=["cpu", "gpu"], required=True)
    p.add_argument("--out", type=cli.writable_file, required=True, help="JSON-lines file, appended to")
    p.add_argument("--models", nargs="+", choices=list(RECIPES), default=list(RECIPES), help="default: both")
    p.add_argument("--max-epochs", type=cli.positive_int, help="cap on epochs (default: each recipe's own)")
    p.add_argument("--budget-s", type=cli.positive_float, default=3600, help="stop training after this many seconds")
    p.add_argument("--seed", type=cli.seed, default=0)
    p.add_argument("--machine", help="a label for this machine (default: cores, CPU model, GPU)")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    deadline = time.monotonic() + args.budget_s
    run.hide_modules()
    emit = run.row_writer(args.out, args.device, args.machine)
    backend, ready = run.keras_backend(args.device, emit)
    if not ready or backend is None:
        return 0
    import keras

    from reference import backends

    try:
        from tqdm import tqdm
    except ImportError:  # a bare GPU host: plain lines only
        tqdm = None

    emit({"kind": "host", "device": args.device, "backend": backend, "versions": run.versions(),
          "argv": sys.argv[1:], **run.machine_state()})  # fmt: skip
    for name in args.models:
        recipe = RECIPES[name]
        cap = args.max_epochs or recipe.epochs
        if time.monotonic() > deadline:
            emit({"kind": "cut", "device": args.device, "reason": "budget spent", "not_run": [f"{name} to accuracy"]})
            break
        run.reset_memory(args.device)
        state, meter = run.machine_state(), run.LoadMeter()
        keras.utils.set_random_seed(args.seed)
        label = f"{args.device} {backend} {name} to {recipe.target:.0%}"
        # a bar on a terminal; in a log (device_run.sh's run.log) one plain line per epoch instead
        bar = tqdm(total=cap, desc=label, unit="epoch") if tqdm and sys.stderr.isatty() else None

        def progress(epoch, accuracy, bar=bar, label=label):
            if bar is None:
                print(f"{label}: epoch {epoch}, test accuracy {accuracy:.4f}", flush=True)
                return
            bar.update(1)
            bar.set_postfix(test=f"{accuracy:.4f}")

        with keras.device(backends.resolve_device(args.device)):
            model, train, test = prepared(recipe, cap)
            result = train_to_target(model, train, test, recipe.target, cap, recipe.batch, deadline, progress)
        if bar is not None:
            bar.close()
        emit({"kind": "accuracy", "backend": backend, "device": args.device, "model": name, "target": recipe.target,
              "max_epochs": cap, "batch": recipe.batch, "seed": args.seed, "recipe": recipe.words, **result,
              **state, **meter.read(), **run.memory(args.device)})  # fmt: skip
        verdict = (
            f"{recipe.target:.0%} in {result['seconds_to_target']:.1f} s, epoch {result['epochs']}"
            if result["reached"]
            else f"{recipe.target:.0%} not reached ({result['stopped']}) after {result['epochs']} epochs"
        )
        last = "none evaluated" if result["accuracy"] is None else f"{result['accuracy']:.4f}"
        print(f"{args.device} {backend} {name} to accuracy: {verdict}, test accuracy {last}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
