"""ONNX: external data locations that leave the model folder, and operators from custom domains.

The model is parsed with the ``onnx`` extra when it is installed and the file is at most
``ONNX_LIBRARY_MAX_BYTES`` (``ModelProto.ParseFromString`` is a parser, not a loader: external data is
never read); otherwise with the streaming wire reader shared with the TensorFlow inspector, which skips
tensor payloads by offset, so any size is walked in bounded memory. Both produce the same ``OnnxModel``.

Fields followed (onnx/onnx.proto3): ModelProto{ir_version=1, producer_name=2, graph=7, opset_import=8
{domain=1, version=2}, training_info=20{initialization=1, algorithm=2}, functions=25{name=1, node=7,
domain=10}}; GraphProto{node=1, initializer=5, sparse_initializer=15{values=1, indices=2}};
NodeProto{op_type=4, attribute=5, domain=7}; AttributeProto{t=5, g=6, tensors=10, graphs=11,
sparse_tensor=22, sparse_tensors=23}; TensorProto{name=8, external_data=13{key=1, value=2}}.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import ONNX_CUSTOM_DOMAIN, ONNX_EXTERNAL_DATA, ONNX_EXTERNAL_ESCAPE
from aibom.findings import Check, Finding, Severity
from aibom.formats.interface import FormatError, InspectContext, Inspection, LimitExceeded
from aibom.formats.keras.h5 import unchecked_rest
from aibom.formats.tensorflow import ProtoSource, Span, asset_escapes, fields, stream_size
from aibom.limits import Limits

ONNX_LIBRARY_MAX_BYTES = 256 * 1024 * 1024
"""Largest model handed to the onnx library (it holds the whole file, about twice, in memory)."""
STANDARD_DOMAINS = frozenset(
    {"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview", "ai.onnx.preview.training"}
)
CONTRIB_DOMAINS = frozenset(
    {
        *(
            "com.microsoft",
            "com.microsoft.nchwc",
            "com.microsoft.experimental",
            "com.microsoft.dml",
        ),
        *(
            "com.ms.internal.nhwc",
            "com.microsoft.extensions",
            "ai.onnx.contrib",
            "org.pytorch.aten",
        ),
    }
)
"""onnxruntime's contrib ops, onnxruntime-extensions and PyTorch's ATen fallback."""
EXTERNAL_KEYS = frozenset({"location", "offset", "length", "checksum", "basepath"})
"""Keys onnx accepts in ``external_data`` (onnx.external_data_helper)."""


@dataclass(frozen=True)
class ExternalRef:
    tensor: str
    entries: tuple[tuple[str, str], ...]


@dataclass
class OnnxModel:
    limits: Limits = field(compare=False, repr=False, kw_only=True)
    ir_version: int | None = None
    producer: str = ""
    opsets: dict[str, int] = field(default_factory=dict)
    nodes: int = 0
    ops_by_domain: dict[str, set[str]] = field(default_factory=dict)
    local_functions: set[tuple[str, str]] = field(default_factory=set)
    external: list[ExternalRef] = field(default_factory=list)

    def add_node(self, domain: str, op_type: str) -> None:
        self.nodes += 1
        self.ops_by_domain.setdefault(domain, set()).add(op_type)

    def add_external(self, ref: ExternalRef) -> None:
        most = self.limits.max_onnx_external_refs
        if len(self.external) >= most:
            raise LimitExceeded(
                f"more than {most} tensors with external data", limit="max_onnx_external_refs"
            )
        self.external.append(ref)


# ---------------------------------------------------------------- with the onnx library


def parse_with_library(data: bytes, limits: Limits) -> OnnxModel:
    import onnx

    proto = onnx.ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as exc:  # google.protobuf's DecodeError (an untyped module), nothing else
        raise FormatError(f"not a valid ONNX ModelProto ({exc})") from None
    model = OnnxModel(proto.ir_version if proto.HasField("ir_version") else None, limits=limits)
    model.producer = " ".join(_s(x) for x in (proto.producer_name, proto.producer_version) if x)
    model.opsets = {_s(o.domain) or "ai.onnx": o.version for o in proto.opset_import}
    graphs: list[tuple[Any, int]] = [(proto.graph, 0)] if proto.HasField("graph") else []
    for info in proto.training_info:
        graphs += [(info.initialization, 0), (info.algorithm, 0)]
    for function in proto.functions:
        model.local_functions.add((_s(function.domain), _s(function.name)))
        _library_nodes(model, function.node, graphs, 0)
    while graphs:
        graph, depth = graphs.pop()
        _check_depth(depth, limits)
        for tensor in graph.initializer:
            _library_tensor(model, tensor)
        for sparse in graph.sparse_initializer:
            _library_tensor(model, sparse.values)
            _library_tensor(model, sparse.indices)
        _library_nodes(model, graph.node, graphs, depth)
    return model


def _library_nodes(model: OnnxModel, nodes: Any, graphs: list[tuple[Any, int]], depth: int) -> None:
    for node in nodes:
        model.add_node(_s(node.domain), _s(node.op_type))
        for attr in node.attribute:
            tensors = [attr.t] if attr.HasField("t") else []
            tensors += list(attr.tensors)
            sparse = ([attr.sparse_tensor] if attr.HasField("sparse_tensor") else []) + list(
                attr.sparse_tensors
            )
            tensors += [t for s in sparse for t in (s.values, s.indices)]
            for tensor in tensors:
                _library_tensor(model, tensor)
            subgraphs = ([attr.g] if attr.HasField("g") else []) + list(attr.graphs)
            graphs += [(g, depth + 1) for g in subgraphs]


def _library_tensor(model: OnnxModel, tensor: Any) -> None:
    if len(tensor.external_data):
        entries = tuple((_s(e.key), _s(e.value)) for e in tensor.external_data)
        model.add_external(ExternalRef(_s(tensor.name), entries))


def _s(value: str | bytes) -> str:
    """onnx.proto is proto2: protobuf hands back bytes for strings that are not UTF-8."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# ---------------------------------------------------------------- with the wire reader


def _check_depth(depth: int, limits: Limits) -> None:
    if depth > limits.max_onnx_graph_depth:
        raise FormatError(
            f"subgraphs nested deeper than {limits.max_onnx_graph_depth} levels",
            reason="max_onnx_graph_depth",
        )


def parse_with_reader(src: ProtoSource) -> OnnxModel:
    model = OnnxModel(limits=src.limits)
    graphs: list[tuple[Span, int]] = []
    for number, wire, value in fields(src, Span(0, src.size)):
        if number == 1 and wire == 0 and isinstance(value, int):
            model.ir_version = value
        elif wire != 2 or not isinstance(value, Span):
            continue
        elif number in (2, 3):
            model.producer = " ".join(x for x in (model.producer, src.text(value)) if x)
        elif number == 7:
            graphs.append((value, 0))
        elif number == 8:
            opset = {n: v for n, _w, v in fields(src, value)}
            domain = src.text(opset.get(1, 0)) or "ai.onnx"
            version = opset.get(2)
            model.opsets[domain] = version if isinstance(version, int) else 0
        elif number == 20:
            graphs += [
                (v, 0) for n, _w, v in fields(src, value) if n in (1, 2) and isinstance(v, Span)
            ]
        elif number == 25:
            _reader_function(src, value, model, graphs)
    while graphs:
        graph, depth = graphs.pop()
        _check_depth(depth, src.limits)
        _reader_graph(src, graph, depth, model, graphs)
    return model


def _reader_function(
    src: ProtoSource, span: Span, model: OnnxModel, graphs: list[tuple[Span, int]]
) -> None:
    name, domain = "", ""
    for number, _wire, value in fields(src, span):
        if number == 1:
            name = src.text(value) or ""
        elif number == 10:
            domain = src.text(value) or ""
        elif number == 7 and isinstance(value, Span):
            _reader_node(src, value, 0, model, graphs)
    model.local_functions.add((domain, name))


def _reader_graph(
    src: ProtoSource, span: Span, depth: int, model: OnnxModel, graphs: list[tuple[Span, int]]
) -> None:
    for number, _wire, value in fields(src, span):
        if not isinstance(value, Span):
            continue
        if number == 1:
            _reader_node(src, value, depth, model, graphs)
        elif number == 5:
            _reader_tensor(src, value, model)
        elif number == 15:
            for part, _w, tensor in fields(src, value):
                if part in (1, 2) and isinstance(tensor, Span):
                    _reader_tensor(src, tensor, model)


def _reader_node(
    src: ProtoSource, span: Span, depth: int, model: OnnxModel, graphs: list[tuple[Span, int]]
) -> None:
    op_type, domain = "", ""
    for number, _wire, value in fields(src, span):
        if number == 4:
            op_type = src.text(value) or ""
        elif number == 7:
            domain = src.text(value) or ""
        elif number == 5 and isinstance(value, Span):
            for kind, _w, item in fields(src, value):
                if not isinstance(item, Span):
                    continue
                if kind in (5, 10):
                    _reader_tensor(src, item, model)
                elif kind in (22, 23):
                    for part, _w2, tensor in fields(src, item):
                        if part in (1, 2) and isinstance(tensor, Span):
                            _reader_tensor(src, tensor, model)
                elif kind in (6, 11):
                    graphs.append((item, depth + 1))
    model.add_node(domain, op_type)


def _reader_tensor(src: ProtoSource, span: Span, model: OnnxModel) -> None:
    name, entries = "", []
    for number, _wire, value in fields(src, span):
        if number == 8:
            name = src.text(value) or ""
        elif number == 13 and isinstance(value, Span):
            pair = {n: v for n, _w, v in fields(src, value)}
            entries.append((src.text(pair.get(1, 0)) or "", src.text(pair.get(2, 0)) or ""))
    if entries:
        model.add_external(ExternalRef(name, tuple(entries)))


# ---------------------------------------------------------------- checks


def external_findings(ctx: InspectContext, model: OnnxModel) -> list[Finding]:
    findings: list[Finding] = []
    checked: dict[str, list[Finding]] = {}
    for ref in model.external:
        keys = {k for k, _v in ref.entries}
        if keys - EXTERNAL_KEYS:
            unknown = ", ".join(sorted(repr(k[:40]) for k in keys - EXTERNAL_KEYS)[:5])
            message = (
                f"tensor {ref.tensor!r}: unknown external_data keys {unknown} (CVE-2026-34445)"
            )
            findings.append(ctx.finding(ONNX_EXTERNAL_DATA, message))
        locations = [v for k, v in ref.entries if k == "location"]
        if not locations:
            message = f"tensor {ref.tensor!r} has external_data without a location"
            findings.append(ctx.finding(ONNX_EXTERNAL_DATA, message))
        for location in locations:
            if location not in checked:
                checked[location] = _location_findings(ctx, location, ref)
    return findings + [f for found in checked.values() for f in found]


def _location_findings(ctx: InspectContext, location: str, ref: ExternalRef) -> list[Finding]:
    what = f"tensor {ref.tensor!r} reads external data from {location!r}"
    if not location or asset_escapes(location):
        return [
            ctx.finding(
                ONNX_EXTERNAL_ESCAPE, f"{what}, outside the model folder", evidence=location
            )
        ]
    if ctx.member is not None:
        return []  # inside an archive: there is no folder to resolve against
    base = ctx.artifact.ref.path.parent
    target = base / location
    if not os.path.lexists(target):
        message = f"{what}, which is missing: the weights are incomplete"
        return [ctx.finding(ONNX_EXTERNAL_DATA, message, severity=Severity.LOW, evidence=location)]
    resolved = Path(os.path.realpath(target))
    if not any(_within(resolved, root) for root in _allowed_roots(ctx.artifact)):
        message = f"{what}, which resolves through a link to {str(resolved)!r} outside the folder"
        return [ctx.finding(ONNX_EXTERNAL_ESCAPE, message, evidence=location)]
    return _file_findings(ctx, what, resolved, ref)


def _file_findings(ctx: InspectContext, what: str, path: Path, ref: ExternalRef) -> list[Finding]:
    try:
        st = path.stat()
    except OSError as exc:
        return [ctx.finding(ONNX_EXTERNAL_DATA, f"{what}, which cannot be read ({exc.strerror})")]
    if not stat.S_ISREG(st.st_mode):
        return [ctx.finding(ONNX_EXTERNAL_DATA, f"{what}, which is not a regular file")]
    if st.st_nlink > 1:
        message = f"{what}, a file with {st.st_nlink} hard links that may be another file on this machine (CVE-2026-34446)"
        return [ctx.finding(ONNX_EXTERNAL_DATA, message)]
    entries = dict(ref.entries)
    try:
        offset, length = int(entries.get("offset", "0")), int(entries.get("length", "0"))
    except ValueError:
        return [ctx.finding(ONNX_EXTERNAL_DATA, f"{what} with a non-numeric offset or length")]
    if offset < 0 or length < 0 or offset + length > st.st_size:
        message = f"{what} at offset {offset} length {length}, beyond its {st.st_size} bytes"
        return [ctx.finding(ONNX_EXTERNAL_DATA, message)]
    return []


def _allowed_roots(artifact: Artifact) -> list[Path]:
    """The model's folder and, for a Hugging Face cache snapshot, the repository's blobs folder."""
    ref = artifact.ref
    roots = [Path(os.path.realpath(ref.path.parent))]
    if ref.hf is not None:
        depth = len(PurePosixPath(ref.relpath).parts)
        snapshot = ref.path.parents[depth - 1] if depth >= 1 else ref.path.parent
        roots.append(Path(os.path.realpath(snapshot.parent.parent / "blobs")))
    return roots


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def domain_findings(ctx: InspectContext, model: OnnxModel) -> list[Finding]:
    findings = []
    for domain, ops in sorted(model.ops_by_domain.items()):
        if domain in STANDARD_DOMAINS or domain in CONTRIB_DOMAINS:
            continue
        custom = sorted(op for op in ops if (domain, op) not in model.local_functions)
        if custom:
            shown = ", ".join(custom[:8]) + (
                f" and {len(custom) - 8} more" if len(custom) > 8 else ""
            )
            message = f"operators {shown} from domain {domain!r} need a custom operator library"
            findings.append(ctx.finding(ONNX_CUSTOM_DOMAIN, message, evidence=domain))
    return findings


class OnnxInspector:
    specs: tuple[FormatSpec, ...] = (FormatSpec(Format.ONNX, Kind.WEIGHTS, (".onnx",)),)
    checks: tuple[Check, ...] = (
        ONNX_EXTERNAL_ESCAPE,
        ONNX_EXTERNAL_DATA,
        ONNX_CUSTOM_DOMAIN,
        MALFORMED_FILE,
        LIMIT_REACHED,
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        try:
            model = read_model(ctx)
        except LimitExceeded as exc:
            return unchecked_rest(ctx, artifact.format, exc)
        facts: dict[str, object] = {
            "onnx_ir_version": model.ir_version,
            "onnx_opsets": {k: model.opsets[k] for k in sorted(model.opsets)},
            "onnx_producer": model.producer,
            "onnx_node_count": model.nodes,
            "onnx_external_data": sorted(
                {v for r in model.external for k, v in r.entries if k == "location"}
            ),
        }
        findings = external_findings(ctx, model) + domain_findings(ctx, model)
        return Inspection(facts=facts, findings=findings)


def read_model(ctx: InspectContext, *, use_library: bool | None = None) -> OnnxModel:
    """Parse the model with the onnx library when available and small enough, else stream it."""
    with ctx.open() as fh:
        size = stream_size(fh)
        if use_library is None:
            use_library = size <= ONNX_LIBRARY_MAX_BYTES and _has_onnx()
        if use_library:
            return parse_with_library(fh.read(size), ctx.limits)
        return parse_with_reader(ProtoSource(fh, size, ctx.limits))


def _has_onnx() -> bool:
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True
