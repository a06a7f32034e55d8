"""Wasserstein GANs (table of contents §4.2): weight clipping (WGAN) and gradient penalty (WGAN-GP).

The critic is the DCGAN discriminator without its sigmoid (and, for WGAN-GP, without
batch normalisation): it outputs a score, not a probability.  The critic maximises
E[f(real)] - E[f(fake)], an estimate of the Wasserstein distance, under a Lipschitz
constraint: clipping every weight to [-c, c] (WGAN) or penalising input-gradient norms
away from 1 (WGAN-GP).  One ``train_step`` per backend (TensorFlow, JAX, PyTorch), the losses shared.
"""

from __future__ import annotations

import keras

from reference.gans.backend_steps import PairedOptimizer, StateView, backend_train_step, torch_step


class WGAN(keras.Model):
    """``penalty="clip"`` (clip_value c) or ``penalty="gp"`` (gp_weight lambda)."""

    def __init__(
        self,
        generator,
        critic,
        penalty: str = "gp",
        critic_steps: int = 5,
        clip_value: float = 0.01,
        gp_weight: float = 10.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if penalty not in ("clip", "gp"):
            raise ValueError(f"penalty must be 'clip' or 'gp', got {penalty!r}")
        if critic.layers[-1].activation is keras.activations.sigmoid:
            raise ValueError("a WGAN critic must output a raw score: build it with sigmoid=False")
        self.generator, self.critic = generator, critic
        self.penalty, self.critic_steps = penalty, critic_steps
        self.clip_value, self.gp_weight = clip_value, gp_weight
        self.latent_dim = generator.input_shape[-1]
        self.built = True  # both networks are built; fit() must not trace call() on image batches
        self.seed_generator = keras.random.SeedGenerator(7)

    def compile(self, c_optimizer=None, g_optimizer=None, **kwargs):
        if self.penalty == "clip":  # the WGAN paper: RMSprop, lr 5e-5
            self.c_optimizer = c_optimizer or keras.optimizers.RMSprop(5e-5)
            self.g_optimizer = g_optimizer or keras.optimizers.RMSprop(5e-5)
        else:  # the WGAN-GP paper: Adam(1e-4, 0.5, 0.9)
            self.c_optimizer = c_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
            self.g_optimizer = g_optimizer or keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)
        super().compile(
            optimizer=PairedOptimizer(self.c_optimizer, self.critic, self.g_optimizer, self.generator), **kwargs
        )

    def call(self, z, training=False):
        return self.generator(z, training=training)

    # -- shared pieces -------------------------------------------------------------------------
    def _noise(self, n):
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator)

    def _mix(self, real, fake):
        """Random points on the lines between real and fake images, where the penalty is taken."""
        eps = keras.random.uniform((keras.ops.shape(real)[0], 1, 1, 1), seed=self.seed_generator)
        return eps * real + (1 - eps) * fake

    @staticmethod
    def _norms(grads):
        return keras.ops.sqrt(keras.ops.sum(keras.ops.square(grads), axis=[1, 2, 3]) + 1e-12)

    def _critic_loss(self, s_real, s_fake, norms):
        estimate = keras.ops.mean(s_real) - keras.ops.mean(s_fake)
        loss = -estimate
        if self.penalty == "gp":
            loss = loss + self.gp_weight * keras.ops.mean(keras.ops.square(norms - 1.0))
        return loss, estimate

    def gradient_norms(self, real, fake):
        """Norms of d critic / d input at random points between real and fake images."""
        mixed = self._mix(keras.ops.convert_to_tensor(real), keras.ops.convert_to_tensor(fake))
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            return self._norms(jax.grad(lambda x: keras.ops.sum(self.critic(x, training=True)))(mixed))
        if backend == "torch":
            return self._norms(self._torch_input_gradient(mixed)).detach()
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(mixed)
            score = self.critic(mixed, training=True)
        return self._norms(tape.gradient(score, mixed))

    def _torch_input_gradient(self, mixed):
        import torch

        mixed = mixed.detach().requires_grad_(True)
        score = self.critic(mixed, training=True)
        return torch.autograd.grad(score.sum(), mixed, create_graph=True)[0]

    def _clip(self, weights):
        return [keras.ops.clip(w, -self.clip_value, self.clip_value) for w in weights]

    def train_step(self, *args):
        return backend_train_step(self, *args)

    # -- TensorFlow: GradientTape --------------------------------------------------------------
    def _train_step_tensorflow(self, real):
        import tensorflow as tf

        n = tf.shape(real)[0]
        for _ in range(self.critic_steps):
            z = self._noise(n)
            with tf.GradientTape() as tape:
                fake = self.generator(z, training=True)
                s_real, s_fake = self.critic(real, training=True), self.critic(fake, training=True)
                norms = self.gradient_norms(real, fake) if self.penalty == "gp" else None
                c_loss, estimate = self._critic_loss(s_real, s_fake, norms)
            grads = tape.gradient(c_loss, self.critic.trainable_weights)
            self.c_optimizer.apply_gradients(zip(grads, self.critic.trainable_weights))
            if self.penalty == "clip":
                for w, clipped in zip(self.critic.trainable_weights, self._clip(self.critic.trainable_weights)):
                    w.assign(clipped)
        z = self._noise(n)
        with tf.GradientTape() as tape:
            g_loss = -tf.reduce_mean(self.critic(self.generator(z, training=True), training=True))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"wasserstein": estimate, "c_loss": c_loss, "g_loss": g_loss}

    # -- PyTorch: autograd -----------------------------------------------------------------------
    def _train_step_torch(self, real):
        import torch

        n = real.shape[0]
        for _ in range(self.critic_steps):
            fake = self.generator(self._noise(n), training=True).detach()
            s_real, s_fake = self.critic(real, training=True), self.critic(fake, training=True)
            norms = self._norms(self._torch_input_gradient(self._mix(real, fake))) if self.penalty == "gp" else None
            c_loss, estimate = self._critic_loss(s_real, s_fake, norms)
            torch_step(c_loss, self.critic, self.c_optimizer, self)
            if self.penalty == "clip":
                with torch.no_grad():
                    for w, clipped in zip(self.critic.trainable_weights, self._clip(self.critic.trainable_weights)):
                        w.assign(clipped)
        g_loss = -keras.ops.mean(self.critic(self.generator(self._noise(n), training=True), training=True))
        torch_step(g_loss, self.generator, self.g_optimizer, self)
        return {"wasserstein": estimate.detach(), "c_loss": c_loss.detach(), "g_loss": g_loss.detach()}

    # -- JAX: stateless calls, state in and out ----------------------------------------------------
    def _train_step_jax(self, state, real):
        import jax

        trainable, non_trainable, optimizer_variables, metrics_variables = state
        c_opt, g_opt = self.optimizer.split(optimizer_variables)
        c, g = StateView(self, self.critic), StateView(self, self.generator)
        n = real.shape[0]
        with keras.StatelessScope(state_mapping=list(zip(self.non_trainable_variables, non_trainable))) as scope:
            zs = [self._noise(n) for _ in range(self.critic_steps + 1)]
            eps = [keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator) for _ in range(self.critic_steps)]
        non_trainable = [scope.get_current_value(v) for v in self.non_trainable_variables]
        c_weights, c_state = StateView.take(trainable, c.trainable), StateView.take(non_trainable, c.non_trainable)
        g_weights, g_state = StateView.take(trainable, g.trainable), StateView.take(non_trainable, g.non_trainable)

        def c_loss_fn(c_weights, c_state, g_state, z, e):
            fake, g_state = self.generator.stateless_call(g_weights, g_state, z, training=True)
            s_real, c_state = self.critic.stateless_call(c_weights, c_state, real, training=True)
            s_fake, c_state = self.critic.stateless_call(c_weights, c_state, fake, training=True)
            norms = None
            if self.penalty == "gp":

                def score_sum(x):
                    return keras.ops.sum(self.critic.stateless_call(c_weights, c_state, x, training=True)[0])

                norms = self._norms(jax.grad(score_sum)(e * real + (1 - e) * fake))
            loss, estimate = self._critic_loss(s_real, s_fake, norms)
            return loss, (c_state, g_state, estimate)

        for i in range(self.critic_steps):
            (c_loss, (c_state, g_state, estimate)), grads = jax.value_and_grad(c_loss_fn, has_aux=True)(
                c_weights, c_state, g_state, zs[i], eps[i]
            )
            c_weights, c_opt = self.c_optimizer.stateless_apply(c_opt, grads, c_weights)
            if self.penalty == "clip":
                c_weights = self._clip(c_weights)

        def g_loss_fn(g_weights, g_state, c_state):
            fake, g_state = self.generator.stateless_call(g_weights, g_state, zs[-1], training=True)
            score, c_state = self.critic.stateless_call(c_weights, c_state, fake, training=True)
            return -keras.ops.mean(score), (g_state, c_state)

        (g_loss, (g_state, c_state)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(g_weights, g_state, c_state)
        g_weights, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, g_weights)
        trainable = StateView.put(StateView.put(trainable, c.trainable, c_weights), g.trainable, g_weights)
        non_trainable = StateView.put(StateView.put(non_trainable, c.non_trainable, c_state), g.non_trainable, g_state)
        logs = {"wasserstein": estimate, "c_loss": c_loss, "g_loss": g_loss}
        return logs, (trainable, non_trainable, c_opt + g_opt, metrics_variables)
