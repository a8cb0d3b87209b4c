"""Key and certificate-chain signatures, verified with ``cryptography`` only (no network, no web PKI).

- ``--key PUB.pem``: the DSSE signature must verify under that key; the bundle's key hint, when present,
  must name it (model-signing writes ``hex(sha256(PEM SubjectPublicKeyInfo))``).
- ``--certificate-chain CA.pem``: the leaf in the bundle must chain to one of the given CAs *now* (an
  expired or not-yet-valid leaf is rejected: there is no trusted time to check it at, and model-signing
  1.1.1's habit of checking at the leaf's notBefore accepts expired certificates). There is never a
  fallback to a system or certifi trust store.

Cryptography is imported inside functions: ``aibom --help`` must stay fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.bundle import ParsedBundle, pae, read_bounded
from aibom.verify.results import BundleError, Method, SignatureError, SignedContent, Signer

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
    from cryptography.hazmat.primitives.hashes import HashAlgorithm
    from cryptography.x509.verification import ClientVerifier


@dataclass(frozen=True)
class KeyTrust:
    key: PublicKeyTypes
    source: str
    sha256: str


@dataclass(frozen=True)
class CertTrust:
    cas: tuple[x509.Certificate, ...]
    source: str
    sha256: str


def _read_trust_file(path: Path, what: str) -> bytes:
    try:
        return read_bounded(path, DEFAULT_LIMITS.max_trust_file_bytes, what)
    except (OSError, BundleError) as exc:
        raise UsageError(f"cannot read {what} {path}: {exc}") from None


def load_key(path: Path) -> KeyTrust:
    from cryptography.hazmat.primitives import serialization

    data = _read_trust_file(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise UsageError(
            f"{path} is not a PEM public key",
            hint="give the public half: openssl pkey -in private.pem -pubout -out public.pem",
        ) from None
    return KeyTrust(key, path.name, hashlib.sha256(data).hexdigest())


def load_cas(paths: tuple[Path, ...]) -> CertTrust:
    from cryptography import x509

    blobs = [_read_trust_file(p, "certificate chain") for p in paths]
    data = b"".join(blobs)
    try:
        cas = tuple(x509.load_pem_x509_certificates(data))
    except ValueError:
        raise UsageError(f"{', '.join(map(str, paths))}: no PEM certificate found") from None
    name = ", ".join(p.name for p in paths)
    return CertTrust(cas, name, hashlib.sha256(data).hexdigest())


def key_fingerprint(key: PublicKeyTypes) -> str:
    from cryptography.hazmat.primitives import serialization

    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "sha256:" + hashlib.sha256(der).hexdigest()


def key_hint(key: PublicKeyTypes) -> str:
    """model-signing's key hint: hex SHA-256 of the PEM SubjectPublicKeyInfo."""
    from cryptography.hazmat.primitives import serialization

    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


def _pae_compat(payload_type: str, payload: bytes) -> bytes:
    """model-signing v0.2 signed ``f"DSSEV1 ... {payload}"`` with the bytes' repr (its bug, kept for
    old signatures only; a valid signature over these bytes still needs the signer's key)."""
    return f"DSSEV1 {len(payload_type)} {payload_type} {len(payload)} {payload!r}".encode()


def check_signature(key: PublicKeyTypes, signature: bytes, data: bytes, *, prehashed: bool) -> None:
    """Raise ``SignatureError`` unless ``signature`` is valid for ``data`` (or its digest) under key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils

    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            algorithm = _ec_hash(key)
            chosen = utils.Prehashed(algorithm) if prehashed else algorithm
            key.verify(signature, data, ec.ECDSA(chosen))
        elif isinstance(key, ed25519.Ed25519PublicKey) and not prehashed:
            key.verify(signature, data)
        else:
            raise SignatureError(f"unsupported signing key type {type(key).__name__}")
    except InvalidSignature:
        raise SignatureError("signature does not verify with the given key") from None


def _ec_hash(key: ec.EllipticCurvePublicKey) -> HashAlgorithm:
    """model-signing's rule: the hash follows the curve size (P-256 SHA-256, P-384, P-521 SHA-512)."""
    from cryptography.hazmat.primitives import hashes

    size = key.curve.key_size
    return hashes.SHA384() if size == 384 else hashes.SHA512() if size == 521 else hashes.SHA256()


def _verify_envelope(key: PublicKeyTypes, bundle: ParsedBundle) -> list[str]:
    env = bundle.envelope
    assert env is not None
    try:
        check_signature(key, env.signature, pae(env.payload_type, env.payload), prehashed=False)
        return []
    except SignatureError as first:
        try:
            compat = _pae_compat(env.payload_type, env.payload)
            check_signature(key, env.signature, compat, prehashed=False)
        except SignatureError:
            raise first from None
        return ["legacy model-signing v0.2 signature encoding"]


def verify_with_key(bundle: ParsedBundle, trust: KeyTrust) -> SignedContent:
    if bundle.certificates:
        raise SignatureError(
            "the bundle was signed with a certificate, not a bare key: use --certificate-chain "
            "or --identity/--issuer"
        )
    if bundle.key_hint and bundle.key_hint.lower() != key_hint(trust.key):
        raise SignatureError("signed by a different key (the bundle's key hint names another key)")
    env = bundle.envelope
    if env is None:
        raise SignatureError("the bundle holds no DSSE envelope")
    warnings = _verify_envelope(trust.key, bundle)
    signer = Signer(key_fingerprint=key_fingerprint(trust.key))
    return SignedContent(
        env.payload_type, env.payload, Method.KEY, signer, warnings=tuple(warnings)
    )


# ---------------------------------------------------------------- certificate chains


def _chain_policy(cas: tuple[x509.Certificate, ...], when: dt.datetime) -> ClientVerifier:
    from cryptography import x509
    from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store

    eku = x509.ExtendedKeyUsage
    ca_policy = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        eku, Criticality.NON_CRITICAL, None
    )
    ee_policy = (
        ExtensionPolicy.webpki_defaults_ee()
        .may_be_present(eku, Criticality.NON_CRITICAL, None)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        .may_be_present(x509.AuthorityKeyIdentifier, Criticality.NON_CRITICAL, None)
    )
    return (
        PolicyBuilder()
        .store(Store(list(cas)))
        .time(when)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
        .build_client_verifier()
    )


def _load_chain(bundle: ParsedBundle) -> list[x509.Certificate]:
    from cryptography import x509

    try:
        return [x509.load_der_x509_certificate(der) for der in bundle.certificates]
    except ValueError as exc:
        raise BundleError(f"certificate in the bundle is not valid DER ({exc})") from None


def _check_validity(leaf: x509.Certificate, now: dt.datetime) -> None:
    if now < leaf.not_valid_before_utc:
        raise SignatureError(
            f"signing certificate is not valid before {leaf.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    if now > leaf.not_valid_after_utc:
        raise SignatureError(
            f"signing certificate expired on {leaf.not_valid_after_utc:%Y-%m-%d %H:%M} UTC and the "
            "bundle has no trusted timestamp"
        )


def _check_usage(leaf: x509.Certificate) -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    try:
        if leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature:
            return
    except x509.ExtensionNotFound:
        pass
    try:
        eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.CODE_SIGNING in eku:
            return
    except x509.ExtensionNotFound:
        pass
    raise SignatureError("signing certificate allows neither digitalSignature nor codeSigning")


def certificate_signer(leaf: x509.Certificate) -> Signer:
    from cryptography import x509

    identity = None
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        values = [str(n.value) for n in names if not isinstance(n.value, bytes)]
        identity = values[0] if values else None
    except x509.ExtensionNotFound:
        pass
    subject = leaf.subject.rfc4514_string() or None
    return Signer(
        identity=identity, subject=subject, key_fingerprint=key_fingerprint(leaf.public_key())
    )


def verified_leaf(bundle: ParsedBundle, trust: CertTrust) -> x509.Certificate:
    """The bundle's leaf certificate, once it chains to the given CAs now and may sign."""
    from cryptography.x509.verification import VerificationError

    if not bundle.certificates:
        raise SignatureError(
            "the bundle holds no certificate: it was signed with a bare key (--key)"
        )
    leaf, *intermediates = _load_chain(bundle)
    now = dt.datetime.now(dt.timezone.utc)
    _check_validity(leaf, now)
    try:
        _chain_policy(trust.cas, now).verify(leaf, intermediates)
    except VerificationError as exc:
        raise SignatureError(
            f"signing certificate does not chain to the given CA ({exc})"
        ) from None
    _check_usage(leaf)
    return leaf


def verify_with_certificates(bundle: ParsedBundle, trust: CertTrust) -> SignedContent:
    leaf = verified_leaf(bundle, trust)
    env = bundle.envelope
    if env is None:
        raise SignatureError("the bundle holds no DSSE envelope")
    warnings = _verify_envelope(leaf.public_key(), bundle)
    signer = certificate_signer(leaf)
    return SignedContent(
        env.payload_type, env.payload, Method.CERTIFICATE, signer, warnings=tuple(warnings)
    )
