"""JSON and text files that matter to a loader: chat templates, KerasHub presets, SavedModels in text form.

JSON and text files are one format each, so one inspector takes both and acts only on the names that
matter: ``tokenizer_config.json``/``chat_template.json``/``processor_config.json`` (``chat_template``),
``*.jinja`` (transformers' ``chat_template.jinja`` and ``additional_chat_templates/*.jinja``), KerasHub
preset files (``config.json``, ``tokenizer.json``...), ``saved_model.pbtxt`` and ``keras_metadata.pb`` when
classification saw text. Every other JSON or text file gives an empty inspection.
"""

from __future__ import annotations

import posixpath

from aibom.artifacts import Artifact, Format
from aibom.catalog import FormatSpec
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
from aibom.formats.interface import InspectContext, Inspection
from aibom.formats.keras.h5 import KERAS_JSON_NAMES, parse_json, read_capped
from aibom.formats.keras.v3 import inspect_json_config
from aibom.formats.tensorflow import inspect_keras_metadata, inspect_pbtxt

TEMPLATE_JSON_NAMES = frozenset(
    {"tokenizer_config.json", "chat_template.json", "processor_config.json"}
)
"""JSON files whose top-level ``chat_template`` transformers renders."""


class TextConfigInspector:
    """JSON, Jinja and text files that carry chat templates, Keras configs or a SavedModel in text
    form."""

    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.JSON, suffixes=(".json",), textual=True, fetch_members=True),
        FormatSpec(Format.TEXT, suffixes=(".txt",), textual=True, probe_remote=False),
        FormatSpec(Format.JINJA, suffixes=(".jinja",), textual=True),
    )
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
            return Inspection(examined=False)
        if name in TEMPLATE_JSON_NAMES:
            return _template_json(ctx, name)
        if name in KERAS_JSON_NAMES:
            with ctx.open() as fh:
                data = read_capped(fh, ctx.limits.max_config_bytes, name, limit="max_config_bytes")
            return inspect_json_config(ctx, data, name)
        return Inspection(examined=False)


def _read_or_finding(ctx: InspectContext, name: str, cap: int) -> bytes | Finding:
    """The file, or a "cannot be checked" finding when it is larger than ``cap``: loaders read any
    size, so an oversized file must not pass as clean."""
    with ctx.open() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        return ctx.finding(TEMPLATE_UNCHECKED, f"{name} is larger than {cap} bytes; not checked")
    return data


def _jinja_file(ctx: InspectContext, name: str) -> Inspection:
    from aibom.formats.templates import template_findings  # jinja2 only when a template is seen

    data = _read_or_finding(ctx, name, ctx.limits.max_template_bytes)
    if isinstance(data, Finding):
        out = Inspection(findings=[data])
        out.hit("max_template_bytes", covered=0)
        return out
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        finding = ctx.finding(TEMPLATE_UNCHECKED, f"{name} is not UTF-8 text; not checked")
        out = Inspection(findings=[finding])
        out.hit("malformed", covered=0)
        return out
    return Inspection(
        facts={"chat_templates": [name]}, findings=template_findings(ctx, source, name)
    )


def _template_json(ctx: InspectContext, name: str) -> Inspection:
    from aibom.formats.templates import template_findings  # jinja2 only when a template is seen

    data = _read_or_finding(ctx, name, ctx.limits.max_text_file)
    if isinstance(data, Finding):
        out = Inspection(findings=[data])
        out.hit("max_text_file", covered=0)
        return out
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
