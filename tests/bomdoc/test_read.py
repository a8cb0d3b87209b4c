"""``aibom.bomdoc.read_bom`` directly: what it accepts, what it refuses and how it says so."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from aibom.bomdoc import SPEC_VERSIONS, read_bom
from aibom.bomdoc.read import parse_bom, read_json
from aibom.errors import UsageError
from aibom.limits import Limits
from tests.bomdoc.docs import NS, cyclonedx, nested, write


def _refused(source: Any, match: str, limits: Limits | None = None, **kw: Any) -> UsageError:
    with pytest.raises(UsageError, match=match) as info:
        read_bom(source, limits or Limits(), **kw)
    assert info.value.hint is None or info.value.hint.strip()
    return info.value


def test_json_from_a_path_a_string_and_a_stream(tmp_path: Path) -> None:
    doc = cyclonedx(components=[{"type": "library", "name": "x"}])
    path = write(tmp_path / "bom.json", doc)
    assert read_bom(path) == read_bom(str(path)) == read_bom(io.BytesIO(path.read_bytes())) == doc


def test_utf8_byte_order_mark_and_leading_space(tmp_path: Path) -> None:
    doc = cyclonedx()
    assert read_bom(io.BytesIO(b"\xef\xbb\xbf  " + json.dumps(doc).encode())) == doc
    xml = f"\xef\xbb\xbf\n  <bom xmlns='{NS}' version='1'/>".encode("latin-1")
    assert read_bom(io.BytesIO(xml)) == cyclonedx()


@pytest.mark.parametrize("spec", SPEC_VERSIONS)
def test_every_supported_version_is_read(spec: str) -> None:
    assert read_bom(io.BytesIO(json.dumps(cyclonedx(spec)).encode()))["specVersion"] == spec


@pytest.mark.parametrize("spec", ["1.0", "1.1", "1.8", "2.0", None, 1.6])
def test_other_versions_are_errors_for_every_caller(spec: object) -> None:
    error = _refused(io.BytesIO(json.dumps(cyclonedx(spec=spec)).encode()), "is not supported")  # type: ignore[arg-type]
    assert error.hint is not None and "1.2, 1.3, 1.4, 1.5, 1.6, 1.7" in error.hint


def test_versions_narrows_the_policy() -> None:
    data = json.dumps(cyclonedx("1.4")).encode()
    assert read_bom(io.BytesIO(data), versions=("1.4",))["specVersion"] == "1.4"
    _refused(io.BytesIO(data), r"CycloneDX 1\.4 is not supported", versions=("1.6", "1.7"))


def test_error_too_large_is_known_from_the_size(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.json", cyclonedx())
    size = path.stat().st_size
    assert read_bom(path, Limits(max_bom_bytes=size)) == cyclonedx()
    error = _refused(path, "is larger than", Limits(max_bom_bytes=size - 1))
    assert error.hint is not None and "max_bom_bytes" in error.hint
    _refused(io.BytesIO(path.read_bytes()), "stdin is larger than", Limits(max_bom_bytes=size - 1))
    with pytest.raises(UsageError, match="larger than"):
        parse_bom(path.read_bytes(), "given", Limits(max_bom_bytes=size - 1))


def test_the_default_ceiling_is_256_mib(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:
        fh.truncate(256 * 1024 * 1024 + 1)  # sparse: nothing is written, and nothing is read
    _refused(huge, r"huge\.json is larger than 256 MiB; not read")


def test_error_not_json_or_xml() -> None:
    error = _refused(
        io.BytesIO(b"name: tiny\n"), r"stdin is neither JSON nor XML: .* line 1 column 1"
    )
    assert error.hint is not None and "JSON or XML" in error.hint
    _refused(io.BytesIO(b"  \n"), "stdin is empty")
    _refused(io.BytesIO(b'{"a": "\xff"}'), "is not UTF-8 text")
    _refused(io.BytesIO(b'{"a": ' + b"9" * 5000 + b"}"), "is not readable JSON")
    _refused(io.BytesIO(b"<bom"), "is not well-formed XML")


def test_error_not_cyclonedx() -> None:
    _refused(io.BytesIO(b'{"spdxVersion": "SPDX-2.3"}'), r'not a CycloneDX BOM \(no "bomFormat"')
    _refused(io.BytesIO(b"[1, 2]"), "not a CycloneDX BOM")
    _refused(io.BytesIO(b"<bom/>"), "the root element is not a <bom> in the")
    _refused(io.BytesIO(b"<spdx xmlns='http://cyclonedx.org/schema/bom/1.6'/>"), "root element")


def test_error_xml_of_an_unsupported_version() -> None:
    old = b"<bom xmlns='http://cyclonedx.org/schema/bom/1.1' version='1'/>"
    _refused(io.BytesIO(old), r"CycloneDX 1\.1 is not supported")


@pytest.mark.parametrize(
    "prolog",
    [
        "<!DOCTYPE bom>",
        '<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE bom [<!ENTITY pw SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE bom SYSTEM "http://127.0.0.1:9/bom.dtd">',
    ],
)
def test_error_xml_with_a_doctype_or_entities(prolog: str) -> None:
    data = f"<?xml version='1.0'?>{prolog}<bom xmlns='{NS}'><metadata/></bom>".encode()
    error = _refused(io.BytesIO(data), "XML with a DOCTYPE or entity declarations is not read")
    assert error.hint is not None and "no entity is ever expanded" in error.hint


def test_error_too_deep_json_and_xml() -> None:
    limits = Limits(max_bom_depth=7)
    ok, deep = json.dumps(nested(2)).encode(), json.dumps(nested(3)).encode()
    assert read_bom(io.BytesIO(ok), limits)[
        "components"
    ]  # depth 7: doc, list, 2 x (comp, list), leaf
    _refused(io.BytesIO(deep), "stdin is nested more than 7 levels deep; not read", limits)
    xml = f"<bom xmlns='{NS}'>" + "<components><component>" * 40 + "</component></components>" * 40
    _refused(io.BytesIO((xml + "</bom>").encode()), "nested more than 64 levels")


def test_error_too_deep_past_what_python_parses() -> None:
    """Python's json raises RecursionError near 1000 levels; it is reported like any too-deep BOM."""
    _refused(io.BytesIO(b"[" * 100_000 + b"]" * 100_000), "nested more than 64 levels")


def test_error_too_many_components() -> None:
    doc = cyclonedx(
        metadata={"component": {"type": "application", "name": "root"}},
        components=[
            {"type": "library", "name": "a", "components": [{"type": "file", "name": "f"}]}
        ],
    )
    data = json.dumps(doc).encode()
    assert read_bom(io.BytesIO(data), Limits(max_bom_components=3)) == doc
    error = _refused(
        io.BytesIO(data), "has more than 2 components; not read", Limits(max_bom_components=2)
    )
    assert error.hint is not None and "max_bom_components" in error.hint


def test_error_unreadable_paths(tmp_path: Path) -> None:
    _refused(tmp_path / "absent.json", r"cannot read .*absent\.json: No such file")
    _refused(tmp_path, "cannot read")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    errors: list[BaseException] = []
    reader = threading.Thread(target=lambda: _catch(errors, fifo), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "read_bom blocked on a FIFO with no writer"
    assert isinstance(errors[0], UsageError) and "not a regular file" in errors[0].message


def _catch(errors: list[BaseException], path: Path) -> None:
    try:
        read_bom(path)
    except BaseException as exc:  # the test thread reports whatever happened
        errors.append(exc)


def test_xml_false_refuses_xml_for_commands_that_write_json_back() -> None:
    data = f"<bom xmlns='{NS}' version='1'/>".encode()
    assert read_bom(io.BytesIO(data))["bomFormat"] == "CycloneDX"
    _refused(io.BytesIO(data), "is XML, and this writes the BOM back as JSON", xml=False)


def test_read_json_is_bounded_like_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "scores.json", {"subjects": []})
    assert read_json(path, "the scorecard") == {"subjects": []}
    write(path, b"[]")
    with pytest.raises(UsageError, match="the scorecard must be a JSON object, not list"):
        read_json(path, "the scorecard")
    write(path, b"[" * 70 + b"]" * 70)
    with pytest.raises(UsageError, match="nested more than 64"):
        read_json(path, "the scorecard")
