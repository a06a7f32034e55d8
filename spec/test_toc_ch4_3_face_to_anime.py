"""Table of contents, 4.3 (GAN applications): faces to anime, as unpaired image-to-image translation (CycleGAN).

Lesson for a newcomer: nobody has a cartoon drawn of every photo, so the translation must learn from two
separate piles of images.  CycleGAN (Zhu et al., 2017) gives each pile a discriminator ("does this look
like a cartoon?") and asks that going there and back returns what you started with.  That last demand
assumes the translation loses nothing; cartoonising throws texture away, so here the cartoon -> photo
-> cartoon cycle is strict and the photo -> cartoon -> photo cycle is loose.  Judge the result against
the cheapest answer, handing back the photo unchanged: a translation that does not beat it has learned
nothing useful, however cartoon-like it looks.

Offline there is no anime data set, so the cartoons are made from scikit-image's LFW faces by a known
operator (smoothing, a K-means palette, black outlines), which lets us score every translation of a
held-out face against its true cartoon.  ``reference.gans.cartoon`` holds the data, the operator
and the model; the document never writes this chapter, so every claim is the standard one, measured.
"""

import keras
import numpy as np
import pytest

from ledger import Verdict, claim
from ledger.measured import threshold
from reference.clustering.kmeans import initial_centers
from reference.gans import cartoon as ct
from spec.shared_runs import shared_run
from spec.support import largest_change, weights_of


@claim(
    "TOC4.3-cartoon-operator",
    section="TOC 4.3",
    says="A cartoon look (as white-box cartoonisation describes it: a flattened surface, a few quantised colours, dark "
    "outlines) can be produced by a fixed filter, which then defines the cartoon domain.",
    today="Holds for reference.gans.cartoon.cartoonise: bilateral smoothing (scikit-image), each grey level "
    "snapped to the nearest of 3 levels fitted by our own K-means (0.146, 0.435, 0.673; scikit-learn's KMeans from "
    "the same start agrees), black where the smoothed image's Sobel magnitude exceeds 0.4 (2% of the pixels). Off "
    "the outlines only the 3 levels occur, the outlines are darker than every level, and two runs give identical "
    "cartoons. The faces are the first 100 images of skimage.data.lfw_subset(): 84 of them correlate above 0.3 "
    "with the mean face, 2 of the other 100 do.",
    verdict=Verdict.HOLDS,
)
def test_cartoon_operator(evidence):
    from sklearn.cluster import KMeans

    first, rest = ct.face_resemblance()
    evidence(
        "correlation with the mean face > 0.3: images 0-99 / 100-199",
        (int((first > 0.3).sum()), int((rest > 0.3).sum())),
    )
    evidence(
        "median correlation with the mean face: images 0-99 / 100-199",
        (round(float(np.median(first)), 2), round(float(np.median(rest)), 2)),
    )
    assert (first > 0.3).sum() >= 80 and (rest > 0.3).sum() <= 5
    domains = ct.make_domains()
    palette = domains.palette
    evidence("palette (our K-means on the smoothed domain-B pixels)", [round(float(v), 3) for v in palette])
    assert palette.shape == (ct.PALETTE_SIZE,) and np.all(np.diff(palette) > 0.1)
    # The same start handed to scikit-learn's KMeans gives the same levels.
    photos_b = ct.load_faces()[domains.index["b"]]
    pixels = np.concatenate([ct.smooth(p).ravel() for p in photos_b])
    start = initial_centers(pixels[:, None], ct.PALETTE_SIZE, seed=ct.PALETTE_SEED)
    fitted = KMeans(ct.PALETTE_SIZE, init=start, n_init=1).fit(pixels[:, None])
    sklearn_levels = np.sort(fitted.cluster_centers_.ravel())
    evidence(
        "scikit-learn KMeans from the same start (its tolerance stops it slightly earlier)",
        np.round(sklearn_levels, 3).tolist(),
    )
    np.testing.assert_allclose(palette, sklearn_levels, atol=5e-3)
    cartoons = domains.test_b[..., 0]
    outline = np.stack([ct.edge_mask(p) for p in domains.test_a[..., 0]])
    levels_off_outline = np.unique(cartoons[~outline])
    evidence("grey levels off the outlines (held-out cartoons)", [round(float(v), 3) for v in levels_off_outline])
    evidence("grey levels on the outlines", np.unique(cartoons[outline]).tolist())
    evidence("outline pixels", f"{outline.mean():.1%}")
    assert set(levels_off_outline.tolist()) <= set(palette.tolist())
    assert np.all(cartoons[outline] == ct.EDGE_LEVEL) and ct.EDGE_LEVEL < palette.min()
    assert 0.005 < outline.mean() < 0.05
    np.testing.assert_array_equal(ct.cartoonise(domains.test_a, ct.fit_palette(photos_b)), domains.test_b)
    # A flat image stays flat and takes the nearest level; a sharp step gets an outline.
    flat = np.full((1, 25, 25), 0.42, "float32")
    assert np.all(ct.cartoonise(flat, palette) == palette[np.abs(palette - 0.42).argmin()])
    step = np.zeros((1, 25, 25), "float32")
    step[:, :, 13:] = 1.0
    drawn = ct.cartoonise(step, palette)[0, ..., 0]
    assert np.all(drawn[:, 12:14] == ct.EDGE_LEVEL)
    assert np.all(drawn[:, :10] == palette[0]) and np.all(drawn[:, 16:] == palette[-1])


@claim(
    "TOC4.3-cyclegan-unpaired",
    section="TOC 4.3",
    says="CycleGAN learns from unpaired data: a pile of photos and a pile of cartoons, no cartoon made from any "
    "photo it trains on.",
    today="Holds for reference.gans.cartoon.make_domains: the 100 faces are dealt into 40 photos (domain A), "
    "40 other photos whose cartoons form domain B, and 20 held-out photos scored against their true cartoons; the "
    "three groups share no image, and no domain-B cartoon equals the cartoon of a domain-A photo (mean absolute "
    "difference: 0.04 for the closest pair, 0.16 for the median pair). Mirror images double both piles.",
    verdict=Verdict.HOLDS,
)
def test_domains_are_unpaired(evidence):
    domains = ct.make_domains()
    groups = {k: set(v) for k, v in domains.index.items()}
    evidence("faces per group (A photos, B cartoons, held out)", tuple(len(groups[k]) for k in ("a", "b", "held_out")))
    assert [len(groups[k]) for k in ("a", "b", "held_out")] == [ct.TRAIN_A, ct.TRAIN_B, ct.HELD_OUT]
    assert not (groups["a"] & groups["b"]) and not (groups["held_out"] & (groups["a"] | groups["b"]))
    cartoons_of_a = ct.cartoonise(domains.train_a, domains.palette)
    distance = np.abs(cartoons_of_a[:, None] - domains.train_b[None]).mean(axis=(2, 3, 4))
    evidence(
        "(cartoon of an A photo, B cartoon) pairs, mean |difference|: closest / median",
        (round(float(distance.min()), 3), round(float(np.median(distance)), 3)),
    )
    assert distance.min() > 0.02
    photos_b = ct.load_faces()[domains.index["b"]][..., None]
    photos = np.abs(domains.train_a[:, None] - photos_b[None]).mean(axis=(2, 3, 4))
    assert photos.min() > 0.02  # no photo of A appears among B's photos either
    flipped = ct.with_flips(domains.train_a)
    assert len(flipped) == 2 * ct.TRAIN_A and np.array_equal(flipped[ct.TRAIN_A], domains.train_a[0, :, ::-1])


@claim(
    "TOC4.3-cyclegan-parts",
    section="TOC 4.3",
    says="A CycleGAN is two generators (A -> B, B -> A) and two patch discriminators, trained with adversarial "
    "(least-squares), cycle (L1) and identity (L1) losses.",
    today="Holds for reference.gans.cartoon.CycleGAN on this backend: each generator is "
    "clip(x + f(x), 0, 1) with f's last convolution at zero, so it starts as the exact identity; each "
    "discriminator gives 13x13 scores, each of a 9x9 patch. Trained with the tutorial's train_on_batch pattern: the "
    "combined model's step (discriminators frozen) leaves the discriminators unchanged, and one full step moves "
    "all four networks.",
    verdict=Verdict.HOLDS,
)
def test_cyclegan_parts(evidence):
    domains = ct.make_domains()
    model = ct.CycleGAN(average=None)
    evidence("parameters: generator, discriminator", (model.g_ab.count_params(), model.d_a.count_params()))
    evidence(
        "combined model: outputs and losses",
        [f"{o.shape} {l}" for o, l in zip(model.combined.outputs, ["mse", "mse", "mae", "mae", "mae", "mae"])],
    )
    for g in (model.g_ab, model.g_ba):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(g(domains.test_a)), domains.test_a)
    # The receptive field, measured: flip each pixel of one photo in turn and see which move the middle score.
    image = domains.test_a[0]
    flipped = np.repeat(image[None], 25 * 25 + 1, axis=0)  # the last one stays as it is
    flipped[np.arange(625), np.arange(625) // 25, np.arange(625) % 25, 0] = 1.0 - image[..., 0].ravel()
    scores = keras.ops.convert_to_numpy(model.d_b.predict(flipped, batch_size=626, verbose=0))[:, 6, 6, 0]
    rows, cols = np.nonzero(np.abs(scores[:-1] - scores[-1]).reshape(25, 25) > 1e-5)
    field = (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1))
    evidence(
        "discriminator output shape; pixels that move its middle score (rows, columns)",
        (tuple(model.d_b.output.shape), (int(rows.min()), int(rows.max())), (int(cols.min()), int(cols.max()))),
    )
    assert tuple(model.d_b.output.shape) == (None, 13, 13, 1) and field == (9, 9)
    a, b = ct.with_flips(domains.train_a)[:8], ct.with_flips(domains.train_b)[:8]
    ones = np.ones((8, 13, 13, 1), "float32")
    before = [weights_of(m) for m in (model.d_a, model.d_b, model.g_ab, model.g_ba)]
    model.d_a.trainable = model.d_b.trainable = False
    returned = model.combined.train_on_batch([a, b], [ones, ones, a, b, b, a])
    evidence("combined step: train_on_batch's total loss", round(float(np.ravel(returned)[0]), 4))
    model.d_a.trainable = model.d_b.trainable = True
    after = [weights_of(m) for m in (model.d_a, model.d_b, model.g_ab, model.g_ba)]
    moved_by_combined = [largest_change(x, y) for x, y in zip(before, after)]
    evidence(
        "largest weight change from one combined step: D_A, D_B, G_AB, G_BA", np.round(moved_by_combined, 6).tolist()
    )
    assert moved_by_combined[0] == moved_by_combined[1] == 0.0 and min(moved_by_combined[2:]) > 0
    losses = model.train_step(a, b)
    networks = (model.d_a, model.d_b, model.g_ab, model.g_ba)
    moved_by_step = [largest_change(x, weights_of(m)) for x, m in zip(after, networks)]
    evidence(
        "one train_step: losses; largest weight change D_A, D_B, G_AB, G_BA",
        ({k: round(v, 4) for k, v in losses.items()}, np.round(moved_by_step, 6).tolist()),
    )
    assert min(moved_by_step) > 0


SEEDS = (0, 1, 2)  # the translation claim is about a training recipe, so it is judged on three trainings


def _trained():
    """Three CycleGANs (1200 steps, seeds 0-2) on the default domains: each one's held-out scores, and seed 0's
    curves and images for the figure and the cycle claim; numbers and images only (picklable)."""

    def compute():
        domains = ct.make_domains()
        runs = {}
        for seed in SEEDS:
            training = ct.train_cyclegan(domains, seed=seed)
            runs[seed] = {"result": ct.evaluate(training, domains), "psnr_curve": training.psnr}
            if seed == SEEDS[0]:
                translated = training.model.translate(domains.test_a)
                photos, target = domains.test_a, domains.test_b
                per_image = [
                    (
                        ct.scores(translated[i : i + 1], target[i : i + 1]),
                        ct.scores(photos[i : i + 1], target[i : i + 1]),
                    )
                    for i in range(len(translated))
                ]
                runs[seed].update(
                    {
                        "per_image": per_image,
                        "steps": training.steps,
                        "ssim_curve": training.ssim,
                        "photo_cycle_curve": training.photo_cycle,
                        "change_curve": training.change,
                        "photos": photos,
                        "cartoons": target,
                        "translated": translated,
                        "back": training.model.to_photos(translated),
                    }
                )
        return runs

    return shared_run("ch4_3-cyclegan", compute)


# Held-out PSNR / SSIM against the true cartoons, 1200 steps, and of the photos unchanged (identity): TensorFlow seeds
# 0-4 (ch4_3_cyclegan_seeds.json) and JAX seeds 1-3 (ch4_3_cyclegan_seeds_jax.json).  PyTorch seeds 0 and 2 gained as
# much; two trainings in twelve went wrong (JAX seed 0 drifted below the photo after first gaining, PyTorch seed 1
# ended below it; no seed report holds these three PyTorch runs or JAX seed 0: docs/measurements/backends.md).  So the
# claim is on the median of three seeds; each threshold is about half the worst good seed's gain.
MIN_PSNR_GAIN = threshold(0.25, "ch4_3_cyclegan_seeds*", ".|psnr_gain")  # dB
MIN_SSIM_GAIN = threshold(0.01, "ch4_3_cyclegan_seeds*", ".|ssim_gain")


@pytest.mark.slow
@claim(
    "TOC4.3-cyclegan-beats-identity",
    section="TOC 4.3",
    says="Trained on unpaired photos and cartoons, a CycleGAN translates a new face into (an approximation of) its "
    "cartoon.",
    today="Holds, narrowly, for most trainings: after 1200 steps (about a minute on one CPU core) the translations of "
    "20 held-out faces score PSNR {m:ch4_3_cyclegan_seeds*:translation/psnr:range=.1f} dB and SSIM {m:ch4_3_cyclegan_seeds*:translation/ssim:range=.2f} against their true cartoons, where "
    "handing back the photo unchanged scores {m:ch4_3_cyclegan_seeds*:identity/psnr:range=.1f} dB and {m:ch4_3_cyclegan_seeds*:identity/ssim:range=.2f}: {m:ch4_3_cyclegan_seeds*:.|psnr_gain:range=+.1f} dB and {m:ch4_3_cyclegan_seeds*:.|ssim_gain:range=+.2f} "
    "in 10 of 12 trainings (5 seeds on TensorFlow, 4 on JAX, 3 on PyTorch; the ranges are TensorFlow's 5 and JAX's 3 "
    "reported seeds, PyTorch's two good seeds fell inside them). Two drifted below the photo, JAX seed 0 after first "
    "gaining and PyTorch seed 1, so the claim is judged on the median of 3 seeds. With black outlines on 12% of the pixels instead of "
    "2%, the best setting we tried gained 0.5 dB in 2500 steps and nothing in SSIM: an unpaired model cannot tell "
    "where an outline belongs.",
    verdict=Verdict.HOLDS,
    qualifier="{m:ch4_3_cyclegan_seeds*:.|psnr_gain:range=+.1f} dB over the unchanged photo, in 10 of 12 trainings",
)
def test_translation_beats_identity(evidence):
    runs = _trained()
    gains = {
        seed: (
            run["result"]["translation"]["psnr"] - run["result"]["identity"]["psnr"],
            run["result"]["translation"]["ssim"] - run["result"]["identity"]["ssim"],
        )
        for seed, run in runs.items()
    }
    first = runs[SEEDS[0]]
    result = first["result"]
    per_image = first["per_image"]
    wins = sum(t["psnr"] > i["psnr"] for t, i in per_image)
    ssim_wins = sum(t["ssim"] > i["ssim"] for t, i in per_image)
    evidence(
        "gain over the unchanged photo (PSNR dB, SSIM), by seed",
        {seed: (round(p, 2), round(s, 3)) for seed, (p, s) in gains.items()},
    )
    evidence(
        f"seed {SEEDS[0]}: PSNR (dB), SSIM of the translation / the photo unchanged",
        (
            round(result["translation"]["psnr"], 2),
            round(result["identity"]["psnr"], 2),
            round(result["translation"]["ssim"], 3),
            round(result["identity"]["ssim"], 3),
        ),
    )
    evidence(
        f"seed {SEEDS[0]}: held-out faces whose translation beats the unchanged photo (PSNR, SSIM)",
        f"{wins} and {ssim_wins} of {len(per_image)}",
    )
    evidence(f"seed {SEEDS[0]}: PSNR every 100 steps", np.round(first["psnr_curve"], 2).tolist())
    evidence(f"seed {SEEDS[0]}: training time (s, records excluded)", result["seconds"])
    assert np.median([p for p, _ in gains.values()]) > MIN_PSNR_GAIN
    assert np.median([s for _, s in gains.values()]) > MIN_SSIM_GAIN
    assert all(
        run["result"]["change_last"] > 0.02 for run in runs.values()
    )  # the translations really changed the photos
    fig = ct.figure(first["photos"], first["cartoons"], first["translated"], first["back"])
    evidence.figure(
        fig,
        "ch4_3_cyclegan_faces",
        f"CycleGAN, 1200 steps, seed {SEEDS[0]}: held-out photos, their true "
        "cartoons, the translations, and the translations translated back",
        caption_zh="CycleGAN，1200 步，种子 0：留出的照片、它们真实的卡通图、转换结果，以及再转换回来的结果",
    )


def _rounded(result, *keys):
    return tuple(round(result[k], 4) for k in keys)


# Held-out cycles after 1200 steps (ch4_3_cyclegan_seeds*.json): how far B -> A moves a cartoon ("cartoon_change", mean
# |difference|) and how close B -> A -> B returns ("cartoon_cycle"); the same for photos ("change_last",
# "photo_cycle_last": about as far back as the move, that cycle is weighted 0.1).
MAX_CARTOON_CYCLE_RATIO = threshold(0.6, "ch4_3_cyclegan_seeds*", ".|cartoon_cycle_ratio", side="above")
MAX_CARTOON_CYCLE = threshold(0.025, "ch4_3_cyclegan_seeds*", "cartoon_cycle", side="above")


@pytest.mark.slow
@claim(
    "TOC4.3-cyclegan-cycle",
    section="TOC 4.3",
    says="The cycle loss keeps the translation faithful: translating to the other domain and back returns the input.",
    today="Holds for the strictly weighted cycle: cartoon -> photo -> cartoon (weight 10) returns held-out cartoons "
    "within {m:ch4_3_cyclegan_seeds:cartoon_cycle:range=.3f} (mean absolute difference) after the first leg moved them {m:ch4_3_cyclegan_seeds:cartoon_change:range=.3f} "
    "({m:ch4_3_cyclegan_seeds:cartoon_cycle:n} TensorFlow seeds). The photo "
    "cycle is weighted 0.1, because cartoonising discards texture that no generator can restore: photo -> cartoon "
    "-> photo comes back only {m:ch4_3_cyclegan_seeds:photo_cycle_last:range=.3f} from the photo after a {m:ch4_3_cyclegan_seeds:change_last:range=.3f} move, on one seed no closer "
    "than the "
    "cartoon was. Neither cycle error falls during training here: the generators start as the identity, so both "
    "errors start at exactly 0; the photo cycle's rises to about 0.05 as the translation is learned.",
    verdict=Verdict.HOLDS,
    qualifier="for the cartoon cycle; the loose photo cycle does not",
)
def test_cycle_returns_input(evidence):
    run = _trained()[SEEDS[0]]
    result = run["result"]
    ratio = result["cartoon_cycle"] / result["cartoon_change"]
    evidence("B -> A change / B -> A -> B error", _rounded(result, "cartoon_change", "cartoon_cycle"))
    evidence("A -> B change / A -> B -> A error", _rounded(result, "change_last", "photo_cycle_last"))
    evidence("A -> B -> A error every 100 steps", np.round(run["photo_cycle_curve"], 4).tolist())
    assert result["cartoon_cycle"] < MAX_CARTOON_CYCLE and ratio < MAX_CARTOON_CYCLE_RATIO
    curve = run["photo_cycle_curve"]
    assert curve[0] < 1e-6 and curve[-1] > 10 * max(curve[0], 1e-4)  # starts at 0 and rises: it does not fall


@claim(
    "TOC4.3-cartoon-bad-input",
    section="TOC 4.3",
    says="Images of the wrong shape or range are refused with a clear error, not translated into nonsense.",
    today="Holds: the operator, the model and the scores accept only grayscale 25x25 float images in [0, 1] and "
    "raise ValueError naming the shape, dtype or range received (an RGB image, 0-255 pixels, uint8, NaN), as "
    "they do a palette outside [0, 1] and a target list of the wrong length.",
    verdict=Verdict.HOLDS,
)
def test_bad_input(evidence):
    good = np.full((2, 25, 25), 0.5, "float32")
    palette = np.array([0.2, 0.5, 0.8], "float32")
    floats = "float32"
    cases = {
        "cartoonise(28x28 images)": (
            lambda: ct.cartoonise(np.zeros((2, 28, 28), floats), palette),
            r"received shape \(2, 28, 28\)",
        ),
        "cartoonise(RGB images)": (
            lambda: ct.cartoonise(np.zeros((2, 25, 25, 3), floats), palette),
            r"grayscale 25x25",
        ),
        "cartoonise(pixels 0-255)": (
            lambda: ct.cartoonise(good * 255, palette),
            r"must lie in \[0, 1\]; received values in \[127.5, 127.5\]",
        ),
        "cartoonise(uint8)": (
            lambda: ct.cartoonise(np.zeros((2, 25, 25), "uint8"), palette),
            r"must be floats in \[0, 1\]; received dtype uint8",
        ),
        "check_images(NaN pixels)": (
            lambda: ct.check_images(np.where(np.eye(25)[None] > 0, np.nan, 0.5)),
            r"must be finite, in \[0, 1\]; received 25 NaN",
        ),
        "cartoonise(palette 0-255)": (lambda: ct.cartoonise(good, palette * 255), r"palette must be .* in \[0, 1\]"),
        "scores(2 images, 1 target)": (
            lambda: ct.scores(good, good[:1]),
            r"one target per image; received 2 images and 1",
        ),
        "CycleGAN.translate(28x28)": (
            lambda: ct.CycleGAN(average=None).translate(np.zeros((1, 28, 28), floats)),
            r"photos must be grayscale",
        ),
    }
    for name, (call, pattern) in cases.items():
        with pytest.raises(ValueError, match=pattern) as failure:
            call()
        evidence(name, str(failure.value))


# 中文版账本 (LEDGER.zh.md)
ZH = {
    "TOC4.3-cartoon-operator": {
        "says": "卡通风格（按白盒卡通化的描述：表面平整、颜色量化为少数几种、轮廓深色）可以由一个固定的滤波器生成，"
        "由它来定义卡通这一域。",
        "today": "对 reference.gans.cartoon.cartoonise 成立：先用 scikit-image 的双边滤波平滑，再把每个灰度值替换成"
        "我们自己的 K-means 拟合出的 3 个灰度级中最近的一个（0.146、0.435、0.673；scikit-learn 的 KMeans 从同一起点出发得到"
        "相同结果），平滑后图像的 Sobel 幅值超过 0.4 的像素涂黑（占像素的 2%）。轮廓之外只出现这 3 个灰度级，轮廓比每个灰度级"
        "都暗，两次运行得到完全相同的卡通图。人脸取自 skimage.data.lfw_subset() 的前 100 幅：其中 84 幅与平均人脸的相关系数"
        "超过 0.3，而其余 100 幅中只有 2 幅如此。",
    },
    "TOC4.3-cyclegan-unpaired": {
        "says": "CycleGAN 从不成对的数据中学习：一堆照片和一堆卡通图，训练用的卡通图没有一幅是由训练照片生成的。",
        "today": "对 reference.gans.cartoon.make_domains 成立：100 张人脸被分成 40 张照片（A 域）、另外 40 张照片"
        "（它们的卡通图构成 B 域）和 20 张留出的照片（用它们真正的卡通图来评分）；三组之间没有共同的图像，B 域中也没有任何"
        "一幅卡通图等于某张 A 域照片的卡通图（平均绝对差：最接近的一对为 0.04，中位数为 0.16）。水平翻转使两堆图像都加倍。",
    },
    "TOC4.3-cyclegan-parts": {
        "says": "CycleGAN 由两个生成器（A -> B、B -> A）和两个图块判别器组成，用对抗损失（最小二乘）、循环损失（L1）和"
        "恒等损失（L1）训练。",
        "today": "在当前后端上对 reference.gans.cartoon.CycleGAN 成立：每个生成器都是 clip(x + f(x), 0, 1)，f 的最后一个"
        "卷积初始化为零，所以一开始就是精确的恒等映射；每个判别器给出 13x13 个分数，每个分数来自一个 9x9 的图块。训练沿用教程的 train_on_batch "
        "模式：组合模型的一步（判别器冻结）不改变判别器，而完整的一步会更新全部四个网络。",
    },
    "TOC4.3-cyclegan-beats-identity": {
        "qualifier": "比原样返回照片高 {m:ch4_3_cyclegan_seeds*:.|psnr_gain:range=.1f} dB，12 次训练中有 10 次如此",
        "says": "在不成对的照片和卡通图上训练后，CycleGAN 能把一张新的人脸转换成它的卡通图（的近似）。",
        "today": "对大多数训练成立，但优势不大：训练 1200 步（单个 CPU 核上约一分钟）后，20 张留出人脸的转换结果与其真正卡通图相比，"
        "PSNR 为 {m:ch4_3_cyclegan_seeds*:translation/psnr:range=.1f} dB，SSIM 为 {m:ch4_3_cyclegan_seeds*:translation/ssim:range=.2f}；而原样返回照片得到 {m:ch4_3_cyclegan_seeds*:identity/psnr:range=.1f} dB 和 {m:ch4_3_cyclegan_seeds*:identity/ssim:range=.2f}："
        "在 12 次训练中有 10 次高出 {m:ch4_3_cyclegan_seeds*:.|psnr_gain:range=.1f} dB、SSIM 高出 {m:ch4_3_cyclegan_seeds*:.|ssim_gain:range=.2f}（TensorFlow 上 5 个种子，JAX 上 4 个，PyTorch 上 3 个；"
        "范围取自 TensorFlow 的 5 个和 JAX 的 3 个有报告的种子，PyTorch 的两个正常种子落在其中）。有两次漂移到比照片还低："
        "JAX 种子 0 先有提高后回落，PyTorch 种子 1 也低于照片，所以这条结论按 3 个种子的中位数来判断。如果黑色轮廓占像素的 12% 而不是 2%，"
        "我们试过的最好设置训练 2500 步也只高出 0.5 dB，SSIM 毫无提高：不成对的模型无法判断轮廓应该画在哪里。",
    },
    "TOC4.3-cyclegan-cycle": {
        "qualifier": "对卡通循环成立；宽松的照片循环不成立",
        "says": "循环损失让转换忠实于输入：转到另一个域再转回来，得到的就是输入。",
        "today": "对权重大的循环成立：卡通 -> 照片 -> 卡通（权重 10）在第一步把留出的卡通图改动 {m:ch4_3_cyclegan_seeds:cartoon_change:range=.3f}（平均绝对差）之后，"
        "能回到与原图相差 {m:ch4_3_cyclegan_seeds:cartoon_cycle:range=.3f} 以内（TensorFlow 上 {m:ch4_3_cyclegan_seeds:cartoon_cycle:n} 个种子）。照片循环的权重只有 0.1，因为卡通化丢掉的纹理任何生成器都无法恢复："
        "照片 -> 卡通 -> 照片在改动 {m:ch4_3_cyclegan_seeds:change_last:range=.3f} 之后，回来时与照片仍相差 {m:ch4_3_cyclegan_seeds:photo_cycle_last:range=.3f}，有一个种子甚至不比卡通图更接近照片。"
        "这里两种循环误差在训练中都没有下降：生成器从恒等映射出发，两种误差都恰好从 0 开始；随着转换被学会，照片循环的误差上升到 0.05 左右。",
    },
    "TOC4.3-cartoon-bad-input": {
        "says": "形状或取值范围不对的图像会被明确地拒绝，而不是被转换成毫无意义的结果。",
        "today": "成立：卡通化算子、模型和评分函数只接受取值在 [0, 1] 的 25x25 灰度浮点图像，否则抛出 ValueError，"
        "并说明收到的形状、数据类型或取值范围（RGB 图像、0-255 的像素、uint8、NaN）；调色板超出 [0, 1]、目标图像数量不对时也是如此。",
    },
}
