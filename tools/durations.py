"""Measured test durations, kept so that pytest-xdist can start the longest test files first.

Under ``pytest -n 2`` the root conftest hands whole test files to the workers, heaviest first (a greedy
longest-first schedule): the three long trainings then run side by side at the start instead of one of them
alone at the end while the other worker idles (measured on 2026-12-07: 32.5 min of wall time for 46 min of test
time, the last 7 min spent in one CycleGAN test).  Whole files, so that the tests sharing a training
(``spec.shared_runs``) run on one worker instead of one waiting for the other's result.

The durations are only a schedule hint: a test missing from the file counts as one second, and a stale file
makes a run slower, never wrong.  Refresh after a full run::

    .venv/bin/pytest -n 2 --junitxml=build/junit.xml && .venv/bin/python -m tools.durations build/junit.xml
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

FILE = Path(__file__).with_name("durations.json")
UNKNOWN_SECONDS = 1.0


def load(path: Path = FILE) -> dict[str, float]:
    """Seconds per test node id (``spec/test_x.py::test_y[case]``); empty when the file is missing."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def from_junit(path: Path) -> dict[str, float]:
    """Seconds per test node id, from a JUnit XML report (pytest's ``--junitxml``)."""
    durations = {}
    for case in ET.parse(path).iter("testcase"):
        module, _, klass = case.get("classname", "").partition("::")
        parts = module.split(".")
        # pytest writes "spec.test_x" for spec/test_x.py, and "spec.test_x.TestClass" for a class's tests.
        file_parts = parts if not parts[-1][:1].isupper() else parts[:-1]
        node = "/".join(file_parts) + ".py::" + (f"{parts[-1]}::" if len(file_parts) < len(parts) else "")
        durations[node + case.get("name")] = round(float(case.get("time", 0.0)), 2)
    return dict(sorted(durations.items()))


def heaviest_files_first(node_ids: list[str], durations: dict[str, float]) -> list[str]:
    """The test files of ``node_ids``, heaviest first by the sum of their tests' recorded seconds."""
    weight: dict[str, float] = {}
    for node in node_ids:
        path = node.split("::", 1)[0]
        weight[path] = weight.get(path, 0.0) + durations.get(node, UNKNOWN_SECONDS)
    return sorted(weight, key=lambda path: -weight[path])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write tools/durations.json from a pytest --junitxml report.")
    parser.add_argument("junit", type=Path, help="a JUnit XML file written by pytest --junitxml")
    args = parser.parse_args(argv)
    if not args.junit.is_file():
        parser.error(f"no such file: {args.junit}")
    durations = from_junit(args.junit)
    FILE.write_text(json.dumps(durations, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FILE} ({len(durations)} tests, {sum(durations.values()) / 60:.1f} min in all)")


if __name__ == "__main__":
    main()
