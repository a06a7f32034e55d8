"""Correct, modern Keras 3 implementations of everything the tutorial teaches.

Modules, one per concept:

- ``data``: offline datasets (MNIST, CIFAR-10 cache, photo patches, digits)
- ``backends``: which Keras backends exist, device selection with clear errors
- ``construction``: the Sequential, Functional, merge and multi-input/output examples of §3.1
- ``mnist_mlp``: the MNIST MLP of §4.1 (``python -m reference.mnist_mlp``)
- ``distributed``: data-parallel training over several devices (§2)
- ``dcgan``, ``wgan``, ``gan_metrics``: the GANs of §4.2 and the table of contents
- ``kmeans``, ``clustering``: chapter 3 of the table of contents
- ``figures``: sample grids and plots
"""
