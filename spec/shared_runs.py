"""Train once what several claims need, even when pytest-xdist spreads them over workers.

``shared_run("lr-sweep", compute)`` returns ``compute()``'s result (anything picklable:
numbers, histories, arrays; not live models).  In one pytest run it is computed once: the
first worker to ask takes a file lock and computes, the others wait and read the pickle.
The cache lives under ``build/shared_runs/<run id>/`` and belongs to one run only (the id is
xdist's ``PYTEST_XDIST_TESTRUNUID``, or this process's id without xdist), so a code change
is never hidden by an old result.
"""

from __future__ import annotations

import fcntl
import os
import pickle
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent / "build" / "shared_runs"
_MEMORY: dict = {}


def _run_dir() -> Path:
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    folder = _ROOT / run_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shared_run(key: str, compute):
    """``compute()`` once per pytest run, shared by every xdist worker; ``key`` names the result."""
    if key in _MEMORY:
        return _MEMORY[key]
    folder = _run_dir()
    result_path = folder / f"{key}.pkl"
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker computes; the rest wait here
        try:
            if result_path.is_file():
                with open(result_path, "rb") as handle:
                    result = pickle.load(handle)
            else:
                result = compute()
                partial = result_path.with_suffix(".tmp")
                with open(partial, "wb") as handle:
                    pickle.dump(result, handle)
                partial.replace(result_path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _MEMORY[key] = result
    return result
