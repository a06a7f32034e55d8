"""Synthetic runs of the ledger plugin: a tiny spec of made-up claims, run by pytest with the plugin, read back.

How the unit checks of the outcomes (tests/test_ledger_outcomes.py) and the suite's own promise that drift is
visible (spec/test_meta.py, META-drift-visible) observe the real path: the claim markers, the ``evidence``
fixture, the plugin's hooks, ``ledger.outcomes.classify`` and the writers, never an ``Entry`` built by hand.
Both use pytest's ``pytester`` fixture (``pytest_plugins = ["pytester"]``) to get a temporary folder.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The opening of a synthetic spec module: claim() and a shorthand c(id) for a HOLDS claim of the meta section.
HEADER = """
import pytest
from ledger.claims import Verdict, claim

def c(id):
    return claim(id, section="meta", says="says " + id, today="today " + id, verdict=Verdict.HOLDS)
"""


def run(pytester, *args, env=None):
    """pytest on the synthetic spec in a fresh interpreter (an inline run would re-import, after pytester restores
    sys.modules, C extensions that the ledger's writers load: numpy cannot be loaded twice in one process).  The
    project's pytest settings do not apply there (pytester's folder has none), so the plugin is named."""
    argv = ["-p", "ledger.plugin", "-p", "no:cacheprovider", "-p", "no:randomly", *args]
    for key, value in {"PYTHONPATH": str(ROOT), **(env or {})}.items():
        pytester._monkeypatch.setenv(key, value)
    return pytester.runpytest_subprocess(*argv)


def written(pytester, folder: str = "build/ledger") -> dict:
    """The ledger.json a synthetic run wrote."""
    return json.loads((pytester.path / folder / "ledger.json").read_text(encoding="utf-8"))
