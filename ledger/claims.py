"""Claims and verdicts: what a spec test pins, in the ledger's fixed vocabulary.

A lesson marks each test with ``@claim(...)``: a stable id, the tutorial section, what the
document says (paraphrased), what is true today, and the verdict.  ``Entry`` is one claim's
record in a run (its test, evidence, figures and outcome).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

import pytest


class Verdict(str, Enum):
    """The fixed vocabulary of verdicts a claim can pin."""

    HOLDS = "holds"
    DEPRECATED = "holds, with a deprecation warning"
    CORRECTED = "document's code fails; a corrected form works"
    REFUTED = "refuted"
    OBSOLETE = "obsolete: true only of old Keras"


VERDICT_MARK = {
    Verdict.HOLDS: "✅",
    Verdict.DEPRECATED: "⚠️",
    Verdict.CORRECTED: "🔧",
    Verdict.REFUTED: "❌",
    Verdict.OBSOLETE: "🕰️",
}

# Section titles in our own words, in document order.  Two kinds of section:
# the document's text (§2-§4.2, whose sentences we paraphrase and check) and "TOC x.y",
# chapters its table of contents promises but never writes.  For a TOC entry there is no
# sentence to check: the ledger shows what the heading promises and the standard claim
# we test in its place.  (The TOC numbers 1.x and 3.x also name different text sections
# of the document, hence the prefix.)
SECTIONS = {
    "2": "Keras overview: backends, versions, hardware",
    "3.1": "Building models: Sequential and Functional",
    "3.2": "Training: compile() and fit()",
    "3.3": "Evaluation: evaluate()",
    "4.1": "MNIST digit classification with an MLP",
    "4.2.1": "DCGAN: preparing the data",
    "4.2.2": "DCGAN: building the generator and the discriminator",
    "4.2.3": "DCGAN: compiling the models",
    "4.2.4": "DCGAN: the training loop",
    "4.2.5": "DCGAN: testing the trained model",
    "TOC 1.1": "TensorFlow and Keras",
    "TOC 1.2": "The basic workflow of building a model",
    "TOC 1.3": "Basic principles of the training process",
    "TOC 1.4": "Dataset splits, batch size, data augmentation",
    "TOC 1.5": "Activation functions and regularisation",
    "TOC 1.6": "Compile settings",
    "TOC 1.7": "Saving and loading models",
    "TOC 2.1": "CNNs: principles and classification",
    "TOC 2.2": "RNNs: principles and classification",
    "TOC 2.3": "A CNN case study: transfer learning and object detection",
    "TOC 2.4": "An RNN case study: text generation",
    "TOC 2.5 / 4.1": "GANs: the adversarial principle",
    "TOC 3.1": "Unsupervised learning",
    "TOC 3.2": "K-means clustering",
    "TOC 3.3": "DBSCAN clustering",
    "TOC 3.4": "Clustering applied: image segmentation and image clustering",
    "TOC 4.2": "DCGAN and WGAN",
    "TOC 4.3": "GAN applications: image generation, style transfer, faces to anime",
    "TOC 5": "A Kaggle project",
    "TOC 6": "FAQ and further reading",
    "TOC other": "Chapters the table of contents promises that have no claims yet",
    "meta": "How this specification itself behaves",
}

# The rule every verdict follows (written into the ledger's header and the README).
VERDICT_RULE = [
    ("HOLDS", "the statement is true on today's Keras, as the document states it."),
    ("DEPRECATED", "the document's code runs today as written but Keras warns that the spelling is deprecated."),
    (
        "CORRECTED",
        "the document's code (an import, an argument, a file name, a layer stack, a loop) fails or "
        "misbehaves on today's Keras, whatever Keras it was written for; the ledger shows the error and a corrected "
        "form that works.",
    ),
    (
        "OBSOLETE",
        "a statement of fact about Keras (not code) that was true of the Keras the document names "
        "(2.3, 2019) and is not true now.",
    ),
    (
        "REFUTED",
        "a statement that was never true, in the Keras the document names or now (a wrong count, a wrong "
        "description of the document's own code, a wrong claim about what a function does).",
    ),
]


def is_heading_only(section: str) -> bool:
    """TOC sections have no body text: their claims are the standard ones we chose to test."""
    return section.startswith("TOC")


def claim(id: str, *, section: str, says: str, today: str, verdict: Verdict, qualifier: str = ""):
    """Mark a test as the check of one tutorial statement.

    ``says``: what the document says, paraphrased (for a TOC section: the standard claim
    we test under that heading).  ``qualifier``: a short condition shown beside the verdict
    in the index when the truth is partial ("only with exactly one metric").
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}; add it to ledger.claims.SECTIONS")
    if not isinstance(verdict, Verdict):
        raise TypeError(f"verdict must be a Verdict, got {verdict!r}")
    return pytest.mark.claim(id=id, section=section, says=says, today=today, verdict=verdict.name, qualifier=qualifier)


def section_key(section: str) -> int:
    """Position of a section in document order."""
    order = list(SECTIONS)
    return order.index(section)


def label(section: str) -> str:
    """How the ledger names a section: "§4.2.3" for the text, "TOC 1.3" and "meta" as they are."""
    return section if section.startswith(("TOC", "meta")) else f"§{section}"


def group(section: str) -> str:
    """Which part of the ledger a section belongs to: the text, the table of contents, or the suite."""
    return "meta" if section == "meta" else "toc" if is_heading_only(section) else "text"


@dataclass
class Entry:
    """One claim's record in a run: its test, measured evidence, figures and outcome."""

    nodeid: str
    claim: dict
    evidence: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    outcome: str = "not run"
    detail: str = ""
    line: int = 0  # where the test is defined: claims read in the order the spec module tells them

    @property
    def claim_id(self) -> str:
        match = re.search(r"\[(.*)\]$", self.nodeid)
        return self.claim["id"] + (f"[{match.group(1)}]" if match else "")
