"""``aibom convert``: a CycloneDX BOM in another format (SPDX 3.0.1 JSON-LD, ``aibom.spdx``).

Reads any CycloneDX document through ``aibom.bomdoc.read_bom`` (JSON or XML, 1.2-1.7; ``-`` is stdin)
and writes the converted document to stdout or ``-o FILE`` (replaced atomically: a failed run leaves
no partial file). What the target format has no place for is summarised on stderr. Exit codes: 0
done, 2 usage error or a BOM that cannot be converted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from aibom.cli.output import write_text
from aibom.cli.params import OUTPUT

if TYPE_CHECKING:
    from aibom.spdx import SpdxExport

CONVERT_TARGETS = ("spdx-json",)
_SHOWN = 6
"""Not-mapped fields named on stderr; the SPDX document's comment names them all."""

_bom_argument = click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)


@click.command("convert")
@click.argument("bom", type=_bom_argument)
@click.option(
    "--to",
    "target",
    type=click.Choice(CONVERT_TARGETS),
    required=True,
    help="Target format: spdx-json is SPDX 3.0.1 JSON-LD (Core, Software, AI, Dataset).",
)
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on stderr but errors.")
def convert(bom: Path, target: str, output: Path | None, quiet: bool) -> None:
    """Convert a CycloneDX BOM (JSON or XML, 1.2-1.7) to SPDX 3.0.1 JSON-LD."""
    from aibom.bomdoc.read import read_bom
    from aibom.spdx import convert as to_spdx

    assert target == "spdx-json"
    export = to_spdx(read_bom(bom))
    write_text(export.text(), output)
    report_unmapped(export, quiet=quiet)


def report_unmapped(export: SpdxExport, *, quiet: bool) -> None:
    """One stderr line: how many SPDX elements were written and which CycloneDX fields were not."""
    if quiet:
        return
    from aibom.escape import visible
    from aibom.spdx import SPEC_VERSION

    line = f"SPDX {SPEC_VERSION}: {export.elements} elements"
    if export.unmapped:
        shown = ", ".join(visible(str(u)) for u in export.unmapped[:_SHOWN])
        more = len(export.unmapped) - _SHOWN
        line += f"; not mapped: {shown}"
        if more > 0:
            line += f" and {more} more (all are named in the document's comment)"
    click.echo(line, err=True)
