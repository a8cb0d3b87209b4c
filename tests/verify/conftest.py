from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.verify.keyless import PrivateSigstore
from tests.verify.vbuilders import KeyPair, write_keypair


@pytest.fixture(scope="session")
def sigstore_root() -> PrivateSigstore:
    """A private Sigstore instance (CA, CT log and Rekor keys) made for this test session."""
    return PrivateSigstore()


@pytest.fixture(scope="session")
def other_root() -> PrivateSigstore:
    """An unrelated instance: bundles from ``sigstore_root`` must not verify against it."""
    return PrivateSigstore(name="other")


@pytest.fixture
def root_file(tmp_path: Path, sigstore_root: PrivateSigstore) -> Path:
    path = tmp_path / "trusted_root.json"
    path.write_text(json.dumps(sigstore_root.trusted_root()))
    return path


@pytest.fixture
def keys(tmp_path: Path) -> KeyPair:
    return write_keypair(tmp_path / "keys")
