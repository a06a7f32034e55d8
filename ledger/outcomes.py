"""What happened to a claim, in words a maintainer can act on, and how a run reports it.

A claim's test ends in one of six outcomes:

- **confirmed**: it passed;
- **DRIFTED**: it ran as designed and the measured behaviour differs from the pinned one.  The rule: the
  test failed with an ``AssertionError`` (a plain ``assert``, ``np.testing``, a ``pytest.raises(..., match=)``
  whose message did not match) or ``pytest.fail`` (``pytest.raises`` that saw no exception);
- **broken**: the test or the reference raised something the claim did not expect: any other exception
  (``ImportError``, ``AttributeError``, ``NameError``, ``TypeError``, a probe subprocess that crashed, an exception
  of another class than the one ``pytest.raises`` waited for, a fixture that failed, a pytest-timeout) or a module
  that failed to import (its claims are found by reading the file, :func:`claims_in_module`);
- **environment**: a data, backend or install fault, not Keras's behaviour: an exception whose class (or a base)
  is named in :data:`ENVIRONMENT_ERRORS` (``reference.data.DatasetNotAvailable``: missing or damaged data) or
  carries ``ledger_outcome = "environment"``; a ``ModuleNotFoundError`` for a package that is not installed (a
  missing optional backend or extra); any failure on a backend the spec does not support (``KERAS_BACKEND=numpy``);
- **skipped** / **not measured here** (a ``gpu`` test without a GPU), with pytest's reason.

Only DRIFTED counts as drift.  Each outcome keeps its reason (``detail``): for DRIFTED the assertion's message
(pinned against measured, as pytest prints it) and the line, beside the evidence the test recorded before it.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from ledger.claims import SECTIONS, Entry, Verdict

SUPPORTED_BACKENDS = ("tensorflow", "jax", "torch")
ENVIRONMENT_ERRORS = {"DatasetNotAvailable"}
PROBLEMS = ("DRIFTED", "broken", "environment")


def _first_line(text: str, limit: int = 300) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    line = lines[0] if lines else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _missing_package(name: str | None) -> str | None:
    """The top-level package a ModuleNotFoundError names, if that package is not installed at all."""
    if not name:
        return None
    top = name.split(".")[0]
    try:
        return top if importlib.util.find_spec(top) is None else None
    except (ImportError, ValueError):
        return top


def classify(excinfo, backend: str, test_file: str | None = None) -> tuple[str, str]:
    """(outcome, reason) for a test that raised; ``excinfo``: pytest's ExceptionInfo of the failing phase."""
    import pytest

    error = excinfo.value
    kind = type(error).__name__
    message = _first_line(str(error))
    where = ""
    if test_file:  # the line of the test module where it failed (the assert, or the call that raised)
        lines = [e.lineno + 1 for e in excinfo.traceback if str(e.path) == test_file]
        where = f" ({Path(test_file).name}:{lines[-1]})" if lines else ""
    names = {cls.__name__ for cls in type(error).__mro__}
    if getattr(error, "ledger_outcome", None) == "environment" or names & ENVIRONMENT_ERRORS:
        return "environment", f"{kind}: {message}"
    if isinstance(error, ModuleNotFoundError) and _missing_package(error.name):
        return "environment", f"package {_missing_package(error.name)!r} is not installed ({kind}: {message})"
    if backend not in SUPPORTED_BACKENDS:
        return (
            "environment",
            f"backend {backend!r} is not one the spec supports ({', '.join(SUPPORTED_BACKENDS)}): {kind}: {message}",
        )
    if isinstance(error, pytest.fail.Exception) and message.startswith("Timeout"):  # pytest-timeout: a hang
        return "broken", f"{message}{where}"
    if isinstance(error, AssertionError) or isinstance(error, pytest.fail.Exception):
        text = excinfo.exconly().removeprefix("AssertionError: ").removeprefix("Failed: ")
        return "DRIFTED", _first_line(text) + where
    return "broken", f"{kind}: {message}{where}"


_MISSING = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")


def classify_collection(longrepr: str) -> tuple[str, str]:
    """(outcome, reason) for a module that failed to import, from pytest's text of the error."""
    errors = [line.lstrip("E").strip() for line in longrepr.splitlines() if line.startswith("E ")]
    reason = errors[-1] if errors else _first_line(longrepr)
    missing = _MISSING.search(longrepr)
    if missing and _missing_package(missing.group(1)):
        return "environment", f"the module failed to import: {reason}"
    return "broken", f"the module failed to import: {reason}"


def _literal(node, default=""):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return default


def claims_in_module(path: Path) -> list[tuple[str, int, dict]]:
    """The claims a spec module declares, read from its source without importing it: (test name, line, claim).

    Finds ``@claim("ID", section=..., ...)`` on test functions (``claim`` or ``x.claim``); the texts that are not
    literals are left empty.  A file that does not parse is searched for ``claim("ID"`` instead.
    """
    source = Path(path).read_text(encoding="utf-8", errors="replace")
    found = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        for match in re.finditer(r"""\bclaim\(\s*["']([^"']+)["']""", source):
            line = source.count("\n", 0, match.start()) + 1
            found.append((f"line{line}", line, {"id": match.group(1)}))
    else:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else None
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name != "claim" or not decorator.args or not isinstance(_literal(decorator.args[0], None), str):
                    continue
                fields = {"id": _literal(decorator.args[0])}
                for keyword in decorator.keywords:
                    if keyword.arg == "verdict" and isinstance(keyword.value, ast.Attribute):
                        fields["verdict"] = keyword.value.attr
                    elif keyword.arg:
                        fields[keyword.arg] = _literal(keyword.value)
                found.append((node.name, node.lineno, fields))
    claims = []
    for name, line, fields in found:
        verdict = fields.get("verdict") if fields.get("verdict") in Verdict.__members__ else "HOLDS"
        section = fields.get("section") if fields.get("section") in SECTIONS else "meta"
        claims.append(
            (
                name,
                line,
                {
                    "id": fields["id"],
                    "section": section,
                    "says": fields.get("says") if isinstance(fields.get("says"), str) else "",
                    "today": fields.get("today") if isinstance(fields.get("today"), str) else "",
                    "verdict": verdict,
                    "qualifier": fields.get("qualifier") if isinstance(fields.get("qualifier"), str) else "",
                },
            )
        )
    return sorted(claims, key=lambda c: c[1])


def collection_entries(module_nodeid: str, path: Path, longrepr: str) -> list[Entry]:
    """One entry per claim of a module that failed to import: broken (or environment), with the import error."""
    outcome, reason = classify_collection(longrepr)
    try:
        claims = claims_in_module(path)
    except OSError:
        claims = []
    return [
        Entry(f"{module_nodeid}::{name}", claim, outcome=outcome, detail=reason, line=line)
        for name, line, claim in claims
    ]


ZH = {
    "problems": "需要关注的条目",
    "partial": "部分运行",
    "kind": "结果",
    "claim": "声明",
    "verdict": "固定的判定",
    "now": "现在（断言信息或错误）",
    "evidence": "记录的证据",
    "none": "没有声明漂移、损坏或受环境影响。",
    "legend": "DRIFTED：声明按设计运行，测得的行为与固定的不同；broken：测试或参考代码抛出了声明未预期的异常；"
    "environment：数据、后端或安装问题。只有 DRIFTED 算作漂移。",
}
EN = {
    "problems": "Claims that need attention",
    "partial": "Partial run",
    "kind": "outcome",
    "claim": "claim",
    "verdict": "pinned verdict",
    "now": "now (the assertion's message, or the error)",
    "evidence": "evidence recorded",
    "none": "No claim drifted, broke or met an environment fault.",
    "legend": "DRIFTED: the claim ran as designed and the measured behaviour differs from the pinned one; broken: "
    "the test or the reference raised something the claim did not expect; environment: a data, backend or install "
    "fault. Only DRIFTED counts as drift.",
}


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def problems_table(entries: list[Entry], chinese: bool = False) -> list[str]:
    """The table at the top of a ledger: every DRIFTED, broken and environment entry with its reason."""
    words = ZH if chinese else EN
    chosen = [e for kind in PROBLEMS for e in entries if e.outcome == kind]
    lines = [f"## {words['problems']}", ""]
    if not chosen:
        return lines + [words["none"], ""]
    lines += [
        words["legend"],
        "",
        f"| {words['kind']} | {words['claim']} | {words['verdict']} | {words['now']} | {words['evidence']} |",
        "|---|---|---|---|---|",
    ]
    for e in chosen:
        evidence = "; ".join(f"{k}: {v}" for k, v in e.evidence)
        evidence = evidence if len(evidence) <= 300 else evidence[:299] + "…"
        verdict = Verdict[e.claim["verdict"]].value
        lines.append(f"| **{e.outcome}** | {e.claim_id} | {verdict} | {_cell(e.detail)} | {_cell(evidence)} |")
    return lines + [""]


def partial_banner(partial: dict | None, chinese: bool = False) -> list[str]:
    """'**Partial run**: -k foo; 3 of 251 tests.' at the top of a ledger that covers part of the spec."""
    if not partial:
        return []
    words = ZH if chinese else EN
    count = f"{partial['ran']} of {partial['of']} tests" if partial.get("of") else f"{partial['ran']} tests"
    return [f"> **{words['partial']}**: {'; '.join(partial['why'])}; {count}.", ""]


def preface(entries: list[Entry], partial: dict | None):
    """What a ledger page shows above everything else, per language (passed to ``render_markdown``)."""

    def lines(words: dict) -> list[str]:
        chinese = words.get("file", "").endswith(".zh.md")
        return partial_banner(partial, chinese) + problems_table(entries, chinese)

    return lines
