"""Inspectors for formats that can run code when loaded through pickle: raw pickle, PyTorch (zip, legacy,
TorchScript), numpy, joblib and compressed or archived containers."""

from __future__ import annotations

from aibom.formats.interface import Inspector

PICKLE_FAMILY_INSPECTORS: tuple[Inspector, ...] = ()
