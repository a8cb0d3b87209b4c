"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

Skipped (with the reason) when /usr/bin/chromium is absent; ``make test`` installs it when it can.
Screenshots and a PDF go to ``test-artifacts/`` (gitignored) for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from aibom.render import render
from tests.reports.builders import hostile_document, scorecard

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); apt-get install chromium",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (dev extra)"
    )
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


class Visit:
    """What one page load did: console messages, errors, requests, dialogs."""

    def __init__(self, browser: Browser, html: str, tmp_path: Path, name: str) -> None:
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, java_script_enabled=True
        )
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.url = path.as_uri()
        self.page.goto(self.url, wait_until="load")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()


def test_report_loads_clean_with_no_network_and_is_captured(
    browser: Browser, tmp_path: Path, repo_doc: dict[str, Any]
) -> None:
    html = render("html", repo_doc, scorecard("model:repo/models/tiny"))
    visit = Visit(browser, html, tmp_path, "report")
    assert visit.console == []
    assert visit.requests == [visit.url]
    page = visit.page
    assert page.title().endswith("· aibom report")
    assert page.locator("#summary .light").count() == 7
    assert page.locator("#models .model").count() >= 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def test_hostile_report_runs_no_script_and_keeps_its_layout(
    browser: Browser, tmp_path: Path
) -> None:
    visit = Visit(browser, render("html", hostile_document()), tmp_path, "hostile")
    assert visit.dialogs == []
    assert visit.console == []
    assert visit.requests == [visit.url]
    page = visit.page
    assert page.locator("script, img, iframe").count() == 0
    assert "<script>alert('x')</script>" in page.locator("h1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-hostile.png"), full_page=True)
