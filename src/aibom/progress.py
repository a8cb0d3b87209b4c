"""Progress reporting hook. Library stages call it; only the CLI decides how (and whether) to show it."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def begin(self, stage: str, total_files: int, total_bytes: int) -> None: ...

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        """May be called from worker threads."""

    def end(self) -> None: ...


class NullProgress:
    def begin(self, stage: str, total_files: int, total_bytes: int) -> None:
        pass

    def advance(self, files: int = 0, nbytes: int = 0) -> None:
        pass

    def end(self) -> None:
        pass
