"""The install step: aibom comes from the action's own checkout, its dependencies from a hash lock.

``.github/action/requirements.txt`` (made by ``lock.sh``) pins every dependency for Python 3.10-3.13
on every platform with the sha256 of each file. Here: the lock agrees with pyproject.toml on every
target the action supports and is closed under dependencies; the step's script installs nothing
by name from an index; and, run for real against a local index serving wheels with the right names
and versions but other contents, the step refuses every one of them. Whether every pin has a wheel
on the real index for every target is ``.github/action/check.py`` (it needs the index).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.action.conftest import RunAction
from tests.action.runner import ROOT, load_action

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

LOCK_DIR = ROOT / ".github" / "action"


def here() -> dict[str, str]:
    """This interpreter's marker environment."""
    return {key: str(value) for key, value in default_environment().items()}


def _load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aibom_action_check", LOCK_DIR / "check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


check = _load_check()
PINS = check.parse_lock((LOCK_DIR / "requirements.txt").read_text("utf-8"))


def top_level() -> list[Requirement]:
    """aibom's own requirements with the ``all`` extra expanded, and the build backend."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    extras = project["project"]["optional-dependencies"]
    reqs = [Requirement(r) for r in project["project"]["dependencies"]]
    reqs += [Requirement(r) for r in project["build-system"]["requires"]]
    for entry in extras["all"]:
        own = Requirement(entry)
        assert own.name == "aibom"
        reqs += [Requirement(r) for extra in sorted(own.extras) for r in extras[extra]]
    return reqs


def pins_for(env: dict[str, str]) -> dict[str, Any]:
    chosen = check.applicable(PINS, env)
    names = [canonicalize_name(p.name) for p in chosen]
    assert len(names) == len(set(names)), f"two pins of one package apply: {sorted(names)}"
    return dict(zip(names, chosen, strict=True))


@pytest.mark.parametrize("python", check.PYTHONS)
@pytest.mark.parametrize("target", sorted(check.TARGETS))
def test_the_lock_pins_every_requirement_on_every_target(target: str, python: str) -> None:
    env = check.environment(target, python)
    pins = pins_for(env)
    for req in top_level():
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        pin = pins.get(canonicalize_name(req.name))
        assert pin is not None, f"{req} is not in the lock for {target} {python}"
        assert req.specifier.contains(pin.version, prereleases=True), f"{pin.version} !~ {req}"
    for pin in pins.values():
        assert pin.hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in pin.hashes)


def test_the_lock_is_closed_under_dependencies_here() -> None:
    """Every dependency of every locked package installed here at its locked version is locked too
    (on this interpreter and platform; the other targets are check.py's job on the real index)."""
    env = here()
    pins = pins_for(env)
    todo = [(r, frozenset(r.extras)) for r in top_level()]
    seen: set[str] = set()
    expanded = 0
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        if req.marker is not None and not any(
            req.marker.evaluate({**env, "extra": e}) for e in (extras or {""})
        ):
            continue
        assert name in pins, f"{req} (needed here) is not in the lock"
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        if installed.version != pins[name].version:
            continue
        expanded += 1
        for dep in installed.requires or []:
            parsed = Requirement(dep)
            marker = parsed.marker
            if marker is None or any(marker.evaluate({**env, "extra": e}) for e in extras or {""}):
                todo.append((Requirement(str(parsed).split(";")[0]), frozenset(parsed.extras)))
    assert expanded >= 40, f"only {expanded} locked packages are installed here at their pin"


def install_step() -> dict[str, Any]:
    (step,) = [s for s in load_action()["runs"]["steps"] if s.get("id") == "install"]
    assert isinstance(step, dict)
    return step


def test_the_install_step_resolves_no_name_from_an_index() -> None:
    script = install_step()["run"].replace("\\\n", " ")
    installs = [line.split() for line in script.splitlines() if " install " in line]
    assert len(installs) == 2
    lock, own = installs
    assert {"--require-hashes", "--only-binary", ":all:", "--no-deps"} <= set(lock)
    assert lock[-2:] == ["-r", '"$AIBOM_ACTION_PATH/.github/action/requirements.txt"']
    assert {"--no-deps", "--no-index", "--no-build-isolation"} <= set(own)
    assert own[-1] == '"$AIBOM_ACTION_PATH"'
    assert install_step()["env"]["AIBOM_ACTION_PATH"] == "${{ github.action_path }}"


def fake_wheel(folder: Path, name: str, version: str) -> Path:
    """A well-formed wheel with the locked name and version, but not the locked file."""
    dist = f"{name.replace('-', '_')}-{version}"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            f"{dist}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        )
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return path


@pytest.fixture
def impostor_index(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A PEP 503 index on 127.0.0.1 serving an impostor wheel for every pin that applies here."""
    root = tmp_path / "index"
    files = root / "files"
    files.mkdir(parents=True)
    for name, pin in pins_for(here()).items():
        wheel = fake_wheel(files, name, pin.version)
        page = root / "simple" / name
        page.mkdir(parents=True)
        (page / "index.html").write_text(f'<a href="../../files/{wheel.name}">{wheel.name}</a>\n')
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            requested.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", requested
    finally:
        server.shutdown()
        server.server_close()


def test_the_install_step_refuses_wheels_that_are_not_the_locked_files(
    workspace: Path, run_action: RunAction, impostor_index: tuple[str, list[str]]
) -> None:
    url, requested = impostor_index
    index_env = {"PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": url, "PIP_NO_CACHE_DIR": "1"}
    run = run_action(workspace, simulated={}, extra_env=index_env)
    install = run.step("install")
    assert install.ran and install.outcome == "failure"
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in install.log, install.log[-2000:]
    assert run.step("aibom").outcome == "skipped" and run.outputs["bom"] == ""
    pages = {p.split("/")[2] for p in requested if p.startswith("/simple/")}
    assert pages, "pip asked the index"
    assert pages <= {canonicalize_name(p.name) for p in PINS}, "only locked names are looked up"
    assert "aibom" not in pages, "aibom itself never comes from an index"
