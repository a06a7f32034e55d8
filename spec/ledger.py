"""The claims ledger: a pytest plugin that turns the spec's tests into a corrected tutorial.

Every spec test carries a ``@claim(...)`` marker: a stable id, the tutorial section,
what the document says (paraphrased), what is true today, and the pinned verdict.
While it runs, a test records measured evidence through the ``evidence`` fixture.

Claims and evidence travel in ``report.user_properties``, so the ledger is assembled
on the controller even under pytest-xdist. At the end of the session the plugin prints
a summary and writes ``LEDGER.md`` and ``ledger.json`` (plus figures) to ``--ledger-dir``.
A claim whose test fails is shown as DRIFTED: the document-versus-today verdict no
longer matches what the installed Keras does.
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

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
    ("CORRECTED", "the document's code (an import, an argument, a file name, a layer stack, a loop) fails or "
     "misbehaves on today's Keras, whatever Keras it was written for; the ledger shows the error and a corrected "
     "form that works."),
    ("OBSOLETE", "a statement of fact about Keras (not code) that was true of the Keras the document names "
     "(2.3, 2019) and is not true now."),
    ("REFUTED", "a statement that was never true, in the Keras the document names or now (a wrong count, a wrong "
     "description of the document's own code, a wrong claim about what a function does)."),
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
        raise ValueError(f"unknown section {section!r}; add it to spec.ledger.SECTIONS")
    if not isinstance(verdict, Verdict):
        raise TypeError(f"verdict must be a Verdict, got {verdict!r}")
    return pytest.mark.claim(
        id=id, section=section, says=says, today=today, verdict=verdict.name, qualifier=qualifier
    )


def _section_key(section: str):
    order = list(SECTIONS)
    return order.index(section)


def _short(value, limit=400) -> str:
    if isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Evidence:
    """Records measured facts on the running test; they end up in the ledger."""

    def __init__(self, item: pytest.Item, ledger_dir: Path):
        self._item = item
        self._ledger_dir = ledger_dir

    def __call__(self, key: str, value) -> None:
        self._item.user_properties.append(("evidence", (key, _short(value))))

    def figure(self, fig, name: str, caption: str) -> Path:
        """Save a matplotlib figure next to the ledger and embed it."""
        figures = self._ledger_dir / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        path = figures / f"{name}.png"
        fig.savefig(path, dpi=80, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)
        self._item.user_properties.append(("figure", (f"figures/{name}.png", caption)))
        return path


_STATE: dict = {"entries": {}}


@dataclass
class Entry:
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


def pytest_addoption(parser):
    group = parser.getgroup("ledger")
    group.addoption(
        "--ledger-dir",
        default="build/ledger",
        help="where LEDGER.md, ledger.json and figures are written (default build/ledger)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "claim: tutorial statement checked by the test")
    config._ledger_entries = _STATE["entries"] = {}


def _ledger_dir(config) -> Path:
    return Path(config.rootpath, config.getoption("--ledger-dir"))


@pytest.fixture
def evidence(request) -> Evidence:
    """Record a measured fact (``evidence("params", 7114)``) or a figure for the ledger."""
    return Evidence(request.node, _ledger_dir(request.config))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    marker = item.get_closest_marker("claim")
    if marker is not None:
        found = dict(marker.kwargs)
        # Chinese wording of the claim: the module's ZH dict, keyed by claim id (see LEDGER.zh.md).
        zh = getattr(item.module, "ZH", {}).get(found["id"], {})
        found["says_zh"], found["today_zh"] = zh.get("says", ""), zh.get("today", "")
        found["qualifier_zh"] = zh.get("qualifier", "")
        item.user_properties.append(("claim", found))


def pytest_runtest_logreport(report):
    props = dict((k, v) for k, v in report.user_properties if k == "claim")
    if "claim" not in props:
        return
    entries = _STATE["entries"]  # reports relayed by xdist carry no config
    entry = entries.setdefault(report.nodeid, Entry(report.nodeid, props["claim"]))
    entry.line = report.location[1] or 0
    entry.evidence = [v for k, v in report.user_properties if k == "evidence"]
    entry.figures = [v for k, v in report.user_properties if k == "figure"]
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            entry.outcome = "confirmed"
        elif report.skipped:
            # A claim that needs hardware this machine lacks was not measured: never "confirmed".
            entry.outcome = "not measured here" if "gpu" in report.keywords else "skipped"
            entry.detail = _short(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
        else:
            entry.outcome = "DRIFTED"
            last = report.longreprtext.strip().splitlines()[-1:]
            entry.detail = _short(last[0] if last else "failed")
    elif report.when == "teardown" and report.failed:
        entry.outcome = "DRIFTED"
        entry.detail = "teardown failed"


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _keras_backend_name() -> str:
    """The backend Keras uses here, read as Keras reads it (KERAS_BACKEND, then keras.json), without importing
    keras: in pytest-xdist's controller that import would start TensorFlow and print its start-up chatter
    under the test summary."""
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("backend", "tensorflow")
    except (OSError, ValueError):
        return "tensorflow"


def _versions() -> dict:
    from importlib.metadata import version

    import numpy
    import sklearn

    return {
        "keras": version("keras"),
        "backend": _keras_backend_name(),
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _untestable() -> list[dict]:
    from spec import untestable

    zh = getattr(untestable, "ZH", {})
    return [
        {**item, "says_zh": zh.get(item["id"], {}).get("says", ""), "why_zh": zh.get(item["id"], {}).get("why", "")}
        for item in untestable.UNTESTABLE
    ]


def _code(text: str) -> str:
    """Inline code that survives backticks inside the text (error messages quote names in them)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _label(section: str) -> str:
    return section if section.startswith(("TOC", "meta")) else f"§{section}"


# Every fixed word of the ledger page, so that the Chinese edition (spec/ledger_zh.py) is the
# same page in other words.
EN = {
    "file": "LEDGER.md",
    "title": "The claims ledger: the tutorial, corrected",
    "intro": [
        "A measured edition of a Chinese Keras tutorial (signed 禅与计算机程序设计艺术; sections 2 Keras overview,",
        "3 building, training and testing models, 4 worked examples, and a table of contents that promises chapters 1-6): §2-§4.2",
        "of its text and the chapters its table of contents promises. Each entry is one statement of the",
        "tutorial, paraphrased in our words and cited by section and subsection (entries follow the",
        "paragraphs' order), what is true on today's Keras, and the evidence measured by the spec test",
        "that pins it. An entry marked **DRIFTED** failed its test: the installed Keras (or our reference",
        "code) no longer behaves as pinned. The Chinese edition is [LEDGER.zh.md](LEDGER.zh.md).",
    ],
    "rule_heading": "How a verdict is chosen",
    "verdicts": {v.name: v.value for v in Verdict},
    "rule": {name: text for name, text in VERDICT_RULE},
    "measured_with": "Measured with",
    "groups": {
        "text": "Statements of the document's text (§2-§4.2)",
        "toc": "Chapters the table of contents promises (no body text: standard claims we test under each heading)",
        "meta": "How this specification itself behaves",
    },
    "verdict": "verdict",
    "all": "all",
    "group_short": {"text": "the document's text", "toc": "its table of contents", "meta": "the suite itself"},
    "claims_cases": "claims / cases",
    "not_testable_row": "not testable (listed, no test)",
    "outcomes": "Outcomes",
    "outcome_words": {"confirmed": "confirmed", "DRIFTED": "DRIFTED", "skipped": "skipped",
                      "not measured here": "not measured here", "not run": "not run"},
    "index": "Index",
    "index_header": "| section | claim | verdict | outcome |",
    "not_testable": "not testable",
    "document_says": "The document says",
    "heading_promises": "The heading promises",
    "claim_we_test": "The standard claim we test",
    "suite_promises": "The suite promises",
    "today": "Today",
    "evidence": "Evidence",
    "outcome": "Outcome",
    "test": "Test",
    "why_no_test": "Why no test",
    "no_body_text": "(table of contents only; the document has no text for it)",
    "sections": SECTIONS,
    "by_backend": "Outcome by backend",
    "disagree_heading": "Where the backends disagree",
    "disagree_none": "Every claim run on more than one backend has the same outcome on each.",
    "disagree_header": "claim",
    "why": "why",
    "not_run": "not run",
    "not_run_note": "`make ledger` runs the whole spec on each installed backend, each in its own process. The "
    "long trainings' thresholds come from several seeds on TensorFlow, checked against several seeds on JAX and "
    "PyTorch where a backend landed near them (docs/measurements/backends.md). An evidence line shows the other "
    "backends' values in brackets where they differ. A claim marked 'not run' on a backend was not part of that "
    "backend's run. Verdicts that depend on the backend are also measured on each backend inside every run (see "
    "their evidence).",
}


def _w(words: dict, key: str):
    """A fixed string in the page's language, English where the edition lacks it."""
    return words.get(key, EN[key])


def _group(section: str) -> str:
    return "meta" if section == "meta" else "toc" if is_heading_only(section) else "text"


def _text(entry: "Entry", field: str, words: dict) -> str:
    """A claim's text in the page's language; English where no translation exists."""
    if words is not EN and entry.claim.get(f"{field}_zh"):
        return entry.claim[f"{field}_zh"]
    return entry.claim[field]


def _verdict_label(entry: "Entry", words: dict) -> str:
    verdict = Verdict[entry.claim["verdict"]]
    label = f"{VERDICT_MARK[verdict]} {words['verdicts'][verdict.name]}"
    qualifier = entry.claim.get("qualifier")
    if qualifier and words is not EN and entry.claim.get("qualifier_zh"):
        qualifier = entry.claim["qualifier_zh"]
    return f"{label} ({qualifier})" if qualifier else label


def _backend_outcomes(entry: "Entry", backends: dict, names: list[str], words: dict) -> list[str]:
    per = backends.get(entry.claim_id, {})
    cells = []
    for name in names:
        got = per.get(name)
        cells.append(_w(words, "not_run") if got is None else words["outcome_words"].get(got["outcome"], got["outcome"]))
    return cells


def _elsewhere(entry: "Entry", key: str, value: str, backends: dict | None, names: list[str]) -> str:
    """The same evidence line's value on the other backends where it differs: " (jax `9`, torch `10`)"."""
    per = (backends or {}).get(entry.claim_id, {})
    others = []
    for name in names[1:]:  # names[0] is the primary run, whose evidence the entry shows
        theirs = dict(per.get(name, {}).get("evidence") or [])
        if key in theirs and theirs[key] != value:
            others.append(f"{name} {_code(theirs[key])}")
    return f" ({', '.join(others)})" if others else ""


def _counts_table(entries, untestable, words) -> list[str]:
    """Distinct claims / test cases per verdict, the text's statements apart from the TOC's and the suite's."""
    groups = ("text", "toc", "meta")
    lines = [f"| {_w(words, 'verdict')} | " + " | ".join(
        f"{_w(words, 'group_short')[g]}: {_w(words, 'claims_cases')}" for g in groups) + " |", "|---|" + "---|" * len(groups)]

    def cell(chosen):
        return f"{len({e.claim['id'] for e in chosen})} / {len(chosen)}"

    for v in Verdict:
        cells = [cell([e for e in entries if _group(e.claim["section"]) == g and e.claim["verdict"] == v.name]) for g in groups]
        lines.append(f"| {VERDICT_MARK[v]} {words['verdicts'][v.name]} | " + " | ".join(cells) + " |")
    lines.append(f"| {_w(words, 'all')} | " + " | ".join(
        f"**{cell([e for e in entries if _group(e.claim['section']) == g])}**" for g in groups) + " |")
    lines.append(f"| {words['not_testable_row']} | " + " | ".join(
        str(sum(_group(u["section"]) == g for u in untestable)) for g in groups) + " |")
    outcomes: dict[str, int] = {}
    for entry in entries:
        outcomes[entry.outcome] = outcomes.get(entry.outcome, 0) + 1
    lines += ["", f"{words['outcomes']}: " + ", ".join(
        f"{n} {words['outcome_words'].get(k, k)}" for k, n in sorted(outcomes.items())) + ".", ""]
    return lines


def _disagreements(entries, backends, names, words) -> list[str]:
    """The claims whose outcome differs between the backends that ran them, with the reasons given."""
    lines = [f"## {_w(words, 'disagree_heading')}", "", _w(words, "not_run_note"), ""]
    differing = []
    for entry in entries:
        ran = backends.get(entry.claim_id, {})
        if len({v["outcome"] for v in ran.values()}) > 1:
            why = "; ".join(f"{b}: {v['detail']}" for b, v in ran.items() if v["detail"])
            differing.append(f"| {entry.claim_id} | " + " | ".join(_backend_outcomes(entry, backends, names, words)) + f" | {why} |")
    if differing:
        lines += [f"| {_w(words, 'disagree_header')} | " + " | ".join(names) + f" | {_w(words, 'why')} |",
                  "|---|" + "---|" * (len(names) + 1)] + differing
    else:
        lines.append(_w(words, "disagree_none"))
    return lines + [""]


def _index(by_section, sections, words, backends, names) -> list[str]:
    lines = [f"## {words['index']}", ""]
    for g in ("text", "toc", "meta"):
        chosen = [s for s in sections if _group(s) == g]
        if not chosen:
            continue
        header, rule = words["index_header"], "|---|---|---|---|"
        if backends:
            header = header.rsplit("|", 2)[0] + "| " + " | ".join(names) + " |"
            rule = "|---|---|---|" + "---|" * len(names)
        lines += [f"**{words['groups'][g]}**", "", header, rule]
        for section in chosen:
            for entry in by_section[section]:
                if isinstance(entry, dict):
                    lines.append(f"| {_label(section)} | {entry['id']} | {words['not_testable']} |" + " |" * max(1, len(names)))
                    continue
                cells = (_backend_outcomes(entry, backends, names, words) if backends
                         else [words["outcome_words"].get(entry.outcome, entry.outcome)])
                lines.append(f"| {_label(section)} | {entry.claim_id} | {_verdict_label(entry, words)} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _untestable_entry(item, heading_only, words) -> list[str]:
    chinese = words is not EN
    says = item.get("says_zh") if chinese and item.get("says_zh") else item["says"]
    why = item.get("why_zh") if chinese and item.get("why_zh") else item["why"]
    speaker = words["heading_promises"] if heading_only else words["document_says"]
    return [f"### {item['id']} · {words['not_testable']}", f"- **{speaker}:** {says}", f"- **{words['why_no_test']}:** {why}", ""]


def _claim_entry(entry, section, words, backends, names) -> list[str]:
    outcome = words["outcome_words"].get(entry.outcome, entry.outcome)
    flag = "" if entry.outcome == "confirmed" else f" · **{outcome}**"
    speaker = {"meta": words["suite_promises"], "toc": words["claim_we_test"]}.get(_group(section), words["document_says"])
    lines = [
        f"### {entry.claim_id} · {_verdict_label(entry, words)}{flag}",
        f"- **{speaker}:** {_text(entry, 'says', words)}",
        f"- **{words['today']}:** {_text(entry, 'today', words)}",
    ]
    if entry.evidence:
        lines.append(f"- **{words['evidence']}:**")
        lines += [f"  - {key}: {_code(value)}{_elsewhere(entry, key, value, backends, names)}" for key, value in entry.evidence]
    lines.append(f"- **{words['outcome']}:** {outcome}" + (f" ({entry.detail})" if entry.detail else ""))
    if backends:
        per = backends.get(entry.claim_id, {})
        lines.append(f"- **{_w(words, 'by_backend')}:** " + " · ".join(
            f"{b} {cell}" + (f" ({per[b]['detail']})" if b in per and per[b]["detail"] and b != "tensorflow" else "")
            for b, cell in zip(names, _backend_outcomes(entry, backends, names, words))))
    lines.append(f"- **{words['test']}:** `{entry.nodeid}`")
    for path, caption in entry.figures:
        lines += ["", f"![{caption}]({path})", f"*{caption}*"]
    return lines + [""]


def render_markdown(entries: list[Entry], untestable: list[dict], versions: dict, words: dict = EN,
                    backends: dict | None = None) -> str:
    """The ledger page.  ``words``: EN, or the Chinese edition's strings (spec.ledger_zh.ZH_WORDS).

    ``backends`` (a merged multi-backend run, spec.ledger_merge): claim id -> backend -> outcome and detail;
    the index then has one outcome column per backend and the page a table of disagreements.
    """
    names = sorted({b for per in (backends or {}).values() for b in per}, key=lambda b: (b != "tensorflow", b))
    lines = [f"# {words['title']}", ""] + words["intro"] + ["", f"**{words['rule_heading']}**", ""]
    lines += [f"- {VERDICT_MARK[v]} **{words['verdicts'][v.name]}**: {words['rule'][v.name]}" for v in Verdict]
    lines += ["", words["measured_with"] + " " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".", ""]
    lines += _counts_table(entries, untestable, words)
    if backends:
        lines += _disagreements(entries, backends, names, words)
    by_section: dict[str, list] = {}
    for item in [*entries, *untestable]:
        section = item["section"] if isinstance(item, dict) else item.claim["section"]
        by_section.setdefault(section, []).append(item)
    sections = sorted(by_section, key=_section_key)
    lines += _index(by_section, sections, words, backends, names)
    for section in sections:
        title = words["sections"].get(section, SECTIONS[section])
        heading_only = is_heading_only(section)
        lines += [f"## {_label(section)}: {title}", ""]
        if heading_only and section != "TOC other":
            lines += [f"*{words['heading_promises']}: {title} {words['no_body_text']}*", ""]
        for item in by_section[section]:
            lines += (_untestable_entry(item, heading_only, words) if isinstance(item, dict)
                      else _claim_entry(item, section, words, backends, names))
    return "\n".join(lines) + "\n"


def _entries_sorted(config) -> list[Entry]:
    entries = list(config._ledger_entries.values())
    return sorted(entries, key=lambda e: (_section_key(e.claim["section"]), e.nodeid.split("::")[0], e.line, e.nodeid))


def entry_to_json(e: Entry) -> dict:
    return {
        "id": e.claim_id,
        "claim": e.claim["id"],
        "section": e.claim["section"],
        "kind": _group(e.claim["section"]),
        "says": e.claim["says"],
        "today": e.claim["today"],
        "verdict": Verdict[e.claim["verdict"]].value,
        "qualifier": e.claim.get("qualifier", ""),
        "qualifier_zh": e.claim.get("qualifier_zh", ""),
        "says_zh": e.claim.get("says_zh", ""),
        "today_zh": e.claim.get("today_zh", ""),
        "evidence": [list(pair) for pair in e.evidence],
        "figures": [list(pair) for pair in e.figures],
        "outcome": e.outcome,
        "detail": e.detail,
        "test": e.nodeid,
        "line": e.line,
    }


def entry_from_json(item: dict) -> Entry:
    verdict = next(v.name for v in Verdict if v.value == item["verdict"])
    claim_fields = {k: item[k] for k in ("section", "says", "today", "qualifier", "qualifier_zh", "says_zh", "today_zh")}
    return Entry(item["test"], {"id": item["claim"], "verdict": verdict, **claim_fields},
                 evidence=[tuple(p) for p in item["evidence"]], figures=[tuple(p) for p in item["figures"]],
                 outcome=item["outcome"], detail=item["detail"], line=item["line"])


def write_ledger(out: Path, entries: list[Entry], untestable: list[dict], versions: dict, backends: dict | None = None,
                 extra: dict | None = None) -> None:
    """LEDGER.md, its Chinese edition and ledger.json; ``backends``: per-claim outcomes of a merged run."""
    from spec.ledger_zh import ZH_WORDS

    out.mkdir(parents=True, exist_ok=True)
    for words in (EN, ZH_WORDS):
        (out / words["file"]).write_text(render_markdown(entries, untestable, versions, words, backends), encoding="utf-8")
    claims = [entry_to_json(e) for e in entries]
    for item in claims:
        if backends:
            item["backends"] = backends.get(item["id"], {})
    payload = {"versions": versions, "claims": claims, "not_testable": untestable, **(extra or {})}
    (out / "ledger.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if _is_worker(config) or not config._ledger_entries:
        return
    write_ledger(_ledger_dir(config), _entries_sorted(config), _untestable(), _versions())


def pytest_terminal_summary(terminalreporter, config):
    if _is_worker(config) or not config._ledger_entries:
        return
    entries = _entries_sorted(config)
    tr = terminalreporter
    tr.section("claims ledger")
    for e in entries:
        verdict = Verdict[e.claim["verdict"]]
        mark = "" if e.outcome == "confirmed" else f"  [{e.outcome}]"
        tr.write_line(f"{e.claim_id:<34} {_label(e.claim['section']):<14} {verdict.value}{mark}")
    drifted = sum(e.outcome == "DRIFTED" for e in entries)
    distinct = len({e.claim["id"] for e in entries})
    where = Path(config.rootpath, config.getoption("--ledger-dir"), "LEDGER.md")
    tr.write_line(
        f"{distinct} claims ({len(entries)} test cases) checked, {drifted} drifted, "
        f"{len(_untestable())} not testable; ledger: {os.path.relpath(where)}"
    )
