"""End to end in headless Chromium (Debian's ``chromium``, driven by Playwright): the story list, a
story, search, an article with hostile content, a phone-width screen. Saves the README's screenshots
into docs/screenshots/."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from live_server import HOSTILE_ID, HOSTILE_TITLE, LiveServer, build_web_store

from newsfold.api import create_app
from newsfold.config import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"

if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed: run scripts/setup-test-deps.sh as root (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def site(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = build_web_store(demo_store, tmp_path_factory.mktemp("web"))
    with LiveServer(create_app(store, Settings())) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_story_list_shows_each_story_with_size_outlets_languages_span(page, site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    stories = page.locator("li.story")
    assert stories.count() == 8  # the 7 demo events and the hostile story
    first = stories.nth(0)
    assert first.locator("a.headline").inner_text() == HOSTILE_TITLE  # the newest: shown as text
    for i in range(stories.count()):
        item = stories.nth(i)
        assert item.locator(".size").inner_text().split()[1].startswith("article")
        assert item.locator(".lang").count() >= 1 and item.locator(".outlets").inner_text()
        assert item.locator(".span").inner_text() != "undated"
    # Largest first, through the filter form.
    page.locator("details.filters summary").click()
    page.select_option("select[name=order]", "largest")
    page.click("details.filters button[type=submit]")
    sizes = [int(t.split()[0]) for t in page.locator("li.story .size").all_inner_texts()]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] >= 5
    page.goto(site + "/")
    _shot(page, "stories.png")


def test_open_a_story_timeline_and_folded_copies(page, site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    page.get_by_role("link", name="Brennmoor shuts Ashgrove Bridge").click()
    page.wait_for_url("**/stories/*")
    assert "Ashgrove Bridge" in page.locator("h1").inner_text()
    chart = page.locator("figure.timeline svg")
    assert chart.is_visible() and chart.locator("circle").count() >= 4
    assert chart.locator("text.row-label").count() == len(page.locator("p.outlets").inner_text().split(" · "))
    # The coverage comparison arrives after the page, fetched by static/coverage.js under the CSP.
    coverage = page.locator("section.coverage:not(.pending)")
    coverage.wait_for(timeout=60_000)
    assert coverage.locator("h2").inner_text() == "Coverage" and coverage.locator("li").count() >= 1
    # The exact copy is folded under its original: hidden until opened.
    copies = page.locator("details.copies")
    assert copies.count() == 1
    copy_link = copies.locator("li a")
    assert not copy_link.is_visible()
    copies.locator("summary").click()
    assert copy_link.is_visible()
    _shot(page, "story.png")
    copy_link.click()
    page.wait_for_url("**/articles/*")
    assert "A copy of" in page.locator("p.notice").first.inner_text()


def test_search_from_the_header(page, site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site + "/")
    box = page.locator("header form.search input[name=q]")
    box.fill("Halvorsen")  # the CEO named in one demo story
    box.press("Enter")
    page.wait_for_url("**/search?q=Halvorsen")
    results = page.locator("li.story a.headline")
    assert results.count() == 1 and "Lumora" in results.first.inner_text()
    page.locator("form.search-big input[name=q]").fill("wildfire")
    page.locator("form.search-big button").click()
    page.wait_for_load_state()
    titles = page.locator("li.story a.headline").all_inner_texts()
    assert len(titles) == 2, titles  # two wildfires, two stories
    _shot(page, "search.png")
    page.locator("form.search-big input[name=q]").fill("zzzqqq")
    page.locator("form.search-big button").click()
    assert "No stories" in page.locator("p.empty").inner_text()


def test_hostile_article_runs_no_script(page, site: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site}/articles/{quote(HOSTILE_ID, safe='')}")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.title().startswith("<script>alert")  # the <title> shows the headline as text
    body = page.locator("div.body").inner_text()
    assert "<img src=x onerror=alert('body')>" in body and "<script>document.title='owned'</script>" in body
    assert page.locator("div.body img, div.body script, h1 b, main script").count() == 0
    assert page.locator("a.source").count() == 0  # a javascript: URL is shown as text, never linked
    assert page.evaluate("document.scripts.length") == 0


def test_phone_width_has_no_sideways_scroll(browser, site: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.get_by_role("link", name="Brennmoor shuts Ashgrove Bridge").click()
        page.wait_for_url("**/stories/*")
        for path in ("/", page.url.removeprefix(site), f"/articles/{quote(HOSTILE_ID, safe='')}"):
            page.goto(site + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        page.goto(site + "/")
        page.get_by_role("link", name="Brennmoor shuts Ashgrove Bridge").click()
        page.wait_for_url("**/stories/*")
        assert page.locator("figure.timeline svg").bounding_box()["width"] <= 375
        page.screenshot(path=str(SHOTS / "story-phone.png"), full_page=False)
    finally:
        context.close()
