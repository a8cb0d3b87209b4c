"""Cross-checks with model-signing, the reference implementation (a dev dependency: a missing package
fails this module, it is never skipped)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import model_signing as ms
import pytest

from aibom.signing import sign_model
from aibom.verify import ProblemKind, Status, Verification, VerifyOptions, verify_models
from tests.verify.keyless import PrivateSigstore
from tests.verify.vbuilders import KeyPair, key_sign, make_ca, model, scan_path, write_cert

MS_CLI = [sys.executable, "-m", "model_signing"]


def _signing() -> Any:
    return ms.signing.Config()  # type: ignore[no-untyped-call]


def _verifying() -> Any:
    return ms.verifying.Config()  # type: ignore[no-untyped-call]


def _hashing() -> Any:
    return ms.hashing.Config()  # type: ignore[no-untyped-call]


def _ms_sign(folder: Path, keys: KeyPair, hashing: Any) -> Path:
    sig = folder / "model.sig"
    hashing.set_ignored_paths(paths=["model.sig"])
    _signing().use_elliptic_key_signer(private_key=keys.private_pem).set_hashing_config(
        hashing
    ).sign(folder, sig)
    return sig


def _aibom(folder: Path, **options: Any) -> Verification:
    scanned = scan_path(folder)
    [v] = verify_models(scanned.inventory, scanned.artifacts, VerifyOptions(**options))
    return v


def test_aibom_signature_is_verified_by_the_model_signing_cli(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder = model(tmp_path / "m", extra={"sub/vocab.txt": b"a\nb\n", "empty.bin": b""})
    key_sign(folder, keys)
    argv = [*MS_CLI, "verify", "key", str(folder), "--signature", str(folder / "model.sig")]
    ok = subprocess.run(
        [*argv, "--public_key", str(keys.public_pem)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert "Verification succeeded" in ok.stdout
    (folder / "config.json").write_text("{}")
    bad = subprocess.run(
        [*argv, "--public_key", str(keys.public_pem)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "config.json" in bad.stderr + bad.stdout


def test_aibom_signature_is_verified_by_the_model_signing_api(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder = model(tmp_path / "m")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_bytes(
        b"\x00"
    )  # never walked by aibom: must be ignored
    key_sign(folder, keys)
    _verifying().use_elliptic_key_verifier(public_key=keys.public_pem).verify(
        folder, folder / "model.sig"
    )


def test_single_file_signature_interoperates(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    weights = folder / "model.safetensors"
    sig = tmp_path / "weights.sig"
    sig.write_text(sign_model(weights, sig, keys.private_pem, None, (), use_cache=False))
    _verifying().use_elliptic_key_verifier(public_key=keys.public_pem).verify(weights, sig)
    assert _aibom(weights, key=keys.public_pem, signature=sig).status is Status.VERIFIED


@pytest.mark.parametrize("algorithm", ["sha256", "blake2", "blake3"])
def test_model_signing_file_manifests_verify(tmp_path: Path, keys: KeyPair, algorithm: str) -> None:
    folder = model(tmp_path / "m", extra={"sub/data.txt": b"x" * 5000})
    _ms_sign(folder, keys, _hashing().use_file_serialization(hashing_algorithm=algorithm))
    v = _aibom(folder, key=keys.public_pem)
    assert v.status is Status.VERIFIED, (v.message, v.problems)
    (folder / "sub" / "data.txt").write_bytes(b"x" * 4999 + b"y")
    v = _aibom(folder, key=keys.public_pem)
    assert [(p.path, p.kind) for p in v.problems] == [("sub/data.txt", ProblemKind.CHANGED)]


def test_model_signing_shard_manifest_verifies_per_range(tmp_path: Path, keys: KeyPair) -> None:
    """Sharded manifests write ``sha256-sharded-<n>`` algorithms (not OMS v1.0 conformant, research note
    A.1.7 item 4) and ``path:start:end`` names; both are accepted and each range is checked."""
    folder = model(tmp_path / "m", extra={"blob.bin": bytes(range(256)) * 10, "zero.bin": b""})
    hashing = _hashing().use_shard_serialization(shard_size=1000)
    _ms_sign(folder, keys, hashing)
    assert _aibom(folder, key=keys.public_pem).status is Status.VERIFIED
    data = bytearray((folder / "blob.bin").read_bytes())
    data[1500] ^= 0xFF
    (folder / "blob.bin").write_bytes(bytes(data))
    v = _aibom(folder, key=keys.public_pem)
    assert [(p.path, p.detail) for p in v.problems] == [
        ("blob.bin", "sha256 bytes 1000-2000 differs")
    ]


def test_model_signing_certificate_signature_verifies(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    ca = make_ca(tmp_path / "pki")
    leaf = write_cert(tmp_path / "leaf.pem", ca.issue(keys.private))
    hashing = _hashing().set_ignored_paths(paths=["model.sig"])
    _signing().use_certificate_signer(
        private_key=keys.private_pem, signing_certificate=leaf, certificate_chain=[ca.pem]
    ).set_hashing_config(hashing).sign(folder, folder / "model.sig")
    v = _aibom(folder, certificate_chain=(ca.pem,))
    assert v.status is Status.VERIFIED, v.message
    assert v.signer is not None and v.signer.subject == "CN=model publisher"


def test_private_sigstore_bundle_is_accepted_by_model_signing_too(
    tmp_path: Path, sigstore_root: PrivateSigstore, keys: KeyPair
) -> None:
    """The keyless fixtures are real: model-signing's own Sigstore verifier accepts them."""
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    statement = json.loads(
        __import__("base64").b64decode(
            json.loads((folder / "model.sig").read_text())["dsseEnvelope"]["payload"]
        )
    )
    (folder / "model.sig").write_text(json.dumps(sigstore_root.sign_dsse(statement)))
    config = tmp_path / "trust_config.json"
    config.write_text(json.dumps(sigstore_root.client_trust_config()))
    _verifying().use_sigstore_verifier(
        identity="release-bot@aibom.test",
        oidc_issuer="https://oidc.aibom.test",
        trust_config=config,
    ).verify(folder, folder / "model.sig")


def test_blake3_without_the_library_is_not_checked(
    tmp_path: Path, keys: KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = model(tmp_path / "m")
    _ms_sign(folder, keys, _hashing().use_file_serialization(hashing_algorithm="blake3"))
    monkeypatch.setitem(sys.modules, "blake3", None)
    v = _aibom(folder, key=keys.public_pem)
    assert v.status is Status.NOT_CHECKED
    assert {p.kind for p in v.problems} == {ProblemKind.UNCHECKED}
    assert "cannot compute blake3" in v.problems[0].detail
