"""A character-level LSTM that writes English (table of contents, 2.4), trained offline on CPython's own documentation.

    python -m reference.sequence.text_generation              # ~1 minute on 2 cores; prints samples at 4 temperatures

What it shows: a language model predicts the next character from the ones before it; trained with the
cross-entropy loss, its loss per character (in nats) is directly comparable to the entropy of simpler
models of the same text: the unigram entropy (letter frequencies alone) and the bigram conditional
entropy (the previous letter known), both computed exactly from the corpus (``unigram_entropy``,
``bigram_entropy``).  Sampling divides the log-probabilities by a temperature (``reweight``): below 1
the text becomes safer and more repetitive, above 1 more varied and less likely.

The model is the architecture of Keras's character-level text-generation example (one-hot characters,
LSTM(128), a softmax over the characters), trained to predict the next character at every position of
a window (``return_sequences=True``) rather than only after its last one: the same network, forty times
more training signal per window.  The corpus is the text of ``pydoc``'s help topics
(``pydoc_data.topics``: about 465,000 characters of English prose with code examples in Python 3.11),
which ships with every CPython.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.data import DatasetNotAvailable
from reference.measurements import write_report

CORPUS_INSTALL = (
    "pydoc_data is part of CPython's standard library; a distribution that splits it off ships it "
    "with the full standard library (Debian/Ubuntu: apt install libpython3-stdlib)"
)
# Typographic characters of the corpus written the plain ASCII way; anything else outside ASCII is dropped.
_PLAIN = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-", "\u2026": "..."}
WINDOW = 64


def load_corpus() -> str:
    """The help-topic texts of ``pydoc`` (sorted by topic name, joined), lower-cased and plain ASCII."""
    try:
        from pydoc_data.topics import topics
    except ImportError as error:  # pragma: no cover - depends on how Python was installed
        raise DatasetNotAvailable(f"the corpus (pydoc_data.topics) is not installed: {CORPUS_INSTALL}") from error
    return normalise("\n".join(topics[name] for name in sorted(topics)))


def normalise(text: str) -> str:
    """Lower-case, typographic quotes and dashes made ASCII, other non-ASCII characters and tabs removed."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, received {type(text).__name__}")
    text = text.lower()
    for fancy, plain in _PLAIN.items():
        text = text.replace(fancy, plain)
    return "".join(ch for ch in text if (" " <= ch <= "~") or ch == "\n")


def split_corpus(text: str, held_out: float = 0.1) -> tuple[str, str]:
    """The first part for training, the last ``held_out`` fraction kept apart (whole topics never interleave)."""
    if not 0.0 < held_out < 1.0:
        raise ValueError(f"held_out must be a fraction in (0, 1), received {held_out}")
    cut = int(len(text) * (1 - held_out))
    return text[:cut], text[cut:]


class CharVocabulary:
    """Characters <-> integer ids (sorted, so the same text always gives the same ids)."""

    def __init__(self, text: str):
        if not text:
            raise ValueError("cannot build a vocabulary from empty text")
        self.chars = sorted(set(text))
        self.index = {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown[:10]!r}")
        return np.fromiter((self.index[ch] for ch in text), dtype="int32", count=len(text))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def unigram_entropy(text: str) -> float:
    """H(X) in nats per character: the best loss of a model that knows only the character frequencies."""
    if len(text) < 1:
        raise ValueError("need at least one character")
    counts = np.array(list(Counter(text).values()), dtype="float64")
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum()) + 0.0  # + 0.0: no negative zero


def bigram_entropy(text: str) -> float:
    """H(X_t | X_t-1) in nats per character, from the text's own pair counts: the best loss of a model
    that sees one previous character (on this very text, so a lower bound for unseen text)."""
    if len(text) < 2:
        raise ValueError("need at least two characters")
    pairs = Counter(zip(text[:-1], text[1:]))
    firsts = Counter(text[:-1])
    total = len(text) - 1
    return float(-sum(n / total * math.log(n / firsts[a]) for (a, _), n in pairs.items())) + 0.0


def training_windows(ids: np.ndarray, length: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping windows: x the characters ``[i, i + length)``, y the next ones ``[i + 1, i + length + 1)``."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < length + 1:
        raise ValueError(f"need a 1-D id sequence longer than the window ({length}), received shape {ids.shape}")
    count = (len(ids) - 1) // length
    x = ids[: count * length].reshape(count, length)
    y = ids[1 : count * length + 1].reshape(count, length)
    return x, y


def build_char_lstm(vocab_size: int, units: int = 128) -> keras.Sequential:
    """One-hot characters -> LSTM(units) -> softmax over the vocabulary, at every position."""
    if vocab_size < 2 or units < 1:
        raise ValueError(f"need vocab_size >= 2 and units >= 1, received {vocab_size}, {units}")
    return keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            layers.CategoryEncoding(vocab_size, output_mode="one_hot"),
            layers.LSTM(units, return_sequences=True),
            layers.Dense(vocab_size, activation="softmax"),
        ],
        name="char_lstm",
    )


def reweight(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Sampling distribution at a temperature: softmax(log p / T) along the last axis."""
    if np.any(np.asarray(temperature) <= 0):
        raise ValueError(f"temperature must be positive, received {temperature}")
    logits = np.log(np.clip(np.asarray(probs, dtype="float64"), 1e-12, None)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


@dataclass
class Samples:
    """Generated continuations: ``texts[t]`` the streams at temperature t, ``log_likelihood[t]`` the mean
    log-probability per character (nats) the model at temperature 1 gave the characters it chose."""

    texts: dict = field(default_factory=dict)
    log_likelihood: dict = field(default_factory=dict)


def generate(
    model,
    vocab: CharVocabulary,
    prompt: str,
    length: int,
    temperatures=(0.2, 0.5, 1.0, 1.2),
    streams: int = 4,
    seed: int = 0,
    context: int = WINDOW,
) -> Samples:
    """Sample ``length`` characters after ``prompt``, ``streams`` times at every temperature, all in one batch."""
    if len(prompt) < 1 or length < 1:
        raise ValueError("need a non-empty prompt and length >= 1")
    rng = np.random.default_rng(seed)
    temps = np.repeat(np.asarray(temperatures, dtype="float64"), streams)
    # Left-padded with newlines (a document start) to the full context, so every step has the same input
    # shape and predict_on_batch compiles the model once.
    rows = np.tile(vocab.encode(("\n" * context + prompt)[-context:]), (len(temps), 1))
    chosen = np.zeros((len(temps), length), dtype="int32")
    log_p = np.zeros(len(temps))
    for step in range(length):
        probs = np.asarray(model.predict_on_batch(rows), dtype="float64")[:, -1]
        probs /= probs.sum(axis=-1, keepdims=True)
        sampling = reweight(probs, temps[:, None])
        picks = np.array([rng.choice(len(vocab), p=p) for p in sampling], dtype="int32")
        log_p += np.log(probs[np.arange(len(temps)), picks])
        chosen[:, step] = picks
        rows = np.concatenate([rows, picks[:, None]], axis=1)[:, -context:]
    out = Samples()
    for i, t in enumerate(temperatures):
        block = slice(i * streams, (i + 1) * streams)
        out.texts[t] = [vocab.decode(row) for row in chosen[block]]
        out.log_likelihood[t] = float(log_p[block].sum() / (streams * length))
    return out


def distinct_ngrams(texts: list[str], n: int = 4) -> float:
    """Distinct n-grams / all n-grams over the texts: 1 when nothing repeats, small for repetitive text."""
    grams = [t[i : i + n] for t in texts for i in range(len(t) - n + 1)]
    if not grams:
        raise ValueError(f"the texts hold no {n}-gram")
    return len(set(grams)) / len(grams)


def real_word_share(texts: list[str], corpus: str) -> float:
    """Share of the generated words (runs of letters, whole words only) that occur as words in ``corpus``."""
    import re

    known = set(re.findall(r"[a-z]+", corpus))
    words = [w for t in texts for w in re.findall(r"[a-z]+", t)[1:-1]]  # the first and last may be cut off
    if not words:
        raise ValueError("the texts hold no complete word")
    return sum(w in known for w in words) / len(words)


@dataclass
class TextResult:
    vocab_size: int
    params: int
    held_out_loss: float  # nats per character
    unigram_entropy: float
    bigram_entropy: float
    train_loss: list
    seconds: float
    samples: Samples
    prompt: str


PROMPT = "the return value of a function is "


def train_text_model(
    seed: int = 0,
    epochs: int = 4,
    units: int = 128,
    train_chars: int | None = None,
    batch_size: int = 32,
    learning_rate: float = 4e-3,
    sample_length: int = 300,
    verbose: int | str = 0,
) -> TextResult:
    """Train ``build_char_lstm`` on the corpus, measure the held-out loss, and sample at four temperatures."""
    if epochs < 1:
        raise ValueError(f"epochs must be a positive integer, received {epochs}")
    text = load_corpus()
    train_text, held_text = split_corpus(text)
    if train_chars is not None:
        train_text = train_text[:train_chars]
    vocab = CharVocabulary(text)
    x, y = training_windows(vocab.encode(train_text))
    x_held, y_held = training_windows(vocab.encode(held_text))
    keras.utils.set_random_seed(seed)
    model = build_char_lstm(len(vocab), units)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=verbose)
    seconds = time.perf_counter() - start
    held_loss = float(model.evaluate(x_held, y_held, batch_size=256, verbose=0))
    samples = generate(model, vocab, PROMPT, sample_length, seed=seed)
    return TextResult(
        len(vocab),
        model.count_params(),
        held_loss,
        unigram_entropy(text),
        bigram_entropy(text),
        [float(v) for v in history.history["loss"]],
        round(seconds, 1),
        samples,
        PROMPT,
    )


def samples_figure(result: TextResult, width: int = 90):
    """The first stream at each temperature, as text in a figure."""
    import textwrap

    from reference.figures import plt

    temps = list(result.samples.texts)
    fig, axes = plt.subplots(len(temps), 1, figsize=(8.0, 1.25 * len(temps)))
    for ax, t in zip(np.ravel(axes), temps):
        ax.axis("off")
        body = textwrap.fill(result.samples.texts[t][0][: 3 * width].replace("\n", " / "), width)
        ax.text(
            0,
            1,
            f"T = {t}  (log-likelihood {result.samples.log_likelihood[t]:.2f} nats/char)",
            fontsize=8,
            weight="bold",
            va="top",
            transform=ax.transAxes,
        )
        ax.text(0, 0.72, body, fontsize=6.5, family="monospace", va="top", transform=ax.transAxes)
    fig.suptitle(f"Character LSTM samples after {result.prompt!r}", fontsize=9)
    fig.tight_layout(pad=0.3)
    return fig


def measure_seeds(
    seeds=(0, 1, 2), out: str | Path = "docs/measurements/ch2_text_generation_seeds.json", **kwargs
) -> dict:
    """The measurement behind the spec's thresholds: held-out loss, diversity and likelihood per temperature."""
    runs = {}
    for seed in seeds:
        r = train_text_model(seed, **kwargs)
        runs[str(seed)] = {
            "held_out_loss": r.held_out_loss,
            "train_loss": r.train_loss,
            "seconds": r.seconds,
            "distinct_4grams": {str(t): distinct_ngrams(v) for t, v in r.samples.texts.items()},
            "log_likelihood": {str(t): v for t, v in r.samples.log_likelihood.items()},
            "real_word_share": {str(t): real_word_share(v, load_corpus()) for t, v in r.samples.texts.items()},
            "first_samples": {str(t): v[0] for t, v in r.samples.texts.items()},
        }
        print(seed, runs[str(seed)], flush=True)
    payload = {
        "how": f"reference.sequence.text_generation.measure_seeds(seeds={list(seeds)}, {kwargs}): train_text_model(seed) "
        "(LSTM(128), adam 4e-3, batch 32, windows of 64, 4 epochs on the first 90% of the corpus), held-out loss on the "
        "last 10%, then 4 streams x 300 characters at each temperature.",
        "setup": (
            "character LSTM(128), 4 epochs on 90% of the corpus: held-out loss on the last 10% "
            "(nats/char), then per temperature the distinct 4-grams, log-likelihood and share of real "
            "words of 4 x 300 sampled characters; constants: the corpus's unigram and bigram entropy "
            "(nats/char)"
        ),
        "runs": runs,
        "constants": {"unigram_entropy": r.unigram_entropy, "bigram_entropy": r.bigram_entropy},
    }
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    return write_report(payload, out)


def main(argv=None) -> None:
    args = cli.parse_args("sequence.text_generation", argv)
    figure = cli.output(args, "text_samples.png")
    result = train_text_model(args.seed, args.epochs, verbose=1)
    print(
        f"held-out loss {result.held_out_loss:.3f} nats/char; unigram entropy {result.unigram_entropy:.3f}, "
        f"bigram entropy {result.bigram_entropy:.3f}"
    )
    for t, texts in result.samples.texts.items():
        print(f"\n--- temperature {t}: {result.prompt}{texts[0]}")
    samples_figure(result).savefig(figure, dpi=90)
    print()
    cli.wrote([figure])


if __name__ == "__main__":
    cli.run(main)
