"""Keyless (Sigstore) signatures, verified offline by unmodified sigstore-python.

The trust root is always a file: ``--trusted-root`` (a bare ``trusted_root.json`` or a client trust
config wrapping one), else the production root shipped inside the installed sigstore package. There is
never a TUF refresh: ``ClientTrustConfig.production()`` would contact the TUF CDN, and even its
``offline=True`` mode writes a cache into the user's home, so the embedded file is read directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.bundle import read_bounded
from aibom.verify.keys import key_fingerprint
from aibom.verify.results import BundleError, Method, SignatureError, SignedContent, Signer

if TYPE_CHECKING:
    from cryptography import x509
    from sigstore.models import TrustedRoot

_PRODUCTION_STORE = "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
_TRUSTED_ROOT_TYPE = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
_CLIENT_CONFIG_TYPE = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8"
_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1"


@dataclass(frozen=True)
class SigstoreTrust:
    identity: str
    issuer: str
    root: TrustedRoot
    source: str
    sha256: str


def production_root_bytes() -> tuple[bytes, str]:
    """The production trusted root embedded in the sigstore wheel, and a label naming its version."""
    from importlib.resources import files

    import sigstore

    resource = files("sigstore._store").joinpath(_PRODUCTION_STORE).joinpath("trusted_root.json")
    return (
        resource.read_bytes(),
        f"sigstore production root (embedded in sigstore {sigstore.__version__})",
    )


def _parse_root(data: bytes, source: str) -> TrustedRoot:
    from sigstore.models import ClientTrustConfig, TrustedRoot
    from sigstore_models.trustroot.v1 import TrustedRoot as InnerRoot

    try:
        media_type = json.loads(data).get("mediaType")
        if media_type == _CLIENT_CONFIG_TYPE:
            return ClientTrustConfig.from_json(data.decode()).trusted_root
        if media_type == _TRUSTED_ROOT_TYPE:
            return TrustedRoot(InnerRoot.from_json(data))
    except Exception as exc:  # pydantic, JSON and sigstore errors all mean "bad file"
        raise UsageError(
            f"{source} is not a valid Sigstore trusted root: {_first_line(exc)}"
        ) from None
    raise UsageError(
        f"{source} is neither a Sigstore trusted root nor a client trust config",
        hint=f"expected mediaType {_TRUSTED_ROOT_TYPE} or {_CLIENT_CONFIG_TYPE}",
    )


def load_trust(identity: str, issuer: str, trusted_root: Path | None) -> SigstoreTrust:
    if trusted_root is None:
        data, source = production_root_bytes()
    else:
        try:
            data = read_bounded(trusted_root, DEFAULT_LIMITS.max_trust_file_bytes, "trusted root")
        except (OSError, BundleError) as exc:
            raise UsageError(f"cannot read trusted root {trusted_root}: {exc}") from None
        source = trusted_root.name
    root = _parse_root(data, source)
    return SigstoreTrust(identity, issuer, root, source, hashlib.sha256(data).hexdigest())


def verify_keyless(raw_bundle: bytes, trust: SigstoreTrust) -> SignedContent:
    """Verify a DSSE bundle against the trust root and the identity policy; return what it signs."""
    from sigstore.models import Bundle
    from sigstore.verify import Verifier, policy

    try:
        bundle = Bundle.from_json(raw_bundle)
        verifier = Verifier(trusted_root=trust.root)
        rule = policy.Identity(identity=trust.identity, issuer=trust.issuer)
        payload_type, payload = verifier.verify_dsse(bundle, rule)
    except Exception as exc:  # sigstore raises many types; each message is kept
        raise SignatureError(f"sigstore: {_first_line(exc)}") from None
    cert = bundle.signing_certificate
    when, source = signing_time(raw_bundle, bundle)
    return SignedContent(payload_type, payload, Method.SIGSTORE, keyless_signer(cert), when, source)


def verify_keyless_artifact(
    raw_bundle: bytes, sha256_hex: str, trust: SigstoreTrust
) -> SignedContent:
    """Verify a message-signature bundle over a file known only by its SHA-256 (no second read)."""
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle
    from sigstore.verify import Verifier, policy
    from sigstore_models.common.v1 import HashAlgorithm

    try:
        bundle = Bundle.from_json(raw_bundle)
        hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(sha256_hex))
        rule = policy.Identity(identity=trust.identity, issuer=trust.issuer)
        Verifier(trusted_root=trust.root).verify_artifact(hashed, bundle, rule)
    except Exception as exc:  # as above
        raise SignatureError(f"sigstore: {_first_line(exc)}") from None
    when, source = signing_time(raw_bundle, bundle)
    signer = keyless_signer(bundle.signing_certificate)
    return SignedContent("", b"", Method.SIGSTORE, signer, when, source)


def keyless_signer(cert: x509.Certificate) -> Signer:
    from cryptography import x509

    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        values = [str(n.value) for n in names if isinstance(n.value, str)]
    except x509.ExtensionNotFound:
        values = []
    return Signer(
        identity=values[0] if values else None,
        issuer=oidc_issuer(cert),
        key_fingerprint=key_fingerprint(cert.public_key()),
    )


def oidc_issuer(cert: x509.Certificate) -> str | None:
    """The OIDC issuer Fulcio recorded: extension .1.8 (DER UTF8String), else legacy .1.1 (raw)."""
    from cryptography import x509

    by_oid = {ext.oid.dotted_string: ext.value for ext in cert.extensions}
    v2 = by_oid.get(_ISSUER_V2)
    if isinstance(v2, x509.UnrecognizedExtension):
        value = v2.value
        if len(value) >= 2 and value[0] == 0x0C and value[1] < 0x80:
            return value[2 : 2 + value[1]].decode("utf-8", "replace")
    v1 = by_oid.get(_ISSUER_V1)
    if isinstance(v1, x509.UnrecognizedExtension):
        return v1.value.decode("utf-8", "replace")
    return None


def signing_time(raw_bundle: bytes, bundle: Any) -> tuple[dt.datetime | None, str | None]:
    """The verified time: an RFC 3161 timestamp if present, else the log's integrated time (bound by
    the signed entry timestamp that sigstore-python has just checked)."""
    material = bundle.verification_material.timestamp_verification_data
    if material is not None and material.rfc3161_timestamps:
        gen = material.rfc3161_timestamps[0].tst_info.gen_time
        return gen.astimezone(dt.timezone.utc), "timestamp-authority"
    try:
        entry = json.loads(raw_bundle)["verificationMaterial"]["tlogEntries"][0]
        seconds = int(entry["integratedTime"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None, None
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc), "transparency-log"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().split("\n", 1)[0]
    return text[:300] or type(exc).__name__
