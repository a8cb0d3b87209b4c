"""``aibom score`` and ``aibom rules list|explain|test``: transparency scoring of any CycloneDX BOM.

The BOM is read by ``aibom.bomdoc.read_bom`` (JSON or XML, 1.2-1.7; ``-`` is stdin). Exit codes
(``ExitCode``): 0 clean, 1 policy failure (score below ``--min-score``, a rule with enforcement
``block`` failed, or a rule test failed), 2 usage or runtime error. Output goes to stdout or ``-o``;
warnings go to stderr. Heavy imports happen inside the commands so that ``aibom --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aibom.cli.bomout import bom_format_option
from aibom.cli.exit import ExitCode
from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT

if TYPE_CHECKING:
    from aibom.rules.model import Rule, RuleSet

PROFILE_CHOICES = ("procurement", "engineering")
"""Same as ``aibom.score.PROFILES`` (a test keeps them equal); listed here to keep start-up light."""
FORMATS = ("table", "json", "markdown")

_rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load rules from DIR (pack folders, or rule files); repeatable.",
)
_pack_option = click.option(
    "--pack", "packs", multiple=True, metavar="NAME", help="Only this pack (repeatable)."
)


@click.command("score")
@click.argument("bom", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@_rules_option
@_pack_option
@click.option(
    "--profile",
    type=click.Choice(PROFILE_CHOICES),
    default="procurement",
    show_default=True,
    help="procurement: no evidence counts as a failure; engineering: it is left out.",
)
@click.option(
    "--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    metavar="N",
    help="Exit 1 when the BOM's overall score is below N.",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT,
    help="Write the scorecard here (default: stdout).",
)
@click.option(
    "--annotate",
    "annotated",
    type=OUTPUT,
    metavar="FILE",
    help="Also write the BOM with aibom:score:* properties to FILE.",
)
@bom_format_option
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")
def score(
    bom: Path,
    rule_dirs: tuple[Path, ...],
    packs: tuple[str, ...],
    profile: str,
    output_format: str,
    min_score: float | None,
    output: Path | None,
    annotated: Path | None,
    bom_format: str | None,
    quiet: bool,
) -> None:
    """Score a CycloneDX BOM (any generator, JSON or XML) against transparency rule packs.

    ``--annotate`` writes the BOM back with its scores, in its own form (XML stays XML) unless
    ``--bom-format`` or the file's suffix says otherwise; it is validated (XML against the XSD)
    first, and on any error neither the BOM nor the scorecard is written."""
    from aibom.cli.bomout import bom_text, form_for, read_with_form
    from aibom.errors import UsageError
    from aibom.rules.model import Enforcement
    from aibom.score import annotate, policy_failures, score_document
    from aibom.score.text import RENDERERS

    if bom_format is not None and annotated is None:
        raise UsageError("--bom-format is the form of the --annotate BOM; give --annotate FILE")
    doc, source_form = read_with_form(bom)
    scorecard = score_document(doc, packs or None, profile, rule_dirs)
    annotated_text = None
    if annotated is not None:  # made (and validated) before anything is written
        annotate(doc, scorecard)
        form = form_for(bom_format, annotated, source_form)
        annotated_text = bom_text(doc, form, source_form, "the annotated BOM")
    write_text(RENDERERS[output_format](scorecard), output)
    if annotated is not None and annotated_text is not None:
        write_text(annotated_text, annotated)
    if not quiet:
        for result in scorecard.gating(Enforcement.WARN):
            click.echo(f"warning: {result.rule.id} on {result.subject}: {result.message}", err=True)
    reasons = policy_failures(scorecard, min_score)
    for reason in reasons:
        click.echo(f"policy: {reason}", err=True)
    sys.exit(ExitCode.POLICY if reasons else ExitCode.OK)


@click.group("rules")
def rules() -> None:
    """List, explain and test the transparency rules."""


def _load(rule_dirs: tuple[Path, ...], packs: tuple[str, ...] = ()) -> RuleSet:
    from aibom.rules import load_rules

    return load_rules(rule_dirs, packs or None)


@rules.command("list")
@_rules_option
@_pack_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def list_rules(rule_dirs: tuple[Path, ...], packs: tuple[str, ...], output_format: str) -> None:
    """List every rule with its pack, severity, enforcement and weight."""
    import json

    ruleset = _load(rule_dirs, packs)
    if output_format == "json":
        items = [_rule_summary(rule) for rule in ruleset.rules]
        write_text(
            json.dumps({"rules_version": ruleset.version, "rules": items}, indent=2) + "\n", None
        )
        return
    lines = [f"{'id':<10} {'pack':<11} {'severity':<8} {'enforce':<7} {'weight':>6}  title"]
    lines += [
        f"{r.id:<10} {r.pack:<11} {r.severity.label:<8} {r.enforcement.value:<7} {r.weight:>6g}  {r.title}"
        for r in ruleset.rules
    ]
    lines.append(
        f"{len(ruleset.rules)} rules in {len(ruleset.packs)} packs (rules {ruleset.version})"
    )
    write_text("\n".join(lines) + "\n", None)


def _rule_summary(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "version": rule.version,
        "pack": rule.pack,
        "title": rule.title,
        "kinds": list(rule.kinds),
        "severity": rule.severity.label,
        "enforcement": rule.enforcement.value,
        "weight": rule.weight,
        "frameworks": [{"framework": f.framework, "ref": f.ref} for f in rule.frameworks],
        "source": rule.source,
    }


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@_rules_option
def explain(rule_id: str, rule_dirs: tuple[Path, ...]) -> None:
    """Show everything about one rule: why, what it checks, how to fix a failure."""
    from aibom.errors import UsageError

    ruleset = _load(rule_dirs)
    rule = ruleset.by_id(rule_id)
    if rule is None:
        raise UsageError(f"no rule {rule_id!r}", hint="aibom rules list shows every rule id")
    write_text(explain_text(rule), None)


def explain_text(rule: Rule) -> str:
    import yaml

    def block(data: object) -> str:
        dumped = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=96)
        return "".join(f"    {line}\n" for line in dumped.splitlines())

    raw = rule.raw
    applies = ", ".join(rule.kinds)
    lines = [
        f"{rule.id} (version {rule.version}, pack {rule.pack}): {rule.title}",
        "",
        f"Why: {rule.rationale}",
        f"Applies to: {applies}",
        "Frameworks: " + "; ".join(f"{f.framework} {f.ref}" for f in rule.frameworks),
        (
            f"Severity: {rule.severity.label}; enforcement: {rule.enforcement.value}; "
            f"weight: {rule.weight:g}; when the BOM gives no evidence: {rule.on_unknown}"
        ),
        f"To fix a failure: {rule.remediation}",
        f"Embedded tests: {len(rule.tests)}; source: {rule.source}",
        "",
        "Condition:",
    ]
    text = "\n".join(lines) + "\n" + block(raw.get("condition"))
    for key in ("needs", "applies_to", "wording"):
        if key in raw:
            text += f"{key.replace('_', ' ').capitalize()}:\n" + block(raw[key])
    return text


@rules.command("test")
@click.argument(
    "directory", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only failures.")
def test_rules(directory: Path | None, verbose: bool) -> None:
    """Run the test cases embedded in each rule (the shipped rules, or those in DIRECTORY)."""
    from aibom.rules import load_rules
    from aibom.score.selftest import run_rule_tests

    ruleset = load_rules([directory], shipped=False) if directory else load_rules()
    results = run_rule_tests(ruleset)
    failed = [r for r in results if not r.ok]
    for result in results if verbose else failed:
        click.echo(("ok    " if result.ok else "FAIL  ") + result.describe(), err=not result.ok)
    cases = sum(len(rule.tests) for rule in ruleset.rules)
    click.echo(
        f"{len(ruleset.rules)} rules, {cases} cases: {len(results) - len(failed)} passed, {len(failed)} failed"
    )
    sys.exit(ExitCode.POLICY if failed or not ruleset.rules else ExitCode.OK)
