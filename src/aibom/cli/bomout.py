"""Commands that write a BOM back (``score --annotate``, ``audit --format cyclonedx``): read it, keep
its form, write it back valid or not at all.

The form written is ``--bom-format`` when given, else the output file's suffix (``.json``/``.xml``),
else the input's: an XML BOM comes back as XML, a JSON BOM as JSON. XML is written by
``aibom.bom.xml.write_xml``, which validates it against the version's XSD and refuses JSON keys XML
has no place for; JSON made from an XML input is refused when the XML carried content JSON has no
field for (extension elements and attributes, XML signatures). Every refusal is a ``UsageError``
(exit 2) raised before anything is written, and ``write_text`` replaces the output atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

BOM_FORMATS = ("json", "xml")

bom_format_option = click.option(
    "--bom-format",
    type=click.Choice(BOM_FORMATS),
    default=None,
    help="Form of the BOM written back (default: the output file's suffix .json/.xml, else the "
    "input's form).",
)


def read_with_form(source: Path) -> tuple[dict[str, Any], str]:
    """The document at ``source`` (``read_bom``'s checks) and the form it was in: ``json`` or ``xml``."""
    from aibom.bomdoc.read import is_xml, parse_bom, read_source

    name, data = read_source(source)
    return parse_bom(data, name), "xml" if is_xml(data) else "json"


def form_for(chosen: str | None, output: Path | None, source_form: str) -> str:
    """The form to write: ``chosen``, else ``output``'s suffix, else ``source_form``."""
    if chosen is not None:
        return chosen
    suffix = output.suffix.lower() if output is not None and str(output) != "-" else ""
    return suffix[1:] if suffix in (".json", ".xml") else source_form


def bom_text(doc: dict[str, Any], form: str, source_form: str, what: str) -> str:
    """``doc`` as the text of ``form``; ``UsageError`` (naming ``what``, e.g. "the annotated BOM")
    when it cannot be written whole and valid."""
    import json

    from aibom.errors import InvalidBomError, UsageError

    if form == "xml":
        from aibom.bom.xml import write_xml

        try:
            return write_xml(doc)  # validated against the XSD; unplaced keys refused by name
        except InvalidBomError as exc:
            raise UsageError(
                f"{what} is not valid CycloneDX {doc.get('specVersion')} XML; nothing was written",
                hint=(exc.hint or "").split("\n", 1)[-1][:2000]
                + "\n(an input BOM that is itself not valid against the XSD gives this too)",
            ) from None
    if source_form == "xml":
        from aibom.bomdoc.fromxml import extension_keys

        kept = extension_keys(doc)
        if kept:
            from aibom.escape import visible

            names = ", ".join(visible(key[:200]) for key in kept)  # names from the input
            raise UsageError(
                f"{what} carries XML-only content ({names}) that JSON has no place for; "
                "nothing was written",
                hint="write it as XML (--bom-format xml, or an output file ending in .xml)",
            )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
