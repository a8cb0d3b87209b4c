from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from aibom.cli.output import write_text
from aibom.errors import UsageError


def test_regular_file_replaced_atomically_with_umask_mode(tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    out.write_text("old")
    write_text("new", out)
    assert out.read_text() == "new"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["bom.json"]


def test_existing_file_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "model.sig"
    out.write_text("keep")
    with pytest.raises(UsageError, match="exists"):
        write_text("new", out, force=False)
    assert out.read_text() == "keep"


def test_special_files_are_written_in_place_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text("through the pipe", fifo)
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a FIFO: not renamed over
