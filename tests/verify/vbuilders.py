"""Builders for verification tests: keys, CA chains and certificates, signed models, scans."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from aibom.scan import ScanOptions, ScanResult, scan
from aibom.signing import sign_model
from aibom.verify.sign import oms_statement, sign_statement_with_key
from tests.builders import write_model

NOW = dt.datetime.now(dt.timezone.utc)


def scan_path(path: Path) -> ScanResult:
    return scan(ScanOptions(targets=(path,), use_cache=False))


@dataclass
class KeyPair:
    private: ec.EllipticCurvePrivateKey
    private_pem: Path
    public_pem: Path


def write_keypair(
    folder: Path, name: str = "signer", curve: ec.EllipticCurve | None = None
) -> KeyPair:
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(curve or ec.SECP256R1())
    private = folder / f"{name}.key.pem"
    public = folder / f"{name}.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(key, private, public)


@dataclass
class CertAuthority:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    pem: Path

    def issue(
        self,
        key: ec.EllipticCurvePrivateKey,
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        signing: bool = True,
    ) -> x509.Certificate:
        usage = x509.KeyUsage(signing, False, not signing, False, False, False, False, False, False)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "model publisher")]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - dt.timedelta(days=1))
            .not_valid_after(not_after or NOW + dt.timedelta(days=30))
            .add_extension(usage, critical=True)
            .add_extension(
                x509.SubjectAlternativeName([x509.RFC822Name("publisher@aibom.test")]),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if signing:
            eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING])
            builder = builder.add_extension(eku, critical=False)
        return builder.sign(self.key, hashes.SHA256())


def make_ca(folder: Path, name: str = "ca") -> CertAuthority:
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"aibom test {name}")])
    usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=10))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = folder / f"{name}.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return CertAuthority(key, cert, pem)


def write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def model(folder: Path, *, extra: dict[str, bytes] | None = None) -> Path:
    write_model(folder)
    for name, data in (extra or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def key_sign(folder: Path, keys: KeyPair, output: Path | None = None) -> Path:
    """Sign a model folder with aibom's own signer (model.sig inside it unless told otherwise)."""
    out = output or folder / "model.sig"
    out.write_text(sign_model(folder, out, keys.private_pem, None, (), use_cache=False))
    return out


def envelope_statement(bundle_path: Path) -> dict[str, Any]:
    import base64

    bundle = json.loads(bundle_path.read_text())
    payload = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    assert isinstance(payload, dict)
    return payload


def resign(bundle_path: Path, statement: dict[str, Any], keys: KeyPair) -> None:
    """Replace a key bundle's statement and sign it again (to build validly signed odd manifests)."""
    bundle_path.write_text(sign_statement_with_key(statement, keys.private))


def statement_for(files: dict[str, str], name: str = "m") -> dict[str, Any]:
    from aibom.verify.sign import ModelFile

    return oms_statement(name, [ModelFile(p, d) for p, d in files.items()], [])


def cert_bundle(
    statement: dict[str, Any], key: ec.EllipticCurvePrivateKey, chain: list[x509.Certificate]
) -> str:
    """A certificate-method bundle as model-signing writes it: leaf first, then the chain."""
    import base64

    text = json.loads(sign_statement_with_key(statement, key))
    material = text["verificationMaterial"]
    del material["publicKey"]
    material["x509CertificateChain"] = {
        "certificates": [
            {"rawBytes": base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()}
            for c in chain
        ]
    }
    return json.dumps(text)


def message_bundle(data: bytes, key: ec.EllipticCurvePrivateKey) -> str:
    """A key bundle holding a message signature over ``data`` (ECDSA P-256 over its SHA-256)."""
    import base64
    import hashlib

    from aibom.verify.keys import key_hint

    digest = hashlib.sha256(data).digest()
    signature = key.sign(data, ec.ECDSA(hashes.SHA256()))
    return json.dumps(
        {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "publicKey": {"hint": key_hint(key.public_key())},
                "tlogEntries": [],
            },
            "messageSignature": {
                "messageDigest": {
                    "algorithm": "SHA2_256",
                    "digest": base64.b64encode(digest).decode(),
                },
                "signature": base64.b64encode(signature).decode(),
            },
        }
    )
