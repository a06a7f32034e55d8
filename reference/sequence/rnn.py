"""Recurrent layers and what they can remember (table of contents, 2.2).

    python -m reference.sequence.rnn memory        # the adding problem: SimpleRNN vs LSTM vs GRU, writes a figure
    python -m reference.sequence.rnn mnist-rows    # MNIST read row by row (28 steps of 28 pixels) by an LSTM

What it shows: a recurrent layer applies the same weights at every step, so its parameter count depends
on the input width and the number of units only, never on the sequence length (``rnn_param_count``:
one block of weights for a SimpleRNN, three for a GRU, four for an LSTM).  The gates of an LSTM or GRU
let information (and gradients) cross many steps, which a SimpleRNN cannot do: on the adding problem
(``adding_problem``: add the two marked numbers of a long noisy sequence) the gated layers learn the
task while the SimpleRNN stays at the error of always answering the mean (``ADDING_BASELINE_MSE``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import load_mnist
from reference.measurements import write_report

CELLS = {"SimpleRNN": layers.SimpleRNN, "LSTM": layers.LSTM, "GRU": layers.GRU}
# Weight blocks per cell: a SimpleRNN has one (the candidate state), a GRU three (update, reset,
# candidate), an LSTM four (input, forget, output gates and the candidate).
BLOCKS = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
# The adding problem's target is the sum of two independent U(0, 1) numbers: mean 1, variance 2/12.
# Always answering 1 scores this mean squared error; a model must go well below it to have remembered.
ADDING_BASELINE_MSE = 1.0 / 6.0


def _cell_name(cell: str) -> str:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {sorted(CELLS)}, received {cell!r}")
    return cell


def rnn_param_count(cell: str, input_dim: int, units: int, reset_after: bool = True) -> int:
    """Weights of a recurrent layer: per block an input kernel (input_dim x units), a recurrent kernel
    (units x units) and a bias (units); a GRU with ``reset_after`` (Keras's default) keeps a second bias."""
    blocks = BLOCKS[_cell_name(cell)]
    if min(input_dim, units) < 1:
        raise ValueError(f"input_dim and units must be positive, received {input_dim}, {units}")
    count = blocks * units * (input_dim + units + 1)
    if cell == "GRU" and reset_after:
        count += blocks * units
    return count


def adding_problem(n: int, length: int, seed: int = 0):
    """The adding problem (Hochreiter & Schmidhuber, 1997): ``n`` sequences of ``length`` steps, each step a
    pair (value in U(0, 1), marker).  Exactly two steps are marked, one in each half of the sequence; the
    target is the sum of their two values.  Returns x (n, length, 2) float32 and y (n, 1) float32."""
    if n < 1 or length < 4:
        raise ValueError(f"need n >= 1 and length >= 4, received n={n}, length={length}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, size=(n, length)).astype("float32")
    markers = np.zeros((n, length), "float32")
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]
    return np.stack([values, markers], axis=-1), y.astype("float32")


def build_regressor(cell: str, length: int, units: int = 32) -> keras.Sequential:
    """One recurrent layer reading (value, marker) pairs, then one linear output."""
    return keras.Sequential(
        [keras.Input((length, 2)), CELLS[_cell_name(cell)](units), layers.Dense(1)], name=f"adding_{cell.lower()}"
    )


@dataclass
class MemoryRun:
    cell: str
    val_mse: list  # validation MSE after every epoch
    seconds: float


def train_adding(
    cell: str,
    length: int = 30,
    n_train: int = 2000,
    epochs: int = 10,
    units: int = 32,
    seed: int = 0,
    learning_rate: float = 5e-3,
    batch_size: int = 20,
    verbose: int | str = 0,
) -> MemoryRun:
    """Fit ``build_regressor`` on the adding problem; validation on 1,000 fresh sequences."""
    x, y = adding_problem(n_train, length, seed=seed)
    x_val, y_val = adding_problem(1000, length, seed=10_000 + seed)
    keras.utils.set_random_seed(seed)
    model = build_regressor(cell, length, units)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, validation_data=(x_val, y_val), verbose=verbose)
    return MemoryRun(cell, [float(v) for v in history.history["val_loss"]], round(time.perf_counter() - start, 1))


def memory_figure(runs: list[MemoryRun]):
    from reference.figures import plt

    fig, ax = plt.subplots(figsize=(4.6, 2.8))
    for run in runs:
        ax.plot(range(1, len(run.val_mse) + 1), run.val_mse, marker="o", ms=3, label=run.cell)
    ax.axhline(ADDING_BASELINE_MSE, color="gray", ls="--", label="always answer 1")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation MSE")
    ax.set_yscale("log")
    ax.set_title("Adding problem: who remembers across the sequence", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def mnist_rows(images: np.ndarray) -> np.ndarray:
    """MNIST digits (n, 28, 28), pixels 0-255 -> float32 sequences of 28 steps with 28 features each, in [0, 1]."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (n, 28, 28), received {images.shape}")
    return images.astype("float32") / 255.0


def build_row_classifier(units: int = 64) -> keras.Sequential:
    """An LSTM reads the 28 rows of a digit top to bottom; its last state goes to a 10-way softmax."""
    return keras.Sequential(
        [keras.Input((28, 28)), layers.LSTM(units), layers.Dense(10, activation="softmax")], name="mnist_row_lstm"
    )


@dataclass
class RowsResult:
    test_accuracy: float
    params: int
    seconds: float
    history: dict = field(default_factory=dict)


def train_row_classifier(
    seed: int = 0, epochs: int = 2, train_size: int | None = None, units: int = 64, verbose: int | str = 0
) -> RowsResult:
    (x_train, y_train), (x_test, y_test) = load_mnist()
    if train_size is not None:
        if not 1 <= train_size <= len(x_train):
            raise ValueError(f"train_size must be between 1 and {len(x_train)}, received {train_size}")
        x_train, y_train = x_train[:train_size], y_train[:train_size]
    keras.utils.set_random_seed(seed)
    model = build_row_classifier(units)
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(mnist_rows(x_train), y_train, batch_size=128, epochs=epochs, verbose=verbose)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(mnist_rows(x_test), y_test, verbose=0)
    return RowsResult(
        float(accuracy),
        model.count_params(),
        round(seconds, 1),
        {k: [float(v) for v in vals] for k, vals in history.history.items()},
    )


def measure_seeds(seeds=(0, 1, 2), out_dir: str | Path = "docs/measurements", **adding_kwargs) -> dict:
    """The measurements behind the spec's thresholds: the adding problem for each cell and the row classifier."""
    memory = {
        str(seed): {cell: train_adding(cell, seed=seed, **adding_kwargs).__dict__ for cell in CELLS} for seed in seeds
    }
    for run in memory.values():
        for result in run.values():
            result.pop("cell", None)
    settings = {
        "length": 30,
        "n_train": 2000,
        "epochs": 10,
        "units": 32,
        "learning_rate": 5e-3,
        "batch_size": 20,
        **adding_kwargs,
    }
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "how": f"reference.sequence.rnn.measure_seeds(seeds={list(seeds)}): train_adding(cell, seed=seed, {settings}) "
        "for SimpleRNN, LSTM, GRU",
        "setup": "validation MSE after each epoch on 1,000 fresh sequences; baseline 1/6 (constants)",
        "runs": memory,
        "constants": {"baseline_mse": ADDING_BASELINE_MSE},
    }
    payload = write_report(payload, out_dir / "ch2_adding_problem_seeds.json")
    rows = {str(seed): train_row_classifier(seed).__dict__ for seed in seeds}
    rows_payload = {
        "how": f"reference.sequence.rnn.measure_seeds: train_row_classifier(seed) for seeds {list(seeds)}",
        "setup": "LSTM(64), adam 2e-3, batch 128, 2 epochs on all 60,000 training digits, all 10,000 test digits",
        "runs": rows,
    }
    rows_payload = write_report(rows_payload, out_dir / "ch2_mnist_rows_lstm_seeds.json")
    return {"adding": payload, "rows": rows_payload}


def main(argv=None) -> None:
    args = cli.parse_args("sequence.rnn", argv)
    figure = cli.output(args, "adding_problem.png")
    epochs = {} if args.epochs is None else {"epochs": args.epochs}
    if args.task == "memory":
        runs = []
        for cell in CELLS:
            print(f"--- {cell}")
            runs.append(train_adding(cell, seed=args.seed, verbose=1, **epochs))
        memory_figure(runs).savefig(figure, dpi=90)
        for run in runs:
            print(f"{run.cell:>9}: final validation MSE {run.val_mse[-1]:.4f} (baseline {ADDING_BASELINE_MSE:.4f})")
        cli.wrote([figure])
    else:
        result = train_row_classifier(args.seed, verbose=1, **epochs)
        print(f"{result.params:,} parameters, test accuracy {result.test_accuracy:.4f}")
        cli.wrote([])


if __name__ == "__main__":
    cli.run(main)
