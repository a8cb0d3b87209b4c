"""BOM documents are parsed in one place, ``aibom.bomdoc.read``, and verification does not import the
scan. Checked on the source (every import, ``TYPE_CHECKING`` ones included), so a new reader or a
new circle fails here rather than in review."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import aibom

SRC = Path(aibom.__file__).parent

BOM_CONSUMERS = (
    "cli/report.py",
    "cli/score.py",
    "cli/audit.py",
    "cli/verify.py",
    "cli/merge.py",
    "merge.py",
    "vulns",
    "verify",
    "diff.py",
    "render",
    "score",
    "bomdoc/view.py",
    "bomdoc/walk.py",
    "bomdoc/scorecard.py",
)
"""Modules that take BOM documents (or sit beside code that does)."""

NOT_BOMS = {
    "vulns/online.py": "OSV API responses",
    "vulns/offline.py": "OSV advisory records from the export",
    "verify/bundle.py": "Sigstore bundles and DSSE payloads",
    "verify/sigstore_verify.py": "Sigstore trusted roots and bundles",
}
"""JSON that is not a BOM, parsed where it is used (each with what it is)."""

PARSERS = {"load", "loads", "fromstring", "parse", "XMLParser", "iterparse"}
PARSER_OWNERS = {"json", "ET", "ElementTree"}
XML_MODULES = ("xml", "defusedxml", "lxml")


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for entry in BOM_CONSUMERS:
        paths = sorted((SRC / entry).rglob("*.py")) if (SRC / entry).is_dir() else [SRC / entry]
        for path in paths:
            yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(), str(path))


def _call(node: ast.AST) -> str | None:
    """``json.loads(...)``, ``ET.fromstring(...)`` and the like."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return None
    owner = node.func.value
    if isinstance(owner, ast.Name) and owner.id in PARSER_OWNERS and node.func.attr in PARSERS:
        return f"{owner.id}.{node.func.attr} (line {node.lineno})"
    return None


def _imports(node: ast.AST) -> list[str]:
    """Any XML module, and parser functions imported by name from json or XML modules."""
    if isinstance(node, ast.Import):
        return [f"import {a.name}" for a in node.names if a.name.startswith(XML_MODULES)]
    if not isinstance(node, ast.ImportFrom) or not node.module:
        return []
    found = [f"import {node.module}"] if node.module.startswith(XML_MODULES) else []
    if node.module.startswith(("json", *XML_MODULES)):
        found += [f"from {node.module} import {a.name}" for a in node.names if a.name in PARSERS]
    return found


def _parsing(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        found.update(filter(None, [_call(node), *_imports(node)]))
    return found


def test_nothing_but_bomdoc_read_parses_a_bom() -> None:
    offenders = {
        name: calls
        for name, tree in _modules()
        if name not in NOT_BOMS and (calls := _parsing(tree))
    }
    assert offenders == {}, "read BOMs with aibom.bomdoc.read_bom (or add a reason to NOT_BOMS)"


def test_the_allow_list_is_still_needed() -> None:
    trees = dict(_modules())
    assert all(_parsing(trees[name]) for name in NOT_BOMS)


def test_the_check_finds_a_reader() -> None:
    source = "import json\nfrom defusedxml.ElementTree import fromstring\ndoc = json.loads(b'{}')\n"
    assert _parsing(ast.parse(source)) == {
        "json.loads (line 3)",
        "from defusedxml.ElementTree import fromstring",
        "import defusedxml.ElementTree",
    }


def test_verify_does_not_import_the_scan() -> None:
    for path in sorted((SRC / "verify").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("aibom.scan"), (path.name, node.lineno)
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("aibom.scan") for a in node.names), path.name
