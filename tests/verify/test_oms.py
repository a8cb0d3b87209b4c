"""OMS manifests: variants, and validly signed but malformed or hostile manifests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aibom.verify import Status, Verification, VerifyOptions, verify_models
from aibom.verify.bundle import parse_bundle, parse_statement
from aibom.verify.oms import OMS_PREDICATE_V01, parse_manifest
from aibom.verify.results import BundleError
from tests.verify.vbuilders import KeyPair, envelope_statement, key_sign, model, resign, scan_path


def _check(folder: Path, keys: KeyPair) -> Verification:
    scanned = scan_path(folder)
    [v] = verify_models(scanned.inventory, scanned.artifacts, VerifyOptions(key=keys.public_pem))
    return v


def _signed(tmp_path: Path, keys: KeyPair) -> tuple[Path, dict[str, Any]]:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    return folder, envelope_statement(folder / "model.sig")


def _root(resources: list[dict[str, str]]) -> str:
    return hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()


def test_legacy_v01_predicate_with_digests_in_subjects_verifies(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder, statement = _signed(tmp_path, keys)
    resources = statement["predicate"]["resources"]
    legacy = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": r["name"], "digest": {"sha256": r["digest"]}} for r in resources],
        "predicateType": OMS_PREDICATE_V01,
        "predicate": {},
    }
    resign(folder / "model.sig", legacy, keys)
    assert _check(folder, keys).status is Status.VERIFIED


def test_root_digest_that_does_not_match_the_resources_is_invalid(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder, statement = _signed(tmp_path, keys)
    statement["subject"][0]["digest"]["sha256"] = "00" * 32
    resign(folder / "model.sig", statement, keys)
    v = _check(folder, keys)
    assert v.status is Status.INVALID
    assert "root digest" in v.message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd", "not a relative path"),
        ("/etc/passwd", "not a relative path"),
        ("a/./b", "not a relative path"),
        ("", "without a name"),
    ],
)
def test_resource_names_outside_the_model_are_invalid(
    tmp_path: Path, keys: KeyPair, name: str, message: str
) -> None:
    folder, statement = _signed(tmp_path, keys)
    resources = statement["predicate"]["resources"]
    resources[0]["name"] = name
    statement["subject"][0]["digest"]["sha256"] = _root(resources)
    resign(folder / "model.sig", statement, keys)
    v = _check(folder, keys)
    assert v.status is Status.INVALID
    assert message in v.message


def test_duplicate_resource_is_invalid(tmp_path: Path, keys: KeyPair) -> None:
    folder, statement = _signed(tmp_path, keys)
    resources = statement["predicate"]["resources"]
    resources.append(dict(resources[0]))
    statement["subject"][0]["digest"]["sha256"] = _root(resources)
    resign(folder / "model.sig", statement, keys)
    assert "listed twice" in _check(folder, keys).message


def test_unknown_digest_algorithm_is_invalid(tmp_path: Path, keys: KeyPair) -> None:
    folder, statement = _signed(tmp_path, keys)
    statement["predicate"]["resources"][0]["algorithm"] = "md5"
    resign(folder / "model.sig", statement, keys)
    assert "not sha256, blake2b or blake3" in _check(folder, keys).message


def test_other_predicate_type_is_invalid(tmp_path: Path, keys: KeyPair) -> None:
    folder, statement = _signed(tmp_path, keys)
    statement["predicateType"] = "https://slsa.dev/provenance/v1"
    resign(folder / "model.sig", statement, keys)
    assert "not an OMS model signature" in _check(folder, keys).message


def test_resource_count_is_bounded() -> None:
    resources = [{"name": f"f{i}", "algorithm": "sha256", "digest": "00" * 32} for i in range(11)]
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "m", "digest": {"sha256": _root(resources)}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {"serialization": {"method": "files"}, "resources": resources},
    }
    assert len(parse_manifest(statement, 11).resources) == 11
    with pytest.raises(BundleError, match="more than 10 resources"):
        parse_manifest(statement, 10)


def test_deeply_nested_bundle_is_invalid_not_a_crash() -> None:
    with pytest.raises(BundleError, match="not JSON"):
        parse_bundle(b"[" * 200_000 + b"]" * 200_000)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
_keys = st.sampled_from(
    [
        "mediaType",
        "verificationMaterial",
        "dsseEnvelope",
        "messageSignature",
        "publicKey",
        "x509CertificateChain",
        "certificate",
        "tlogEntries",
        "payload",
        "signatures",
    ]
)


@given(
    st.dictionaries(_keys, _json, max_size=6),
    st.sampled_from(["application/vnd.dev.sigstore.bundle.v0.3+json", "x"]),
)
def test_hostile_bundles_raise_only_bundle_errors(doc: dict[str, Any], media_type: str) -> None:
    doc["mediaType"] = media_type
    try:
        parse_bundle(json.dumps(doc).encode())
    except BundleError as exc:
        assert str(exc)


_manifest_keys = st.sampled_from(
    ["predicate", "subject", "predicateType", "serialization", "resources", "_type"]
)


@given(st.dictionaries(_manifest_keys, _json, max_size=6), st.booleans())
def test_hostile_statements_raise_only_bundle_errors(doc: dict[str, Any], oms: bool) -> None:
    doc["_type"] = "https://in-toto.io/Statement/v1"
    if oms:
        doc["predicateType"] = "https://model_signing/signature/v1.0"
    try:
        statement = parse_statement("application/vnd.in-toto+json", json.dumps(doc).encode())
        parse_manifest(statement, 1000)
    except BundleError as exc:
        assert str(exc)


def test_a_signed_file_the_scan_could_not_read_is_unchecked_not_missing(
    tmp_path: Path, keys: KeyPair
) -> None:
    """The folder listing sees the FIFO itself, with or without the scan's ``skipped``."""
    import os

    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / "config.json").unlink()
    os.mkfifo(folder / "config.json")
    scanned = scan_path(folder)
    assert any(s.path == "m/config.json" for s in scanned.skipped)
    options = VerifyOptions(key=keys.public_pem)
    [told] = verify_models(scanned.inventory, scanned.artifacts, options, skipped=scanned.skipped)
    assert (told.status, [p.kind.value for p in told.problems]) == (
        Status.NOT_CHECKED,
        ["unchecked"],
    )
    [untold] = verify_models(scanned.inventory, scanned.artifacts, options)
    assert untold.status is Status.NOT_CHECKED
    assert "FIFO" in untold.problems[0].detail
