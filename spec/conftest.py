"""Fixtures shared by the spec modules."""

import keras
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seeded():
    """Every spec test starts from the same seeds, so its evidence is reproducible."""
    keras.utils.set_random_seed(1234)
    yield
    keras.backend.clear_session()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
