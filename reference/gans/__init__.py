"""§4.2's DCGAN and chapter 4 of the table of contents: generative models.

- ``dcgan``: the tutorial's loop, corrected, and the idiomatic ``train_step`` model
- ``wgan``: WGAN with weight clipping and with a gradient penalty
- ``backend_steps``: the per-backend plumbing both share (TensorFlow, JAX, PyTorch train steps)
- ``metrics``, ``training``: a Frechet distance in a self-trained classifier's features; short runs
- ``conditional_gan``, ``style_transfer``, ``cartoon``: chapter 4.3's applications
"""
