"""``aibom report`` (HTML, Markdown, SARIF or JSON from a BOM) and ``aibom diff`` (compare two BOMs).

Both read any CycloneDX document through ``aibom.bomdoc.read_bom`` (JSON or XML, 1.2-1.7; ``-`` is
stdin). Output goes to stdout or ``-o FILE``; problems go to stderr. Exit codes (``ExitCode``): 0 done,
1 a new finding reached ``--fail-on-new``, 2 usage error. Heavy imports live inside the command bodies
so that ``aibom --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode, fail_on_threshold
from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT

REPORT_FORMATS = ("html", "markdown", "sarif", "json")
"""``--format`` choices; a test proves each has a renderer in ``aibom.render.RENDERERS``."""
DIFF_FORMATS = ("markdown", "json")

_readable = click.Path(exists=True, dir_okay=False, path_type=Path)
_bom_argument = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)


@click.command("report")
@click.argument("bom", type=_bom_argument)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html", show_default=True
)
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
@click.option("--scores", type=_readable, help="Scorecard JSON to show beside the BOM.")
@click.option("--base", type=_readable, help="A base BOM: also show what changed since it.")
@click.option("--base-scores", type=_readable, help="The base's scorecard, for score changes.")
@click.option(
    "--source-root",
    type=click.Path(file_okay=False, path_type=Path),
    help="SARIF paths are relative to this folder (default: the current directory).",
)
@click.option("--category", default="aibom/", show_default=True, help="SARIF run category.")
@click.option("--title", help="Report title (default: the BOM's subject).")
def report(
    bom: Path,
    fmt: str,
    output: Path | None,
    scores: Path | None,
    base: Path | None,
    base_scores: Path | None,
    source_root: Path | None,
    category: str,
    title: str | None,
) -> None:
    """Render a CycloneDX BOM as an HTML report, Markdown summary, SARIF log or JSON summary."""
    from aibom.bomdoc.read import read_bom, read_json
    from aibom.render import RenderOptions, render

    options = RenderOptions(
        source_root=source_root,
        category=category,
        base_scorecard=read_json(base_scores, "the base scorecard") if base_scores else None,
        title=title,
    )
    doc = read_bom(bom)
    scorecard = read_json(scores, "the scorecard") if scores else rescore(doc)
    text = render(fmt, doc, scorecard, read_bom(base) if base else None, options=options)
    write_text(text, output)


def rescore(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A BOM written by ``aibom scan --score`` names its scoring profile: score it again the same way
    (the rules are deterministic), so the report shows the full scorecard without ``--scores``."""
    meta = doc.get("metadata")
    props = meta.get("properties") if isinstance(meta, Mapping) else None
    profile = next(
        (
            p.get("value")
            for p in props or []
            if isinstance(p, Mapping) and p.get("name") == "aibom:score:profile"
        ),
        None,
    )
    if profile not in ("procurement", "engineering"):
        return None
    from aibom.score import score_document

    return score_document(dict(doc), profile=str(profile)).to_json_dict()


@click.command("diff")
@click.argument("base", type=_bom_argument)
@click.argument("head", type=_bom_argument)
@click.option(
    "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="markdown", show_default=True
)
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
@click.option(
    "--fail-on-new",
    type=click.Choice(FAIL_ON_CHOICES),
    default="none",
    show_default=True,
    help="Exit 1 when a finding new in HEAD reaches this severity.",
)
@click.option("--base-scores", type=_readable, help="Scorecard of BASE, for score changes.")
@click.option("--head-scores", type=_readable, help="Scorecard of HEAD, for score changes.")
def diff(
    base: Path,
    head: Path,
    fmt: str,
    output: Path | None,
    fail_on_new: str,
    base_scores: Path | None,
    head_scores: Path | None,
) -> None:
    """Compare two BOMs: models, datasets and packages changed; findings new and resolved; scores."""
    from aibom.bomdoc.read import read_bom, read_json
    from aibom.diff import diff_boms
    from aibom.render.markdown import render_diff

    changes = diff_boms(
        read_bom(base),
        read_bom(head),
        read_json(base_scores, "the base scorecard") if base_scores else None,
        read_json(head_scores, "the head scorecard") if head_scores else None,
    )
    if fmt == "json":
        text = json.dumps(changes.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    else:
        text = render_diff(changes, str(base), str(head))
    write_text(text, output)
    threshold = fail_on_threshold(fail_on_new)
    if threshold is not None and changes.new_at_or_above(threshold):
        click.echo(f"aibom diff: new findings at or above {fail_on_new}", err=True)
        sys.exit(ExitCode.POLICY)
    sys.exit(ExitCode.OK)
