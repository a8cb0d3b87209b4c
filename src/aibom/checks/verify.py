"""Checks of integrity and provenance verification (hashes, Hugging Face blobs, signatures, drift)."""

from __future__ import annotations

from aibom.findings import Check

VERIFY_CHECKS: tuple[Check, ...] = ()
