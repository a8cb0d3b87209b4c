"""Format inspectors: an explicit registry and the one wrapper that turns failures into data."""

from __future__ import annotations

from aibom.artifacts import Artifact, Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.findings import Finding, Skipped
from aibom.formats.interface import (
    FormatError,
    InspectContext,
    Inspection,
    Inspector,
    LimitExceeded,
)
from aibom.formats.lfs import LfsPointerInspector
from aibom.formats.safetensors import SafetensorsInspector
from aibom.limits import DEFAULT_LIMITS, Limits

__all__ = [
    "INSPECTORS",
    "FormatError",
    "InspectContext",
    "Inspection",
    "Inspector",
    "LimitExceeded",
    "inspect_artifact",
    "inspector_for",
]

INSPECTORS: tuple[Inspector, ...] = (
    SafetensorsInspector(),
    LfsPointerInspector(),
)

_BY_FORMAT: dict[Format, Inspector] = {fmt: ins for ins in INSPECTORS for fmt in ins.formats}


def inspector_for(fmt: Format) -> Inspector | None:
    return _BY_FORMAT.get(fmt)


def inspect_artifact(
    artifact: Artifact, limits: Limits = DEFAULT_LIMITS
) -> tuple[Inspection, Skipped | None]:
    """Run the artifact's inspector. Malformed input and limits become findings; bugs become a skip."""
    inspector = inspector_for(artifact.format)
    if inspector is None:
        return Inspection(), None
    where = artifact.display
    try:
        return inspector.inspect(artifact, InspectContext(artifact, limits)), None
    except FormatError as exc:
        finding = Finding(
            MALFORMED_FILE, where, f"{artifact.format.value}: {exc}", offset=exc.offset
        )
        return Inspection(findings=[finding], complete=False), None
    except LimitExceeded as exc:
        finding = Finding(LIMIT_REACHED, where, f"{artifact.format.value}: {exc}")
        return Inspection(findings=[finding], complete=False), None
    except OSError as exc:
        return Inspection(complete=False), Skipped(where, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:
        name = type(inspector).__name__
        return Inspection(complete=False), Skipped(where, f"internal error in {name}: {exc!r}")
