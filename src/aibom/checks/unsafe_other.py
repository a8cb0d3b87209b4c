"""Checks for non-pickle formats that can run code or reach outside the model (Keras, TensorFlow, ONNX,
GGUF, chat templates)."""

from __future__ import annotations

from aibom.findings import Check

UNSAFE_OTHER_CHECKS: tuple[Check, ...] = ()
