"""Merge ledger runs made on several Keras backends into one ledger, outcomes side by side.

The backend is fixed when keras is imported, so ``make ledger`` runs the spec once per
installed backend, each in its own process and ledger folder, then::

    python -m spec.ledger_merge build/ledger-tensorflow build/ledger-jax build/ledger-torch --out docs/ledger

The first folder is the primary run (its evidence and figures are the ones shown); every
entry gains its outcome on each backend, the JSON keeps each backend's outcome, detail and
evidence, and the page opens with the claims whose outcome differs between backends.
Exit status 1 if any claim drifted on any backend.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from spec.ledger import entry_from_json, write_ledger


def load_run(folder: Path) -> dict:
    path = folder / "ledger.json"
    if not path.is_file():
        raise FileNotFoundError(f"no ledger.json in {folder}: run `pytest spec --ledger-dir {folder}` first")
    return json.loads(path.read_text(encoding="utf-8"))


def merge(runs: dict[str, dict]) -> tuple[list, dict]:
    """Entries of the first run, and claim id -> backend -> {outcome, detail, evidence} over all runs."""
    primary = next(iter(runs.values()))
    backends: dict[str, dict] = {}
    for name, run in runs.items():
        for item in run["claims"]:
            backends.setdefault(item["id"], {})[name] = {
                "outcome": item["outcome"], "detail": item["detail"], "evidence": item["evidence"]}
    return [entry_from_json(item) for item in primary["claims"]], backends


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="ledger folders, the primary (tensorflow) run first")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    runs = {}
    for folder in args.runs:
        run = load_run(folder)
        runs[run["versions"]["backend"]] = run
    entries, backends = merge(runs)
    primary_folder = args.runs[0]
    args.out.mkdir(parents=True, exist_ok=True)
    if (primary_folder / "figures").is_dir() and primary_folder.resolve() != args.out.resolve():
        shutil.copytree(primary_folder / "figures", args.out / "figures", dirs_exist_ok=True)
    primary = next(iter(runs.values()))
    versions = {**primary["versions"], "backend": ", ".join(runs)}
    write_ledger(args.out, entries, primary["not_testable"], versions, backends,
                 extra={"runs": {name: run["versions"] for name, run in runs.items()}})
    drifted = sorted({f"{b}: {cid}" for cid, per in backends.items() for b, v in per.items() if v["outcome"] == "DRIFTED"})
    print(f"merged {len(entries)} claims from {', '.join(runs)} into {args.out}; drifted: {drifted or 'none'}")
    return 1 if drifted else 0


if __name__ == "__main__":
    raise SystemExit(main())
