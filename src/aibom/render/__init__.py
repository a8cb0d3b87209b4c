"""Reports from a BOM document: HTML for people, Markdown for pull requests, SARIF for code scanning, JSON.

``render(fmt, doc, scorecard, base)`` is the one entry point; ``RENDERERS`` is the explicit registry
(a test proves every ``--format`` choice is in it). Renderers return text and never write anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aibom.bomdoc.scorecard import read_scorecard
from aibom.bomdoc.view import view_of
from aibom.diff import compare
from aibom.errors import UsageError
from aibom.render import html, json, markdown, sarif
from aibom.render.interface import FunctionRenderer, Renderer, RenderOptions, Report

__all__ = ["FORMATS", "RENDERERS", "RenderOptions", "Renderer", "Report", "build_report", "render"]

RENDERERS: dict[str, Renderer] = {
    "html": FunctionRenderer("html", "text/html; charset=utf-8", html.render),
    "markdown": FunctionRenderer("markdown", "text/markdown; charset=utf-8", markdown.render),
    "sarif": FunctionRenderer("sarif", "application/sarif+json", sarif.render),
    "json": FunctionRenderer("json", "application/json", json.render),
}

FORMATS: tuple[str, ...] = tuple(RENDERERS)


def build_report(
    doc: Mapping[str, Any],
    scorecard: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
    options: RenderOptions | None = None,
) -> Report:
    options = options or RenderOptions()
    bom = view_of(doc)
    scores = read_scorecard(scorecard) if scorecard is not None else None
    diff = None
    if base is not None:
        base_scores = options.base_scorecard
        old_scores = read_scorecard(base_scores) if base_scores is not None else None
        diff = compare(view_of(base), bom, old_scores, scores)
    return Report(bom, scores, diff, options)


def render(
    fmt: str,
    doc: Mapping[str, Any],
    scorecard: Mapping[str, Any] | None = None,
    base: Mapping[str, Any] | None = None,
    *,
    options: RenderOptions | None = None,
) -> str:
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise UsageError(f"unknown report format {fmt!r}", hint=f"choose from {', '.join(FORMATS)}")
    return renderer.render(build_report(doc, scorecard, base, options))
