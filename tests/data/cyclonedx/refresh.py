"""Re-extract the vendored CycloneDX reference documents from git mirrors of their public repositories.

    python tests/data/cyclonedx/refresh.py SPECIFICATION_GIT_DIR BOM_EXAMPLES_GIT_DIR

Both arguments are git directories (bare mirrors work: nothing is checked out). Takes, at each
mirror's HEAD:

- from CycloneDX/specification: ``tools/src/test/resources/1.2`` ... ``1.7``, the ``valid-*`` JSON and
  XML documents, into ``spec/1.x/``;
- from CycloneDX/bom-examples: every JSON or XML document of CycloneDX 1.2 to 1.7, into
  ``examples/`` (the repository's path with ``/`` as ``__``).

Files over ``MAX_BYTES`` are skipped (the vendored set stays small), and so is a bom-examples file
whose spec version cannot be told. Writes NOTICE with both commits. Run from anywhere.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_BYTES = 200_000
EXAMPLES_MAX_BYTES = 60_000
"""bom-examples holds a few large SBOMs (100 KB to 2 MB); only the small ones are vendored."""
VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
_XML_VERSION = re.compile(rb"http://cyclonedx\.org/schema/bom/(1\.[0-9])")


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True
    ).stdout


def _files(git_dir: Path, prefix: str = "") -> list[tuple[str, int]]:
    listing = _git(git_dir, "ls-tree", "-r", "-l", "HEAD", *([prefix] if prefix else []))
    out = []
    for line in listing.decode().splitlines():
        meta, path = line.split("\t", 1)
        size = meta.split()[3]
        if size.isdigit():
            out.append((path, int(size)))
    return out


def _version(data: bytes, path: str) -> str | None:
    if path.endswith(".json"):
        try:
            doc = json.loads(data)
        except ValueError:
            return None
        version = doc.get("specVersion") if isinstance(doc, dict) else None
        return version if isinstance(version, str) else None
    match = _XML_VERSION.search(data[:4096])
    return match.group(1).decode() if match else None


def refresh(spec: Path, examples: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sub in ("spec", "examples"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    for version in VERSIONS:
        prefix = f"tools/src/test/resources/{version}/"
        for path, size in _files(spec, prefix):
            name = path.rsplit("/", 1)[1]
            if not name.startswith("valid-") or not name.endswith((".json", ".xml")):
                continue
            if size > MAX_BYTES:
                continue
            target = HERE / "spec" / version / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(spec, "show", f"HEAD:{path}"))
            counts[f"spec/{version}"] = counts.get(f"spec/{version}", 0) + 1
    for path, size in _files(examples):
        if not path.endswith((".json", ".xml")) or size > EXAMPLES_MAX_BYTES:
            continue
        data = _git(examples, "show", f"HEAD:{path}")
        if _version(data, path) not in VERSIONS:
            continue
        target = HERE / "examples" / path.replace("/", "__")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        counts["examples"] = counts.get("examples", 0) + 1
    spec_head = _git(spec, "rev-parse", "HEAD").decode().strip()
    examples_head = _git(examples, "rev-parse", "HEAD").decode().strip()
    (HERE / "NOTICE").write_text(_NOTICE.format(spec=spec_head, examples=examples_head))
    return counts


_NOTICE = """\
CycloneDX reference documents, vendored as test vectors (third-party files, unmodified).

spec/1.x/valid-*.json|xml
    from https://github.com/CycloneDX/specification, tools/src/test/resources/1.x/
    commit {spec}
examples/*.json|xml (the repository path with "/" written "__")
    from https://github.com/CycloneDX/bom-examples
    commit {examples}

Both repositories are licensed under the Apache License, Version 2.0
(https://www.apache.org/licenses/LICENSE-2.0); copyright the CycloneDX contributors (OWASP Foundation).
Files over 200,000 bytes (bom-examples: over 60,000 bytes) and documents outside CycloneDX 1.2-1.7
were left out. Re-extract with refresh.py (see its docstring).
"""


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    for where, n in sorted(refresh(Path(sys.argv[1]), Path(sys.argv[2])).items()):
        print(f"{where}: {n} files")
