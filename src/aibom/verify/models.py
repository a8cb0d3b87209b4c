"""Model signatures: find each model's OMS ``model.sig``, check it, compare its manifest with the scan.

A signature covers a folder: the model's own folder, or a parent folder up to the scan target (the
signer may have signed the whole download while aibom's model root is a sub-folder), or the whole target
when ``--signature`` is given. Per-file SHA-256 digests come from the scan; nothing is hashed twice.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from aibom.artifacts import Artifact
from aibom.findings import Skipped
from aibom.inventory import Inventory, ModelEntry
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.bundle import parse_bundle, parse_statement, read_bounded
from aibom.verify.keys import CertTrust, KeyTrust
from aibom.verify.oms import GIT_PATHS, Manifest, Resource, compare, parse_manifest
from aibom.verify.rehash import MissingHashLibrary, digest_range
from aibom.verify.results import (
    BundleError,
    Method,
    ProblemKind,
    SignatureError,
    Status,
    Verification,
)
from aibom.verify.trust import Trust, VerifyOptions, check_envelope, load_trust, trust_source

SIGNATURE_NAME = "model.sig"
SIDE_BUNDLE_SUFFIXES = (".sigstore.json", ".sigstore")
"""Bundles over single files (verified one by one); not reported as unsigned files of a model."""


@dataclass
class SignedTree:
    root: str
    """Display path of the signed folder, or of the file for a single-file model."""
    signature: str
    signature_path: Path
    files: dict[str, Artifact] = field(default_factory=dict)
    """Path inside the tree -> artifact (the signature itself excluded)."""
    unreadable: dict[str, str] = field(default_factory=dict)
    single: bool = False


def verify_models(
    inventory: Inventory,
    artifacts: Sequence[Artifact],
    options: VerifyOptions,
    *,
    skipped: Sequence[Skipped] = (),
) -> list[Verification]:
    """One ``Verification`` per model of ``inventory``, in its order. ``skipped`` (the scan's
    unreadable paths) makes a signed file that could not be read "not checked" instead of missing."""
    trust = load_trust(options)
    index = _Index(artifacts, skipped)
    done: dict[str, Verification] = {}
    out = []
    for model in inventory.models:
        tree = index.tree_for(model, options.signature)
        if tree is None:
            out.append(Verification(model.root, Status.UNSIGNED, message="no model.sig found"))
            continue
        if tree.root not in done:
            done[tree.root] = verify_tree(tree, trust, options)
        out.append(replace(done[tree.root], subject=model.root or tree.root))
    if options.signature is not None and not done and artifacts:
        # An explicit signature is always checked, even when no file looked like a model.
        out.append(verify_tree(index.target_tree(options.signature), trust, options))
    return out


def verify_tree(tree: SignedTree, trust: Trust | None, options: VerifyOptions) -> Verification:
    v = Verification(tree.root, Status.INVALID, signature=tree.signature)
    try:
        bundle = parse_bundle(
            read_bounded(tree.signature_path, DEFAULT_LIMITS.max_bundle_bytes, "signature")
        )
    except (BundleError, OSError) as exc:
        v.message = f"cannot read the signature: {exc}"
        return v
    if trust is None:
        v.status = Status.NOT_CHECKED
        v.message = "signature present but not checked: give --key, --certificate-chain or --identity/--issuer"
        return v
    v.trust_root, v.trust_root_sha256 = trust_source(trust)
    try:
        signed = check_envelope(bundle, trust)
        statement = parse_statement(signed.payload_type, signed.payload)
        manifest = parse_manifest(statement, options.limits.max_files)
    except SignatureError as exc:
        v.method = _method_of(trust)
        v.message = str(exc)
        return v
    v.method, v.signer, v.signed_at = signed.method, signed.signer, signed.signed_at
    v.time_source, v.warnings, v.manifest_digest = (
        signed.time_source,
        list(signed.warnings),
        manifest.root_digest,
    )
    _compare(v, tree, manifest, options)
    return v


def _method_of(trust: Trust) -> Method:
    if isinstance(trust, KeyTrust):
        return Method.KEY
    return Method.CERTIFICATE if isinstance(trust, CertTrust) else Method.SIGSTORE


def _compare(v: Verification, tree: SignedTree, manifest: Manifest, options: VerifyOptions) -> None:
    if tree.single:
        manifest = _single_file(manifest, next(iter(tree.files), ""))
    ignored = (*GIT_PATHS, *manifest.ignore_paths, *options.ignore_paths)
    present = {p: a.size for p, a in tree.files.items() if not _under(p, ignored)}
    manifest.resources = [r for r in manifest.resources if not _under(r.path, options.ignore_paths)]

    def digest(path: str, algorithm: str, start: int | None, end: int | None) -> str | None:
        art = tree.files[path]
        if algorithm == "sha256" and start is None and art.digests is not None:
            return art.digests.sha256
        try:
            return digest_range(art.ref.path, algorithm, start, end)
        except (OSError, MissingHashLibrary):
            return None

    result = compare(manifest, present, digest, tree.unreadable, _tolerated)
    v.problems = result.problems
    kinds = {p.kind for p in v.problems}
    if kinds - {ProblemKind.UNCHECKED}:
        v.status = Status.MISMATCH
        v.message = f"{len(v.problems)} file(s) differ from the signed manifest"
    elif kinds:
        v.status = Status.NOT_CHECKED
        v.message = "valid signature, but some files could not be compared"
    else:
        v.status = Status.VERIFIED
        v.message = f"valid signature; all {result.checked} signed file(s) match"


def _single_file(manifest: Manifest, name: str) -> Manifest:
    """model-signing names a single-file model's only resource "."; the OMS spec names it by file."""
    resources = [
        Resource(name, r.algorithm, r.digest, r.start, r.end) if r.path in (".", name) else r
        for r in manifest.resources
    ]
    return replace(manifest, resources=resources)


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == p.strip("/") or path.startswith(p.strip("/") + "/") for p in prefixes if p)


def _tolerated(path: str) -> bool:
    return path.endswith(SIDE_BUNDLE_SUFFIXES)


class _Index:
    """Artifacts by display path, and the scan's skipped paths, for locating signed trees."""

    def __init__(self, artifacts: Sequence[Artifact], skipped: Sequence[Skipped]) -> None:
        self.artifacts = artifacts
        self.by_display = {a.display: a for a in artifacts}
        self.skipped = {s.path: s.reason for s in skipped}

    def target_tree(self, signature: Path) -> SignedTree:
        first = self.artifacts[0]
        if len(self.artifacts) == 1 and first.display == first.ref.relpath:
            return _single(first, signature)
        return self._tree(target_root(first), signature, str(signature), _inode(signature))

    def tree_for(self, model: ModelEntry, signature: Path | None) -> SignedTree | None:
        if not model.files:
            return None
        first = model.files[0]
        target = target_root(first)
        if len(model.files) == 1 and first.display == first.ref.relpath and first.ref.hf is None:
            return None if signature is None else _single(first, signature)
        if signature is not None:
            return self._tree(target or model.root, signature, str(signature), _inode(signature))
        folder = model.root
        while True:
            sig = self.by_display.get(f"{folder}/{SIGNATURE_NAME}" if folder else SIGNATURE_NAME)
            if sig is not None:
                inode = (sig.ref.stat.dev, sig.ref.stat.ino)
                return self._tree(folder, sig.ref.path, sig.display, inode)
            if folder in (target, "") or "/" not in folder:
                return None
            folder = posixpath.dirname(folder)

    def _tree(
        self, root: str, sig_path: Path, sig_display: str, sig_inode: tuple[int, int] | None
    ) -> SignedTree:
        """Every scanned file under ``root`` except the signature itself (known by device and inode,
        so a ``--signature`` inside the tree is left out too)."""
        tree = SignedTree(root, sig_display, sig_path)
        prefix = root + "/" if root else ""
        for art in self.artifacts:
            if (
                not art.display.startswith(prefix)
                or (art.ref.stat.dev, art.ref.stat.ino) == sig_inode
            ):
                continue
            tree.files[art.display[len(prefix) :]] = art
        for path, reason in self.skipped.items():
            if path.startswith(prefix):
                tree.unreadable[path[len(prefix) :]] = reason
        return tree


def _single(art: Artifact, signature: Path) -> SignedTree:
    tree = SignedTree(art.display, str(signature), signature, single=True)
    tree.files[posixpath.basename(art.display)] = art
    return tree


def target_root(art: Artifact) -> str:
    """Display path of the scan target (or Hugging Face snapshot) an artifact was found under."""
    return art.display[: len(art.display) - len(art.ref.relpath)].rstrip("/")


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
