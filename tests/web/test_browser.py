"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright) against `jic serve`'s app on a real uvicorn server on 127.0.0.1.

The flow: sign in, search, open a document, open its story, view the map and the
graph, generate a sitrep, submit it and approve it as the chair's officer; then a
member without access looks for the AMBER+STRICT document everywhere. Each page is
saved as a screenshot in test-artifacts/screenshots/ (ignored by git).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tests.web.conftest import PASSWORD
from tests.web.processed import STRICT_WORD, Processed

from jic.analyse.story_run import stories
from jic.api.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: install Debian's chromium package (apt-get install "
        "chromium) to run the browser tests",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(processed: Processed) -> Iterator[str]:
    """The app `jic serve` runs, on a real uvicorn server on 127.0.0.1."""
    port = _free_port()
    app = create_app(processed.settings, processed.store)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(browser: Any, server: str, name: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    # Everything a page loads comes from the center itself: no CDN, fonts or tiles.
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((server + "/", "data:", "blob:"))
            else errors.append("outside request: " + request.url)
        ),
    )
    page.goto(server + "/")
    assert "/login" in page.url
    _shot(page, "00-login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server + "/")
    return page


def test_an_analyst_works_through_the_workbench(
    browser: Any, server: str, processed: Processed
) -> None:
    page = _sign_in(browser, server, "alice")
    assert page.locator(".tlp-banner").count() == 1
    page.wait_for_selector("[data-map][data-world]")
    _shot(page, "01-overview")

    page.keyboard.press("/")
    page.keyboard.type("earthquake")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=earthquake"))
    hits = page.locator("ol.hits > li")
    assert hits.count() == 2 and page.locator("ol.hits mark").count() >= 2
    _shot(page, "02-search")

    box = page.locator("#q")  # the results follow the box as one types (htmx)
    box.fill("flood")
    page.wait_for_selector("ol.hits >> text=Floods close schools in Basra")
    assert "q=flood" in page.url
    box.fill("earthquake")
    page.wait_for_selector("ol.hits >> text=Earthquake kills hundreds")
    hits = page.locator("ol.hits > li")

    hits.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/documents/\d+$"))
    assert page.locator("#text .hl-place").count() >= 1
    assert page.locator("#text .hl-claim").count() >= 1
    _shot(page, "03-document")

    page.get_by_role("link", name=re.compile(r"^story \d+$")).click()
    page.wait_for_url(re.compile(r"/stories/\d+$"))
    page.wait_for_selector("[data-map][data-world]")
    _shot(page, "04-story")

    page.goto(server + "/map?days=all")
    page.wait_for_selector("[data-map][data-world]")  # the vendored base layer, drawn
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= 3
    _shot(page, "05-map")

    page.goto(server + "/graph?days=all")
    page.wait_for_selector("[data-graph][data-ready] canvas")
    _shot(page, "06-graph")

    for path, name in (
        ("/timeline?days=all", "07-timeline"),
        ("/claims", "08-claims"),
        ("/center", "09-center"),
        ("/sources", "10-sources"),
        ("/audit", "11-audit"),
    ):
        page.goto(server + path)
        _shot(page, name)

    page.goto(server + "/sitreps")
    page.get_by_label("Period").select_option("7")
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/sitreps/\d+$"))
    assert page.locator("#sitrep-status").inner_text() == "draft"
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_selector("#sitrep-status:text('submitted')")
    page.get_by_role("button", name="Approve as the chair").click()
    page.wait_for_selector("#sitrep-status:text('approved')")
    assert "JOINT PRODUCT" in page.content()
    _shot(page, "12-sitrep")
    with page.expect_download() as download:
        page.get_by_role("link", name="Markdown").click()
    assert "JOINT PRODUCT" in Path(download.value.path()).read_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.errors == []


def test_a_member_without_access_never_sees_the_strict_document(
    browser: Any, server: str, processed: Processed
) -> None:
    page = _sign_in(browser, server, "bob")
    secrets = (STRICT_WORD, "Nordlys", "Tromsø", "AMBER+STRICT")

    def shows_nothing(path: str, name: str, ready: str | None = None, asked: str = "") -> None:
        page.goto(server + path)
        if ready:
            page.wait_for_selector(ready)
        text = page.content().replace(asked, "") if asked else page.content()
        for secret in secrets:
            assert secret not in text, (path, secret)
        _shot(page, name)

    shows_nothing("/", "20-overview-other-member", "[data-map][data-world]")
    shows_nothing(f"/search?q={STRICT_WORD}", "21-search-other-member", asked=STRICT_WORD)
    assert "0 document(s) match" in page.content()
    shows_nothing("/search?q=convoy", "22-search-convoy-other-member")
    shows_nothing(f"/documents/{processed.strict}", "23-document-other-member")
    assert "no document" in page.content()
    (story,) = [v.id for v in stories(processed.store) if processed.strict in v.documents]
    shows_nothing(f"/stories/{story}", "24-story-other-member")
    shows_nothing("/map?days=all", "25-map-other-member", "[data-map][data-world]")
    shows_nothing("/graph?days=all", "26-graph-other-member", "[data-graph][data-ready]")
    shows_nothing("/timeline?days=all", "27-timeline-other-member")
    shows_nothing("/claims", "28-claims-other-member")
    shows_nothing("/stories", "29-stories-other-member")
    shows_nothing("/sitreps", "30-sitreps-other-member")
    assert page.errors == []
