"""Inspectors for non-pickle formats that can still run code or reach outside the model: Keras (H5 and
v3), TensorFlow SavedModel, ONNX, GGUF and chat templates."""

from __future__ import annotations

from aibom.formats.interface import Inspector

OTHER_INSPECTORS: tuple[Inspector, ...] = ()
