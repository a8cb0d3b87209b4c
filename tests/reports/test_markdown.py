"""Markdown for step summaries and PR comments: content, escaping of hostile text, the 65,536 limit."""

from __future__ import annotations

import re
from typing import Any

from aibom.findings import Severity
from aibom.render import render
from aibom.render.interface import MAX_MARKDOWN_CHARS
from aibom.render.markdown import MARKER, code, esc, fit
from tests.reports.builders import document, hostile_document, scorecard, vulnerability


def test_summary_has_verdict_lights_and_most_severe_findings_first(
    repo_doc: dict[str, Any],
) -> None:
    out = render("markdown", repo_doc)
    assert out.startswith(MARKER + "\n## aibom: ")
    assert re.search(r"^\*\*(🔴 action needed|🟠 review needed)\*\* · ", out, re.MULTILINE)
    assert re.search(r"^\| (🔴|🟠) \| Unsafe formats \| \d+ ", out, re.MULTILINE)
    labels = [s.label for s in sorted(Severity, reverse=True)]
    rows = [
        line.split(" | ")[0][2:]
        for line in out.splitlines()
        if line.startswith(tuple(f"| {x} |" for x in labels))
    ]
    assert len(rows) == len(repo_doc["vulnerabilities"])
    assert [labels.index(r) for r in rows] == sorted(labels.index(r) for r in rows)
    assert "`repo/models/tiny/extra.safetensors`" in out


def test_scores_and_diff_sections(repo_doc: dict[str, Any]) -> None:
    base = document()
    out = render("markdown", repo_doc, scorecard("model:repo/models/tiny"), base)
    assert "### Transparency scores (profile `procurement`)" in out
    assert "| tiny | model | 64.0 | D | Class III |" in out
    assert "### Changes against the base" in out
    assert f"#### New findings ({len(repo_doc['vulnerabilities'])})" in out
    assert "| added | numpy |" in out


def test_hostile_text_cannot_add_markup_links_html_or_mentions() -> None:
    out = render("markdown", hostile_document())
    assert "`<script>alert('x')</script>" in out, "code spans show text literally"
    out = re.sub(r"`[^`\n]*`", "`code`", out)
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert "](https://evil.example" not in out and "](javascript:" not in out
    assert "@octocat" not in out
    mention = render(
        "markdown", document(vulnerabilities=[vulnerability("X-1", description="cc @octocat")])
    )
    assert "cc @\u2060octocat" in mention
    rows = [line for line in out.splitlines() if line.startswith("| ") and "evil" in line]
    assert rows
    for line in rows:
        assert len(re.findall(r"(?<!\\)\|", line)) == 5, line


def test_escaping_helpers() -> None:
    assert esc("a|b *c* <d> @e\nf") == "a\\|b \\*c\\* &lt;d&gt; @\u2060e f"
    assert code("x`y|z") == "`x'y\\|z`"
    assert esc("x" * 500).endswith("…") and len(esc("x" * 500)) == 200


def test_long_reports_are_cut_to_the_limit_with_a_note() -> None:
    vulns = [
        vulnerability(f"OSV-{i}", "high", f"pkg/{i}.py", description="d" * 150) for i in range(5000)
    ]
    doc = document(vulnerabilities=vulns)
    out = render("markdown", doc)
    assert len(out) <= MAX_MARKDOWN_CHARS
    assert "…and 4950 more." in out
    small = fit("line\n" * 100_000, 1000)
    assert len(small) <= 1000
    assert "This report was truncated to 1,000 characters" in small
    assert small.startswith("line\nline\n")


def test_clean_bom_says_so() -> None:
    out = render("markdown", document())
    assert "No changes" not in out
    assert "Findings (" not in out
    assert "| 🟢 | Findings | nothing above info |" in out
