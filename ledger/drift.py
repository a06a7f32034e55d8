"""The drift report: a run's ledger against the committed snapshot, claim by claim, pinned against measured.

``make drift KERAS=3.14.0`` runs the spec on another Keras release and then::

    python -m ledger.drift build/ledger-keras-3.14.0 --pinned docs/ledger/ledger.json

which writes ``DRIFT.md`` and ``drift.json`` into the run's folder and puts the report at the top of its
``LEDGER.md``.  Only the claims the run measured are compared (a quick-tier run says nothing of the slow claims).
A claim is reported when its outcome or its evidence differs from the snapshot's run on the same backend, in
one of four groups:

- **behaviour changed**: the claim DRIFTED (it ran as designed; the measured behaviour differs from the pin);
- **broken**: the test or the reference raised something the claim did not expect (ledger.outcomes);
- **environment**: a data, backend or install fault;
- **evidence changed**: the outcome is the same but a recorded value differs, beyond a relative 1e-3 on numbers
  (a behaviour the assertions do not pin, or a number that moved within its threshold);

and **other outcome changes** (a claim now skipped, or confirmed again).  Exit status 1 if a claim's behaviour
changed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

GROUPS = {
    "DRIFTED": "behaviour changed",
    "broken": "broken",
    "environment": "environment",
    "evidence": "evidence changed (same outcome)",
    "other": "other outcome changes",
}
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_TMP = re.compile(r"/tmp/pytest-of-[^/]+/pytest-\d+/[^/\s'\"]+|\$TMP")


def _normalise(text: str) -> str:
    return _TMP.sub("$TMP", str(text))


def same_value(pinned: str, measured: str, rel: float = 1e-3, abs_tol: float = 1e-6) -> bool:
    """Two evidence values agree: the same text around the numbers, each number within ``rel`` (or ``abs_tol``)."""
    pinned, measured = _normalise(pinned), _normalise(measured)
    if pinned == measured:
        return True
    if _NUMBER.sub("#", pinned) != _NUMBER.sub("#", measured):
        return False
    numbers = zip(_NUMBER.findall(pinned), _NUMBER.findall(measured))
    return all(math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_tol) for a, b in numbers)


def evidence_changes(pinned: list, measured: list) -> list[dict]:
    """The evidence lines that differ: {key, pinned, measured}; a line only one side has shows None on the other."""
    before, after = dict(map(tuple, pinned)), dict(map(tuple, measured))
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        if a is None or b is None or not same_value(a, b):
            changes.append({"key": key, "pinned": a, "measured": b})
    return changes


def pinned_run(snapshot: dict, backend: str) -> dict:
    """claim id -> {outcome, detail, evidence} of the snapshot's run on ``backend`` (its primary run otherwise)."""
    found = {}
    for item in snapshot["claims"]:
        per = item.get("backends", {}).get(backend)
        found[item["id"]] = per or {k: item[k] for k in ("outcome", "detail", "evidence")}
    return found


def compare(snapshot: dict, run: dict) -> list[dict]:
    """Every claim of ``run`` whose outcome or evidence differs from ``snapshot``, with its group."""
    backend = run["versions"].get("backend", "tensorflow")
    pinned = pinned_run(snapshot, backend)
    report = []
    for item in run["claims"]:
        before = pinned.get(item["id"])
        outcome = item["outcome"]
        changes = evidence_changes(before["evidence"] if before else [], item["evidence"])
        if outcome in ("DRIFTED", "broken", "environment"):
            group = outcome
        elif before is None:
            continue  # a claim the snapshot does not have, measured as expected
        elif outcome != before["outcome"]:
            group = "other"
        elif changes:
            group = "evidence"
        else:
            continue
        report.append(
            {
                "id": item["id"],
                "group": group,
                "verdict": item["verdict"],
                "pinned outcome": before["outcome"] if before else "(not in the snapshot)",
                "outcome": outcome,
                "detail": item["detail"],
                "evidence changes": changes,
                "test": item["test"],
            }
        )
    order = list(GROUPS)
    return sorted(report, key=lambda r: order.index(r["group"]))


def _cell(text) -> str:
    return "–" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def render(report: list[dict], run: dict, snapshot: dict) -> list[str]:
    """The drift report as Markdown lines, grouped, each claim with pinned against measured."""
    keras_now, keras_then = run["versions"].get("keras"), snapshot["versions"].get("keras")
    backend = run["versions"].get("backend")
    partial = run.get("partial")
    scope = f"{len(run['claims'])} claim cases measured" + (f" ({'; '.join(partial['why'])})" if partial else "")
    lines = [
        f"## Drift report: Keras {keras_now} against the snapshot (Keras {keras_then}), {backend}",
        "",
        f"{scope}. Counted: "
        + ", ".join(f"{sum(r['group'] == g for r in report)} {name}" for g, name in GROUPS.items())
        + ".",
        "",
    ]
    for group, name in GROUPS.items():
        chosen = [r for r in report if r["group"] == group]
        if not chosen:
            continue
        lines += [f"### {name} ({len(chosen)})", "", "| claim | pinned | measured now |", "|---|---|---|"]
        for r in chosen:
            pinned = [f"outcome {r['pinned outcome']}"] + [
                f"{c['key']}: {_cell(c['pinned'])}" for c in r["evidence changes"]
            ]
            now = [f"outcome {r['outcome']}" + (f": {_cell(r['detail'])}" if r["detail"] else "")]
            now += [f"{c['key']}: {_cell(c['measured'])}" for c in r["evidence changes"]]
            lines.append(f"| {r['id']} | {'<br>'.join(map(_cell, pinned))} | {'<br>'.join(map(_cell, now))} |")
        lines.append("")
    if not report:
        lines += ["Every measured claim has the snapshot's outcome and evidence.", ""]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="the run's ledger folder (pytest --ledger-dir)")
    parser.add_argument("--pinned", type=Path, default=Path("docs/ledger/ledger.json"))
    args = parser.parse_args(argv)
    run = json.loads((args.run / "ledger.json").read_text(encoding="utf-8"))
    snapshot = json.loads(args.pinned.read_text(encoding="utf-8"))
    report = compare(snapshot, run)
    lines = render(report, run, snapshot)
    (args.run / "DRIFT.md").write_text("\n".join(["# Drift report", "", *lines[2:]]) + "\n", encoding="utf-8")
    (args.run / "drift.json").write_text(
        json.dumps({"versions": run["versions"], "pinned": snapshot["versions"], "claims": report}, indent=1),
        encoding="utf-8",
    )
    ledger = args.run / "LEDGER.md"
    if ledger.is_file():  # the report opens the run's ledger, under its title
        title, _, rest = ledger.read_text(encoding="utf-8").partition("\n")
        ledger.write_text(title + "\n\n" + "\n".join(lines) + rest, encoding="utf-8")
    counts = {name: sum(r["group"] == g for r in report) for g, name in GROUPS.items()}
    print(f"drift report: {args.run / 'DRIFT.md'}: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return 1 if counts[GROUPS["DRIFTED"]] else 0


if __name__ == "__main__":
    raise SystemExit(main())
