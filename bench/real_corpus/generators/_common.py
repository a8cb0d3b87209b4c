"""Shared helper for the generators: each one runs inside its own pinned venv.

A generator is called as ``python GEN.py OUT_DIR RECORDS_JSON DIST`` and writes benign files under
OUT_DIR with the real library, recording for each file the API (or Python type) that wrote it.
Every item runs on its own: one that fails is recorded as an error and the rest go on.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path


class Out:
    def __init__(self) -> None:
        if len(sys.argv) != 4:
            raise SystemExit("usage: GEN.py OUT_DIR RECORDS_JSON DIST")
        self.root = Path(sys.argv[1])
        self.records_path = Path(sys.argv[2])
        self.dist = sys.argv[3]
        self.version = importlib.metadata.version(self.dist)
        self.root.mkdir(parents=True, exist_ok=True)
        self.records: list[dict[str, object]] = []
        self.errors: list[dict[str, str]] = []
        self._seen: set[str] = set()

    def path(self, rel: str) -> Path:
        """Where to write ``rel`` (parents created)."""
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def add(self, rel: str, api: str, pytype: str = "", code: bool = False) -> None:
        """Record one written file. ``code``: the object deliberately carries code (a function,
        a class of the generator's own), so a scanner is right to flag it."""
        p = self.root / rel
        if not p.is_file():
            raise FileNotFoundError(rel)
        self._seen.add(rel)
        self.records.append({"rel": rel, "api": api, "type": pytype, "carries_code": code})

    def add_tree(self, rel_dir: str, api: str, pytype: str = "", code: bool = False) -> None:
        """Record every file under ``rel_dir`` that is not recorded yet (a call that writes a
        folder: save_pretrained, to_disk, a trainer run...)."""
        base = self.root / rel_dir
        for p in sorted(base.rglob("*")):
            if p.is_file():
                rel = p.relative_to(self.root).as_posix()
                if rel not in self._seen:
                    self.add(rel, api, pytype or p.name, code)

    def run(self, name: str, fn: Callable[[], object]) -> None:
        """Run one item; an exception is recorded, not raised."""
        try:
            fn()
        except Exception as exc:
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            self.errors.append({"item": name, "error": tb[:500]})
            print(f"  ! {self.dist} {self.version} {name}: {tb[:200]}", file=sys.stderr)

    def finish(self) -> None:
        # Files written but not recorded (a library wrote more than asked) are recorded too.
        for p in sorted(self.root.rglob("*")):
            if p.is_file():
                rel = p.relative_to(self.root).as_posix()
                if rel not in self._seen:
                    self.records.append(
                        {"rel": rel, "api": "side file", "type": p.name, "carries_code": False}
                    )
        doc = {
            "dist": self.dist,
            "version": self.version,
            "python": sys.version.split()[0],
            "records": self.records,
            "errors": self.errors,
        }
        tmp = self.records_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=1))
        os.replace(tmp, self.records_path)
        print(
            f"  {self.dist} {self.version}: {len(self.records)} files, {len(self.errors)} errors",
            file=sys.stderr,
        )
