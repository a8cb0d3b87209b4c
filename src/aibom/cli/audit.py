"""``aibom audit BOM``: match the PyPI components of any CycloneDX 1.4-1.7 JSON BOM against OSV.

Exit codes: 0 no advisory at or above ``--fail-on``, 1 at least one, 2 usage or runtime error
(raised as ``AibomError`` for ``aibom.cli.main.main`` to report).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from aibom.cli.output import write_text
from aibom.findings import Severity

_SEVERITIES = [s.label for s in Severity] + ["none"]


@click.command("audit")
@click.argument("bom", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--osv-db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OSV's PyPI export (all.zip), indexed once into the cache.",
)
@click.option("--online", is_flag=True, help="Ask the OSV API [env AIBOM_OSV_URL].")
@click.option("--fail-on", type=click.Choice(_SEVERITIES), default="high", show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "cyclonedx"]),
    default="table",
    show_default=True,
    help="A table, a JSON report, or the BOM with its vulnerabilities added.",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write here (default: stdout)."
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    envvar="AIBOM_CACHE_DIR",
    help="Where the OSV index is kept [env AIBOM_CACHE_DIR].",
)
@click.pass_context
def audit(
    ctx: click.Context,
    bom: Path,
    osv_db: Path | None,
    online: bool,
    fail_on: str,
    output_format: str,
    output: Path | None,
    cache_dir: Path | None,
) -> None:
    """Match the Python packages of a CycloneDX JSON BOM against OSV advisories."""
    from aibom.errors import UsageError
    from aibom.vulns import VulnSource, match_packages, offline_source, online_source
    from aibom.vulns.bomio import (
        exit_code,
        json_report,
        merge_vulnerabilities,
        pypi_components,
        read_bom,
        table_report,
        validate,
    )

    if (osv_db is None) == (not online):
        raise UsageError("choose one advisory source: --osv-db PATH or --online")
    doc = read_bom(bom)
    was_valid = output_format == "cyclonedx" and validate(doc) is None
    components = pypi_components(doc)
    source: VulnSource = offline_source(osv_db, cache_dir) if osv_db else online_source()
    with contextlib.closing(source):
        matches = match_packages([(c.name, c.version, c.bom_ref) for c in components], source)
    if output_format == "cyclonedx":
        merge_vulnerabilities(doc, matches, source.label)
        problem = validate(doc)
        if problem and was_valid:
            raise UsageError("the audited BOM does not validate; nothing was written", hint=problem)
        text = _dump(doc)
    elif output_format == "json":
        text = json_report(matches, components, source.label)
    else:
        text = table_report(matches, source.label)
    write_text(text, output)
    unpinned = sum(1 for c in components if not c.version)
    click.echo(
        f"aibom audit: {len(components) - unpinned} packages checked, {len(matches)} affected "
        f"({unpinned} without a version not checked) against {source.label}",
        err=True,
    )
    ctx.exit(exit_code(matches, None if fail_on == "none" else Severity.parse(fail_on)))


def _dump(doc: object) -> str:
    import json

    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
