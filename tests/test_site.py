"""The learner's edition (ledger/site.py), used as a reader would: built from the committed ledger snapshot,
served on 127.0.0.1, opened in headless Chromium (Debian's package, driven by Playwright).

Checks: every claim link of the index resolves to its anchor, the language switch keeps the page, search finds
``from_logits`` (and a Chinese word in the Chinese edition), the §4.2.3 page shows the corrected code and its
figures load, no request leaves 127.0.0.1; a screenshot of the §4.2 page is saved to build/site-screenshots/.
Skipped, with the reason, only where Chromium or Playwright is absent.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from ledger.site import ROOT, SECTION_CODE, Site, anchor, build_site, slug
from ledger.site_code import excerpt

# The server and the browser talk over the loopback address only (pytest-socket blocks everything else).  Building
# the site and driving a browser takes minutes on the 2-core machine: the full tier runs it, the quick tier does not.
pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]), pytest.mark.slow]

LEDGER = ROOT / "docs" / "ledger"
SHOTS = ROOT / "build" / "site-screenshots"
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs", reason="the site's packages are not installed: pip install -e '.[site]'")
    pytest.importorskip("material", reason="mkdocs-material is not installed: pip install -e '.[site]'")
    out = tmp_path_factory.mktemp("site") / "site"
    return build_site(LEDGER, out)


# ---- the pages, without a browser ----------------------------------------------------------------------------


def test_every_section_has_a_page_in_both_editions(site):
    data = Site(LEDGER)
    for section in data.sections:
        for edition in (site, site / "zh"):
            assert (edition / "sections" / slug(section) / "index.html").is_file(), (edition, section)


def test_section_code_is_an_excerpt_of_code_the_spec_runs():
    # Check that each excerpt exists in reference/ and that a test of its section exercises the function around it.
    data = Site(LEDGER)
    for section in data.sections:
        specs = data.section_code(section) if section != "meta" else []
        used = {
            (ref.path, ref.name.split(".")[0])
            for item in data.by_section.get(section, [])
            for ref in (data.spec.find(item["test"]).refs if data.spec.find(item["test"]) else [])
        }
        for spec in specs:
            path, first, last, code = excerpt(ROOT, spec)
            assert code.strip() and last >= first, spec
            if "::" in spec:
                name = spec.split("::")[1].split(".")[0]
            else:  # a marker: the definition that encloses it
                defs = data.spec.defs.of(path[:-3].replace("/", "."))
                name = next(n for n, (a, b, _) in defs.items() if "." not in n and a <= first and last <= b)
            if section in SECTION_CODE and section in ("4.2.5",):
                continue  # §4.2.5 evaluates with the compiled models of §4.2.3
            # the function itself, a function it calls (checkpoint_paths, through DocumentStyleTrainer.train), or its
            # module run whole (``python -m reference.distributed`` in a subprocess)
            defs = data.spec.defs.of(path[:-3].replace("/", "."))
            source = (ROOT / path).read_text(encoding="utf-8").splitlines()
            reached = {n for p, n in used if p == path and n in defs}
            for _ in range(3):  # what those functions call, three levels down
                body = "\n".join("\n".join(source[defs[n][0] - 1 : defs[n][1]]) for n in reached)
                reached |= {n for n in defs if "." not in n and re.search(rf"\b{n}\(", body)}
            callers = "\n".join("\n".join(source[defs[n][0] - 1 : defs[n][1]]) for n in reached)
            assert (path, name) in used or (path, "main") in used or re.search(rf"\b{name}\(", callers), (
                section,
                spec,
                sorted(used),
            )


def test_chinese_edition_labels_captions_and_alt_texts(site):
    page = (site / "zh" / "sections" / "toc-1-3" / "index.html").read_text(encoding="utf-8")
    assert "证据" in page and "原文" not in re.findall(r"<figcaption>(.*?)</figcaption>", page)[0]
    captions = re.findall(r'<img src="[^"]+" alt="([^"]+)"', page)
    assert captions and all(re.search(r"[\u4e00-\u9fff]", c) for c in captions), captions
    dcgan = (site / "zh" / "sections" / "s4-2-3" / "index.html").read_text(encoding="utf-8")
    assert "冻结方式改正后" in dcgan  # an evidence label in Chinese


def test_offline_no_external_loads(site):
    # Check that no page loads a font, script or stylesheet from the network.
    for page in list(site.rglob("index.html"))[:80]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', text), page


# ---- in a browser ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is absent (Debian: apt-get install chromium); the browser checks need it")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[site]'"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside: list[str] = []

    def route(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.outside = outside
    yield page
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside[:5]}"


def test_front_page_answers_the_dcgan_question_in_one_click(page, server):
    page.goto(f"{server}/")
    page.get_by_role("link", name=re.compile("The answer, with the corrected code")).click()
    page.wait_for_url(re.compile(r"/sections/s4-2/$"))
    code = page.locator(".ledger-corrected, .highlight").first
    assert "DocumentStyleTrainer" in page.content() or code.count()
    assert page.locator("code", has_text="Conv2DTranspose").count() > 0
    assert page.locator("code", has_text="BinaryCrossentropy").first.is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "s4-2.png"), full_page=False)


def test_index_links_resolve_to_their_claims(page, server):
    page.goto(f"{server}/claims/")
    links = page.locator("article a[href*='sections/']")
    hrefs = sorted(set(links.evaluate_all("els => els.map(e => e.href)")))
    assert len(hrefs) >= 150
    by_page: dict[str, list[str]] = {}
    for href in hrefs:
        url, _, fragment = href.partition("#")
        by_page.setdefault(url, []).append(fragment)
    for url, fragments in by_page.items():
        response = page.goto(url)
        assert response is not None and response.ok, url
        ids = set(page.locator("[id]").evaluate_all("els => els.map(e => e.id)"))
        missing = [f for f in fragments if f not in ids]
        assert not missing, (url, missing)
    # one click as a reader makes it: the id lands in view
    page.goto(f"{server}/claims/")
    page.locator(f"a[href$='#{anchor('S4.2-adam-lr')}']").first.click()
    page.wait_for_url(re.compile(r"s4-2-3/#S4\.2-adam-lr$"))
    assert page.locator("[id='S4.2-adam-lr']").is_visible()


def test_language_switch_keeps_the_page(page, server):
    page.goto(f"{server}/sections/s4-2-3/")
    page.locator("a.ledger-lang-zh").first.evaluate("a => a.click()")
    page.wait_for_url(re.compile(r"/zh/sections/s4-2-3/$"))
    assert "改正后的代码" in page.content() and page.locator("html").get_attribute("lang").startswith("zh")
    page.locator("a.ledger-lang-en").first.evaluate("a => a.click()")
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/sections/s4-2-3/$"))
    assert "Corrected code" in page.content()


@pytest.mark.parametrize(
    "edition, query, expected",
    [
        ("", "from_logits", "S4.2-loss-from-logits"),
        ("zh/", "from_logits", "S4.2-loss-from-logits"),
        ("zh/", "判别器", ""),
    ],
)
def test_search_finds(page, server, edition, query, expected):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"{server}/{edition}")
    page.keyboard.press("s")  # material's shortcut opens the search box
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item")
    # The search index loads in a worker, slowly on a loaded 2-core machine, and a query typed before it is ready
    # can go unanswered (CI, 2026-12-07: no result within 60 s): type the query again until results show, for up
    # to two minutes in all; a search that finds nothing still fails.
    for attempt in range(12):
        box.fill("")
        box.fill(query)
        try:
            results.first.wait_for(timeout=10000)
            break
        except PlaywrightTimeout:
            if attempt == 11:
                raise
    text = page.locator(".md-search-result").inner_text()
    assert results.count() > 0 and expected in text, text[:500]


def test_s4_2_3_shows_the_corrected_code_and_its_figures_load(page, server):
    for edition in ("", "zh/"):
        page.goto(f"{server}/{edition}sections/s4-2-3/")
        corrected = page.locator(".ledger-corrected")
        assert corrected.is_visible()
        text = corrected.inner_text()
        assert (
            "keras.optimizers.Adam(learning_rate, beta_1=beta_1)" in text and "discriminator.trainable = False" in text
        )
        assert "Argument(s) not recognized: {'lr': 0.0002}" in page.locator(".ledger-document").inner_text()
    page.goto(f"{server}/sections/s4-2/")
    images = page.locator("img")
    assert images.count() >= 2
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=images.nth(i).element_handle())
        assert images.nth(i).evaluate("img => img.naturalWidth") > 0, images.nth(i).get_attribute("src")


def test_figures_of_every_page_load(page, server):
    for section in ("toc-1-3", "toc-4-2"):
        page.goto(f"{server}/zh/sections/{section}/")
        for img in page.locator("img").all():
            img.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete", arg=img.element_handle())
            assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
