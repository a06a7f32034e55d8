"""What every lesson shares: the seeded start (the ledger plugin, with its ``evidence`` fixture, is loaded by the
root conftest).  keras is imported inside the fixtures, not at the top:
pytest loads this file in pytest-xdist's controller too, and importing keras there starts TensorFlow,
whose buffered start-up log then lands under the summary."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seeded():
    """Every spec test starts from the same seeds, so its evidence is reproducible."""
    import keras

    keras.utils.set_random_seed(1234)
    yield
    keras.backend.clear_session()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
