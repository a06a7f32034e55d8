"""The learner's edition: the claims ledger as a browsable, bilingual static site (mkdocs + material).

    python -m ledger.site                         # docs/ledger -> build/site (English) and build/site/zh (中文)
    python -m ledger.site build/ledger --out build/site --repo-url https://example.org/repo/blob/main

One page per section of the tutorial (§2 ... §4.2.5, each chapter its table of contents promises). Each opens
with the verdicts in brief and the corrected code, excerpted from ``reference/`` (by marker or by name: the
code the spec runs, never a copy), beside what the document writes and the error it raises today (both from
the ledger's evidence); then the entries, with evidence, per-backend outcome badges and figures. Every claim
id is an anchor, linked from the index; every entry links to its test and to the reference code it exercises
(pages of the site's own copy of the sources, or ``--repo-url``). Two builds, English at the root and Chinese
under ``zh/``, each with its own search index (Chinese segmented with jieba at build time); the header's
language switch stays on the same page. Offline: no web fonts, no CDN, no repository badge (``font: false``,
no ``repo_url``).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
import time
from pathlib import Path

import yaml

from ledger import zh as zh_words
from ledger.claims import SECTIONS, VERDICT_MARK, VERDICT_RULE, Verdict, group, is_heading_only, label, section_key
from ledger.releases import MATRIX, across, varying
from ledger.render import EN as LEDGER_EN
from ledger.site_code import SpecIndex, excerpt, figure_captions_zh

ROOT = Path(__file__).resolve().parent.parent
THEME = Path(__file__).resolve().parent / "site_theme"

# The corrected code of a section: excerpts of reference/ by marker (path#name) or by name (path::Qual.name).
# A section without an entry here shows the reference functions its tests exercise most.
SECTION_CODE = {
    "2": ["reference/backends.py::resolve_device", "reference/distributed.py::train"],
    "3.1": [
        "reference/construction.py::functional_binary_classifier",
        "reference/construction.py::two_branch_merge",
    ],
    "3.2": ["reference/construction.py::sequential_classifier"],
    "4.1": ["reference/mnist_mlp.py::prepare", "reference/mnist_mlp.py::build_mlp"],
    "4.2.1": ["reference/gans/dcgan.py::scale_images"],
    "4.2.2": ["reference/gans/dcgan.py::build_generator", "reference/gans/dcgan.py::build_discriminator"],
    "4.2.3": ["reference/gans/dcgan.py#dcgan-compile"],
    "4.2.4": [
        "reference/gans/dcgan.py#dcgan-train-step",
        "reference/gans/dcgan.py#dcgan-epoch-loop",
        "reference/gans/dcgan.py::add_instance_noise",
        "reference/gans/dcgan.py::checkpoint_paths",
    ],
    "4.2.5": ["reference/gans/dcgan.py#dcgan-compile"],
}
# The answer page for "does the tutorial's DCGAN code work today, and what is the fix?"
DCGAN_SECTIONS = ["4.2.1", "4.2.2", "4.2.3", "4.2.4", "4.2.5"]
DCGAN_CODE = [
    "reference/gans/dcgan.py#dcgan-compile",
    "reference/gans/dcgan.py#dcgan-train-step",
    "reference/gans/dcgan.py::build_generator",
    "reference/gans/dcgan.py::build_discriminator",
]
DCGAN_FIGURES = ["dcgan_before", "dcgan_after"]
# Figures shown beside a section's corrected code: what that code produces (recorded by another claim's test).
SECTION_FIGURES = {"4.2.3": DCGAN_FIGURES, "4.2.4": DCGAN_FIGURES}

BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
OUTCOME_CLASS = {
    "confirmed": "ok",
    "DRIFTED": "drifted",
    "skipped": "skipped",
    "not measured here": "unmeasured",
    "not run": "notrun",
}
OUTCOME_MARK = {"confirmed": "✓", "DRIFTED": "✗", "skipped": "–", "not measured here": "?", "not run": "·"}
FAILING = ("CORRECTED", "REFUTED", "OBSOLETE")
ERROR = re.compile(r"^([A-Z]\w*(Error|Exception|Warning)|Warning)\b")

EN = {
    "lang": "en",
    "site_name": "The Keras tutorial, measured",
    "home": "Home",
    "claims_index": "Index of claims",
    "text_sections": "The tutorial's text",
    "toc_sections": "Chapters of its table of contents",
    "meta_sections": "The suite itself",
    "dcgan_overview": "§4.2 DCGAN: does it work today?",
    "front_title": "The Keras tutorial, measured",
    "front_intro": "A Chinese Keras tutorial (2019, Keras 2.3), checked claim by claim against today's Keras "
    "({keras}) on {backends}. Each page below is one section of the tutorial: it opens with what still holds, "
    "what fails and why, and the corrected code, excerpted from the reference implementation that the "
    "specification's tests run.",
    "dcgan_question": "Does the tutorial's DCGAN code work today, and what is the fix?",
    "dcgan_answer": "No, not as written: of its {n} statements, {failing} fail or are wrong today "
    "(errors such as {errors}). The corrected code below is what the spec trains on every backend.",
    "dcgan_click": "It is one click away:",
    "dcgan_link": "The answer, with the corrected code",
    "counts_heading": "In numbers",
    "sections_heading": "Sections",
    "editions": "Editions: this site in English and [中文]({zh}); the plain-text ledger is docs/ledger/LEDGER.md "
    "(and LEDGER.zh.md).",
    "rule_heading": "How a verdict is chosen",
    "verdict": "Verdict",
    "summary": "In brief",
    "holds_line": "**Holds ({n}):** {ids}",
    "fails_line": "**Fails or is wrong today ({n}):**",
    "no_claims": "No claims in this section yet.",
    "fix_heading": "The fix",
    "document_writes": "What the document writes, and the error it raises today",
    "error_today": "Error today",
    "corrected_code": "Corrected code",
    "corrected_from": "excerpt of {path}, lines {first}-{last}: the code the spec runs",
    "no_errors": "No code of the document in this section raises an error today.",
    "entries": "Entries",
    **{key: LEDGER_EN[key] for key in zh_words.ENTRY_WORDS},  # an entry's labels read the same in both editions
    "reference_code": "Reference code",
    "none": "none (Keras only)",
    "not_testable": "not testable",
    "why_no_test": "Why no test",
    "no_body_text": "Table of contents only: the document has no text for this chapter; these are the standard "
    "claims we test under its heading.",
    "index_header": ["section", "claim", "verdict", "outcome by backend"],
    "source_title": "Source: {path}",
    "source_note": "The file as it stands in the repository; the ledger's links point at its lines.",
    "figure": "Figure",
    "sections": SECTIONS,
    "verdicts": {v.name: v.value for v in Verdict},
    "rule": dict(VERDICT_RULE),
    "outcome_words": {k: k for k in OUTCOME_CLASS},
    "group_short": {"text": "the document's text", "toc": "its table of contents", "meta": "the suite itself"},
    "claims_cases": "claims / cases",
    "all": "all",
    "evidence_labels": {},
    "what_fails": "what fails",
    "produces": "What the corrected code produces",
    "releases": LEDGER_EN["releases"],
    "releases_page": "Keras releases",
}


def words_for(lang: str) -> dict:
    if lang == "en":
        return EN
    base = dict(EN)
    base.update(zh_words.SITE_WORDS)
    base.update(
        sections=zh_words.SECTIONS,
        verdicts=zh_words.VERDICTS,
        rule=zh_words.RULE,
        outcome_words=zh_words.OUTCOME_WORDS,
        evidence_labels=zh_words.EVIDENCE_LABELS,
        releases=zh_words.ZH_WORDS["releases"],
        lang="zh",
    )
    return base


def slug(section: str) -> str:
    """Page name of a section: "4.2.3" -> "s4-2-3", "TOC 1.3" -> "toc-1-3", "meta" -> "meta"."""
    text = section if section.startswith(("TOC", "meta")) else f"s{section}"
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def anchor(claim_id: str) -> str:
    """A claim id as an HTML id: the id itself where it is one ("S4.2-adam-lr"), brackets and spaces as "-"."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", claim_id).strip("-")


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def first_sentence(text: str, lang: str) -> str:
    """The first sentence of a claim's 'today' text: the why, in a line."""
    if lang == "zh":
        match = re.search(r"^(.+?[。；！？])", text)
    else:
        match = re.search(r"^(.+?[.;:!?])(\s+[A-Z(`]|$)", text)
    return (match.group(1) if match else text).strip()


class Site:
    """One ledger (ledger.json + figures) rendered as the mkdocs sources of both editions."""

    def __init__(self, ledger_dir: Path, root: Path = ROOT, repo_url: str = ""):
        self.ledger_dir = Path(ledger_dir)
        self.root = Path(root)
        self.repo_url = repo_url.rstrip("/")
        data = json.loads((self.ledger_dir / "ledger.json").read_text(encoding="utf-8"))
        self.versions = data["versions"]
        self.claims = data["claims"]
        self.untestable = data.get("not_testable", [])
        self.backends = sorted(
            {b for c in self.claims for b in c.get("backends", {})} or {self.versions.get("backend", "tensorflow")},
            key=lambda b: (b != "tensorflow", b),
        )
        self.spec = SpecIndex(self.root)
        self.captions_zh = figure_captions_zh(self.root)
        self.by_section: dict[str, list[dict]] = {}
        for item in self.claims:
            self.by_section.setdefault(item["section"], []).append(item)
        self.not_testable: dict[str, list[dict]] = {}
        for item in self.untestable:
            self.not_testable.setdefault(item["section"], []).append(item)
        self.sections = sorted(set(self.by_section) | set(self.not_testable), key=section_key)
        self.sources: set[str] = set()
        # The release matrix (docs/releases): its varying claims get a line, its README a page (releases.md).
        self.matrix = self.root / MATRIX.relative_to(ROOT)
        self.releases = varying(self.matrix)

    # ---- links ------------------------------------------------------------------------------------------
    def source_link(self, path: str, line: int, depth: int, lang: str) -> str:
        """URL of a line of a repository file from a page ``depth`` folders below its edition's root."""
        if self.repo_url:
            return f"{self.repo_url}/{path}#L{line}"
        self.sources.add(path)
        up = "../" * (depth + (1 if lang != "en" else 0))
        return f"{up}source/{path}.html#L-{line}"

    def releases_link(self, depth: int) -> str:
        """Where the release matrix is, from a page ``depth`` folders below its edition's root: the repository's
        docs/releases/README.md with ``--repo-url``, else the site's copy of it (a Markdown link, resolved by mkdocs
        from the page's source, ``depth - 1`` folders down)."""
        if self.repo_url:
            return f"{self.repo_url}/docs/releases/README.md"
        return "../" * (depth - 1) + "releases.md"

    # ---- pieces -----------------------------------------------------------------------------------------
    def _text(self, item: dict, key: str, words: dict) -> str:
        if words["lang"] != "en" and item.get(f"{key}_zh"):
            return item[f"{key}_zh"]
        return item.get(key, "")

    def verdict_label(self, item: dict, words: dict) -> str:
        name = next(v.name for v in Verdict if v.value == item["verdict"])
        text = f"{VERDICT_MARK[Verdict[name]]} {words['verdicts'][name]}"
        qualifier = self._text(item, "qualifier", words)
        return f"{text} ({qualifier})" if qualifier else text

    @staticmethod
    def verdict_name(item: dict) -> str:
        return next(v.name for v in Verdict if v.value == item["verdict"])

    def badges(self, item: dict, words: dict) -> str:
        per = item.get("backends") or {self.backends[0]: {"outcome": item["outcome"], "detail": item["detail"]}}
        spans = []
        for backend in self.backends:
            got = per.get(backend)
            outcome = got["outcome"] if got else "not run"
            word = words["outcome_words"].get(outcome, outcome)
            detail = f": {got['detail']}" if got and got.get("detail") else ""
            spans.append(
                f'<span class="ledger-badge ledger-{OUTCOME_CLASS.get(outcome, "notrun")}" '
                f'title="{_esc(BACKEND_NAMES.get(backend, backend))}: {_esc(word)}{_esc(detail)}">'
                f"{_esc(BACKEND_NAMES.get(backend, backend))} {OUTCOME_MARK.get(outcome, '·')} {_esc(word)}</span>"
            )
        return '<span class="ledger-badges">' + "".join(spans) + "</span>"

    def evidence_label(self, key: str, words: dict) -> str:
        labels = words["evidence_labels"]
        return zh_words.evidence_label(key, labels) if labels else key

    def figure_caption(self, figure: list, words: dict) -> str:
        path, caption = figure[0], figure[1]
        if words["lang"] == "en":
            return caption
        name = Path(path).stem
        given = figure[2] if len(figure) > 2 and figure[2] else ""
        return given or self.captions_zh.get(name) or caption

    def figure_html(self, figure: list, words: dict, depth: int) -> str:
        caption = self.figure_caption(figure, words)
        src = "../" * depth + figure[0]
        return (
            f'<figure class="ledger-figure"><img src="{_esc(src)}" alt="{_esc(caption)}" loading="lazy">'
            f"<figcaption>{_esc(words['figure'])}: {_esc(caption)}</figcaption></figure>"
        )

    def code_block(self, spec: str, words: dict, depth: int, lang: str) -> list[str]:
        path, first, last, code = excerpt(self.root, spec)
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", code)), default=0))
        link = self.source_link(path, first, depth, lang)
        note = words["corrected_from"].format(
            path=f'<a href="{_esc(link)}"><code>{_esc(path)}</code></a>', first=first, last=last
        )
        return [
            f'<p class="ledger-code-note">{note}</p>',
            "",
            f'{fence}python linenums="{first}"',
            code,
            fence,
            "",
        ]

    def section_code(self, section: str) -> list[str]:
        if section in SECTION_CODE:
            return SECTION_CODE[section]
        counts: dict[tuple[str, str], int] = {}
        for item in self.by_section.get(section, []):
            test = self.spec.find(item["test"])
            for ref in test.refs if test else []:
                if "." in ref.name or ref.name.startswith("_"):
                    continue
                counts[(ref.path, ref.name)] = counts.get((ref.path, ref.name), 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        return [f"{path}::{name}" for (path, name), _ in top]

    # ---- pages ------------------------------------------------------------------------------------------
    def summary(self, items: list[dict], words: dict, page_of=None) -> list[str]:
        """What holds (ids) and what fails and why (one line each)."""
        lang = words["lang"]

        def link(item):
            target = f"{page_of(item)}#{anchor(item['id'])}" if page_of else f"#{anchor(item['id'])}"
            return f"[{item['id']}]({target})"

        holds = [i for i in items if self.verdict_name(i) not in FAILING]
        fails = [i for i in items if self.verdict_name(i) in FAILING]
        lines = []
        if holds:
            ids = ", ".join(
                link(i) + (" ⚠️" if self.verdict_name(i) == "DEPRECATED" else "")
                for i in holds
                if not re.search(r"\[", i["id"]) or i is holds[0]
            )
            lines += [words["holds_line"].format(n=len(holds), ids=ids), ""]
        if fails:
            lines += [words["fails_line"].format(n=len(fails)), ""]
            seen = set()
            for item in fails:
                if item["claim"] in seen:
                    continue
                seen.add(item["claim"])
                mark = VERDICT_MARK[Verdict[self.verdict_name(item)]]
                lines.append(f"- {mark} {link(item)}: {first_sentence(self._text(item, 'today', words), lang)}")
            lines.append("")
        if not items:
            lines += [words["no_claims"], ""]
        return lines

    def fixes(self, items: list[dict], words: dict) -> list[str]:
        """Each failing construct of the document: its paraphrase and the exact error from the evidence."""
        lines = []
        for item in items:
            if self.verdict_name(item) != "CORRECTED":
                continue
            errors = [(k, v) for k, v in item["evidence"] if ERROR.match(v)]
            if not errors:
                continue
            lines += [
                f"**[{item['id']}](#{anchor(item['id'])})** · {self._text(item, 'says', words)}",
                "",
            ]
            for key, value in errors[:2]:
                lines += [
                    f'<p class="ledger-error-label">{_esc(words["error_today"])} '
                    f"({_esc(self.evidence_label(key, words))})</p>",
                    f'<pre class="ledger-error"><code>{_esc(value)}</code></pre>',
                    "",
                ]
        return lines

    def entry(self, item: dict, words: dict, depth: int) -> list[str]:
        lang = words["lang"]
        kind = group(item["section"])
        speaker = {"meta": words["suite_promises"], "toc": words["claim_we_test"]}.get(kind, words["document_says"])
        lines = [
            f"### {item['id']} {{ #{anchor(item['id'])} }}",
            "",
            f'<p class="ledger-verdict"><strong>{_esc(self.verdict_label(item, words))}</strong> '
            f"{self.badges(item, words)}</p>",
            "",
            f"**{speaker}:** {self._text(item, 'says', words)}",
            "",
            f"**{words['today']}:** {self._text(item, 'today', words)}",
            "",
        ]
        if item["evidence"]:
            rows = []
            for key, value in item["evidence"]:
                others = ""
                for backend, got in (item.get("backends") or {}).items():
                    theirs = dict(got.get("evidence") or []).get(key)
                    if backend != self.backends[0] and theirs is not None and theirs != value:
                        others += f'<br><span class="ledger-other">{_esc(BACKEND_NAMES.get(backend, backend))}: <code>{_esc(theirs)}</code></span>'
                rows.append(
                    f'<tr><th scope="row">{_esc(self.evidence_label(key, words))}</th>'
                    f"<td><code>{_esc(value)}</code>{others}</td></tr>"
                )
            lines += [
                f'<table class="ledger-evidence"><caption>{_esc(words["evidence"])}</caption>'
                + "".join(rows)
                + "</table>",
                "",
            ]
        if item["outcome"] != "confirmed" and item.get("detail"):
            word = words["outcome_words"].get(item["outcome"], item["outcome"])
            lines += [f"**{words['outcome']}:** {_esc(word)} ({_esc(item['detail'])})", ""]
        if item["id"] in self.releases:
            link = f"[docs/releases]({self.releases_link(depth)})"
            lines += [f"**{words['releases']['label']}:** {across(self.releases[item['id']], words, link)}", ""]
        for figure in item["figures"]:
            lines += [self.figure_html(figure, words, depth), ""]
        test = self.spec.find(item["test"])
        if test is not None:
            test_link = f'<a href="{_esc(self.source_link(test.path, test.line, depth, lang))}"><code>{_esc(test.path)}::{_esc(item["test"].split("::", 1)[1])}</code></a>'
            refs = ", ".join(
                f'<a href="{_esc(self.source_link(r.path, r.line, depth, lang))}"><code>{_esc(r.path[:-3].replace("/", "."))}.{_esc(r.name)}</code></a>'
                for r in test.refs
            ) or _esc(words["none"])
        else:
            test_link, refs = f"<code>{_esc(item['test'])}</code>", _esc(words["none"])
        lines += [
            f'<p class="ledger-links"><strong>{_esc(words["test"])}:</strong> {test_link}<br>'
            f"<strong>{_esc(words['reference_code'])}:</strong> {refs}</p>",
            "",
        ]
        return lines

    def untestable_entry(self, item: dict, words: dict) -> list[str]:
        speaker = words["heading_promises"] if is_heading_only(item["section"]) else words["document_says"]
        return [
            f"### {item['id']} {{ #{anchor(item['id'])} }}",
            "",
            f'<p class="ledger-verdict"><strong>{_esc(words["not_testable"])}</strong></p>',
            "",
            f"**{speaker}:** {self._text(item, 'says', words)}",
            "",
            f"**{words['why_no_test']}:** {self._text(item, 'why', words)}",
            "",
        ]

    def title(self, section: str, words: dict) -> str:
        return f"{label(section)} {words['sections'].get(section, SECTIONS[section])}"

    def section_page(self, section: str, words: dict) -> str:
        lang = words["lang"]
        items = self.by_section.get(section, [])
        lines = [f"# {self.title(section, words)}", ""]
        if is_heading_only(section) and section != "TOC other":
            lines += [f"*{words['no_body_text']}*", ""]
        lines += [f"## {words['summary']}", ""] + self.summary(items, words)
        code = self.section_code(section) if section != "meta" else []
        fixes = self.fixes(items, words)
        if code or fixes:
            lines += [f"## {words['fix_heading']}", "", '<div class="grid" markdown>', ""]
            lines += ['<div class="ledger-document" markdown>', "", f"**{words['document_writes']}**", ""]
            lines += fixes or [words["no_errors"], ""]
            lines += ["</div>", "", '<div class="ledger-corrected" markdown>', "", f"**{words['corrected_code']}**", ""]
            for spec in code:
                lines += self.code_block(spec, words, 2, lang)
            lines += ["</div>", "", "</div>", ""]
        lines += self.produced_figures(SECTION_FIGURES.get(section, []), words)
        lines += [f"## {words['entries']}", ""]
        for item in items:
            lines += self.entry(item, words, 2)
        for item in self.not_testable.get(section, []):
            lines += self.untestable_entry(item, words)
        return "\n".join(lines) + "\n"

    def produced_figures(self, names: list[str], words: dict) -> list[str]:
        """Figures by name, side by side, each linked to the claim whose test drew it."""
        found = [(i, f) for i in self.claims for f in i["figures"] if Path(f[0]).stem in names]
        if not found:
            return []
        lines = [f"### {words['produces']}", "", '<div class="grid" markdown>', ""]
        for _, figure in found:
            lines += [self.figure_html(figure, words, 2), ""]
        item = found[0][0]
        lines += ["</div>", "", f"[{item['id']}]({slug(item['section'])}.md#{anchor(item['id'])})", ""]
        return lines

    def dcgan_items(self) -> list[dict]:
        return [i for s in DCGAN_SECTIONS for i in self.by_section.get(s, [])]

    def dcgan_page(self, words: dict) -> str:
        """The answer first: the verdict in three lines, then each error of the document beside the corrected code."""
        lang = words["lang"]
        lines = [f"# {words['dcgan_overview']}", ""]
        lines += [f'!!! question "{words["dcgan_question"]}"', ""]
        lines += ["    " + line for line in self.dcgan_answer(words, None).splitlines()] + [""]
        lines += [f"## {words['fix_heading']}", "", '<div class="grid" markdown>', ""]
        lines += ['<div class="ledger-corrected" markdown>', "", f"**{words['corrected_code']}**", ""]
        for spec in DCGAN_CODE:
            lines += self.code_block(spec, words, 2, lang)
        lines += ["</div>", "", '<div class="ledger-document" markdown>', "", f"**{words['document_writes']}**", ""]
        for section in DCGAN_SECTIONS:
            fixes = self.fixes(self.by_section.get(section, []), words)
            lines += [re.sub(r"\]\(#", f"]({slug(section)}.md#", line) for line in fixes]
        lines += ["</div>", "", "</div>", ""]
        lines += self.produced_figures(DCGAN_FIGURES, words)
        lines += [f"## {words['summary']}", ""]
        for section in DCGAN_SECTIONS:
            lines += [f"### [{self.title(section, words)}]({slug(section)}.md)", ""]
            lines += self.summary(self.by_section.get(section, []), words, page_of=lambda i: f"{slug(i['section'])}.md")
        return "\n".join(lines) + "\n"

    def dcgan_answer(self, words: dict, prefix: str | None) -> str:
        """The answer in three lines; ``prefix``: where the answer page is from here (None: this is it)."""
        items = self.dcgan_items()
        failing = [i for i in items if self.verdict_name(i) in FAILING]
        errors = []
        for item in failing:
            for _, value in item["evidence"]:
                match = ERROR.match(value)
                if match and match.group(1) not in errors:
                    errors.append(match.group(1))
        answer = words["dcgan_answer"].format(
            n=len({i["claim"] for i in items}),
            failing=len({i["claim"] for i in failing}),
            errors=", ".join(f"`{e}`" for e in errors[:5]),
        )
        if prefix is None:
            return answer
        return (
            answer
            + " "
            + words["dcgan_click"]
            + f"\n\n[{words['dcgan_link']} →]({prefix}sections/s4-2.md){{ .md-button .md-button--primary }}"
        )

    def front_page(self, words: dict) -> str:
        keras = self.versions.get("keras", "")
        backends = ", ".join(BACKEND_NAMES.get(b, b) for b in self.backends)
        lines = [f"# {words['front_title']}", "", words["front_intro"].format(keras=keras, backends=backends), ""]
        lines += [f'!!! question "{words["dcgan_question"]}"', ""]
        lines += ["    " + line for line in self.dcgan_answer(words, "").splitlines()] + [""]
        lines += [f"## {words['sections_heading']}", ""]
        lines += [f"| § | {words['summary']} | {words['what_fails']} |", "|---|---|---|"]
        for section in self.sections:
            items = self.by_section.get(section, [])
            holds = sum(self.verdict_name(i) not in FAILING for i in items)
            fails = len(items) - holds
            title = self.title(section, words)
            lines.append(f"| [{title}](sections/{slug(section)}.md) | ✅ {holds} | 🔧❌🕰️ {fails} |")
        lines += ["", f"## {words['counts_heading']}", ""] + self.counts(words)
        lines += [f"## {words['rule_heading']}", ""]
        lines += [f"- {VERDICT_MARK[v]} **{words['verdicts'][v.name]}**: {words['rule'][v.name]}" for v in Verdict]
        zh_link = "zh/" if words["lang"] == "en" else "./"
        lines += ["", words["editions"].format(zh=zh_link), ""]
        return "\n".join(lines) + "\n"

    def counts(self, words: dict) -> list[str]:
        groups = ("text", "toc", "meta")
        lines = [
            f"| {words['verdict']} | "
            + " | ".join(f"{words['group_short'][g]}: {words['claims_cases']}" for g in groups)
            + " |",
            "|---|---|---|---|",
        ]
        for v in Verdict:
            cells = []
            for g in groups:
                chosen = [i for i in self.claims if i["kind"] == g and self.verdict_name(i) == v.name]
                cells.append(f"{len({i['claim'] for i in chosen})} / {len(chosen)}")
            lines.append(f"| {VERDICT_MARK[v]} {words['verdicts'][v.name]} | " + " | ".join(cells) + " |")
        return lines + [""]

    def index_page(self, words: dict) -> str:
        header = words["index_header"]
        lines = [f"# {words['claims_index']}", ""]
        for g, heading in (
            ("text", "text_sections"),
            ("toc", "toc_sections"),
            ("meta", "meta_sections"),
        ):
            lines += [f"## {words[heading]}", "", "| " + " | ".join(header) + " |", "|---|---|---|---|"]
            for section in [s for s in self.sections if group(s) == g]:
                page = f"sections/{slug(section)}.md"
                for item in self.by_section.get(section, []):
                    lines.append(
                        f"| {label(section)} | [{item['id']}]({page}#{anchor(item['id'])}) | "
                        f"{self.verdict_label(item, words)} | {self.badges(item, words)} |"
                    )
                for item in self.not_testable.get(section, []):
                    lines.append(
                        f"| {label(section)} | [{item['id']}]({page}#{anchor(item['id'])}) | "
                        f"{words['not_testable']} | |"
                    )
            lines.append("")
        return "\n".join(lines) + "\n"

    def source_page(self, path: str, words: dict) -> str:
        """A repository file as a static page with numbered, linkable lines (``#L-12``): no mkdocs, no search."""
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        formatter = HtmlFormatter(linenos="inline", lineanchors="L", anchorlinenos=True, cssclass="highlight")
        body = highlight((self.root / path).read_text(encoding="utf-8"), PythonLexer(), formatter)
        title = _esc(words["source_title"].format(path=path))
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>body{{font:14px/1.45 monospace;margin:1em 2em}} :target{{background:#fff3b0}} "
            f".highlight .linenos a{{color:#999;text-decoration:none}}"
            f"{formatter.get_style_defs('.highlight')}</style></head>"
            f'<body><h1 style="font:bold 18px sans-serif">{title}</h1>'
            f'<p style="font:13px sans-serif">{_esc(words["source_note"])}</p>{body}</body></html>\n'
        )

    # ---- the mkdocs project -----------------------------------------------------------------------------
    def nav(self, words: dict) -> list:
        def pages(g):
            out = []
            for section in [s for s in self.sections if group(s) == g]:
                out.append({self.title(section, words): f"sections/{slug(section)}.md"})
                if section == "4.1":
                    out.append({words["dcgan_overview"]: "sections/s4-2.md"})
            return out

        return [
            {words["home"]: "index.md"},
            {words["claims_index"]: "claims.md"},
            {words["text_sections"]: pages("text")},
            {words["toc_sections"]: pages("toc")},
            {words["meta_sections"]: pages("meta") + self.releases_nav(words)},
        ]

    def releases_nav(self, words: dict) -> list:
        return [{words["releases_page"]: "releases.md"}] if self.matrix.with_name("README.md").is_file() else []

    def write_releases_page(self, docs: Path) -> None:
        """The release matrix's README (docs/releases), as it is, as the page releases.md (English in both editions)."""
        if self.matrix.with_name("README.md").is_file():
            shutil.copyfile(self.matrix.with_name("README.md"), docs / "releases.md")

    def write_sources(self, out: Path, lang: str) -> Path:
        """The mkdocs project of one edition under ``out``; returns its mkdocs.yml."""
        words = words_for(lang)
        docs = out / "docs"
        if out.exists():
            shutil.rmtree(out)
        (docs / "sections").mkdir(parents=True)
        if (self.ledger_dir / "figures").is_dir():
            shutil.copytree(self.ledger_dir / "figures", docs / "figures")
        (docs / "index.md").write_text(self.front_page(words), encoding="utf-8")
        (docs / "claims.md").write_text(self.index_page(words), encoding="utf-8")
        (docs / "sections" / "s4-2.md").write_text(self.dcgan_page(words), encoding="utf-8")
        self.write_releases_page(docs)
        for section in self.sections:
            (docs / "sections" / f"{slug(section)}.md").write_text(self.section_page(section, words), encoding="utf-8")
        alternate = [
            {"name": "English", "lang": "en", "prefix": "" if lang == "en" else "../"},
            {"name": "中文", "lang": "zh", "prefix": "zh/" if lang == "en" else ""},
        ]
        config = {
            "site_name": words["site_name"],
            "docs_dir": "docs",
            "site_dir": "site",
            "use_directory_urls": True,
            "theme": {
                "name": "material",
                "custom_dir": str(THEME),
                "language": lang,
                "font": False,  # no Google Fonts: the system's fonts, offline
                "features": ["content.code.copy", "search.highlight", "navigation.top", "navigation.indexes"],
                "palette": {"primary": "indigo", "accent": "indigo"},
            },
            "extra": {"alternate": alternate, "generator": False},
            "extra_css": ["assets/stylesheets/ledger.css"],
            "plugins": [{"search": {}}],
            "markdown_extensions": [
                "admonition",
                "attr_list",
                "md_in_html",
                "tables",
                {"toc": {"permalink": True}},
                {"pymdownx.highlight": {"anchor_linenums": True}},
                "pymdownx.superfences",
            ],
            "validation": {"nav": {"omitted_files": "ignore"}, "links": {"unrecognized_links": "ignore"}},
            "nav": self.nav(words),
        }
        (out / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return out / "mkdocs.yml"

    def write_source_pages(self, out: Path) -> None:
        words = words_for("en")
        for path in sorted(self.sources):
            target = out / "docs" / "source" / f"{path}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(self.source_page(path, words), encoding="utf-8")


def _mkdocs_build(config_file: Path, site_dir: Path) -> None:
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    config = load_config(config_file=str(config_file), site_dir=str(Path(site_dir).resolve()))
    build(config)


def build_site(ledger_dir: Path, out: Path, work: Path | None = None, repo_url: str = "", root: Path = ROOT) -> Path:
    """Build both editions: English in ``out``, Chinese in ``out/zh``. Returns ``out``."""
    site = Site(ledger_dir, root=root, repo_url=repo_url)
    work = work or out.parent / f"{out.name}-src"
    configs = {lang: site.write_sources(work / lang, lang) for lang in ("zh", "en")}
    site.write_source_pages(work / "en")  # one copy of the sources, in the English edition
    if out.exists():
        shutil.rmtree(out)
    _mkdocs_build(configs["en"], out)
    _mkdocs_build(configs["zh"], out / "zh")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ledger", nargs="?", type=Path, default=ROOT / "docs" / "ledger", help="a ledger folder")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--repo-url", default="", help="link tests and reference code here instead of the site's copy")
    args = parser.parse_args(argv)
    if not (args.ledger / "ledger.json").is_file():
        print(f"no ledger.json in {args.ledger}: run `make ledger` or `pytest spec` first", file=sys.stderr)
        return 2
    start = time.perf_counter()
    out = build_site(args.ledger, args.out, repo_url=args.repo_url)
    print(f"site: {out}/index.html (中文: {out}/zh/index.html), {time.perf_counter() - start:.1f} s")
    print(f"open it: python -m http.server -d {out} 8000, then http://127.0.0.1:8000/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
