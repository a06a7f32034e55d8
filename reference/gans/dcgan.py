"""The DCGAN of tutorial §4.2, corrected for Keras 3, in two forms.

1. ``DocumentStyleTrainer``: the tutorial's own procedure (train D on real, then on
   fake, then G through a combined model with ``train_on_batch``; instance noise on the
   real images; a progress bar; checkpoints every epoch), with what Keras 3 needs:
   separate optimizers, ``discriminator.trainable`` switched on for D's steps and off
   for G's (on Keras 3 a frozen model's own ``train_on_batch`` updates nothing), real
   batches actually drawn in turn, and ``.weights.h5`` checkpoint names.
2. ``DCGAN``: the idiomatic Keras 3 form, a ``keras.Model`` whose ``train_step`` does
   both updates (one step per backend: TensorFlow, JAX, PyTorch); trained with ``fit()``.

Architecture: the tutorial's layer stacks.  Its generator starts with a transposed
convolution on a flat 100-vector, which cannot work (a 4-D input is required): a
Dense projection and a Reshape to 2x2 come first.  ``width`` scales every filter count
(1.0 = the document's) so tests and CPUs can train a narrower twin of the same design.

    python -m reference.gans.dcgan --steps 2000          # trains on MNIST, writes build/dcgan/samples.png
"""

from __future__ import annotations

import math
from pathlib import Path

import keras
import numpy as np
from keras import layers

from reference import cli

LATENT_DIM = 100


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1], the range of the generator's tanh output."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 images, got {images.dtype}")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (n, h, w[, c]), got {images.shape}")
    return images.astype("float32") / 127.5 - 1.0


def _check_image_shape(image_shape):
    height, width, channels = image_shape
    if height != width or height not in (28, 32) or channels not in (1, 3):
        raise ValueError(f"image_shape must be (32, 32, 3|1) or (28, 28, 1|3), got {image_shape}")


def _filters(count: int, width: float) -> int:
    return max(1, int(round(count * width)))


def build_generator(latent_dim: int = LATENT_DIM, image_shape=(32, 32, 3), width: float = 1.0) -> keras.Sequential:
    """Noise (latent_dim,) -> image in [-1, 1].

    32x32: Dense -> 2x2x256 -> ConvT 512, 256, 128 -> ConvT 3 (tanh), each stride 2 (the document's stack).
    28x28: Dense -> 7x7x256 -> ConvT 128 -> ConvT channels (tanh).
    """
    _check_image_shape(image_shape)
    size, channels = image_shape[0], image_shape[2]
    start, stack = (2, (512, 256, 128)) if size == 32 else (7, (128,))
    model = [
        keras.Input((latent_dim,)),
        layers.Dense(start * start * _filters(256, width), use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((start, start, _filters(256, width))),
    ]
    for count in stack:
        model += [
            layers.Conv2DTranspose(_filters(count, width), 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(negative_slope=0.2),
        ]
    model.append(layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False, activation="tanh"))
    return keras.Sequential(model, name="generator")


def build_discriminator(image_shape=(32, 32, 3), width: float = 1.0, sigmoid: bool = True) -> keras.Sequential:
    """Image -> probability of being real (or a raw score if ``sigmoid=False``, as a WGAN critic).

    Conv 64 -> Conv 128+BN -> Conv 256+BN -> Conv 512+BN (4x4, stride 2, LeakyReLU 0.2),
    Flatten, Dropout(0.5), Dense(1): the document's stack.  For 28x28 the last conv is dropped.
    """
    _check_image_shape(image_shape)
    stack = (64, 128, 256, 512) if image_shape[0] == 32 else (64, 128, 256)
    model = [keras.Input(image_shape)]
    for i, count in enumerate(stack):
        model.append(layers.Conv2D(_filters(count, width), 4, strides=2, padding="same"))
        if i > 0 and sigmoid:  # a WGAN-GP critic must not use batch statistics
            model.append(layers.BatchNormalization())
        model.append(layers.LeakyReLU(negative_slope=0.2))
    model += [layers.Flatten(), layers.Dropout(0.5), layers.Dense(1, activation="sigmoid" if sigmoid else None)]
    return keras.Sequential(model, name="discriminator" if sigmoid else "critic")


def generate_noise(samples: int, latent_dim: int = LATENT_DIM, rng: np.random.Generator | None = None) -> np.ndarray:
    rng = rng or np.random.default_rng()
    return rng.normal(0.0, 1.0, size=(samples, latent_dim)).astype("float32")


def add_instance_noise(images: np.ndarray, rng: np.random.Generator, strength: float = 0.5) -> np.ndarray:
    """The tutorial's trick: Gaussian noise of 0.5 x the batch's std, then clip to [-1, 1]."""
    noisy = images + strength * images.std() * rng.standard_normal(images.shape).astype("float32")
    return np.clip(noisy, -1.0, 1.0)


class DocumentStyleTrainer:
    """The tutorial's train_on_batch loop, made correct on Keras 3 (see module docstring)."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, learning_rate=2e-4, beta_1=0.5):
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = generator.input_shape[-1]
        # --8<-- [start:dcgan-compile]
        discriminator.trainable = True
        discriminator.compile(
            optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
            loss=keras.losses.BinaryCrossentropy(),  # D ends in a sigmoid: probabilities, not logits
            metrics=["accuracy"],
        )
        z = keras.Input((self.latent_dim,))
        self.combined = keras.Model(z, discriminator(generator(z)), name="combined")
        discriminator.trainable = False
        self.combined.compile(
            optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1), loss=keras.losses.BinaryCrossentropy()
        )
        discriminator.trainable = True
        # --8<-- [end:dcgan-compile]

    # --8<-- [start:dcgan-train-step]
    def train_step(self, real: np.ndarray, rng: np.random.Generator) -> dict:
        n = len(real)
        ones, zeros = np.ones((n, 1), "float32"), np.zeros((n, 1), "float32")
        self.discriminator.trainable = True
        d_real = self.discriminator.train_on_batch(add_instance_noise(real, rng), ones)
        fake = self.generator.predict_on_batch(generate_noise(n, self.latent_dim, rng))
        d_fake = self.discriminator.train_on_batch(fake, zeros)
        self.discriminator.trainable = False
        g_loss = self.combined.train_on_batch(generate_noise(n, self.latent_dim, rng), ones)
        self.discriminator.trainable = True
        d_loss, d_acc = 0.5 * np.add(d_real, d_fake)
        return {"d_loss": float(d_loss), "d_accuracy": float(d_acc), "g_loss": float(g_loss)}

    # --8<-- [end:dcgan-train-step]

    def train(
        self,
        images: np.ndarray,
        epochs: int,
        batch_size: int = 64,
        seed: int = 0,
        checkpoint_dir: str | Path | None = None,
        progress: bool = True,
    ) -> list[dict]:
        """Each epoch visits every real image once, in a fresh random order."""
        from tqdm.auto import tqdm

        if len(images) < batch_size:
            raise ValueError(f"need at least one batch of {batch_size} images, got {len(images)}")
        # --8<-- [start:dcgan-epoch-loop]
        rng = np.random.default_rng(seed)
        log = []
        for epoch in range(epochs):
            order = rng.permutation(len(images))
            batches = range(len(images) // batch_size)
            bar = tqdm(batches, desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False)
            for b in bar:
                stats = self.train_step(images[order[b * batch_size : (b + 1) * batch_size]], rng)
                bar.set_postfix(stats)
            log.append(stats)
            if checkpoint_dir is not None:
                save_checkpoint(self, checkpoint_dir, epoch)
        # --8<-- [end:dcgan-epoch-loop]
        return log


def checkpoint_paths(checkpoint_dir: str | Path, tag) -> tuple[Path, Path]:
    """Keras 3 requires weight files to end in ``.weights.h5``."""
    folder = Path(checkpoint_dir)
    return folder / f"gan_generator_{tag}.weights.h5", folder / f"gan_discriminator_{tag}.weights.h5"


def save_checkpoint(trainer, checkpoint_dir, tag) -> tuple[Path, Path]:
    Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
    g_path, d_path = checkpoint_paths(checkpoint_dir, tag)
    trainer.generator.save_weights(g_path)
    trainer.discriminator.save_weights(d_path)
    return g_path, d_path


def discriminator_loss(bce, p_real, p_fake):
    """D's loss: real images should score 1, generated ones 0 (the mean of the two cross-entropies)."""
    return 0.5 * (bce(keras.ops.ones_like(p_real), p_real) + bce(keras.ops.zeros_like(p_fake), p_fake))


def generator_loss(bce, p_fake):
    """G's loss: its images should score 1 with D."""
    return bce(keras.ops.ones_like(p_fake), p_fake)


class DCGAN(keras.Model):
    """The idiomatic Keras 3 GAN: one ``train_step`` updates D, then G; train it with ``fit()``.

    One step per backend (TensorFlow: GradientTape; JAX: stateless calls; PyTorch: autograd),
    the same networks, losses and order of updates on each.  A subclass that feeds both networks
    something besides noise and images (a label, say) overrides ``_split``, ``_g_inputs`` and
    ``_d_inputs`` only; the steps stay here.
    """

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = generator.inputs[0].shape[-1]  # the noise is the generator's first input
        self.built = True  # both networks are built; fit() must not trace call() on image batches
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer=None, g_optimizer=None, learning_rate=2e-4, **kwargs):
        from reference.gans.backend_steps import PairedOptimizer

        self.d_optimizer = d_optimizer or keras.optimizers.Adam(learning_rate, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(learning_rate, beta_1=0.5)
        self.bce = keras.losses.BinaryCrossentropy()
        # fit() sees one optimizer; on JAX it carries both networks' optimizer state through the step.
        super().compile(
            optimizer=PairedOptimizer(self.d_optimizer, self.discriminator, self.g_optimizer, self.generator), **kwargs
        )

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def _noise(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    # What each network is given.  Here: the batch is the real images, G gets noise, D gets images.
    def _split(self, data):
        """The batch fit() hands over -> (real images, the condition both networks also receive, or None)."""
        return data, None

    def _g_inputs(self, z, condition):
        return z

    def _d_inputs(self, images, condition):
        return images

    def train_step(self, *args):
        from reference.gans.backend_steps import backend_train_step

        return backend_train_step(self, *args)

    def _train_step_tensorflow(self, data):
        import tensorflow as tf

        real, condition = self._split(data)
        n = tf.shape(real)[0]
        z = self._noise(n)
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, condition), training=True)
            d_loss = discriminator_loss(
                self.bce,
                self.discriminator(self._d_inputs(real, condition), training=True),
                self.discriminator(self._d_inputs(fake, condition), training=True),
            )
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = self._noise(n)
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, condition), training=True)
            g_loss = generator_loss(self.bce, self.discriminator(self._d_inputs(fake, condition), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}

    def _train_step_torch(self, data):
        from reference.gans.backend_steps import torch_step

        real, condition = self._split(data)
        n = real.shape[0]
        fake = self.generator(self._g_inputs(self._noise(n), condition), training=True)
        d_loss = discriminator_loss(
            self.bce,
            self.discriminator(self._d_inputs(real, condition), training=True),
            self.discriminator(self._d_inputs(fake, condition), training=True),
        )
        torch_step(d_loss, self.discriminator, self.d_optimizer, self)
        fake = self.generator(self._g_inputs(self._noise(n), condition), training=True)
        g_loss = generator_loss(self.bce, self.discriminator(self._d_inputs(fake, condition), training=True))
        torch_step(g_loss, self.generator, self.g_optimizer, self)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}

    def _train_step_jax(self, state, data):
        import jax

        from reference.gans.backend_steps import StateView

        real, condition = self._split(data)
        trainable, non_trainable, optimizer_variables, metrics_variables = state
        d_opt, g_opt = self.optimizer.split(optimizer_variables)
        d, g = StateView(self, self.discriminator), StateView(self, self.generator)
        n = real.shape[0]
        with keras.StatelessScope(state_mapping=list(zip(self.non_trainable_variables, non_trainable))) as scope:
            z_d, z_g = self._noise(n), self._noise(n)
        non_trainable = [scope.get_current_value(v) for v in self.non_trainable_variables]

        def d_loss_fn(d_weights, d_state, g_state):
            fake, g_state = self.generator.stateless_call(
                StateView.take(trainable, g.trainable), g_state, self._g_inputs(z_d, condition), training=True
            )
            p_real, d_state = self.discriminator.stateless_call(
                d_weights, d_state, self._d_inputs(real, condition), training=True
            )
            p_fake, d_state = self.discriminator.stateless_call(
                d_weights, d_state, self._d_inputs(fake, condition), training=True
            )
            return discriminator_loss(self.bce, p_real, p_fake), (d_state, g_state)

        (d_loss, (d_state, g_state)), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
            StateView.take(trainable, d.trainable),
            StateView.take(non_trainable, d.non_trainable),
            StateView.take(non_trainable, g.non_trainable),
        )
        d_weights, d_opt = self.d_optimizer.stateless_apply(d_opt, grads, StateView.take(trainable, d.trainable))

        def g_loss_fn(g_weights, g_state, d_state):
            fake, g_state = self.generator.stateless_call(
                g_weights, g_state, self._g_inputs(z_g, condition), training=True
            )
            p_fake, d_state = self.discriminator.stateless_call(
                d_weights, d_state, self._d_inputs(fake, condition), training=True
            )
            return generator_loss(self.bce, p_fake), (g_state, d_state)

        (g_loss, (g_state, d_state)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
            StateView.take(trainable, g.trainable), g_state, d_state
        )
        g_weights, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, StateView.take(trainable, g.trainable))
        trainable = StateView.put(StateView.put(trainable, d.trainable, d_weights), g.trainable, g_weights)
        non_trainable = StateView.put(StateView.put(non_trainable, d.non_trainable, d_state), g.non_trainable, g_state)
        state = (trainable, non_trainable, d_opt + g_opt, metrics_variables)
        return {"d_loss": d_loss, "g_loss": g_loss}, state


def mnist_dcgan(width: float = 0.25, seed: int = 0) -> DCGAN:
    """The idiomatic DCGAN for 28x28 MNIST digits, compiled, untrained (seeded by ``seed``)."""
    if width <= 0:
        raise ValueError(f"width must be positive, received {width}")
    keras.utils.set_random_seed(seed)
    gan = DCGAN(
        build_generator(image_shape=(28, 28, 1), width=width), build_discriminator(image_shape=(28, 28, 1), width=width)
    )
    gan.compile()
    return gan


def fit_mnist(gan: DCGAN, steps: int, batch_size: int = 64, verbose=0, callbacks=()) -> None:
    """``steps`` updates of both networks on MNIST scaled to [-1, 1], in as few epochs as the steps need."""
    from reference.data import load_mnist

    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive; received {steps} and {batch_size}")
    (train_images, _), _ = load_mnist()
    real = scale_images(train_images)
    epochs = math.ceil(steps * batch_size / len(real))
    gan.fit(
        real,
        batch_size=batch_size,
        epochs=epochs,
        steps_per_epoch=math.ceil(steps / epochs),
        verbose=verbose,
        callbacks=list(callbacks),
    )


def train_mnist_dcgan(steps: int, batch_size: int = 64, width: float = 0.25, seed: int = 0, verbose=0):
    """Train the idiomatic DCGAN on MNIST for a number of steps; returns the generator."""
    gan = mnist_dcgan(width, seed)
    fit_mnist(gan, steps, batch_size, verbose)
    return gan.generator


# 400 steps of the width-0.25 model draw digits (Frechet distance 10-18, docs/measurements/gan_seeds.json); 100 steps
# draw grey noise, and a grid title says so.
DIGITS_FROM_STEPS = 400


def main(argv=None) -> None:
    args = cli.parse_args("gans.dcgan", argv)
    from reference.figures import sample_grid

    gan = mnist_dcgan(args.width, args.seed)

    def samples(folder: Path, steps: int, stopped: str = "") -> Path:
        title = f"DCGAN samples after {steps} steps{stopped}"
        if steps < DIGITS_FROM_STEPS:
            title += f"\n(under {DIGITS_FROM_STEPS} steps: may still be noise, not digits)"
        target = folder / "samples.png"
        sample_grid(gan.generator, title).savefig(target)
        return target

    # Ctrl-C keeps the samples of the steps done so far (reference/cli.py)
    cli.on_interrupt(lambda folder, training: samples(folder, training.steps, ", interrupted"))
    fit_mnist(gan, args.steps, verbose=1)
    cli.wrote([samples(Path(args.out), args.steps)])


if __name__ == "__main__":
    cli.run(main)
