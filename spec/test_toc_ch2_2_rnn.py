"""Table of contents, 2.2: recurrent networks, how they work and how they classify.

Lesson for a newcomer: a recurrent layer reads a sequence one step at a time with the same weights at
every step, carrying a state forward.  Its size depends on the input width and the units, not on the
sequence length: one weight block for SimpleRNN, three for GRU, four for LSTM.  By default it returns
only its last output (which is its final state); ``return_sequences`` gives every step,
``return_state`` the states as well.  Padding plus a mask lets sequences of different lengths share a
batch without changing the answer.  The gates of LSTM and GRU are what let them remember across many
steps, where a SimpleRNN forgets.  Reference code: ``reference.sequence.rnn``.
"""

import itertools

import keras
import numpy as np
import pytest
from keras import layers

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.sequence import rnn
from spec.shared_runs import shared_run

# Adding problem, 30 steps, 2,000 sequences, 10 epochs (docs/measurements/ch2_adding_problem_seeds.json,
# reference.sequence.rnn.measure_seeds, seeds 0-2): validation MSE per epoch per cell (baseline 1/6 = 0.1667).
# Learned: below a tenth of the baseline, 0.0167 (several times above the worst gated run).
LEARNED_BELOW = threshold(0.1 * rnn.ADDING_BASELINE_MSE, "ch2_adding_problem_seeds", "LSTM/val_mse|last", side="above")
threshold(LEARNED_BELOW, "ch2_adding_problem_seeds", "GRU/val_mse|last", side="above")
# Not learned: above 60% of the baseline, 0.100 (below the best SimpleRNN run).
NOT_LEARNED_ABOVE = threshold(0.6 * rnn.ADDING_BASELINE_MSE, "ch2_adding_problem_seeds", "SimpleRNN/val_mse|last")
# MNIST row by row (docs/measurements/ch2_mnist_rows_lstm_seeds.json), LSTM(64), 2 epochs on 60,000 digits, seeds
# 0-2; threshold more than a point under the worst seed.
ROWS_THRESHOLD = threshold(0.95, "ch2_mnist_rows_lstm_seeds", "test_accuracy")


@claim(
    "TOC2.2-param-count",
    section="TOC 2.2",
    says="A recurrent layer with n units on d inputs has k x n x (d + n + 1) parameters, k = 1 for SimpleRNN, "
    "3 for GRU and 4 for LSTM, whatever the length of the sequences.",
    today="Holds on 9 (d, n) settings per cell; Keras's GRU (reset_after=True, the default since Keras 2.3) adds a "
    "second bias, 3n more; the count is the same for sequences of 5 and of 500 steps.",
    verdict=Verdict.HOLDS,
    qualifier="GRU: plus 3n with the default reset_after=True",
)
@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_param_count(cell, evidence):
    # Zero initialisers: the count does not depend on the initial values, and the orthogonal recurrent
    # initialiser compiles a QR decomposition for every new shape on JAX (tens of seconds for this grid).
    def built(units, steps, d, **options):
        layer = rnn.CELLS[cell](units, kernel_initializer="zeros", recurrent_initializer="zeros", **options)
        layer.build((None, steps, d))
        return layer

    table = {}
    for d, n in itertools.product((1, 28, 68), (8, 64, 128)):
        table[f"d={d} n={n}"] = built(n, 10, d).count_params()
        assert table[f"d={d} n={n}"] == rnn.rnn_param_count(cell, d, n)
    by_length = {steps: built(64, steps, 28).count_params() for steps in (5, 500)}
    evidence("parameters per (d, n)", table)
    evidence("64 units on 28 inputs, by sequence length", by_length)
    blocks = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[cell]
    extra = 3 * 64 if cell == "GRU" else 0
    assert by_length[5] == by_length[500] == blocks * 64 * (28 + 64 + 1) + extra
    if cell == "GRU":
        old = built(64, 5, 28, reset_after=False)
        evidence("GRU(64, reset_after=False)", old.count_params())
        assert old.count_params() == 3 * 64 * (28 + 64 + 1) == rnn.rnn_param_count("GRU", 28, 64, reset_after=False)
    with pytest.raises(ValueError, match="cell must be one of"):
        rnn.rnn_param_count("RNN", 28, 64)


@claim(
    "TOC2.2-return-sequences-state",
    section="TOC 2.2",
    says="By default a recurrent layer returns only its last output; return_sequences=True returns the output of "
    "every step and return_state=True also returns the final states (h for SimpleRNN and GRU, h and c for LSTM); "
    "the last output is the final hidden state h.",
    today="Holds: shapes (batch, units), (batch, steps, units), plus one state (two for LSTM) of (batch, units); "
    "the last step of the sequence output, the default output and h are equal.",
    verdict=Verdict.HOLDS,
)
@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_return_sequences_and_state(cell, rng, evidence):
    x = rng.normal(size=(2, 7, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    layer = rnn.CELLS[cell](5, return_sequences=True, return_state=True)
    sequence, *states = (keras.ops.convert_to_numpy(t) for t in layer(x))
    last_only = rnn.CELLS[cell](5)
    last_only.build(x.shape)
    last_only.set_weights(layer.get_weights())
    last = keras.ops.convert_to_numpy(last_only(x))
    evidence("default output", last.shape)
    evidence("return_sequences + return_state", [sequence.shape] + [s.shape for s in states])
    assert last.shape == (2, 5) and sequence.shape == (2, 7, 5)
    assert [s.shape for s in states] == [(2, 5)] * (2 if cell == "LSTM" else 1)
    np.testing.assert_allclose(sequence[:, -1], last, atol=1e-6)
    np.testing.assert_allclose(states[0], last, atol=1e-6)


def _padding_gaps(masked):
    """An LSTM over embedded tokens: largest output difference between the sequence alone and the sequence
    padded with zeros to 12 steps, before ('pre') and after ('post') it."""
    tokens = [[3, 7, 2, 9, 4]]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((None,), dtype="int32"), layers.Embedding(12, 4, mask_zero=masked), layers.LSTM(6)]
    )
    alone = keras.ops.convert_to_numpy(model(np.array(tokens)))
    gaps = {}
    for padding in ("pre", "post"):
        padded = keras.ops.convert_to_numpy(model(keras.utils.pad_sequences(tokens, maxlen=12, padding=padding)))
        gaps[padding] = float(np.abs(alone - padded).max())
    return gaps


@claim(
    "TOC2.2-masking",
    section="TOC 2.2",
    says="Padding sequences to one length and masking the padding makes the padded steps irrelevant: the output "
    "is the same as for the unpadded sequence.",
    today="Holds with Embedding(mask_zero=True) and with a Masking layer, for padding before and after: the "
    "difference is 0 (float rounding at most); without a mask the padded steps change the output.",
    verdict=Verdict.HOLDS,
)
def test_masking(rng, evidence):
    masked, unmasked = _padding_gaps(True), _padding_gaps(False)
    # The same with float inputs and a Masking layer.
    x = rng.normal(size=(1, 5, 3)).astype("float32")
    pad = np.zeros((1, 7, 3), "float32")
    model = keras.Sequential([keras.Input((None, 3)), layers.Masking(0.0), layers.GRU(6)])
    alone = keras.ops.convert_to_numpy(model(x))
    masking = {
        padding: float(np.abs(alone - keras.ops.convert_to_numpy(model(np.concatenate(parts, axis=1)))).max())
        for padding, parts in (("pre", [pad, x]), ("post", [x, pad]))
    }
    evidence("Embedding(mask_zero=True): largest output difference, padded vs alone", masked)
    evidence("no mask: largest output difference", {k: round(v, 4) for k, v in unmasked.items()})
    evidence("Masking layer + GRU: largest output difference", masking)
    assert max(masked.values()) < 1e-6 and max(masking.values()) < 1e-6
    assert min(unmasked.values()) > 1e-3


@claim(
    "TOC2.2-adding-problem-baseline",
    section="TOC 2.2",
    says="The adding problem: a long sequence of random numbers, two of them marked, and the answer is their sum; "
    "always answering the mean (1) scores a mean squared error of 1/6, the bar a model must clear.",
    today="reference.sequence.rnn.adding_problem: exactly two marks per sequence, one in each half, the target "
    "is the sum of the two marked values; answering 1 gives MSE 0.1667 on 100,000 sequences (1/6 = 0.16667).",
    verdict=Verdict.HOLDS,
)
def test_adding_problem_baseline(evidence):
    x, y = rnn.adding_problem(100_000, 30, seed=3)
    marks = x[..., 1]
    first, second = marks[:, :15].argmax(axis=1), marks[:, 15:].argmax(axis=1) + 15
    rows = np.arange(len(x))
    mse = float(np.mean((y[:, 0] - 1.0) ** 2))
    evidence("shape of x, y", (x.shape, y.shape))
    evidence("MSE of always answering 1", round(mse, 5))
    assert x.shape == (100_000, 30, 2) and y.shape == (100_000, 1)
    assert (marks.sum(axis=1) == 2).all() and (marks[:, :15].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y[:, 0], x[rows, first, 0] + x[rows, second, 0], rtol=1e-6)
    assert mse == pytest.approx(rnn.ADDING_BASELINE_MSE, rel=0.01)
    with pytest.raises(ValueError, match="need n >= 1 and length >= 4"):
        rnn.adding_problem(10, 3)


def _memory_runs():
    return shared_run("ch2-adding-problem", lambda: [rnn.train_adding(cell, seed=0) for cell in rnn.CELLS])


@pytest.mark.slow
@claim(
    "TOC2.2-long-memory",
    section="TOC 2.2",
    says="LSTM and GRU can learn dependencies across many steps; a plain SimpleRNN cannot (vanishing gradients).",
    today="Holds on the adding problem with 30 steps: after 10 epochs on 2,000 sequences LSTM and GRU reach a "
    "validation MSE of {m:ch2_adding_problem_seeds:LSTM/val_mse|last:range=.4f} (LSTM) and {m:ch2_adding_problem_seeds:GRU/val_mse|last:range=.4f} (GRU) over {m:ch2_adding_problem_seeds:LSTM/val_mse|last:n} seeds, tens to "
    "hundreds of times below the {m:ch2_adding_problem_seeds:@baseline_mse:value=.3f} of always answering the mean, while the SimpleRNN stays at "
    "{m:ch2_adding_problem_seeds:SimpleRNN/val_mse|last:range=.3f}.",
    verdict=Verdict.HOLDS,
)
def test_long_memory(evidence):
    runs = {run.cell: run for run in _memory_runs()}
    evidence("final validation MSE (baseline 0.1667)", {c: round(r.val_mse[-1], 4) for c, r in runs.items()})
    evidence("training seconds", {c: r.seconds for c, r in runs.items()})
    evidence.figure(
        rnn.memory_figure(list(runs.values())),
        "ch2_adding_problem",
        "Adding problem (30 steps): validation MSE per epoch; dashed: always answering the mean",
        caption_zh="加法问题（30 步）：每个 epoch 的验证 MSE；虚线：总是回答平均值",
    )
    assert runs["LSTM"].val_mse[-1] < LEARNED_BELOW
    assert runs["GRU"].val_mse[-1] < LEARNED_BELOW
    assert runs["SimpleRNN"].val_mse[-1] > NOT_LEARNED_ABOVE


@pytest.mark.slow
@claim(
    "TOC2.2-mnist-rows",
    section="TOC 2.2",
    says="An RNN can classify images read as sequences: an LSTM reading MNIST row by row (28 steps of 28 pixels) "
    "classifies the digits well.",
    today="Holds: LSTM(64) (24,458 parameters), 2 epochs on 60,000 digits, {m:ch2_mnist_rows_lstm_seeds:test_accuracy:range=.2%} test accuracy over "
    "{m:ch2_mnist_rows_lstm_seeds:test_accuracy:n} seeds (threshold 95%).",
    verdict=Verdict.HOLDS,
)
def test_mnist_rows(evidence):
    result = shared_run("ch2-mnist-rows", lambda: rnn.train_row_classifier(seed=0))
    evidence("test accuracy", round(result.test_accuracy, 4))
    evidence("parameters", result.params)
    evidence("training seconds", result.seconds)
    assert result.params == rnn.rnn_param_count("LSTM", 28, 64) + 65 * 10 == 24458
    assert result.test_accuracy >= ROWS_THRESHOLD


ZH = {
    "TOC2.2-param-count": {
        "qualifier": "GRU：默认 reset_after=True 时再加 3n",
        "says": "一个有 n 个单元、输入宽度为 d 的循环层有 k x n x (d + n + 1) 个参数，SimpleRNN 的 k = 1，GRU 为 3，LSTM 为 4，"
        "与序列长度无关。",
        "today": "对每种单元的 9 组 (d, n) 设置都成立；Keras 的 GRU（reset_after=True，自 Keras 2.3 起为默认）多一组偏置，"
        "即多 3n 个参数；序列长度为 5 步和 500 步时参数个数相同。",
    },
    "TOC2.2-return-sequences-state": {
        "says": "循环层默认只返回最后一步的输出；return_sequences=True 返回每一步的输出，return_state=True 还会返回最终状态"
        "（SimpleRNN 和 GRU 是 h，LSTM 是 h 和 c）；最后一步的输出就是最终隐藏状态 h。",
        "today": "成立：形状分别为 (batch, units)、(batch, steps, units)，另加一个（LSTM 为两个）(batch, units) 的状态；"
        "序列输出的最后一步、默认输出和 h 三者相等。",
    },
    "TOC2.2-masking": {
        "says": "把序列填充到同一长度并对填充部分加掩码，填充的时间步就不起作用：输出与未填充的序列相同。",
        "today": "无论在前面还是后面填充，用 Embedding(mask_zero=True) 或 Masking 层都成立：差为 0（至多是浮点舍入误差）；"
        "不加掩码时，填充的时间步会改变输出。",
    },
    "TOC2.2-adding-problem-baseline": {
        "says": "加法问题：一长串随机数中有两个被标记，答案是它们的和；始终回答均值 1 的均方误差为 1/6，这是模型必须越过的门槛。",
        "today": "reference.sequence.rnn.adding_problem：每个序列恰好两个标记，前后两半各一个，目标是两个被标记值之和；"
        "在 100,000 个序列上始终回答 1 的 MSE 为 0.1667（1/6 = 0.16667）。",
    },
    "TOC2.2-long-memory": {
        "says": "LSTM 和 GRU 能学会跨越很多时间步的依赖；普通的 SimpleRNN 做不到（梯度消失）。",
        "today": "在 30 步的加法问题上成立：用 2,000 个序列训练 10 个 epoch 后，{m:ch2_adding_problem_seeds:LSTM/val_mse|last:n} 个随机种子中 LSTM 的验证 MSE 为 "
        "{m:ch2_adding_problem_seeds:LSTM/val_mse|last:range=.4f}，GRU 为 {m:ch2_adding_problem_seeds:GRU/val_mse|last:range=.4f}，比始终回答均值的 {m:ch2_adding_problem_seeds:@baseline_mse:value=.3f} 低几十到几百倍，而 SimpleRNN "
        "停留在 {m:ch2_adding_problem_seeds:SimpleRNN/val_mse|last:range=.3f}。",
    },
    "TOC2.2-mnist-rows": {
        "says": "RNN 可以把图像当作序列来分类：一个逐行读取 MNIST（28 步，每步 28 个像素）的 LSTM 能很好地识别数字。",
        "today": "成立：LSTM(64)（24,458 个参数）在 60,000 个数字上训练 2 个 epoch，{m:ch2_mnist_rows_lstm_seeds:test_accuracy:n} 个随机种子的测试准确率为 {m:ch2_mnist_rows_lstm_seeds:test_accuracy:range=.2%}（阈值 95%）。",
    },
}
