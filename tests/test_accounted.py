"""Every file accounted for (issue 12, item 5): each regular file under a target is a file component
of the BOM or a skipped entry with a reason (or is counted by the skipped entry of the excluded folder it
lies in), and the summary's file count adds up. Checked on a mixed tree through the installed console
script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.builders import write_model
from tests.processes import HANG_GUARD
from tests.unsafe.payloads import evil_call

AIBOM = Path(sys.executable).parent / "aibom"

LOOSE = {
    "misc/notes.txt": b"hello\n",
    "misc/blob.bin": b"\x00\x01\x02\x03",
    "misc/matrix.mat": b"MATLAB 5.0 MAT-file, Platform: GLNXA64" + b"\x00" * 100,
    "misc/idl.sav": b"SR\x00\x04" + b"\x00" * 60,
    "misc/grid.nc": b"CDF\x01" + b"\x00" * 60,
    "misc/table.arff": b"@relation r\n@attribute a numeric\n@data\n1\n",
    "misc/cols.orc": b"ORC" + b"\x00" * 40,
    "misc/packed.msgpack": b"\x82\xa1a\x01\xa1b\x02",
    "misc/stata.dta": b"<stata_dta><header>" + b"\x00" * 40,
    "misc/paddle.pdparams": evil_call("builtins", "eval", "1"),
    "scripts/train.py": b"print('train')\n",
    "scripts/setup.cfg": b"[metadata]\nname = x\n",
}
DATASET = {"data/train.csv": b"a,b\n1,2\n", "data/README.md": b"# data\n"}
HIDDEN = {
    "node_modules/pkg/index.js": b"module.exports = 1\n",
    "node_modules/pkg/weights.pkl": evil_call("os", "system", "true"),
    "__pycache__/x.cpython-311.pyc": b"\xa7\r\r\n" + b"\x00" * 12 + b"\xe3" + b"\x00" * 30,
}


def build(root: Path) -> None:
    write_model(root / "model")
    for rel, data in {**LOOSE, **DATASET, **HIDDEN}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def file_refs(doc: dict[str, Any]) -> set[str]:
    out: set[str] = set()

    def walk(components: list[dict[str, Any]]) -> None:
        for c in components:
            if c["type"] == "file":
                out.add(c["bom-ref"].removeprefix("file:"))
            walk(c.get("components", []))

    walk(doc.get("components", []))
    return out


def skipped(doc: dict[str, Any]) -> dict[str, str]:
    pairs = (
        p["value"].split(": ", 1)
        for p in doc["metadata"].get("properties", [])
        if p["name"] in ("aibom:scan:skipped", "aibom:scan:not-inventoried")
    )
    return dict(pairs)


def test_every_file_is_in_the_bom_or_skipped_with_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    build(root)
    out = tmp_path / "bom.json"
    done = subprocess.run(
        [str(AIBOM), "scan", str(root), "-o", str(out), "--fail-on", "none"],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    in_bom, skips = file_refs(doc), skipped(doc)
    on_disk = {
        f"tree/{path.relative_to(root).as_posix()}" for path in root.rglob("*") if path.is_file()
    }
    excluded = {p: r for p, r in skips.items() if r.startswith("not inventoried (")}
    assert set(excluded) == {"tree/node_modules", "tree/__pycache__"}

    for path in sorted(on_disk):
        folder = next((e for e in excluded if path.startswith(e + "/")), None)
        if folder is not None:
            continue  # counted below
        assert path in in_bom or path in skips, f"{path} vanished"
        if path in skips:
            assert skips[path], path
    for folder, reason in excluded.items():
        under = {p for p in on_disk if p.startswith(folder + "/")}
        listed = {p for p in in_bom if p.startswith(folder + "/")}
        match = re.search(r"(\d+) files? under it, (\d+) analysed", reason)
        assert match, reason
        assert (int(match[1]), int(match[2])) == (len(under), len(listed)), folder
    assert "tree/node_modules/pkg/weights.pkl" in in_bom
    assert "tree/misc/paddle.pdparams" in in_bom  # a pickle under any name is an artifact

    per_file = {p for p in skips if p not in excluded}
    (count,) = re.findall(r"(\d+) files", done.stderr.splitlines()[-2])
    assert int(count) == len(in_bom) + len(per_file)
    deliberate = [p for p, reason in skips.items() if reason.startswith("not inventoried")]
    assert f"; {len(deliberate)} not inventoried" in done.stderr
