"""GitHub-flavoured Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

At most ``MAX_MARKDOWN_CHARS`` characters (GitHub's comment limit), truncated with a note. Every value
from the BOM is escaped: control and bidi characters (``aibom.escape``), Markdown and HTML
syntax, autolinks, and ``@`` so a hostile model card cannot mention (notify) people or teams from a PR
comment. The Action's step summary is this output, so it is safe to append to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import html
import re

from aibom._version import __version__
from aibom.bomdoc.card import CardView, Field, Group, data_view, model_card_view
from aibom.bomdoc.scorecard import Scorecard
from aibom.bomdoc.view import BomView, ComponentView, FindingView
from aibom.diff import BomDiff, ComponentChange, ScoreChange
from aibom.escape import visible
from aibom.render.interface import MAX_MARKDOWN_CHARS, Report
from aibom.render.summary import AMBER, GREEN, GREY, RED, Light, lights, plural, worst

NONE = "\u2013"
"""Shown for a missing value (an en dash)."""

MARKER = "<!-- aibom-report -->"
"""First line of every report; the Action finds its own sticky PR comment by it."""

MAX_ROWS = 50
"""Rows per table; the HTML report and SARIF carry the rest."""

MAX_CELL = 200
"""Characters per table cell; model-card text can be arbitrarily long."""

MAX_CARD_BLOCKS = 20
"""Models (and data components) whose card gets a ``<details>`` block; the HTML report has all."""

MAX_CARD_BLOCK_CHARS = 12_000
"""Characters of one card block; a longer card is cut with a note (the report stays under the limit)."""

MAX_CARDS_CHARS = 40_000
"""Characters of all card blocks together, so findings and scores still fit in one PR comment."""

MAX_CARD_VALUE = 1_000
"""Characters per model-card value in a card block (a list item, not a table cell)."""

UNSIGNED_MARK = "⚠️ evidence from an unsigned model card"
UNSIGNED_NOTE = (
    "Rules marked “evidence from an unsigned model card” rest on model-card text that the "
    "model's signature does not cover: the supplier's word, not verified."
)

_ICON = {RED: "🔴", AMBER: "🟠", GREEN: "🟢", GREY: "⚪"}
_VERDICT = {
    RED: "action needed",
    AMBER: "review needed",
    GREEN: "no problems found",
    GREY: "nothing scanned",
}
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)", re.IGNORECASE)
"""GFM links bare ``scheme://`` and ``www.`` text; a backslash before ``//`` or ``.`` stops it."""
_NOTE = "\n\n> [!NOTE]\n> This report was truncated to {limit:,} characters: {omitted:,} lines were left out. The HTML report and the SARIF file have everything.\n"


def _flat(value: str, limit: int, *, name: bool = False) -> str:
    """One line of visible text. Prose: runs of whitespace (CR and LF too) become one space, other
    control characters visible escapes. A ``name`` (path, member, id) shows CR, LF and tab as
    escapes too, since ``a\\nb`` and ``a b`` are different files."""
    text = value if name else " ".join(value.split())
    flat = " ".join(visible(text).split())
    return flat[: limit - 1] + "…" if len(flat) > limit else flat


def esc(value: str | None, limit: int = MAX_CELL) -> str:
    """Plain text safe inside a Markdown table cell (no markup, no HTML, no links, no mentions, no
    control characters, one line)."""
    if not value:
        return ""
    flat = _flat(value, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = _AUTOLINK.sub("\\\\", _SPECIAL.sub(r"\\\1", flat))
    return flat.replace("@", "@\u2060")


def code(value: str | None, limit: int = MAX_CELL) -> str:
    """A code span: shown literally (no markup, HTML or mentions inside), so only backticks and the
    table's pipe need care (GFM unescapes ``\\|`` even inside code spans in a table). A backslash
    before that pipe would escape the escape and end the cell early, so text holding both is shown as
    ``<code>`` around escaped text instead."""
    if not value:
        return ""
    flat = _flat(value, limit, name=True)
    if "|" in flat and "\\" in flat:
        return "<code>" + esc(flat, limit + 1) + "</code>"
    return "`" + flat.replace("`", "'").replace("|", "\\|") + "`"


def render(report: Report, limit: int = MAX_MARKDOWN_CHARS) -> str:
    lines = [MARKER, *_header(report), *_findings(report.bom.findings), *_coverage(report.bom)]
    if report.scorecard is not None:
        lines += _scores(report.scorecard)
    if report.diff is not None:
        lines += _diff(report.diff)
    lines += _cards(report.bom)
    lines += _skipped(report)
    lines += ["", f"<sub>aibom {__version__}{_bom_line(report)}</sub>", ""]
    return fit("\n".join(lines), limit)


def render_diff(
    diff: BomDiff, base_name: str, head_name: str, limit: int = MAX_MARKDOWN_CHARS
) -> str:
    """``aibom diff``: what changed from BASE to HEAD, new findings first."""
    new, resolved = len(diff.new_findings), len(diff.resolved_findings)
    lines = [
        MARKER,
        f"## aibom diff: {code(base_name)} → {code(head_name)}",
        "",
        f"{len(diff.components)} component changes · {new} new findings · {resolved} resolved findings",
        *_diff(diff)[2:],
        "",
        f"<sub>aibom {__version__}</sub>",
        "",
    ]
    return fit("\n".join(lines), limit)


def fit(text: str, limit: int = MAX_MARKDOWN_CHARS) -> str:
    """Whole lines up to ``limit`` characters, then a note saying how much was left out."""
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    budget = limit - len(_NOTE.format(limit=limit, omitted=len(lines))) - 1
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept) + _NOTE.format(limit=limit, omitted=len(lines) - len(kept))


def _header(report: Report) -> list[str]:
    found = lights(report)
    verdict = worst(found)
    subject = report.options.title or report.bom.subject or "scan"
    bom = report.bom
    counts = [
        plural(len(bom.models), "model"),
        plural(len(bom.datasets), "dataset"),
        plural(len(bom.packages), "package"),
        plural(len(bom.findings), "finding"),
    ]
    return [
        f"## aibom: {esc(subject)}",
        "",
        f"**{_ICON[verdict]} {_VERDICT[verdict]}** · " + " · ".join(counts),
        "",
        "| | Area | Status | Detail |",
        "|---|---|---|---|",
        *(_light_row(x) for x in found),
    ]


def _light_row(light: Light) -> str:
    return (
        f"| {_ICON[light.status]} | {light.label} | {esc(light.headline)} | {esc(light.detail)} |"
    )


def _findings(findings: tuple[FindingView, ...]) -> list[str]:
    if not findings:
        return []
    return ["", f"### Findings ({len(findings)}, most severe first)", "", *_finding_table(findings)]


def _finding_table(findings: tuple[FindingView, ...] | list[FindingView]) -> list[str]:
    rows = [
        f"| {f.severity.label} | {code(f.id)} {esc(f.title)} | {code(f.location)} | {esc(f.message)} |"
        for f in findings[:MAX_ROWS]
    ]
    more = len(findings) - MAX_ROWS
    tail = ["", f"…and {more} more."] if more > 0 else []
    return ["| Severity | Check | Location | Message |", "|---|---|---|---|", *rows, *tail]


def _coverage(bom: BomView) -> list[str]:
    """Files not analysed to the end (their coverage record), so a short findings list is not read
    as a clean one."""
    partial = bom.partly_analysed
    if not partial:
        return []
    rows = [
        f"| {code(f.path)} | {esc(f.format)} | {esc(f.coverage_text)} |" for f in partial[:MAX_ROWS]
    ]
    more = len(partial) - MAX_ROWS
    tail = ["", f"…and {more} more."] if more > 0 else []
    return [
        "",
        f"### Partly analysed files ({len(partial)})",
        "",
        "| File | Format | Coverage |",
        "|---|---|---|",
        *rows,
        *tail,
    ]


def _scores(card: Scorecard) -> list[str]:
    rows = [
        f"| {esc(s.name)} | {esc(s.kind)} | {_score(s.score)} | {esc(s.grade) or NONE} | {esc(s.mof_class) or NONE} |"
        for s in card.subjects[:MAX_ROWS]
    ]
    profile = f" (profile {code(card.profile)})" if card.profile else ""
    head = ["", f"### Transparency scores{profile}", ""]
    table = ["| Subject | Kind | Score | Grade | MOF class |", "|---|---|---|---|---|", *rows]
    return [*head, *table, *_unsigned(card)]


def _unsigned(card: Scorecard) -> list[str]:
    """The rule outcomes whose evidence is an unsigned model card, marked, with what that means."""
    marked = [(s, o) for s in card.subjects for o in s.outcomes if o.unsigned]
    if not marked:
        return []
    rows = [
        f"| {esc(s.name)} | {code(o.rule)} {esc(o.title)} | {esc(o.outcome)} | {UNSIGNED_MARK} |"
        for s, o in marked[:MAX_ROWS]
    ]
    more = ["", f"…and {len(marked) - MAX_ROWS} more."] if len(marked) > MAX_ROWS else []
    return [
        "",
        f"> [!WARNING]\n> {UNSIGNED_NOTE}",
        "",
        "| Subject | Rule | Outcome | Evidence |",
        "|---|---|---|---|",
        *rows,
        *more,
    ]


def _score(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def _diff(diff: BomDiff) -> list[str]:
    lines = ["", "### Changes against the base", ""]
    if diff.empty:
        return [*lines, "No changes to models, datasets, packages, findings or scores."]
    for category, title in (("model", "Models"), ("dataset", "Datasets"), ("package", "Packages")):
        lines += _change_table(title, diff.of(category))
    if diff.new_findings:
        lines += [
            "",
            f"#### New findings ({len(diff.new_findings)})",
            "",
            *_finding_table(diff.new_findings),
        ]
    if diff.resolved_findings:
        count = len(diff.resolved_findings)
        lines += [
            "",
            f"#### Resolved findings ({count})",
            "",
            *_finding_table(diff.resolved_findings),
        ]
    return lines + _score_changes(diff.scores)


def _change_table(title: str, changes: list[ComponentChange]) -> list[str]:
    if not changes:
        return []
    rows = [
        f"| {c.status} | {esc(c.name)} | {code(c.before)} | {code(c.after)} | {esc('; '.join(c.details))} |"
        for c in changes[:MAX_ROWS]
    ]
    more = ["", f"…and {len(changes) - MAX_ROWS} more."] if len(changes) > MAX_ROWS else []
    header = ["| Change | Name | Before | After | Details |", "|---|---|---|---|---|"]
    return ["", f"#### {title} ({len(changes)})", "", *header, *rows, *more]


def _score_changes(scores: tuple[ScoreChange, ...]) -> list[str]:
    if not scores:
        return []
    rows = [
        f"| {esc(s.name)} | {_score(s.before)} ({esc(s.grade_before) or NONE}) | "
        f"{_score(s.after)} ({esc(s.grade_after) or NONE}) | {_delta(s.delta)} |"
        for s in scores[:MAX_ROWS]
    ]
    return [
        "",
        "#### Score changes",
        "",
        "| Subject | Before | After | Change |",
        "|---|---|---|---|",
        *rows,
    ]


def _delta(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:+.1f}"


def _cards(bom: BomView) -> list[str]:
    """Each model card and each data component's entries, whole, in a closed ``<details>`` block."""
    models, datasets = bom.models, bom.datasets
    blocks = [("Model card", m, model_card_view(m, bom.name_of)) for m in models[:MAX_CARD_BLOCKS]]
    blocks += [("Data", d, data_view(d, bom.name_of)) for d in datasets[:MAX_CARD_BLOCKS]]
    found = [(kind, c, v) for kind, c, v in blocks if not v.empty]
    unread = sum(
        1
        for c in (*models[MAX_CARD_BLOCKS:], *datasets[MAX_CARD_BLOCKS:])
        if c.model_card or c.data
    )
    if not found and not unread:
        return []
    lines = ["", "### Model cards and data", ""]
    used = shown = 0
    for kind, component, view in found[:MAX_CARD_BLOCKS]:
        block = _card_block(kind, component, view)
        size = sum(len(line) + 1 for line in block)
        if used + size > MAX_CARDS_CHARS:
            break
        lines += block
        used += size
        shown += 1
    left = len(found) - shown
    if left or unread:
        count = f"{left}" if not unread else f"up to {left + unread}"
        lines += ["", f"…and {count} more; the HTML report shows them all."]
    return lines


def _card_block(kind: str, component: ComponentView, view: CardView) -> list[str]:
    body: list[str] = []
    for section in view.sections:
        if section.title is not None:
            body += [f"**{esc(section.title)}**", ""]
        body += _card_fields(section.fields, 0)
        body.append("")
    if view.truncated:
        body += ["*This card holds more values than a report shows; the BOM has them all.*", ""]
    kept: list[str] = []
    used = 0
    for line in body:
        if used + len(line) + 1 > MAX_CARD_BLOCK_CHARS:
            kept += ["", "*…cut here: the HTML report and the BOM have the whole card.*", ""]
            break
        kept.append(line)
        used += len(line) + 1
    summary = f"{kind}: {_summary_text(component.display_name)}"
    return [f"<details><summary>{summary}</summary>", "", *kept, "</details>", ""]


def _card_fields(fields: tuple[Field, ...], depth: int) -> list[str]:
    pad = "  " * depth
    lines: list[str] = []
    for f in fields:
        label = f"{pad}- **{esc(f.label)}:**"
        if len(f.values) == 1:
            lines.append(f"{label} {esc(f.values[0], MAX_CARD_VALUE)}")
        else:
            lines.append(label)
            lines += [f"{pad}  - {esc(v, MAX_CARD_VALUE)}" for v in f.values]
        if len(f.groups) == 1 and f.groups[0].title is None:
            lines += _card_fields(f.groups[0].fields, depth + 1)
        else:
            for number, g in enumerate(f.groups, 1):
                lines += _card_group(g, number, depth + 1)
        if f.more:
            lines.append(f"{pad}  - …and {f.more} more")
    return lines


def _card_group(group: Group, number: int, depth: int) -> list[str]:
    pad = "  " * depth
    title = esc(group.title, MAX_CARD_VALUE) if group.title is not None else f"#{number}"
    return [f"{pad}- *{title}*", *_card_fields(group.fields, depth + 1)]


def _summary_text(value: str) -> str:
    """Text inside a ``<summary>`` element: Markdown is not parsed there, HTML is, so the text is
    HTML-escaped (after control characters are made visible), with mentions broken."""
    flat = _flat(value, MAX_CELL, name=True)
    return html.escape(flat, quote=False).replace("@", "@\u2060")


def _skipped(report: Report) -> list[str]:
    skipped = report.bom.skipped
    if not skipped:
        return []
    rows = [f"- {code(s.path)}: {esc(s.reason)}" for s in skipped[:MAX_ROWS]]
    more = [f"- …and {len(skipped) - MAX_ROWS} more"] if len(skipped) > MAX_ROWS else []
    return [
        "",
        f"<details><summary>{len(skipped)} paths not examined</summary>",
        "",
        *rows,
        *more,
        "",
        "</details>",
    ]


def _bom_line(report: Report) -> str:
    bom = report.bom
    parts = [p for p in (bom.serial, bom.timestamp) if p]
    return " · " + " · ".join(esc(p) for p in parts) if parts else ""
