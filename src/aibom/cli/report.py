"""``aibom report`` (HTML, Markdown, SARIF or JSON from a BOM) and ``aibom diff`` (compare two BOMs).

Both read any CycloneDX 1.4-1.7 JSON document as plain JSON. Output goes to stdout or ``-o FILE``;
problems go to stderr. Exit codes: 0 done, 1 a new finding reached ``--fail-on-new``, 2 usage error.
Heavy imports live inside the command bodies so that ``aibom --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from aibom.cli.output import write_text
from aibom.errors import UsageError

REPORT_FORMATS = ("html", "markdown", "sarif", "json")
"""``--format`` choices; a test proves each has a renderer in ``aibom.render.RENDERERS``."""
DIFF_FORMATS = ("markdown", "json")
SEVERITIES = ("critical", "high", "medium", "low", "info", "none")

MAX_INPUT_BYTES = 512 * 1024 * 1024
"""Largest BOM or scorecard read. json.load needs several times the file size in memory; a BOM for a
million files is a few hundred MiB, so this admits real BOMs and refuses memory exhaustion."""

SUPPORTED_SPECS = ("1.4", "1.5", "1.6", "1.7")

_readable = click.Path(exists=True, dir_okay=False, path_type=Path)


def load_json(path: Path, what: str) -> Mapping[str, Any]:
    """A JSON object from ``path``, or a ``UsageError`` that says what is wrong with it."""
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise UsageError(f"{path}: {what} is {size:,} bytes; the limit is {MAX_INPUT_BYTES:,}")
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: {what} is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        hint = (
            "aibom reads CycloneDX JSON; write it with `aibom scan --format json`"
            if raw.lstrip()[:1] == b"<"
            else None
        )
        raise UsageError(
            f"{path}: {what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            hint=hint,
        ) from None
    except RecursionError:
        raise UsageError(f"{path}: {what} is nested too deeply to read") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: {what} must be a JSON object, not {type(data).__name__}")
    return data


def load_bom(path: Path) -> Mapping[str, Any]:
    doc = load_json(path, "the BOM")
    if doc.get("bomFormat") != "CycloneDX":
        raise UsageError(f'{path}: not a CycloneDX BOM (no "bomFormat": "CycloneDX")')
    spec = doc.get("specVersion")
    if spec not in SUPPORTED_SPECS:
        click.echo(
            f"warning: {path}: CycloneDX {spec!s} is not one of {', '.join(SUPPORTED_SPECS)}; reading it anyway",
            err=True,
        )
    return doc


@click.command("report")
@click.argument("bom", type=_readable)
@click.option(
    "--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write here (default: stdout)."
)
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
    from aibom.render import RenderOptions, render

    options = RenderOptions(
        source_root=source_root,
        category=category,
        base_scorecard=load_json(base_scores, "the base scorecard") if base_scores else None,
        title=title,
    )
    doc = load_bom(bom)
    scorecard = load_json(scores, "the scorecard") if scores else rescore(doc)
    text = render(fmt, doc, scorecard, load_bom(base) if base else None, options=options)
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
@click.argument("base", type=_readable)
@click.argument("head", type=_readable)
@click.option(
    "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="markdown", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write here (default: stdout)."
)
@click.option(
    "--fail-on-new",
    type=click.Choice(SEVERITIES),
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
    from aibom.diff import diff_boms, exit_code
    from aibom.findings import Severity
    from aibom.render.markdown import render_diff

    changes = diff_boms(
        load_bom(base),
        load_bom(head),
        load_json(base_scores, "the base scorecard") if base_scores else None,
        load_json(head_scores, "the head scorecard") if head_scores else None,
    )
    if fmt == "json":
        text = json.dumps(changes.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    else:
        text = render_diff(changes, str(base), str(head))
    write_text(text, output)
    threshold = None if fail_on_new == "none" else Severity.parse(fail_on_new)
    code = exit_code(changes, threshold)
    if code:
        click.echo(f"aibom diff: new findings at or above {fail_on_new}", err=True)
    sys.exit(code)
