"""The statement map (ledger/statements.py) against the spec: every statement of §2-§4.2 is mapped, every id exists.

The claims are read from the spec modules' source (their ``@claim(...)`` decorators), so these checks need no
Keras and run in a second.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ledger import statements
from ledger.claims import SECTIONS, Verdict, group
from ledger.untestable import UNTESTABLE

SPEC = Path(__file__).resolve().parents[1] / "spec"


def _claims() -> dict[str, dict]:
    """Every claim marker in spec/: id -> section, verdict name, qualifier, module and line."""
    found = {}
    for path in sorted(SPEC.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        decorators = [d for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for d in f.decorator_list]
        for node in decorators:
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "claim"):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            qualifier = keywords.get("qualifier")
            found[node.args[0].value] = {
                "section": keywords["section"].value,
                "verdict": keywords["verdict"].attr,
                "qualifier": qualifier.value if isinstance(qualifier, ast.Constant) else "",
                "module": path.name,
                "line": node.lineno,
            }
    return found


CLAIMS = _claims()
UNTESTABLE_IDS = {item["id"]: item for item in UNTESTABLE}


def test_the_claims_are_found():
    # Check that the source reader sees the spec (a broken reader would make every other check here vacuous).
    assert len(CLAIMS) > 150 and "S3.1-sequential-example" in CLAIMS and "TOC1.3-overfitting" in CLAIMS


def test_every_mapped_id_exists():
    # Check that each id the map names is a claim or a not-testable entry.
    unknown = [
        (s.section, s.paragraph, i) for s in statements.STATEMENTS for i in s.ids if i not in CLAIMS | UNTESTABLE_IDS
    ]
    assert unknown == []
    assert all(s.ids for s in statements.STATEMENTS), "a statement with no entry"


def test_every_text_claim_is_mapped():
    # Check that every claim and not-testable entry about the document's text checks at least one mapped statement
    # (anchors, which check no statement of the document, are listed apart).
    mapped = {i for s in statements.STATEMENTS for i in s.ids}
    text_ids = {i for i, c in CLAIMS.items() if group(c["section"]) == "text"}
    text_ids |= {i for i, u in UNTESTABLE_IDS.items() if group(u["section"]) == "text"}
    assert sorted(text_ids - mapped - set(statements.ANCHORS)) == []
    assert set(statements.ANCHORS) <= text_ids


def test_every_paragraph_is_covered():
    # Check that the map lists each paragraph of each section from 1 to its last, none skipped.
    for section, count in statements.PARAGRAPHS.items():
        listed = sorted({s.paragraph for s in statements.STATEMENTS if s.section == section})
        assert listed == list(range(1, count + 1)), section
    assert {s.section for s in statements.STATEMENTS} == set(statements.PARAGRAPHS)
    assert all(s.section in SECTIONS or s.section == "4.2" for s in statements.STATEMENTS)


def test_statements_are_in_document_order():
    # Check that the map itself runs through the text in order: section by section, paragraphs ascending.
    keys = [(list(statements.PARAGRAPHS).index(s.section), s.paragraph) for s in statements.STATEMENTS]
    assert keys == sorted(keys)


@pytest.mark.parametrize("section", [s for s in SECTIONS if group(s) == "text"])
def test_entries_follow_the_paragraphs(section):
    # Check that within a section the claims are defined in the order of the first statement each checks
    # (the ledger lists a section's entries in the order they are defined).
    first_mention: list[str] = []
    for s in statements.STATEMENTS:
        if s.section != section:  # a later section may cite an entry again (4.2.5 loads 4.2.4's checkpoints)
            continue
        for i in s.ids:
            if i in CLAIMS and CLAIMS[i]["section"] == section and i not in first_mention:
                first_mention.append(i)
    defined = sorted(
        (i for i, c in CLAIMS.items() if c["section"] == section and i not in statements.ANCHORS),
        key=lambda i: (CLAIMS[i]["module"], CLAIMS[i]["line"]),
    )
    assert defined == first_mention


# The verdicts the review of issue 19 settled (rule: README "How a verdict is chosen"), with whether the index
# must show a qualifier beside them.
SETTLED = {
    "S4.2-scaling": ("CORRECTED", False),  # dividing by 255 does give [0, 1]; the pipeline around it is the defect
    "S4.2-batch-drawing": ("CORRECTED", True),  # wrong only on an unshuffled dataset
    "S4.2-real-labels": ("CORRECTED", True),  # rests on a train_dataset the document never defines
    "S4.2-compile-model-function": ("REFUTED", False),  # the prose misdescribes the document's own code
    "S4.2-compile-model-code": ("CORRECTED", False),  # the code's NameErrors and missing return
    "S4.2-predict-in-loop": ("HOLDS", True),  # runs correctly, no error or warning: only slower, with progress bars
    "S4.2-freezing": ("CORRECTED", False),  # the document's code misbehaves (as Adam(lr=), keras.models.Input)
    "TOC1.1-legacy-keras-switch": ("REFUTED", True),  # measured with tf_keras 2.21: `import keras` stays Keras 3
    "TOC1.7-keras-round-trip": ("HOLDS", True),  # bit-identical only without random layers
    "S4.2-freezing-purpose": ("REFUTED", False),
    "S4.2-tfdata-split": ("REFUTED", False),
    "S4.2-ten-epochs": ("REFUTED", False),
    "S2-high-level-api": ("HOLDS", False),
    "S2-core-algorithms": ("REFUTED", False),
    "S3.1-sequential-imports-text": ("REFUTED", False),
    "S3.1-functional-imports-text": ("REFUTED", False),
    "S3.1-outputs-from-x": ("REFUTED", False),
    "S4.1-input-channels": ("REFUTED", False),
    "S4.2-noise-called-generator": ("REFUTED", False),
    "S4.2-final-evaluate-names": ("CORRECTED", False),
    "S4.2-evaluate-returns": ("HOLDS", True),
}


@pytest.mark.parametrize("claim_id", sorted(SETTLED))
def test_settled_verdicts(claim_id):
    verdict, qualified = SETTLED[claim_id]
    assert claim_id in CLAIMS, f"{claim_id} has no test"
    assert CLAIMS[claim_id]["verdict"] == verdict and Verdict[verdict]
    assert bool(CLAIMS[claim_id]["qualifier"]) == qualified


def test_false_statements_are_not_parked_as_untestable():
    # Check that the sentences the review found false are entries with a test, not "not testable".
    assert not {"S4.2.4-overfitting-reason", "S4.2.4-data-pipeline-text"} & set(UNTESTABLE_IDS)
