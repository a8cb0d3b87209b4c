"""Certificate-chain choices documented in docs/verify.md: a leaf asserting CA:TRUE is rejected (RFC
5280 section 4.2.1.9), and a leaf given as ``--certificate-chain`` is its own anchor (pinning)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from aibom.verify import Status, Verification, VerifyOptions, verify_models
from tests.verify.vbuilders import (
    NOW,
    CertAuthority,
    KeyPair,
    cert_bundle,
    envelope_statement,
    key_sign,
    make_ca,
    model,
    scan_path,
    write_cert,
)


def _check(folder: Path, *cas: Path) -> Verification:
    scanned = scan_path(folder)
    options = VerifyOptions(certificate_chain=cas)
    [v] = verify_models(scanned.inventory, scanned.artifacts, options)
    return v


def _signed(folder: Path, keys: KeyPair, leaf: x509.Certificate) -> Path:
    model(folder)
    key_sign(folder, keys)
    statement = envelope_statement(folder / "model.sig")
    (folder / "model.sig").write_text(cert_bundle(statement, keys.private, [leaf]))
    return folder


def _leaf(
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    subject: str = "model publisher",
) -> x509.Certificate:
    usage = x509.KeyUsage(True, False, False, False, False, ca, ca, False, False)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name("publisher@aibom.test")]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _ca(tmp_path: Path) -> CertAuthority:
    return make_ca(tmp_path / "pki")


def test_leaf_asserting_ca_true_is_rejected(tmp_path: Path, keys: KeyPair) -> None:
    ca = _ca(tmp_path)
    leaf = _leaf(keys.private, ca.cert.subject, ca.key, ca=True)
    v = _check(_signed(tmp_path / "m", keys, leaf), ca.pem)
    assert v.status is Status.INVALID
    assert "basicConstraints.cA must not be asserted" in v.message
    ee = _leaf(keys.private, ca.cert.subject, ca.key, ca=False)
    assert _check(_signed(tmp_path / "ok", keys, ee), ca.pem).status is Status.VERIFIED


def test_pinned_leaf_is_its_own_anchor(tmp_path: Path, keys: KeyPair) -> None:
    ca = _ca(tmp_path)
    leaf = _leaf(keys.private, ca.cert.subject, ca.key, ca=False)
    folder = _signed(tmp_path / "m", keys, leaf)
    pinned = write_cert(tmp_path / "leaf.pem", leaf)
    assert _check(folder, pinned).status is Status.VERIFIED  # the CA is not needed
    other = _leaf(keys.private, ca.cert.subject, ca.key, ca=False, subject="another")
    v = _check(folder, write_cert(tmp_path / "other.pem", other))  # same key, other certificate
    assert v.status is Status.INVALID


def test_self_signed_leaf_pinned_verifies_but_not_as_a_ca(tmp_path: Path, keys: KeyPair) -> None:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed publisher")])
    leaf = _leaf(keys.private, name, keys.private, ca=False, subject="self-signed publisher")
    folder = _signed(tmp_path / "m", keys, leaf)
    assert _check(folder, write_cert(tmp_path / "self.pem", leaf)).status is Status.VERIFIED
    ca_leaf = _leaf(keys.private, name, keys.private, ca=True, subject="self-signed publisher")
    folder = _signed(tmp_path / "ca", keys, ca_leaf)
    v = _check(folder, write_cert(tmp_path / "self-ca.pem", ca_leaf))
    assert v.status is Status.INVALID  # a CA certificate used directly as the signer
