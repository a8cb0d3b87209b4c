"""The ``aibom:`` properties that format inspectors add to file components (name -> meaning).

``PROPERTIES`` feeds ``aibom.properties`` and the reference docs; ``FACT_PROPERTIES`` maps an
``Inspection.facts`` key to the property the BOM writes it under.
"""

from __future__ import annotations

GGUF_ARCHITECTURE = "aibom:gguf:architecture"
GGUF_QUANTIZATION = "aibom:gguf:quantization"
GGUF_CONTEXT_LENGTH = "aibom:gguf:context-length"
CHAT_TEMPLATES = "aibom:file:chat-templates"
KERAS_VERSION = "aibom:keras:version"
KERAS_MODEL_CLASS = "aibom:keras:model-class"
ONNX_OPSETS = "aibom:onnx:opsets"
ONNX_PRODUCER = "aibom:onnx:producer"
ONNX_EXTERNAL_DATA = "aibom:onnx:external-data"
TF_TAGS = "aibom:tf:tags"

PROPERTIES: dict[str, str] = {
    GGUF_ARCHITECTURE: "GGUF `general.architecture` (e.g. llama, qwen2).",
    GGUF_QUANTIZATION: "GGUF quantization from `general.file_type` (e.g. Q4_K_M, F16).",
    GGUF_CONTEXT_LENGTH: "GGUF `<architecture>.context_length`.",
    CHAT_TEMPLATES: "Chat templates checked in the file (GGUF keys or tokenizer_config entries).",
    KERAS_VERSION: "Keras version recorded by the H5 attributes or metadata.json.",
    KERAS_MODEL_CLASS: "Top-level Keras class of the saved model (Sequential, Functional...).",
    ONNX_OPSETS: "ONNX operator sets imported, as domain:version (ai.onnx is the standard).",
    ONNX_PRODUCER: "ONNX producer name and version.",
    ONNX_EXTERNAL_DATA: "External data files the ONNX model names.",
    TF_TAGS: "SavedModel meta graph tags (e.g. serve).",
}
"""New ``aibom:`` properties (name -> meaning), for ``aibom.properties``."""

FACT_PROPERTIES: dict[str, str] = {
    "gguf_architecture": GGUF_ARCHITECTURE,
    "gguf_quantization": GGUF_QUANTIZATION,
    "gguf_context_length": GGUF_CONTEXT_LENGTH,
    "chat_templates": CHAT_TEMPLATES,
    "keras_version": KERAS_VERSION,
    "keras_model_class": KERAS_MODEL_CLASS,
    "onnx_opsets": ONNX_OPSETS,
    "onnx_producer": ONNX_PRODUCER,
    "onnx_external_data": ONNX_EXTERNAL_DATA,
    "tf_tags": TF_TAGS,
}
"""``Artifact.facts`` key -> property, for the BOM's file components. GGUF files also carry
``parameter_count``/``tensor_count`` facts with the safetensors meaning, for the model roll-up."""
