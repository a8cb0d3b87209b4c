"""The exit-code matrix of ``verify``, ``sign``, ``sign-bom`` and ``verify-bom``, through the installed
console script in a subprocess (``tests/cli/test_exit_codes.py`` covers the other commands).

0 clean, 1 policy failure, 2 usage or runtime error, 130 interrupted. Real signatures made with real
keys. ``sign`` and ``sign-bom`` have no policy to fail (``NOT_APPLICABLE``); ``verify-bom`` reads only
regular files (a FIFO key, bundle or BOM is refused, not waited on), so nothing it reads can block.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import HANG_GUARD, assert_error, blocked_reading_stdin, interrupt_when
from tests.verify.keyless import PrivateSigstore
from tests.verify.vbuilders import KeyPair, model, statement_for, write_keypair

AIBOM = str(Path(sys.executable).with_name("aibom"))
IDENTITY = ["--identity", "release-bot@aibom.test", "--issuer", "https://oidc.aibom.test"]

NOT_APPLICABLE = {
    ("sign", "policy"): "signing has no gate: it signs or fails to",
    ("sign-bom", "policy"): "signing has no gate: it signs or fails to",
    (
        "verify-bom",
        "interrupted",
    ): "verify-bom reads only regular files; nothing it reads can block",
}


@dataclass(frozen=True)
class Tree:
    root: Path
    keys: KeyPair
    other: KeyPair
    signed: Path
    keyless: Path
    trusted_root: Path
    bom: Path
    bundle: Path


def run(*args: object, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AIBOM, *map(str, args)],
        input="",
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env={**os.environ, "NO_COLOR": "1", **env},
        check=False,
    )


def _digests(folder: Path) -> dict[str, str]:
    import hashlib

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "model.sig"
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    root = tmp_path_factory.mktemp("vmatrix")
    keys, other = write_keypair(root / "keys"), write_keypair(root / "keys", "other")
    signed = model(root / "signed")
    assert run("sign", signed, "--key", keys.private_pem).returncode == 0
    keyless = model(root / "keyless")
    instance = PrivateSigstore()
    bundle = instance.sign_dsse(statement_for(_digests(keyless), keyless.name))
    (keyless / "model.sig").write_text(json.dumps(bundle))
    trusted_root = root / "trusted_root.json"
    trusted_root.write_text(json.dumps(instance.trusted_root()))
    bom = root / "bom.cdx.json"
    assert (
        run("scan", signed, "-o", bom, "--reproducible", "-q", "--fail-on", "none").returncode == 0
    )
    bom_bundle = root / "bom.cdx.json.sigstore.json"
    assert run("sign-bom", bom, "--key", keys.private_pem, "-o", bom_bundle).returncode == 0
    return Tree(root, keys, other, signed, keyless, trusted_root, bom, bom_bundle)


def _copy(tree: Tree, name: str) -> Path:
    import shutil

    dest = tree.root / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(tree.signed, dest)
    return dest


# ------------------------------------------------------------------ clean: 0


def test_verify_clean(tree: Tree) -> None:
    result = run("verify", tree.signed, "--key", tree.keys.public_pem, "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_verify_keyless_clean(tree: Tree) -> None:
    argv = ["verify", tree.keyless, *IDENTITY, "--trusted-root", tree.trusted_root]
    result = run(*argv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("result: ok")


def test_sign_clean(tree: Tree) -> None:
    folder = _copy(tree, "sign-clean")
    result = run("sign", folder, "--key", tree.keys.private_pem, "--force")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "signed" in result.stderr
    assert run("verify", folder, "--key", tree.keys.public_pem).returncode == 0


def test_sign_bom_clean(tree: Tree) -> None:
    result = run("sign-bom", tree.bom, "--key", tree.keys.private_pem)
    assert result.returncode == 0, result.stderr
    assert (
        json.loads(result.stdout)["dsseEnvelope"]["payloadType"] == "application/vnd.in-toto+json"
    )


def test_verify_bom_clean(tree: Tree) -> None:
    result = run("verify-bom", tree.bom, "--key", tree.keys.public_pem, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "verified"


# ------------------------------------------------------------------ policy failure: 1


def test_verify_policy_tampered_file(tree: Tree) -> None:
    folder = _copy(tree, "tampered")
    (folder / "config.json").write_text('{"tampered": true}')
    result = run("verify", folder, "--key", tree.keys.public_pem)
    assert result.returncode == 1, result.stderr
    assert "changed: config.json" in result.stdout and "result: FAILED" in result.stdout


def test_verify_policy_wrong_key(tree: Tree) -> None:
    result = run("verify", tree.signed, "--key", tree.other.public_pem)
    assert result.returncode == 1, result.stderr
    assert "invalid:" in result.stdout


def test_verify_policy_wrong_identity(tree: Tree) -> None:
    argv = ["verify", tree.keyless, "--identity", "mallory@aibom.test"]
    argv += ["--issuer", "https://oidc.aibom.test", "--trusted-root", tree.trusted_root]
    result = run(*argv)
    assert result.returncode == 1, result.stderr
    assert "invalid:" in result.stdout


def test_verify_policy_unsigned_extra_in_pycache(tree: Tree) -> None:
    folder = _copy(tree, "extra")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "evil.pyc").write_bytes(b"cos\nsystem\n(S'echo owned'\ntR.")
    result = run("verify", folder, "--key", tree.keys.public_pem)
    assert result.returncode == 1, result.stderr
    assert "extra: __pycache__/evil.pyc" in result.stdout


def test_verify_policy_signature_in_a_folder_that_is_not_a_model(tree: Tree) -> None:
    folder = tree.root / "notes"
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text("hello")
    assert run("sign", folder, "--key", tree.keys.private_pem, "--force").returncode == 0
    assert run("verify", folder, "--key", tree.keys.public_pem).returncode == 0
    (folder / "a.txt").write_text("tampered")
    result = run("verify", folder, "--key", tree.keys.public_pem)
    assert result.returncode == 1, result.stdout
    assert "mismatch:" in result.stdout
    result = run("verify", folder, *IDENTITY, "--trusted-root", tree.trusted_root)
    assert result.returncode == 1 and "invalid:" in result.stdout


def test_verify_bom_policy(tree: Tree) -> None:
    assert run("verify-bom", tree.bom, "--key", tree.other.public_pem).returncode == 1
    changed = tree.root / "changed.cdx.json"
    changed.write_text(tree.bom.read_text().replace('"version": 1', '"version": 2', 1))
    argv = ["verify-bom", changed, "--signature", tree.bundle, "--key", tree.keys.public_pem]
    result = run(*argv)
    assert result.returncode == 1, result.stderr
    assert "covers a different BOM" in result.stdout


# ------------------------------------------------------------------ usage error: 2


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["verify", "{signed}", "--ignore-path", "../elsewhere"], "is outside"),
        (["verify", "{signed}", "--ignore-path", "/etc/passwd"], "is outside"),
        (["verify", "{signed}", "--key", "{private}"], "not a PEM public key"),
        (["verify", "{signed}", "--identity", "a@b.test"], "needs both --identity and --issuer"),
        (["verify", "{signed}", "--key", "{public}", "--identity", "a@b.test"], "choose one"),
        (["verify", "{root}/missing"], "does not exist"),
        (["sign", "{signed}"], "give exactly one of --key and --sigstore"),
        (["sign", "{signed}", "--key", "{private}"], "exists"),
        (["sign", "{signed}", "--key", "{private}", "--force", "--ignore-path", "../x"], "outside"),
        (["sign", "{signed}", "--key", "{public}", "--force"], "cannot load private key"),
        (["sign-bom", "{bom}"], "give exactly one of --key and --sigstore"),
        (["sign-bom", "{bom}", "--key", "{private}", "--password-env", "NO_SUCH_VAR"], "not set"),
        (["verify-bom", "{bom}"], "give --key, --certificate-chain"),
        (["verify-bom", "{signed}/config.json", "--key", "{public}"], "no bundle at"),
    ],
)
def test_usage_error(tree: Tree, argv: list[str], needle: str) -> None:
    names = {
        "signed": str(tree.signed),
        "root": str(tree.root),
        "bom": str(tree.bom),
        "private": str(tree.keys.private_pem),
        "public": str(tree.keys.public_pem),
    }
    before = (tree.signed / "model.sig").read_bytes()
    assert_error(run(*(a.format(**names) for a in argv)), needle)
    assert (tree.signed / "model.sig").read_bytes() == before  # a refused sign changed nothing


# ------------------------------------------------------------------ runtime error: 2


def test_verify_runtime_broken_or_unreadable_signature(tree: Tree) -> None:
    broken = tree.root / "broken.sig"
    broken.write_text('{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", ')
    argv = ["verify", tree.signed, "--key", tree.keys.public_pem, "--signature"]
    assert_error(run(*argv, broken), "cannot use signature", "not JSON")
    fifo = tree.root / "signature-fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    assert_error(run(*argv, fifo), "cannot use signature", "not a regular file")


def test_verify_bom_runtime_broken_bundle(tree: Tree) -> None:
    broken = tree.root / "broken.sigstore.json"
    broken.write_text("[]")
    argv = ["verify-bom", tree.bom, "--signature", broken, "--key", tree.keys.public_pem]
    assert_error(run(*argv), "cannot use bundle", "not a JSON object")
    broken_bom = tree.root / "broken.cdx.json"
    broken_bom.write_text('{"bomFormat": ')
    argv = ["verify-bom", broken_bom, "--signature", tree.bundle, "--key", tree.keys.public_pem]
    result = run(*argv)  # not the signed BOM, whatever it holds: a result, not an error
    assert (result.returncode, "covers a different BOM" in result.stdout) == (1, True)


def test_sign_runtime_unreadable_entry(tree: Tree) -> None:
    folder = _copy(tree, "with-fifo")
    os.mkfifo(folder / "pipe")
    result = run("sign", folder, "--key", tree.keys.private_pem, "--force")
    assert_error(result, "cannot sign", "FIFO")


def test_sign_bom_runtime_broken_bom(tree: Tree) -> None:
    broken = tree.root / "broken-sign.cdx.json"
    broken.write_text('{"bomFormat": ')
    assert_error(run("sign-bom", broken, "--key", tree.keys.private_pem), "neither JSON nor XML")


@pytest.mark.parametrize("command", ["sign", "sign-bom"])
def test_sigstore_without_a_network_is_one_line_exit_2(tree: Tree, command: str) -> None:
    """Every proxy points at a closed local port and HOME is empty (no cached trust root), so the
    TUF refresh that keyless signing starts with cannot reach anything."""
    home = tree.root / f"home-{command}"
    home.mkdir(exist_ok=True)
    closed = "http://127.0.0.1:9"
    proxies = dict.fromkeys(("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"), closed)
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / "c"), "XDG_DATA_HOME": str(home / "d")}
    target = _copy(tree, f"keyless-{command}") if command == "sign" else tree.bom
    argv = [command, target, "--sigstore", *(["--force"] if command == "sign" else [])]
    result = run(*argv, **proxies, **env, NO_PROXY="")
    assert_error(result, "keyless signing failed")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


# ------------------------------------------------------------------ interrupted: 130


def _fifo_opened(fifo: Path, held: list[int]) -> Callable[[], bool]:
    """True once the command has opened the FIFO for reading (a non-blocking open for writing then
    succeeds); the write end is held open, so the command stays blocked in read()."""

    def opened() -> bool:
        try:
            held.append(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            return False
        return True

    return opened


@pytest.mark.parametrize("command", ["verify", "sign", "sign-bom"])
def test_interrupted_while_blocked(tree: Tree, command: str) -> None:
    """``verify --bom -`` waits on stdin; ``sign``/``sign-bom --key`` read a key from a FIFO (as
    with ``--key <(pass show key)``): SIGINT there is exit 130, one line, nothing on stdout."""
    fifo = tree.root / f"key-{command}.pem"
    if not fifo.exists():
        os.mkfifo(fifo)
    held: list[int] = []
    if command == "verify":
        argv = [AIBOM, "verify", str(tree.signed), "--bom", "-"]
        ready = blocked_reading_stdin
    else:
        target = str(_copy(tree, "interrupt")) if command == "sign" else str(tree.bom)
        argv = [AIBOM, command, target, "--key", str(fifo), "-o", str(tree.root / "out.sig")]
        ready = None
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        check = _fifo_opened(fifo, held) if ready is None else (lambda: ready(proc))
        code, out, err = interrupt_when(proc, check)
        assert (code, out, err.strip()) == (130, "", "interrupted")
    finally:
        proc.kill()
        proc.wait()
        for fd in held:
            os.close(fd)


def test_matrix_is_complete() -> None:
    """Each of the four commands has a test in each situation, or a reason in ``NOT_APPLICABLE``."""
    shared = {"usage": "test_usage_error", "interrupted": "test_interrupted_while_blocked"}
    source = Path(__file__).read_text()
    for command in ("verify", "sign", "sign-bom", "verify-bom"):
        slug = command.replace("-", "_")
        for situation in ("clean", "policy", "usage", "runtime", "interrupted"):
            if (command, situation) in NOT_APPLICABLE:
                continue
            if situation in shared:
                assert f'["{command}"' in source or f'"{command}"' in source
                continue
            prefix = f"test_{slug}_{situation}"
            if command == "verify":  # not to be confused with verify-bom's tests
                found = [n for n in globals() if n.startswith(prefix) and "bom" not in n]
            else:
                found = [n for n in globals() if n.startswith(prefix)]
            assert found, (command, situation)
