"""The document side of aibom: reading any CycloneDX BOM (``read``), walking its components
(``walk``), and typed views of a BOM and a scorecard for the renderers (``view``, ``scorecard``)."""

from __future__ import annotations

from aibom.bomdoc.read import SPEC_VERSIONS, read_bom
from aibom.bomdoc.walk import components

__all__ = ["SPEC_VERSIONS", "components", "read_bom"]
