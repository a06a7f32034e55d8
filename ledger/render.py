"""Rendering: the ledger's Markdown pages (LEDGER.md and its Chinese edition) from a run's entries.

The Chinese edition is the same page in other words: ``ledger.zh.ZH_WORDS`` has every key of ``EN``.
"""

from __future__ import annotations

from ledger.claims import (
    SECTIONS,
    VERDICT_MARK,
    VERDICT_RULE,
    Entry,
    Verdict,
    group,
    is_heading_only,
    label,
    section_key,
)
from ledger.releases import across


def _code(text: str) -> str:
    """Inline code that survives backticks inside the text (error messages quote names in them)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


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
        "code) no longer behaves as pinned. The Chinese edition is [LEDGER.zh.md](LEDGER.zh.md); every statement of",
        "§2-§4.2 with the entries that check it is in [STATEMENTS.md](STATEMENTS.md).",
        "",
        "Evidence numbers (accuracies, losses, timings) are measured on one machine and depend on its CPU and",
        "thread count (both listed under 'Measured with'); on another machine they may differ in the last digits.",
        "Verdicts do not: each is asserted against thresholds set below the worst measured seed.",
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
    "unmeasured_col": "not measured here (needs hardware this machine lacks)",
    "outcomes": "Outcomes",
    "outcome_words": {
        "confirmed": "confirmed",
        "DRIFTED": "DRIFTED",
        "skipped": "skipped",
        "not measured here": "not measured here",
        "not run": "not run",
    },
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
    # A claim whose outcome varies across Keras releases (docs/releases/matrix.json, ledger.releases.across):
    # "Across Keras releases: DRIFTED on 3.8.0, 3.12.4; confirmed on 3.15.1 — see docs/releases".
    "releases": {
        "label": "Across Keras releases",
        "on": "{outcome} on {versions}",
        "and": ", ",
        "then": "; ",
        "see": " — see {link}",
    },
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


def _text(entry: Entry, field: str, words: dict) -> str:
    """A claim's text in the page's language; English where no translation exists."""
    if words is not EN and entry.claim.get(f"{field}_zh"):
        return entry.claim[f"{field}_zh"]
    return entry.claim[field]


def _verdictlabel(entry: Entry, words: dict) -> str:
    verdict = Verdict[entry.claim["verdict"]]
    label = f"{VERDICT_MARK[verdict]} {words['verdicts'][verdict.name]}"
    qualifier = entry.claim.get("qualifier")
    if qualifier and words is not EN and entry.claim.get("qualifier_zh"):
        qualifier = entry.claim["qualifier_zh"]
    return f"{label} ({qualifier})" if qualifier else label


def _backend_outcomes(entry: Entry, backends: dict, names: list[str], words: dict) -> list[str]:
    per = backends.get(entry.claim_id, {})
    cells = []
    for name in names:
        got = per.get(name)
        cells.append(
            _w(words, "not_run") if got is None else words["outcome_words"].get(got["outcome"], got["outcome"])
        )
    return cells


def _elsewhere(entry: Entry, key: str, value: str, backends: dict | None, names: list[str]) -> str:
    """The same evidence line's value on the other backends where it differs: " (jax `9`, torch `10`)"."""
    per = (backends or {}).get(entry.claim_id, {})
    others = []
    for name in names[1:]:  # names[0] is the primary run, whose evidence the entry shows
        theirs = dict(per.get(name, {}).get("evidence") or [])
        if key in theirs and theirs[key] != value:
            others.append(f"{name} {_code(theirs[key])}")
    return f" ({', '.join(others)})" if others else ""


def _only_elsewhere(entry: Entry, backends: dict | None, names: list[str]) -> list[tuple[str, str]]:
    """Evidence lines that only other backends recorded (a probe's jax or torch result): (key, "jax `v`, ...")."""
    per = (backends or {}).get(entry.claim_id, {})
    mine = {key for key, _ in entry.evidence}
    found: dict[str, list[str]] = {}
    for name in names[1:]:
        for key, value in per.get(name, {}).get("evidence") or []:
            if key not in mine:
                found.setdefault(key, []).append(f"{name} {_code(value)}")
    return [(key, ", ".join(values)) for key, values in found.items()]


def _counts_table(entries, untestable, words) -> list[str]:
    """Distinct claims / test cases per verdict, the text's statements apart from the TOC's and the suite's.

    A claim this machine could not measure (a GPU claim, outcome "not measured here") is counted in its own last
    column, never under its group: its verdict was not confirmed here.
    """
    groups = ("text", "toc", "meta")
    unmeasured = [e for e in entries if e.outcome == "not measured here"]
    measured = [e for e in entries if e.outcome != "not measured here"]
    lines = [
        f"| {_w(words, 'verdict')} | "
        + " | ".join(f"{_w(words, 'group_short')[g]}: {_w(words, 'claims_cases')}" for g in groups)
        + f" | {_w(words, 'unmeasured_col')}: {_w(words, 'claims_cases')} |",
        "|---|" + "---|" * (len(groups) + 1),
    ]

    def cell(chosen):
        return f"{len({e.claim['id'] for e in chosen})} / {len(chosen)}"

    for v in Verdict:
        cells = [
            cell([e for e in measured if group(e.claim["section"]) == g and e.claim["verdict"] == v.name])
            for g in groups
        ]
        cells.append(cell([e for e in unmeasured if e.claim["verdict"] == v.name]))
        lines.append(f"| {VERDICT_MARK[v]} {words['verdicts'][v.name]} | " + " | ".join(cells) + " |")
    lines.append(
        f"| {_w(words, 'all')} | "
        + " | ".join(f"**{cell([e for e in measured if group(e.claim['section']) == g])}**" for g in groups)
        + f" | **{cell(unmeasured)}** |"
    )
    lines.append(
        f"| {words['not_testable_row']} | "
        + " | ".join(str(sum(group(u["section"]) == g for u in untestable)) for g in groups)
        + " | |"
    )
    outcomes: dict[str, int] = {}
    for entry in entries:
        outcomes[entry.outcome] = outcomes.get(entry.outcome, 0) + 1
    lines += [
        "",
        f"{words['outcomes']}: "
        + ", ".join(f"{n} {words['outcome_words'].get(k, k)}" for k, n in sorted(outcomes.items()))
        + ".",
        "",
    ]
    return lines


def _disagreements(entries, backends, names, words) -> list[str]:
    """The claims whose outcome differs between the backends that ran them, with the reasons given."""
    lines = [f"## {_w(words, 'disagree_heading')}", "", _w(words, "not_run_note"), ""]
    differing = []
    for entry in entries:
        ran = backends.get(entry.claim_id, {})
        if len({v["outcome"] for v in ran.values()}) > 1:
            why = "; ".join(f"{b}: {v['detail']}" for b, v in ran.items() if v["detail"])
            differing.append(
                f"| {entry.claim_id} | " + " | ".join(_backend_outcomes(entry, backends, names, words)) + f" | {why} |"
            )
    if differing:
        lines += [
            f"| {_w(words, 'disagree_header')} | " + " | ".join(names) + f" | {_w(words, 'why')} |",
            "|---|" + "---|" * (len(names) + 1),
        ] + differing
    else:
        lines.append(_w(words, "disagree_none"))
    return lines + [""]


def _index(by_section, sections, words, backends, names) -> list[str]:
    lines = [f"## {words['index']}", ""]
    for g in ("text", "toc", "meta"):
        chosen = [s for s in sections if group(s) == g]
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
                    lines.append(
                        f"| {label(section)} | {entry['id']} | {words['not_testable']} |" + " |" * max(1, len(names))
                    )
                    continue
                cells = (
                    _backend_outcomes(entry, backends, names, words)
                    if backends
                    else [words["outcome_words"].get(entry.outcome, entry.outcome)]
                )
                lines.append(
                    f"| {label(section)} | {entry.claim_id} | {_verdictlabel(entry, words)} | "
                    + " | ".join(cells)
                    + " |"
                )
        lines.append("")
    return lines


def _untestable_entry(item, heading_only, words) -> list[str]:
    chinese = words is not EN
    says = item.get("says_zh") if chinese and item.get("says_zh") else item["says"]
    why = item.get("why_zh") if chinese and item.get("why_zh") else item["why"]
    speaker = words["heading_promises"] if heading_only else words["document_says"]
    return [
        f"### {item['id']} · {words['not_testable']}",
        f"- **{speaker}:** {says}",
        f"- **{words['why_no_test']}:** {why}",
        "",
    ]


# Where the release matrix is, from the ledger's home (docs/ledger/): its README, made from the same matrix.json.
RELEASES_LINK = "../releases/README.md"


def _claim_entry(entry, section, words, backends, names, releases=None) -> list[str]:
    outcome = words["outcome_words"].get(entry.outcome, entry.outcome)
    flag = "" if entry.outcome == "confirmed" else f" · **{outcome}**"
    speaker = {"meta": words["suite_promises"], "toc": words["claim_we_test"]}.get(
        group(section), words["document_says"]
    )
    lines = [
        f"### {entry.claim_id} · {_verdictlabel(entry, words)}{flag}",
        f"- **{speaker}:** {_text(entry, 'says', words)}",
        f"- **{words['today']}:** {_text(entry, 'today', words)}",
    ]
    elsewhere_only = _only_elsewhere(entry, backends, names)
    if entry.evidence or elsewhere_only:
        lines.append(f"- **{words['evidence']}:**")
        lines += [
            f"  - {key}: {_code(value)}{_elsewhere(entry, key, value, backends, names)}"
            for key, value in entry.evidence
        ]
        lines += [f"  - {key}: {values}" for key, values in elsewhere_only]
    lines.append(f"- **{words['outcome']}:** {outcome}" + (f" ({entry.detail})" if entry.detail else ""))
    if backends:
        per = backends.get(entry.claim_id, {})
        lines.append(
            f"- **{_w(words, 'by_backend')}:** "
            + " · ".join(
                f"{b} {cell}"
                + (f" ({per[b]['detail']})" if b in per and per[b]["detail"] and b != "tensorflow" else "")
                for b, cell in zip(names, _backend_outcomes(entry, backends, names, words))
            )
        )
    row = (releases or {}).get(entry.claim_id)
    if row:
        link = f"[docs/releases]({RELEASES_LINK})"
        lines.append(f"- **{words['releases']['label']}:** {across(row, words, link)}")
    lines.append(f"- **{words['test']}:** `{entry.nodeid}`")
    for path, caption, *zh in entry.figures:  # (path, caption[, Chinese caption])
        if words is not EN and zh and zh[0]:
            caption = zh[0]
        lines += ["", f"![{caption}]({path})", f"*{caption}*"]
    return lines + [""]


def render_markdown(
    entries: list[Entry],
    untestable: list[dict],
    versions: dict,
    words: dict = EN,
    backends: dict | None = None,
    preface=None,
    releases: dict | None = None,
) -> str:
    """The ledger page.  ``words``: EN, or the Chinese edition's strings (ledger.zh.ZH_WORDS).

    ``backends`` (a merged multi-backend run, ledger.merge): claim id -> backend -> outcome and detail;
    the index then has one outcome column per backend and the page a table of disagreements.
    ``preface(words)``: lines shown under the title (a partial run's banner, the drift table: ledger.outcomes).
    ``releases``: the release matrix's rows by claim case id (ledger.releases.varying); each of those entries gets
    a line with its outcome on each release, linked to docs/releases.
    """
    names = sorted({b for per in (backends or {}).values() for b in per}, key=lambda b: (b != "tensorflow", b))
    lines = (
        [f"# {words['title']}", ""]
        + (preface(words) if preface else [])
        + words["intro"]
        + ["", f"**{words['rule_heading']}**", ""]
    )
    lines += [f"- {VERDICT_MARK[v]} **{words['verdicts'][v.name]}**: {words['rule'][v.name]}" for v in Verdict]
    lines += ["", words["measured_with"] + " " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".", ""]
    lines += _counts_table(entries, untestable, words)
    if backends:
        lines += _disagreements(entries, backends, names, words)
    by_section: dict[str, list] = {}
    for item in [*entries, *untestable]:
        section = item["section"] if isinstance(item, dict) else item.claim["section"]
        by_section.setdefault(section, []).append(item)
    sections = sorted(by_section, key=section_key)
    lines += _index(by_section, sections, words, backends, names)
    for section in sections:
        title = words["sections"].get(section, SECTIONS[section])
        heading_only = is_heading_only(section)
        lines += [f"## {label(section)}: {title}", ""]
        if heading_only and section != "TOC other":
            lines += [f"*{words['heading_promises']}: {title} {words['no_body_text']}*", ""]
        for item in by_section[section]:
            lines += (
                _untestable_entry(item, heading_only, words)
                if isinstance(item, dict)
                else _claim_entry(item, section, words, backends, names, releases)
            )
    return "\n".join(lines) + "\n"


def render_statements(entries: list[Entry], untestable: list[dict]) -> str:
    """STATEMENTS.md: every statement of §2-§4.2 (ledger.statements), with the verdict of each entry that checks it."""
    from ledger.statements import PARAGRAPHS, STATEMENTS

    verdicts: dict[str, str] = {}
    for entry in entries:
        verdicts.setdefault(entry.claim["id"], VERDICT_MARK[Verdict[entry.claim["verdict"]]])
    verdicts.update({item["id"]: "not testable" for item in untestable})
    ids = {i for s in STATEMENTS for i in s.ids}
    listed = {item["id"] for item in untestable}
    checked = [i for i in ids if i not in listed]
    lines = [
        "# Every statement of the tutorial's text, and the entries that check it",
        "",
        f"{len(STATEMENTS)} statements in {sum(PARAGRAPHS.values())} paragraphs of §2-§4.2 (code blocks counted as "
        f"paragraphs), paraphrased in our words, each mapped to the ledger entries that settle it: {len(ids)} "
        f"entries, {len(checked)} of them tests and {len(ids) - len(checked)} listed as not testable "
        "(opinions, a missing figure). The map is ledger/statements.py; tests/test_statement_map.py checks that it "
        "covers every paragraph and every claim about the text. See [LEDGER.md](LEDGER.md) for each entry.",
        "",
        "| section | ¶ | the document says (our paraphrase) | entries |",
        "|---|---|---|---|",
    ]
    for s in STATEMENTS:
        cells = ", ".join(f"{i} {verdicts.get(i, '(not in this run)')}" for i in s.ids)
        lines.append(f"| §{s.section} | {s.paragraph} | {s.says} | {cells} |")
    return "\n".join(lines) + "\n"
