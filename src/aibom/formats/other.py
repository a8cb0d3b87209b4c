"""Inspectors for non-pickle formats that can still run code or reach outside the model: Keras (H5 and
v3), TensorFlow SavedModel, ONNX, GGUF and chat templates.

JSON and text files are one format each, so one inspector takes both and acts only on the names that
matter: ``tokenizer_config.json``/``chat_template.json``/``processor_config.json`` (``chat_template``),
``*.jinja`` (transformers' ``chat_template.jinja`` and ``additional_chat_templates/*.jinja``), KerasHub
preset files (``config.json``, ``tokenizer.json``...), ``saved_model.pbtxt`` and ``keras_metadata.pb`` when
classification saw text. Every other JSON or text file gives an empty inspection.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
from collections.abc import Iterator

from aibom.artifacts import Artifact, Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import (
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
    TEMPLATE_DYNAMIC,
    TEMPLATE_INJECTION,
    TEMPLATE_UNCHECKED,
    TF_ASSET_TRAVERSAL,
    TF_DANGEROUS_OP,
)
from aibom.findings import Check, Finding
from aibom.formats.gguf_format import GgufInspector
from aibom.formats.interface import (
    FormatError,
    InspectContext,
    Inspection,
    Inspector,
    LimitExceeded,
)
from aibom.formats.keras.h5 import (
    KERAS_JSON_NAMES,
    KerasH5Inspector,
    config_findings,
    facts_of,
    parse_json,
    read_capped,
)
from aibom.formats.onnx_format import OnnxInspector
from aibom.formats.tensorflow import (
    DANGEROUS_OPS,
    GraphScan,
    TensorflowInspector,
    inspect_keras_metadata,
    scan_findings,
)
from aibom.limits import Limits

TEMPLATE_JSON_NAMES = frozenset(
    {"tokenizer_config.json", "chat_template.json", "processor_config.json"}
)
"""JSON files whose top-level ``chat_template`` transformers renders."""

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


class TextConfigInspector:
    """JSON and text files that carry chat templates, Keras configs or a SavedModel in text form."""

    formats: frozenset[Format] = frozenset({Format.JSON, Format.TEXT})
    checks: tuple[Check, ...] = (
        TEMPLATE_INJECTION,
        TEMPLATE_DYNAMIC,
        TEMPLATE_UNCHECKED,
        KERAS_LAMBDA,
        KERAS_UNSAFE_CALLABLE,
        KERAS_CUSTOM_CODE,
        KERAS_EXTERNAL_RESOURCE,
        TF_DANGEROUS_OP,
        TF_ASSET_TRAVERSAL,
        MALFORMED_FILE,
        LIMIT_REACHED,
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        name = posixpath.basename(ctx.member or artifact.ref.relpath).lower()
        if name.endswith(".jinja"):
            return _jinja_file(ctx, name)
        if name == "saved_model.pbtxt":
            return inspect_pbtxt(ctx)
        if name == "keras_metadata.pb":
            return inspect_keras_metadata(ctx)
        if artifact.format is not Format.JSON:
            return Inspection()
        if name in TEMPLATE_JSON_NAMES:
            return _template_json(ctx, name)
        if name in KERAS_JSON_NAMES:
            with ctx.open() as fh:
                data = read_capped(fh, ctx.limits.max_config_bytes, name)
            return inspect_json_config(ctx, data, name)
        return Inspection()


def _read_or_finding(ctx: InspectContext, name: str, cap: int) -> bytes | Finding:
    """The file, or a "cannot be checked" finding when it is larger than ``cap``: loaders read any
    size, so an oversized file must not pass as clean."""
    with ctx.open() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        return ctx.finding(TEMPLATE_UNCHECKED, f"{name} is larger than {cap} bytes; not checked")
    return data


def _jinja_file(ctx: InspectContext, name: str) -> Inspection:
    from aibom.formats.templates import template_findings

    data = _read_or_finding(ctx, name, ctx.limits.max_template_bytes)
    if isinstance(data, Finding):
        return Inspection(findings=[data], complete=False)
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        finding = ctx.finding(TEMPLATE_UNCHECKED, f"{name} is not UTF-8 text; not checked")
        return Inspection(findings=[finding], complete=False)
    return Inspection(
        facts={"chat_templates": [name]}, findings=template_findings(ctx, source, name)
    )


def _template_json(ctx: InspectContext, name: str) -> Inspection:
    from aibom.formats.templates import template_findings

    data = _read_or_finding(ctx, name, ctx.limits.max_text_file)
    if isinstance(data, Finding):
        return Inspection(findings=[data], complete=False)
    root = parse_json(data, name)
    value = root.get("chat_template") if isinstance(root, dict) else None
    findings: list[Finding] = []
    checked: list[str] = []
    for where, template in _templates(name, value):
        checked.append(where)
        findings += template_findings(ctx, template, where)
    return Inspection(facts={"chat_templates": checked} if checked else {}, findings=findings)


def _templates(name: str, value: object) -> list[tuple[str, object]]:
    """``chat_template`` as one string, a list of ``{name, template}`` or a name -> template map."""
    if value is None:
        return []
    if isinstance(value, list):
        out: list[tuple[str, object]] = []
        for i, item in enumerate(value):
            label = item.get("name") if isinstance(item, dict) else None
            where = f"{name} chat_template[{label if isinstance(label, str) else i}]"
            out.append((where, item.get("template") if isinstance(item, dict) else item))
        return out
    if isinstance(value, dict):
        return [(f"{name} chat_template[{key}]", template) for key, template in value.items()]
    return [(f"{name} chat_template", value)]


# ---------------------------------------------------------------- SavedModel in text form

_PBTXT_OP = re.compile(r"""\bop\s*:\s*((?:"(?:[^"\\\n]|\\.)*"\s*|'(?:[^'\\\n]|\\.)*'\s*)+)""")
_PBTXT_FILENAME = re.compile(
    r"""\bfilename\s*:\s*((?:"(?:[^"\\\n]|\\.)*"\s*|'(?:[^'\\\n]|\\.)*'\s*)+)"""
)
_PBTXT_LITERAL = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")


def inspect_pbtxt(ctx: InspectContext) -> Inspection:
    """``saved_model.pbtxt`` (text format; TensorFlow loads it when ``saved_model.pb`` is absent)."""
    with ctx.open() as fh:
        text = read_capped(fh, ctx.limits.max_text_file, "saved_model.pbtxt").decode(
            "utf-8", "replace"
        )
    scan = GraphScan()
    for match in _PBTXT_OP.finditer(text):
        op = _pbtxt_string(match.group(1))
        scan.nodes += 1
        if op in DANGEROUS_OPS:
            scan.hit(TF_DANGEROUS_OP, f"{op} ({DANGEROUS_OPS[op]})", f"offset {match.start()}")
    scan.assets = [_pbtxt_string(m.group(1)) for m in _PBTXT_FILENAME.finditer(text)]
    return Inspection(
        facts={"tf_node_count": scan.nodes}, findings=scan_findings(ctx, scan, "saved_model.pbtxt")
    )


def _pbtxt_string(literals: str) -> str:
    """Adjacent quoted literals, concatenated and unescaped as the text format does."""
    parts = [a or b for a, b in _PBTXT_LITERAL.findall(literals)]
    raw = "".join(parts).encode("utf-8", "surrogateescape")
    try:
        return codecs.escape_decode(raw)[0].decode("utf-8", "replace")
    except (ValueError, UnicodeError):
        return "".join(parts)


# ---------------------------------------------------------------- Keras v3 zips and KerasHub JSON


class KerasV3Inspector:
    """``.keras`` zips: every ``config.json`` entry (a duplicate name is read in each copy, whichever
    one Keras' zipfile picks) and ``metadata.json``. Weights are not opened: they hold no code."""

    formats: frozenset[Format] = frozenset({Format.KERAS_V3})
    checks: tuple[Check, ...] = KerasH5Inspector.checks

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        inspection = Inspection()
        with ctx.open() as fh:
            try:
                with zipfile.ZipFile(fh) as zf:
                    for info, data in _members(zf, ctx.limits):
                        _keras_member(ctx, info.filename, data, inspection)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as e:
                raise FormatError(f"zip cannot be read ({e})") from None
            except (RuntimeError, ValueError, OSError) as exc:  # zlib errors, encryption
                raise FormatError(f"zip member cannot be read ({exc})") from None
        return inspection


def _members(zf: zipfile.ZipFile, limits: Limits) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise LimitExceeded(f"{len(infos)} zip entries exceed {limits.max_members}")
    for info in infos:
        if info.filename in ("config.json", "metadata.json"):
            with zf.open(info) as member:
                yield info, read_capped(member, limits.max_config_bytes, info.filename)


def _keras_member(ctx: InspectContext, name: str, data: bytes, inspection: Inspection) -> None:
    root = parse_json(data, name)
    if name == "metadata.json":
        if isinstance(root, dict) and isinstance(root.get("keras_version"), str):
            inspection.facts["keras_version"] = root["keras_version"]
        return
    inspection.findings += config_findings(ctx, root, name)
    inspection.facts.update(facts_of(root))


def inspect_json_config(ctx: InspectContext, data: bytes, name: str) -> Inspection:
    """A KerasHub preset file (``config.json``, ``tokenizer.json``...) when its top level is a Keras
    serialized object; any other JSON gives an empty inspection."""
    root = parse_json(data, name)
    if not (isinstance(root, dict) and isinstance(root.get("class_name"), str)):
        return Inspection()
    return Inspection(facts=facts_of(root), findings=config_findings(ctx, root, name))


OTHER_INSPECTORS: tuple[Inspector, ...] = (
    KerasH5Inspector(),
    KerasV3Inspector(),
    TensorflowInspector(),
    OnnxInspector(),
    GgufInspector(),
    TextConfigInspector(),
)
