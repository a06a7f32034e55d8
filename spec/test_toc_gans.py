"""Table of contents 2.5, 4.1 and 4.2: the GAN principle, DCGAN and WGAN.

Promised by the table of contents, never written in the document; measured here on
MNIST with the narrow twin (width 0.25) of the §4.2 architecture so that it trains on a
CPU in about a minute.  Reference code: ``reference.gans.dcgan``, ``reference.gans.wgan``,
``reference.gans.metrics`` (a Frechet distance in the features of a classifier the suite
trains itself: no download).
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.figures import sample_grid
from reference.gans import dcgan
from reference.gans import metrics as gan_metrics
from reference.gans import training as gan_training
from spec.support import largest_change, weights_of

# DCGAN on MNIST, 400 steps of batch 64, width 0.25, seeds 0-2 (docs/measurements/gan_seeds.json): the Frechet
# distance of the untrained and the trained generator per seed.  Threshold about twice the worst seed.
DCGAN_MAX_FID = threshold(40.0, "gan_seeds", "trained_fid_400_steps", side="above")


@claim(
    "TOC-GAN-adversarial",
    section="TOC 2.5 / 4.1",
    says="A GAN pits a discriminator, trained to tell real from generated images, against a generator "
    "trained to make the discriminator call its images real.",
    today="Holds: a few discriminator steps make it separate real MNIST digits from an untrained generator's "
    "output; generator steps alone then raise the discriminator's score of generated images.",
    verdict=Verdict.HOLDS,
)
def test_adversarial_principle(evidence):
    generator = dcgan.build_generator(image_shape=(28, 28, 1), width=0.25)
    discriminator = dcgan.build_discriminator(image_shape=(28, 28, 1), width=0.25)
    trainer = dcgan.DocumentStyleTrainer(generator, discriminator)
    real = gan_training.mnist_real_images(64)
    rng = np.random.default_rng(0)
    ones, zeros = np.ones((64, 1)), np.zeros((64, 1))

    def score(images):  # D as it is trained: batch statistics (its moving averages are still near their start)
        return float(np.mean(keras.ops.convert_to_numpy(discriminator(images, training=True))))

    for _ in range(10):
        trainer.discriminator.train_on_batch(real, ones)
        trainer.discriminator.train_on_batch(generator.predict_on_batch(dcgan.generate_noise(64, rng=rng)), zeros)
    z = dcgan.generate_noise(64, rng=rng)
    real_score, score_before = score(real), score(generator.predict_on_batch(z))
    for _ in range(10):  # the combined model updates G only (D is frozen inside it)
        trainer.combined.train_on_batch(dcgan.generate_noise(64, rng=rng), ones)
    score_after = score(generator.predict_on_batch(z))
    evidence("D's mean score after 10 D steps: real / generated", f"{real_score:.3f} / {score_before:.3f}")
    evidence("D's score of the same noise's images after 10 generator steps", round(score_after, 3))
    # Calibration: no seed report; this runs from the suite's seeded start (spec/conftest.py, seed 1234) on each
    # backend, and the committed ledger (docs/ledger/, this entry's evidence) shows all three values per backend.
    # There the rise is well above 0.2 everywhere; PyTorch's generated score sits nearest its bound of 0.3.
    assert real_score > 0.8 and score_before < 0.3
    assert score_after > score_before + 0.2


@claim(
    "TOC-DCGAN-idiomatic-trains-both",
    section="TOC 4.2",
    says="A DCGAN trains both networks.",
    today="The Keras 3 form (reference.gans.dcgan.DCGAN, a Model overriding train_step, trained with fit) "
    "updates both the generator's and the discriminator's weights every step, on every backend (one train_step "
    "each for TensorFlow, JAX and PyTorch, sharing the networks and the losses).",
    verdict=Verdict.HOLDS,
)
def test_idiomatic_trains_both(evidence):
    generator = dcgan.build_generator(image_shape=(28, 28, 1), width=0.25)
    discriminator = dcgan.build_discriminator(image_shape=(28, 28, 1), width=0.25)
    gan = dcgan.DCGAN(generator, discriminator)
    gan.compile()
    g0, d0 = weights_of(generator), weights_of(discriminator)
    gan.fit(gan_training.mnist_real_images(128), batch_size=64, epochs=1, verbose=0)
    evidence(
        "after 2 steps: G change, D change",
        f"{largest_change(g0, weights_of(generator)):.3g}, {largest_change(d0, weights_of(discriminator)):.3g}",
    )
    assert largest_change(g0, weights_of(generator)) > 0 and largest_change(d0, weights_of(discriminator)) > 0


@claim(
    "TOC-GAN-frechet-distance",
    section="TOC 4.2",
    says="A GAN's samples are judged by the Frechet distance between the feature distributions of real and "
    "generated images (FID): 0 for identical distributions, growing as they part.",
    today="reference.gans.metrics.frechet_distance matches the closed form for Gaussians: 0 for one set against "
    "itself; |mu_a - mu_b|^2 for a pure shift; (s_a - s_b)^2 * d for isotropic spreads s_a, s_b in d dimensions.",
    verdict=Verdict.HOLDS,
)
def test_frechet_distance(evidence):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 4))
    shifted = a + np.array([3.0, 0.0, 4.0, 0.0])  # a shift of length 5
    wider = 2.0 * a  # spread 2 instead of 1
    values = {
        "same set": gan_metrics.frechet_distance(a, a),
        "shift of length 5 (expect 25)": gan_metrics.frechet_distance(a, shifted),
        "spread 1 vs 2 in 4-d (expect 4)": gan_metrics.frechet_distance(a, wider),
    }
    evidence("Frechet distance", {k: round(v, 4) for k, v in values.items()})
    assert values["same set"] == pytest.approx(0.0, abs=1e-4)
    assert values["shift of length 5 (expect 25)"] == pytest.approx(25.0, abs=1e-3)
    assert values["spread 1 vs 2 in 4-d (expect 4)"] == pytest.approx(
        4.0, rel=0.02
    )  # sampling error of the covariances
    with pytest.raises(ValueError, match=r"need two \(n, d\) arrays with equal d"):
        gan_metrics.frechet_distance(a, a[:, :3])


@pytest.mark.slow
@claim(
    "TOC-DCGAN-quality",
    section="TOC 4.2",
    says="A trained DCGAN generates images that resemble its training data.",
    today=f"Holds in distribution, measured: 400 steps on MNIST bring the Frechet distance to test digits from "
    "{m:gan_seeds:untrained_fid:range=.0f} (untrained) to {m:gan_seeds:trained_fid_400_steps:range=.1f} (threshold "
    f"{DCGAN_MAX_FID:.0f}, from {{m:gan_seeds:trained_fid_400_steps:n}} TensorFlow seeds). The samples after 400 CPU steps are "
    "digit-like strokes, not yet clean digits (see the grids); `python -m reference.gans.dcgan --steps 2000` trains longer.",
    verdict=Verdict.HOLDS,
    qualifier="as a Frechet distance; not yet clean digits after 400 steps",
)
def test_dcgan_quality(evidence):
    keras.utils.set_random_seed(0)
    untrained = dcgan.build_generator(image_shape=(28, 28, 1), width=0.25)
    fid_before = gan_metrics.mnist_fid(untrained)
    evidence.figure(
        sample_grid(untrained, "untrained generator"),
        "dcgan_before",
        "DCGAN samples before training",
        caption_zh="训练前 DCGAN 生成的样本",
    )
    trained = dcgan.train_mnist_dcgan(400, seed=0)
    fid_after = gan_metrics.mnist_fid(trained)
    evidence.figure(
        sample_grid(trained, "after 400 steps"),
        "dcgan_after",
        "DCGAN samples after 400 steps on MNIST",
        caption_zh="在 MNIST 上训练 400 步后 DCGAN 生成的样本",
    )
    _, classifier_accuracy = gan_metrics.mnist_feature_extractor()
    evidence("feature classifier test accuracy", round(classifier_accuracy, 4))
    evidence("FID untrained -> trained", f"{fid_before:.1f} -> {fid_after:.1f}")
    assert fid_after < DCGAN_MAX_FID and fid_after < fid_before / 5


@claim(
    "TOC-WGAN-clip",
    section="TOC 4.2",
    says="A WGAN critic outputs an unbounded score (no sigmoid) and is kept Lipschitz by clipping its weights.",
    today="Holds: after training every critic weight lies in [-0.01, 0.01] and the last layer has no activation, "
    "so scores are raw numbers around 0 (tiny under clipping), not probabilities; a critic with a sigmoid is refused.",
    verdict=Verdict.HOLDS,
)
def test_wgan_clipping(evidence):
    wgan, steps = gan_training.train_wgan("clip", steps=10, critic_steps=5)
    trainable_largest = max(float(np.abs(keras.ops.convert_to_numpy(w)).max()) for w in wgan.critic.trainable_weights)
    scores = wgan.critic.predict(gan_training.mnist_real_images(256), verbose=0)
    evidence("largest |trainable weight|", trainable_largest)
    evidence("critic score range", (round(float(scores.min()), 4), round(float(scores.max()), 4)))
    assert trainable_largest <= 0.01 + 1e-7
    kernels = np.concatenate([np.ravel(keras.ops.convert_to_numpy(w)) for w in wgan.critic.trainable_weights])
    evidence(
        "share of weights at the bounds -0.01 / +0.01",
        (round(float(np.mean(kernels <= -0.01 + 1e-7)), 3), round(float(np.mean(kernels >= 0.01 - 1e-7)), 3)),
    )
    assert kernels.min() >= -0.01 - 1e-7 and np.mean(kernels < 0) > 0.2  # clipped to [-c, c], not squashed to one side
    assert wgan.critic.layers[-1].activation is keras.activations.linear
    with pytest.raises(ValueError, match="raw score"):
        from reference.gans.wgan import WGAN

        WGAN(wgan.generator, dcgan.build_discriminator(image_shape=(28, 28, 1), width=0.25))


# WGAN-GP, 120 generator steps, seeds 0-2 (docs/measurements/wgan_gp_seeds.json): norm means 1.71-1.78 (each
# seed's spread over its 256 samples 0.11-0.18), so the window sits about 0.3 outside the measured means on either
# side, not a factor around the target 1; the control without the penalty (197-306) must reach 100, half the lowest.
WGAN_NORM_LOW = threshold(1.4, "wgan_gp_seeds", "norm_mean")
WGAN_NORM_HIGH = threshold(2.1, "wgan_gp_seeds", "norm_mean", side="above")
WGAN_MAX_LAST_OVER_PEAK = threshold(0.95, "wgan_gp_seeds", "ratio", side="above")
WGAN_FREE_MIN_NORM = threshold(100.0, "wgan_gp_seeds", "control_gp_weight_0/norm_mean")


@pytest.mark.slow
@claim(
    "TOC-WGAN-GP",
    section="TOC 4.2",
    says="WGAN-GP replaces clipping by a penalty that keeps the critic's gradient norm near 1, and the "
    "critic's Wasserstein estimate falls as the generator improves.",
    today="Holds in the short run measured: after 120 generator steps (600 critic steps) the input-gradient "
    "norms are held near 1 ({m:wgan_gp_seeds:norm_mean:range=.2f} over {m:wgan_gp_seeds:norm_mean:n} seeds) while "
    "the same run without the penalty (gp_weight 0) lets them grow to "
    "{m:wgan_gp_seeds:control_gp_weight_0/norm_mean:range=.0f}; and the estimate has passed its peak and falls "
    "(last/peak {m:wgan_gp_seeds:ratio:range=.2f}).",
    verdict=Verdict.HOLDS,
)
def test_wgan_gradient_penalty(evidence):
    wgan, steps = gan_training.train_wgan("gp", steps=120, critic_steps=5)
    real = gan_training.mnist_real_images(256)
    fake = wgan.generator(dcgan.generate_noise(256, rng=np.random.default_rng(0)))
    norms = keras.ops.convert_to_numpy(wgan.gradient_norms(real, fake))
    estimates = np.array([s["wasserstein"] for s in steps])
    smoothed = np.convolve(estimates, np.ones(10) / 10, mode="valid")
    evidence("gradient norm mean ± std", f"{norms.mean():.3f} ± {norms.std():.3f}")
    evidence("Wasserstein estimate every 10 steps", [round(float(e), 1) for e in estimates[::10]])
    evidence("10-step mean: peak / last", f"{smoothed.max():.1f} / {smoothed[-1]:.1f}")
    # Seeds 0-2 in docs/measurements/wgan_gp_seeds.json ("norm_mean", "ratio" = last/peak of the 10-step mean).
    assert WGAN_NORM_LOW < norms.mean() < WGAN_NORM_HIGH
    assert smoothed[-1] < WGAN_MAX_LAST_OVER_PEAK * smoothed.max()
    # Control: the same run without the penalty ("control_gp_weight_0"); threshold half the lowest seed.
    control, _ = gan_training.train_wgan("gp", steps=120, critic_steps=5, gp_weight=0.0)
    free = keras.ops.convert_to_numpy(
        control.gradient_norms(real, control.generator(dcgan.generate_noise(256, rng=np.random.default_rng(0))))
    )
    evidence("gradient norm mean without the penalty (gp_weight 0)", round(float(free.mean()), 1))
    assert free.mean() > WGAN_FREE_MIN_NORM


# 中文版账本 (LEDGER.zh.md): each claim of this module in Chinese, keyed by claim id.
ZH = {
    "TOC-GAN-adversarial": {
        "says": "GAN 让两个网络相互对抗：判别器学习区分真实图像和生成图像，生成器学习让判别器把它生成的图像判为真实。",
        "today": "成立：判别器训练几步后，就能把真实的 MNIST 数字与未训练生成器的输出区分开；"
        "随后只训练生成器，判别器给生成图像的分数就会升高。",
    },
    "TOC-DCGAN-idiomatic-trains-both": {
        "says": "DCGAN 会同时训练两个网络。",
        "today": "Keras 3 的写法（reference.gans.dcgan.DCGAN，一个重写了 train_step、用 fit 训练的 Model）在每个后端上"
        "每一步都会同时更新生成器和判别器的权重（TensorFlow、JAX 和 PyTorch 各有一个 train_step，共用同样的网络和损失函数）。",
    },
    "TOC-DCGAN-quality": {
        "qualifier": "以 Fréchet 距离衡量；400 步后还不是清晰的数字",
        "says": "训练好的 DCGAN 生成的图像与其训练数据相似。",
        "today": "在分布意义上成立，实测：在 MNIST 上训练 400 步后，与测试数字之间的 Frechet 距离从 "
        "{m:gan_seeds:untrained_fid:range=.0f}（未训练）降到 {m:gan_seeds:trained_fid_400_steps:range=.1f}"
        f"（阈值 {DCGAN_MAX_FID:.0f}，来自 TensorFlow 上的 {{m:gan_seeds:trained_fid_400_steps:n}} 个随机种子）。在 CPU 上训练 400 步后的样本是像数字的笔画，还不是清晰的数字"
        "（见样本网格图）；`python -m reference.gans.dcgan --steps 2000` 可以训练更久。",
    },
    "TOC-WGAN-clip": {
        "says": "WGAN 的评判器（critic）输出无界的分数（没有 sigmoid），并通过裁剪权重保持 Lipschitz 连续。",
        "today": "成立：训练后评判器的每个权重都在 [-0.01, 0.01] 内，最后一层没有激活函数，所以分数是 0 附近的原始数值"
        "（裁剪之下非常小），而不是概率；带 sigmoid 的评判器会被拒绝。",
    },
    "TOC-WGAN-GP": {
        "says": "WGAN-GP 用一个惩罚项代替裁剪，使评判器的梯度范数保持在 1 附近，并且随着生成器变好，"
        "评判器给出的 Wasserstein 估计值会下降。",
        "today": "在所测的短时训练中成立：训练 120 个生成器步（600 个评判器步）后，对输入的梯度范数保持在 1 附近"
        "（{m:wgan_gp_seeds:norm_mean:n} 个随机种子为 {m:wgan_gp_seeds:norm_mean:range=.2f}），而不加惩罚项（gp_weight 0）"
        "的同样训练会让它们增长到 {m:wgan_gp_seeds:control_gp_weight_0/norm_mean:range=.0f}；"
        "估计值也已越过峰值并在下降（末值/峰值为 {m:wgan_gp_seeds:ratio:range=.2f}）。",
    },
    "TOC-GAN-frechet-distance": {
        "says": "GAN 的样本以真实图像与生成图像的特征分布之间的 Fréchet 距离（FID）来评判：分布相同则为 0，相差越远则越大。",
        "today": "reference.gans.metrics.frechet_distance 与高斯分布的闭式解一致：同一组数据与自身比较为 0；纯平移时为 "
        "|mu_a - mu_b|^2；d 维各向同性、标准差分别为 s_a 和 s_b 时为 (s_a - s_b)^2 * d。",
    },
}
