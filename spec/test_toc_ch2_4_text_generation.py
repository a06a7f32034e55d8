"""Table of contents, 2.4: an RNN case study in text generation.

Lesson for a newcomer: a character-level language model reads text and predicts the next character.
Its cross-entropy loss, in nats per character, can be compared with simple baselines computed from
the corpus itself: the unigram entropy (knowing only how frequent each character is) and the bigram
entropy (knowing the previous character).  An LSTM that beats both on text it never saw has learned
more than letter statistics.  To generate, sample one character at a time; the temperature trades
safety for variety: low temperatures give likely, repetitive text, high ones varied, unlikely text.
Corpus: the help-topic texts of CPython's ``pydoc`` (English documentation, offline).
Reference code: ``reference.sequence.text_generation``.
"""

import math

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from ledger.measured import values as report_values
from reference.sequence import text_generation as tg
from spec.shared_runs import shared_run

TEMPERATURES = (0.2, 0.5, 1.0, 1.2)
# docs/measurements/ch2_text_generation_seeds.json (reference.sequence.text_generation.measure_seeds, seeds 0-2):
# held-out loss (nats/char) after 4 epochs, the corpus's bigram and unigram entropies (constants), distinct 4-grams,
# log-likelihood per character and the share of real words at each temperature.  The claim: the loss sits below the
# bigram entropy by at least BIGRAM_MARGIN nats (the worst seed by about 0.3 more than asked).
BIGRAM_MARGIN = 0.5
BIGRAM_ENTROPY = report_values("ch2_text_generation_seeds", "@bigram_entropy")[0]
threshold(BIGRAM_ENTROPY - BIGRAM_MARGIN, "ch2_text_generation_seeds", "held_out_loss", side="above")
# Share of generated words that are words of the corpus at T = 0.5: threshold several points under the worst seed.
MIN_REAL_WORDS_AT_HALF = threshold(0.7, "ch2_text_generation_seeds", "real_word_share/0.5")


def _model_run():
    return shared_run("ch2-text-model", lambda: tg.train_text_model(seed=0))


@claim(
    "TOC2.4-corpus-entropies",
    section="TOC 2.4",
    says="A corpus's character statistics set the bar for a language model: its unigram entropy (frequencies only) "
    "and its bigram entropy (the previous character known) are the losses of the two simplest models.",
    today="The corpus (pydoc's help topics, 465,087 characters of English documentation on Python 3.11, 68 distinct "
    "characters after lower-casing) has unigram entropy 3.17 and bigram entropy 2.43 nats per character "
    "(4.58 and 3.50 bits), both under the 4.22 nats of a uniform guess; 'the' is its most frequent word.",
    verdict=Verdict.HOLDS,
)
def test_corpus_entropies(evidence):
    import re
    from collections import Counter

    text = tg.load_corpus()
    vocab = tg.CharVocabulary(text)
    h1, h2 = tg.unigram_entropy(text), tg.bigram_entropy(text)
    train, held = tg.split_corpus(text)
    words = Counter(re.findall(r"[a-z]+", text))
    evidence("characters, distinct characters", (len(text), len(vocab)))
    evidence("unigram / bigram entropy, nats per character", (round(h1, 4), round(h2, 4)))
    evidence("uniform guess, nats per character", round(math.log(len(vocab)), 4))
    evidence("most frequent words", words.most_common(5))
    evidence("training / held-out characters", (len(train), len(held)))
    assert len(text) > 300_000 and 40 <= len(vocab) <= 100
    assert set(text) <= set("\n" + "".join(chr(c) for c in range(32, 127)))
    assert words.most_common(1)[0][0] == "the"
    assert h2 < h1 - 0.5 and h1 < math.log(len(vocab))
    assert train + held == text and len(held) == pytest.approx(0.1 * len(text), abs=1)


@claim(
    "TOC2.4-entropy-by-hand",
    section="TOC 2.4",
    says="The unigram entropy is -sum p(c) log p(c); the bigram entropy is the entropy of the next character given "
    "the current one, -sum p(a, b) log p(b | a).",
    today="reference.sequence.text_generation's functions give the hand-computed values: 'aabb' ln 2 = 0.693 and "
    "'abcabc' ln 3 (unigram); 'ababab' 0 and 'abac' (2/3) ln 2 (bigram); a text of one letter 0.",
    verdict=Verdict.HOLDS,
)
def test_entropy_by_hand(evidence):
    cases = {
        "unigram 'aabb'": (tg.unigram_entropy("aabb"), math.log(2)),
        "unigram 'abcabc'": (tg.unigram_entropy("abcabc"), math.log(3)),
        "unigram 'aaaa'": (tg.unigram_entropy("aaaa"), 0.0),
        "bigram 'ababab'": (tg.bigram_entropy("ababab"), 0.0),
        "bigram 'abac'": (tg.bigram_entropy("abac"), 2 / 3 * math.log(2)),
        "bigram 'aaaa'": (tg.bigram_entropy("aaaa"), 0.0),
    }
    evidence("computed vs by hand", {k: (round(got, 6), round(want, 6)) for k, (got, want) in cases.items()})
    for name, (got, want) in cases.items():
        assert got == pytest.approx(want, abs=1e-12), name
    with pytest.raises(ValueError, match="need at least two characters"):
        tg.bigram_entropy("a")


@claim(
    "TOC2.4-temperature",
    section="TOC 2.4",
    says="Sampling with temperature T draws from softmax(log p / T): T = 1 keeps the model's distribution, T -> 0 "
    "approaches always taking the most likely character, large T approaches a uniform choice.",
    today="reference.sequence.text_generation.reweight: T = 1 returns p, T = 0.01 puts more than 0.999 on the most "
    "likely character, T = 100 is within 0.01 of uniform, and the entropy rises with T.",
    verdict=Verdict.HOLDS,
)
def test_temperature_reweighting(evidence):
    p = np.array([0.5, 0.25, 0.15, 0.07, 0.03])
    entropies = {t: float(-(q * np.log(q)).sum()) for t in (0.2, 0.5, 1.0, 1.2, 2.0) for q in [tg.reweight(p, t)]}
    evidence(
        "entropy of the sampling distribution by temperature (nats)", {t: round(h, 4) for t, h in entropies.items()}
    )
    evidence("T = 0.01", np.round(tg.reweight(p, 0.01), 4).tolist())
    np.testing.assert_allclose(tg.reweight(p, 1.0), p, rtol=1e-12)
    assert tg.reweight(p, 0.01)[0] > 0.999
    np.testing.assert_allclose(tg.reweight(p, 100.0), 0.2, atol=0.01)
    values = list(entropies.values())
    assert all(a < b for a, b in zip(values, values[1:]))
    with pytest.raises(ValueError, match="temperature must be positive, received 0"):
        tg.reweight(p, 0)


@claim(
    "TOC2.4-next-character-model",
    section="TOC 2.4",
    says="A character-level text generator is trained on windows of text to predict each next character; Keras's "
    "example uses one-hot characters, an LSTM of 128 units and a softmax over the characters.",
    today="reference.sequence.text_generation: training_windows pairs each window with the same window shifted by "
    "one character; build_char_lstm (one-hot, LSTM(128), softmax at every step) has 4 x 128 x (V + 129) + 129 V "
    "= 109,636 parameters for the corpus's V = 68 characters.",
    verdict=Verdict.HOLDS,
)
def test_next_character_model(evidence):
    vocab = tg.CharVocabulary("hello world")
    ids = vocab.encode("hello world")
    x, y = tg.training_windows(ids, length=4)
    evidence(
        "'hello world' windows of 4 -> next characters", [(vocab.decode(a), vocab.decode(b)) for a, b in zip(x, y)]
    )
    assert [vocab.decode(a) for a in x] == ["hell", "o wo"] and [vocab.decode(b) for b in y] == ["ello", " wor"]
    assert vocab.decode(ids) == "hello world"
    model = tg.build_char_lstm(68)
    out = keras.ops.convert_to_numpy(model(np.zeros((2, 10), "int32")))
    evidence("parameters for 68 characters", model.count_params())
    evidence("output shape for 2 windows of 10", out.shape)
    assert model.count_params() == 4 * 128 * (68 + 128 + 1) + 129 * 68 == 109636
    assert out.shape == (2, 10, 68)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="characters not in the vocabulary"):
        vocab.encode("xyz")


@pytest.mark.slow
@claim(
    "TOC2.4-beats-letter-statistics",
    section="TOC 2.4",
    says="A character LSTM learns more than letter statistics: on held-out text its loss falls below the corpus's "
    "unigram and bigram entropies.",
    today="Holds: after 4 epochs (~40 s on 2 cores) the held-out loss is {m:ch2_text_generation_seeds:held_out_loss:range=.2f} nats per "
    "character over {m:ch2_text_generation_seeds:held_out_loss:n} seeds, below the bigram entropy {m:ch2_text_generation_seeds:@bigram_entropy:value=.2f} (computed on the whole corpus, held-out "
    "part included) and the unigram entropy {m:ch2_text_generation_seeds:@unigram_entropy:value=.2f}.",
    verdict=Verdict.HOLDS,
)
def test_beats_letter_statistics(evidence):
    result = _model_run()
    evidence("held-out loss, nats per character", round(result.held_out_loss, 4))
    evidence("bigram / unigram entropy", (round(result.bigram_entropy, 4), round(result.unigram_entropy, 4)))
    evidence("training loss per epoch", [round(v, 4) for v in result.train_loss])
    evidence("training seconds", result.seconds)
    assert result.params == tg.build_char_lstm(result.vocab_size).count_params()
    assert result.held_out_loss < result.bigram_entropy - BIGRAM_MARGIN
    assert result.bigram_entropy < result.unigram_entropy


@pytest.mark.slow
@claim(
    "TOC2.4-temperature-diversity",
    section="TOC 2.4",
    says="Lower sampling temperature gives less diverse, more repetitive text.",
    today="Holds: the share of distinct 4-grams in 4 samples of 300 characters rises with the temperature at every "
    "step 0.2 < 0.5 < 1.0 < 1.2 (from {m:ch2_text_generation_seeds:distinct_4grams/0.2:range=.2f} to {m:ch2_text_generation_seeds:distinct_4grams/1.2:range=.2f} over {m:ch2_text_generation_seeds:held_out_loss:n} seeds).",
    verdict=Verdict.HOLDS,
)
def test_temperature_diversity(evidence):
    samples = _model_run().samples
    distinct = {t: tg.distinct_ngrams(samples.texts[t], 4) for t in TEMPERATURES}
    evidence("distinct 4-grams / all 4-grams, by temperature", {t: round(v, 3) for t, v in distinct.items()})
    values = [distinct[t] for t in TEMPERATURES]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert tg.distinct_ngrams(["aaaaaa"], 4) == pytest.approx(1 / 3)


# Mean log-likelihood per character at T = 0.2 / 0.5 / 1.0 / 1.2: TensorFlow seeds 0-2 in ch2_text_generation_seeds.json
# ("log_likelihood"); JAX and PyTorch, seed 0, in the committed ledger's evidence (each backend draws its own weights
# from the seed; on JAX T = 0.2 came out below T = 0.5).  From T = 0.5 up the order never changes, and T <= 0.5 sits
# well above T = 1.0 ("low_temperature_lead"; PyTorch's seed 0 nearest, about 0.7); between 0.2 and 0.5 it can go
# either way.
MIN_LOW_TEMPERATURE_GAP = threshold(0.4, "ch2_text_generation_seeds", ".|low_temperature_lead")


@pytest.mark.slow
@claim(
    "TOC2.4-temperature-likelihood",
    section="TOC 2.4",
    says="Lower sampling temperature gives text that the model itself finds more likely.",
    today="Holds from T = 0.5 up: the mean log-probability per character (under the model at T = 1) of what was "
    "sampled falls 0.5 > 1.0 > 1.2 on every run (on 3 TensorFlow seeds {m:ch2_text_generation_seeds:log_likelihood/0.5:range=.2f}, {m:ch2_text_generation_seeds:log_likelihood/1.0:range=.2f}, {m:ch2_text_generation_seeds:log_likelihood/1.2:range=.2f} "
    "nats), and both 0.2 and 0.5 sit at least {m:ch2_text_generation_seeds:.|low_temperature_lead:min=.2f} nats above 1.0 there (JAX and PyTorch in the evidence). "
    "Below 0.5 it stops: on JAX, seed 0, the T = 0.2 samples were less likely than the T = 0.5 ones; on "
    "TensorFlow they led by as little as {m:ch2_text_generation_seeds:.|t02_over_t05:min=.2f} nats.",
    verdict=Verdict.HOLDS,
    qualifier="not below T = 0.5",
)
def test_temperature_likelihood(evidence):
    samples = _model_run().samples
    likelihood = dict(zip(TEMPERATURES, (samples.log_likelihood[t] for t in TEMPERATURES)))
    evidence("mean log-likelihood per character, by temperature", {t: round(v, 3) for t, v in likelihood.items()})
    assert likelihood[0.5] > likelihood[1.0] > likelihood[1.2]
    assert min(likelihood[0.2], likelihood[0.5]) > likelihood[1.0] + MIN_LOW_TEMPERATURE_GAP
    assert all(v < 0 for v in likelihood.values())


@pytest.mark.slow
@claim(
    "TOC2.4-samples",
    section="TOC 2.4",
    says="After training, the generator writes text in the style of its corpus: at moderate temperature mostly real "
    "words, at high temperature more invented ones.",
    today="Holds: the samples below (prompt 'the return value of a function is '); at T = 0.5, {m:ch2_text_generation_seeds:real_word_share/0.5:range=.0%} of "
    "the generated words are words of the corpus over {m:ch2_text_generation_seeds:held_out_loss:n} seeds; at T = 1.2 only {m:ch2_text_generation_seeds:real_word_share/1.2:range=.0%}.",
    verdict=Verdict.HOLDS,
)
def test_samples(evidence):
    result = _model_run()
    corpus = tg.load_corpus()
    share = {t: tg.real_word_share(result.samples.texts[t], corpus) for t in TEMPERATURES}
    for t in TEMPERATURES:
        evidence(f"sample at T = {t}", repr(result.samples.texts[t][0][:160]))
    evidence("share of real words, by temperature", {t: round(v, 3) for t, v in share.items()})
    evidence.figure(
        tg.samples_figure(result),
        "ch2_text_samples",
        "Character LSTM trained on pydoc's help topics: one sample per temperature",
        caption_zh="在 pydoc 帮助主题上训练的字符级 LSTM：每个温度一个样本",
    )
    vocab = set(tg.CharVocabulary(corpus).chars)
    assert all(len(s) == 300 and set(s) <= vocab for texts in result.samples.texts.values() for s in texts)
    assert share[0.5] >= MIN_REAL_WORDS_AT_HALF
    assert share[1.2] < share[0.5]


ZH = {
    "TOC2.4-corpus-entropies": {
        "says": "语料的字符统计给语言模型设定了基准：它的一元熵（只知道频率）和二元熵（已知前一个字符）就是两个最简单模型的损失。",
        "today": "这份语料（pydoc 的帮助主题，Python 3.11 上共 465,087 个字符的英文文档，转为小写后有 68 种不同字符）的一元熵为 3.17，"
        "二元熵为 2.43 nats/字符（即 4.58 和 3.50 bits），都低于均匀猜测的 4.22 nats；出现最多的单词是 'the'。",
    },
    "TOC2.4-entropy-by-hand": {
        "says": "一元熵是 -sum p(c) log p(c)；二元熵是已知当前字符时下一个字符的熵，-sum p(a, b) log p(b | a)。",
        "today": "reference.sequence.text_generation 的函数给出手算的值：一元熵 'aabb' 为 ln 2 = 0.693，'abcabc' 为 ln 3；"
        "二元熵 'ababab' 为 0，'abac' 为 (2/3) ln 2；只有一种字母的文本为 0。",
    },
    "TOC2.4-temperature": {
        "says": "带温度 T 的采样从 softmax(log p / T) 中抽取：T = 1 保持模型原有的分布，T -> 0 趋于总是取最可能的字符，"
        "T 很大时趋于均匀选择。",
        "today": "reference.sequence.text_generation.reweight：T = 1 时返回 p，T = 0.01 时最可能的字符概率超过 0.999，"
        "T = 100 时与均匀分布相差不到 0.01，并且熵随 T 增大而上升。",
    },
    "TOC2.4-next-character-model": {
        "says": "字符级文本生成器在文本窗口上训练，预测每一个下一个字符；Keras 的示例使用独热编码的字符、128 个单元的 LSTM 和"
        "覆盖所有字符的 softmax。",
        "today": "reference.sequence.text_generation：training_windows 把每个窗口与向后错开一个字符的同一窗口配对；"
        "build_char_lstm（独热编码、LSTM(128)、每一步一个 softmax）对这份语料的 V = 68 个字符共有 "
        "4 x 128 x (V + 129) + 129 V = 109,636 个参数。",
    },
    "TOC2.4-beats-letter-statistics": {
        "says": "字符级 LSTM 学到的不只是字母统计：在留出文本上，它的损失低于语料的一元熵和二元熵。",
        "today": "成立：训练 4 个 epoch（双核上约 40 秒）后，{m:ch2_text_generation_seeds:held_out_loss:n} 个随机种子的留出损失为 {m:ch2_text_generation_seeds:held_out_loss:range=.2f} nats/字符，"
        "低于二元熵 {m:ch2_text_generation_seeds:@bigram_entropy:value=.2f}（在包括留出部分的整个语料上计算）和一元熵 {m:ch2_text_generation_seeds:@unigram_entropy:value=.2f}。",
    },
    "TOC2.4-temperature-diversity": {
        "says": "采样温度越低，生成的文本越缺少变化、越重复。",
        "today": "成立：4 段各 300 个字符的样本中，不同 4-gram 的比例随温度逐级上升 0.2 < 0.5 < 1.0 < 1.2"
        "（{m:ch2_text_generation_seeds:held_out_loss:n} 个随机种子从 {m:ch2_text_generation_seeds:distinct_4grams/0.2:range=.2f} 升到 {m:ch2_text_generation_seeds:distinct_4grams/1.2:range=.2f}）。",
    },
    "TOC2.4-temperature-likelihood": {
        "says": "采样温度越低，生成的文本在模型自己看来越可能。",
        "today": "从 T = 0.5 往上成立：所采样文本在模型（T = 1）下每个字符的平均对数概率在每次运行中都按 0.5 > 1.0 > 1.2 "
        "下降（TensorFlow 上 3 个随机种子为 {m:ch2_text_generation_seeds:log_likelihood/0.5:range=.2f}、{m:ch2_text_generation_seeds:log_likelihood/1.0:range=.2f}、{m:ch2_text_generation_seeds:log_likelihood/1.2:range=.2f} nats），而且 0.2 和 0.5 都比 "
        "1.0 高出至少 {m:ch2_text_generation_seeds:.|low_temperature_lead:min=.2f} nats（JAX 和 PyTorch 见证据）。低于 0.5 就不一定了：在 JAX 上（种子 0），T = 0.2 的样本"
        "反而不如 T = 0.5 的样本可能；在 TensorFlow 上，前者最少只领先 {m:ch2_text_generation_seeds:.|t02_over_t05:min=.2f} nats。",
        "qualifier": "T 低于 0.5 时不成立",
    },
    "TOC2.4-samples": {
        "says": "训练之后，生成器会写出语料风格的文本：温度适中时大多是真实的单词，温度高时编造的词更多。",
        "today": "成立：样本见下（提示语为 'the return value of a function is '）；T = 0.5 时，{m:ch2_text_generation_seeds:held_out_loss:n} 个随机种子生成的单词中有 "
        "{m:ch2_text_generation_seeds:real_word_share/0.5:range=.0%} 是语料中出现过的单词；T = 1.2 时只有 {m:ch2_text_generation_seeds:real_word_share/1.2:range=.0%}。",
    },
}
