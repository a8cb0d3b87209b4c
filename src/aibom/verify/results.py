"""What a signature check found: one ``Verification`` per model (or per artifact with a bundle).

A signature that could not be checked (no trust material, an unsupported digest) is ``not_checked``,
never ``verified``: a reviewer must be able to tell "checked and good" from "not looked at".
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

CARD_NAMES = frozenset({"readme.md", "model_card.md", "modelcard.md", "dataset_card.md"})
"""Card file names, as ``aibom.sources.classify`` knows them (lower case)."""


class Status(str, enum.Enum):
    VERIFIED = "verified"
    """The signature is valid for the trust material given and every signed file matches."""
    MISMATCH = "mismatch"
    """The signature is valid but files are missing, changed or not covered by it."""
    UNSIGNED = "unsigned"
    """No signature was found."""
    INVALID = "invalid"
    """A signature was found but cannot be trusted: damaged, wrong key or identity, expired, ..."""
    NOT_CHECKED = "not_checked"
    """A signature was found but not checked (no trust material, or an unsupported digest)."""


class Method(str, enum.Enum):
    SIGSTORE = "sigstore"
    KEY = "key"
    CERTIFICATE = "certificate"
    NONE = "none"


class ProblemKind(str, enum.Enum):
    MISSING = "missing"
    """Signed, but not present now."""
    CHANGED = "changed"
    """Present, but its digest differs from the signed one."""
    EXTRA = "extra"
    """Present, but not covered by the signature."""
    UNCHECKED = "unchecked"
    """Could not be compared (unreadable, unsupported digest)."""


@dataclass(frozen=True)
class FileProblem:
    path: str
    """Path inside the signed model (POSIX)."""
    kind: ProblemKind
    detail: str = ""

    def describe(self) -> str:
        text = f"{self.kind.value}: {self.path}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class Signer:
    """Who signed, as far as the trust material establishes it."""

    identity: str | None = None
    """Certificate SAN (e-mail, URI) for Sigstore and certificate signatures."""
    issuer: str | None = None
    """OIDC issuer recorded in a Sigstore certificate."""
    key_fingerprint: str | None = None
    """``sha256:<hex>`` of the DER SubjectPublicKeyInfo of the signing key."""
    subject: str | None = None
    """RFC 4514 subject of the signing certificate (certificate method)."""

    def describe(self) -> str:
        parts = []
        if self.identity:
            parts.append(self.identity)
        if self.issuer:
            parts.append(f"issuer {self.issuer}")
        if self.subject:
            parts.append(f"subject {self.subject}")
        if self.key_fingerprint:
            parts.append(f"key {self.key_fingerprint}")
        return ", ".join(parts) or "unknown signer"


@dataclass
class Verification:
    subject: str
    """Display path of the model root (or of the artifact a bundle covers)."""
    status: Status
    method: Method = Method.NONE
    message: str = ""
    """One line: why the status is what it is."""
    signature: str | None = None
    """Display path of the signature file used."""
    signer: Signer | None = None
    signed_at: dt.datetime | None = None
    time_source: str | None = None
    """``transparency-log`` or ``timestamp-authority`` (Sigstore); None when no trusted time exists."""
    trust_root: str | None = None
    """What was trusted: a file name, or ``sigstore production root (embedded in sigstore X)``."""
    trust_root_sha256: str | None = None
    manifest_digest: str | None = None
    """OMS root digest (SHA-256 over the signed per-file digests), when the bundle holds a manifest."""
    problems: list[FileProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)
    """Files of the folder the signature does not cover and that may stay unsigned (the signer's
    ignore list, ``--ignore-path``; a pruned folder ends with ``/``): present, but vouched for by no one.
    ``.git`` paths, ignored by default, are not listed."""

    @property
    def card_unsigned(self) -> bool:
        """The model card (README.md, MODEL_CARD.md, ...) at the folder's top is among the unsigned
        files: facts and scores drawn from it rest on data the signature does not cover."""
        return any(p.lower() in CARD_NAMES for p in self.unsigned)

    @property
    def failed(self) -> bool:
        return self.status in (Status.MISMATCH, Status.INVALID)

    def to_dict(self) -> dict[str, object]:
        signer = self.signer
        return {
            "subject": self.subject,
            "status": self.status.value,
            "method": self.method.value,
            "message": self.message,
            "signature": self.signature,
            "signer": None
            if signer is None
            else {
                "identity": signer.identity,
                "issuer": signer.issuer,
                "key_fingerprint": signer.key_fingerprint,
                "subject": signer.subject,
            },
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "time_source": self.time_source,
            "trust_root": self.trust_root,
            "trust_root_sha256": self.trust_root_sha256,
            "manifest_digest": self.manifest_digest,
            "problems": [
                {"path": p.path, "kind": p.kind.value, "detail": p.detail} for p in self.problems
            ],
            "warnings": list(self.warnings),
            "unsigned_files": list(self.unsigned),
            "card_unsigned": self.card_unsigned,
        }


@dataclass(frozen=True)
class SignedContent:
    """What a cryptographically valid signature vouches for, before any file is compared."""

    payload_type: str
    payload: bytes
    method: Method
    signer: Signer
    signed_at: dt.datetime | None = None
    time_source: str | None = None
    warnings: tuple[str, ...] = ()


class SignatureError(Exception):
    """The signature cannot be trusted. The message says why, in one line, for the user."""


class BundleError(SignatureError):
    """The signature file is not a well-formed Sigstore bundle."""
