"""The click commands: exit codes, output formats, and what they write (and do not)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from aibom.cli.exit import ExitCode
from aibom.cli.verify import sign, sign_bom, verify, verify_bom
from aibom.errors import AibomError
from tests.builders import snapshot_tree
from tests.verify.keyless import PrivateSigstore
from tests.verify.vbuilders import (
    KeyPair,
    key_sign,
    message_bundle,
    model,
    scan_path,
    write_keypair,
)


def _run(command: object, *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr. The commands raise ``AibomError``/``OSError`` for
    ``aibom.cli.main.main`` to report as ``error: ...`` with exit code 2: shown here the same way
    (``test_errors_exit_2_through_the_console_script`` proves the real path in a subprocess)."""
    result = CliRunner().invoke(command, list(args))  # type: ignore[arg-type]
    if isinstance(result.exception, AibomError):
        return ExitCode.ERROR, result.stdout, result.stderr + result.exception.diagnostics()
    if isinstance(result.exception, OSError):
        return ExitCode.ERROR, result.stdout, result.stderr + f"error: {result.exception}"
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_errors_exit_2_through_the_console_script(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    aibom = Path(sys.executable).with_name("aibom")
    done = subprocess.run(
        [str(aibom), "verify", str(folder), "--identity", "a@b.test", "-o", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: keyless verification needs both --identity and --issuer")
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "r").exists()


def test_verify_exit_0_with_json_report(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    code, out, _err = _run(verify, str(folder), "--key", str(keys.public_pem), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] is True
    assert [m["status"] for m in doc["models"]] == ["verified"]


def test_verify_exit_1_on_tampering_with_text_report(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / "config.json").write_text("{}")
    code, out, _err = _run(verify, str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert "mismatch: m [key]" in out and "changed: config.json" in out
    assert out.rstrip().endswith("result: FAILED")


def test_verify_exit_1_when_a_signature_cannot_be_checked(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    code, out, _err = _run(verify, str(folder))
    assert code == 1
    assert "not_checked: m" in out


def test_verify_unsigned_model_passes_without_trust_but_fails_with_it(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder = model(tmp_path / "m")
    assert _run(verify, str(folder))[0] == 0
    code, out, _err = _run(verify, str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert "unsigned: m" in out


def test_verify_drift_exit_codes_and_output_file(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    old = tmp_path / "old.cdx.json"
    old.write_text(scan_path(folder).document)
    report = tmp_path / "report.json"
    assert (
        _run(verify, str(folder), "--bom", str(old), "-o", str(report), "--format", "json")[0] == 0
    )
    assert json.loads(report.read_text())["drift"]["drift"] is False
    (folder / "model.safetensors").write_bytes(b"\x00" * 64)
    code, out, _err = _run(verify, str(folder), "--bom", str(old))
    assert code == 1
    assert "~ model.safetensors (SHA-256 changed)" in out


def test_verify_drift_against_an_xml_bom_from_stdin(tmp_path: Path) -> None:
    from aibom.scan import ScanOptions, scan

    folder = model(tmp_path / "m")
    xml = scan(ScanOptions(targets=(folder,), use_cache=False, output_format="xml")).document
    result = CliRunner().invoke(verify, [str(folder), "--bom", "-", "--format", "json"], input=xml)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drift"] == {
        "drift": False,
        "old_spec_version": "1.6",
        "added": [],
        "removed": [],
        "changed": [],
    }


def test_verify_usage_errors_exit_2(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    code, _out, err = _run(verify, str(folder), "--identity", "a@b.test")
    assert code == 2
    assert "error: keyless verification needs both --identity and --issuer" in err
    not_bom = tmp_path / "x.json"
    not_bom.write_text("[]")
    code, _out, err = _run(verify, str(folder), "--bom", str(not_bom))
    assert (code, "not a CycloneDX BOM" in err) == (2, True)
    code, _out, err = _run(verify, str(folder), "--key", str(keys.private_pem))
    assert (code, "not a PEM public key" in err) == (2, True)


def test_side_bundles_beside_files_are_verified(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    weights = folder / "model.safetensors"
    (folder / "model.safetensors.sigstore.json").write_text(
        message_bundle(weights.read_bytes(), keys.private)
    )
    code, out, _err = _run(verify, str(folder), "--key", str(keys.public_pem), "--format", "json")
    doc = json.loads(out)
    assert [(a["subject"], a["status"]) for a in doc["artifacts"]] == [
        ("m/model.safetensors", "verified")
    ]
    assert [m["status"] for m in doc["models"]] == ["unsigned"]
    assert code == 1  # trust material given and the model itself is unsigned
    weights.write_bytes(weights.read_bytes() + b" ")
    doc = json.loads(
        _run(verify, str(folder), "--key", str(keys.public_pem), "--format", "json")[1]
    )
    assert doc["artifacts"][0]["status"] == "mismatch"


def test_keyless_side_bundle_with_dsse_subject(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    import hashlib

    folder = model(tmp_path / "m")
    data = (folder / "config.json").read_bytes()
    statement: dict[str, object] = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": "config.json", "digest": {"sha256": hashlib.sha256(data).hexdigest()}}
        ],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {},
    }
    (folder / "config.json.sigstore").write_text(json.dumps(sigstore_root.sign_dsse(statement)))
    args = ["--identity", "release-bot@aibom.test", "--issuer", "https://oidc.aibom.test"]
    out = _run(verify, str(folder), *args, "--trusted-root", str(root_file), "--format", "json")[1]
    [artifact] = json.loads(out)["artifacts"]
    assert (artifact["status"], artifact["method"]) == ("verified", "sigstore")
    assert artifact["signer"]["identity"] == "release-bot@aibom.test"


def test_sign_writes_only_model_sig_and_refuses_to_overwrite(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    before = snapshot_tree(folder)
    code, out, err = _run(sign, str(folder), "--key", str(keys.private_pem))
    assert (code, out) == (0, "")
    assert "signed" in err
    after = snapshot_tree(folder)
    assert set(after) - set(before) == {str(folder / "model.sig")}
    assert all(after[p] == before[p] for p in before)
    code, _out, err = _run(sign, str(folder), "--key", str(keys.private_pem))
    assert code == 2 and "exists" in err and "--force" in err
    assert _run(sign, str(folder), "--key", str(keys.private_pem), "--force")[0] == 0
    assert _run(verify, str(folder), "--key", str(keys.public_pem))[0] == 0


def test_sign_usage_errors(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    assert _run(sign, str(folder))[0] == 2
    code, _out, err = _run(sign, str(folder / "model.safetensors"), "--key", str(keys.private_pem))
    assert code == 2 and "needs -o" in err
    code, _out, err = _run(sign, str(folder), "--key", str(keys.public_pem))
    assert code == 2 and "cannot load private key" in err


def test_sign_bom_and_verify_bom(tmp_path: Path, keys: KeyPair) -> None:
    bom = tmp_path / "bom.cdx.json"
    bom.write_text(scan_path(model(tmp_path / "m")).document)
    bundle = tmp_path / "bom.cdx.json.sigstore.json"
    assert _run(sign_bom, str(bom), "--key", str(keys.private_pem), "-o", str(bundle))[0] == 0
    statement = json.loads(
        __import__("base64").b64decode(json.loads(bundle.read_text())["dsseEnvelope"]["payload"])
    )
    assert statement["predicateType"] == "https://cyclonedx.org/bom"
    assert statement["predicate"] == json.loads(bom.read_text())
    code, out, _err = _run(verify_bom, str(bom), "--key", str(keys.public_pem), "--format", "json")
    assert (code, json.loads(out)["status"]) == (0, "verified")
    other = write_keypair(tmp_path / "other", "other")
    assert _run(verify_bom, str(bom), "--key", str(other.public_pem))[0] == 1
    bom.write_text(bom.read_text().replace('"name"', '"name" ', 1))
    code, out, _err = _run(verify_bom, str(bom), "--key", str(keys.public_pem))
    assert code == 1 and "covers a different BOM" in out


def test_sign_bom_refuses_non_boms(tmp_path: Path, keys: KeyPair) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    code, _out, err = _run(sign_bom, str(path), "--key", str(keys.private_pem))
    assert code == 2 and "not a CycloneDX BOM" in err


def test_sign_refuses_a_folder_with_unreadable_entries(tmp_path: Path, keys: KeyPair) -> None:
    import os

    folder = model(tmp_path / "m")
    os.mkfifo(folder / "pipe")
    code, _out, err = _run(sign, str(folder), "--key", str(keys.private_pem))
    assert code == 2
    assert "cannot sign: 1 path(s) could not be read" in err and "FIFO" in err
    assert not (folder / "model.sig").exists()


def test_sign_ignore_path_leaves_files_unsigned(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m", extra={"scratch/notes.txt": b"local"})
    args = ["--key", str(keys.private_pem), "--ignore-path", "scratch"]
    assert _run(sign, str(folder), *args)[0] == 0
    code, out, _err = _run(verify, str(folder), "--key", str(keys.public_pem))
    assert code == 0, out
    (folder / "scratch" / "notes.txt").write_text("changed, but never signed")
    assert _run(verify, str(folder), "--key", str(keys.public_pem))[0] == 0


def test_explicit_signature_is_checked_even_without_a_model(tmp_path: Path, keys: KeyPair) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    sig = tmp_path / "notes.sig"
    from aibom.signing import sign_model

    sig.write_text(sign_model(folder, sig, keys.private_pem, None, (), use_cache=False))
    args = ["--signature", str(sig), "--key", str(keys.public_pem), "--format", "json"]
    code, out, _err = _run(verify, str(folder), *args)
    assert (code, [m["status"] for m in json.loads(out)["models"]]) == (0, ["verified"])
    (folder / "a.txt").write_text("changed")
    code, out, _err = _run(verify, str(folder), *args)
    assert (code, [m["status"] for m in json.loads(out)["models"]]) == (1, ["mismatch"])
