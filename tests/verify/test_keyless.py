"""Keyless (Sigstore) model signatures, made by a private Sigstore instance and checked by unmodified
sigstore-python, offline."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from aibom.errors import UsageError
from aibom.verify import Method, ProblemKind, Status, VerifyOptions, verify_models
from aibom.verify.report import verification_properties
from aibom.verify.sigstore_verify import production_root_bytes
from tests.verify.keyless import EPOCH, PrivateSigstore
from tests.verify.vbuilders import model, scan_path, statement_for

IDENTITY = "release-bot@aibom.test"
ISSUER = "https://oidc.aibom.test"


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "model.sig"
    }


def signed_model(folder: Path, root: PrivateSigstore, **kwargs: Any) -> Path:
    model(folder)
    bundle = root.sign_dsse(statement_for(_digests(folder), folder.name), **kwargs)
    (folder / "model.sig").write_text(json.dumps(bundle))
    return folder


def _verify(
    folder: Path, trusted_root: Path | None, identity: str = IDENTITY, issuer: str = ISSUER
) -> Any:
    options = VerifyOptions(identity=identity, issuer=issuer, trusted_root=trusted_root)
    scanned = scan_path(folder)
    [result] = verify_models(scanned.inventory, scanned.artifacts, options)
    return result


def test_keyless_signature_verifies_with_identity_time_and_root(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    v = _verify(folder, root_file)
    assert v.status is Status.VERIFIED, v.message
    assert v.method is Method.SIGSTORE
    assert v.signer is not None
    assert (v.signer.identity, v.signer.issuer) == (IDENTITY, ISSUER)
    assert v.signed_at == EPOCH
    assert v.time_source == "transparency-log"
    assert v.trust_root_sha256 == hashlib.sha256(root_file.read_bytes()).hexdigest()
    props = dict(verification_properties(v))
    assert props["aibom:signature:status"] == "verified"
    assert props["aibom:signature:identity"] == IDENTITY
    assert props["aibom:signature:trust-root-sha256"] == v.trust_root_sha256


def test_client_trust_config_is_accepted_as_trusted_root(
    tmp_path: Path, sigstore_root: PrivateSigstore
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    config = tmp_path / "trust_config.json"
    config.write_text(json.dumps(sigstore_root.client_trust_config()))
    assert _verify(folder, config).status is Status.VERIFIED


def test_uri_identity_such_as_a_workflow_verifies(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    workflow = "https://github.test/org/repo/.github/workflows/release.yml@refs/tags/v1"
    folder = signed_model(tmp_path / "m", sigstore_root, identity=workflow)
    assert _verify(folder, root_file, identity=workflow).status is Status.VERIFIED


@pytest.mark.parametrize(
    ("identity", "issuer", "expected"),
    [
        ("someone-else@aibom.test", ISSUER, "SANs do not match"),
        (IDENTITY, "https://other-issuer.test", "issuer"),
    ],
    ids=["wrong-identity", "wrong-issuer"],
)
def test_wrong_identity_or_issuer_is_invalid(
    tmp_path: Path,
    sigstore_root: PrivateSigstore,
    root_file: Path,
    identity: str,
    issuer: str,
    expected: str,
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    v = _verify(folder, root_file, identity=identity, issuer=issuer)
    assert v.status is Status.INVALID
    assert expected.lower() in v.message.lower()


def test_unrelated_root_is_invalid(
    tmp_path: Path, sigstore_root: PrivateSigstore, other_root: PrivateSigstore
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    other = tmp_path / "other_root.json"
    other.write_text(json.dumps(other_root.trusted_root()))
    v = _verify(folder, other)
    assert v.status is Status.INVALID
    assert "certificate chain" in v.message


def test_changed_integrated_time_breaks_the_signed_entry_timestamp(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    sig = folder / "model.sig"
    bundle = json.loads(sig.read_text())
    entry = bundle["verificationMaterial"]["tlogEntries"][0]
    entry["integratedTime"] = str(int(entry["integratedTime"]) + 60)
    sig.write_text(json.dumps(bundle))
    v = _verify(folder, root_file)
    assert v.status is Status.INVALID
    assert "inclusion promise" in v.message or "SET" in v.message


def test_tampered_file_is_a_mismatch_with_a_valid_signature(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    (folder / "config.json").write_text('{"model_type": "evil"}')
    v = _verify(folder, root_file)
    assert v.status is Status.MISMATCH
    assert [(p.path, p.kind) for p in v.problems] == [("config.json", ProblemKind.CHANGED)]
    assert v.signer is not None and v.signer.identity == IDENTITY


def test_default_root_is_the_embedded_production_root(
    tmp_path: Path, sigstore_root: PrivateSigstore
) -> None:
    """Without --trusted-root the production root shipped in sigstore is used: a bundle from the private
    test instance does not chain to it, and the report names the root and its digest."""
    folder = signed_model(tmp_path / "m", sigstore_root)
    v = _verify(folder, None)
    data, label = production_root_bytes()
    assert v.status is Status.INVALID
    assert v.trust_root == label and "embedded in sigstore" in label
    assert v.trust_root_sha256 == hashlib.sha256(data).hexdigest()


def test_verification_makes_no_network_connection(
    tmp_path: Path,
    sigstore_root: PrivateSigstore,
    root_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    assert _verify(folder, root_file).status is Status.VERIFIED
    assert _verify(folder, None).status is Status.INVALID  # production root: still no network
    assert attempts == []


def test_identity_without_issuer_is_a_usage_error(
    tmp_path: Path, sigstore_root: PrivateSigstore
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    scanned = scan_path(folder)
    with pytest.raises(UsageError, match="both --identity and --issuer"):
        verify_models(scanned.inventory, scanned.artifacts, VerifyOptions(identity=IDENTITY))


def test_trusted_root_that_is_not_a_root_is_a_usage_error(
    tmp_path: Path, sigstore_root: PrivateSigstore
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    bad = tmp_path / "root.json"
    bad.write_text('{"mediaType": "application/json"}')
    with pytest.raises(UsageError, match="neither a Sigstore trusted root"):
        _verify(folder, bad)


def test_v02_bundle_with_a_certificate_chain_verifies(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    sig = folder / "model.sig"
    bundle = json.loads(sig.read_text())
    bundle["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2"
    material = bundle["verificationMaterial"]
    material["x509CertificateChain"] = {"certificates": [material.pop("certificate")]}
    sig.write_text(json.dumps(bundle))
    assert _verify(folder, root_file).status is Status.VERIFIED


def test_truncated_keyless_bundle_is_invalid(
    tmp_path: Path, sigstore_root: PrivateSigstore, root_file: Path
) -> None:
    folder = signed_model(tmp_path / "m", sigstore_root)
    sig = folder / "model.sig"
    sig.write_bytes(sig.read_bytes()[:-40])
    v = _verify(folder, root_file)
    assert v.status is Status.INVALID
    assert "not JSON" in v.message
