"""One self-contained HTML page for procurement and audit readers.

Inline CSS and SVG only: no script, no image, font or stylesheet from anywhere, enforced by a strict
Content-Security-Policy (the stylesheet is allowed by its hash). Readable without JavaScript, printable
("Save as PDF") through print CSS. Jinja2 autoescapes every value: model-card text is hostile input,
and no value from the BOM ever becomes a link target, so ``javascript:`` URLs stay inert text. Before
escaping, every value shown goes through ``aibom.escape.visible`` (the environment's
``finalize``): control characters and bidi overrides appear as ``\\x1b`` or ``\\u202e``, never raw.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import islice
from typing import TYPE_CHECKING, Any

from aibom._version import __version__
from aibom.bomdoc.card import CardView, data_view, model_card_view
from aibom.bomdoc.scorecard import RuleOutcome, Subject
from aibom.bomdoc.view import BomView, ComponentView, FileView, FindingView, obj, text
from aibom.escape import visible
from aibom.findings import Severity
from aibom.render import charts
from aibom.render.interface import MAX_TABLE_ROWS, Report
from aibom.render.summary import (
    is_integrity_finding,
    is_unsafe_finding,
    lights,
    model_formats,
    signature_properties,
    signature_status,
    worst,
)

if TYPE_CHECKING:
    import jinja2

NONE = "\u2013"
"""Shown for a missing value (an en dash)."""

MAX_DESCRIPTION = 2_000
"""Characters of a model's description shown; cards can be megabytes."""

MAX_CARDS = 200
"""Models whose model card, and data components whose data entries, are shown in full (each up to
``Limits.max_card_view_values`` values): bounds the page for a BOM of thousands of cards."""

_SEVERITY_CSS = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high",
    Severity.MEDIUM: "medium",
    Severity.LOW: "low",
    Severity.INFO: "info",
}
_VERDICT = {
    "red": "Action needed before use",
    "amber": "Review needed",
    "green": "No problems found",
    "grey": "Nothing assessed",
}
FRAMEWORK_ORDER = ("NIS2", "EU AI Act", "G7")
"""Checklists shown first, in this order; other frameworks in the scorecard follow."""


@dataclass(frozen=True)
class ModelSection:
    anchor: str
    model: ComponentView
    formats: list[str]
    signature: str
    signature_props: list[tuple[str, str]]
    findings: list[FindingView]
    subject: Subject | None
    gauge: charts.Segment | None
    pack_bars: list[charts.Bar]
    checklists: list[tuple[str, list[tuple[RuleOutcome, str]]]]
    description: str | None
    task: str | None
    card: CardView
    card_omitted: bool
    """The model has a card, not shown because ``MAX_CARDS`` cards were shown before it."""
    unsigned: bool
    """Some rule outcome rests on model-card evidence the model's signature does not cover."""


def render(report: Report) -> str:
    css = _stylesheet()
    context = {
        "css": css,
        "csp": _csp(css),
        "version": __version__,
        "title": report.options.title or report.bom.subject or "AI supply-chain report",
        **_summary(report),
        "models": [_model(report, m, i) for i, m in enumerate(local_models(report.bom))],
        "referenced": [m for m in report.bom.models if is_referenced(m)],
        "findings": _limited(report.bom.findings),
        "datasets": _limited(report.bom.datasets),
        "data_cards": _data_cards(report.bom),
        "data_with_entries": sum(1 for d in report.bom.datasets if d.data),
        "packages": _limited(report.bom.packages),
        "files": _files(report.bom),
        "metadata": _metadata(report),
        "skipped": _limited(report.bom.skipped),
        "diff": report.diff,
        "max_rows": MAX_TABLE_ROWS,
        "totals": _totals(report.bom),
    }
    return _environment().get_template("report.html.j2").render(context)


def _summary(report: Report) -> dict[str, Any]:
    found = lights(report)
    counts = report.bom.counts()
    parts = [(_SEVERITY_CSS[s], s.label, n) for s, n in counts.items()]
    verdict = worst(found)
    return {
        "lights": found,
        "verdict": verdict,
        "verdict_text": _VERDICT[verdict],
        "counts": parts,
        "donut": charts.donut(parts),
        "total": sum(counts.values()),
        "unsafe": [f for f in report.bom.findings if is_unsafe_finding(f)],
        "integrity": [f for f in report.bom.findings if is_integrity_finding(f)],
        "severity_css": _SEVERITY_CSS,
        "scorecard": report.scorecard,
        "overall": report.scorecard.overall() if report.scorecard else (None, None),
        "overall_gauge": charts.gauge(report.scorecard.overall()[0]) if report.scorecard else None,
    }


def _model(report: Report, model: ComponentView, index: int) -> ModelSection:
    subject = report.scorecard.subject(model.ref) if report.scorecard else None
    packs = subject.packs if subject else ()
    pack_bars = [
        charts.Bar(
            charts.grade_class(p.score), p.title, round(p.score or 0), f"{p.score or 0:.2f}%"
        )
        for p in packs
    ]
    description = model.description
    if description and len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return ModelSection(
        anchor=f"model-{index + 1}",
        model=model,
        formats=model_formats(model),
        signature=signature_status(model),
        signature_props=signature_properties(model),
        findings=report.bom.findings_for(model),
        subject=subject,
        gauge=charts.gauge(subject.score) if subject else None,
        pack_bars=pack_bars,
        checklists=_checklists(subject),
        description=description,
        task=text(obj(model.model_card.get("modelParameters")).get("task")),
        card=model_card_view(model, report.bom.name_of) if index < MAX_CARDS else CardView(),
        card_omitted=index >= MAX_CARDS and bool(model.model_card),
        unsigned=subject is not None and any(o.unsigned for o in subject.outcomes),
    )


def _data_cards(bom: BomView) -> list[tuple[ComponentView, CardView]]:
    """Data components with ``data[]`` entries (the first ``MAX_CARDS``), every field of them."""
    views = ((d, data_view(d, bom.name_of)) for d in bom.datasets if d.data)
    return [(d, v) for d, v in islice(views, MAX_CARDS) if not v.empty]


def is_referenced(model: ComponentView) -> bool:
    """Named by a card (base model) but not present: no files, ``aibom:model:source`` = declared."""
    return not model.files and model.prop("aibom:model:source") == "declared"


def local_models(bom: BomView) -> list[ComponentView]:
    return [m for m in bom.models if not is_referenced(m)]


def _checklists(subject: Subject | None) -> list[tuple[str, list[tuple[RuleOutcome, str]]]]:
    if subject is None:
        return []
    names = subject.frameworks()
    ordered = [f for f in FRAMEWORK_ORDER if f in names] + [
        f for f in names if f not in FRAMEWORK_ORDER
    ]
    return [(name, subject.for_framework(name)) for name in ordered]


def _files(bom: BomView) -> list[tuple[str, FileView]]:
    rows = [(m.display_name, f) for m in bom.models for f in m.files]
    rows += [(d.display_name, f) for d in bom.datasets for f in d.files]
    return rows[:MAX_TABLE_ROWS]


def _totals(bom: BomView) -> dict[str, int]:
    files = sum(len(c.files) for c in (*bom.models, *bom.datasets))
    return {
        "datasets": len(bom.datasets),
        "packages": len(bom.packages),
        "files": files,
        "skipped": len(bom.skipped),
    }


def _metadata(report: Report) -> list[tuple[str, str]]:
    bom = report.bom
    rows = [("Report generated by", f"aibom {__version__}")]
    rows += [("BOM tool", f"{n} {v}".strip()) for n, v in bom.tools]
    card = report.scorecard
    if card is not None:
        rows += [
            ("Score profile", card.profile or NONE),
            ("Rules version", card.rules_version or NONE),
        ]
    rows += [
        ("CycloneDX version", bom.spec_version or NONE),
        ("Serial number", bom.serial or "none (reproducible BOM)"),
        ("Scan time", bom.timestamp or "none (reproducible BOM)"),
    ]
    rows += [
        (_label(n), v) for n, v in bom.metadata if n.startswith("aibom:scan:") and n not in _LISTS
    ]
    left_out = sum(1 for n, _ in bom.metadata if n == "aibom:scan:not-inventoried")
    if left_out:
        rows.append(
            ("Not inventoried", f"{left_out} path(s), looked at for code (listed in the BOM)")
        )
    return rows


_LISTS = frozenset({"aibom:scan:skipped", "aibom:scan:not-inventoried"})
"""Scan properties with one entry per path: shown as lists or counts, not as rows."""


def _label(name: str) -> str:
    words = name.removeprefix("aibom:scan:").replace("-", " ")
    return "Scan " + words


def _limited(values: tuple[Any, ...] | list[Any]) -> list[Any]:
    return list(values[:MAX_TABLE_ROWS])


def _csp(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'none'; font-src 'none'; script-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


@cache
def _stylesheet() -> str:
    return resources.files("aibom.render").joinpath("templates/report.css").read_text("utf-8")


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aibom.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    env.filters["size"] = _human_size
    env.filters["name"] = _name
    return env


def _shown(value: Any) -> Any:
    """Every ``{{ value }}``: text from the BOM with its control characters made visible; LF is
    kept (HTML shows it as a space, or as a line break in a ``pre-line`` description). Markup (the
    stylesheet, macro output, ``name``) was made by us and is already safe."""
    import markupsafe

    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value, multiline=True)
    return value


def _name(value: str | None) -> Any:
    """A file path or location: LF shown as ``\\n`` too (``a\\nb`` and ``a b`` are different
    files), then HTML-escaped."""
    import markupsafe

    return markupsafe.escape(visible(value or ""))


def _human_size(value: str | None) -> str:
    if value is None or not value.isdigit():
        return value or NONE
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return value  # pragma: no cover
