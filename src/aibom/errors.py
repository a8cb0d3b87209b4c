"""Errors for problems of usage or environment (never for bad scanned files: those are findings)."""

from __future__ import annotations


class AibomError(Exception):
    """An error the user must act on. ``diagnostics()`` is the text shown to them."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class UsageError(AibomError):
    """Bad arguments or options (exit code 2)."""


class InvalidBomError(AibomError):
    """aibom built a BOM that fails the CycloneDX schema. This is a bug in aibom."""

    def __init__(self, errors: str) -> None:
        super().__init__(
            "the generated BOM does not validate against the CycloneDX schema; nothing was written",
            hint="this is a bug in aibom: please report it with the message below.\n" + errors,
        )
