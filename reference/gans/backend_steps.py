"""What a two-network GAN ``train_step`` needs on each Keras backend, shared by DCGAN and WGAN.

Keras 3 gives every backend its own way to differentiate (the keras-io guides "customizing
what happens in fit()" for TensorFlow, JAX and PyTorch): ``tf.GradientTape``;
``jax.value_and_grad`` over *stateless* calls with the state passed in and out explicitly;
``loss.backward()`` with torch autograd.  The GAN models keep one ``train_step`` per backend
and share the networks and the loss code; this module holds the JAX and PyTorch plumbing.

JAX's ``fit()`` threads exactly one optimizer's variables through its jitted step, while a
GAN has two optimizers.  ``PairedOptimizer`` is that one optimizer: it holds the
discriminator's and the generator's optimizers and exposes their variables as its own, so
the trainer passes both states in and writes both back.
"""

from __future__ import annotations

import keras

BACKENDS_WITH_STEPS = ("tensorflow", "jax", "torch")


def backend_train_step(model, *args):
    """``model._train_step_<backend>(*args)`` for the running backend; any other backend is a clear error."""
    backend = keras.backend.backend()
    if backend not in BACKENDS_WITH_STEPS:
        raise NotImplementedError(
            f"{type(model).__name__} has a training step for {', '.join(BACKENDS_WITH_STEPS)}; "
            f"the running Keras backend is {backend!r}. Set KERAS_BACKEND to one of those."
        )
    return getattr(model, f"_train_step_{backend}")(*args)


class PairedOptimizer(keras.optimizers.Optimizer):
    """Two optimizers seen by ``fit()`` as one: ``first`` updates ``first_model``, ``second`` the other."""

    def __init__(self, first, first_model, second, second_model, name="paired_optimizer"):
        super().__init__(learning_rate=0.0, name=name)
        self.first, self.second = first, second
        self._models = (first_model, second_model)

    def build(self, variables=None):
        if self.built:
            return
        self.first.build(self._models[0].trainable_variables)
        self.second.build(self._models[1].trainable_variables)
        self.built = True

    @property
    def variables(self):
        return self.first.variables + self.second.variables

    def split(self, values):
        """The two optimizers' shares of a flat list of variable values (JAX state)."""
        count = len(self.first.variables)
        return list(values[:count]), list(values[count:])

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError("PairedOptimizer only carries state; each network's optimizer updates it")


class StateView:
    """A model's variables located inside the flat JAX state lists of the model that holds it."""

    def __init__(self, holder: keras.Model, part: keras.Model):
        def positions(everything, wanted):
            index = {id(v): i for i, v in enumerate(everything)}
            return [index[id(v)] for v in wanted]

        self.trainable = positions(holder.trainable_variables, part.trainable_variables)
        self.non_trainable = positions(holder.non_trainable_variables, part.non_trainable_variables)

    @staticmethod
    def take(values, positions):
        return [values[i] for i in positions]

    @staticmethod
    def put(values, positions, new):
        values = list(values)
        for i, v in zip(positions, new):
            values[i] = v
        return values


def torch_step(loss, model, optimizer, holder):
    """One PyTorch update of ``model``'s trainable weights from ``loss`` (autograd, then the Keras optimizer)."""
    import torch

    holder.zero_grad()
    loss.backward()
    weights = model.trainable_weights
    gradients = [w.value.grad for w in weights]
    with torch.no_grad():
        optimizer.apply(gradients, weights)
