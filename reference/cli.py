"""The command line every runnable example shares (``python -m reference.<example>`` or ``python -m reference``).

One parser per example, declared here and not in the example's module, so that a wrong flag or ``--help`` is
answered before Keras (and TensorFlow, 10-20 s) is imported: ``reference/__init__.py`` parses the command line
as soon as ``python -m reference.<example>`` starts, and the example's ``main`` parses it again, cheaply.

- Values are checked by type: a count of epochs, steps, devices or images must be a positive integer; a bad
  value stops the run with one line (``error: argument --epochs: must be a positive integer, received '0'``)
  and exit status 2, never a traceback.
- One flag per meaning: ``--out DIR`` is where every example writes (created if missing, refused if it cannot
  be written) and it is checked before any training starts. Older names (``--save FILE``, ``--write``,
  ``--figure FILE``) still work but are not advertised.
- Every example can be shortened (``--epochs``, ``--steps``, ``--n``, ``--rows``, ``--limit``) and says at the
  end what it wrote where.
- A backend that is not installed (``KERAS_BACKEND=torch`` without PyTorch) is refused in one line naming its
  install command; TensorFlow's C++ start-up log is silenced, on every backend (``quiet_engine_logs``).
- Ctrl-C stops at the end of the running training step and keeps what was trained: the history so far (every
  ``fit``'s finished epochs and steps), the seeds finished so far, and the samples a GAN draws as it stands, in
  ``--out`` (else ./build/interrupted); it says so in one line and exits with status 130 (``Training``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.abc
import importlib.util
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Before anything imports TensorFlow: its C++ start-up log (cuInit errors on a machine without a GPU, oneDNN
# notices) reads to a learner like a failure.  A value the user set is kept (and then so is the log).
_USER_TF_LOG_LEVEL = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

INTERRUPTED_STATUS = 130  # what a shell reports for a program stopped by Ctrl-C (128 + SIGINT)
MEASUREMENTS = "docs/measurements"


# ---- argument types: each refuses what makes no sense with one line ---------------------------------------


def _number(convert: Callable[[str], float], accept: Callable[[float], bool], wanted: str, name: str):
    """An argparse type: ``convert`` the text, keep it if ``accept`` says so, else one line saying what is wanted."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"must be {wanted}, received {text!r}")
        return value

    parse.__name__ = name  # argparse names the type in its messages
    return parse


positive_int = _number(int, lambda v: v >= 1, "a positive integer", "positive integer")  # epochs, steps, devices
seed = _number(int, lambda v: v >= 0, "an integer >= 0", "seed")  # a random seed
positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive number", "positive number")  # a width


def int_between(low: int, high: int) -> Callable[[str], int]:
    """An integer in [low, high], for counts bounded by a dataset (``--n`` of 60,000 MNIST images)."""
    return _number(int, lambda v: low <= v <= high, f"an integer from {low} to {high}", f"integer from {low} to {high}")


def writable_dir(text: str) -> Path:
    """A folder the example can write to: created if missing, refused (before any training) if it cannot be."""
    path = Path(text).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise argparse.ArgumentTypeError(f"cannot write to {str(path)!r}: {reason}") from None
    return path


def writable_file(text: str) -> Path:
    """A file path whose folder can be written to (created if missing); the file itself is written at the end."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path)!r} is a folder; give a file name")
    writable_dir(str(path.parent))
    return path


# ---- the parser -------------------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``prog: error: message (see --help)``, exit status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _seeds(parser: Parser) -> None:
    parser.add_argument("--seeds", type=seed, nargs="+", default=[0], metavar="SEED", help="seeds to run (default 0)")


def _seed(parser: Parser) -> None:
    parser.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")


def _out(parser: Parser, default: str | None, what: str) -> None:
    shown = f"default {default}" if default else "default: nothing is written"
    parser.add_argument("--out", type=writable_dir, default=default, metavar="DIR", help=f"folder for {what} ({shown})")


def _hidden_save(parser: Parser) -> None:  # the older spelling, kept because docs/measurements records it
    parser.add_argument("--save", type=writable_file, default=None, help=argparse.SUPPRESS)


def _hidden_write(parser: Parser) -> None:  # older spelling of --out docs/measurements
    parser.add_argument("--write", dest="out", action="store_const", const=Path(MEASUREMENTS), help=argparse.SUPPRESS)


def _hidden_figure(parser: Parser) -> None:  # older spelling: a file path instead of a folder
    parser.add_argument("--figure", type=writable_file, default=None, help=argparse.SUPPRESS)


def _epochs(parser: Parser, default: int | None, what: str = "training epochs") -> None:
    parser.add_argument("--epochs", type=positive_int, default=default, help=f"{what} (default {default})")


def _steps(parser: Parser, default: int) -> None:
    parser.add_argument("--steps", type=positive_int, default=default, help=f"training steps (default {default})")


# What each example accepts.  Its main() reads the same parser through parse_args(name, argv).


def _mnist_mlp(p: Parser) -> None:
    p.add_argument("--recipe", choices=("tutorial", "classic"), default="tutorial")
    p.add_argument("--epochs", type=positive_int, default=None, help="default: 40 (tutorial) or 20 (classic)")
    _seed(p)


def _distributed(p: Parser) -> None:
    p.add_argument(
        "--devices",
        type=positive_int,
        nargs="+",
        default=[2],
        help="devices to split each batch over (default 2); several counts train once each, one JSON line per count",
    )
    _epochs(p, 3)
    _seed(p)
    p.add_argument("--weights", action="store_true", help="include every trained weight in the JSON line")


def _tf_and_keras(p: Parser) -> None:
    p.add_argument("what", choices=("train", "legacy"), help="train a tiny model, or probe the legacy switch")
    _epochs(p, 20)
    p.add_argument("--quiet", action="store_true", help="no progress bar (for use from the spec)")


def _workflow(p: Parser) -> None:
    p.add_argument("--train", type=int_between(1, 60000), default=2000, help="training images (default 2000)")
    _epochs(p, 5)
    _seeds(p)
    _out(p, None, "the per-seed results, ch1_workflow_seeds.json")
    _hidden_save(p)


def _training_curves(p: Parser) -> None:
    p.add_argument("experiment", choices=("labels", "lr-sweep", "overfit", "shuffle"))
    p.add_argument("--epochs", type=positive_int, default=None, help="epochs (default: the experiment's own)")
    _seeds(p)
    _out(p, None, "the per-seed results, ch1_<experiment>_seeds.json")
    _hidden_save(p)


def _splits(p: Parser) -> None:
    p.add_argument(
        "--n", type=int_between(10, 60000), default=5000, help="first n MNIST training images (default 5000)"
    )


def _batch_size(p: Parser) -> None:
    _epochs(p, 3, "epochs at each batch size")
    _seeds(p)
    _out(p, None, "the per-seed results, ch1_batch_size_seeds.json")
    _hidden_save(p)


def _augmentation(p: Parser) -> None:
    _epochs(p, 40)
    _seeds(p)
    _out(p, None, "the per-seed results, ch1_augmentation_seeds.json")
    _hidden_save(p)


REGULARISATION_EPOCHS = 30  # the dropout comparison's epochs, as measured in docs/measurements
COMPILE_SETTINGS_EPOCHS = 2  # epochs under each execution setting, as measured


def _regularisation(p: Parser) -> None:
    _epochs(p, REGULARISATION_EPOCHS, "epochs of the dropout comparison")
    _seeds(p)
    _out(p, None, "the three seed reports (dropout, vanishing gradient, L2)")
    _hidden_write(p)


def _compile_settings(p: Parser) -> None:
    _epochs(p, COMPILE_SETTINGS_EPOCHS, "epochs under each execution setting")
    _seeds(p)
    _out(p, None, "the seed report, ch1_execution_modes_seeds.json")
    _hidden_write(p)


def _reports_at_measured_epochs(measured: int) -> Callable[[Parser, argparse.Namespace], None]:
    """A seed report is measured at the settings the spec's thresholds cite: --epochs shortens a look, not a report."""

    def check(parser: Parser, args: argparse.Namespace) -> None:
        if args.out is not None and args.epochs != measured:
            parser.error(f"--epochs {args.epochs} cannot go with --out: the seed reports are measured at {measured}")

    return check


def _persistence(p: Parser) -> None:
    _epochs(p, 3, "epochs before and after the checkpoint")


def _keras2_idioms(p: Parser) -> None:
    p.add_argument("--limit", type=positive_int, default=None, help="check only the first LIMIT idioms")


def _keras2(p: Parser) -> None:
    p.add_argument("--limit", type=positive_int, default=None, help="run only the first LIMIT idioms on Keras 2")


def _cnn(p: Parser) -> None:
    _epochs(p, 6)
    p.add_argument("--train-size", type=int_between(1, 60000), default=None, help="training images (default all)")
    _seed(p)
    _out(p, "build/vision", "the filters figure, convnet_filters.png")
    _hidden_figure(p)


def _transfer(p: Parser) -> None:
    p.add_argument(
        "--epochs", type=positive_int, default=None, help="epochs of every stage (default 2 per task, 20 few-label)"
    )
    _seed(p)
    _out(p, "build/vision", "the curves, transfer.png")
    _hidden_figure(p)


def _detection(p: Parser) -> None:
    _epochs(p, 5)
    _seed(p)
    _out(p, "build/vision", "the boxes, detection.png")
    _hidden_figure(p)


def _rnn(p: Parser) -> None:
    p.add_argument("task", choices=("memory", "mnist-rows"))
    p.add_argument("--epochs", type=positive_int, default=None, help="epochs (default 10 memory, 2 mnist-rows)")
    _seed(p)
    _out(p, "build/sequence", "the curves, adding_problem.png")
    _hidden_figure(p)


def _text_generation(p: Parser) -> None:
    _epochs(p, 4)
    _seed(p)
    _out(p, "build/sequence", "the samples, text_samples.png")
    _hidden_figure(p)


def _dcgan(p: Parser) -> None:
    _steps(p, 2000)
    p.add_argument("--width", type=positive_float, default=0.25, help="filters multiplier (default 0.25)")
    _seed(p)
    _out(p, "build/dcgan", "the samples, samples.png")


def _gan_training(steps: int, figure: str) -> Callable[[Parser], None]:
    def add(p: Parser) -> None:
        _steps(p, steps)
        _seed(p)
        _out(p, "build/gans", f"the figure, {figure}")

    return add


def _style_transfer(p: Parser) -> None:
    photos = ("cat", "astronaut", "coffee", "stained_tissue", "flower", "china")
    p.add_argument("--content", choices=photos, default="cat", help="a bundled photo (default cat)")
    p.add_argument("--style", choices=photos, default="stained_tissue", help="a bundled photo (default stained_tissue)")
    _steps(p, 100)
    p.add_argument("--size", type=int_between(32, 512), default=128, help="image side in pixels (default 128)")
    p.add_argument("--style-weight", type=positive_float, default=1.0, help="style loss weight (default 1.0)")
    _out(p, "build/gans", "the figure, style_transfer.png")


def _digit_recognizer(p: Parser) -> None:
    p.add_argument(
        "--rows", type=int_between(100, 42000), default=9000, help="training rows cross-validated (default 9000)"
    )
    p.add_argument("--folds", type=int_between(2, 10), default=3, help="cross-validation folds (default 3)")
    _epochs(p, 3)
    _seed(p)
    _out(p, "build/kaggle/digit-recognizer", "the competition CSVs and submission.csv")


@dataclass(frozen=True)
class Example:
    name: str  # the module under reference/, e.g. "gans.dcgan"
    summary: str
    arguments: Callable[[Parser], None]
    check: Callable[[Parser, argparse.Namespace], None] | None = None  # flags that cannot go together

    @property
    def module(self) -> str:
        return f"reference.{self.name}"


EXAMPLES = {
    e.name: e
    for e in (
        Example("mnist_mlp", "§4.1 the tutorial's MNIST MLP, test accuracy", _mnist_mlp),
        Example("distributed", "§2 data-parallel training over several devices (JAX backend)", _distributed),
        Example(
            "basics.tf_and_keras", "TOC 1.1 a tiny model on any backend; the legacy tf_keras switch", _tf_and_keras
        ),
        Example("basics.workflow", "TOC 1.2 the whole workflow: data, model, fit, evaluate, predict", _workflow),
        Example(
            "basics.training_curves", "TOC 1.3 learning rates, random labels, overfitting, shuffling", _training_curves
        ),
        Example("basics.splits", "TOC 1.3 a tail split of sorted data against a stratified split", _splits),
        Example("basics.batch_size", "TOC 1.3 batch size and the learning rate", _batch_size),
        Example("basics.augmentation", "TOC 1.4 data augmentation on 1,000 MNIST images", _augmentation),
        Example(
            "basics.regularisation",
            "TOC 1.5 dropout, vanishing gradients, L2",
            _regularisation,
            _reports_at_measured_epochs(REGULARISATION_EPOCHS),
        ),
        Example(
            "basics.compile_settings",
            "TOC 1.6 jit_compile, run_eagerly, steps_per_execution",
            _compile_settings,
            _reports_at_measured_epochs(COMPILE_SETTINGS_EPOCHS),
        ),
        Example("basics.persistence", "TOC 1.7 save, reload and resume training", _persistence),
        Example("basics.keras2_idioms", "FAQ Keras 2 idioms and their Keras 3 forms", _keras2_idioms),
        Example(
            "basics.keras2",
            "the tutorial's Keras 2 code run on Keras 2 (tf_keras, pip install -e '.[legacy]')",
            _keras2,
        ),
        Example("vision.cnn", "TOC 2.1 Keras's MNIST convnet, its first-layer filters", _cnn),
        Example("vision.transfer", "TOC 2.3 transfer: digits 0-4, then 5-9 on frozen features", _transfer),
        Example("vision.detection", "TOC 2.3 one-digit detector: a box and a class", _detection),
        Example("sequence.rnn", "TOC 2.2 SimpleRNN, LSTM, GRU on the adding problem; MNIST rows", _rnn),
        Example(
            "sequence.text_generation", "TOC 2.4 a character LSTM writes text at several temperatures", _text_generation
        ),
        Example("gans.dcgan", "§4.2 DCGAN on MNIST, a grid of samples", _dcgan),
        Example("gans.conditional_gan", "TOC 4.3 conditional GAN: digits on demand", _gan_training(400, "cgan.png")),
        Example("gans.style_transfer", "TOC 4.3 Gatys style transfer (random VGG16-shaped weights)", _style_transfer),
        Example(
            "gans.cartoon",
            "TOC 4.3 faces to cartoons: an unpaired CycleGAN (~1 min)",
            _gan_training(1200, "cartoon.png"),
        ),
        Example("kaggle.digit_recognizer", "TOC 5 the Digit Recognizer competition, offline", _digit_recognizer),
    )
}


def _docstring(module: str) -> str | None:
    """A module's docstring, read from its source without importing it (which would import Keras)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return None
    return ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8")))


def parser(name: str) -> Parser:
    """The parser of one example (``name`` as in ``EXAMPLES``)."""
    example = EXAMPLES[name]
    result = Parser(
        prog=f"python -m {example.module}",
        description=_docstring(example.module) or example.summary,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    example.arguments(result)
    return result


def parse_args(name: str, argv=None) -> argparse.Namespace:
    """Check the backend, then parse (and check) an example's command line; exits with status 2 on a bad one.

    The example and its arguments are remembered: an interrupted run keeps what it trained in their ``--out``."""
    global _CURRENT
    require_backend_or_exit()
    result = parser(name)
    args = result.parse_args(argv)
    check = EXAMPLES[name].check
    if check is not None:
        check(result, args)
    _CURRENT = (name, args)
    return args


def require_backend_or_exit() -> None:
    """Stop in one line (exit status 2, as for a bad flag) if ``KERAS_BACKEND`` names an unknown backend or one
    whose engine is not installed."""
    from reference.backends import require_backend

    try:
        require_backend(os.environ.get("KERAS_BACKEND", "tensorflow"))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)


def answer_early() -> None:
    """Called by ``reference/__init__.py`` while ``python -m reference.<example>`` is starting: a wrong flag,
    ``--help`` or a missing backend is answered now, before the example's module imports Keras."""
    argv = getattr(sys, "orig_argv", [])
    if "-m" not in argv:
        return
    at = argv.index("-m")
    module = argv[at + 1] if at + 1 < len(argv) else ""
    name = module.removeprefix("reference.")
    if not module.startswith("reference.") or name not in EXAMPLES:
        return
    parse_args(name, argv[at + 2 :])
    quiet_engine_logs()


# ---- TensorFlow's C++ start-up log --------------------------------------------------------------------------


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """Imports ``tensorflow``, whenever something first does, with the process's stderr pointed at /dev/null.

    Its shared libraries log while they load, through absl before absl is initialised, and that ignores
    TF_CPP_MIN_LOG_LEVEL (``I0000 ... cudart_stub.cc:31] Could not find cuda drivers on your machine``, once per
    library).  On the TensorFlow backend ``import keras`` imports it; on JAX and PyTorch Keras imports it later,
    for ``keras.utils.set_random_seed`` and tf.data, so the import is caught when it happens rather than forced.
    An error still surfaces: a failed import raises its Python exception once stderr is back."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once, and so that the search below finds the real module
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            load = spec.loader.exec_module

            def exec_module(module):
                with _stderr_silenced():
                    load(module)

            spec.loader.exec_module = exec_module
        return spec


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """File descriptor 2 (what C++ libraries write to, not only Python's sys.stderr) sent to /dev/null."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def quiet_engine_logs() -> None:
    """Silence TensorFlow's C++ start-up log in an example's process, unless the user set TF_CPP_MIN_LOG_LEVEL
    below 3 (to read it).  Called while ``python -m reference...`` starts, never by a test run."""
    if _USER_TF_LOG_LEVEL not in (None, "3") or "tensorflow" in sys.modules:
        return
    if not any(isinstance(finder, _QuietTensorFlowImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())


def output(args: argparse.Namespace, filename: str) -> Path | None:
    """Where an example writes ``filename``: the hidden --save/--figure path if given, else ``--out/filename``."""
    for older in ("save", "figure"):
        if getattr(args, older, None) is not None:
            return Path(getattr(args, older))
    return None if args.out is None else Path(args.out) / filename


def wrote(paths) -> None:
    """The last lines of every example: what it wrote, where (or that it wrote nothing)."""
    paths = [Path(p) for p in paths if p is not None]
    if not paths:
        print("wrote nothing (pass --out DIR to keep the results)")
    for path in paths:
        print(f"wrote {path.resolve()}")


# ---- Ctrl-C: stop cleanly and keep what was trained ---------------------------------------------------------

_CURRENT: tuple[str, argparse.Namespace] | None = None  # the running example and its arguments (parse_args)
KEPT = "build/interrupted"  # where an interrupted run without --out keeps its history


@dataclass
class _Fit:
    """One ``fit`` (or a model's ``train_on_batch`` calls) as far as it got."""

    model: object
    epochs: list = field(default_factory=list)  # each finished epoch's logs
    steps: int = 0
    last: object = None  # the last step's logs, converted only if they are written

    def record(self) -> dict:
        history: dict[str, list] = {}
        for logs in self.epochs:
            for key, value in logs.items():
                history.setdefault(key, []).append(value)
        return {
            "model": f"{getattr(self.model, 'name', '?')} ({type(self.model).__name__})",
            "epochs_finished": len(self.epochs),
            "steps": self.steps,
            "history": history,
            "last_step": self.last,
        }


class Training:
    """What an example has trained so far, so that Ctrl-C can keep it.

    While ``recording()`` is open, every ``fit`` gets one more callback and every ``train_on_batch`` is counted
    (the examples' training functions take no callbacks argument; this records them unchanged).  A Ctrl-C during
    a training step is held until the step ends, so the weights are those of a finished step (on JAX, ``fit``
    holds them outside the model and donates the previous ones to the running step); a second Ctrl-C stops at
    once.  ``keep_and_exit`` then writes the history so far, what the example registered with ``keep``, and
    the samples its ``on_interrupt`` functions draw, into ``--out`` (else ./build/interrupted), says so in one
    line and exits with status 130.
    """

    active: Training | None = None

    def __init__(self) -> None:
        self.fits: list[_Fit] = []
        self.kept: dict[str, object] = {}
        self.savers: list[Callable] = []
        self.began = time.monotonic()
        self.stepping = 0  # > 0 while a training step may be running
        self.pending = False  # Ctrl-C pressed during a step: stop when it ends

    @property
    def steps(self) -> int:
        return sum(fit.steps for fit in self.fits)

    @property
    def epochs(self) -> int:
        return sum(len(fit.epochs) for fit in self.fits)

    def _fit_of(self, model, new: bool) -> _Fit:
        """A new record for each ``fit``; one record for all of a model's ``train_on_batch`` calls."""
        if not new:
            for fit in self.fits:
                if fit.model is model and not fit.epochs:
                    return fit
        self.fits.append(_Fit(model))
        return self.fits[-1]

    def step_ended(self, fit: _Fit, logs) -> None:
        fit.steps += 1
        fit.last = logs
        if self.pending:
            raise KeyboardInterrupt

    def _on_sigint(self, signum, frame) -> None:
        if self.stepping and not self.pending:
            self.pending = True  # stop when the running step ends
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def recording(self) -> Iterator[Training]:
        Training.active = self
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        restore = self._record_keras() if "keras" in sys.modules else (lambda: None)
        try:
            yield self
        finally:
            restore()
            signal.signal(signal.SIGINT, previous)
            Training.active = None

    def _record_keras(self) -> Callable[[], None]:
        import keras

        training = self

        class Record(keras.callbacks.Callback):
            def __init__(self, fit: _Fit):
                super().__init__()
                self.fit = fit

            def on_train_batch_end(self, batch, logs=None):
                training.step_ended(self.fit, logs)

            def on_epoch_end(self, epoch, logs=None):
                self.fit.epochs.append(dict(logs or {}))

        originals = {name: keras.Model.__dict__.get(name) for name in ("fit", "train_on_batch")}
        fit, train_on_batch = keras.Model.fit, keras.Model.train_on_batch

        def recorded_fit(model, *args, **kwargs):
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), Record(training._fit_of(model, new=True))]
            training.stepping += 1
            try:
                return fit(model, *args, **kwargs)
            finally:
                training.stepping -= 1

        def recorded_train_on_batch(model, *args, **kwargs):
            training.stepping += 1
            try:
                logs = train_on_batch(model, *args, **kwargs)
            finally:
                training.stepping -= 1
            training.step_ended(training._fit_of(model, new=False), logs)
            return logs

        keras.Model.fit, keras.Model.train_on_batch = recorded_fit, recorded_train_on_batch

        def restore() -> None:
            for name, original in originals.items():
                if original is None:
                    delattr(keras.Model, name)
                else:
                    setattr(keras.Model, name, original)

        return restore

    def keep_and_exit(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while saving would lose the save
        name, args = _CURRENT if _CURRENT is not None else ("example", argparse.Namespace())
        steps = f"{self.steps} step{'s' * (self.steps != 1)}"
        epochs = f"{self.epochs} epoch{'s' * (self.epochs != 1)}"
        done = (
            (f"after {epochs} ({steps})" if self.epochs else f"after {steps}")
            if self.steps
            else "before any training step"
        )
        if not self.steps and not any(self.kept.values()):
            print(f"\ninterrupted (Ctrl-C) {done}: nothing trained to keep", file=sys.stderr)
            sys.exit(INTERRUPTED_STATUS)
        folder = _keep_folder(args)
        try:
            for fit in self.fits:  # on JAX, put the last finished step's weights back into the model
                with contextlib.suppress(Exception):
                    getattr(fit.model, "jax_state_sync", lambda: None)()
            folder.mkdir(parents=True, exist_ok=True)
            record = (folder / f"interrupted-{name}.json").resolve()
            payload = {
                "example": name,
                "command": " ".join(["python", *getattr(sys, "orig_argv", sys.argv)[1:]]),
                "interrupted": done,
                "seconds": round(time.monotonic() - self.began, 1),
                "fits": [fit.record() for fit in self.fits],
                **self.kept,
            }
            record.write_text(json.dumps(payload, indent=1, default=_plain) + "\n", encoding="utf-8")
            samples = []
            for save in self.savers:
                made = save(folder, self)
                samples += [Path(p).resolve() for p in ([made] if isinstance(made, (str, Path)) else made or [])]
        except Exception as error:  # noqa: BLE001 - whatever failed, the run still ends in one line
            print(f"\ninterrupted (Ctrl-C) {done}; could not keep it in {folder}: {error}", file=sys.stderr)
            sys.exit(INTERRUPTED_STATUS)
        also = f" and the samples so far in {', '.join(str(p) for p in samples)}" if samples else ""
        print(f"\ninterrupted (Ctrl-C) {done}; kept the history so far in {record}{also}", file=sys.stderr)
        sys.exit(INTERRUPTED_STATUS)


def _keep_folder(args: argparse.Namespace) -> Path:
    """``--out``, else the folder of an older ``--save``/``--figure`` file, else ./build/interrupted."""
    if getattr(args, "out", None) is not None:
        return Path(args.out)
    for older in ("save", "figure"):
        if getattr(args, older, None) is not None:
            return Path(getattr(args, older)).parent
    return Path(KEPT)


def _plain(value):
    """JSON for what logs and results hold: NumPy and backend scalars and arrays, anything else as text."""
    import numpy as np

    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001
        return str(value)
    if array.dtype.kind in "biuf":
        return array.item() if array.ndim == 0 else array.tolist()
    return str(value)


def keep(**parts) -> None:
    """Register results an interrupted run should keep besides the history (e.g. ``keep(runs=runs)``: the seeds
    finished so far); the objects are read when Ctrl-C comes, so register them once, before the loop fills them."""
    if Training.active is not None:
        Training.active.kept.update(parts)


def on_interrupt(save: Callable) -> None:
    """Register ``save(folder, training) -> path(s)``: what an interrupted run draws from its model as it stands
    (a grid of samples), written into the folder the history goes to."""
    if Training.active is not None:
        Training.active.savers.append(save)


def run(main: Callable, argv=None) -> None:
    """Run an example's ``main``: Ctrl-C keeps what was trained (see ``Training``) and ends in one line with exit
    status 130; a missing dataset ends in one line, not a traceback."""
    from reference.data import DatasetNotAvailable

    training = Training()
    try:
        with training.recording():
            main(argv)
    except KeyboardInterrupt:
        training.keep_and_exit()
    except DatasetNotAvailable as error:
        sys.exit(f"error: {error}")


def out_flag(path: Path, filename: str) -> str:
    """How a report records where it was written: ``--out DIR`` for the default file name, else ``--save FILE``."""
    return f"--out {path.parent}" if path.name == filename else f"--save {path}"
