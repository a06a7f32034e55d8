"""The JSON store: ledger.json written and read back, and the three files of one ledger written together."""

from __future__ import annotations

import json
from pathlib import Path

from ledger.claims import Entry, Verdict, group, section_key
from ledger.releases import MATRIX, varying
from ledger.render import EN, render_markdown, render_statements


def sort_entries(entries) -> list[Entry]:
    """Document order: section, then the spec module, then where the test is defined."""
    return sorted(entries, key=lambda e: (section_key(e.claim["section"]), e.nodeid.split("::")[0], e.line, e.nodeid))


def entry_to_json(e: Entry) -> dict:
    return {
        "id": e.claim_id,
        "claim": e.claim["id"],
        "section": e.claim["section"],
        "kind": group(e.claim["section"]),
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
    claim_fields = {
        k: item[k] for k in ("section", "says", "today", "qualifier", "qualifier_zh", "says_zh", "today_zh")
    }
    return Entry(
        item["test"],
        {"id": item["claim"], "verdict": verdict, **claim_fields},
        evidence=[tuple(p) for p in item["evidence"]],
        figures=[tuple(p) for p in item["figures"]],
        outcome=item["outcome"],
        detail=item["detail"],
        line=item["line"],
    )


def write_ledger(
    out: Path,
    entries: list[Entry],
    untestable: list[dict],
    versions: dict,
    backends: dict | None = None,
    extra: dict | None = None,
    preface=None,
    matrix: Path = MATRIX,
) -> None:
    """LEDGER.md, its Chinese edition, STATEMENTS.md (the statement map) and ledger.json; ``backends``: per-claim outcomes of a merged run;
    ``preface(words)``: lines under each page's title (ledger.outcomes.preface); ``matrix``: the release matrix
    whose varying claims get a line on the pages (read now: the outcomes live there only)."""
    from ledger.zh import ZH_WORDS

    out.mkdir(parents=True, exist_ok=True)
    releases = varying(matrix)
    for words in (EN, ZH_WORDS):
        (out / words["file"]).write_text(
            render_markdown(entries, untestable, versions, words, backends, preface, releases), encoding="utf-8"
        )
    (out / "STATEMENTS.md").write_text(render_statements(entries, untestable), encoding="utf-8")
    claims = [entry_to_json(e) for e in entries]
    for item in claims:
        if backends:
            item["backends"] = backends.get(item["id"], {})
    payload = {"versions": versions, "claims": claims, "not_testable": untestable, **(extra or {})}
    (out / "ledger.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")
