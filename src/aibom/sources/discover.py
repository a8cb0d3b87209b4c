"""Discovery: turn command-line targets into regular files to examine, without opening any of them.

Rules:
- Only regular files are returned. FIFOs, sockets and devices are recorded as skipped and never opened.
- Symbolic links are followed only while their target stays inside the scan root (for a Hugging Face
  cache: inside the repository folder, so snapshot links into ``blobs/`` work). Loops are detected.
- Hugging Face cache repositories (``models--org--name`` with ``snapshots/``) are recognised wherever
  they appear, and each snapshot is tagged with repo id, type and 40-hex commit.
- Python virtual environments (a folder holding ``pyvenv.cfg``) are not walked file by file; they are
  returned as environments for the package stage.
- Excluded paths (``DEFAULT_EXCLUDES`` and ``--exclude`` patterns) are left out of the inventory but not
  out of sight: each is recorded in ``Discovery.excluded``, and the regular files under it are returned
  in ``Discovery.hidden`` so that the scan can still analyse those whose content can carry code
  (``aibom.sources.hidden``). A pickle under ``__pycache__/`` or ``node_modules/`` is no blind spot.
- A directory that cannot be listed or entered is a skipped entry; it never stops the walk.

huggingface_hub's ``scan_cache_dir`` reads ref files whole and follows links without bounds, so a hostile
cache (a FIFO as a ref, a link loop) could hang it; this module parses the documented layout itself and the
test suite checks its answer against ``scan_cache_dir`` on well-formed caches.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aibom.artifacts import FileRef, FileStat, HFFileRef
from aibom.checks import HF_CACHE_LAYOUT, LIMIT_REACHED
from aibom.findings import Finding, Skipped
from aibom.limits import DEFAULT_LIMITS, Limits

DEFAULT_EXCLUDES: tuple[str, ...] = (".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox")
"""Directory names never walked (version-control internals and caches, not artifacts)."""

HF_REPO_PREFIXES = {"models": "model", "datasets": "dataset", "spaces": "space"}
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
LINK_LEAVES_ROOT = "symbolic link leaves the scan root; not followed"
"""Skip reason for a link whose target is outside the root (later stages match on it)."""


@dataclass(frozen=True)
class HFSnapshot:
    repo_id: str
    repo_type: str
    commit: str
    refs: tuple[str, ...]
    display: str
    """Display path of the snapshot folder."""


@dataclass
class Discovery:
    files: list[FileRef] = field(default_factory=list)
    snapshots: list[HFSnapshot] = field(default_factory=list)
    environments: list[tuple[Path, str]] = field(default_factory=list)
    """(venv folder, display path) pairs."""
    skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    targets: list[tuple[Path, str]] = field(default_factory=list)
    """(absolute target, display name) pairs, in command-line order."""
    excluded: list[Excluded] = field(default_factory=list)
    """Paths left out of the inventory by an exclude rule, in walk order."""
    hidden: list[tuple[FileRef, int]] = field(default_factory=list)
    """Regular files under an excluded path, each with the index of its ``excluded`` entry."""


@dataclass(frozen=True)
class Excluded:
    display: str
    rule: str
    """``default exclude '__pycache__'`` or ``--exclude '*.pkl'``."""
    is_dir: bool


def display_name(text: str) -> str:
    """A path string safe to put in JSON and reports (undecodable bytes become U+FFFD)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _file_stat(st: os.stat_result) -> FileStat:
    return FileStat(
        dev=st.st_dev,
        ino=st.st_ino,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        ctime_ns=st.st_ctime_ns,
    )


def _special_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class _Walker:
    """Walks one target. Collects into a shared ``Discovery``."""

    def __init__(self, out: Discovery, excludes: Sequence[str], limits: Limits) -> None:
        self.out = out
        self.default_excludes = frozenset(DEFAULT_EXCLUDES)
        self.user_patterns = [_Pattern(p) for p in excludes]
        self.hidden_files = 0
        self.hidden_truncated = False
        self.limits = limits
        self.seen_dirs: set[tuple[int, int]] = set()
        self.truncated = False

    def excluded(self, rel: str, name: str) -> str | None:
        """The rule that excludes this path, or None."""
        if name in self.default_excludes:
            return f"default exclude {name!r}"
        for pattern in self.user_patterns:
            if pattern.match(name) or pattern.match(rel):
                return f"--exclude {pattern.pattern_text!r}"
        return None

    def walk(self, root: Path, display: str, link_root: Path) -> None:
        """Walk ``root``; symlinks may resolve anywhere inside ``link_root``."""
        stack: list[_Dir] = [_Dir(root, "", 0, None)]
        while stack:
            here = stack.pop()
            if here.depth > self.limits.max_dir_depth:
                shown = display_name(_join(display, here.rel))
                self.out.skipped.append(Skipped(shown, "directory nesting too deep"))
                continue
            entries = self._list(here.path, _join(display, here.rel))
            subdirs: list[_Dir] = []
            for entry in entries:
                child_rel = f"{here.rel}/{entry.name}" if here.rel else entry.name
                sub = self._entry(entry, child_rel, display, link_root, here)
                if sub is not None:
                    subdirs.append(sub)
            stack.extend(reversed(subdirs))

    def _list(self, directory: Path, shown: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as it:
                return sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.out.skipped.append(
                Skipped(display_name(shown), f"cannot list directory: {exc.strerror}")
            )
            return []

    def _entry(
        self, entry: os.DirEntry[str], rel: str, display: str, link_root: Path, parent: _Dir
    ) -> _Dir | None:
        shown = display_name(_join(display, rel))
        hidden = parent.hidden
        if hidden is None:
            rule = self.excluded(rel, entry.name)
            if rule is not None:
                hidden = len(self.out.excluded)
                is_dir = _is_dir_entry(entry)
                self.out.excluded.append(Excluded(shown, rule, is_dir))
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                target = self._resolve(path, shown, link_root)
                if target is None:
                    return None
                st = target.stat()
            else:
                target, st = path, entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.out.skipped.append(Skipped(shown, f"cannot stat: {exc.strerror}"))
            return None
        if stat.S_ISDIR(st.st_mode):
            return self._enter_dir(target, st, rel, shown, parent.depth, hidden)
        if not stat.S_ISREG(st.st_mode):
            self.out.skipped.append(Skipped(shown, f"{_special_kind(st.st_mode)}; never opened"))
            return None
        if hidden is None:
            self._add_file(path, shown, rel, st, None)
        else:
            self._add_hidden(path, shown, rel, st, hidden)
        return None

    def _enter_dir(
        self, target: Path, st: os.stat_result, rel: str, shown: str, depth: int, hidden: int | None
    ) -> _Dir | None:
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:
            self.out.skipped.append(Skipped(shown, "directory already visited (link loop)"))
            return None
        self.seen_dirs.add(key)
        if hidden is None:  # inside an excluded folder everything is a plain folder
            try:
                if (target / "pyvenv.cfg").is_file():
                    self.out.environments.append((target, shown))
                    return None
                if is_hf_repo_dir(target):
                    walk_hf_repo(self, target, shown)
                    return None
            except OSError as exc:  # e.g. a directory without search permission
                self.out.skipped.append(Skipped(shown, f"cannot enter directory: {exc.strerror}"))
                return None
        return _Dir(target, rel, depth + 1, hidden)

    def _resolve(self, path: Path, shown: str, link_root: Path) -> Path | None:
        if not path.is_symlink():
            return path
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            reason = "dangling symbolic link" if isinstance(exc, FileNotFoundError) else "link loop"
            self.out.skipped.append(Skipped(shown, reason))
            return None
        if not _within(resolved, link_root):
            self.out.skipped.append(Skipped(shown, LINK_LEAVES_ROOT))
            return None
        return resolved

    def _add_file(
        self, path: Path, shown: str, rel: str, st: os.stat_result, hf: HFFileRef | None
    ) -> None:
        if len(self.out.files) >= self.limits.max_files:
            if not self.truncated:
                self.truncated = True
                message = f"more than {self.limits.max_files} files; the rest were not examined"
                self.out.findings.append(Finding(LIMIT_REACHED, shown, message))
            return
        self.out.files.append(
            FileRef(path=path, display=shown, relpath=display_name(rel), stat=_file_stat(st), hf=hf)
        )

    def _add_hidden(
        self, path: Path, shown: str, rel: str, st: os.stat_result, hidden: int
    ) -> None:
        """A file under an excluded path: not inventoried, but kept for the code-bearing check."""
        if self.hidden_files >= self.limits.max_files:
            if not self.hidden_truncated:
                self.hidden_truncated = True
                message = (
                    f"more than {self.limits.max_files} files under excluded paths; the rest were "
                    "not checked for code-bearing content"
                )
                self.out.findings.append(Finding(LIMIT_REACHED, shown, message))
            return
        self.hidden_files += 1
        ref = FileRef(path=path, display=shown, relpath=display_name(rel), stat=_file_stat(st))
        self.out.hidden.append((ref, hidden))


@dataclass(frozen=True)
class _Dir:
    path: Path
    rel: str
    depth: int
    hidden: int | None
    """Index of the ``Discovery.excluded`` entry this folder lies under, if any."""


class _Pattern:
    """One ``--exclude`` glob, matched against a name or a path relative to the target."""

    def __init__(self, text: str) -> None:
        self.pattern_text = text
        self._re = re.compile(fnmatch.translate(text))

    def match(self, value: str) -> bool:
        return self._re.match(value) is not None


def _is_dir_entry(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _join(display: str, rel: str) -> str:
    if not rel:
        return display
    return f"{display}/{rel}" if display else rel


# ---------------------------------------------------------------- Hugging Face cache


def is_hf_repo_dir(path: Path) -> bool:
    prefix, sep, rest = path.name.partition("--")
    return bool(sep and rest) and prefix in HF_REPO_PREFIXES and (path / "snapshots").is_dir()


def hf_repo_identity(dirname: str) -> tuple[str, str]:
    """``models--org--name`` -> (``org/name``, ``model``)."""
    prefix, _, rest = dirname.partition("--")
    return rest.replace("--", "/"), HF_REPO_PREFIXES[prefix]


def _read_refs(repo: Path, walker: _Walker, shown: str) -> dict[str, list[str]]:
    """commit -> ref names. Ref files are tiny; anything else is a finding, and FIFOs are never opened."""
    by_commit: dict[str, list[str]] = {}
    refs_dir = repo / "refs"
    if not refs_dir.is_dir():
        return by_commit
    for ref_path in sorted(_iter_regular(refs_dir, walker, f"{shown}/refs")):
        name = ref_path.relative_to(refs_dir).as_posix()
        try:
            with ref_path.open("rb") as fh:
                text = (
                    fh.read(walker.limits.max_hf_ref_bytes + 1).decode("ascii", "replace").strip()
                )
        except OSError as exc:
            walker.out.skipped.append(
                Skipped(f"{shown}/refs/{name}", f"cannot read: {exc.strerror}")
            )
            continue
        if not _COMMIT_RE.fullmatch(text):
            walker.out.findings.append(
                Finding(
                    HF_CACHE_LAYOUT,
                    f"{shown}/refs/{display_name(name)}",
                    "ref does not name a 40-hex commit",
                    evidence=text[:80],
                )
            )
            continue
        by_commit.setdefault(text, []).append(name)
    return by_commit


def _iter_regular(root: Path, walker: _Walker, shown: str) -> Iterator[Path]:
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                yield path
            else:
                rel = path.relative_to(root).as_posix()
                walker.out.skipped.append(
                    Skipped(f"{shown}/{rel}", "not a regular file; never opened")
                )


def walk_hf_repo(walker: _Walker, repo: Path, shown: str) -> None:
    repo_id, repo_type = hf_repo_identity(repo.name)
    refs = _read_refs(repo, walker, shown)
    blobs = repo / "blobs"
    for snap in sorted((repo / "snapshots").iterdir(), key=lambda p: p.name):
        snap_shown = f"{shown}/snapshots/{display_name(snap.name)}"
        if not snap.is_dir() or snap.is_symlink():
            walker.out.findings.append(
                Finding(HF_CACHE_LAYOUT, snap_shown, "snapshot entry is not a directory")
            )
            continue
        commit = snap.name
        if not _COMMIT_RE.fullmatch(commit):
            walker.out.findings.append(
                Finding(
                    HF_CACHE_LAYOUT, snap_shown, "snapshot folder is not named by a 40-hex commit"
                )
            )
        walker.out.snapshots.append(
            HFSnapshot(repo_id, repo_type, commit, tuple(sorted(refs.get(commit, []))), snap_shown)
        )
        base = HFFileRef(repo_id, repo_type, commit, None)
        _walk_snapshot(walker, snap, snap_shown, base, blobs, repo.resolve())


def _walk_snapshot(
    walker: _Walker, snap: Path, shown: str, base: HFFileRef, blobs: Path, repo: Path
) -> None:
    start = len(walker.out.files)
    walker.walk(snap, shown, repo)
    for i in range(start, len(walker.out.files)):
        ref = walker.out.files[i]
        blob_name = _blob_name(ref.path, blobs)
        if blob_name is None:
            walker.out.findings.append(
                Finding(
                    HF_CACHE_LAYOUT,
                    ref.display,
                    "snapshot file is not a link into the blobs folder",
                )
            )
        hf = HFFileRef(base.repo_id, base.repo_type, base.commit, blob_name)
        walker.out.files[i] = FileRef(ref.path, ref.display, ref.relpath, ref.stat, hf)


def _blob_name(path: Path, blobs: Path) -> str | None:
    if not path.is_symlink():
        return None
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return resolved.name if resolved.parent == blobs.resolve() else None


# ---------------------------------------------------------------- entry point


def discover(
    targets: Sequence[Path], excludes: Sequence[str] = (), limits: Limits = DEFAULT_LIMITS
) -> Discovery:
    out = Discovery()
    walker = _Walker(out, excludes, limits)
    for target in targets:
        _discover_target(walker, target)
    return out


def _discover_target(walker: _Walker, target: Path) -> None:
    absolute = Path(os.path.abspath(target))  # noqa: PTH100 - keep symlinks: resolve() would follow them
    shown = display_name(absolute.name or str(absolute))
    walker.out.targets.append((absolute, shown))
    try:
        st = absolute.stat()
    except OSError as exc:
        walker.out.skipped.append(
            Skipped(display_name(str(target)), f"cannot stat: {exc.strerror}")
        )
        return
    if stat.S_ISREG(st.st_mode):
        walker._add_file(absolute, shown, absolute.name, st, None)
    elif not stat.S_ISDIR(st.st_mode):
        walker.out.skipped.append(Skipped(shown, f"{_special_kind(st.st_mode)}; never opened"))
    elif _cannot_enter(walker, absolute, shown):
        return
    elif (absolute / "pyvenv.cfg").is_file():
        walker.out.environments.append((absolute, shown))
    elif is_hf_repo_dir(absolute):
        walker.seen_dirs.add((st.st_dev, st.st_ino))
        walk_hf_repo(walker, absolute, shown)
    elif absolute.parent.name == "snapshots" and is_hf_repo_dir(absolute.parent.parent):
        _discover_snapshot(walker, absolute, shown)
    else:
        walker.seen_dirs.add((st.st_dev, st.st_ino))
        walker.walk(absolute, shown, _link_root(absolute))


def _cannot_enter(walker: _Walker, directory: Path, shown: str) -> bool:
    """A target folder without search permission is a skipped entry, not a crash."""
    try:
        (directory / "pyvenv.cfg").is_file()
        is_hf_repo_dir(directory)
    except OSError as exc:
        walker.out.skipped.append(Skipped(shown, f"cannot enter directory: {exc.strerror}"))
        return True
    return False


def _discover_snapshot(walker: _Walker, snap: Path, shown: str) -> None:
    """A single snapshot folder given as target: still tagged with its repo and commit."""
    repo = snap.parent.parent
    repo_id, repo_type = hf_repo_identity(repo.name)
    refs = _read_refs(repo, walker, shown)
    commit = snap.name
    walker.out.snapshots.append(
        HFSnapshot(repo_id, repo_type, commit, tuple(sorted(refs.get(commit, []))), shown)
    )
    base = HFFileRef(repo_id, repo_type, commit, None)
    _walk_snapshot(walker, snap, shown, base, repo / "blobs", repo.resolve())


def _link_root(target: Path) -> Path:
    """Links may stay inside the target; inside an HF repo folder they may reach the repo's blobs."""
    resolved = target.resolve()
    for parent in (resolved, *resolved.parents):
        if is_hf_repo_dir(parent):
            return parent
    return resolved
