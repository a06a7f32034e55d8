"""Floating-point operations of a training step, counted from the layer shapes.

The counting rule (stated in every benchmark summary):

- a Dense layer costs 2 * inputs * units per sample; a Conv2D 2 * H_out * W_out * C_out * (kh * kw * C_in);
  a Conv2DTranspose 2 * H_in * W_in * C_in * (kh * kw * C_out) (the same multiply-adds as the convolution
  it transposes); an LSTM 2 * 4 * units * (inputs + units) per time step (four gates, each a Dense on the input
  and on the previous state); biases, pooling, batch normalisation and activations are left out (a few percent);
- training a network on a sample costs 3x its forward pass (forward, weight gradient, input gradient);
  running it forward only, 1x; forward plus the input gradient (a frozen network that gradients flow
  through), 2x;
- one GAN step (the discriminator on a real and on a generated batch, then the generator through the
  discriminator) therefore costs 8 D + 4 G per image pair: D trained twice (6 D), G run forward for D's
  fakes (1 G), G trained (3 G) through D's forward and input gradient (2 D).
"""

from __future__ import annotations

import math

import keras

RULE = __doc__.split("The counting rule (stated in every benchmark summary):")[1].strip()


def forward_flops(model: keras.Model) -> int:
    """Forward FLOPs per sample of the Dense, Conv2D, Conv2DTranspose and LSTM layers of a built model.

    Sequence lengths must be known: build a sequence model with a fixed ``keras.Input((length, ...))``.
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, c_in = layer.input.shape
            total += 2 * h * w * c_in * math.prod(layer.kernel_size) * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            total += 2 * h * w * c_out * math.prod(layer.kernel_size) * layer.input.shape[-1]
        elif isinstance(layer, keras.layers.LSTM):
            _, steps, inputs = layer.input.shape
            total += 2 * 4 * layer.units * (inputs + layer.units) * steps
        elif isinstance(layer, keras.layers.Dense):
            per_position = math.prod(d for d in layer.input.shape[1:-1])  # a Dense applied at every time step
            total += 2 * layer.input.shape[-1] * layer.units * per_position
    return total


def gan_step_flops(generator: keras.Model, discriminator: keras.Model) -> int:
    """FLOPs per image of one full GAN step (see the rule above)."""
    return 8 * forward_flops(discriminator) + 4 * forward_flops(generator)
