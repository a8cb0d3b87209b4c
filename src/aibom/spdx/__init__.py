"""SPDX 3.0.1 export: any CycloneDX BOM (as ``aibom.bomdoc.read_bom`` returns it) as SPDX 3.0.1 JSON-LD
with the Core, Software, SimpleLicensing, AI and Dataset profiles (``convert``).

Reads plain data only: it never touches the network or the files the BOM describes. What SPDX 3.0.1
has no place for is listed in ``SpdxExport.unmapped`` and in the document's comment (``docs/spdx.md``).
"""

from __future__ import annotations

from aibom.spdx.convert import SPEC_VERSION, SpdxExport, Unmapped, convert, creation_time

__all__ = ["SPEC_VERSION", "SpdxExport", "Unmapped", "convert", "creation_time"]
