"""Merge ledger runs made on several Keras backends into one ledger, outcomes side by side.

The backend is fixed when keras is imported, so ``make ledger`` runs the spec once per
installed backend, each in its own process and ledger folder, then::

    python -m ledger.merge build/ledger-tensorflow build/ledger-jax build/ledger-torch --out docs/ledger

Several folders of the same backend (a run made in parts) are combined, the later part's test
replacing the earlier's.  The first backend is the primary run (its evidence and figures are the ones shown); every
entry gains its outcome on each backend, the JSON keeps each backend's outcome, detail and
evidence, and the page opens with the claims whose outcome differs between backends.
Exit status 1 if any claim drifted on any backend.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from ledger.outcomes import preface
from ledger.store import entry_from_json, sort_entries, write_ledger


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
                "outcome": item["outcome"],
                "detail": item["detail"],
                "evidence": item["evidence"],
            }
    entries = sort_entries(entry_from_json(item) for item in primary["claims"])
    return entries, backends


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="ledger folders, the primary (tensorflow) run first")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    runs: dict[str, dict] = {}
    for folder in args.runs:
        run = load_run(folder)
        name = run["versions"]["backend"]
        if name in runs:  # another part of the same backend's run
            replaced = {item["test"] for item in run["claims"]}
            run["claims"] = [c for c in runs[name]["claims"] if c["test"] not in replaced] + run["claims"]
        runs[name] = run
    entries, backends = merge(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    primary_name = next(iter(runs))
    for folder in args.runs:  # the figures of every part of the primary run
        if (
            (folder / "figures").is_dir()
            and folder.resolve() != args.out.resolve()
            and load_run(folder)["versions"]["backend"] == primary_name
        ):
            shutil.copytree(folder / "figures", args.out / "figures", dirs_exist_ok=True)
    primary = next(iter(runs.values()))
    versions = {**primary["versions"], "backend": ", ".join(runs)}
    # A run of part of the spec (the quick tier on JAX and PyTorch) says so at the top of the merged ledger.
    partial = [f"{name}: {'; '.join(run['partial']['why'])}" for name, run in runs.items() if run.get("partial")]
    tests = sum(run.get("tests", 0) for run in runs.values())
    write_ledger(
        args.out,
        entries,
        primary["not_testable"],
        versions,
        backends,
        extra={"runs": {name: {**run["versions"], "partial": run.get("partial")} for name, run in runs.items()}},
        preface=preface(entries, {"why": partial, "ran": tests, "of": None} if partial else None),
    )
    drifted = sorted(
        {f"{b}: {cid}" for cid, per in backends.items() for b, v in per.items() if v["outcome"] == "DRIFTED"}
    )
    print(f"merged {len(entries)} claims from {', '.join(runs)} into {args.out}; drifted: {drifted or 'none'}")
    return 1 if drifted else 0


if __name__ == "__main__":
    raise SystemExit(main())
