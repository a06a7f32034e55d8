"""The MNIST MLP's training step written directly in the backend (jax.jit or tf.function): the reference that
Keras's own steps are compared with.  Same layers, loss and Adam update (Keras's defaults) as
``reference.mnist_mlp`` compiled with ``optimizer="adam"``; dropout is left out (a few elementwise operations)."""

from __future__ import annotations

import numpy as np

# Keras's Adam defaults, so that the native step does the same work as the Keras one.
ADAM_LR, ADAM_B1, ADAM_B2, ADAM_EPS = 1e-3, 0.9, 0.999, 1e-7


def mlp_data(batch: int, seed: int = 0):
    """Random MNIST-shaped inputs and one-hot labels (float32)."""
    rng = np.random.default_rng(seed)
    x = rng.random((batch, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return x, y


def native_step(backend: str, batch: int, device: str):
    """A callable doing one synchronised training step (it returns the loss as a Python float).

    ``device`` is ``"cpu"`` or ``"gpu"`` (``":0"`` suffixes are accepted).  Raises NotImplementedError for a
    backend with no native step written (PyTorch)."""
    kind = device.split(":")[0]
    rng = np.random.default_rng(0)
    w1 = (rng.normal(size=(784, 512)) * 0.05).astype("float32")
    w2 = (rng.normal(size=(512, 10)) * 0.05).astype("float32")
    x, y = mlp_data(batch)
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        target = jax.devices(kind)[0]
        params = jax.device_put((w1, np.zeros(512, "float32"), w2, np.zeros(10, "float32")), target)
        data = jax.device_put((x, y), target)

        def loss(p, xb, yb):
            h = jax.nn.relu(xb @ p[0] + p[1])
            return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(h @ p[2] + p[3]), axis=1))

        @jax.jit
        def step(p, m, v, t, xb, yb):
            value, grads = jax.value_and_grad(loss)(p, xb, yb)
            m = tuple(ADAM_B1 * a + (1 - ADAM_B1) * g for a, g in zip(m, grads))
            v = tuple(ADAM_B2 * a + (1 - ADAM_B2) * g * g for a, g in zip(v, grads))
            scale = ADAM_LR * jnp.sqrt(1 - ADAM_B2**t) / (1 - ADAM_B1**t)
            p = tuple(a - scale * mi / (jnp.sqrt(vi) + ADAM_EPS) for a, mi, vi in zip(p, m, v))
            return p, m, v, value

        zeros = tuple(jnp.zeros_like(a) for a in params)
        state = {"p": params, "m": zeros, "v": zeros, "t": 0}

        def run():
            state["t"] += 1
            state["p"], state["m"], state["v"], value = step(state["p"], state["m"], state["v"], state["t"], *data)
            return float(value)

        return run
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.device(f"{kind}:0"):
            variables = [tf.Variable(w1), tf.Variable(tf.zeros(512)), tf.Variable(w2), tf.Variable(tf.zeros(10))]
            moments = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in variables]
            t = tf.Variable(0.0)
            xb, yb = tf.constant(x), tf.constant(y)

        @tf.function(jit_compile=True)
        def step():
            with tf.GradientTape() as tape:
                h = tf.nn.relu(xb @ variables[0] + variables[1])
                value = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(yb, h @ variables[2] + variables[3]))
            t.assign_add(1.0)
            scale = ADAM_LR * tf.sqrt(1 - ADAM_B2**t) / (1 - ADAM_B1**t)
            for var, (m, v), g in zip(variables, moments, tape.gradient(value, variables)):
                m.assign(ADAM_B1 * m + (1 - ADAM_B1) * g)
                v.assign(ADAM_B2 * v + (1 - ADAM_B2) * g * g)
                var.assign_sub(scale * m / (tf.sqrt(v) + ADAM_EPS))
            return value

        return lambda: float(step())
    raise NotImplementedError(f"no native reference step written for the {backend} backend")
