"""The ledger page's tallies and evidence lines, and the statements page, rendered from small made-up runs."""

from ledger.claims import Entry
from ledger.render import EN, render_markdown, render_statements
from ledger.statements import STATEMENTS


def _entry(claim_id, section="2", verdict="HOLDS", outcome="confirmed", evidence=()):
    claim = {"id": claim_id, "section": section, "says": "s", "today": "t", "verdict": verdict, "qualifier": ""}
    return Entry(f"spec/test_x.py::test_{claim_id}", claim, evidence=list(evidence), outcome=outcome)


def _counts(page: str) -> dict[str, list[str]]:
    """The tally table: row label -> its cells."""
    table = page.split("| verdict |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    return {row.split(" | ")[0].strip("| "): [c.strip(" |*") for c in row.split(" | ")[1:]] for row in table}


def test_unmeasured_claims_have_their_own_column():
    # Check that a claim not measured here (a GPU claim) is not tallied under its verdict with the measured ones.
    entries = [_entry("S2-gpu", outcome="not measured here"), _entry("S2-a"), _entry("TOC1-b", section="TOC 1.1")]
    page = render_markdown(entries, [], {"keras": "3"})
    assert "not measured here (needs hardware this machine lacks): claims / cases" in page
    counts = _counts(page)
    assert counts["✅ holds"] == ["1 / 1", "1 / 1", "0 / 0", "1 / 1"]
    assert counts["all"] == ["1 / 1", "1 / 1", "0 / 0", "1 / 1"]


def test_evidence_recorded_only_on_other_backends_is_shown():
    # Check that evidence keys a jax or torch run recorded, and the primary run did not, appear on the page.
    entry = _entry("S4.2-probe", section="4.2.3", evidence=[("tensorflow", "1"), ("shared", "a")])
    backends = {
        "S4.2-probe": {
            "tensorflow": {"outcome": "confirmed", "detail": "", "evidence": [["tensorflow", "1"], ["shared", "a"]]},
            "jax": {"outcome": "confirmed", "detail": "", "evidence": [["jax", "2"], ["shared", "b"]]},
            "torch": {"outcome": "confirmed", "detail": "", "evidence": [["torch", "3"], ["shared", "a"]]},
        }
    }
    page = render_markdown([entry], [], {"keras": "3"}, EN, backends)
    assert "  - jax: jax `2`" in page and "  - torch: torch `3`" in page
    assert "  - shared: `a` (jax `b`)" in page


def test_intro_says_evidence_is_per_machine():
    page = render_markdown([_entry("S2-a")], [], {"keras": "3", "cpu": "Some CPU, 2 cores, 1 threads per test process"})
    assert "Verdicts do not" in page and "Some CPU, 2 cores, 1 threads per test process" in page


def test_statements_page_lists_every_statement_with_verdicts():
    page = render_statements([_entry("S2-high-level-api"), _entry("S2-core-algorithms", verdict="REFUTED")], [])
    rows = [line for line in page.splitlines() if line.startswith("| §")]
    assert len(rows) == len(STATEMENTS)
    assert "S2-high-level-api ✅" in page and "S2-core-algorithms ❌" in page and "(not in this run)" in page


def test_keras2_evidence_labels_read_in_chinese():
    # Check that a Keras 2 key's prefix is put into Chinese, its rest where the table has it, code as written,
    # and that the prefix does not hide a backend key or a whole key.
    from ledger.zh import evidence_label

    assert evidence_label("Keras 2 (tf_keras 2.21): version") == "Keras 2（tf_keras 2.21）：版本"
    assert (
        evidence_label("Keras 2 (tf_keras 2.21): names in keras.models")
        == "Keras 2（tf_keras 2.21）：keras.models 中的名字"
    )
    code = "from keras.layers import merge"
    assert evidence_label(f"Keras 2 (tf_keras 2.21): {code}") == f"Keras 2（tf_keras 2.21）：{code}"
    assert evidence_label("jax, as written") == "jax, 照原文写" and evidence_label("warning") == "警告"
    assert evidence_label("something new") == "something new"


def _keras2_literal_labels() -> set[str]:
    """The literal ``what`` of every ``key(report, "what")`` in the spec (spec.keras2_runs.key); the keys a lesson
    takes from the Keras 2 report itself are its code lines."""
    import ast
    from pathlib import Path

    found = set()
    for path in sorted((Path(__file__).resolve().parents[1] / "spec").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "key" and len(node.args) == 2:
                if isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                    found.add(node.args[1].value)
    return found


def test_every_written_keras2_label_has_chinese_or_is_code():
    # Check that each Keras 2 label a lesson writes out in English has a Chinese translation, unless it is a line of
    # code (an import, a call), which stays as written.
    import re

    from ledger.zh import EVIDENCE_LABELS

    labels = _keras2_literal_labels()
    assert "version" in labels  # the scan finds the lessons' labels
    code = re.compile(r"(from [\w.]+ )?import [\w., ]+|[\w.]+\(.*\)")
    assert sorted(w for w in labels if w not in EVIDENCE_LABELS and not code.fullmatch(w)) == []
