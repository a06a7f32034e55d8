"""Other Keras releases: each in its own environment, the drift report for one, the verdict matrix across several.

An environment per release is a bare virtual environment, ``build/keras-<version>``, holding only that Keras
(``pip install --no-deps``, about 15 s from the registry) and a ``.pth`` file that puts the main ``.venv``'s
packages behind it: TensorFlow, JAX, NumPy and the project stay the ones installed, only Keras changes, and the
main ``.venv`` is never touched.  Commands (run with the main ``.venv``'s Python)::

    python -m ledger.releases env 3.14.0                  # make build/keras-3.14.0, print its python
    python -m ledger.releases drift 3.14.0 [--mark "not slow"] [-n 2]
        # the quick tier on Keras 3.14.0 into build/ledger-keras-3.14.0, then its drift report (ledger.drift)
    python -m ledger.releases matrix 3.8.0 3.12.0 3.15.1 [--mark "not slow"] [-n 1] [--out docs/releases]
        # the quick tier on each release, one after another, and the matrix of the claims whose outcome varies

``make drift KERAS=3.14.0`` and ``make releases`` call these.  The ledger pages read the committed matrix
(``docs/releases/matrix.json``) when they are rendered: each claim whose outcome varies gets one line, ``across``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MATRIX = ROOT / "docs" / "releases" / "matrix.json"


def _key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in version.replace("rc", ".rc").split("."))


def env(version: str, root: Path = ROOT) -> Path:
    """A virtual environment with Keras ``version`` over this interpreter's packages; its python."""
    folder = root / "build" / f"keras-{version}"
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    purelib = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # Lines of a .pth file that start with "import" run: addsitedir also reads the main environment's own .pth
    # files (the project's editable install), and appends it after this environment's site-packages.
    main = sysconfig.get_paths()["purelib"]
    (purelib / "_main_venv.pth").write_text(f"import site; site.addsitedir({main!r})\n", encoding="utf-8")
    installed = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('keras'))"], capture_output=True, text=True
    ).stdout.strip()
    if installed != version or not any(purelib.glob(f"keras-{version}.dist-info")):
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", f"keras=={version}"],
            check=True,
        )
    return python


def run_spec(version: str, mark: str, workers: int, out: Path, root: Path = ROOT, select=()) -> int:
    """The spec (``-m mark``; only ``select``, paths or node ids, if given) on Keras ``version`` into ``out``."""
    python = env(version, root)
    command = [str(python), "-m", "pytest", *(select or ["spec"]), "--ledger-dir", str(out), "--ledger-replace", "-q"]
    command += ["-m", mark] if mark else []
    command += ["-n", str(workers)] if workers > 0 else ["-p", "no:xdist"]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=root).returncode


def _load(folder: Path) -> dict:
    return json.loads((folder / "ledger.json").read_text(encoding="utf-8"))


def matrix(runs: dict[str, dict]) -> list[dict]:
    """One row per claim whose outcome differs between releases: outcomes in release order, where it changed."""
    versions = sorted(runs, key=_key)
    ids = sorted({c["id"] for run in runs.values() for c in run["claims"]})
    by_release = {v: {c["id"]: c for c in runs[v]["claims"]} for v in versions}
    rows = []
    for cid in ids:
        cells = {v: by_release[v].get(cid) for v in versions}
        outcomes = [c["outcome"] if c else "not run" for c in cells.values()]
        if len(set(outcomes) - {"not run"}) <= 1:
            continue
        changed = [
            b
            for a, b in zip(versions, versions[1:])
            if (cells[a] or {}).get("outcome") != (cells[b] or {}).get("outcome")
        ]
        rows.append(
            {
                "id": cid,
                "outcomes": dict(zip(versions, outcomes)),
                "changed in": changed,
                "details": {
                    v: c["detail"] for v, c in cells.items() if c and c["detail"] and c["outcome"] != "confirmed"
                },
            }
        )
    return rows


def varying(path: Path = MATRIX) -> dict[str, dict]:
    """The rows of a written matrix (``matrix.json``: the claims whose outcome varies) by claim case id; {} where
    there is no matrix."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["claims"]
    except (OSError, ValueError, KeyError):
        return {}
    return {row["id"]: row for row in rows}


def across(row: dict, words: dict, link: str) -> str:
    """One matrix row in a line of the page's language: the releases grouped by outcome, in release order, then
    where the matrix is ("DRIFTED on 3.8.0, 3.12.4; confirmed on 3.15.1 — see <link>").  ``words``: a page's words,
    with ``outcome_words`` and ``releases`` (ledger.render.EN, ledger.zh.ZH_WORDS)."""
    said = words["releases"]
    by_outcome: dict[str, list[str]] = {}
    for version in sorted(row["outcomes"], key=_key):
        by_outcome.setdefault(row["outcomes"][version], []).append(version)
    parts = [
        said["on"].format(outcome=words["outcome_words"].get(outcome, outcome), versions=said["and"].join(versions))
        for outcome, versions in by_outcome.items()
    ]
    return said["then"].join(parts) + said["see"].format(link=link)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_matrix(runs: dict[str, dict], rows: list[dict], mark: str) -> str:
    versions = sorted(runs, key=_key)
    first = runs[versions[0]]["versions"]
    selections = {v: "; ".join((runs[v].get("partial") or {}).get("why", [])) for v in versions}
    if len(set(selections.values())) == 1:
        banner = (
            [f"> **Partial**: {selections[versions[0]]} (the same on every release)."]
            if selections[versions[0]]
            else []
        )
    else:
        banner = ["> **Partial**: " + " · ".join(f"{v}: {w or 'whole spec'}" for v, w in selections.items())]
        banner += [">", "> Compared on the claim cases every release ran."]
    lines = [
        "# Keras 3 releases: where the claims' outcomes change",
        "",
        *(banner + [""] if banner else []),
        f"The spec ({'-m ' + repr(mark) if mark else 'every claim'}) run on {len(versions)} Keras releases with "
        f"the same packages otherwise (backend {first.get('backend')}, numpy {first.get('numpy')}, python "
        f"{first.get('python')}; each release installed alone into build/keras-<version> over the main .venv). "
        "Regenerate with `make releases` (`python -m ledger.releases matrix ...`), one release after another.",
        "",
        "| release | " + " | ".join(versions) + " |",
        "|---|" + "---|" * len(versions),
    ]
    for outcome in ("confirmed", "DRIFTED", "broken", "environment", "skipped", "not measured here"):
        counts = [sum(c["outcome"] == outcome for c in runs[v]["claims"]) for v in versions]
        lines.append(f"| {outcome} | " + " | ".join(map(str, counts)) + " |")
    lines += [
        "",
        "## Claims whose outcome varies",
        "",
        "One row per claim; 'changed in': the first release of each change, in release order. The reasons are the "
        "ledger's (the assertion's message for DRIFTED, the error for broken and environment).",
        "",
        "| claim | " + " | ".join(versions) + " | changed in | why |",
        "|---|" + "---|" * (len(versions) + 2),
    ]
    for row in rows:
        why = "; ".join(f"{v}: {d}" for v, d in row["details"].items())
        why = why if len(why) <= 600 else why[:599] + "…"
        lines.append(
            f"| {row['id']} | "
            + " | ".join(row["outcomes"][v] for v in versions)
            + f" | {', '.join(row['changed in'])} | {_cell(why)} |"
        )
    if not rows:
        lines.append("| (none: every claim has the same outcome on every release) |" + " |" * (len(versions) + 2))
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_env = sub.add_parser("env", help="make the environment of one release and print its python")
    p_env.add_argument("version")
    p_drift = sub.add_parser("drift", help="the spec on one release and its drift report against the snapshot")
    p_drift.add_argument("version")
    p_matrix = sub.add_parser("matrix", help="the spec on several releases, one after another, and their matrix")
    p_matrix.add_argument("versions", nargs="+")
    p_matrix.add_argument("--out", type=Path, default=ROOT / "docs" / "releases")
    p_matrix.add_argument("--reuse", action="store_true", help="use existing build/releases/keras-<v> ledgers")
    p_matrix.add_argument("--select", nargs="*", default=[], help="spec paths or node ids instead of all of spec/")
    for p in (p_drift, p_matrix):
        p.add_argument("--mark", default="not slow", help="pytest -m expression ('' for the whole spec)")
        p.add_argument("-n", type=int, default=2, help="pytest-xdist workers (0: none)")
    p_drift.add_argument("--pinned", type=Path, default=ROOT / "docs" / "ledger" / "ledger.json")
    args = parser.parse_args(argv)
    if args.command == "env":
        print(env(args.version))
        return 0
    if args.command == "drift":
        from ledger import drift

        out = ROOT / "build" / f"ledger-keras-{args.version}"
        run_spec(args.version, args.mark, args.n, out)
        return drift.main([str(out), "--pinned", str(args.pinned)])
    runs = {}
    for version in sorted(args.versions, key=_key):
        out = ROOT / "build" / "releases" / f"keras-{version}"
        if not (args.reuse and (out / "ledger.json").is_file()):
            run_spec(version, args.mark, args.n, out, select=args.select)
        runs[version] = _load(out)
    # Compare like with like: only the claim cases every release ran (a release's run may have selected more).
    common = set.intersection(*({c["id"] for c in run["claims"]} for run in runs.values()))
    for run in runs.values():
        run["claims"] = [c for c in run["claims"] if c["id"] in common]
    rows = matrix(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "README.md").write_text(render_matrix(runs, rows, args.mark), encoding="utf-8")
    payload = {"mark": args.mark, "runs": {v: r["versions"] for v, r in runs.items()}, "claims": rows}
    (args.out / "matrix.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(rows)} claims vary across {', '.join(runs)}: {os.path.relpath(args.out / 'README.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
