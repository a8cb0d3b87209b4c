"""Checks of the unsafe-format engine (code execution on load, evasion, damage)."""

from __future__ import annotations

from aibom.findings import Check

UNSAFE_CHECKS: tuple[Check, ...] = ()
