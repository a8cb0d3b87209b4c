"""``aibom audit BOM``: match the PyPI components of a CycloneDX BOM against OSV advisories.

The BOM is read by ``aibom.bomdoc.read_bom`` (JSON or XML, 1.2-1.7; ``-`` is stdin); ``--format
cyclonedx`` writes it back in its own form (``aibom.cli.bomout``: XML stays XML). Exit codes
(``ExitCode``): 0 no advisory at or above ``--fail-on``, 1 at least one, 2 usage or runtime error
(raised as ``AibomError`` for ``aibom.cli.main.main`` to report).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click

from aibom.cli.bomout import bom_format_option
from aibom.cli.exit import FAIL_ON_CHOICES, ExitCode, fail_on_threshold
from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT


@click.command("audit")
@click.argument(
    "bom", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option(
    "--osv-db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OSV's PyPI export (all.zip), indexed once into the cache.",
)
@click.option("--online", is_flag=True, help="Ask the OSV API [env AIBOM_OSV_URL].")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="high", show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "cyclonedx"]),
    default="table",
    show_default=True,
    help="A table, a JSON report, or the BOM with its vulnerabilities added (in the input's form, "
    "JSON or XML, unless --bom-format or the output's suffix says otherwise).",
)
@bom_format_option
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path),
    envvar="AIBOM_CACHE_DIR",
    help="Where the OSV index is kept [env AIBOM_CACHE_DIR].",
)
def audit(
    bom: Path,
    osv_db: Path | None,
    online: bool,
    fail_on: str,
    output_format: str,
    bom_format: str | None,
    output: Path | None,
    cache_dir: Path | None,
) -> None:
    """Match the Python packages of a CycloneDX BOM (JSON or XML) against OSV advisories."""
    from aibom.cli.bomout import bom_text, form_for
    from aibom.errors import UsageError
    from aibom.vulns import VulnSource, match_packages, offline_source, online_source
    from aibom.vulns.bomio import (
        json_report,
        merge_vulnerabilities,
        pypi_components,
        reaches,
        table_report,
        validate,
    )

    if (osv_db is None) == (not online):
        raise UsageError("choose one advisory source: --osv-db PATH or --online")
    write_back = output_format == "cyclonedx"
    if bom_format is not None and not write_back:
        raise UsageError("--bom-format is the form of the BOM written by --format cyclonedx")
    doc, source_form = _read(bom, write_back=write_back)
    form = form_for(bom_format, output, source_form)
    was_valid = write_back and form == "json" and validate(doc) is None
    components = pypi_components(doc)
    source: VulnSource = offline_source(osv_db, cache_dir) if osv_db else online_source()
    with contextlib.closing(source):
        matches = match_packages([(c.name, c.version, c.bom_ref) for c in components], source)
    if output_format == "cyclonedx":
        merge_vulnerabilities(doc, matches, source.label)
        problem = validate(doc) if was_valid else None
        if problem:
            raise UsageError("the audited BOM does not validate; nothing was written", hint=problem)
        text = bom_text(doc, form, source_form, "the audited BOM")  # XML: validated by the XSD
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
    # sys.exit, not ctx.exit: under main()'s standalone_mode=False click returns ctx.exit's code
    # instead of exiting with it, so ``aibom audit`` exited 0 whatever it found.
    sys.exit(ExitCode.POLICY if reaches(matches, fail_on_threshold(fail_on)) else ExitCode.OK)


def _read(bom: Path, *, write_back: bool) -> tuple[dict[str, Any], str]:
    """The BOM and its form (``json`` or ``xml``); for ``--format cyclonedx`` (the BOM written back
    with its advisories) only CycloneDX 1.4 or later, the first with vulnerabilities."""
    from aibom.cli.bomout import read_with_form
    from aibom.errors import UsageError

    doc, form = read_with_form(bom)
    if write_back and doc["specVersion"] in ("1.2", "1.3"):
        raise UsageError(
            f"{'stdin' if str(bom) == '-' else bom}: CycloneDX {doc['specVersion']} has no vulnerabilities to write back",
            hint="use --format table or json, or a CycloneDX 1.4 or later BOM",
        )
    return doc, form
