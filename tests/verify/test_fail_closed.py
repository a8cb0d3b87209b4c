"""Verification that cannot be talked into "ok": every signature in the target is checked, ignores
never hide a signed file, and every file of the folder counts (``__pycache__``, ``node_modules``).
Real signatures (aibom's signer and model-signing's) over real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import model_signing as ms
import pytest
from click.testing import CliRunner

from aibom.cli.exit import ExitCode
from aibom.cli.verify import sign, verify
from aibom.errors import AibomError
from aibom.signing import sign_model
from aibom.verify import Status, VerifyOptions, verify_models
from tests.verify.vbuilders import (
    KeyPair,
    key_sign,
    message_bundle,
    model,
    scan_path,
    write_keypair,
)

EVIL_PICKLE = b"cos\nsystem\n(S'echo owned'\ntR."
"""Protocol 0 GLOBAL os.system + REDUCE, written as bytes and never loaded."""


def _run(*args: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, the JSON report (empty on errors) and the error text."""
    result = CliRunner().invoke(verify, [*args, "--format", "json"])
    if isinstance(result.exception, AibomError):
        return ExitCode.ERROR, {}, result.exception.diagnostics()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout), result.stderr


def _statuses(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(Path(m["subject"]).name, m["status"]) for m in doc["models"]]


def _notes(tmp_path: Path, keys: KeyPair) -> Path:
    """A folder aibom does not recognise as a model, signed in place with model.sig."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    (folder / "b.txt").write_text("world")
    key_sign(folder, keys)
    return folder


def test_signature_in_a_folder_that_is_not_a_model_is_checked(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder = _notes(tmp_path, keys)
    assert scan_path(folder).inventory.models == []  # not a model: nothing claims model.sig
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, _statuses(doc), doc["ok"]) == (0, [("notes", "verified")], True)
    code, doc, _ = _run(str(folder))
    assert (code, _statuses(doc)) == (1, [("notes", "not_checked")])
    other = write_keypair(tmp_path / "other", "other")
    code, doc, _ = _run(str(folder), "--key", str(other.public_pem))
    assert (code, _statuses(doc)) == (1, [("notes", "invalid")])
    code, doc, _ = _run(str(folder), "--identity", "x@y.test", "--issuer", "https://i.test")
    assert (code, _statuses(doc)) == (1, [("notes", "invalid")])
    (folder / "a.txt").write_text("tampered")
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, _statuses(doc)) == (1, [("notes", "mismatch")])


def test_a_signature_below_the_model_root_is_checked_too(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m", extra={"extras/data.txt": b"data"})
    key_sign(folder, keys)
    key_sign(folder / "extras", keys)
    (folder / "model.sig").unlink()
    key_sign(folder, keys)  # the outer signature covers extras/model.sig
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, sorted(_statuses(doc))) == (0, [("extras", "verified"), ("m", "verified")])
    (folder / "extras" / "data.txt").write_text("changed")
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert sorted(_statuses(doc)) == [("extras", "mismatch"), ("m", "mismatch")]


def test_a_sig_file_that_is_a_bundle_is_a_signature_whatever_its_name(
    tmp_path: Path, keys: KeyPair
) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    sig = folder / "release.sig"
    sig.write_text(sign_model(folder, sig, keys.private_pem, None, (), use_cache=False))
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, _statuses(doc)) == (0, [("notes", "verified")])
    (folder / "gpg.sig").write_bytes(b"\x89\x01\x33 not a sigstore bundle")
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1  # an unsigned extra for release.sig's manifest, not a second signature
    [problem] = doc["models"][0]["problems"]
    assert (problem["path"], problem["kind"]) == ("gpg.sig", "extra")


def test_trust_given_and_nothing_signed_fails(tmp_path: Path, keys: KeyPair) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.txt").write_text("hello")
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, _statuses(doc)) == (1, [("plain", "unsigned")])
    assert _run(str(folder))[0] == 0  # no policy: nothing was promised


def test_a_bundle_whose_file_is_gone_fails(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    data = b"weights that were deleted"
    (folder / "gone.bin.sigstore.json").write_text(message_bundle(data, keys.private))
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert [(a["subject"], a["status"]) for a in doc["artifacts"]] == [("m/gone.bin", "mismatch")]


def test_ignore_path_never_hides_a_signed_file(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / "config.json").write_text('{"tampered": true}')
    for value in ("config.json", "./config.json", str(folder / "config.json"), "."):
        code, doc, _ = _run(str(folder), "--key", str(keys.public_pem), "--ignore-path", value)
        assert code == 1, value
        assert [(p["path"], p["kind"]) for p in doc["models"][0]["problems"]] == [
            ("config.json", "changed")
        ]


@pytest.mark.parametrize("form", ["relative", "dot", "absolute", "folder"])
def test_ignore_path_forms_allow_an_unsigned_extra(
    tmp_path: Path, keys: KeyPair, form: str
) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / "scratch").mkdir()
    (folder / "scratch" / "notes.txt").write_text("local")
    value = {
        "relative": "scratch/notes.txt",
        "dot": "./scratch/notes.txt",
        "absolute": str(folder / "scratch" / "notes.txt"),
        "folder": "scratch/",
    }[form]
    assert _run(str(folder), "--key", str(keys.public_pem))[0] == 1
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem), "--ignore-path", value)
    assert code == 0, doc
    [m] = doc["models"]
    assert m["unsigned_files"] == (["scratch/"] if form == "folder" else ["scratch/notes.txt"])


@pytest.mark.parametrize("value", ["../elsewhere", "sub/../../x", "/etc/passwd"])
def test_ignore_path_outside_the_folder_is_a_usage_error(
    tmp_path: Path, keys: KeyPair, value: str
) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    code, _doc, err = _run(str(folder), "--key", str(keys.public_pem), "--ignore-path", value)
    assert code == 2
    assert "is outside" in err


@pytest.mark.parametrize("where", ["__pycache__/evil.pyc", "node_modules/pkg/index.pkl"])
def test_extras_in_skipped_folders_are_unsigned_extras(
    tmp_path: Path, keys: KeyPair, where: str
) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / where).parent.mkdir(parents=True)
    (folder / where).write_bytes(EVIL_PICKLE)
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert [(p["path"], p["kind"]) for p in doc["models"][0]["problems"]] == [(where, "extra")]


def test_git_metadata_may_stay_unsigned(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / ".gitattributes").write_text("*.safetensors filter=lfs\n")
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, doc["models"][0]["unsigned_files"]) == (0, [])


def test_sign_covers_pycache_and_node_modules(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(
        tmp_path / "m", extra={"__pycache__/x.pyc": b"\x00pyc", "node_modules/a.js": b"1"}
    )
    result = CliRunner().invoke(sign, [str(folder), "--key", str(keys.private_pem)])
    assert result.exit_code == 0, result.output
    assert _run(str(folder), "--key", str(keys.public_pem))[0] == 0
    (folder / "__pycache__" / "x.pyc").write_bytes(EVIL_PICKLE)
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert [(p["path"], p["kind"]) for p in doc["models"][0]["problems"]] == [
        ("__pycache__/x.pyc", "changed")
    ]


def test_sign_ignore_path_forms_and_outside(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m", extra={"scratch/notes.txt": b"local"})
    result = CliRunner().invoke(
        sign, [str(folder), "--key", str(keys.private_pem), "--ignore-path", "./scratch"]
    )
    assert result.exit_code == 0, result.output
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, doc["models"][0]["unsigned_files"]) == (0, ["scratch/"])
    result = CliRunner().invoke(
        sign, [str(folder), "--key", str(keys.private_pem), "--force", "--ignore-path", "../x"]
    )
    assert isinstance(result.exception, AibomError)
    assert "is outside" in result.exception.message


def test_model_signing_readme_ignored_is_reported_unsigned(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    hashing = ms.hashing.Config()  # type: ignore[no-untyped-call]
    hashing.set_ignored_paths(paths=["README.md", "model.sig"])
    signing = ms.signing.Config()  # type: ignore[no-untyped-call]
    signing.use_elliptic_key_signer(private_key=keys.private_pem).set_hashing_config(hashing).sign(
        folder, folder / "model.sig"
    )
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 0
    [m] = doc["models"]
    assert (m["status"], m["unsigned_files"], m["card_unsigned"]) == (
        "verified",
        ["README.md"],
        True,
    )
    scanned = scan_path(folder)
    [v] = verify_models(scanned.inventory, scanned.artifacts, VerifyOptions(key=keys.public_pem))
    assert (v.status, v.unsigned, v.card_unsigned) == (Status.VERIFIED, ["README.md"], True)
    (folder / "README.md").write_text("# changed card\n")  # unsigned: still verifies, still said
    assert _run(str(folder), "--key", str(keys.public_pem))[1]["models"][0]["card_unsigned"]


@pytest.mark.parametrize("name", ["__pycache__/evil.sigstore", "payload.sigstore.json"])
def test_a_bundle_name_does_not_make_a_file_tolerated(
    tmp_path: Path, keys: KeyPair, name: str
) -> None:
    """Only a bundle beside a file of the folder, which is then verified on its own, may be absent
    from the manifest; a pickle named like a bundle is an unsigned extra."""
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(EVIL_PICKLE)
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert code == 1
    assert (name, "extra") in [(p["path"], p["kind"]) for p in doc["models"][0]["problems"]]


def test_a_real_side_bundle_is_not_an_extra(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m")
    key_sign(folder, keys)
    weights = folder / "model.safetensors"
    bundle = message_bundle(weights.read_bytes(), keys.private)
    (folder / "model.safetensors.sigstore.json").write_text(bundle)
    code, doc, _ = _run(str(folder), "--key", str(keys.public_pem))
    assert (code, doc["models"][0]["problems"], doc["artifacts"][0]["status"]) == (
        0,
        [],
        "verified",
    )


def test_an_explicit_signature_does_not_hide_the_others(tmp_path: Path, keys: KeyPair) -> None:
    folder = model(tmp_path / "m", extra={"extras/data.txt": b"data"})
    key_sign(folder / "extras", keys)
    outer = tmp_path / "outer.sig"
    outer.write_text(sign_model(folder, outer, keys.private_pem, None, (), use_cache=False))
    args = ["--signature", str(outer), "--key", str(keys.public_pem)]
    code, doc, _ = _run(str(folder), *args)
    assert (code, sorted(_statuses(doc))) == (0, [("extras", "verified"), ("m", "verified")])
    (folder / "extras" / "data.txt").write_text("changed")
    code, doc, _ = _run(str(folder), *args)
    assert (code, sorted(_statuses(doc))) == (1, [("extras", "mismatch"), ("m", "mismatch")])
