"""Model signatures: find every OMS signature in the target, check it, compare its manifest with the
folder.

A signature covers a folder: the model's own folder, or a parent folder up to the scan target (the
signer may have signed the whole download while aibom's model root is a sub-folder), or the whole target
when ``--signature`` is given. A ``model.sig`` (or another ``*.sig`` Sigstore bundle) that no model
claims is checked on its own folder: a signature is never passed over because its folder did not look
like a model. The folder's files are listed by ``aibom.verify.listing`` (``__pycache__`` and
``node_modules`` included); per-file SHA-256 digests come from the scan when it hashed the file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from aibom.artifacts import Artifact
from aibom.findings import Skipped
from aibom.inventory import Inventory, ModelEntry
from aibom.limits import DEFAULT_LIMITS
from aibom.verify.bundle import parse_bundle, parse_statement, read_bounded
from aibom.verify.keys import CertTrust, KeyTrust
from aibom.verify.listing import Listed, Listing, list_folder
from aibom.verify.oms import Manifest, Resource, compare, parse_manifest
from aibom.verify.paths import GIT_PATHS, relative_ignore, under
from aibom.verify.rehash import MissingHashLibrary, digest_range
from aibom.verify.results import (
    BundleError,
    FileProblem,
    Method,
    ProblemKind,
    SignatureError,
    Status,
    Verification,
)
from aibom.verify.trust import Trust, VerifyOptions, check_envelope, load_trust, trust_source

SIGNATURE_NAME = "model.sig"
SIGNATURE_SUFFIX = ".sig"
BUNDLE_MARK = b"application/vnd.dev.sigstore.bundle"
"""A ``*.sig`` file whose first bytes name this media type is a Sigstore bundle (model-signing's
``--signature`` may be any name); other ``.sig`` files (GPG, minisign) are ordinary files."""
SIDE_BUNDLE_SUFFIXES = (".sigstore.json", ".sigstore")
"""Bundles over single files (verified one by one); not reported as unsigned files of a model."""


@dataclass
class SignedTree:
    root: str
    """Display path of the signed folder, or of the file for a single-file model."""
    signature: str
    signature_path: Path
    folder: Path | None
    """The folder on disk (None when no file under it was found: nothing to list)."""
    signature_inode: tuple[int, int] | None = None
    single: Listed | None = None
    """The file of a single-file model."""


def verify_models(
    inventory: Inventory,
    artifacts: Sequence[Artifact],
    options: VerifyOptions,
    *,
    skipped: Sequence[Skipped] = (),
) -> list[Verification]:
    """One ``Verification`` per model of ``inventory``, in its order (what ``aibom scan`` records)."""
    return verify_signatures(inventory, artifacts, options, skipped=skipped)[0]


def verify_signatures(
    inventory: Inventory,
    artifacts: Sequence[Artifact],
    options: VerifyOptions,
    *,
    skipped: Sequence[Skipped] = (),
) -> tuple[list[Verification], list[Verification]]:
    """(one ``Verification`` per model, one per signature no model claimed). ``skipped`` is accepted
    for callers that have it; the folder listing finds unreadable entries itself."""
    del skipped
    trust = load_trust(options)
    index = _Index(artifacts)
    done: dict[tuple[str, str], Verification] = {}
    models = []
    for model in inventory.models:
        tree = index.tree_for(model, options.signature)
        if tree is None:
            models.append(Verification(model.root, Status.UNSIGNED, message="no model.sig found"))
            continue
        key = (tree.root, tree.signature)
        if key not in done:
            done[key] = verify_tree(tree, trust, options, index)
        models.append(replace(done[key], subject=model.root or tree.root))
    others = []
    explicit = _inode(options.signature) if options.signature is not None else None
    if options.signature is not None and not done and artifacts:
        # An explicit signature is always checked, even when no file looked like a model.
        others.append(verify_tree(index.target_tree(options.signature), trust, options, index))
    used = {sig for _root, sig in done}
    for sig in index.signatures():
        if sig.display not in used and (sig.ref.stat.dev, sig.ref.stat.ino) != explicit:
            others.append(verify_tree(index.beside(sig), trust, options, index))
    return models, others


def verify_tree(
    tree: SignedTree, trust: Trust | None, options: VerifyOptions, index: _Index | None = None
) -> Verification:
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
    _compare(v, tree, manifest, options, index or _Index(()))
    return v


def _method_of(trust: Trust) -> Method:
    if isinstance(trust, KeyTrust):
        return Method.KEY
    return Method.CERTIFICATE if isinstance(trust, CertTrust) else Method.SIGSTORE


@dataclass(frozen=True)
class _Ignores:
    """What may stay unsigned in one tree: the signer's list, the user's list, and git paths."""

    signer: tuple[str, ...]
    user: tuple[str, ...]
    signed: frozenset[str]

    def may_skip(self, path: str) -> bool:
        return path not in self.signed and under(path, (*GIT_PATHS, *self.signer, *self.user))

    def shown_unsigned(self, path: str) -> bool:
        """Listed as unsigned in the report: ignored by someone, but not a default git path."""
        if path in self.signed or under(path, GIT_PATHS):
            return False
        return under(path, (*self.signer, *self.user))

    def prune(self, folder: str) -> bool:
        """A folder may be left unlisted when it may stay unsigned and holds no signed path."""
        if not self.may_skip(folder):
            return False
        return not any(s.startswith(folder + "/") for s in self.signed)


def _ignores(tree: SignedTree, manifest: Manifest, options: VerifyOptions) -> _Ignores:
    user: list[str] = []
    for value in options.ignore_paths:
        base = tree.folder if tree.folder is not None else Path()
        rel = relative_ignore(value, base)
        if rel is not None:
            user.append(rel)
    signed = frozenset(r.path for r in manifest.resources)
    return _Ignores(tuple(manifest.ignore_paths), tuple(user), signed)


def _list(tree: SignedTree, ignores: _Ignores, options: VerifyOptions) -> Listing:
    if tree.single is not None:
        return Listing(files={posixpath.basename(tree.root): tree.single})
    if tree.folder is None:
        return Listing()
    return list_folder(tree.folder, ignores.prune, options.limits, leave_out=tree.signature_inode)


def _compare(
    v: Verification, tree: SignedTree, manifest: Manifest, options: VerifyOptions, index: _Index
) -> None:
    if tree.single is not None:
        manifest = _single_file(manifest, posixpath.basename(tree.root))
    ignores = _ignores(tree, manifest, options)
    listing = _list(tree, ignores, options)
    present = {p: f.size for p, f in listing.files.items() if not ignores.may_skip(p)}
    unreadable = _unreadable_signed(listing, ignores.signed)
    v.unsigned = sorted(p for p in listing.files if ignores.shown_unsigned(p))
    v.unsigned += sorted(p + "/" for p in listing.pruned if ignores.shown_unsigned(p))

    def digest(path: str, algorithm: str, start: int | None, end: int | None) -> str | None:
        listed = listing.files[path]
        known = index.sha256(listed.path)
        if algorithm == "sha256" and start is None and known is not None:
            return known
        try:
            return digest_range(listed.path, algorithm, start, end)
        except (OSError, MissingHashLibrary):
            return None

    def tolerated(path: str) -> bool:
        """A bundle beside a file of the tree, that the scan found (so ``verify_artifacts`` checks
        it): not an unsigned extra. Any other ``*.sigstore`` name is a file like the rest."""
        if not path.endswith(SIDE_BUNDLE_SUFFIXES):
            return False
        subject = path.removesuffix(".json").removesuffix(".sigstore")
        return subject in listing.files and index.sha256(listing.files[path].path) is not None

    result = compare(manifest, present, digest, unreadable, tolerated)
    v.problems = result.problems + _unreadable_extras(listing, ignores)
    if listing.truncated:
        limit = (
            f"more than {options.limits.max_files} entries or {options.limits.max_dir_depth} levels"
        )
        v.problems.append(
            FileProblem(".", ProblemKind.UNCHECKED, f"folder not fully listed ({limit})")
        )
    _set_status(v, result.checked)


def _set_status(v: Verification, checked: int) -> None:
    kinds = {p.kind for p in v.problems}
    if kinds - {ProblemKind.UNCHECKED}:
        v.status = Status.MISMATCH
        v.message = f"{len(v.problems)} file(s) differ from the signed manifest"
    elif kinds:
        v.status = Status.NOT_CHECKED
        v.message = "valid signature, but some files could not be compared"
    else:
        v.status = Status.VERIFIED
        v.message = f"valid signature; all {checked} signed file(s) match"
        if v.unsigned:
            v.message += f"; {len(v.unsigned)} file(s) present but not covered by it"


def _unreadable_signed(listing: Listing, signed: frozenset[str]) -> dict[str, str]:
    """Signed paths that could not be read: the entry itself, or an unreadable folder above it."""
    out = {}
    for path in signed:
        for entry, reason in listing.unreadable.items():
            if entry in (path, ".") or path.startswith(entry + "/"):
                out[path] = reason
                break
    return out


def _unreadable_extras(listing: Listing, ignores: _Ignores) -> list[FileProblem]:
    """Entries that are neither signed nor allowed to be unsigned and could not be read: never a
    silent pass (a FIFO or an unreadable folder may hide anything)."""
    return [
        FileProblem(path, ProblemKind.EXTRA, f"not covered by the signature; {reason}")
        for path, reason in sorted(listing.unreadable.items())
        if path not in ignores.signed
        and not ignores.may_skip(path)
        and not any(s.startswith(path + "/") for s in ignores.signed)
    ]


def _single_file(manifest: Manifest, name: str) -> Manifest:
    """model-signing names a single-file model's only resource "."; the OMS spec names it by file."""
    resources = [
        Resource(name, r.algorithm, r.digest, r.start, r.end) if r.path in (".", name) else r
        for r in manifest.resources
    ]
    return replace(manifest, resources=resources)


def is_signature(art: Artifact) -> bool:
    """An OMS signature by name (``model.sig``) or a ``*.sig`` file that is a Sigstore bundle."""
    name = posixpath.basename(art.display)
    if name == SIGNATURE_NAME:
        return True
    return name.endswith(SIGNATURE_SUFFIX) and BUNDLE_MARK in art.head


class _Index:
    """Artifacts by display path and by file, for locating signed trees and reusing digests."""

    def __init__(self, artifacts: Sequence[Artifact]) -> None:
        self.artifacts = artifacts
        self.by_display = {a.display: a for a in artifacts}
        self.by_path = {str(a.ref.path): a for a in artifacts}

    def sha256(self, path: Path) -> str | None:
        art = self.by_path.get(str(path))
        return art.digests.sha256 if art is not None and art.digests is not None else None

    def signatures(self) -> list[Artifact]:
        return [a for a in self.artifacts if is_signature(a)]

    def beside(self, sig: Artifact) -> SignedTree:
        """The tree of a signature no model claimed: the folder it lies in."""
        root = posixpath.dirname(sig.display)
        inode = (sig.ref.stat.dev, sig.ref.stat.ino)
        return SignedTree(root, sig.display, sig.ref.path, sig.ref.path.parent, inode)

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
        return SignedTree(root, sig_display, sig_path, self.folder_of(root), sig_inode)

    def folder_of(self, root: str) -> Path | None:
        """The folder on disk whose display path is ``root``, from any file found under it."""
        prefix = root + "/" if root else ""
        for art in self.artifacts:
            if art.display.startswith(prefix):
                depth = art.display[len(prefix) :].count("/") + 1
                return art.ref.path.parents[depth - 1]
        return None


def _single(art: Artifact, signature: Path) -> SignedTree:
    listed = Listed(art.ref.path, art.ref.stat.size)
    return SignedTree(art.display, str(signature), signature, None, single=listed)


def target_root(art: Artifact) -> str:
    """Display path of the scan target (or Hugging Face snapshot) an artifact was found under."""
    return art.display[: len(art.display) - len(art.ref.relpath)].rstrip("/")


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
