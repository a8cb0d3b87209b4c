"""GGUF: facts agree with gguf-py on files GGUFWriter writes; every chat template key is checked
(CVE-2024-34359); hostile headers are findings, never crashes (TALOS-2024-1912..1916, CVE-2024-21802,
CVE-2026-33298, CVE-2026-7482)."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.artifacts import Format
from aibom.checks import LIMIT_REACHED, MALFORMED_FILE
from aibom.checks.unsafe_other import GGUF_PARSER_EXPLOIT, TEMPLATE_INJECTION, TEMPLATE_UNCHECKED
from aibom.findings import Severity
from aibom.formats import inspect_artifact
from aibom.formats.gguf_format import FILE_TYPES, GGML_TYPE_SIZES, GgufInspector
from aibom.formats.interface import InspectContext, Inspection
from aibom.limits import Limits
from tests.unsafe.nonpickle_builders import artifact_for, memory_context, ssti_template, write_gguf
from tests.unsafe.test_nonpickle_templates import CHATML, LLAMA3


def inspect(path: Path, limits: Limits | None = None) -> Inspection:
    art = artifact_for(path, Format.GGUF)
    if limits is None:
        inspection = inspect_artifact(art)
    else:
        inspection = GgufInspector().inspect(art, InspectContext(art, limits))
    assert inspection.skipped == []
    return inspection


def test_benign_gguf_is_clean_and_facts_agree_with_gguf_py(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "tiny.gguf", template=LLAMA3)
    inspection = inspect(path)
    assert inspection.findings == [] and inspection.complete
    reader = gguf.GGUFReader(str(path))
    facts = inspection.facts
    assert facts["tensor_count"] == len(reader.tensors) == 2
    assert facts["parameter_count"] == sum(int(t.n_elements) for t in reader.tensors) == 64 * 8 + 8
    assert facts["gguf_architecture"] == "llama" and facts["gguf_name"] == "Tiny Llama"
    assert facts["gguf_context_length"] == 2048
    assert facts["gguf_quantization"] == gguf.LlamaFileType.MOSTLY_F16.name.removeprefix("MOSTLY_")
    assert facts["chat_templates"] == ["tokenizer.chat_template"]
    assert (
        facts["gguf_metadata_count"] == len(reader.fields) - 3
    )  # GGUF.version/tensor_count/kv_count


def test_big_endian_gguf_is_read(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "be.gguf", template=CHATML, big_endian=True)
    inspection = inspect(path)
    assert inspection.findings == []
    assert inspection.facts["gguf_context_length"] == 2048 and inspection.facts["tensor_count"] == 2


def test_type_tables_match_gguf_py() -> None:
    assert {int(k): v for k, v in gguf.GGML_QUANT_SIZES.items()} == GGML_TYPE_SIZES
    expected = {
        int(t): t.name.removeprefix("MOSTLY_").replace("ALL_", "") for t in gguf.LlamaFileType
    }
    expected.pop(int(gguf.LlamaFileType.GUESSED))
    assert expected == FILE_TYPES


def test_cve_2024_34359_default_template(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "evil.gguf", template=ssti_template(tmp_path / "marker"))
    (finding,) = inspect(path).findings
    assert finding.check is TEMPLATE_INJECTION and finding.effective_severity is Severity.CRITICAL
    assert finding.message.startswith("tokenizer.chat_template: ")
    assert not (tmp_path / "marker").exists()


def test_payload_hidden_in_named_template_is_found(tmp_path: Path) -> None:
    """The default template is clean; the payload sits in tokenizer.chat_template.tool_use."""
    evil = "{{ lipsum.__globals__['os'].popen('id').read() }}"
    path = write_gguf(
        tmp_path / "named.gguf", template=CHATML, named={"tool_use": evil, "rag": CHATML}
    )
    inspection = inspect(path)
    assert [(f.check, f.evidence) for f in inspection.findings] == [
        (TEMPLATE_INJECTION, "tokenizer.chat_template.tool_use")
    ]
    templates = inspection.facts["chat_templates"]
    assert isinstance(templates, list)
    assert set(templates) == {
        "tokenizer.chat_template",
        "tokenizer.chat_template.tool_use",
        "tokenizer.chat_template.rag",
        "tokenizer.chat_templates",
    }


def test_template_over_the_limit_is_not_clean(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "big.gguf", template=CHATML + " " * 5000)
    (finding,) = inspect(path, Limits(max_template_bytes=1000)).findings
    assert finding.check is TEMPLATE_UNCHECKED and "not checked" in finding.message


# ---------------------------------------------------------------- hostile headers


def _header(version: int = 3, tensors: int = 0, kvs: int = 0) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kvs)


def _kv_string(key: str, value: bytes, declared: int | None = None) -> bytes:
    k = key.encode()
    length = len(value) if declared is None else declared
    return struct.pack("<Q", len(k)) + k + struct.pack("<IQ", 8, length) + value


def _findings(data: bytes, limits: Limits | None = None) -> Inspection:
    art, ctx = memory_context(data, Format.GGUF, "x.gguf", limits or Limits())
    return GgufInspector().inspect(art, ctx)


def test_talos_string_length_wraparound_is_an_overflow_finding() -> None:
    # TALOS-2024-1913 shape: a string length of 2**64-1 makes gguf_fread_str allocate len+1 == 0
    data = _header(kvs=1) + _kv_string("general.name", b"x", declared=2**64 - 1)
    inspection = _findings(data)
    assert {f.check for f in inspection.findings} == {GGUF_PARSER_EXPLOIT, TEMPLATE_UNCHECKED}
    assert max(f.effective_severity for f in inspection.findings) is Severity.HIGH
    assert not inspection.complete


def test_talos_kv_count_beyond_limit_is_a_limit_finding() -> None:
    """Padding the metadata past the limit must not hide a template: it is reported unchecked."""
    inspection = _findings(_header(kvs=10**9))
    assert sorted(f.check.id for f in inspection.findings) == sorted(
        [LIMIT_REACHED.id, TEMPLATE_UNCHECKED.id]
    )
    (unchecked,) = [f for f in inspection.findings if f.check is TEMPLATE_UNCHECKED]
    assert unchecked.effective_severity is Severity.MEDIUM


def test_cve_2024_21802_too_many_dimensions(tmp_path: Path) -> None:
    name = b"w"
    info = struct.pack("<Q", 1) + name + struct.pack("<I", 5) + struct.pack("<5Q", 1, 1, 1, 1, 1)
    info += struct.pack("<IQ", 0, 0)
    inspection = _findings(_header(tensors=1) + info)
    (finding,) = inspection.findings
    assert finding.check is GGUF_PARSER_EXPLOIT and "GGML_MAX_DIMS" in finding.message


def test_cve_2026_33298_dimension_product_overflow() -> None:
    info = struct.pack("<Q", 1) + b"w" + struct.pack("<I", 2) + struct.pack("<2Q", 2**40, 2**40)
    info += struct.pack("<IQ", 0, 0)
    (finding,) = _findings(_header(tensors=1) + info).findings
    assert finding.check is GGUF_PARSER_EXPLOIT and "overflow" in finding.message


def test_cve_2026_7482_tensor_data_beyond_file_is_malformed(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "short.gguf", template=CHATML)
    data = path.read_bytes()
    (finding,) = _findings(data[:-16]).findings
    assert finding.check is MALFORMED_FILE and "past the end of the file" in finding.message


def test_template_found_before_a_break_is_kept(tmp_path: Path) -> None:
    """A truncated file must still report the payload read before the truncation."""
    path = write_gguf(tmp_path / "t.gguf", template="{{ cycler.__init__.__globals__ }}")
    data = path.read_bytes()
    cut = data.index(b"token_embd.weight")  # inside the tensor infos, after the metadata
    checks = {f.check for f in _findings(data[:cut]).findings}
    assert checks == {TEMPLATE_INJECTION, MALFORMED_FILE}


def test_duplicate_keys_are_malformed_and_both_values_checked() -> None:
    evil = b"{{ joiner.__init__.__globals__ }}"
    data = _header(kvs=2) + _kv_string("tokenizer.chat_template", b"{{ x }}")
    data += _kv_string("tokenizer.chat_template", evil)
    checks = [f.check for f in _findings(data).findings]
    assert sorted(c.id for c in checks) == sorted([TEMPLATE_INJECTION.id, MALFORMED_FILE.id])


def test_not_gguf_and_bad_versions_are_malformed() -> None:
    for data in (b"GGUF", b"GGUF" + struct.pack("<I", 99) + bytes(16), b"GGUX" + bytes(20)):
        assert [f.check for f in _findings(data).findings] == [MALFORMED_FILE]


def test_deeply_nested_arrays_are_bounded() -> None:
    key = b"x"
    value = struct.pack("<I", 9) + b"".join(struct.pack("<IQ", 9, 1) for _ in range(50))
    data = _header(kvs=1) + struct.pack("<Q", 1) + key + value
    assert {f.check for f in _findings(data).findings} == {MALFORMED_FILE, TEMPLATE_UNCHECKED}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzzed_gguf_never_crashes(data: st.DataObject) -> None:
    base = _VALID
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=8)
    )
    cut = data.draw(st.integers(0, len(base)))
    mutated = bytearray(base[:cut])
    for pos, byte in edits:
        if pos < len(mutated):
            mutated[pos] = byte
    inspection = _findings(bytes(mutated))  # only findings come back, never an exception
    assert isinstance(inspection, Inspection)


def _valid_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return write_gguf(
            Path(tmp) / "v.gguf", template=CHATML, named={"tool_use": LLAMA3}
        ).read_bytes()


_VALID = _valid_bytes()
