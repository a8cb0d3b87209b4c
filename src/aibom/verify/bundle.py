"""Sigstore bundles (v0.1-v0.3) read as data: the DSSE envelope or message signature and its material.

This parser serves the key and certificate methods, whose bundles (no transparency-log entry) are
outside what ``sigstore.models.Bundle`` accepts, and it gives every malformed file one clear message
before any cryptography runs. Keyless bundles are handed to sigstore-python as bytes afterwards.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom import _io
from aibom._io import InputTooLarge
from aibom.errors import AibomError
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.results import BundleError

BUNDLE_MEDIA_TYPES = frozenset(
    {
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
        "application/vnd.dev.sigstore.bundle.v0.3+json",
    }
)
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPES = frozenset(
    {"https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"}
)


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signature: bytes


@dataclass(frozen=True)
class MessageSignature:
    algorithm: str
    digest: bytes
    signature: bytes


@dataclass(frozen=True)
class ParsedBundle:
    raw: bytes
    media_type: str
    envelope: Envelope | None
    message: MessageSignature | None
    key_hint: str | None
    certificates: tuple[bytes, ...]
    """DER certificates, leaf first (``certificate`` or ``x509CertificateChain``)."""
    tlog_entries: int

    @property
    def keyless(self) -> bool:
        """Carries a transparency-log entry: a Sigstore (Fulcio + Rekor) bundle."""
        return self.tlog_entries > 0


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding (the bytes actually signed). Five lines of the DSSE spec;
    sigstore-python keeps its copy private."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """Read a small file whole (``aibom._io.read_bounded``), as a ``BundleError`` when too large."""
    try:
        return _io.read_bounded(path, limit, what)
    except InputTooLarge as exc:
        raise BundleError(str(exc)) from None


def require_bundle(path: Path, limit: int, what: str = "signature") -> ParsedBundle:
    """A bundle the user named on the command line: unreadable or not a Sigstore bundle is a
    runtime error (exit 2), not a verification result; nothing was checked against it."""
    try:
        return parse_bundle(read_bounded(path, limit, what))
    except (BundleError, OSError) as exc:
        raise AibomError(f"cannot use {what} {path}: {exc}") from None


def load_json(data: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"{what} is not JSON ({_short(exc)})") from None
    if not isinstance(doc, dict):
        raise BundleError(f"{what} is not a JSON object")
    return doc


def b64decode(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise BundleError(f"{what} is missing or not a string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        try:
            return base64.urlsafe_b64decode(value)
        except (binascii.Error, ValueError):
            raise BundleError(f"{what} is not valid base64") from None


def parse_bundle(data: bytes) -> ParsedBundle:
    doc = load_json(data, "signature file")
    media_type = doc.get("mediaType")
    if media_type not in BUNDLE_MEDIA_TYPES:
        raise BundleError(f"not a Sigstore bundle (mediaType {str(media_type)[:80]!r})")
    material = _obj(doc.get("verificationMaterial"), "verificationMaterial")
    entries = material.get("tlogEntries", [])
    if not isinstance(entries, list):
        raise BundleError("verificationMaterial.tlogEntries is not a list")
    envelope = _envelope(doc["dsseEnvelope"]) if "dsseEnvelope" in doc else None
    message = _message(doc["messageSignature"]) if "messageSignature" in doc else None
    if (envelope is None) == (message is None):
        raise BundleError("bundle must hold exactly one of dsseEnvelope and messageSignature")
    key = material.get("publicKey")
    hint = key.get("hint") if isinstance(key, dict) else None
    return ParsedBundle(
        data,
        str(media_type),
        envelope,
        message,
        hint if isinstance(hint, str) else None,
        _certificates(material),
        len(entries),
    )


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{what} is missing or not an object")
    return value


def _envelope(value: object) -> Envelope:
    env = _obj(value, "dsseEnvelope")
    sigs = env.get("signatures")
    if not isinstance(sigs, list) or len(sigs) != 1:
        raise BundleError("dsseEnvelope must hold exactly one signature")
    payload_type = env.get("payloadType")
    if not isinstance(payload_type, str):
        raise BundleError("dsseEnvelope.payloadType is missing")
    sig = _obj(sigs[0], "dsseEnvelope.signatures[0]")
    return Envelope(
        payload_type,
        b64decode(env.get("payload"), "dsseEnvelope.payload"),
        b64decode(sig.get("sig"), "dsseEnvelope.signatures[0].sig"),
    )


def _message(value: object) -> MessageSignature:
    msg = _obj(value, "messageSignature")
    digest = _obj(msg.get("messageDigest"), "messageSignature.messageDigest")
    return MessageSignature(
        str(digest.get("algorithm", "")),
        b64decode(digest.get("digest"), "messageSignature.messageDigest.digest"),
        b64decode(msg.get("signature"), "messageSignature.signature"),
    )


def _certificates(material: dict[str, Any]) -> tuple[bytes, ...]:
    if "certificate" in material:
        cert = _obj(material["certificate"], "verificationMaterial.certificate")
        return (b64decode(cert.get("rawBytes"), "certificate.rawBytes"),)
    if "x509CertificateChain" in material:
        chain = _obj(material["x509CertificateChain"], "x509CertificateChain")
        certs = chain.get("certificates")
        if not isinstance(certs, list) or not certs:
            raise BundleError("x509CertificateChain.certificates is empty")
        if len(certs) > DEFAULT_LIMITS.max_bundle_certificates:
            raise BundleError(
                f"more than {DEFAULT_LIMITS.max_bundle_certificates} certificates in the bundle"
            )
        return tuple(
            b64decode(_obj(c, "certificate").get("rawBytes"), "certificate.rawBytes") for c in certs
        )
    return ()


def parse_statement(payload_type: str, payload: bytes) -> dict[str, Any]:
    """The in-toto statement a DSSE envelope carries (checked for shape, not yet for meaning)."""
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise BundleError(f"DSSE payload type is {payload_type[:80]!r}, not {IN_TOTO_PAYLOAD_TYPE}")
    statement = load_json(payload, "DSSE payload")
    if statement.get("_type") not in STATEMENT_TYPES:
        raise BundleError("DSSE payload is not an in-toto statement")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not all(isinstance(s, dict) for s in subjects):
        raise BundleError("in-toto statement has no subject list")
    if not isinstance(statement.get("predicateType"), str):
        raise BundleError("in-toto statement has no predicateType")
    return statement


def subject_digests(statement: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, sha256 hex) of every subject that names a SHA-256 digest."""
    out = []
    for subject in statement.get("subject", []):
        digest = subject.get("digest")
        if isinstance(digest, dict) and isinstance(digest.get("sha256"), str):
            out.append((str(subject.get("name", "")), digest["sha256"].lower()))
    return out


def _short(exc: BaseException) -> str:
    return str(exc).split("\n", 1)[0][:120] or type(exc).__name__
