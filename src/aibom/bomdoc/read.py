"""Read a BOM document to score: CycloneDX JSON from any generator, bounded, as plain data."""

from __future__ import annotations

import json
from typing import BinaryIO

from aibom.errors import AibomError

MAX_BOM_BYTES = 256 * 1024 * 1024
"""Largest BOM read; parsed JSON takes several times its size in memory, and real BOMs are far smaller."""


def read_bounded(stream: BinaryIO, name: str) -> bytes:
    data = stream.read(MAX_BOM_BYTES + 1)
    if len(data) > MAX_BOM_BYTES:
        raise AibomError(f"{name} is larger than {MAX_BOM_BYTES // (1024 * 1024)} MiB; not scored")
    return data


def parse_bom(data: bytes, name: str) -> dict[str, object]:
    """The BOM as a dict; ``AibomError`` (with the position) when it is not CycloneDX JSON."""
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("<"):
        raise AibomError(
            f"{name} looks like XML; only CycloneDX JSON can be scored",
            hint="aibom scan --format json, or convert with the CycloneDX CLI",
        )
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AibomError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise AibomError(f"{name}: JSON nested too deeply to be a BOM") from None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise AibomError(
            f'{name} is not a CycloneDX BOM (no "bomFormat": "CycloneDX")',
            hint="aibom scores CycloneDX JSON documents; SPDX is not supported",
        )
    return doc
