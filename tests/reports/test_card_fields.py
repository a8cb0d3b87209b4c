"""Every card field rendered (issue 14, item 2): HTML and Markdown show the whole ``modelCard`` and
every ``data`` entry of a data component, with bom-refs resolved to names.

For every vendored CycloneDX example holding a model card or data entries (JSON and XML), every string
(and number) under ``modelCard`` and ``data`` must appear in both reports, after the escaping each
renderer applies. Exceptions, checked instead: a ``bom-ref`` (an identifier, not content) is not
shown; a ``ref`` to a component of the BOM is shown as that component's name; encoded image or
attachment content is shown as a placeholder. A hostile card (wrong types, huge lists, deep nesting,
ESC and bidi characters) renders without error, bounded and escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from aibom.bomdoc import read_bom
from aibom.bomdoc.card import model_card_view
from aibom.bomdoc.view import view_of
from aibom.escape import visible
from aibom.limits import DEFAULT_LIMITS
from aibom.render import render
from aibom.render.interface import MAX_MARKDOWN_CHARS
from aibom.render.markdown import MAX_CARD_BLOCK_CHARS, MAX_CARD_VALUE, MAX_CARDS_CHARS, esc
from tests.reports.builders import document

MAX_CARD_ITEMS = DEFAULT_LIMITS.max_card_view_items
MAX_CARD_TEXT = DEFAULT_LIMITS.max_card_view_text


EXAMPLES = Path(__file__).parents[1] / "data" / "cyclonedx"
PLACEHOLDER = "(not shown in this report)"


def _examples() -> list[Path]:
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix not in (".json", ".xml"):
            continue
        raw = path.read_text("utf-8", errors="replace")
        if "modelCard" in raw or ("data" in raw and "contents" in raw):
            found.append(path)
    return [p for p in found if _cards(read_bom(p))]


def _cards(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(kind, raw) for every model card and every data component's ``data`` list in ``doc``."""
    out: list[tuple[str, Any]] = []
    for c in view_of(doc).components:
        if c.model_card:
            out.append(("modelCard", c.model_card))
        if c.type == "data" and c.data:
            out.append(("data", list(c.data)))
    return out


def _expected(value: Any, names: Mapping[str, str], key: str = "") -> Iterator[tuple[str, str]]:
    """(how, text) for every leaf: ``text`` must appear in the report; ``how`` says why."""
    if isinstance(value, Mapping):
        if "content" in value and isinstance(value.get("encoding"), str):
            yield "placeholder", PLACEHOLDER  # base64 image or attachment: described, not shown
            value = {k: v for k, v in value.items() if k != "content"}
        for k, v in value.items():
            yield from _expected(v, names, k)
    elif isinstance(value, list):
        for v in value:
            yield from _expected(v, names, key)
    elif key == "bom-ref":
        return
    elif key == "ref" and isinstance(value, str) and value in names:
        yield "resolved", names[value]
    elif isinstance(value, str):
        yield "string", value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield "number", str(value) if isinstance(value, int) else f"{value:g}"


def _html_text(out: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", out)).split())


def _card_sections(page: str, markdown: str) -> tuple[str, str]:
    """Only the card parts of the reports (so a short value cannot match elsewhere by chance):
    the HTML ``model-card`` sections as text, the Markdown card blocks."""
    sections = re.findall(r'<section class="model-card">.*?</section>', page, re.DOTALL)
    return _html_text(" ".join(sections)), markdown[markdown.index("### Model cards and data") :]


def _in_html(text: str, page: str) -> bool:
    return " ".join(visible(text, multiline=True).split()) in page


def _in_markdown(text: str, out: str) -> bool:
    return esc(text, MAX_CARD_VALUE) in out


EXAMPLE_FILES = _examples()


def test_the_examples_are_found() -> None:
    names = {p.name for p in EXAMPLE_FILES}
    for version in ("1.5", "1.6", "1.7"):
        for kind in ("json", "xml"):
            assert f"valid-machine-learning-{version}.{kind}" in names
    assert "valid-component-data-1.7.json" in names and "valid-component-data-1.7.xml" in names
    assert "valid-machine-learning-considerations-env-1.7.json" in names


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_card_string_of_the_example_appears_in_html_and_markdown(path: Path) -> None:
    doc = read_bom(path)
    bom = view_of(doc)
    names = {c.ref: c.display_name for c in bom.components}
    expected = [e for _, raw in _cards(doc) for e in _expected(raw, names)]
    assert expected
    page, markdown = _card_sections(render("html", doc), render("markdown", doc))
    missing_html = [e for e in expected if not _in_html(e[1], page)]
    missing_markdown = [e for e in expected if not _in_markdown(e[1], markdown)]
    assert not missing_html, f"{len(missing_html)} of {len(expected)} not in HTML"
    assert not missing_markdown, f"{len(missing_markdown)} of {len(expected)} not in Markdown"


def test_the_golden_example_has_all_its_card_strings() -> None:
    """The document of the issue (it counted 36 model-card strings; there are 37 string leaves
    besides the base64 image, its content type and encoding included): all shown."""
    doc = read_bom(EXAMPLES / "spec" / "1.7" / "valid-machine-learning-1.7.json")
    strings = [t for how, t in _expected(_cards(doc)[0][1], {}) if how == "string"]
    assert len(strings) == 37
    page, markdown = _card_sections(render("html", doc), render("markdown", doc))
    assert all(_in_html(s, page) for s in strings)
    assert all(_in_markdown(s, markdown) for s in strings)
    assert "image/jpeg, base64, 94,984 characters (not shown in this report)" in page
    assert "/9j/4AAQ" not in page and "/9j/4AAQ" not in markdown


# ---------------------------------------------------------------------- references


def _with_refs() -> dict[str, Any]:
    model = {
        "bom-ref": "model:m",
        "type": "machine-learning-model",
        "name": "m",
        "modelCard": {
            "bom-ref": "card:m",
            "modelParameters": {
                "datasets": [
                    {"ref": "data:squad"},
                    {"ref": "urn:cdx:1234/1#data:squad"},
                    {"ref": "data:elsewhere"},
                ]
            },
        },
    }
    data = {
        "bom-ref": "data:squad",
        "type": "data",
        "group": "rajpurkar",
        "name": "squad",
        "data": [
            {
                "type": "dataset",
                "name": "squad",
                "contents": {
                    "url": "https://huggingface.co/datasets/rajpurkar/squad",
                    "attachment": {"contentType": "text/plain", "content": "question,answer"},
                },
                "sensitiveData": ["names of people"],
                "governance": {
                    "owners": [{"organization": {"name": "Stanford", "url": ["https://x.test"]}}],
                    "stewards": [{"contact": {"name": "Ann", "email": "ann@x.test"}}],
                    "custodians": [{"organization": {"bom-ref": "model:m"}}],
                },
                "graphics": {
                    "description": "Label balance",
                    "collection": [{"name": "balance", "image": {"content": "AAAA"}}],
                },
                "description": "Questions on Wikipedia articles",
            }
        ],
    }
    return document(components=[model, data])


def test_dataset_and_governance_refs_are_resolved_to_names() -> None:
    doc = _with_refs()
    page, markdown = _html_text(render("html", doc)), render("markdown", doc)
    card = page[page.index("Model card") :]
    for shown in (page, markdown):
        assert shown.count("rajpurkar/squad") >= 2  # by ref and by BOM-Link
        assert "data:elsewhere" in shown and "not in this BOM" in shown
    assert "data:squad" not in card.split("Findings and fixes")[0]
    for text in (
        "Stanford",
        "https://x.test",
        "Ann, ann@x.test",
        "names of people",
        "Label balance",
    ):
        assert _in_html(text, page) and _in_markdown(text, markdown)
    assert "question,answer" in page  # inline text attachment: shown
    assert "content, 4 characters (not shown in this report)" in page
    custodian = page[page.index("Custodians") :][:60]
    assert "m" in custodian and "model:m" not in custodian


GOVERNANCE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.7" version="1">
  <components>
    <component type="data" bom-ref="d1">
      <name>d</name>
      <data>
        <type>dataset</type>
        <name>train</name>
        <contents>
          <attachment content-type="text/plain">hello attachment</attachment>
          <url>https://x.test/a</url>
        </contents>
        <classification>public</classification>
        <sensitiveData>PII</sensitiveData>
        <sensitiveData>faces</sensitiveData>
        <graphics>
          <description>graphic description</description>
          <collection>
            <graphic>
              <name>chart</name>
              <image content-type="image/png" encoding="base64">AAAA</image>
            </graphic>
          </collection>
        </graphics>
        <description>the description</description>
        <governance>
          <custodians><custodian><organization><name>Org C</name></organization></custodian></custodians>
          <stewards><steward><individual><name>Jane</name><email>j@x.test</email></individual></steward></stewards>
          <owners>
            <owner><organization><name>Org O</name><address><country>FR</country></address></organization></owner>
          </owners>
        </governance>
      </data>
    </component>
  </components>
</bom>
"""


def test_every_data_field_of_an_xml_document_appears(tmp_path: Path) -> None:
    """XML names a governance contact ``individual``; every other field has its JSON name."""
    path = tmp_path / "bom.xml"
    path.write_text(GOVERNANCE_XML)
    doc = read_bom(path)
    expected = [e for _, raw in _cards(doc) for e in _expected(raw, {})]
    assert len(expected) == 19
    page, markdown = _card_sections(render("html", doc), render("markdown", doc))
    assert [e for e in expected if not _in_html(e[1], page)] == []
    assert [e for e in expected if not _in_markdown(e[1], markdown)] == []
    for shown in (page, markdown.replace("\\", "")):
        assert "Jane, j@x.test" in shown.replace("@\u2060", "@")
        assert "Org O · FR" in shown


# ---------------------------------------------------------------------- hostile input

ESC = "\x1b[2J\x1b]0;pwned\x07"
BIDI = "safe\u202egnp.exe"


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"modelParameters": value, "x": [value]}
    return value


def _hostile_card() -> dict[str, Any]:
    return {
        "modelParameters": {
            "approach": _deep(200),
            "task": ["not", "a", "string"],
            "architectureFamily": ESC,
            "modelArchitecture": "x" * 1_000_000,
            "datasets": [1, "two", None, {"ref": 5}, {"ref": BIDI}, {"name": {"a": 1}}] * 3,
            "inputs": "text",
            "outputs": [{"format": 7}, {"format": True}, {"format": "<script>alert(1)</script>"}],
        },
        "quantitativeAnalysis": {
            "performanceMetrics": [{"type": f"m{i}", "value": i} for i in range(10_000)],
            "graphics": {"collection": {"name": "not a list"}},
        },
        "considerations": {
            "users": [f"user {i} @octocat" for i in range(5_000)],
            "useCases": {"not": "a list"},
            "technicalLimitations": [ESC, BIDI, "line\nbreak | pipe"],
            "ethicalConsiderations": [{"name": BIDI, "mitigationStrategy": ESC}],
            "environmentalConsiderations": {
                "energyConsumptions": [
                    {
                        "activity": "training",
                        "energyProviders": [{"description": f"p{j}"} for j in range(100)],
                    }
                ]
                * 100
            },
            "fairnessAssessments": "none",
        },
        "properties": [{"name": f"p{i}", "value": "v" * 5000} for i in range(3_000)],
    }


def _hostile_document() -> dict[str, Any]:
    model = {
        "bom-ref": "model:evil",
        "type": "machine-learning-model",
        "name": f"evil @octocat </summary><script>x</script> {ESC}",
        "modelCard": _hostile_card(),
    }
    data = {
        "bom-ref": "data:evil",
        "type": "data",
        "name": "evil data",
        "data": [
            {"type": "dataset", "name": ESC, "sensitiveData": [BIDI] * 10_000},
            *[{"name": f"entry {i}"} for i in range(200)],
            "not an object",
            {"governance": {"owners": [{"organization": "nope"}, {"contact": []}, 3]}},
        ],
    }
    wrong = {"type": "machine-learning-model", "name": "wrong types", "modelCard": ["no"]}
    card = {"considerations": {"environmentalConsiderations": [1, 2], "users": "one"}}
    odd = {"type": "machine-learning-model", "name": "odd card", "modelCard": card}
    return document(components=[model, data, wrong, odd])


def test_a_hostile_card_renders_bounded_and_escaped() -> None:
    doc = _hostile_document()
    out_html = render("html", doc)
    out_markdown = render("markdown", doc)
    for out in (out_html, out_markdown):
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        assert "\\x1b[2J" in out and "\\u202e" in out
        assert "<script>" not in out
    assert "@octocat" not in out_markdown.replace("@\u2060octocat", "")  # no mentions in PRs
    assert len(out_html) < 3_000_000
    assert len(out_markdown) <= MAX_MARKDOWN_CHARS
    page = _html_text(out_html)
    assert f"{10_000 - MAX_CARD_ITEMS} more not shown" in page
    assert f"{5_000 - MAX_CARD_ITEMS} more not shown" in page
    assert "x" * (MAX_CARD_TEXT - 1) + "…" in page and "x" * MAX_CARD_TEXT not in page
    assert "more values than a report shows" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out_html
    block = out_markdown[out_markdown.index("<details><summary>Model card: evil") :]
    block = block[: block.index("</details>")]
    assert len(block) <= MAX_CARD_BLOCK_CHARS + 200
    assert "&lt;/summary&gt;&lt;script&gt;" in block.splitlines()[0]
    assert "line break \\| pipe" in out_markdown


def test_the_view_never_raises_on_wrong_types() -> None:
    for card in (_hostile_card(), {"modelParameters": 1, "considerations": [], "properties": {}}):
        doc = document(
            components=[{"type": "machine-learning-model", "name": "m", "modelCard": card}]
        )
        (model,) = view_of(doc).models
        view = model_card_view(model)
        assert not view.empty or not isinstance(card.get("considerations"), dict)


def test_markdown_card_blocks_share_one_budget() -> None:
    card = {"considerations": {"users": [f"user {i} " + "w" * 200 for i in range(40)]}}
    models = [
        {"type": "machine-learning-model", "name": f"model-{i}", "modelCard": card}
        for i in range(30)
    ]
    out = render("markdown", document(components=models))
    cards = out[out.index("### Model cards and data") :]
    blocks = cards.count("<details><summary>Model card: ")
    assert 0 < blocks < 30
    assert cards.count("<details>") == cards.count("</details>")
    assert len(cards) <= MAX_CARDS_CHARS + 500
    assert f"…and up to {30 - blocks} more; the HTML report shows them all." in cards
    page = render("html", document(components=models))
    assert page.count('<section class="model-card">') == 30


def test_html_shows_the_first_cards_in_full_and_says_so_for_the_rest() -> None:
    from aibom.render.html import MAX_CARDS

    card = {"modelParameters": {"task": "t"}}
    models = [
        {"type": "machine-learning-model", "name": f"m{i}", "modelCard": card}
        for i in range(MAX_CARDS + 2)
    ]
    data = [
        {"type": "data", "name": f"d{i}", "data": [{"type": "dataset", "name": f"e{i}"}]}
        for i in range(MAX_CARDS + 3)
    ]
    page = render("html", document(components=models + data))
    assert page.count('<section class="model-card">') == 2 * MAX_CARDS
    assert page.count("This model's card is not shown") == 2
    assert "The data entries of 3 more data components are not shown here" in page
