"""Every refusal of a BOM, through the installed ``aibom`` console script, for every command that
reads one: exit code 2, one ``error:`` line on stderr (with a hint line), no traceback, nothing on
stdout and no ``-o`` file left behind. One reader (``aibom.bomdoc.read``), so one set of answers."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bomdoc.docs import AIBOM, NS, cyclonedx, nested, write

Command = Callable[[Path, str], list[str]]
"""argv after ``aibom`` for a BOM argument (a path or ``-``) and an ``-o`` file."""


def _score(tmp: Path, bom: str) -> list[str]:
    return ["score", bom, "-o", str(tmp / "out")]


def _report(tmp: Path, bom: str) -> list[str]:
    return ["report", bom, "-o", str(tmp / "out")]


def _audit(tmp: Path, bom: str) -> list[str]:
    return ["audit", bom, "--online", "-o", str(tmp / "out")]


def _verify(tmp: Path, bom: str) -> list[str]:
    (tmp / "target").mkdir(exist_ok=True)
    return ["verify", str(tmp / "target"), "--bom", bom, "-o", str(tmp / "out")]


def _diff(tmp: Path, bom: str) -> list[str]:
    good = write(tmp / "good.json", cyclonedx())
    return ["diff", bom, str(good), "-o", str(tmp / "out")]


COMMANDS = pytest.mark.parametrize(
    "command", [_score, _report, _audit, _verify, _diff], ids=lambda c: c.__name__[1:]
)


@dataclass(frozen=True)
class Refusal:
    error: str
    hint: str | None


def _refused(tmp: Path, command: Command, bom: str, stdin: bytes = b"") -> Refusal:
    env = {**os.environ, "AIBOM_OSV_URL": "http://127.0.0.1:9/"}  # never reached: refused first
    done = subprocess.run(
        [AIBOM, *command(tmp, bom)], input=stdin, capture_output=True, env=env, check=False
    )
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr and done.stdout == b""
    assert not (tmp / "out").exists()
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    hints = [line for line in stderr.splitlines() if line.startswith("hint: ")]
    return Refusal(errors[0], hints[0] if hints else None)


@COMMANDS
def test_error_too_large(tmp_path: Path, command: Command) -> None:
    bom = tmp_path / "huge.json"
    with bom.open("wb") as fh:
        fh.truncate(256 * 1024 * 1024 + 1)  # sparse, and refused from its size before any read
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom} is larger than 256 MiB; not read"
    assert refusal.hint is not None and "max_bom_bytes" in refusal.hint


@COMMANDS
def test_error_not_json_or_xml(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "bom.yaml", b"bomFormat: CycloneDX\n")
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error.startswith(f"error: {bom} is neither JSON nor XML: Expecting value")
    assert (
        refusal.hint == "hint: aibom reads CycloneDX BOMs as JSON or XML (aibom scan writes either)"
    )


@COMMANDS
def test_error_xml_with_a_doctype(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "bom.xml", f"<!DOCTYPE bom><bom xmlns='{NS}' version='1'/>".encode())
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom}: XML with a DOCTYPE or entity declarations is not read"


@COMMANDS
def test_error_xml_entities(tmp_path: Path, command: Command) -> None:
    """A billion-laughs document: refused at its DTD, no entity expanded."""
    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    text = f"<?xml version='1.0'?><!DOCTYPE bom [{entities}]><bom xmlns='{NS}'>&j;</bom>"
    refusal = _refused(tmp_path, command, str(write(tmp_path / "bom.xml", text.encode())))
    assert "XML with a DOCTYPE or entity declarations is not read" in refusal.error


@COMMANDS
def test_error_not_cyclonedx(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "spdx.json", {"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT"})
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f'error: {bom} is not a CycloneDX BOM (no "bomFormat": "CycloneDX")'
    assert refusal.hint is not None and "SPDX" in refusal.hint


@COMMANDS
def test_error_unsupported_spec_version(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "old.json", cyclonedx("1.1"))
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom}: CycloneDX 1.1 is not supported"
    assert refusal.hint is not None and "1.2, 1.3, 1.4, 1.5, 1.6, 1.7" in refusal.hint


@COMMANDS
def test_error_too_deep(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "deep.json", nested(40))
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom} is nested more than 64 levels deep; not read"


@COMMANDS
def test_error_stdin(tmp_path: Path, command: Command) -> None:
    """``-`` reads stdin, under the same policy; messages call it ``stdin``."""
    refusal = _refused(tmp_path, command, "-", stdin=json.dumps({"bomFormat": "SPDX"}).encode())
    assert refusal.error == 'error: stdin is not a CycloneDX BOM (no "bomFormat": "CycloneDX")'


def _xml_bom(body: str = "", version: str = "1.6") -> bytes:
    ns = f"http://cyclonedx.org/schema/bom/{version}"
    return f'<?xml version="1.0"?><bom xmlns="{ns}" version="1">{body}</bom>'.encode()


@COMMANDS
def test_error_truncated_json(tmp_path: Path, command: Command) -> None:
    whole = json.dumps(nested(5)).encode()
    bom = write(tmp_path / "cut.json", whole[: len(whole) // 2])
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error.startswith(f"error: {bom} is neither JSON nor XML: ")
    assert "line 1 column" in refusal.error


@COMMANDS
def test_error_truncated_xml(tmp_path: Path, command: Command) -> None:
    whole = _xml_bom("<components>" + '<component type="library"><name>a</name></component>' * 9)
    bom = write(tmp_path / "cut.xml", whole[: len(whole) // 2])
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error.startswith(f"error: {bom} is not well-formed XML: ")


@COMMANDS
def test_error_xml_too_deep(tmp_path: Path, command: Command) -> None:
    depth = 5000  # far past the limit, and past what a recursive converter would survive
    body = '<components><component type="library"><name>n</name><components>' * depth
    body += "</components></component></components>" * depth
    bom = write(tmp_path / "deep.xml", _xml_bom(body))
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom} is nested more than 64 levels deep; not read"


@COMMANDS
def test_error_xml_of_an_unsupported_version(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "old.xml", _xml_bom("<components/>", "1.1"))
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error == f"error: {bom}: CycloneDX 1.1 is not supported"


@COMMANDS
def test_error_xml_not_cyclonedx(tmp_path: Path, command: Command) -> None:
    bom = write(tmp_path / "other.xml", b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='urn:r'/>")
    refusal = _refused(tmp_path, command, str(bom))
    assert refusal.error.startswith(f"error: {bom} is not a CycloneDX BOM (the root element")
