"""§4.2's DCGAN and chapter 4 of the table of contents: generative models.

- ``dcgan``: the tutorial's loop, corrected, and the idiomatic ``train_step`` model
- ``wgan``: WGAN with weight clipping and with a gradient penalty
- ``backend_steps``: the per-backend plumbing both share (TensorFlow, JAX, PyTorch train steps)
- ``metrics``, ``training``: a Frechet distance in a self-trained classifier's features; short runs
- ``conditional_gan``, ``style_transfer``, ``cartoon``: chapter 4.3's applications
"""

import argparse


def training_parser(description: str, steps: int) -> argparse.ArgumentParser:
    """The command line every ``python -m reference.gans.<model>`` training shares: --steps, --seed and --out
    (the folder its figure goes to, build/gans by default)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=steps, help=f"training steps (default {steps})")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="build/gans", help="folder for the figure (default build/gans)")
    return parser
