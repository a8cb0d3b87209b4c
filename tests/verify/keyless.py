"""A private Sigstore instance made at test time: own CA, CT-log key and transparency-log key.

Bundles made here are verified by unmodified sigstore-python (research note A.2.4): the leaf carries a
real embedded SCT signed by the test CT key, the Rekor v1 ``dsse`` entry has an inclusion proof over a
tree of size one with a signed checkpoint, and a signed entry timestamp (SET) binds the integrated time.
Nothing is contacted: Fulcio, Rekor and the CT log are replaced by keys held in memory.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import struct
from dataclasses import dataclass, field

import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

PAYLOAD_TYPE = "application/vnd.in-toto+json"
_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
_SCT_OID = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
EPOCH = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
"""Signing time of every test bundle: verification happens at the log's time, so they never expire."""


def _spki(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pae(payload_type: str, payload: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type.encode(), len(payload), payload)


def _der_octet_string(data: bytes) -> bytes:
    n = len(data)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return b"\x04" + length + data


def _der_utf8(text: str) -> bytes:
    raw = text.encode()
    assert len(raw) < 0x80
    return b"\x0c" + bytes([len(raw)]) + raw


@dataclass
class PrivateSigstore:
    """One private Sigstore instance: CA, CT log and transparency log keys, and its trusted root JSON."""

    name: str = "aibom-test"
    ca_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    ct_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    log_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )

    def __post_init__(self) -> None:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{self.name} CA")])
        pub = self.ca_key.public_key()
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(EPOCH - dt.timedelta(days=365))
            .not_valid_after(EPOCH + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
            .sign(self.ca_key, hashes.SHA256())
        )

    @property
    def log_id(self) -> bytes:
        return hashlib.sha256(_spki(self.log_key.public_key())).digest()

    @property
    def ct_id(self) -> bytes:
        return hashlib.sha256(_spki(self.ct_key.public_key())).digest()

    def trusted_root(self) -> dict[str, object]:
        start = {"start": (EPOCH - dt.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")}

        def log(url: str, key: ec.EllipticCurvePrivateKey, key_id: bytes) -> dict[str, object]:
            return {
                "baseUrl": url,
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": _b64(_spki(key.public_key())),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": start,
                },
                "logId": {"keyId": _b64(key_id)},
            }

        der = self.ca_cert.public_bytes(serialization.Encoding.DER)
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(f"https://rekor.{self.name}.test", self.log_key, self.log_id)],
            "certificateAuthorities": [
                {
                    "subject": {"organization": self.name, "commonName": f"{self.name} CA"},
                    "uri": f"https://fulcio.{self.name}.test",
                    "certChain": {"certificates": [{"rawBytes": _b64(der)}]},
                    "validFor": start,
                }
            ],
            "ctlogs": [log(f"https://ctfe.{self.name}.test", self.ct_key, self.ct_id)],
            "timestampAuthorities": [],
        }

    def client_trust_config(self) -> dict[str, object]:
        """The ``ClientTrustConfig`` wrapper (trusted root plus a dummy signing config)."""
        validity = {"start": "2023-01-01T00:00:00Z"}

        def service(url: str) -> dict[str, object]:
            return {"url": url, "majorApiVersion": 1, "validFor": validity, "operator": self.name}

        return {
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [service(f"https://fulcio.{self.name}.test")],
                "oidcUrls": [service(f"https://oauth2.{self.name}.test")],
                "rekorTlogUrls": [service(f"https://rekor.{self.name}.test")],
                "tsaUrls": [],
                "rekorTlogConfig": {"selector": "ANY"},
                "tsaConfig": {"selector": "ANY"},
            },
        }

    # ------------------------------------------------------------ leaf certificate with embedded SCT

    def leaf(
        self, key: ec.EllipticCurvePrivateKey, identity: str, issuer: str, when: dt.datetime
    ) -> x509.Certificate:
        builder = self._leaf_builder(key.public_key(), identity, issuer, when)
        precert = builder.sign(self.ca_key, hashes.SHA256())
        sct = self._sct(precert.tbs_certificate_bytes, when)
        ext = x509.UnrecognizedExtension(_SCT_OID, _der_octet_string(sct))
        cert = builder.add_extension(ext, critical=False).sign(self.ca_key, hashes.SHA256())
        assert cert.tbs_precertificate_bytes == precert.tbs_certificate_bytes
        return cert

    def _leaf_builder(
        self, pub: ec.EllipticCurvePublicKey, identity: str, issuer: str, when: dt.datetime
    ) -> x509.CertificateBuilder:
        san: x509.GeneralName = (
            x509.UniformResourceIdentifier(identity)
            if "://" in identity
            else x509.RFC822Name(identity)
        )
        usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
        ca_pub = self.ca_key.public_key()
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.ca_cert.subject)
            .public_key(pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(when - dt.timedelta(minutes=1))
            .not_valid_after(when + dt.timedelta(minutes=10))
            .add_extension(x509.SubjectAlternativeName([san]), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_pub), critical=False
            )
            .add_extension(x509.UnrecognizedExtension(_ISSUER_V1, issuer.encode()), critical=False)
            .add_extension(
                x509.UnrecognizedExtension(_ISSUER_V2, _der_utf8(issuer)), critical=False
            )
        )

    def _sct(self, tbs: bytes, when: dt.datetime) -> bytes:
        """RFC 6962 precertificate SCT, serialised as a one-element SignedCertificateTimestampList."""
        ts = int(when.timestamp() * 1000)
        issuer_hash = hashlib.sha256(_spki(self.ca_key.public_key())).digest()
        signed = (
            struct.pack(">BBQH", 0, 0, ts, 1)
            + issuer_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + struct.pack(">H", 0)
        )
        sig = self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            b"\x00"
            + self.ct_id
            + struct.pack(">QH", ts, 0)
            + b"\x04\x03"
            + struct.pack(">H", len(sig))
            + sig
        )
        entry = struct.pack(">H", len(sct)) + sct
        return struct.pack(">H", len(entry)) + entry

    # ------------------------------------------------------------ bundle

    def sign_dsse(
        self,
        statement: dict[str, object],
        *,
        identity: str = "release-bot@aibom.test",
        issuer: str = "https://oidc.aibom.test",
        when: dt.datetime = EPOCH,
    ) -> dict[str, object]:
        """A v0.3 Sigstore bundle holding a DSSE envelope over ``statement``, logged in the test Rekor."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = self.leaf(key, identity, issuer, when)
        payload = json.dumps(statement).encode()
        sig = key.sign(pae(PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256()))
        envelope = {
            "payload": _b64(payload),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": _b64(sig)}],
        }
        pem = cert.public_bytes(serialization.Encoding.PEM)
        body = rfc8785.dumps(
            {
                "apiVersion": "0.0.1",
                "kind": "dsse",
                "spec": {
                    "envelopeHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(json.dumps(envelope).encode()).hexdigest(),
                    },
                    "payloadHash": {
                        "algorithm": "sha256",
                        "value": hashlib.sha256(payload).hexdigest(),
                    },
                    "signatures": [{"signature": _b64(sig), "verifier": _b64(pem)}],
                },
            }
        )
        return {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": _b64(cert.public_bytes(serialization.Encoding.DER))},
                "tlogEntries": [self._tlog_entry(body, int(when.timestamp()))],
            },
            "dsseEnvelope": envelope,
        }

    def _tlog_entry(self, body: bytes, integrated: int) -> dict[str, object]:
        root = hashlib.sha256(b"\x00" + body).digest()
        origin = f"rekor.{self.name}.test - 1"
        header = f"{origin}\n1\n{_b64(root)}\n"
        note_sig = self.log_key.sign(header.encode(), ec.ECDSA(hashes.SHA256()))
        checkpoint = (
            header + "\n" + f"\u2014 rekor.{self.name}.test {_b64(self.log_id[:4] + note_sig)}\n"
        )
        set_payload = rfc8785.dumps(
            {
                "body": _b64(body),
                "integratedTime": integrated,
                "logID": self.log_id.hex(),
                "logIndex": 0,
            }
        )
        promise = self.log_key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
        return {
            "logIndex": "0",
            "logId": {"keyId": _b64(self.log_id)},
            "kindVersion": {"kind": "dsse", "version": "0.0.1"},
            "integratedTime": str(integrated),
            "inclusionPromise": {"signedEntryTimestamp": _b64(promise)},
            "inclusionProof": {
                "logIndex": "0",
                "rootHash": _b64(root),
                "treeSize": "1",
                "hashes": [],
                "checkpoint": {"envelope": checkpoint},
            },
            "canonicalizedBody": _b64(body),
        }


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
