"""``aibom merge``: fold an ML-BOM into a software SBOM (``aibom.merge``).

Reads both BOMs through ``aibom.bomdoc.read_bom`` (JSON or XML, CycloneDX 1.2-1.7; ``-`` is stdin for
one of them), merges them, validates the result against the official schema and writes it to stdout or
``-o FILE`` (replaced atomically: a failed run leaves no partial file). A summary goes to stderr. Exit
codes: 0 merged, 2 usage error, unreadable input or a result that would not be valid CycloneDX.
"""

from __future__ import annotations

from pathlib import Path

import click

from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT

_bom_argument = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
_NOTES_SHOWN = 8


@click.command("merge")
@click.argument("sbom", type=_bom_argument)
@click.argument("mlbom", type=_bom_argument)
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("json", "xml")),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--spec-version",
    type=click.Choice(("1.6", "1.7")),
    default=None,
    help="CycloneDX version to write (default: the higher of the inputs', at least 1.6).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def merge(
    sbom: Path,
    mlbom: Path,
    output: Path | None,
    output_format: str,
    spec_version: str | None,
    quiet: bool,
) -> None:
    """Fold the ML-BOM MLBOM into the software SBOM SBOM (cyclonedx-py, syft, ...).

    Components are deduplicated by package URL and strong hashes, references renamed where the two
    collide, the dependency graphs joined (the ML-BOM's root becomes a dependency of the SBOM's
    root) and the SBOM's metadata kept. The result is validated before it is written."""
    from aibom.bomdoc.read import STDIN, read_bom
    from aibom.errors import UsageError
    from aibom.merge import merge as merge_boms
    from aibom.merge import render

    if str(sbom) == STDIN and str(mlbom) == STDIN:
        raise UsageError("only one of the two BOMs can be read from stdin")
    base, addition = read_bom(sbom), read_bom(mlbom)
    doc, report = merge_boms(base, addition, spec_version=spec_version)
    names = {"stdin" if str(sbom) == STDIN else str(sbom): base}
    names["stdin" if str(mlbom) == STDIN else str(mlbom)] = addition
    text = render(doc, output_format, inputs=names)
    write_text(text, output)
    if quiet:
        return
    from aibom.escape import visible

    click.echo(report.summary(), err=True)
    if report.root_edge is not None:
        base_ref, add_ref = (visible(r) for r in report.root_edge)
        click.echo(
            f"  the base's root {base_ref} now depends on the ML-BOM's root {add_ref}", err=True
        )
    for line in (report.notes + report.conflicts)[:_NOTES_SHOWN]:
        click.echo(f"  {visible(line)}", err=True)
    more = len(report.notes) + report.conflict_count - _NOTES_SHOWN
    if more > 0:
        click.echo(f"  ... and {more} more", err=True)
