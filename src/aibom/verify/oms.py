"""OpenSSF Model Signing (OMS v1.0) manifests: parse the signed in-toto statement, compare it with files.

The statement's predicate lists one resource per file (``files``) or per byte range (``shards``, names
``path:start:end``), each with its digest, and the single subject carries the *root digest*: SHA-256 over
the raw bytes of every resource digest in listed order (OMS v1.0 section 6.5.1). A root digest that
does not match the resources makes the signature invalid, whatever the cryptography says.

Accepted variants: predicate v1.0 and the legacy ``Digests/v0.1`` (digests in the subjects);
``hash_type`` sha256, blake2b, blake3; resource algorithms written plainly or as model-signing 1.1.1's
non-conformant ``sha256-sharded-<n>``; single-file models named ``"."`` (model-signing) or by file name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aibom.verify.results import BundleError, FileProblem, ProblemKind

OMS_PREDICATE = "https://model_signing/signature/v1.0"
OMS_PREDICATE_V01 = "https://model_signing/Digests/v0.1"
ALGORITHMS = frozenset({"sha256", "blake2b", "blake3"})

_HEX = re.compile(r"[0-9a-f]+")
_SHARDED = re.compile(r"^(?P<alg>[a-z0-9]+)-sharded-\d+$")


@dataclass(frozen=True)
class Resource:
    path: str
    algorithm: str
    digest: str
    start: int | None = None
    end: int | None = None


@dataclass
class Manifest:
    model_name: str
    method: str
    """``files`` or ``shards``."""
    resources: list[Resource]
    ignore_paths: tuple[str, ...] = ()
    root_digest: str | None = None

    def by_path(self) -> dict[str, list[Resource]]:
        out: dict[str, list[Resource]] = {}
        for res in self.resources:
            out.setdefault(res.path, []).append(res)
        return out


def parse_manifest(statement: Mapping[str, Any], max_resources: int) -> Manifest:
    """Raise ``BundleError`` (the signature is then invalid) on anything malformed or inconsistent."""
    kind = statement.get("predicateType")
    if kind == OMS_PREDICATE_V01:
        return _parse_v01(statement, max_resources)
    if kind != OMS_PREDICATE:
        raise BundleError(f"predicate type {str(kind)[:80]!r} is not an OMS model signature")
    subjects = statement["subject"]
    if len(subjects) != 1:
        raise BundleError("an OMS statement must have exactly one subject")
    predicate = _dict(statement.get("predicate"), "predicate")
    serialization = _dict(predicate.get("serialization"), "predicate.serialization")
    method = serialization.get("method")
    if method not in ("files", "shards"):
        raise BundleError(f"unknown serialization method {str(method)[:40]!r}")
    resources = predicate.get("resources")
    if not isinstance(resources, list):
        raise BundleError("predicate.resources is not a list")
    if len(resources) > max_resources:
        raise BundleError(f"manifest lists more than {max_resources} resources")
    parsed = [_resource(r, method) for r in resources]
    _check_unique(parsed)
    root = _root_digest(subjects[0])
    _check_root(parsed, root)
    ignore = serialization.get("ignore_paths", [])
    ignored = tuple(str(p) for p in ignore) if isinstance(ignore, list) else ()
    return Manifest(str(subjects[0].get("name", "")), method, parsed, ignored, root)


def _parse_v01(statement: Mapping[str, Any], max_resources: int) -> Manifest:
    subjects = statement["subject"]
    if len(subjects) > max_resources:
        raise BundleError(f"manifest lists more than {max_resources} resources")
    out = []
    for subject in subjects:
        digest = _dict(subject.get("digest"), "subject.digest").get("sha256")
        out.append(Resource(_path(subject.get("name")), "sha256", _hex(digest)))
    _check_unique(out)
    return Manifest("", "files", out)


def _dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BundleError(f"{what} is missing or not an object")
    return value


def _hex(value: object) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value.lower()) or len(value) % 2:
        raise BundleError(f"digest {str(value)[:80]!r} is not hexadecimal")
    return value.lower()


def _path(value: object) -> str:
    """A resource name must be a relative POSIX path inside the model (or "." for a single file)."""
    if not isinstance(value, str) or not value:
        raise BundleError("resource without a name")
    parts = value.split("/")
    if value == ".":
        return value
    if value.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in value:
        raise BundleError(f"resource name {value[:120]!r} is not a relative path inside the model")
    return value


def _resource(value: object, method: str) -> Resource:
    res = _dict(value, "resource")
    algorithm = str(res.get("algorithm", "")).lower()
    sharded = _SHARDED.match(algorithm)
    if sharded:
        algorithm = sharded["alg"]
    if algorithm not in ALGORITHMS:
        raise BundleError(f"resource algorithm {algorithm[:40]!r} is not sha256, blake2b or blake3")
    name, digest = res.get("name"), _hex(res.get("digest"))
    if method == "files":
        return Resource(_path(name), algorithm, digest)
    path, start, end = _shard_name(name)
    return Resource(path, algorithm, digest, start, end)


def _shard_name(name: object) -> tuple[str, int, int]:
    """``path:start:end``, parsed from the right because paths may contain colons (OMS spec)."""
    text = str(name)
    head, sep1, end_text = text.rpartition(":")
    path, sep2, start_text = head.rpartition(":")
    if not (sep1 and sep2 and start_text.isdigit() and end_text.isdigit()):
        raise BundleError(f"shard name {text[:120]!r} is not 'path:start:end'")
    start, end = int(start_text), int(end_text)
    if start >= end:
        raise BundleError(f"shard {text[:120]!r} is empty or reversed")
    return _path(path), start, end


def _check_unique(resources: list[Resource]) -> None:
    seen: set[tuple[str, int | None]] = set()
    for res in resources:
        key = (res.path, res.start)
        if key in seen:
            raise BundleError(f"resource {res.path[:120]!r} is listed twice")
        seen.add(key)


def _root_digest(subject: Mapping[str, Any]) -> str:
    digest = _dict(subject.get("digest"), "subject.digest").get("sha256")
    return _hex(digest)


def _check_root(resources: list[Resource], expected: str) -> None:
    h = hashlib.sha256()
    for res in resources:
        h.update(bytes.fromhex(res.digest))
    if h.hexdigest() != expected:
        raise BundleError(
            "manifest is inconsistent: the resources do not hash to the subject's root digest"
        )


# ---------------------------------------------------------------- comparison


Digest = Callable[[str, str, int | None, int | None], str | None]
"""(path inside the model, algorithm, start, end) -> hex digest, or None when it cannot be computed."""


@dataclass
class Comparison:
    problems: list[FileProblem] = field(default_factory=list)
    checked: int = 0


def compare(
    manifest: Manifest,
    present: Mapping[str, int],
    digest: Digest,
    unreadable: Mapping[str, str],
    tolerated: Callable[[str], bool],
) -> Comparison:
    """``present`` maps each file of the model (after ignores) to its size. ``unreadable`` maps files
    that exist but were not read to the reason. ``tolerated(path)`` says whether an unsigned file may
    be present without being reported (side bundles, zero-byte files of a shard manifest)."""
    out = Comparison()
    signed = manifest.by_path()
    for path, resources in sorted(signed.items()):
        if path in unreadable:
            out.problems.append(FileProblem(path, ProblemKind.UNCHECKED, unreadable[path]))
        elif path not in present:
            out.problems.append(FileProblem(path, ProblemKind.MISSING))
        else:
            problem = _compare_file(path, resources, present[path], digest, manifest.method)
            out.checked += 1
            if problem is not None:
                out.problems.append(problem)
    for path in sorted(set(present) - set(signed)):
        if not tolerated(path) and not (manifest.method == "shards" and present[path] == 0):
            out.problems.append(
                FileProblem(path, ProblemKind.EXTRA, "not covered by the signature")
            )
    return out


def _compare_file(
    path: str, resources: list[Resource], size: int, digest: Digest, method: str
) -> FileProblem | None:
    if method == "shards":
        ordered = sorted(resources, key=lambda r: r.start or 0)
        covered = 0
        for res in ordered:
            if res.start != covered:
                return FileProblem(path, ProblemKind.CHANGED, "signed shards are not contiguous")
            covered = res.end or 0
        if covered != size:
            return FileProblem(path, ProblemKind.CHANGED, f"size {size}, signed {covered}")
    for res in resources:
        actual = digest(path, res.algorithm, res.start, res.end)
        if actual is None:
            return FileProblem(path, ProblemKind.UNCHECKED, f"cannot compute {res.algorithm}")
        if actual != res.digest:
            where = "" if res.start is None else f" bytes {res.start}-{res.end}"
            return FileProblem(path, ProblemKind.CHANGED, f"{res.algorithm}{where} differs")
    return None
