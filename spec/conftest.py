"""What every lesson shares: the seeded start (the ledger plugin, with its ``evidence`` fixture, is loaded by the
root conftest).  keras is imported inside the fixtures, not at the top:
pytest loads this file in pytest-xdist's controller too, and importing keras there starts TensorFlow,
whose buffered start-up log then lands under the summary."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seeded():
    """Every spec test starts from the same seeds, so its evidence is reproducible, and from a clean Keras state.

    The state is cleared without a full garbage collection (``free_memory=False``): ``clear_session()``'s
    default ``gc.collect()`` cost 0.25-1 s a test in a worker that has trained for a while, about a third of the
    quick tier; Python's own collector still runs as memory grows."""
    import keras

    keras.utils.set_random_seed(1234)
    yield
    _clear_session(keras)


def _clear_session(keras):
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:  # Keras releases before the argument (the release matrix runs old ones)
        keras.backend.clear_session()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
