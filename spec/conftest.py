"""What every lesson shares: the ledger plugin (claims, evidence, the LEDGER pages) and the seeded start.

The plugin is loaded here, not in the root conftest, so that only a spec run writes a ledger (the
benchmarks and the unit checks in tests/ do not); only its command-line options (--ledger-dir, ...) are
declared in the root conftest, since pytest reads options before it knows which folders a run collects.  keras is imported inside the fixtures, not at the top:
pytest loads this file in pytest-xdist's controller too, and importing keras there starts TensorFlow,
whose buffered start-up log then lands under the summary."""

import numpy as np
import pytest

from ledger.plugin import (  # noqa: F401  (pytest finds a conftest's hooks and fixtures by name)
    evidence,
    pytest_collection_finish,
    pytest_collectreport,
    pytest_configure,
    pytest_configure_node,
    pytest_runtest_logreport,
    pytest_runtest_makereport,
    pytest_runtest_setup,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
    pytest_unconfigure,
    pytest_xdist_node_collection_finished,
)


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
