"""Every input ceiling lives in ``aibom.limits.Limits``, documented, and a caller's ``Limits`` is obeyed.

The first two tests keep the rule true as code changes: no ``MAX_*`` module constant may reappear in the
parsers (other than the output caps and format facts listed below), and every field says why it exists.
The rest build a real input for one parser each and show that a small ``Limits`` value makes it hit the
ceiling while the defaults do not.
"""

from __future__ import annotations

import ast
import io
import json
import pickle
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from aibom.artifacts import Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.findings import Check
from aibom.formats import inspect_artifact
from aibom.formats.interface import Inspection, LimitExceeded
from aibom.formats.onnx_format import parse_with_reader
from aibom.formats.proto_wire import ProtoSource
from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.rules import RuleError, load_rules
from tests.scoring.scoring_builders import minimal_rule, write_rule
from tests.unsafe.nonpickle_builders import artifact_for

SRC = Path(__file__).resolve().parents[1] / "src" / "aibom"
PARSER_PACKAGES = (
    "formats",
    "sources",
    "cards",
    "packages",
    "rules",
    "vulns",
    "verify",
    "score",
    "bomdoc",
)
CONSTANT = re.compile(r"^(_?MAX_[A-Z_0-9]*)\s*(?::[^=]*)?=", re.MULTILINE)

ALLOWED: dict[str, str] = {
    # output caps: how much aibom writes, not how much of the input it reads
    "formats/gguf_format.py:MAX_FACT_STRING": "longest metadata string kept as a BOM fact",
    "formats/keras/h5.py:MAX_FINDINGS_PER_CHECK": "findings kept per check and file",
    "cards/__init__.py:MAX_PROBLEMS": "card problems reported as findings per card",
    "cards/__init__.py:MAX_EVIDENCE_HEADINGS": "headings listed as evidence in one finding",
    "cards/__init__.py:MAX_SPLITS": "dataset splits listed in one property (the whole value is kept)",
    "cards/whole.py:MAX_KEY_CHARS": "longest front-matter key used in a property name",
    "rules/__init__.py:MAX_ERRORS_SHOWN": "broken rule files listed in one error message",
    "rules/load.py:MAX_ERRORS_PER_FILE": "schema problems listed per rule file",
    "vulns/cyclonedx.py:MAX_ADVISORY_LINKS": "advisory links written per vulnerability",
    "vulns/offline.py:MAX_SKIPPED_KEPT": "skipped export records named in the index summary",
    "score/evaluate.py:MAX_EVIDENCE_PATHS": "evidence paths shown per rule outcome",
    "score/evaluate.py:MAX_EVIDENCE_TEXT": "characters of one evidence value shown",
    "score/evaluate.py:MAX_EVIDENCE_ITEMS": "evidence values shown per path",
    "score/evaluate.py:MAX_EVIDENCE_DEPTH": "nesting of an evidence value shown",
    "score/evaluate.py:MAX_MESSAGE_CHARS": "characters of a rendered rule message",
    "score/subjects.py:MAX_NAME_CHARS": "characters of a subject's display name",
    "bomdoc/scorecard.py:MAX_EVIDENCE_CHARS": "characters of evidence shown in a report's score table",
    # format facts: fixed by a specification or by CPython, not a policy a caller could tune
    "formats/gguf_format.py:MAX_GGML_TYPE": "the last index of ggml's tensor type table",
    "formats/pickle/values.py:MAX_INT_DIGITS": "CPython's int-string digit limit",
    "sources/remote/ziptail.py:MAX_COMMENT": "the zip specification's 16-bit comment length",
    "sources/classify.py:_MAX_LFS_POINTER": "the Git LFS specification's 1024-byte pointer",
    "sources/sniff_proto.py:_MAX_FIELDS": "protobuf fields a sniffer reads from the 4 KiB head",
}


def test_no_input_ceiling_is_a_module_constant() -> None:
    found = set()
    for package in PARSER_PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            relative = path.relative_to(SRC).as_posix()
            for name in CONSTANT.findall(path.read_text(encoding="utf-8")):
                found.add(f"{relative}:{name}")
    assert sorted(found - set(ALLOWED)) == [], "move input ceilings into aibom.limits.Limits"
    assert sorted(set(ALLOWED) - found) == [], "the allow-list names a constant that is gone"


def test_every_limit_has_a_docstring() -> None:
    tree = ast.parse((SRC / "limits.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Limits")
    fields: list[str] = []
    documented: set[str] = set()
    for stmt, after in zip(cls.body, [*cls.body[1:], None], strict=True):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            fields.append(stmt.target.id)
            doc = after.value if isinstance(after, ast.Expr) else None
            if isinstance(doc, ast.Constant) and isinstance(doc.value, str) and doc.value.strip():
                documented.add(stmt.target.id)
    assert fields and [f for f in fields if f not in documented] == []
    assert len(fields) == len(set(fields))


def test_default_limits_are_the_dataclass_defaults() -> None:
    assert Limits() == DEFAULT_LIMITS
    assert all(isinstance(v, int) and v > 0 for v in vars(DEFAULT_LIMITS).values())


# ---------------------------------------------------------------- a small Limits value is obeyed


def _inspect(path: Path, fmt: Format, limits: Limits) -> Inspection:
    inspection = inspect_artifact(artifact_for(path, fmt), limits)
    assert inspection.skipped == []
    return inspection


def _checks(inspection: Inspection) -> set[Check]:
    return {f.check for f in inspection.findings}


def _messages(inspection: Inspection, check: Check) -> str:
    return " | ".join(f.message for f in inspection.findings if f.check is check)


def _gguf(entries: dict[str, str]) -> bytes:
    """A GGUF v3 file with string metadata and no tensors."""
    out = b"GGUF" + struct.pack("<IQQ", 3, 0, len(entries))
    for key, value in entries.items():
        k, v = key.encode(), value.encode()
        out += struct.pack("<Q", len(k)) + k + struct.pack("<IQ", 8, len(v)) + v
    return out


def test_gguf_metadata_count(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(_gguf({"general.architecture": "llama", "general.name": "t", "x.y": "z"}))
    assert LIMIT_REACHED not in _checks(_inspect(path, Format.GGUF, DEFAULT_LIMITS))
    small = _inspect(path, Format.GGUF, Limits(max_gguf_kv=2))
    assert "3 metadata entries exceed 2" in _messages(small, LIMIT_REACHED)
    assert not small.complete


def test_numpy_header(tmp_path: Path) -> None:
    path = tmp_path / "a.npy"
    np.save(path, np.zeros((2, 3), np.float32))
    assert LIMIT_REACHED not in _checks(_inspect(path, Format.NUMPY, DEFAULT_LIMITS))
    small = _inspect(path, Format.NUMPY, Limits(max_npy_header=16))
    assert "exceeds 16" in _messages(small, LIMIT_REACHED)


def test_keras_config_nodes(tmp_path: Path) -> None:
    layers = [{"class_name": "Dense", "config": {"units": i}} for i in range(10)]
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"class_name": "Sequential", "config": {"layers": layers}}))
    assert LIMIT_REACHED not in _checks(_inspect(path, Format.JSON, DEFAULT_LIMITS))
    small = _inspect(path, Format.JSON, Limits(max_keras_config_nodes=5))
    assert "more than 5 values" in _messages(small, LIMIT_REACHED)


def _nested_onnx(levels: int) -> bytes:
    pytest.importorskip("onnx")
    from onnx import GraphProto, TensorProto, helper

    def graph(depth: int) -> GraphProto:
        if depth == levels:
            node = helper.make_node("Identity", ["x"], ["y"])
        else:
            node = helper.make_node(
                "If", ["c"], ["y"], then_branch=graph(depth + 1), else_branch=graph(depth + 1)
            )
        vi = helper.make_tensor_value_info
        inputs = [vi("x", TensorProto.FLOAT, [1]), vi("c", TensorProto.BOOL, [])]
        return helper.make_graph([node], f"g{depth}", inputs, [vi("y", TensorProto.FLOAT, [1])])

    model = helper.make_model(graph(0), opset_imports=[helper.make_opsetid("", 17)])
    data: bytes = model.SerializeToString()
    return data


def test_onnx_graph_depth(tmp_path: Path) -> None:
    path = tmp_path / "nested.onnx"
    path.write_bytes(_nested_onnx(3))
    assert MALFORMED_FILE not in _checks(_inspect(path, Format.ONNX, DEFAULT_LIMITS))
    small = _inspect(path, Format.ONNX, Limits(max_onnx_graph_depth=2))
    assert "nested deeper than 2 levels" in _messages(small, MALFORMED_FILE)


def test_protobuf_field_budget() -> None:
    data = _nested_onnx(1)
    model = parse_with_reader(ProtoSource(io.BytesIO(data), len(data), DEFAULT_LIMITS))
    assert model.nodes == 3
    with pytest.raises(LimitExceeded, match="more than 10 protobuf fields"):
        parse_with_reader(ProtoSource(io.BytesIO(data), len(data), Limits(max_proto_fields=10)))


def test_rule_file_chars(tmp_path: Path) -> None:
    write_rule(tmp_path / "rules", "T-001", minimal_rule())
    assert [r.id for r in load_rules([tmp_path / "rules"], shipped=False).rules] == ["T-001"]
    with pytest.raises(RuleError, match="larger than 100 characters"):
        load_rules([tmp_path / "rules"], shipped=False, limits=Limits(max_rule_file_chars=100))


def test_stacked_pickles(tmp_path: Path) -> None:
    path = tmp_path / "stacked.pkl"
    path.write_bytes(b"".join(pickle.dumps({"n": i}, protocol=4) for i in range(3)))
    default = _inspect(path, Format.PICKLE, DEFAULT_LIMITS)
    assert LIMIT_REACHED not in _checks(default) and default.complete
    small = _inspect(path, Format.PICKLE, Limits(max_pickle_stacked=2))
    assert "more than 2 pickles stacked" in _messages(small, LIMIT_REACHED)
    assert not small.complete


def test_pickle_line_length(tmp_path: Path) -> None:
    path = tmp_path / "proto0.pkl"
    path.write_bytes(b"c" + b"collections\n" + b"OrderedDict\n" + b")R.")
    assert MALFORMED_FILE not in _checks(_inspect(path, Format.PICKLE, DEFAULT_LIMITS))
    small = _inspect(path, Format.PICKLE, Limits(max_pickle_line=4))
    assert "too long" in " ".join(f.message for f in small.findings)
