"""Short, real GAN training runs on MNIST shared by the spec, the CLI and measurements.

Each returns what the claims need: the trained generator and per-step statistics.
"""

from __future__ import annotations

import keras
import numpy as np

from reference.data import load_mnist
from reference.gans.dcgan import DocumentStyleTrainer, build_discriminator, build_generator, scale_images
from reference.gans.wgan import WGAN

MNIST_SHAPE = (28, 28, 1)


class StepLog(keras.callbacks.Callback):
    """Keeps every training step's logs (fit() only keeps epoch averages)."""

    def __init__(self):
        super().__init__()
        self.steps: list[dict] = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append({k: float(v) for k, v in (logs or {}).items()})


def mnist_real_images(count: int = 60000) -> np.ndarray:
    (x_train, _), _ = load_mnist()
    return scale_images(x_train[:count])


def train_wgan(
    penalty: str,
    steps: int,
    batch_size: int = 64,
    width: float = 0.25,
    critic_steps: int = 5,
    seed: int = 0,
    gp_weight: float = 10.0,
):
    """Train a WGAN (``clip`` or ``gp``, with ``gp_weight`` lambda) on MNIST for ``steps`` generator updates."""
    keras.utils.set_random_seed(seed)
    real = mnist_real_images(steps * batch_size)
    generator = build_generator(image_shape=MNIST_SHAPE, width=width)
    critic = build_discriminator(image_shape=MNIST_SHAPE, width=width, sigmoid=False)
    wgan = WGAN(generator, critic, penalty=penalty, critic_steps=critic_steps, gp_weight=gp_weight)
    wgan.compile()
    log = StepLog()
    wgan.fit(real, batch_size=batch_size, epochs=1, verbose=0, callbacks=[log], shuffle=True)
    return wgan, log.steps


def train_document_style(steps: int, batch_size: int = 64, width: float = 0.25, seed: int = 0, progress: bool = False):
    """Train the tutorial-style loop (``DocumentStyleTrainer``) on MNIST for ``steps`` steps of one batch.

    One epoch over the first ``steps * batch_size`` training images; returns (trainer, per-epoch log).
    """
    keras.utils.set_random_seed(seed)
    generator = build_generator(image_shape=MNIST_SHAPE, width=width)
    discriminator = build_discriminator(image_shape=MNIST_SHAPE, width=width)
    trainer = DocumentStyleTrainer(generator, discriminator)
    log = trainer.train(
        mnist_real_images(steps * batch_size), epochs=1, batch_size=batch_size, seed=seed, progress=progress
    )
    return trainer, log
