"""aibom: an AI supply-chain scanner producing CycloneDX ML-BOMs.

The public API is re-exported lazily so that ``aibom --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aibom._version import __version__

__all__ = ["ScanOptions", "ScanResult", "__version__", "scan"]

if TYPE_CHECKING:
    from aibom.scan import ScanOptions, ScanResult, scan


def __getattr__(name: str) -> Any:
    if name in {"scan", "ScanOptions", "ScanResult"}:
        from aibom import scan as _scan

        return getattr(_scan, name)
    raise AttributeError(name)
