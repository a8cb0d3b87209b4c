"""The HTML report's structure, self-containment and escaping, checked by parsing the page."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from typing import Any

from aibom.render import render
from aibom.render.interface import MAX_TABLE_ROWS
from tests.reports.builders import PAYLOADS, document, hostile_document, scorecard

SECTIONS = (
    "summary",
    "models",
    "findings",
    "integrity",
    "datasets",
    "dependencies",
    "files",
    "scan",
)


class Page(HTMLParser):
    """Collects what matters for safety: tags, attributes, script/style bodies, visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        self.text.append(data)

    def ids(self) -> set[str]:
        return {v for _, a in self.tags if (v := a.get("id"))}

    def attribute_values(self) -> list[str]:
        return [v for _, a in self.tags for v in a.values() if v]


def test_sections_and_content_of_a_real_scan(repo_doc: dict[str, Any]) -> None:
    html = render("html", repo_doc, scorecard("model:repo/models/tiny"))
    page = Page(html)
    assert set(SECTIONS) <= page.ids()
    text = " ".join(page.text)
    for expected in (
        "Executive summary",
        "Unsafe-format findings",
        "EU AI Act checklist",
        "NIS2 checklist",
        "G7 checklist",
        "Annex XII 1(a)",
        "Add an 'Intended uses' section",
        "Class III",
        "Files and hashes",
        "requirements.txt",
    ):
        assert expected in text, expected
    assert "Review needed" in text or "Action needed before use" in text
    tiny_hashes = [
        f["hashes"][0]["content"]
        for c in repo_doc["components"]
        if c["name"] == "tiny"
        for f in c["components"]
    ]
    assert tiny_hashes and all(h in html for h in tiny_hashes)
    assert sum(1 for tag, a in page.tags if tag == "svg" and "donut" in (a.get("class") or "")) >= 2


def test_self_contained_with_a_strict_csp(repo_doc: dict[str, Any]) -> None:
    html = render("html", repo_doc)
    page = Page(html)
    assert not any(
        tag in ("script", "img", "link", "iframe", "object", "embed", "form")
        for tag, _ in page.tags
    )
    assert not any("style" in a for _, a in page.tags), (
        "inline style attributes would need 'unsafe-inline'"
    )
    (csp,) = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None and "default-src 'none'" in csp and "script-src 'none'" in csp
    (css,) = page.styles
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    hrefs = [a["href"] for t, a in page.tags if t == "a"]
    assert hrefs and all(h is not None and h.startswith("#") for h in hrefs)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", html)
    assert "@media print" in css and "@page" in css


def test_hostile_text_is_escaped_everywhere() -> None:
    html = render("html", hostile_document())
    page = Page(html)
    assert not any(tag in ("script", "img") for tag, _ in page.tags)
    assert [t for t, _ in page.tags].count("a") == len(
        [t for t, a in page.tags if t == "a" and (a.get("href") or "").startswith("#")]
    )
    assert not any(v.lower().startswith("javascript:") for v in page.attribute_values())
    assert "</style><script>" not in html
    assert len(page.styles) == 1
    visible = " ".join(page.text)
    for payload in PAYLOADS:
        assert payload.split()[0] in visible


def test_render_is_deterministic(repo_doc: dict[str, Any]) -> None:
    assert render("html", repo_doc) == render("html", repo_doc)


def test_big_tables_are_truncated_with_a_note() -> None:
    packages = [
        {"type": "library", "name": f"p{i}", "version": "1", "bom-ref": f"p{i}"}
        for i in range(MAX_TABLE_ROWS + 5)
    ]
    html = render("html", document(packages))
    assert html.count("<code>1</code>") == MAX_TABLE_ROWS
    assert "5 more packages are not shown here" in html


def test_empty_bom_still_renders_every_section() -> None:
    page = Page(render("html", document()))
    assert set(SECTIONS) <= page.ids()
    assert "No models were found." in " ".join(page.text)
