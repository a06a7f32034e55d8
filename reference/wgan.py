"""Wasserstein GANs (table of contents §4.2): weight clipping (WGAN) and gradient penalty (WGAN-GP).

The critic is the DCGAN discriminator without its sigmoid (and, for WGAN-GP, without
batch normalisation): it outputs a score, not a probability.  The critic maximises
E[f(real)] - E[f(fake)], an estimate of the Wasserstein distance, under a Lipschitz
constraint: clipping every weight to [-c, c] (WGAN) or penalising input-gradient norms
away from 1 (WGAN-GP).  ``train_step`` uses tf.GradientTape: tensorflow backend.
"""

from __future__ import annotations

import keras

from reference.dcgan import _require_tensorflow


class WGAN(keras.Model):
    """``penalty="clip"`` (clip_value c) or ``penalty="gp"`` (gp_weight lambda)."""

    def __init__(self, generator, critic, penalty: str = "gp", critic_steps: int = 5,
                 clip_value: float = 0.01, gp_weight: float = 10.0, **kwargs):
        super().__init__(**kwargs)
        _require_tensorflow("WGAN.train_step")
        if penalty not in ("clip", "gp"):
            raise ValueError(f"penalty must be 'clip' or 'gp', got {penalty!r}")
        if critic.layers[-1].activation is keras.activations.sigmoid:
            raise ValueError("a WGAN critic must output a raw score: build it with sigmoid=False")
        self.generator, self.critic = generator, critic
        self.penalty, self.critic_steps = penalty, critic_steps
        self.clip_value, self.gp_weight = clip_value, gp_weight
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(7)

    def compile(self, c_optimizer=None, g_optimizer=None, **kwargs):
        super().compile(**kwargs)
        if self.penalty == "clip":  # the WGAN paper: RMSprop, lr 5e-5
            self.c_optimizer = c_optimizer or keras.optimizers.RMSprop(5e-5)
            self.g_optimizer = g_optimizer or keras.optimizers.RMSprop(5e-5)
        else:  # the WGAN-GP paper: Adam(1e-4, 0.5, 0.9)
            self.c_optimizer = c_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
            self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def gradient_norms(self, real, fake):
        """Norms of d critic / d input at random points between real and fake images."""
        import tensorflow as tf

        eps = keras.random.uniform((tf.shape(real)[0], 1, 1, 1), seed=self.seed_generator)
        mixed = eps * real + (1 - eps) * fake
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = self.critic(mixed, training=True)
        grads = tape.gradient(score, mixed)
        return tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2, 3]) + 1e-12)

    def train_step(self, real):
        import tensorflow as tf

        n = tf.shape(real)[0]
        for _ in range(self.critic_steps):
            z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                estimate = tf.reduce_mean(self.critic(real, training=True)) - tf.reduce_mean(self.critic(fake, training=True))
                c_loss = -estimate
                if self.penalty == "gp":
                    norms = self.gradient_norms(real, fake)
                    c_loss += self.gp_weight * tf.reduce_mean(tf.square(norms - 1.0))
            grads = tape.gradient(c_loss, self.critic.trainable_weights)
            self.c_optimizer.apply_gradients(zip(grads, self.critic.trainable_weights))
            if self.penalty == "clip":
                for w in self.critic.trainable_weights:
                    w.assign(tf.clip_by_value(w, -self.clip_value, self.clip_value))
        z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.critic(self.generator(z, training=True), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"wasserstein": estimate, "c_loss": c_loss, "g_loss": g_loss}
