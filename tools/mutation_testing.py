"""Mutation testing of ``reference/`` against the spec: ``make mutants``.

The mutants are cosmic-ray's (https://cosmic-ray.readthedocs.io): its core operators enumerate every
mutation of every module in scope into a cosmic-ray session (``build/mutation/session.sqlite``, readable
with ``cr-report``), and cosmic-ray applies each one to the file and restores it.  This driver adds what
a 2-core machine and a TensorFlow test suite need:

* **A copy.**  Everything happens in ``build/mutation/work/``, a fresh copy of ``reference/``, ``spec/``, ``tests/``, ``ledger/``,
  ``conftest.py`` and ``pyproject.toml`` made at every start; the working tree is never written to, so an
  interrupted run (Ctrl-C, a killed shell) cannot leave a mutant behind.  Tests run with
  ``PYTHONPATH=<copy>`` and the run stops if ``import reference`` does not resolve to the copy.  With
  ``--jobs N`` there are N copies (``work-0/`` ...), each made and checked the same way (``tools/mutation_pool.py``).
* **Only the spec that exercises a mutant.**  The spec modules that exercise a reference module are
  derived from the imports (``from reference import x``, ``from reference.x import ...``, module names
  run as subprocesses, such as ``"reference.distributed"``), followed through ``reference``'s and
  ``spec``'s own imports.  One unmutated *baseline* run of those spec modules (quick tier, one process)
  records, per test, the lines of ``reference/`` it runs (coverage.py dynamic contexts, subprocesses
  included) and how long it takes.  A mutant then runs only the tests that reach its line, fastest
  first, with ``-x``; a mutant that survives them is confirmed against every test of the spec modules
  those tests belong to before it is called a survivor.  A test that fails on the unmutated copy is left
  out of every mutant's run (and listed in the report).  Mutants on lines no test of the tier reaches are
  counted per module but not run: they cannot be killed by that tier.
* **A sample.**  All of ``reference/`` is thousands of mutants; ``--sample N`` draws N of the reachable
  ones, stratified by module (proportional allocation, largest remainder, at least one per module while N
  allows), with ``random.Random(f"{seed}:{module}")``, so the same code and seed give the same sample.
* **One core a job, a timeout.**  One mutant at a time per job (``--jobs``, default ``MUTANTS_JOBS`` or 1),
  each in its own ``python -m pytest`` (no fork after TensorFlow has started), with ``-p no:xdist -p no:randomly``,
  1 thread for TensorFlow/OpenMP by default, and a wall-clock limit of ``timeout_base + timeout_factor x``
  (baseline seconds of the selected tests); on expiry the whole process group is killed and the mutant
  counts as a timeout.

* **Two families.**  ``--family cosmic`` (cosmic-ray's syntactic operators), ``--family semantic`` (ours:
  ``tools/semantic_mutants.toml``, the ML bugs a maintainer makes, such as a leak between splits, a dropped
  scaling, a saturating GAN loss or a CSV read by position; each one text edit, applied to the copy by replacing
  its ``find``, which must occur exactly once) or ``both`` (the default).  Both go through the same baseline,
  the same selection by coverage of the edited lines and the same runs; each family has its own report and
  kill rate, per chapter (``docs/measurements/mutation_semantic.md`` for ours).  ``--ids`` runs chosen
  semantic mutants; ``--tests`` restricts a run to some test files (to confirm that a new pin kills its mutant).

The report (``docs/measurements/mutation.md`` and ``.json``) lists every survivor with its one-line diff
and a reason: ``tools/mutation_notes.json`` holds the reasons found so far ("equivalent: ..." mutants are left out of
the kill rate; "not pinned: ..." ones are real gaps in the spec).  The kill rate is
(killed + timeout) / (tried - equivalent survivors).

Usage: ``python -m tools.mutation_testing --help``; ``make mutants`` passes MUTANTS_SAMPLE, MUTANTS_SEED,
MUTANTS_MODULES, MUTANTS_MARK, MUTANTS_REPORT and MUTANTS_JOBS.  This module is also the pytest plugin the baseline run
loads (``-p tools.mutation_testing``), active only when ``MUTANTS_BASELINE=1``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools import mutation_pool

ROOT = Path(__file__).resolve().parent.parent
CONTEXT_ENV = "MUTANTS_TEST_CONTEXT"
COPIED = (
    "reference",
    "spec",
    "tests",
    "ledger",
    "tools",  # the baseline run loads this module as a pytest plugin (-p tools.mutation_testing)
    "conftest.py",
    "pyproject.toml",
    "docs/measurements",
)  # reference reads measurements
PYTEST_ARGS = ("-p", "no:xdist", "-p", "no:randomly", "-p", "no:cacheprovider", "-q", "-rfE", "--no-header")

# Why each survivor seen so far survives: tools/mutation_notes.json, keyed "<module>::<function>::<operator>::<old
# line> -> <new line>" (see Mutant.key; no line numbers, so the notes outlive edits elsewhere in the file).  A value
# starting "equivalent:" takes the mutant out of the kill rate; "not pinned:" names the behaviour no claim checks.
NOTES_FILE = Path(__file__).with_name("mutation_notes.json")
NOTES: dict[str, str] = json.loads(NOTES_FILE.read_text(encoding="utf-8"))

LEFT_OUT: dict[str, int] = defaultdict(int)  # mutants not in the population, by reason (see _left_out)


# --------------------------------------------------------------------------- pytest plugin (baseline only)


def _coverage_now():
    try:
        import coverage
    except ImportError:
        return None
    return coverage.Coverage.current()


if os.environ.get("MUTANTS_BASELINE") == "1":
    import pytest

    _RESULTS: dict[str, dict] = {}
    _BROKEN: list[str] = []

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        """Record the lines each test runs under its node id, in this process and its subprocesses."""
        cov = _coverage_now()
        os.environ[CONTEXT_ENV] = item.nodeid
        if cov is not None:
            cov.switch_context(item.nodeid)
        yield
        os.environ.pop(CONTEXT_ENV, None)
        if cov is not None:
            cov.switch_context("")

    def pytest_runtest_logreport(report):
        result = _RESULTS.setdefault(report.nodeid, {"seconds": 0.0, "failed": False})
        result["seconds"] += report.duration
        result["failed"] = result["failed"] or report.failed

    def pytest_collectreport(report):
        if report.failed:
            _BROKEN.append(report.nodeid)

    def pytest_sessionfinish(session):
        Path(os.environ["MUTANTS_BASELINE_REPORT"]).write_text(json.dumps({"tests": _RESULTS, "broken": _BROKEN}))


# --------------------------------------------------------------------------- the import map


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


_DOTTED = re.compile(r"(reference|spec)(\.[A-Za-z_]\w*)+")


def _imports(path: Path, known: set[str]) -> set[str]:
    """The known modules a file imports (anywhere in it) or names as a string (``python -m`` targets)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _DOTTED.fullmatch(node.value):
            names = [node.value]  # a module run by name: run_with_backend("jax", "reference.distributed")
        else:
            continue
        for name in names:
            while name and name not in known:  # a name imported from a module counts as the module
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
                parent = name.rpartition(".")[0]
                while parent:  # importing reference.basics.x runs reference/__init__ and basics/__init__
                    if parent in known:
                        found.add(parent)
                    parent = parent.rpartition(".")[0]
    return found


def import_map(root: Path) -> dict[str, list[str]]:
    """reference module (dotted, without ``reference.``) -> spec and unit test files that import it, directly or not."""
    files = {_module_name(p, root): p for d in ("reference", "spec", "tests") for p in sorted((root / d).rglob("*.py"))}
    known = set(files)
    edges = {name: _imports(path, known) - {name} for name, path in files.items()}
    result: dict[str, set[str]] = defaultdict(set)
    for name, path in files.items():
        if not (name.startswith(("spec.", "tests.")) and path.name.startswith("test_")):
            continue
        seen, todo = set(), [name]
        while todo:
            for nxt in edges[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        for module in seen:
            if module == "reference" or module.startswith("reference."):
                result[module].add(str(path.relative_to(root)))
    return {_short_module(m): sorted(result.get(m, ())) for m in sorted(known) if m.split(".")[0] == "reference"}


def _short_module(dotted: str) -> str:
    return dotted.partition(".")[2] or "__init__"


def _module_path(short: str) -> Path:
    if short == "__init__":
        return Path("reference/__init__.py")
    path = Path("reference", *short.split("."))
    return path / "__init__.py" if (ROOT / path).is_dir() else path.with_suffix(".py")


# --------------------------------------------------------------------------- mutants


@dataclass
class Mutant:
    job_id: str
    module: str
    path: str
    operator: str
    occurrence: int
    line: int
    end_line: int
    function: str
    diff: str = ""
    tests: list[str] = field(default_factory=list)  # tests that reach the line, fastest first
    import_time: bool = False  # only reached while importing (module-level code, defaults, decorators)
    outcome: str = ""  # killed | survived | timeout | error | not-run
    killed_by: str = ""
    seconds: float = 0.0
    stage: str = ""  # "covering tests" or "confirmed on modules"
    note: str = ""
    family: str = "cosmic"  # cosmic (cosmic-ray's operators) | semantic (tools/semantic_mutants.toml)
    chapter: str = ""
    edit: tuple[str, str] | None = None  # semantic: (find, replace), applied by text replacement
    equivalent: str = ""  # semantic: why the catalogue judges it equivalent

    @property
    def key(self) -> str:
        if self.family == "semantic":
            return f"semantic::{self.job_id}"
        changed = [line[1:].strip() for line in self.diff.splitlines() if line[:1] in "-+"]
        return f"{self.module}::{self.function}::{self.operator.removeprefix('core/')}::{' -> '.join(changed)}"


def _one_line_diff(diff_lines: list[str]) -> str:
    minus = [line for line in diff_lines if line.startswith("-") and not line.startswith("---")]
    plus = [line for line in diff_lines if line.startswith("+") and not line.startswith("+++")]
    return "\n".join(minus + plus)


class _Scopes:
    """Where a line of a module sits: which statement coverage.py files it under (the first line of a
    multi-line statement), the innermost function or class, and when it runs (at import: module level,
    class bodies, decorators, argument defaults; or when the function is called)."""

    def __init__(self, source: str):
        self.defs, self.statements = [], []
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt):
                self.statements.append((node.lineno, node.end_lineno))
        # module-level names (constants) -> the lines that read them
        self.assigned: dict[int, tuple[int, set[str]]] = {}
        for node in tree.body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if names:
                self.assigned[node.lineno] = (node.end_lineno, names)
        self.readers: dict[str, set[int]] = defaultdict(set)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                self.readers[node.id].add(node.lineno)

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    name = f"{prefix}{child.name}"
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    self.defs.append(
                        (start, child.end_lineno, child.body[0].lineno, name, isinstance(child, ast.ClassDef))
                    )
                    visit(child, name + ".")
                else:
                    visit(child, prefix)

        visit(tree, "")

    def statement_line(self, line: int) -> int:
        """The first line of the innermost statement holding ``line`` (where coverage.py records it)."""
        holding = [(start, end) for start, end in self.statements if start <= line <= end]
        return min(holding, key=lambda se: (se[1] - se[0], -se[0]))[0] if holding else line

    def constant_readers(self, line: int) -> set[int]:
        """For a line of a module-level ``NAME = ...``: the lines elsewhere in the module that read NAME."""
        for start, (end, names) in self.assigned.items():
            if start <= line <= end:
                return {ln for name in names for ln in self.readers.get(name, ()) if not start <= ln <= end}
        return set()

    def find(self, line: int):
        """(qualified name, lines whose tests stand for this line, runs at import time)."""
        holding = [d for d in self.defs if d[0] <= line <= d[1]]
        if not holding:
            return "<module>", None, True
        start, end, body_start, name, is_class = max(holding, key=lambda d: d[0])
        if is_class or line < body_start:
            # a class attribute or a def line (decorators, defaults): runs at import; the tests that
            # exercise it are those that run the function's (or the class's methods') body
            return name, range(body_start, end + 1), True
        return name, None, False


def _left_out(source: str):
    """What is left out of the population: the lines of ``if __name__ == "__main__":`` (mutmut skips them
    too), and the spans of type annotations in a module with ``from __future__ import annotations``, where
    they are never evaluated (every mutant there is equivalent)."""
    tree = ast.parse(source)
    guards, spans = set(), []
    lazy = any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(a.name == "annotations" for a in node.names)
        for node in tree.body
    )
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name)
            and node.test.left.id == "__name__"
        ):
            guards.add(node.test.lineno)
        if lazy:
            for annotation in (getattr(node, "annotation", None), getattr(node, "returns", None)):
                if isinstance(annotation, ast.expr):
                    spans.append(
                        ((annotation.lineno, annotation.col_offset), (annotation.end_lineno, annotation.end_col_offset))
                    )

    def excluded(start, end) -> str:
        if start[0] in guards:
            return "main-guard"
        if any(a <= tuple(start) and tuple(end) <= b for a, b in spans):
            return "annotation"
        return ""

    return excluded


def enumerate_mutants(work: Path, modules: list[str], session: Path) -> list[Mutant]:
    """Every cosmic-ray mutant of the given modules, stored in a fresh cosmic-ray session; the ones
    ``_left_out`` names are counted in LEFT_OUT and not returned."""
    from cosmic_ray.commands import init
    from cosmic_ray.work_db import use_db

    session.unlink(missing_ok=True)
    paths = [work / _module_path(m) for m in modules]
    with use_db(str(session)) as db:
        init(paths, db, {})
        items = list(db.work_items)
    by_path = {str(work / _module_path(m)): m for m in modules}
    scopes = {m: _Scopes((work / _module_path(m)).read_text(encoding="utf-8")) for m in modules}
    left_out = {m: _left_out((work / _module_path(m)).read_text(encoding="utf-8")) for m in modules}
    mutants = []
    for item in items:
        spec = item.mutations[0]
        module = by_path[str(spec.module_path)]
        why = left_out[module](spec.start_pos, spec.end_pos)
        if why:
            LEFT_OUT[why] += 1
            continue
        function = scopes[module].find(spec.start_pos[0])[0]
        mutants.append(
            Mutant(
                item.job_id,
                module,
                str(_module_path(module)),
                spec.operator_name,
                spec.occurrence,
                spec.start_pos[0],
                spec.end_pos[0],
                function,
            )
        )
    mutants.sort(key=lambda m: (m.module, m.line, m.operator, m.occurrence))
    return mutants


def _diff_of(work: Path, mutant: Mutant) -> str:
    import cosmic_ray.plugins
    from cosmic_ray.mutating import _make_diff, mutate_code

    code = (work / mutant.path).read_text(encoding="utf-8")
    mutated = mutate_code(code, cosmic_ray.plugins.get_operator(mutant.operator)(), mutant.occurrence)
    return "" if mutated is None else _one_line_diff(list(_make_diff(code, mutated, mutant.path)))


# --------------------------------------------------------------------------- semantic mutants

SEMANTIC_FILE = Path(__file__).with_name("semantic_mutants.toml")
CHAPTER_OF_PACKAGE = {
    "basics": "ch1",
    "vision": "ch2",
    "sequence": "ch2",
    "clustering": "ch3",
    "gans": "ch4",
    "kaggle": "ch5",
}
CHAPTERS = ("shared", "ch1", "ch2", "ch3", "ch4", "ch5")


def chapter_of(module: str) -> str:
    """The chapter a reference module belongs to: its package (basics -> ch1, ...), or "shared" at the top."""
    return CHAPTER_OF_PACKAGE.get(module.split(".")[0], "shared") if "." in module else "shared"


def load_semantic(work: Path, modules: list[str], catalogue: Path = SEMANTIC_FILE) -> list[Mutant]:
    """The catalogue's mutants of the modules in scope, located in the copy: the lines ``find`` spans.

    A ``find`` that no longer occurs exactly once (the code moved under it) is reported and left out.
    """
    import tomllib

    entries = tomllib.loads(catalogue.read_text(encoding="utf-8"))["mutant"]
    by_path = {str(_module_path(m)): m for m in modules}
    scopes: dict[str, _Scopes] = {}
    mutants = []
    for entry in entries:
        module = by_path.get(entry["file"])
        if module is None:
            continue
        source = (work / entry["file"]).read_text(encoding="utf-8")
        find = entry["find"]
        if source.count(find) != 1:
            print(f"semantic mutant {entry['id']}: `find` occurs {source.count(find)} times; left out", flush=True)
            LEFT_OUT["semantic: find not unique"] += 1
            continue
        start = source.count("\n", 0, source.index(find)) + 1
        end = start + find.rstrip("\n").count("\n")
        minus = [f"-{line}" for line in find.rstrip("\n").splitlines()]
        plus = [f"+{line}" for line in entry["replace"].rstrip("\n").splitlines()] or ["+"]
        mutants.append(
            Mutant(
                entry["id"],
                module,
                entry["file"],
                "semantic",
                0,
                start,
                end,
                entry.get("function") or scopes.setdefault(module, _Scopes(source)).find(start)[0],
                diff="\n".join(minus + plus),
                family="semantic",
                chapter=entry["chapter"],
                edit=(find, entry["replace"]),
                equivalent=entry.get("equivalent", ""),
            )
        )
    return mutants


# --------------------------------------------------------------------------- running pytest


def _env(work: Path, threads: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MUTANTS_", "COVERAGE_", "PYTEST_"))}
    env.update(PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    if threads > 0:
        for var in (
            "TF_NUM_INTRAOP_THREADS",
            "TF_NUM_INTEROP_THREADS",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
        ):
            env[var] = str(threads)
    return env


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float | None) -> tuple[int | None, str, float]:
    """Run in its own process group; (exit code or None on timeout, output, seconds).  Ctrl-C kills the group;
    so does ``mutation_pool.stop()``, and then this raises ``mutation_pool.Stopped``."""
    start = time.monotonic()
    proc = mutation_pool.start(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        mutation_pool.kill(proc)
        out, _ = proc.communicate()
        code = None
    except BaseException:
        mutation_pool.kill(proc)
        proc.wait()
        raise
    finally:
        mutation_pool.finished(proc)
    return code, out.decode("utf-8", "replace"), time.monotonic() - start


def _pytest(python: str, targets: list[str], marker: str, extra: tuple = ()) -> list[str]:
    cmd = [python, "-m", "pytest", *PYTEST_ARGS, *extra]
    if marker:
        cmd += ["-m", marker]
    return cmd + targets


def _content_hash(work: Path, *extra: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(
        p
        for name in COPIED
        for p in ([work / name] if (work / name).is_file() else (work / name).rglob("*"))
        if p.is_file()
    ):
        digest.update(str(path.relative_to(work)).encode() + b"\0" + path.read_bytes())
    for item in extra:
        digest.update(item.encode() + b"\0")
    return digest.hexdigest()[:16]


@dataclass
class Baseline:
    durations: dict[str, float]  # node id -> seconds (setup + call + teardown)
    failed: list[str]  # node ids that fail on the unmutated copy
    broken: list[str]  # spec files that fail to import on the unmutated copy
    lines: dict[str, dict[int, set[str]]]  # reference path -> line -> test node ids ("" = at import)
    seconds: float
    cached: bool

    def passing(self) -> list[str]:
        failed = set(self.failed)
        return [t for t in self.durations if t not in failed]


def run_baseline(
    work: Path, out: Path, python: str, spec_files: list[str], marker: str, threads: int, use_cache: bool
) -> Baseline:
    key = _content_hash(work, marker, str(threads), os.environ.get("KERAS_BACKEND", "tensorflow"), *spec_files)
    folder = out / "baseline" / key
    result = folder / "baseline.json"
    if use_cache and result.is_file():
        data = json.loads(result.read_text())
        print(f"baseline: reusing {os.path.relpath(folder)} (same code, tier and spec modules)", flush=True)
        return Baseline(
            data["durations"],
            data["failed"],
            data["broken"],
            {f: {int(k): set(v) for k, v in lines.items()} for f, lines in data["lines"].items()},
            data["seconds"],
            True,
        )
    shutil.rmtree(out / "baseline", ignore_errors=True)  # only the latest baseline is kept
    folder.mkdir(parents=True)
    rc_file = folder / "coveragerc"
    rc_file.write_text(
        "[run]\nparallel = True\n"
        f"data_file = {folder / '.coverage'}\nsource = {work / 'reference'}\n"
        f"context = ${{{CONTEXT_ENV}}}\n"
    )
    env = _env(work, threads)
    report = folder / "tests.json"
    env.update(MUTANTS_BASELINE="1", MUTANTS_BASELINE_REPORT=str(report), COVERAGE_PROCESS_START=str(rc_file))
    cmd = _pytest(python, spec_files, marker, ("-p", "tools.mutation_testing", "--continue-on-collection-errors"))
    print(
        f"baseline: {len(spec_files)} spec modules, tier -m {marker!r}, one process, with coverage "
        f"(the unmutated copy; minutes) ...",
        flush=True,
    )
    code, output, seconds = _run(cmd, work, env, None)
    (folder / "output.txt").write_text(output)
    if code not in (0, 1) or not report.is_file():
        sys.exit(f"baseline run failed (exit {code}); its output: {folder / 'output.txt'}\n{output[-3000:]}")
    tests = json.loads(report.read_text())
    durations = {t: r["seconds"] for t, r in tests["tests"].items()}
    failed = [t for t, r in tests["tests"].items() if r["failed"]]
    subprocess.run(
        [python, "-m", "coverage", "combine", "-q", f"--rcfile={rc_file}"], cwd=work, env=_env(work, 0), check=True
    )
    import coverage

    data = coverage.CoverageData(str(folder / ".coverage"))
    data.read()
    lines = {}
    for measured in data.measured_files():
        rel = str(Path(measured).resolve().relative_to(work.resolve()))
        lines[rel] = {ln: set(ctx) for ln, ctx in data.contexts_by_lineno(measured).items()}
    result.write_text(
        json.dumps(
            {
                "durations": durations,
                "failed": failed,
                "broken": tests["broken"],
                "seconds": seconds,
                "lines": {f: {str(k): sorted(v) for k, v in m.items()} for f, m in lines.items()},
            }
        )
    )
    print(
        f"baseline: {len(durations)} tests in {seconds:.0f} s; failing on the unmutated copy (left out): "
        f"{', '.join(failed + tests['broken']) or 'none'}",
        flush=True,
    )
    return Baseline(durations, failed, tests["broken"], lines, seconds, False)


def select_tests(mutants: list[Mutant], work: Path, baseline: Baseline, mapping: dict[str, list[str]]):
    """Fill in each mutant's tests: those of its module's spec files that reach its line, fastest first.

    A line that runs at import time (module level, class attributes, decorators, argument defaults) is
    stood for by the function body it configures; a module-level line reached only while importing
    (no test context) gets every test of the spec files that import the module.
    """
    scopes, ok = {}, baseline.passing()
    for m in mutants:
        if m.module not in scopes:
            scopes[m.module] = _Scopes((work / m.path).read_text(encoding="utf-8"))
        scope = scopes[m.module]
        allowed = set(mapping.get(m.module, ()))
        covered = baseline.lines.get(m.path, {})
        _, stand_in, at_import = scope.find(m.line)
        wanted = {scope.statement_line(ln) for ln in range(m.line, m.end_line + 1)}
        if stand_in is not None:
            wanted |= {scope.statement_line(ln) for ln in stand_in}
        contexts = set().union(*(covered.get(ln, set()) for ln in wanted))
        tests = {c for c in contexts if c and c.split("::")[0] in allowed and c in baseline.durations}
        if at_import and stand_in is None and "" in contexts:
            # module level, run while importing: a constant stands for the code that reads it (in this
            # module; the spec may read it too, so its importers' tests are added when the module does not)
            readers = {scope.statement_line(ln) for ln in scope.constant_readers(m.line)}
            used = {c for ln in readers for c in covered.get(ln, set())}
            used = {c for c in used if c and c.split("::")[0] in allowed and c in baseline.durations}
            tests |= used or {t for t in ok if t.split("::")[0] in allowed}
            m.import_time = True
        failed = set(baseline.failed)
        m.tests = sorted((t for t in tests if t not in failed), key=lambda t: (baseline.durations.get(t, 0), t))


# --------------------------------------------------------------------------- sampling


def allocate(counts: dict[str, int], total: int) -> dict[str, int]:
    """Proportional allocation by largest remainder, at least one per stratum while ``total`` allows."""
    strata = {k: v for k, v in counts.items() if v > 0}
    if total >= sum(strata.values()):
        return dict(strata)
    share = {k: 0 for k in strata}
    if total >= len(strata):
        share = {k: 1 for k in strata}
    rest = total - sum(share.values())
    capacity = {k: strata[k] - share[k] for k in strata}
    weight = sum(capacity.values())
    quotas = {k: rest * capacity[k] / weight for k in strata} if weight else {k: 0 for k in strata}
    for k in strata:
        share[k] += int(quotas[k])
    left = total - sum(share.values())
    by_remainder = sorted(strata, key=lambda k: (-(quotas[k] - int(quotas[k])), k))
    for k in by_remainder:
        if left <= 0:
            break
        if share[k] < strata[k]:
            share[k] += 1
            left -= 1
    return share


def draw_sample(mutants: list[Mutant], total: int, seed: int) -> list[Mutant]:
    by_module = defaultdict(list)
    for m in mutants:
        if m.tests:
            by_module[m.module].append(m)
    shares = allocate({k: len(v) for k, v in by_module.items()}, total)
    chosen = []
    for module in sorted(shares):
        population = sorted(by_module[module], key=lambda m: (m.line, m.operator, m.occurrence))
        chosen += random.Random(f"{seed}:{module}").sample(population, shares[module])
    return sorted(chosen, key=lambda m: (m.module, m.line, m.operator, m.occurrence))


# --------------------------------------------------------------------------- one mutant


def _failed_test(output: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.M)
    return match.group(1) if match else ""


@contextlib.contextmanager
def _applied(m: Mutant, work: Path):
    """Apply one mutant to the copy for the duration of the block, then restore the file.

    cosmic-ray's mutants through cosmic-ray (``use_mutation``); semantic ones by replacing their ``find``
    (exactly once) with ``replace``.  Yields the mutated source, or None when nothing could be mutated.
    """
    if m.family != "semantic":
        import cosmic_ray.plugins
        from cosmic_ray.mutating import use_mutation

        operator = cosmic_ray.plugins.get_operator(m.operator)()
        with use_mutation(work / m.path, operator, m.occurrence) as (_, mutated):
            yield mutated
        return
    path = work / m.path
    original = path.read_text(encoding="utf-8")
    find, replace = m.edit
    if original.count(find) != 1:
        yield None
        return
    mutated = original.replace(find, replace, 1)
    path.write_text(mutated, encoding="utf-8")
    try:
        yield mutated
    finally:
        path.write_text(original, encoding="utf-8")


def run_mutant(
    m: Mutant,
    work: Path,
    python: str,
    baseline: Baseline,
    mapping,
    marker: str,
    threads: int,
    factor: float,
    base: float,
    confirm: bool,
    log_dir: Path,
) -> None:
    env = _env(work, threads)
    excluded = [arg for t in baseline.failed for arg in ("--deselect", t)]
    stages = [("covering tests", m.tests)]
    if confirm:
        files = sorted({t.split("::")[0] for t in m.tests})
        wider = sorted(
            (t for t in baseline.durations if t.split("::")[0] in files and t not in baseline.failed),
            key=lambda t: (baseline.durations[t], t),
        )
        if set(wider) != set(m.tests):
            stages.append(("confirmed on modules", files))
    total = 0.0
    with _applied(m, work) as mutated:
        if mutated is None:
            m.outcome, m.note = "error", "no mutation could be applied"
            return
        for stage, targets in stages:
            budget = sum(
                baseline.durations.get(t, 0)
                for t in (
                    m.tests
                    if stage == "covering tests"
                    else [t for t in baseline.durations if t.split("::")[0] in targets]
                )
            )
            limit = base + factor * budget
            code, output, seconds = _run(_pytest(python, targets, marker, ("-x", *excluded)), work, env, limit)
            total += seconds
            m.stage = stage
            with open(log_dir / f"{m.job_id}.txt", "a", encoding="utf-8") as log:
                log.write(f"$ {m.key}\n$ {stage}, limit {limit:.0f} s, exit {code}\n{output}\n")
            if code is None:
                m.outcome, m.note = "timeout", f"over {limit:.0f} s ({stage})"
                break
            if code == 0:
                m.outcome = "survived"
                continue
            broken = re.search(r"ERROR collecting (\S+)", output)
            if code in (1, 2, 3) or code < 0 or (code == 4 and broken):
                # 4: a spec module no longer imports, so pytest finds none of the tests asked for
                m.outcome = "killed"
                m.killed_by = (_failed_test(output) if code != 4 else "") or (
                    f"{broken.group(1)} fails to import" if broken else f"exit {code}"
                )
                break
            m.outcome, m.note = "error", f"pytest exit {code}"
            break
    m.seconds = total


# --------------------------------------------------------------------------- reports


def _versions() -> dict:
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for name in ("cosmic-ray", "coverage", "pytest", "keras", "tensorflow", "jax", "torch"):
        try:
            found[name] = version(name)
        except Exception:  # noqa: BLE001 - not installed
            pass
    return found


def _git() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "reference", "spec", "tests"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        return head.strip() + (" (reference/ or spec/ with uncommitted changes)" if dirty.strip() else "")
    except OSError:
        return ""


def _note_for(m: Mutant, previous: dict[str, str]) -> str:
    if m.equivalent:
        return f"equivalent: {m.equivalent}"
    return NOTES.get(m.key) or previous.get(m.key, "")


def survivor_rows(report: Path) -> list[dict]:
    """The rows of the mutants that survived in a report's .json (a clear exit when it is not one)."""
    try:
        rows = json.loads(report.read_text(encoding="utf-8"))["mutants"]
        return [r for r in rows if r["outcome"] == "survived" and r["key"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        sys.exit(f"--survivors-of {report}: not a mutation report's .json ({error})")


def summary_line(counts: dict) -> str:
    return (
        f"mutants: {counts['tried']} tried, {counts['killed']} killed, {counts['survived']} survived, "
        f"{counts['timeout']} timeout; kill rate {counts['kill_rate']:.1f}%"
    )


def _counts(rows: list[dict]) -> dict:
    done = [r for r in rows if r["outcome"] in ("killed", "survived", "timeout", "error")]
    c = {k: sum(r["outcome"] == k for r in done) for k in ("killed", "survived", "timeout", "error")}
    c["tried"] = len(done)
    c["equivalent"] = sum(r["outcome"] == "survived" and r["note"].startswith("equivalent") for r in done)
    denominator = c["tried"] - c["equivalent"] - c["error"]
    c["kill_rate"] = 100.0 * (c["killed"] + c["timeout"]) / denominator if denominator else 0.0
    c["raw_kill_rate"] = 100.0 * (c["killed"] + c["timeout"]) / c["tried"] if c["tried"] else 0.0
    return c


def per_chapter(rows: list[dict]) -> dict:
    """Counts and kill rate per chapter (rows of one family)."""
    return {
        chapter: _counts([r for r in rows if r.get("chapter") == chapter])
        for chapter in CHAPTERS
        if any(r.get("chapter") == chapter for r in rows)
    }


def _row(m: Mutant) -> dict:
    return {
        "family": m.family,
        "id": m.job_id if m.family == "semantic" else "",
        "chapter": m.chapter or chapter_of(m.module),
        "module": m.module,
        "line": m.line,
        "function": m.function,
        "operator": m.operator.removeprefix("core/"),
        "occurrence": m.occurrence,
        "diff": m.diff,
        "outcome": m.outcome,
        "killed_by": m.killed_by,
        "stage": m.stage,
        "seconds": round(m.seconds, 1),
        "tests": len(m.tests),
        "import_time": m.import_time,
        "note": m.note,
        "key": m.key,
    }


def write_reports(
    stem: Path, info: dict, mutants: list[Mutant], sample: list[Mutant], mapping: dict, baseline: Baseline
) -> dict:
    per_module = []
    for module in sorted({m.module for m in mutants} | set(info["scope"])):
        ms = [m for m in mutants if m.module == module]
        ss = [m for m in sample if m.module == module and m.outcome]
        per_module.append(
            {
                "module": module,
                "spec_modules": mapping.get(module, []),
                "mutants": len(ms),
                "reached": sum(bool(m.tests) for m in ms),
                "tried": len(ss),
                **{k: sum(m.outcome == k for m in ss) for k in ("killed", "survived", "timeout", "error")},
            }
        )
    seconds = [m.seconds for m in sample if m.outcome]
    timing = {
        "baseline_s": round(baseline.seconds, 1),
        "baseline_cached": baseline.cached,
        "mutants_s": round(sum(seconds), 1),
        "per_mutant_median_s": round(statistics.median(seconds), 1) if seconds else None,
        "per_mutant_mean_s": round(statistics.mean(seconds), 1) if seconds else None,
        "wall_s": round(info.pop("wall_s"), 1),
    }
    payload = {
        **info,
        "timing": timing,
        "per_module": per_module,
        "baseline_failures": baseline.failed,
        "baseline_broken_modules": baseline.broken,
        "mutants": [_row(m) for m in sample if m.outcome],
    }
    return _write(stem, payload)


def _write(stem: Path, payload: dict) -> dict:
    counts = _counts(payload["mutants"])
    payload.update(counts=counts, summary=summary_line(counts), per_chapter=per_chapter(payload["mutants"]))
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    markdown = _markdown_semantic(payload) if payload.get("family") == "semantic" else _markdown(payload)
    stem.with_suffix(".md").write_text(markdown, encoding="utf-8")
    return counts


def _chapter_table(p: dict) -> list[str]:
    lines = [
        "| chapter | tried | killed | survived | timeout | equivalent | kill rate |",
        "|---|---|---|---|---|---|---|",
    ]
    for chapter, c in p["per_chapter"].items():
        lines.append(
            f"| {chapter} | {c['tried']} | {c['killed']} | {c['survived']} | {c['timeout']} | {c['equivalent']} | "
            f"{c['kill_rate']:.1f}% |"
        )
    return lines


def refresh_notes(stem: Path) -> dict:
    """Rewrite a report after editing NOTES: the survivors' reasons and the kill rate, nothing rerun."""
    payload = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
    for row in payload["mutants"]:
        if row["outcome"] == "survived" and NOTES.get(row["key"]):
            row["note"] = NOTES[row["key"]]
    return _write(stem, payload)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _diff_cell(diff: str) -> str:
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-")]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+")]
    return f"`{_cell(' / '.join(minus))}` → `{_cell(' / '.join(plus))}`"


def _markdown(p: dict) -> str:
    c, t, s = p["counts"], p["timing"], p["sample"]
    total_mutants = sum(r["mutants"] for r in p["per_module"])
    reached = sum(r["reached"] for r in p["per_module"])
    lines = [
        "# Mutation testing of `reference/`",
        "",
        f"Generated by `make mutants` (`python -m tools.mutation_testing`) on {p['date']}, commit {p['commit'] or '?'}. "
        f"Tool: cosmic-ray {p['versions'].get('cosmic-ray', '?')} (its core operators), run one mutant at a time "
        f"by `tools/mutation_testing.py`; coverage.py {p['versions'].get('coverage', '?')} for test selection. "
        f"Keras {p['versions'].get('keras', '?')} on {p['backend']}, Python {p['versions']['python']}, "
        f"{p['machine']}.",
        "",
        f"**{p['summary']}** (kill rate = (killed + timeout) / (tried − equivalent survivors − errors); "
        f"{c['equivalent']} survivors judged equivalent, {c['error']} errors; raw rate {c['raw_kill_rate']:.1f}%). "
        f"Target: at least 90% of non-equivalent mutants killed.",
        "",
        "## How the sample was drawn",
        "",
        f"- Population: every cosmic-ray core-operator mutant of the modules in scope "
        f"({', '.join(p['scope']) if p['scope_narrowed'] else 'all of `reference/`'}): {total_mutants} mutants"
        + (
            f', after leaving out {p["left_out"].get("main-guard", 0)} on `if __name__ == "__main__":` lines '
            f"and {p['left_out'].get('annotation', 0)} inside type annotations of modules with "
            "`from __future__ import annotations` (never evaluated, so equivalent)."
            if "left_out" in p
            else ', less those on `if __name__ == "__main__":` lines.'
        ),
        f"- Tier: spec tests selected by `-m {s['marker']!r}`. One baseline run on the unmutated copy recorded which "
        f"tests reach each line (coverage contexts, subprocesses included): {reached} of {total_mutants} mutants "
        f"({100 * reached / max(total_mutants, 1):.0f}%) sit on lines that tier reaches; the others cannot be killed "
        "by it (code run only by slow tests, command-line entry points, error branches no claim provokes) and "
        "are not sampled.",
        f"- Sample: {s['size']} of the reachable mutants, stratified by module: proportional allocation by largest "
        f'remainder, at least one per module while the size allows, drawn with `random.Random("{s["seed"]}:<module>")` '
        "from the module's mutants sorted by (line, operator, occurrence). Same code and seed, same sample.",
        "- Each mutant: the tests that reach its line, fastest first, `-x`; a survivor is then rerun against every "
        "test of those tests' spec modules before it counts as survived. Each run is its own `python -m pytest` "
        f"(`-p no:xdist -p no:randomly`), {p['threads']} thread(s), limit {s['timeout_base']:.0f} s + "
        f"{s['timeout_factor']:g} × the baseline time of the tests it runs.",
        f"- Time: baseline {t['baseline_s']:.0f} s{' (reused from the cache: code unchanged)' if t['baseline_cached'] else ''}, "
        f"mutants {t['mutants_s']:.0f} s (median {t['per_mutant_median_s']} s, mean {t['per_mutant_mean_s']} s a "
        f"mutant), whole run {t['wall_s']:.0f} s.",
        "",
        "## Per chapter",
        "",
        *_chapter_table(p),
        "",
        "## Per module",
        "",
        "| module | spec modules that import it | mutants | reached by the tier | tried | killed | survived | timeout |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in p["per_module"]:
        names = [Path(x).stem for x in r["spec_modules"]]
        specs = (", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more") or "none"
        lines.append(
            f"| {r['module']} | {specs} | {r['mutants']} | {r['reached']} | {r['tried']} | {r['killed']} | "
            f"{r['survived']} | {r['timeout']} |"
        )
    survivors = [m for m in p["mutants"] if m["outcome"] == "survived"]
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    if survivors:
        lines += [
            "| module:line | function | operator | diff | why it survives / what would kill it |",
            "|---|---|---|---|---|",
        ]
        for m in survivors:
            lines.append(
                f"| {m['module']}:{m['line']} | `{m['function']}` | {m['operator']} | {_diff_cell(m['diff'])} | "
                f"{_cell(m['note']) or '(not yet examined)'} |"
            )
    else:
        lines.append("None.")
    others = [m for m in p["mutants"] if m["outcome"] in ("timeout", "error")]
    if others:
        lines += ["", "## Timeouts and errors", "", "| module:line | operator | diff | outcome |", "|---|---|---|---|"]
        lines += [
            f"| {m['module']}:{m['line']} | {m['operator']} | {_diff_cell(m['diff'])} | {m['outcome']} "
            f"({_cell(m['note'])}) |"
            for m in others
        ]
    if p["baseline_failures"] or p["baseline_broken_modules"]:
        lines += ["", "## Tests left out (failing on the unmutated copy)", ""]
        lines += [f"- `{t}`" for t in p["baseline_failures"]]
        lines += [f"- `{t}` (does not import)" for t in p["baseline_broken_modules"]]
    killed = [m for m in p["mutants"] if m["outcome"] == "killed"]
    lines += [
        "",
        f"## Killed ({len(killed)}) and the test that killed each",
        "",
        "| module:line | operator | diff | killed by | s |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {m['module']}:{m['line']} | {m['operator']} | {_diff_cell(m['diff'])} | `{_cell(m['killed_by'])}` | "
        f"{m['seconds']:.0f} |"
        for m in killed
    ]
    lines += [
        "",
        "Rerun: `make mutants` (MUTANTS_SAMPLE, MUTANTS_SEED, MUTANTS_MODULES=kmeans,construction, "
        "MUTANTS_MARK). The cosmic-ray session is `build/mutation/session.sqlite` (`cr-report` reads it); "
        "each mutant's pytest output is in `build/mutation/logs/`.",
        "",
    ]
    return "\n".join(lines)


def _markdown_semantic(p: dict) -> str:
    c, t = p["counts"], p["timing"]
    unreached = p.get("not_reached", [])
    lines = [
        "# Semantic mutation testing of `reference/`",
        "",
        f"Generated by `make mutants` (`python -m tools.mutation_testing --family semantic`) on {p['date']}, commit "
        f"{p['commit'] or '?'}. Keras {p['versions'].get('keras', '?')} on {p['backend']}, Python "
        f"{p['versions']['python']}, {p['machine']}.",
        "",
        "The mutants are ours, not cosmic-ray's: `tools/semantic_mutants.toml`, the bugs an ML maintainer makes "
        "(a leak between splits, a dropped scaling, a wrong loss form or label, a metric variant, a seed ignored, "
        "a CSV read by position, ...), one text edit each. Each is applied to a copy of the tree and run, one at a "
        "time, against the quick-tier tests whose coverage reaches the edited lines (then, if it survives, their "
        "whole modules), exactly as the cosmic-ray mutants are (`docs/measurements/mutation.md`).",
        "",
        f"**{p['summary']}** (kill rate = (killed + timeout) / (tried − equivalent survivors − errors); "
        f"{c['equivalent']} survivors judged equivalent, {c['error']} errors; raw rate {c['raw_kill_rate']:.1f}%). "
        f"Catalogue: {p['catalogue_size']} mutants in scope; tried {c['tried']}"
        + (f" (a sample of {p['sample']['size']}, seed {p['sample']['seed']})" if p["sample"].get("sampled") else "")
        + (f" (chosen with --ids: {len(p['sample']['ids'])})" if p["sample"].get("ids") else "")
        + (
            f", against {', '.join(p['tests_only'])} only (a survivor there may still be killed by the spec)"
            if p.get("tests_only")
            else ""
        )
        + f"; {len(unreached)} sit on lines the quick tier never runs (listed below, not run).",
        "",
        f"Time: baseline {t['baseline_s']:.0f} s{' (cached)' if t['baseline_cached'] else ''}, mutants "
        f"{t['mutants_s']:.0f} s (median {t['per_mutant_median_s']} s, mean {t['per_mutant_mean_s']} s a mutant), "
        f"whole run {t['wall_s']:.0f} s.",
        "",
        "## Per chapter",
        "",
        *_chapter_table(p),
    ]
    survivors = [m for m in p["mutants"] if m["outcome"] == "survived"]
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    if survivors:
        lines += ["| id | chapter | function | diff | why it survives / what kills it |", "|---|---|---|---|---|"]
        lines += [
            f"| {m['id']} | {m['chapter']} | `{m['function']}` | {_diff_cell(m['diff'])} | "
            f"{_cell(m['note']) or '(not yet examined)'} |"
            for m in survivors
        ]
    else:
        lines.append("None.")
    others = [m for m in p["mutants"] if m["outcome"] in ("timeout", "error")]
    if others:
        lines += ["", "## Timeouts and errors", "", "| id | diff | outcome |", "|---|---|---|"]
        lines += [f"| {m['id']} | {_diff_cell(m['diff'])} | {m['outcome']} ({_cell(m['note'])}) |" for m in others]
    killed = [m for m in p["mutants"] if m["outcome"] == "killed"]
    lines += [
        "",
        f"## Killed ({len(killed)}) and the test that killed each",
        "",
        "| id | chapter | killed by | s |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m['id']} | {m['chapter']} | `{_cell(m['killed_by'])}` | {m['seconds']:.0f} |" for m in killed]
    if unreached:
        lines += ["", f"## Not reached by the quick tier ({len(unreached)})", ""]
        lines += [f"- {r['id']} ({r['chapter']}, `{r['function']}`)" for r in unreached]
    lines += [
        "",
        "Rerun: `make mutants MUTANTS_FAMILY=semantic` (MUTANTS_SEMANTIC_SAMPLE=N for a sample; "
        "`python -m tools.mutation_testing --family semantic --ids a,b` for chosen ones). Each mutant's pytest "
        "output is in `build/mutation/logs/`.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def make_copy(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=ignore)
        else:
            shutil.copy2(source, work / name)


def _check_copy(work: Path, python: str) -> None:
    probe = subprocess.run(
        [python, "-c", "import reference, spec; print(reference.__file__); print(spec.__file__)"],
        cwd=work,
        env=_env(work, 0),
        capture_output=True,
        text=True,
    )
    paths = probe.stdout.split()
    if (
        probe.returncode != 0
        or len(paths) != 2
        or not all(Path(x).resolve().is_relative_to(work.resolve()) for x in paths)
    ):
        sys.exit(f"the copy in {work} is not what `import reference` finds ({probe.stdout or probe.stderr}); stopping")


def parse_args(argv=None):
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m tools.mutation_testing", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sample",
        type=int,
        default=int(env("MUTANTS_SAMPLE") or 60),
        help="mutants to run, stratified by module (0: every reachable mutant)",
    )
    parser.add_argument("--seed", type=int, default=int(env("MUTANTS_SEED") or 0))
    parser.add_argument(
        "--modules",
        default=env("MUTANTS_MODULES") or "",
        help="comma-separated reference modules or packages (kmeans,basics); default all",
    )
    parser.add_argument("--mark", default=env("MUTANTS_MARK", "not slow"), help="pytest -m expression ('' = all)")
    parser.add_argument(
        "--report",
        default=env("MUTANTS_REPORT") or "docs/measurements/mutation",
        help="report path without suffix (.md and .json are written)",
    )
    parser.add_argument(
        "--family",
        choices=("cosmic", "semantic", "both"),
        default=env("MUTANTS_FAMILY") or "both",
        help="cosmic-ray's syntactic mutants, our semantic catalogue (tools/semantic_mutants.toml), or both",
    )
    parser.add_argument(
        "--semantic-sample",
        type=int,
        default=int(env("MUTANTS_SEMANTIC_SAMPLE") or 0),
        help="semantic mutants to run, stratified by module (0: every one the tier reaches)",
    )
    parser.add_argument(
        "--tests",
        default="",
        help="comma-separated test files to restrict the run to (default: every spec and test module that "
        "imports the mutated module); a mutant killed there is killed, a survivor is only a survivor of those",
    )
    parser.add_argument("--ids", default="", help="comma-separated semantic mutant ids to run (default: all)")
    parser.add_argument(
        "--survivors-of",
        default="",
        help="a report's .json: run only the mutants that survived there (drawn as that run drew them), to check "
        "that new pins kill them; write the result with --report/--semantic-report elsewhere",
    )
    parser.add_argument(
        "--semantic-report",
        default=env("MUTANTS_SEMANTIC_REPORT") or "docs/measurements/mutation_semantic",
        help="report path of the semantic family, without suffix",
    )
    parser.add_argument("--work", default="build/mutation", help="work folder (recreated at each start)")
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument("--timeout-base", type=float, default=90.0)
    parser.add_argument(
        "--threads",
        type=int,
        default=int(env("MUTANTS_THREADS") or 1),
        help="TensorFlow/OpenMP threads per test run (0: leave the defaults)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=int(env("MUTANTS_JOBS") or 1),
        help="mutants run at once, each in its own copy of the tree (work-0, work-1, ...); the baseline stays one run",
    )
    parser.add_argument("--no-confirm", action="store_true", help="do not rerun survivors on their whole spec modules")
    parser.add_argument("--no-cache", action="store_true", help="rerun the baseline even if the code is unchanged")
    parser.add_argument(
        "--list", action="store_true", help="show the mapping, the population and the sample; run nothing"
    )
    parser.add_argument(
        "--notes-only",
        action="store_true",
        help="rewrite the report's survivor reasons and kill rate from NOTES; run nothing",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.jobs < 1:
        sys.exit("--jobs must be at least 1")
    rerun = survivor_rows(Path(args.survivors_of)) if args.survivors_of else None
    if args.notes_only:
        print(summary_line(refresh_notes(ROOT / args.report)), flush=True)
        return 0
    started = time.monotonic()
    python = sys.executable
    out = (ROOT / args.work).resolve()
    workdirs = mutation_pool.copies(out, args.jobs)
    for stale in (out / "logs", out / "work", *out.glob("work-*")):
        shutil.rmtree(stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    for copy in workdirs:
        make_copy(copy)
        _check_copy(copy, python)
    work = workdirs[0]  # the import map, the mutants' locations and the baseline: the copies are the same

    mapping = import_map(work)
    wanted = [w.strip() for w in args.modules.split(",") if w.strip()]
    unknown = [w for w in wanted if not any(m == w or m.startswith(w + ".") for m in mapping)]
    if unknown:
        sys.exit(f"unknown reference modules: {', '.join(unknown)}; known: {', '.join(mapping)}")
    scope = [m for m in mapping if not wanted or any(m == w or m.startswith(w + ".") for w in wanted)]
    print("scope (reference module <- spec modules that import it):", flush=True)
    for module in scope:
        print(f"  {module:28} <- {', '.join(Path(s).stem for s in mapping[module]) or '(none)'}", flush=True)

    families = ("cosmic", "semantic") if args.family == "both" else (args.family,)
    session = out / "session.sqlite"
    mutants: list[Mutant] = []
    if "cosmic" in families:
        mutants = enumerate_mutants(work, scope, session)
        print(f"cosmic-ray: {len(mutants)} mutants in {len(scope)} modules", flush=True)
    semantic: list[Mutant] = []
    ids = {i.strip() for i in args.ids.split(",") if i.strip()}
    catalogue_in_scope = 0
    if "semantic" in families:
        semantic = load_semantic(work, scope)
        catalogue_in_scope = len(semantic)
        if ids:
            missing = ids - {m.job_id for m in semantic}
            if missing:
                sys.exit(f"unknown semantic mutant ids (or outside --modules): {', '.join(sorted(missing))}")
            semantic = [m for m in semantic if m.job_id in ids]
        print(f"semantic: {len(semantic)} catalogue mutants in scope ({SEMANTIC_FILE.name})", flush=True)
    spec_files = sorted({s for m in scope for s in mapping[m]})
    if "semantic" in families and "cosmic" not in families:
        # only the spec modules that import a module a semantic mutant edits
        spec_files = sorted({s for m in semantic for s in mapping[m.module]})
    only = [t.strip() for t in args.tests.split(",") if t.strip()]
    if only:  # e.g. confirm that new pins kill their mutants without the whole spec's baseline
        spec_files = [f for f in spec_files if f in only]
    if not spec_files:
        sys.exit("no spec module imports the modules in scope; nothing to run")
    baseline = run_baseline(work, out, python, spec_files, args.mark, args.threads, not args.no_cache)
    select_tests(mutants + semantic, work, baseline, mapping)

    runs = []
    if "cosmic" in families:
        reachable = [m for m in mutants if m.tests]
        if rerun is None:
            sample = draw_sample(mutants, args.sample if args.sample > 0 else len(reachable), args.seed)
        else:  # found by place, not drawn: --tests narrows which mutants are reachable, and so the draw
            places = {(r["module"], r["operator"], r["occurrence"]) for r in rerun}
            sample = [m for m in mutants if (m.module, m.operator.removeprefix("core/"), m.occurrence) in places]
        for m in sample:
            m.diff = _diff_of(work, m)
        if rerun is not None:  # the same edit still (a cosmic mutant's key is made from its diff), and reached
            sample = [m for m in sample if m.key in {r["key"] for r in rerun} and m.tests]
        print(
            f"cosmic sample: {len(sample)} of {len(reachable)} reachable mutants ({len(mutants)} in all), "
            f"seed {args.seed}",
            flush=True,
        )
        runs.append(("cosmic", mutants, sample, ROOT / args.report))
    if "semantic" in families:
        reachable = [m for m in semantic if m.tests]
        size = args.semantic_sample if args.semantic_sample > 0 else len(reachable)
        sample = draw_sample(semantic, size, args.seed)
        if rerun is not None:
            sample = [m for m in semantic if m.key in {r["key"] for r in rerun} and m.tests]
        print(
            f"semantic sample: {len(sample)} of {len(reachable)} reached by the tier ({len(semantic)} in scope), "
            f"seed {args.seed}",
            flush=True,
        )
        runs.append(("semantic", semantic, sample, ROOT / args.semantic_report))
    if args.list:
        for _, _, sample, _ in runs:
            for m in sample:
                print(f"  {m.key} {m.module}:{m.line} {m.function} ({len(m.tests)} tests)  {_diff_cell(m.diff)}")
        return 0

    log_dir = out / "logs"
    log_dir.mkdir(exist_ok=True)
    run = functools.partial(
        run_mutant,
        python=python,
        baseline=baseline,
        mapping=mapping,
        marker=args.mark,
        threads=args.threads,
        factor=args.timeout_factor,
        base=args.timeout_base,
        confirm=not args.no_confirm,
        log_dir=log_dir,
    )
    interrupted = False
    results = []
    for family, population, sample, stem in runs:
        previous = {}
        if stem.with_suffix(".json").is_file():
            try:
                previous = {
                    r["key"]: r["note"]
                    for r in json.loads(stem.with_suffix(".json").read_text())["mutants"]
                    if r.get("note") and r.get("outcome") == "survived"
                }
            except (ValueError, KeyError):
                previous = {}
        family_started = time.monotonic()
        if not interrupted:
            print(f"{family}: {len(sample)} mutants, {len(workdirs)} at a time", flush=True)
            try:
                run_sample(sample, workdirs, run, previous, started)
            except KeyboardInterrupt:
                interrupted = True
                print(
                    "\ninterrupted: every copy restored and discarded; the working tree was never touched", flush=True
                )
        if family == "cosmic":
            _record_session(session, population)
        info = {
            "family": family,
            "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "commit": _git(),
            "versions": _versions(),
            "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "threads": args.threads,
            "scope": scope,
            "scope_narrowed": bool(wanted),
            "interrupted": interrupted,
            "left_out": dict(LEFT_OUT),
            "sample": {
                "size": len(sample),
                "requested": args.sample if family == "cosmic" else args.semantic_sample,
                "sampled": family == "cosmic" or 0 < args.semantic_sample < len([m for m in population if m.tests]),
                "seed": args.seed,
                "marker": args.mark,
                "method": "stratified by module, proportional (largest remainder, >=1 per module), "
                "random.Random(f'{seed}:{module}') over reachable mutants",
                "timeout_base": args.timeout_base,
                "timeout_factor": args.timeout_factor,
                "confirm_survivors": not args.no_confirm,
            },
            "mapping": {m: mapping[m] for m in scope},
            "wall_s": time.monotonic() - family_started,
        }
        if family == "semantic":
            info["catalogue_size"] = catalogue_in_scope
            info["sample"]["ids"] = sorted(ids)
            info["tests_only"] = only
            info["not_reached"] = [_row(m) for m in population if not m.tests]
        target = out / f"interrupted_{family}" if interrupted else stem
        counts = write_reports(target, info, population, sample, mapping, baseline)
        print(f"{family} report: {os.path.relpath(target.with_suffix('.md'))} and .json", flush=True)
        results.append((family, counts))
    for family, counts in results:
        print(f"{family}: {summary_line(counts)}", flush=True)
    return 130 if interrupted else 0


def run_sample(sample: list[Mutant], workdirs: list[Path], run, previous: dict[str, str], started: float) -> None:
    """``run(mutant, copy)`` for the sample, ``len(workdirs)`` at a time (``mutation_pool``); one progress line
    per mutant as it finishes.  A mutant cut short by Ctrl-C gets no outcome, so no report row."""
    finished = 0

    def job(m: Mutant, copy: Path) -> None:
        try:
            run(m, copy)
        except mutation_pool.Stopped:
            m.outcome = ""
            raise

    def done(m: Mutant) -> None:
        nonlocal finished
        finished += 1
        if m.outcome == "survived":
            m.note = _note_for(m, previous)
        what = m.job_id if m.family == "semantic" else m.operator.removeprefix("core/")
        detail = {"killed": f"by {m.killed_by}", "survived": m.note or _diff_cell(m.diff)}.get(m.outcome, m.note)
        elapsed = time.monotonic() - started
        print(
            f"[{m.family} {finished:>3}/{len(sample)}] {m.module}:{m.line} {m.function} {what} ({len(m.tests)} tests) "
            f"{m.outcome.upper()} {detail} ({m.seconds:.0f} s; {elapsed / 60:.1f} min so far)",
            flush=True,
        )

    mutation_pool.run_all(sample, workdirs, job, done)


def _record_session(session: Path, mutants: list[Mutant]) -> None:
    """Write each cosmic-ray mutant's outcome into cosmic-ray's session (``cr-report`` reads it)."""
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    with use_db(str(session)) as db:
        ours = {m.job_id: m for m in mutants}
        for item in db.work_items:
            m = ours.get(item.job_id)
            if m is not None and m.outcome:
                outcome = {
                    "killed": TestOutcome.KILLED,
                    "timeout": TestOutcome.KILLED,
                    "survived": TestOutcome.SURVIVED,
                }.get(m.outcome, TestOutcome.INCOMPETENT)
                result = WorkResult(
                    worker_outcome=WorkerOutcome.NORMAL,
                    test_outcome=outcome,
                    diff=m.diff,
                    output=m.killed_by or m.note or m.outcome,
                )
            else:
                why = (
                    "left out (__main__ guard or lazy annotation)"
                    if m is None
                    else "not in the sample"
                    if m.tests
                    else "no test of the tier reaches it"
                )
                result = WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=why)
            db.set_result(item.job_id, result)


if __name__ == "__main__":
    sys.exit(main())
