"""TensorFlow SavedModel (``saved_model.pb``, ``saved_model.pbtxt``), bare frozen GraphDefs (``.pb`` under
any name, recognised by content in ``aibom.sources.sniff_proto``) and Keras ``keras_metadata.pb``, read
without TensorFlow.

The protobuf wire format is read by ``aibom.formats.proto_wire`` (streamed through a bounded window, with a
field budget; see there why it is hand-written). Only the fields below are followed (numbers from
tensorflow/core/protobuf/*.proto):

    SavedModel.meta_graphs=2 -> MetaGraphDef{meta_info_def=1{tags=4, tensorflow_version=5}, graph_def=2,
      saver_def=3{filename_tensor_name=1, save_tensor_name=2, restore_op_name=3}, asset_file_def=6
      {filename=2}, object_graph_def=7{nodes=1 -> SavedObject{user_object=4{identifier=1, metadata=3}}}}
    GraphDef{node=1, library=2{function=1 -> FunctionDef{signature=1{name=1}, node_def=3}}}
    NodeDef{name=1, op=2, attr=5{key=1, value=2 -> AttrValue{s=2}}}
    keras SavedMetadata{nodes=1 -> SavedObject{node_path=3, identifier=4, metadata=5}}
"""

from __future__ import annotations

import codecs
import posixpath
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from aibom.artifacts import Artifact, Format, Kind
from aibom.catalog import FormatSpec
from aibom.checks.unsafe_other import (
    TF_ASSET_TRAVERSAL,
    TF_CHECKPOINT_OP,
    TF_DANGEROUS_OP,
)
from aibom.findings import Check, Finding
from aibom.formats.interface import InspectContext, Inspection, LimitExceeded
from aibom.formats.keras.h5 import (
    KerasH5Inspector,
    config_findings,
    parse_json,
    read_capped,
    unchecked_rest,
)
from aibom.formats.proto_wire import (
    PROTO_WINDOW,
    ProtoSource,
    Span,
    fields,
    stream_size,
    submessages,
)

__all__ = [
    "ATTRIBUTE_OPS",
    "CHECKPOINT_OPS",
    "DANGEROUS_OPS",
    "PROTO_WINDOW",
    "GraphScan",
    "ProtoSource",
    "Span",
    "TensorflowInspector",
    "asset_escapes",
    "fields",
    "inspect_keras_metadata",
    "scan_findings",
    "scan_keras_metadata",
    "scan_saved_model",
    "stream_size",
    "submessages",
]

DANGEROUS_OPS: dict[str, str] = {
    **dict.fromkeys(("PyFunc", "PyFuncStateless", "EagerPyFunc"), "calls Python in the server"),
    "ReadFile": "reads a file", "WriteFile": "writes a file",
    "MatchingFiles": "lists files", "MatchingFilesDataset": "lists files",
    "ImmutableConst": "memory-maps a file named in its attributes",
    **dict.fromkeys(
        ("WholeFileReader", "WholeFileReaderV2", "TextLineReader", "TextLineReaderV2",
         "FixedLengthRecordReader", "FixedLengthRecordReaderV2", "TFRecordReader",
         "TFRecordReaderV2", "LMDBReader", "TextLineDataset", "TFRecordDataset",
         "TFRecordDatasetV2", "FixedLengthRecordDataset", "FixedLengthRecordDatasetV2",
         "CSVDataset", "CSVDatasetV2", "ExperimentalCSVDataset", "LMDBDataset",
         "ExperimentalLMDBDataset", "LoadDataset", "SqlDataset", "ExperimentalSqlDataset"),
        "reads files",
    ),
    **dict.fromkeys(
        ("SaveDataset", "SaveDatasetV2", "DatasetToTFRecord", "ExperimentalDatasetToTFRecord",
         "CreateSummaryFileWriter", "CreateSummaryDbWriter"),
        "writes files",
    ),
    **dict.fromkeys(
        ("DebugIdentity", "DebugIdentityV2", "DebugIdentityV3", "DebugNanCount",
         "DebugNumericSummary", "DebugNumericSummaryV2"),
        "sends tensors to debug URLs (file:// or grpc://)",
    ),
}  # fmt: skip
"""Ops that touch the filesystem, the network or Python. modelscan lists ReadFile and WriteFile."""
ATTRIBUTE_OPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PrintV2": ("output_stream", ("stderr", "stdout", "log(")),
    "DecodeProtoV2": ("descriptor_source", ("local://", "bytes://")),
    "EncodeProto": ("descriptor_source", ("local://", "bytes://")),
}
"""Ops that reach files only through an attribute: op -> (attribute, values that stay in-process)."""
CHECKPOINT_OPS = frozenset(
    {"Save", "SaveSlices", "SaveV2", "Restore", "RestoreSlice", "RestoreV2", "MergeV2Checkpoints"}
)
"""Expected in the saver only: ``save/...`` nodes (TF1) and ``__inference__traced_save_N`` functions."""
_SAVER_FUNCTION = re.compile(r"(?:traced_(?:save|restore)|(?:save|restore)_fn)(?:_\d+)?$")
_SAVER_SCOPE = re.compile(r"^save(?:_\d+)?/")

# ---------------------------------------------------------------- SavedModel graphs


@dataclass
class GraphScan:
    """What the walk found across every meta graph, function and node."""

    nodes: int = 0
    functions: int = 0
    tags: list[str] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)
    ops: dict[tuple[Check, str], list[str]] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)
    keras_metadata: list[tuple[str, str]] = field(default_factory=list)
    metadata_cap: int = 0
    """Largest Keras metadata string read from the object graph."""

    def hit(self, check: Check, what: str, where: str) -> None:
        self.ops.setdefault((check, what), []).append(where)


@dataclass
class _MetaGraph:
    saver_scopes: set[str] = field(default_factory=set)
    checkpoint_ops: list[tuple[str, str, str | None]] = field(default_factory=list)


def scan_saved_model(src: ProtoSource, metadata_cap: int) -> GraphScan:
    scan = GraphScan(metadata_cap=metadata_cap)
    for meta in submessages(src, Span(0, src.size), 2):
        graph = _MetaGraph()
        for number, wire, value in fields(src, meta):
            if wire != 2 or not isinstance(value, Span):
                continue
            if number == 1:
                _meta_info(src, value, scan)
            elif number == 2:
                _graph(src, value, scan, graph)
            elif number == 3:
                graph.saver_scopes |= _saver_scopes(src, value)
            elif number == 6:
                scan.assets += [t for t in map(src.text, submessages(src, value, 2)) if t]
            elif number == 7:
                _object_graph(src, value, scan)
        _checkpoint_ops(graph, scan)
    return scan


def scan_graph_def(src: ProtoSource, metadata_cap: int) -> GraphScan:
    """A bare GraphDef (a frozen graph): its nodes and functions, as in a meta graph."""
    scan = GraphScan(metadata_cap=metadata_cap)
    graph = _MetaGraph()
    _graph(src, Span(0, src.size), scan, graph)
    _checkpoint_ops(graph, scan)
    return scan


def _meta_info(src: ProtoSource, span: Span, scan: GraphScan) -> None:
    for number, _wire, value in fields(src, span):
        text = src.text(value)
        if text is not None and number == 4:
            scan.tags.append(text)
        elif text is not None and number == 5:
            scan.versions.add(text)


def _graph(src: ProtoSource, span: Span, scan: GraphScan, graph: _MetaGraph) -> None:
    for number, wire, value in fields(src, span):
        if wire == 2 and isinstance(value, Span) and number == 1:
            _node(src, value, scan, graph, None)
        elif wire == 2 and isinstance(value, Span) and number == 2:
            for function in submessages(src, value, 1):
                _function(src, function, scan, graph)


def _function(src: ProtoSource, span: Span, scan: GraphScan, graph: _MetaGraph) -> None:
    scan.functions += 1
    name, bodies = "?", []
    for number, wire, value in fields(src, span):
        if wire == 2 and isinstance(value, Span) and number == 1:
            name = next(map(src.text, submessages(src, value, 1)), None) or name
        elif wire == 2 and isinstance(value, Span) and number == 3:
            bodies.append(value)
    for body in bodies:
        _node(src, body, scan, graph, name)


def _node(
    src: ProtoSource, span: Span, scan: GraphScan, graph: _MetaGraph, function: str | None
) -> None:
    scan.nodes += 1
    op, name_span, attrs = None, None, []
    for number, wire, value in fields(src, span):
        if wire != 2 or not isinstance(value, Span):
            continue
        if number == 2:
            op = src.text(value)
        elif number == 1:
            name_span = value
        elif number == 5:
            attrs.append(value)
    if op is None or not (op in DANGEROUS_OPS or op in CHECKPOINT_OPS or op in ATTRIBUTE_OPS):
        return
    name = (src.text(name_span) if name_span else None) or "?"
    where = f"node {name!r}" + (f" in function {function!r}" if function else "")
    if op in DANGEROUS_OPS:
        scan.hit(TF_DANGEROUS_OP, f"{op} ({DANGEROUS_OPS[op]})", where)
    elif op in CHECKPOINT_OPS:
        graph.checkpoint_ops.append((op, name, function))
    else:
        key, safe = ATTRIBUTE_OPS[op]
        setting = _attr_string(src, attrs, key)
        if setting and not setting.startswith(safe):
            scan.hit(TF_DANGEROUS_OP, f"{op} with {key} {setting!r}", where)


def _attr_string(src: ProtoSource, attrs: list[Span], key: str) -> str | None:
    for entry in attrs:
        pairs = {n: v for n, _w, v in fields(src, entry)}
        if src.text(pairs.get(1, 0)) == key and isinstance(pairs.get(2), Span):
            return next(map(src.text, submessages(src, pairs[2], 2)), None)  # type: ignore[arg-type]
    return None


def _saver_scopes(src: ProtoSource, span: Span) -> set[str]:
    names = [src.text(v) for n, _w, v in fields(src, span) if n in (1, 2, 3)]
    return {name.split("/", 1)[0] for name in names if name and "/" in name}


def _checkpoint_ops(graph: _MetaGraph, scan: GraphScan) -> None:
    for op, name, function in graph.checkpoint_ops:
        if function is not None and _SAVER_FUNCTION.search(function):
            continue
        if function is None and (
            _SAVER_SCOPE.match(name) or name.split("/")[0] in graph.saver_scopes
        ):
            continue
        where = f"node {name!r}" + (f" in function {function!r}" if function else "")
        scan.hit(TF_CHECKPOINT_OP, f"{op} outside the saver", where)


def _object_graph(src: ProtoSource, span: Span, scan: GraphScan) -> None:
    """TF 2.0-2.4 kept Keras layer configs in ``SavedUserObject.metadata``."""
    for index, node in enumerate(submessages(src, span, 1)):
        for user in submessages(src, node, 4):
            for number, _wire, value in fields(src, user):
                if number == 3 and isinstance(value, Span) and value.end > value.start:
                    if value.end - value.start > scan.metadata_cap:
                        raise LimitExceeded(
                            f"object {index} metadata exceeds {scan.metadata_cap} bytes",
                            limit="max_config_bytes",
                        )
                    scan.keras_metadata.append((f"object {index}", _long_text(src, value)))


def _long_text(src: ProtoSource, span: Span) -> str:
    return src.read(span.start, span.end - span.start).decode("utf-8", "replace")


def scan_keras_metadata(src: ProtoSource, cap: int) -> list[tuple[str, str]]:
    """(node path, metadata JSON) of each object in ``keras_metadata.pb``. Field 5 is the metadata and
    4 the identifier; either holding a JSON object is read as metadata."""
    out: list[tuple[str, str]] = []
    for node in submessages(src, Span(0, src.size), 1):
        path, metadata = "?", None
        for number, _wire, value in fields(src, node):
            if number == 3:
                path = src.text(value) or path
            elif number in (4, 5) and isinstance(value, Span) and value.end > value.start:
                if src.read(value.start, 1) != b"{":
                    continue
                if value.end - value.start > cap:
                    raise LimitExceeded(
                        f"keras metadata of {path!r} is larger than {cap} bytes",
                        limit="max_config_bytes",
                    )
                metadata = _long_text(src, value)
        if metadata:
            out.append((path, metadata))
    return out


def asset_escapes(name: str) -> bool:
    """An asset or data file name that leaves the folder it is joined to."""
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in re.split(r"[\\/]+", name)


# ---------------------------------------------------------------- findings and inspectors


def scan_findings(ctx: InspectContext, scan: GraphScan, name: str) -> list[Finding]:
    findings: list[Finding] = []
    for (check, what), places in scan.ops.items():
        more = f" and {len(places) - 3} more" if len(places) > 3 else ""
        message = f"{name}: {what} at {', '.join(places[:3])}{more}"
        findings.append(ctx.finding(check, message, evidence=places[0]))
    for asset in scan.assets:
        if asset_escapes(asset):
            message = f"{name}: asset file {asset!r} resolves outside the assets folder"
            findings.append(ctx.finding(TF_ASSET_TRAVERSAL, message, evidence=asset))
    for where, metadata in scan.keras_metadata:
        if metadata.lstrip().startswith("{"):
            findings += config_findings(
                ctx, parse_json(metadata.encode(), where), f"{name} {where}"
            )
    return findings


class TensorflowInspector:
    specs: tuple[FormatSpec, ...] = (
        FormatSpec(Format.TF_SAVEDMODEL, Kind.WEIGHTS, shared_suffixes=(".pb",)),
        FormatSpec(Format.TF_GRAPHDEF, Kind.WEIGHTS),
    )
    checks: tuple[Check, ...] = (
        TF_DANGEROUS_OP,
        TF_CHECKPOINT_OP,
        TF_ASSET_TRAVERSAL,
        *KerasH5Inspector.checks,  # Keras metadata in a SavedModel is walked like an H5 config
    )

    def inspect(self, artifact: Artifact, ctx: InspectContext) -> Inspection:
        name = posixpath.basename(ctx.member or artifact.ref.relpath)
        if name == "keras_metadata.pb":
            return inspect_keras_metadata(ctx)
        walk = scan_graph_def if artifact.format is Format.TF_GRAPHDEF else scan_saved_model
        with ctx.open() as fh:
            try:
                scan = walk(_source(fh, ctx), ctx.limits.max_config_bytes)
            except LimitExceeded as exc:
                return unchecked_rest(ctx, artifact.format, exc)
        facts: dict[str, object] = {
            "tf_tags": sorted(set(scan.tags)),
            "tf_versions": sorted(scan.versions),
            "tf_node_count": scan.nodes,
            "tf_function_count": scan.functions,
        }
        return Inspection(facts=facts, findings=scan_findings(ctx, scan, name))


def _source(fh: BinaryIO, ctx: InspectContext) -> ProtoSource:
    """A reader over ``fh`` bounded by the scan's limits."""
    return ProtoSource(fh, stream_size(fh), ctx.limits)


def inspect_keras_metadata(ctx: InspectContext) -> Inspection:
    cap = ctx.limits.max_config_bytes
    with ctx.open() as fh:
        entries = scan_keras_metadata(_source(fh, ctx), cap)
    findings: list[Finding] = []
    for path, metadata in entries:
        if metadata.lstrip().startswith("{"):
            root = parse_json(metadata.encode(), f"metadata of {path!r}")
            findings += config_findings(ctx, root, f"keras_metadata.pb {path}")
    return Inspection(facts={"keras_metadata_objects": len(entries)}, findings=findings)


# ---------------------------------------------------------------- SavedModel in text form

_PBTXT_OP = re.compile(r"""\bop\s*:\s*((?:"(?:[^"\\\n]|\\.)*"\s*|'(?:[^'\\\n]|\\.)*'\s*)+)""")
_PBTXT_FILENAME = re.compile(
    r"""\bfilename\s*:\s*((?:"(?:[^"\\\n]|\\.)*"\s*|'(?:[^'\\\n]|\\.)*'\s*)+)"""
)
_PBTXT_LITERAL = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")


def inspect_pbtxt(ctx: InspectContext) -> Inspection:
    """``saved_model.pbtxt`` (text format; TensorFlow loads it when ``saved_model.pb`` is absent)."""
    with ctx.open() as fh:
        text = read_capped(
            fh, ctx.limits.max_text_file, "saved_model.pbtxt", limit="max_text_file"
        ).decode("utf-8", "replace")
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
