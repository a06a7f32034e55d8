"""Unit checks of reference.clustering against hand-computed values."""

import numpy as np
import pytest

from reference.clustering import applications as clustering


def test_psnr_hand_computed():
    """reference.clustering.applications.psnr against hand-computed cases (a helper, not a tutorial claim)."""
    zeros = np.zeros((4, 4, 3), np.uint8)
    assert clustering.psnr(zeros, zeros + 10) == pytest.approx(10 * np.log10(255**2 / 100))  # MSE 100: 28.13 dB
    assert clustering.psnr(zeros, zeros) == float("inf")
    half = zeros.copy()
    half[:2] = 255  # half the pixels off by 255: MSE 255^2 / 2, PSNR 10 log10(2) = 3.01 dB
    assert clustering.psnr(zeros, half) == pytest.approx(10 * np.log10(2))
