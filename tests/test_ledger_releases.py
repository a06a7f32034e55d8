"""Ledger entries link to the Keras release matrix: a claim whose outcome varies across releases gets one line on
LEDGER.md, LEDGER.zh.md and the site's page, read from matrix.json when the pages are written; the others do not.

Made-up runs and a made-up matrix in a temporary folder; no Keras.
"""

import json

import pytest

from ledger.claims import Entry
from ledger.releases import MATRIX, ROOT, varying
from ledger.render import RELEASES_LINK
from ledger.site import Site, words_for
from ledger.store import entry_to_json, write_ledger

ROW = {
    "id": "S4.2-varies",
    "outcomes": {"3.15.1": "confirmed", "3.8.0": "DRIFTED", "3.12.4": "DRIFTED", "3.14.0": "DRIFTED"},
    "changed in": ["3.15.1"],
    "details": {"3.8.0": "assert 1 == 2"},
}


@pytest.fixture(autouse=True)
def _seeded():
    """These checks need no keras (overrides the unit checks' seeding fixture, which imports it)."""
    yield


def _entry(claim_id):
    claim = {"id": claim_id, "section": "4.2.4", "says": "s", "today": "t", "verdict": "HOLDS", "qualifier": ""}
    return Entry(f"spec/test_x.py::test_{claim_id.replace('.', '_')}", claim, outcome="confirmed")


def _entry_lines(page: str, claim_id: str) -> list[str]:
    """The lines of one entry of a ledger page, from its heading to the next."""
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"### {claim_id} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start:end]


@pytest.fixture
def matrix(tmp_path):
    path = tmp_path / "docs" / "releases" / "matrix.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"mark": "not slow", "runs": {}, "claims": [ROW]}), encoding="utf-8")
    (path.parent / "README.md").write_text("# Keras 3 releases: where the claims' outcomes change\n", encoding="utf-8")
    return path


def test_a_varying_claim_gets_the_release_line_and_a_steady_one_does_not(tmp_path, matrix):
    # Check that write_ledger reads the matrix it is given and that only the claim in it gets the line, in both
    # editions, its releases grouped by outcome in release order (3.8.0 before 3.12.4), linked to docs/releases.
    out = tmp_path / "ledger"
    write_ledger(out, [_entry("S4.2-varies"), _entry("S4.2-steady")], [], {"keras": "3"}, matrix=matrix)
    en = (out / "LEDGER.md").read_text(encoding="utf-8")
    line = "- **Across Keras releases:** DRIFTED on 3.8.0, 3.12.4, 3.14.0; confirmed on 3.15.1 — see [docs/releases](../releases/README.md)"
    assert line in _entry_lines(en, "S4.2-varies")
    assert not [x for x in _entry_lines(en, "S4.2-steady") if "Keras releases" in x]
    assert en.count("Across Keras releases") == 1
    zh = (out / "LEDGER.zh.md").read_text(encoding="utf-8")
    line = "- **各 Keras 版本上的结果:** 3.8.0、3.12.4、3.14.0 上已漂移（DRIFTED）；3.15.1 上已证实——见 [docs/releases](../releases/README.md)"
    assert line in _entry_lines(zh, "S4.2-varies")
    assert zh.count("各 Keras 版本上的结果") == 1
    # without a matrix, no line
    write_ledger(out, [_entry("S4.2-varies")], [], {"keras": "3"}, matrix=tmp_path / "none.json")
    assert "Across Keras releases" not in (out / "LEDGER.md").read_text(encoding="utf-8")


def test_the_site_entry_links_the_site_page_or_the_repository_file(tmp_path, matrix):
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    claims = [{**entry_to_json(_entry(i)), "figures": []} for i in ("S4.2-varies", "S4.2-steady")]
    (ledger / "ledger.json").write_text(json.dumps({"versions": {"keras": "3"}, "claims": claims}), encoding="utf-8")
    site = Site(ledger, root=tmp_path)
    varies, steady = site.claims
    zh = "\n".join(site.entry(varies, words_for("zh"), 2))
    assert (
        "**各 Keras 版本上的结果:** 3.8.0、3.12.4、3.14.0 上已漂移（DRIFTED）；3.15.1 上已证实——见 [docs/releases](../releases.md)"
        in zh
    )
    en = "\n".join(site.entry(varies, words_for("en"), 2))
    assert "DRIFTED on 3.8.0, 3.12.4, 3.14.0; confirmed on 3.15.1 — see [docs/releases](../releases.md)" in en
    assert "Keras releases" not in "\n".join(site.entry(steady, words_for("en"), 2))
    # the page it links: the matrix's README, copied into each edition and listed with the suite's pages
    site.write_releases_page(tmp_path)
    assert (tmp_path / "releases.md").read_bytes() == (matrix.parent / "README.md").read_bytes()  # copied as it is
    assert {"Keras 各版本": "releases.md"} in site.nav(words_for("zh"))[-1]["本套件自身"]
    linked = Site(ledger, root=tmp_path, repo_url="https://example.org/repo/blob/main")
    assert "[docs/releases](https://example.org/repo/blob/main/docs/releases/README.md)" in "\n".join(
        linked.entry(varies, words_for("en"), 2)
    )


def test_the_committed_matrix_is_read_and_the_link_resolves_from_docs_ledger():
    # Check that the committed matrix parses into rows by claim id and that the pages' relative link, followed
    # from docs/ledger/ (where the ledger is published), reaches the matrix's README.
    rows = varying()
    assert rows and all(set(row["outcomes"]) and len(set(row["outcomes"].values())) > 1 for row in rows.values())
    assert (ROOT / "docs" / "ledger" / RELEASES_LINK).resolve() == MATRIX.with_name("README.md")
    assert MATRIX.with_name("README.md").is_file()
