"""Correct, modern Keras 3 implementations of everything the tutorial teaches.

Shared infrastructure sits at the top; each chapter's code sits in its own package.

- ``data``: offline datasets (MNIST, CIFAR-10 cache, photo patches, digits)
- ``backends``: which Keras backends exist, device selection with clear errors
- ``figures``: sample grids and plots
- ``measurements``: the seed reports (docs/measurements/) the spec's thresholds are read from
- ``construction``: the Sequential, Functional, merge and multi-input/output examples of §3.1
- ``mnist_mlp``: the MNIST MLP of §4.1 (``python -m reference.mnist_mlp``)
- ``distributed``: data-parallel training over several devices (§2)
- ``basics/``: chapter 1 of the table of contents (building and training)
- ``vision/``, ``sequence/``: chapter 2 (CNN, transfer, detection; RNN, text generation)
- ``clustering/``: chapter 3 (K-means in Keras ops and its applications)
- ``gans/``: §4.2's DCGAN and chapter 4 (WGAN, conditional GAN, style transfer, faces to cartoons)
- ``kaggle/``: chapter 5 (Digit Recognizer)
"""

import sys as _sys

# `python -m reference.<example> ...` imports this package first: answer --help, a wrong flag or a missing
# backend now, before the example's module imports Keras (see reference/cli.py).  While Python is still
# locating the module, sys.argv[0] is "-m".
if _sys.argv[:1] == ["-m"]:
    from reference import cli as _cli

    _cli.answer_early()
