"""Faces to cartoons without pairs: a small CycleGAN (table of contents, 4.3, "faces to anime").

CycleGAN (Zhu, Park, Isola and Efros, 2017) learns to translate between two sets of images that are
*not* paired: photos (domain A) and cartoons (domain B), with no cartoon of any training photo.  Two
generators translate A -> B and B -> A; two discriminators say whether an image looks like its domain.
What ties a translation to its input is the *cycle*: B -> A -> B must give the cartoon back (an L1
loss), and so, more loosely, must A -> B -> A.  An *identity* term (a cartoon handed to the A -> B
generator should come out unchanged, a photo handed to B -> A likewise) keeps the grey levels in place.

**Data.**  Offline there is no anime data set, so both domains come from scikit-image's
``lfw_subset()``: 200 grayscale 25x25 images in [0, 1] (float64; its docstring says uint8), of which the
first 100 are faces and the other 100 are not (background patches; ``face_resemblance`` measures the
split: 84 of the first 100 correlate above 0.3 with the mean face, 2 of the other 100 do).  The 100 faces
are dealt once (``SPLIT_SEED``) into three disjoint groups of photographs:

- domain A: 40 photos, kept as photos;
- domain B: 40 *other* photos, cartoonised; the photos themselves are never used;
- held out: 20 photos and their true cartoons, for scoring only.

The subset carries no names, so "other photos" means other images: the same person may appear in two
groups.  Training also sees the left-right mirror image of every image.

**The cartoon operator** follows the recipe white-box cartoonisation (Wang and Yu, CVPR 2020) describes: a
flattened surface, a few quantised colours, dark outlines.  ``cartoonise``: smooth with scikit-image's
edge-preserving bilateral filter, replace every grey level by the nearest of ``PALETTE_SIZE`` levels (the
palette is fitted once by our own K-means, ``reference.clustering.kmeans``, on the smoothed domain-B photos), and
paint ``EDGE_LEVEL`` (black) where the smoothed image's Sobel magnitude exceeds ``EDGE_THRESHOLD``.  It is
deterministic; every setting is a module constant.

**The networks**, small enough for a CPU:

- generators: residual, ``out = clip(x + f(x), 0, 1)``, f = four 3x3 convolutions at the native 25x25
  ('same' padding, no downsampling), the last one initialised at zero: each generator starts as the
  identity and only has to learn the change;
- discriminators: PatchGAN-style, 13x13 scores, each from a 9x9 patch, least-squares loss (LSGAN, mse).

**Training** is the tutorial's own pattern (``reference.gans.dcgan.DocumentStyleTrainer``), so it runs on
TensorFlow, JAX and PyTorch alike: the discriminators are compiled, then frozen (``trainable = False``)
before the combined model that trains both generators is compiled; each step calls ``train_on_batch`` on
each discriminator (trainable) and then on the combined model (discriminators frozen).  CycleGAN's own
stabilisers are used: a pool of 50 past fakes per discriminator, and a learning rate constant for the first
half of training, then falling linearly to 0.  Translations use an exponential moving average of the
generators' weights.

**Design, as measured** (held-out PSNR of the translation minus that of leaving the photo unchanged, seed 0
unless stated; docs/measurements/ch4_3_cyclegan_seeds.json).  With black outlines wherever the Sobel magnitude
exceeds 0.2 (12% of the pixels) and 4 grey levels, the best of about a dozen settings gained 0.54 dB after
2500 steps (the others 0.3 dB or less, several lost) and nothing in SSIM, although the same generator trained
*with* pairs gains 5.3 dB: once an outline is painted black, nothing in a cartoon says where it had to go, and
the translations' dark pixels fell on true outlines 26% of the time.  Outlines at 0.4 (2% of the pixels) and 3
levels make the flat, quantised surface the main change, which is learnable.  What made it learn: both
networks' inputs rescaled to [-1, 1] (a discriminator trained alone on [0, 1] inputs stalled at a held-out
loss of 0.16-0.23; rescaled, it reached 0.08); a loose photo cycle (weight 0.1) beside a strict cartoon cycle
(10), because photo -> cartoon discards texture and demanding the photo back fights the flattening; the
learning-rate decay and the image pool; and 9x9 patches for the discriminators.  With 5x5 patches, seeds 0-4
gained +0.97, +0.80, +1.03, +1.35 and -0.82 dB (the last collapsed after a peak at step 600); with 5x5 patches
and cycle weights 10 and 10, +0.17 dB; with 5x5 patches and no pool, seeds 0-2 gained +1.24, +0.22 and +0.80
dB, with an SSIM below the unchanged photo's on seed 1.

    python -m reference.gans.cartoon      # ~1 min on 2 CPU cores; writes build/gans/cartoon.png
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli
from reference.measurements import write_report

SIZE = 25  # lfw_subset's images are 25x25
FACES = 100  # lfw_subset(): images 0-99 are faces, 100-199 are not
SPLIT_SEED = 0  # deals the faces into A, B and held out; fixed, so every training seed is scored on the same faces
TRAIN_A, TRAIN_B, HELD_OUT = 40, 40, 20

# The cartoon operator.
SMOOTH_SIGMA_COLOR = 0.1  # bilateral filter: grey-level scale (images in [0, 1])
SMOOTH_SIGMA_SPATIAL = 1.0  # bilateral filter: distance scale, pixels
SMOOTH_WINDOW = 5
PALETTE_SIZE = 3  # grey levels of the flattened surface, fitted by K-means
PALETTE_SEED = 0
EDGE_THRESHOLD = 0.4  # Sobel magnitude (scikit-image's) of the smoothed image above which a pixel is an outline
EDGE_LEVEL = 0.0  # outlines are black

# The CycleGAN.
FILTERS = 16  # generator: 3x3 convolutions of 16 filters
GENERATOR_CONVS = 4  # convolutions in f, the last (to 1 channel) starting at zero
DISCRIMINATOR_FILTERS = 16
DISCRIMINATOR_KERNELS = ((3, 1), (3, 2), (3, 1))  # (kernel, stride) before the 1x1 scoring: 9x9 patches
LEARNING_RATE = 1e-3  # Adam, beta_1 0.5, all four networks; constant for half the steps, then linearly to 0
BETA_1 = 0.5
CARTOON_CYCLE_WEIGHT = 10.0  # B -> A -> B, L1
PHOTO_CYCLE_WEIGHT = 0.1  # A -> B -> A, L1: weak, the photo's texture cannot come back from a flat cartoon
IDENTITY_WEIGHT = 2.0  # G_AB(b) = b and G_BA(a) = a, L1
POOL = 50  # past fakes kept per discriminator
AVERAGE = 0.99  # exponential moving average of the generators' weights, per step
BATCH_SIZE = 16
STEPS = 1200
EVERY = 100  # steps between records of the held-out scores


def check_images(images, name: str = "images") -> np.ndarray:
    """Grayscale images as float32 (n, 25, 25, 1) in [0, 1]; (n, 25, 25) is accepted.  Anything else: ValueError."""
    images = np.asarray(images)
    shape = images.shape
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (SIZE, SIZE, 1):
        raise ValueError(
            f"{name} must be grayscale {SIZE}x{SIZE} images, shape (n, {SIZE}, {SIZE}) or "
            f"(n, {SIZE}, {SIZE}, 1); received shape {shape}"
        )
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"{name} must be floats in [0, 1]; received dtype {images.dtype}")
    if not len(images):
        raise ValueError(f"{name}: received no images")
    if not np.isfinite(images).all():
        bad = int((~np.isfinite(images)).sum())
        raise ValueError(f"{name} must be finite, in [0, 1]; received {bad} NaN or infinite values")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(f"{name} must lie in [0, 1]; received values in [{images.min():.4g}, {images.max():.4g}]")
    return images.astype("float32")


def load_faces() -> np.ndarray:
    """scikit-image's 100 LFW faces, float32 (100, 25, 25) in [0, 1] (images 100-199 of the subset are not faces)."""
    import skimage.data

    return skimage.data.lfw_subset()[:FACES].astype("float32")


def face_resemblance() -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of each subset image with the mean face: (the first 100, each left out of the mean
    it is compared with; the other 100)."""
    import skimage.data

    images = skimage.data.lfw_subset().reshape(200, -1).astype("float64")
    faces, others = images[:FACES], images[FACES:]
    total = faces.sum(axis=0)
    first = [np.corrcoef(f, (total - f) / (FACES - 1))[0, 1] for f in faces]
    rest = [np.corrcoef(o, total / FACES)[0, 1] for o in others]
    return np.array(first), np.array(rest)


# --- the cartoon operator ---------------------------------------------------------------------------------


def smooth(image: np.ndarray) -> np.ndarray:
    """Edge-preserving smoothing of one (25, 25) image (scikit-image's bilateral filter): flat regions get flatter."""
    from skimage.restoration import denoise_bilateral

    return denoise_bilateral(
        np.asarray(image, "float64"),
        win_size=SMOOTH_WINDOW,
        sigma_color=SMOOTH_SIGMA_COLOR,
        sigma_spatial=SMOOTH_SIGMA_SPATIAL,
    )


def edge_mask(image: np.ndarray) -> np.ndarray:
    """Where the cartoon of one (25, 25) image draws an outline: smoothed image's Sobel magnitude > EDGE_THRESHOLD."""
    from skimage.filters import sobel

    return sobel(smooth(image)) > EDGE_THRESHOLD


def fit_palette(photos, k: int = PALETTE_SIZE) -> np.ndarray:
    """``k`` grey levels, ascending: our K-means (``reference.clustering.kmeans``, k-means++ start, seed 0) on every
    smoothed pixel of ``photos``."""
    from reference.clustering.kmeans import kmeans

    photos = check_images(photos, "photos")[..., 0]
    pixels = np.concatenate([smooth(p).ravel() for p in photos])[:, None]
    return np.sort(kmeans(pixels, k, seed=PALETTE_SEED).centers.ravel()).astype("float32")


def cartoonise(photos, palette) -> np.ndarray:
    """Cartoons of ``photos`` (n, 25, 25[, 1]): smooth, snap to the nearest palette level, black outlines.

    Returns float32 (n, 25, 25, 1): off the outlines only palette levels occur; on them, ``EDGE_LEVEL``."""
    photos = check_images(photos, "photos")[..., 0]
    palette = np.asarray(palette, "float32")
    usable = palette.ndim == 1 and len(palette) and np.isfinite(palette).all()
    if not usable or palette.min() < 0 or palette.max() > 1:
        raise ValueError(f"palette must be a non-empty 1-D array of grey levels in [0, 1]; received {palette.tolist()}")
    out = []
    for photo in photos:
        flat = smooth(photo)
        levels = palette[np.abs(flat[..., None] - palette).argmin(axis=-1)]
        out.append(np.where(edge_mask(photo), EDGE_LEVEL, levels))
    return np.stack(out)[..., None].astype("float32")


@dataclass
class Domains:
    """The unpaired data: photos (A), cartoons of other photos (B), held-out photos with their true cartoons."""

    train_a: np.ndarray  # (40, 25, 25, 1) photos
    train_b: np.ndarray  # (40, 25, 25, 1) cartoons of 40 other photos
    test_a: np.ndarray  # (20, 25, 25, 1) held-out photos
    test_b: np.ndarray  # their true cartoons, for scoring only
    palette: np.ndarray
    index: dict = field(default_factory=dict)  # which of lfw_subset's faces went where


def make_domains(split_seed: int = SPLIT_SEED) -> Domains:
    """Deal the 100 faces into A, B and held out (disjoint); fit the palette on B's photos; cartoonise B, held out."""
    faces = load_faces()
    order = np.random.default_rng(split_seed).permutation(FACES)
    ia, ib, it = order[:TRAIN_A], order[TRAIN_A : TRAIN_A + TRAIN_B], order[TRAIN_A + TRAIN_B :]
    palette = fit_palette(faces[ib])
    return Domains(
        train_a=faces[ia][..., None],
        train_b=cartoonise(faces[ib], palette),
        test_a=faces[it][..., None],
        test_b=cartoonise(faces[it], palette),
        palette=palette,
        index={"a": ia.tolist(), "b": ib.tolist(), "held_out": it.tolist()},
    )


def with_flips(images: np.ndarray) -> np.ndarray:
    """The images followed by their mirror images (left-right)."""
    return np.concatenate([images, images[:, :, ::-1]])


# --- the CycleGAN -----------------------------------------------------------------------------------------


def build_generator(name: str, filters: int = FILTERS, convs: int = GENERATOR_CONVS) -> keras.Model:
    """(25, 25, 1) -> (25, 25, 1): ``clip(x + f(x), 0, 1)``; f: 3x3 'same' convolutions on x rescaled to [-1, 1],
    ReLU between, the last (to 1 channel) initialised at zero, so the generator starts as the identity."""
    if convs < 2 or filters < 1:
        raise ValueError(f"a generator needs at least 2 convolutions and 1 filter; received {convs} and {filters}")
    image = keras.Input((SIZE, SIZE, 1))
    h = layers.Rescaling(2.0, offset=-1.0)(image)
    for _ in range(convs - 1):
        h = layers.Conv2D(filters, 3, padding="same", activation="relu")(h)
    change = layers.Conv2D(1, 3, padding="same", kernel_initializer="zeros", bias_initializer="zeros", name="change")(h)
    out = layers.ReLU(max_value=1.0, name="clip_0_1")(layers.Add()([image, change]))
    return keras.Model(image, out, name=name)


def build_discriminator(name: str, filters: int = DISCRIMINATOR_FILTERS, kernels=DISCRIMINATOR_KERNELS) -> keras.Model:
    """(25, 25, 1) -> one realness score per patch (PatchGAN-style; LSGAN, so no sigmoid).

    Input rescaled to [-1, 1]; ``kernels``: (kernel size, stride) of each convolution before the 1x1 scoring layer
    (``filters``, then ``2 * filters``; LeakyReLU 0.2).  The default gives 13x13 scores, each of a 9x9 patch."""
    image = keras.Input((SIZE, SIZE, 1))
    h = layers.Rescaling(2.0, offset=-1.0)(image)
    for i, (kernel, stride) in enumerate(kernels):
        h = layers.Conv2D(filters * min(2, i + 1), kernel, strides=stride, padding="same")(h)
        h = layers.LeakyReLU(negative_slope=0.2)(h)
    return keras.Model(image, layers.Conv2D(1, 1)(h), name=name)


class ImagePool:
    """The last ``size`` generated images; each new fake is shown as is, or (half the time, once the pool is
    full) swapped for an older one (Shrivastava et al. 2017, as CycleGAN uses it)."""

    def __init__(self, size: int, rng: np.random.Generator):
        if size < 0:
            raise ValueError(f"pool size must be >= 0; received {size}")
        self.size, self.rng, self.images = size, rng, []

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        if self.size == 0:
            return batch
        out = []
        for image in batch:
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif self.rng.random() < 0.5:
                i = int(self.rng.integers(self.size))
                out.append(self.images[i])
                self.images[i] = image
            else:
                out.append(image)
        return np.stack(out)


class HalfThenLinear(keras.optimizers.schedules.LearningRateSchedule):
    """CycleGAN's schedule: ``initial`` for the first half of ``steps`` updates, then a straight line down to 0."""

    def __init__(self, initial: float, steps: int):
        self.initial, self.steps = float(initial), int(steps)

    def __call__(self, step):
        half = self.steps / 2
        fraction = keras.ops.clip((keras.ops.cast(step, "float32") - half) / half, 0.0, 1.0)
        return self.initial * (1.0 - fraction)

    def get_config(self):
        return {"initial": self.initial, "steps": self.steps}


class CycleGAN:
    """Two generators (A -> B, B -> A), two discriminators, trained with the tutorial's train_on_batch pattern.

    The discriminators are compiled (mse: LSGAN) while trainable; then frozen, and the combined model is
    compiled: inputs a photo batch and a cartoon batch; outputs both discriminators' scores of the
    translations, both cycles and both identities; losses mse, mse, then L1 (mae) x 4, weighted 1, 1,
    ``photo_cycle_weight``, ``cartoon_cycle_weight``, ``identity_weight``, ``identity_weight``.
    ``train_step`` sets each model's trainable state before stepping it.  ``decay_steps``: the learning
    rates follow ``HalfThenLinear`` over that many steps (None: constant).
    """

    def __init__(
        self,
        learning_rate: float = LEARNING_RATE,
        cartoon_cycle_weight: float = CARTOON_CYCLE_WEIGHT,
        photo_cycle_weight: float = PHOTO_CYCLE_WEIGHT,
        identity_weight: float = IDENTITY_WEIGHT,
        filters: int = FILTERS,
        discriminator_filters: int = DISCRIMINATOR_FILTERS,
        discriminator_kernels=DISCRIMINATOR_KERNELS,
        pool: int = POOL,
        average: float | None = AVERAGE,
        decay_steps: int | None = None,
        seed: int = 0,
    ):
        if min(cartoon_cycle_weight, photo_cycle_weight, identity_weight) < 0 or learning_rate <= 0:
            raise ValueError(
                "loss weights must be >= 0 and the learning rate > 0; received "
                f"{cartoon_cycle_weight}, {photo_cycle_weight}, {identity_weight}, {learning_rate}"
            )
        if average is not None and not 0 < average < 1:
            raise ValueError(f"average must lie in (0, 1) or be None; received {average}")

        def rate():
            return learning_rate if decay_steps is None else HalfThenLinear(learning_rate, decay_steps)

        self.g_ab = build_generator("photo_to_cartoon", filters)
        self.g_ba = build_generator("cartoon_to_photo", filters)
        self.d_a = build_discriminator("photo_critic", discriminator_filters, discriminator_kernels)
        self.d_b = build_discriminator("cartoon_critic", discriminator_filters, discriminator_kernels)
        for d in (self.d_a, self.d_b):
            d.trainable = True
            d.compile(optimizer=keras.optimizers.Adam(rate(), beta_1=BETA_1), loss="mse")
        a, b = keras.Input((SIZE, SIZE, 1), name="photo"), keras.Input((SIZE, SIZE, 1), name="cartoon")
        fake_b, fake_a = self.g_ab(a), self.g_ba(b)
        outputs = [self.d_b(fake_b), self.d_a(fake_a), self.g_ba(fake_b), self.g_ab(fake_a), self.g_ab(b), self.g_ba(a)]
        self.combined = keras.Model([a, b], outputs, name="cycle_gan")
        self.d_a.trainable = self.d_b.trainable = False
        self.combined.compile(
            optimizer=keras.optimizers.Adam(rate(), beta_1=BETA_1),
            loss=["mse", "mse", "mae", "mae", "mae", "mae"],
            loss_weights=[1.0, 1.0, photo_cycle_weight, cartoon_cycle_weight, identity_weight, identity_weight],
        )
        self.d_a.trainable = self.d_b.trainable = True
        pools = np.random.default_rng(seed + 1000)
        self.pool_a, self.pool_b = ImagePool(pool, pools), ImagePool(pool, pools)
        # The generators used for translating: exponential moving averages of the trained weights.
        self.average = average
        self.g_ab_avg = build_generator("photo_to_cartoon_avg", filters)
        self.g_ba_avg = build_generator("cartoon_to_photo_avg", filters)
        self._ema = [g.get_weights() for g in (self.g_ab, self.g_ba)]
        self._ema_written = False

    def train_step(self, a: np.ndarray, b: np.ndarray) -> dict:
        """One update of each discriminator, then one of both generators; ``a`` and ``b`` are unrelated batches.

        Returns the discriminators' losses and the combined model's total and per-output losses."""
        n = len(a)
        real = np.ones((n, *self.d_a.output_shape[1:]), "float32")
        fake = np.zeros_like(real)
        fake_b = self.pool_b(keras.ops.convert_to_numpy(self.g_ab.predict_on_batch(a)))
        fake_a = self.pool_a(keras.ops.convert_to_numpy(self.g_ba.predict_on_batch(b)))
        self.d_a.trainable = self.d_b.trainable = True
        d_a = self.d_a.train_on_batch(np.concatenate([a, fake_a]), np.concatenate([real, fake]))
        d_b = self.d_b.train_on_batch(np.concatenate([b, fake_b]), np.concatenate([real, fake]))
        self.d_a.trainable = self.d_b.trainable = False
        g = self.combined.train_on_batch([a, b], [real, real, a, b, b, a])
        self.d_a.trainable = self.d_b.trainable = True
        if self.average is not None:
            for ema, live in zip(self._ema, (self.g_ab, self.g_ba)):
                for e, w in zip(ema, live.get_weights()):
                    e *= self.average
                    e += (1 - self.average) * w
            self._ema_written = False
        return {"d_a": float(np.ravel(d_a)[0]), "d_b": float(np.ravel(d_b)[0]), "g": float(np.ravel(g)[0])}

    def generators(self) -> tuple[keras.Model, keras.Model]:
        """(A -> B, B -> A) as used to translate: the weight averages, or the live generators if ``average`` is None."""
        if self.average is None:
            return self.g_ab, self.g_ba
        if not self._ema_written:
            for ema, g in zip(self._ema, (self.g_ab_avg, self.g_ba_avg)):
                g.set_weights(ema)
            self._ema_written = True
        return self.g_ab_avg, self.g_ba_avg

    def translate(self, photos) -> np.ndarray:
        """Photos -> cartoons (A -> B), float32 (n, 25, 25, 1)."""
        return keras.ops.convert_to_numpy(self.generators()[0].predict(check_images(photos, "photos"), verbose=0))

    def to_photos(self, cartoons) -> np.ndarray:
        """Cartoons -> photos (B -> A), float32 (n, 25, 25, 1)."""
        return keras.ops.convert_to_numpy(self.generators()[1].predict(check_images(cartoons, "cartoons"), verbose=0))


@dataclass
class Training:
    """A trained CycleGAN and what was recorded on the held-out photos every ``EVERY`` steps (step 0 included)."""

    model: CycleGAN
    steps: list
    psnr: list  # translation vs true cartoon, mean over the held-out faces (dB); recorded, never used to choose
    ssim: list
    photo_cycle: list  # mean |A -> B -> A - A|
    change: list  # mean |A -> B - A|: how far the translation moved from the photo
    losses: list  # per step: the discriminators' and the combined model's losses
    seconds: float  # training time, records excluded


def train_cyclegan(
    domains: Domains | None = None,
    steps: int = STEPS,
    batch_size: int = BATCH_SIZE,
    seed: int = 0,
    every: int = EVERY,
    progress: bool = False,
    **model_kwargs,
) -> Training:
    """Train a CycleGAN on the unpaired domains (with flips) for ``steps`` steps, the learning rate decaying over
    them; the held-out scores are recorded before the first step and every ``every`` steps."""
    from tqdm.auto import tqdm

    if steps < 1 or batch_size < 1 or every < 1:
        raise ValueError(f"steps, batch_size and every must be positive; received {steps}, {batch_size}, {every}")
    domains = domains or make_domains()
    photos, cartoons = with_flips(domains.train_a), with_flips(domains.train_b)
    if batch_size > min(len(photos), len(cartoons)):
        raise ValueError(f"batch_size {batch_size} exceeds the {min(len(photos), len(cartoons))} images of a domain")
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    model = CycleGAN(decay_steps=steps, seed=seed, **model_kwargs)
    record = {"steps": [], "psnr": [], "ssim": [], "photo_cycle": [], "change": []}

    def measure(step):
        translated = model.translate(domains.test_a)
        back = model.to_photos(translated)
        record["steps"].append(step)
        for key, value in scores(translated, domains.test_b).items():
            record[key].append(value)
        record["photo_cycle"].append(float(np.mean(np.abs(back - domains.test_a))))
        record["change"].append(float(np.mean(np.abs(translated - domains.test_a))))

    measure(0)
    losses, seconds = [], 0.0
    bar = tqdm(range(1, steps + 1), desc="CycleGAN", disable=not progress, leave=False)
    for step in bar:
        start = time.perf_counter()
        a = photos[rng.choice(len(photos), batch_size, replace=False)]
        b = cartoons[rng.choice(len(cartoons), batch_size, replace=False)]
        losses.append(model.train_step(a, b))
        seconds += time.perf_counter() - start
        if step % every == 0 or step == steps:
            measure(step)
            bar.set_postfix({"psnr": round(record["psnr"][-1], 2), "d_b": round(losses[-1]["d_b"], 3)})
    return Training(model, losses=losses, seconds=seconds, **record)


def scores(translated, targets) -> dict:
    """Mean PSNR (dB) and SSIM (``skimage.metrics``, data range 1) of each image against its target."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    translated, targets = check_images(translated, "translated"), check_images(targets, "targets")
    if len(translated) != len(targets):
        raise ValueError(f"need one target per image; received {len(translated)} images and {len(targets)} targets")
    pairs = [(t[..., 0].astype("float64"), x[..., 0].astype("float64")) for x, t in zip(translated, targets)]
    return {
        "psnr": float(np.mean([peak_signal_noise_ratio(t, x, data_range=1.0) for t, x in pairs])),
        "ssim": float(np.mean([structural_similarity(t, x, data_range=1.0) for t, x in pairs])),
    }


def evaluate(training: Training, domains: Domains) -> dict:
    """Held-out scores of the translation and of the identity baseline (the photo itself), and the cycles."""
    translated = training.model.translate(domains.test_a)
    photos_made = training.model.to_photos(domains.test_b)
    cartoons_back = training.model.translate(photos_made)
    return {
        "translation": scores(translated, domains.test_b),
        "identity": scores(domains.test_a, domains.test_b),
        "photo_cycle_first": training.photo_cycle[0],
        "photo_cycle_last": training.photo_cycle[-1],
        "change_last": training.change[-1],
        "cartoon_change": float(np.mean(np.abs(photos_made - domains.test_b))),
        "cartoon_cycle": float(np.mean(np.abs(cartoons_back - domains.test_b))),
        "seconds": round(training.seconds, 1),
    }


def measure_seeds(seeds=(0, 1, 2, 3, 4), steps: int = STEPS, out: str | Path | None = None) -> dict:
    """Train once per seed on the same domains; held-out scores and the recorded curves; optionally saved as JSON."""
    domains = make_domains()
    runs = {}
    for seed in seeds:
        training = train_cyclegan(domains, steps, seed=seed)
        runs[str(seed)] = {
            **evaluate(training, domains),
            "curve_steps": training.steps,
            "psnr_curve": [round(v, 3) for v in training.psnr],
            "ssim_curve": [round(v, 4) for v in training.ssim],
            "photo_cycle_curve": [round(v, 5) for v in training.photo_cycle],
            "change_curve": [round(v, 5) for v in training.change],
        }
    report = {
        "how": f"reference.gans.cartoon.measure_seeds(seeds={list(seeds)}, steps={steps}): make_domains() "
        f"(split seed {SPLIT_SEED}: {TRAIN_A} photos, cartoons of {TRAIN_B} other photos, {HELD_OUT} held "
        f"out; palette of {PALETTE_SIZE} levels, outlines at Sobel > {EDGE_THRESHOLD}), train_cyclegan "
        f"(batch {BATCH_SIZE}, Adam {LEARNING_RATE} halved-then-linear decay, cycle weights cartoon "
        f"{CARTOON_CYCLE_WEIGHT} / photo {PHOTO_CYCLE_WEIGHT}, identity {IDENTITY_WEIGHT}, pool {POOL}, "
        f"weight average {AVERAGE}, flips); mean PSNR/SSIM (skimage.metrics) of the {HELD_OUT} held-out "
        "translations against their true cartoons, and of the photos themselves (identity baseline).",
        "setup": (
            "unpaired CycleGAN, LFW faces to 3-level cartoons with outlines, 1200 steps: held-out "
            "PSNR/SSIM of the translation and of the unchanged photo, cycle errors and curves every 100 "
            "steps; constants: the cartoon palette"
        ),
        "runs": runs,
        "constants": {"palette": np.round(domains.palette, 4).tolist()},
    }
    return write_report(report, out)


def figure(photos, cartoons, translated, back, columns: int = 10):
    """Rows: held-out photos, their true cartoons, the translations, the cycle reconstructions (A -> B -> A)."""
    from reference.figures import plt

    rows = [("photo", photos), ("true cartoon", cartoons), ("translated", translated), ("back to photo", back)]
    fig, axes = plt.subplots(len(rows), columns, figsize=(columns * 0.75, len(rows) * 0.82))
    for (title, images), row in zip(rows, axes):
        for ax, image in zip(row, np.asarray(images)[:columns]):
            ax.imshow(image[..., 0], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(title, fontsize=7)
    return fig


def main(argv=None) -> None:
    args = cli.parse_args("gans.cartoon", argv)
    domains = make_domains()
    training = train_cyclegan(domains, args.steps, seed=args.seed, progress=True)
    result = evaluate(training, domains)
    print(
        f"trained {args.steps} steps in {training.seconds:.0f} s ({keras.backend.backend()}); "
        f"palette {[round(float(v), 3) for v in domains.palette]}"
    )
    for name in ("translation", "identity"):
        print(
            f"{name:>12}: PSNR {result[name]['psnr']:.2f} dB, SSIM {result[name]['ssim']:.3f} "
            f"({HELD_OUT} held-out faces against their true cartoons)"
        )
    print(
        f"mean |difference|: A -> B moves the photo {result['change_last']:.4f}, A -> B -> A comes back within "
        f"{result['photo_cycle_last']:.4f}; B -> A moves the cartoon {result['cartoon_change']:.4f}, B -> A -> B "
        f"comes back within {result['cartoon_cycle']:.4f}"
    )
    translated = training.model.translate(domains.test_a)
    figure(domains.test_a, domains.test_b, translated, training.model.to_photos(translated)).savefig(
        Path(args.out) / "cartoon.png", dpi=100, bbox_inches="tight"
    )
    cli.wrote([Path(args.out) / "cartoon.png"])


if __name__ == "__main__":
    cli.run(main)
