"""Installed distributions, read from ``*.dist-info`` / ``*.egg-info`` metadata files only.

Nothing from the scanned environment is imported or executed: no interpreter is started, no
``.pth`` file is processed, ``importlib.metadata`` is not used. Site-packages directories are found
from the layout (``lib/python3.X/site-packages``, ``Lib/site-packages``, ``pyvenv.cfg``).
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import Marker
from packaging.metadata import RawMetadata, parse_email
from packaging.requirements import InvalidRequirement, Requirement

from aibom import checks
from aibom.findings import Finding, Skipped
from aibom.limits import Limits
from aibom.packages import _common as c
from aibom.packages.interface import (
    InputKind,
    Package,
    PackageCollection,
    PackageHash,
    PackageInput,
)
from aibom.packages.licenses import resolve_license

_SITE_NAMES = frozenset({"site-packages", "dist-packages"})
_HOMEPAGE_LABELS = ("homepage", "home", "source", "sourcecode", "repository", "github")


@dataclass(frozen=True)
class _Env:
    display: str
    base: Path
    current: bool
    limits: Limits
    out: PackageCollection

    def shown(self, path: Path) -> str:
        try:
            return f"{self.display}/{path.relative_to(self.base).as_posix()}"
        except ValueError:
            return path.as_posix()


# ---------------------------------------------------------------- locating site-packages


def _unique_dirs(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    result: list[Path] = []
    for path in paths:
        try:
            key = path.resolve()
        except OSError:
            continue
        if path.is_dir() and key not in seen:
            seen.add(key)
            result.append(path)
    return result


def _prefix_site_dirs(prefix: Path) -> list[Path]:
    """Site directories of an installation prefix or venv, from its directory layout."""
    candidates: list[Path] = []
    for lib in ("lib", "lib64"):
        for pattern in ("python3*/site-packages", "pypy3*/site-packages", "python3/dist-packages"):
            candidates.extend(sorted((prefix / lib).glob(pattern)))
    candidates.append(prefix / "Lib" / "site-packages")
    return _unique_dirs(candidates)


def _pyvenv_cfg(root: Path) -> dict[str, str]:
    try:
        lines = (root / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    pairs = (line.partition("=") for line in lines[:200])
    return {key.strip().lower(): value.strip() for key, sep, value in pairs if sep}


def _venv_site_dirs(root: Path) -> list[Path]:
    """A venv's own site dirs, plus the base installation's when it includes system packages."""
    dirs = _prefix_site_dirs(root)
    cfg = _pyvenv_cfg(root)
    if cfg.get("include-system-site-packages", "").lower() == "true" and cfg.get("home"):
        home = Path(cfg["home"])
        dirs += _prefix_site_dirs(home.parent) + _prefix_site_dirs(home)
    return _unique_dirs(dirs)


def _is_site_dir(path: Path) -> bool:
    if path.name in _SITE_NAMES:
        return True
    try:
        return any(p.suffix in {".dist-info", ".egg-info"} for p in path.iterdir())
    except OSError:
        return False


def _interpreter_roots(python: Path) -> list[Path]:
    """Prefixes an interpreter may belong to (``<root>/bin/python``, ``<root>/Scripts/python.exe``,
    ``<root>/python.exe``), unresolved path first: a venv's python is a symlink to the base one."""
    roots = [python.parent.parent, python.parent]
    try:
        real = python.resolve()
    except OSError:
        return roots
    return [*roots, real.parent.parent, real.parent]


def site_dirs(path: Path) -> list[Path]:
    """Site directories of a python executable, venv, prefix or site-packages dir (no execution)."""
    if is_current(path):
        return current_site_dirs()
    if path.is_dir():
        if (path / "pyvenv.cfg").is_file():
            return _venv_site_dirs(path)
        return [path] if _is_site_dir(path) else _prefix_site_dirs(path)
    roots = _interpreter_roots(path) if path.is_file() else []
    return next((found for root in roots if (found := _root_site_dirs(root))), [])


def _root_site_dirs(root: Path) -> list[Path]:
    if (root / "pyvenv.cfg").is_file():
        return _venv_site_dirs(root)
    return _prefix_site_dirs(root)


def current_site_dirs() -> list[Path]:
    """This interpreter's site directories, in ``sys.path`` order."""
    return _unique_dirs(
        Path(entry) for entry in sys.path if entry and Path(entry).name in _SITE_NAMES
    )


def is_current(path: Path) -> bool:
    """True when ``path`` is this interpreter's executable (not merely the same binary)."""
    return bool(sys.executable) and path.absolute() == Path(sys.executable).absolute()


def _base_of(path: Path) -> Path:
    """The directory display paths are made relative to."""
    if path.is_dir():
        return path
    for root in _interpreter_roots(path)[:2]:
        if (root / "pyvenv.cfg").is_file() or _prefix_site_dirs(root):
            return root
    return path.parent


# ---------------------------------------------------------------- reading metadata


def parse_installed(inp: PackageInput, limits: Limits) -> PackageCollection:
    out = PackageCollection()
    dirs = site_dirs(inp.path)
    if not dirs:
        out.skipped.append(Skipped(inp.display, "no site-packages directory found"))
        return out
    env = _Env(inp.display, _base_of(inp.path), is_current(inp.path), limits, out)
    for site in dirs:
        _read_site_dir(site, env)
    return out


def _metadata_dirs(site: Path, env: _Env) -> list[Path]:
    try:
        names = sorted(
            e.name for e in os.scandir(site) if e.name.endswith((".dist-info", ".egg-info"))
        )
    except OSError as exc:
        env.out.skipped.append(Skipped(env.shown(site), f"cannot list: {exc.strerror or exc}"))
        return []
    if len(names) > env.limits.max_members:
        message = f"{len(names)} distributions; only the first {env.limits.max_members} were read"
        env.out.findings.append(Finding(checks.LIMIT_REACHED, env.shown(site), message))
        names = names[: env.limits.max_members]
    return [site / name for name in names]


def _read_site_dir(site: Path, env: _Env) -> None:
    for meta_dir in _metadata_dirs(site, env):
        package = _read_distribution(meta_dir, env)
        if package is not None:
            env.out.packages.append(package)


def _metadata_file(meta_dir: Path) -> Path:
    if meta_dir.suffix == ".dist-info":
        return meta_dir / "METADATA"
    return meta_dir / "PKG-INFO" if meta_dir.is_dir() else meta_dir


def _name_from_dir(meta_dir: Path) -> tuple[str, str | None]:
    name, _, version = meta_dir.stem.partition("-")
    return name, (version.split("-")[0] or None)


def _raw_metadata(meta_dir: Path, env: _Env) -> RawMetadata | None:
    file = _metadata_file(meta_dir)
    text = c.read_text(file, env.shown(file), env.limits, env.out)
    if text is None:
        return None
    raw, _unparsed = parse_email(text)
    return raw


def _read_distribution(meta_dir: Path, env: _Env) -> Package | None:
    raw = _raw_metadata(meta_dir, env)
    if raw is None:
        return None
    dir_name, dir_version = _name_from_dir(meta_dir)
    if not raw.get("name"):
        shown = env.shown(_metadata_file(meta_dir))
        c.malformed(
            env.out, shown, "metadata has no Name field; name taken from the directory name"
        )
    expression, names = resolve_license(
        raw.get("license_expression"),
        raw.get("license"),
        raw.get("classifiers", []),
        env.limits.max_license_chars,
    )
    requires = list(raw.get("requires_dist", []))
    if meta_dir.suffix == ".egg-info" and meta_dir.is_dir():
        requires += _egg_requires(meta_dir / "requires.txt", env)
    package = Package(
        name=raw.get("name") or dir_name,
        version=raw.get("version") or dir_version,
        source=env.display,
        source_kind=InputKind.INSTALLED,
        license_expression=expression,
        license_names=names,
        summary=_known(raw.get("summary")),
        author=_known(raw.get("author")) or _known(raw.get("author_email")),
        homepage=_homepage(raw),
        dependencies=_dependencies(requires, current=env.current),
        direct=None,
    )
    if meta_dir.suffix == ".dist-info":
        _add_dist_info_files(package, meta_dir, env)
    return package


def _known(value: str | None) -> str | None:
    """A metadata value, without the ``UNKNOWN`` placeholder old setuptools wrote for blanks."""
    return value.strip() if value and value.strip() and value.strip() != "UNKNOWN" else None


def _homepage(raw: RawMetadata) -> str | None:
    if home := _known(raw.get("home_page")):
        return home
    urls = {_label(k): v for k, v in raw.get("project_urls", {}).items()}
    return next((urls[label] for label in _HOMEPAGE_LABELS if urls.get(label)), None)


def _label(label: str) -> str:
    """Project-URL label normalised as PEP 753 recommends (no punctuation or spaces, lower case)."""
    return "".join(ch for ch in label.lower() if ch.isalnum())


def _egg_requires(path: Path, env: _Env) -> list[str]:
    """Unconditional and marker-only sections of an egg-info ``requires.txt`` (extras skipped)."""
    if not path.is_file():
        return []
    text = c.read_text(path, env.shown(path), env.limits, env.out) or ""
    requires: list[str] = []
    extra, marker = "", ""
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
        elif line and not line.startswith("#") and not extra.strip():
            requires.append(f"{line}; {marker}" if marker.strip() else line)
    return requires


def _dependencies(requires: Sequence[str], *, current: bool) -> tuple[str, ...]:
    """Names from Requires-Dist, without extras-only entries; markers evaluated only for this
    interpreter (another environment's platform is unknown, so its entries are all kept)."""
    names: list[str] = []
    for text in requires:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is not None and (
            _needs_extra(req.marker) or (current and not _marker_holds(req.marker))
        ):
            continue
        names.append(req.name)
    return c.unique_names(names)


def _needs_extra(marker: Marker) -> bool:
    unquoted = c.QUOTED_RE.sub("", str(marker))
    return c.EXTRA_RE.search(unquoted) is not None


def _marker_holds(marker: Marker) -> bool:
    try:
        return marker.evaluate({"extra": ""})
    except Exception:  # undefined comparisons: keep the dependency
        return True


# ---------------------------------------------------------------- RECORD, direct_url, INSTALLER


def _add_dist_info_files(package: Package, meta_dir: Path, env: _Env) -> None:
    _add_record(package, meta_dir / "RECORD", env)
    _add_direct_url(package, meta_dir / "direct_url.json", env)
    installer = meta_dir / "INSTALLER"
    if installer.is_file():
        text = c.read_text(installer, env.shown(installer), env.limits, env.out) or ""
        first = text.strip().splitlines()[0][:100].strip() if text.strip() else ""
        if first:
            package.properties[c.PROP_INSTALLER] = first


def _add_record(package: Package, record: Path, env: _Env) -> None:
    if not record.is_file():
        return
    text = c.read_text(record, env.shown(record), env.limits, env.out)
    if text is None:
        return
    files = hashed = 0
    if (
        "\x00" in text
    ):  # Python 3.10's csv refuses NUL and 3.11's accepts it: decide here, the same way
        c.malformed(env.out, env.shown(record), "invalid RECORD: line contains NUL")
        return
    try:
        for row in csv.reader(text.splitlines()):
            if row and row[0].strip():
                files += 1
                hashed += len(row) > 1 and _is_record_hash(row[1])
    except csv.Error as exc:
        c.malformed(env.out, env.shown(record), f"invalid RECORD: {exc}")
        return
    package.properties[c.PROP_RECORD_FILES] = str(files)
    package.properties[c.PROP_RECORD_HASHED] = str(hashed)


def _is_record_hash(value: str) -> bool:
    """RECORD hashes are ``<alg>=<urlsafe-base64, no padding>`` (not hex, unlike lock files)."""
    alg, sep, digest = value.strip().partition("=")
    return bool(sep and digest) and alg.lower() in c.HASH_ALGS


def _add_direct_url(package: Package, path: Path, env: _Env) -> None:
    """PEP 610: where a distribution was installed from (URL, VCS commit, editable directory)."""
    if not path.is_file():
        return
    text = c.read_text(path, env.shown(path), env.limits, env.out)
    data = c.as_map(c.load_json(text, env.shown(path), env.out) if text is not None else None)
    url = c.as_str(data.get("url"))
    if url is None:
        return
    vcs_info = c.as_map(data.get("vcs_info"))
    vcs = c.as_str(vcs_info.get("vcs"))
    package.url = f"{vcs}+{url}" if vcs and not url.startswith(f"{vcs}+") else url
    package.editable = c.as_map(data.get("dir_info")).get("editable") is True
    if commit := c.as_str(vcs_info.get("commit_id")):
        package.properties[c.PROP_VCS_COMMIT] = commit
    package.hashes = _archive_hashes(c.as_map(data.get("archive_info")))


def _archive_hashes(info: c.Map) -> tuple[PackageHash, ...]:
    table = c.as_map(info.get("hashes"))
    hashes = [c.make_hash(alg, value) for alg, value in table.items() if isinstance(value, str)]
    if legacy := c.as_str(info.get("hash")):
        hashes.append(c.parse_hash(legacy, "="))
    return c.unique_hashes(hashes)
