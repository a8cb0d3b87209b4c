"""Resolving hf:// targets with the real huggingface_hub client against a local Hub: listings, declared
digests, security status, revisions, and the errors a user must be able to act on."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from aibom.errors import UsageError
from aibom.sources.remote import (
    PROPERTIES,
    AccessError,
    RemoteError,
    file_properties,
    parse_target,
    snapshot_findings,
    snapshot_properties,
)
from tests.remote.hubserver import FakeHub, HubRepo, drip, endless, send
from tests.remote.remote_builders import evil_pickle, fast, resolve, torch_zip

COMMIT = "a" * 40
OTHER = "b" * 40
WEIGHTS = torch_zip(evil_pickle(), b"\0" * 64)


def _model(hub: FakeHub, **kwargs: object) -> HubRepo:
    files = {"config.json": b'{"model_type": "bert"}', "pytorch_model.bin": WEIGHTS}
    repo = HubRepo("org/model", files, lfs=frozenset({"pytorch_model.bin"}), **kwargs)  # type: ignore[arg-type]
    return hub.add(repo)


def test_listing_keeps_declared_digests_refs_and_security(hub: FakeHub, tmp_path: Path) -> None:
    _model(
        hub,
        security={"pytorch_model.bin": "unsafe"},
        repo_security={"scansDone": True, "filesWithIssues": [{"path": "pytorch_model.bin"}]},
    )
    snapshot = resolve("hf://org/model", fast(), tmp_path)
    assert (snapshot.repo_id, snapshot.repo_type, snapshot.commit) == ("org/model", "model", COMMIT)
    assert snapshot.refs == ("main",)
    assert snapshot.purl == f"pkg:huggingface/org/model@{COMMIT}"
    by_name = {f.relpath: f for f in snapshot.files}
    weights = by_name["pytorch_model.bin"]
    assert weights.lfs_sha256 == hashlib.sha256(WEIGHTS).hexdigest()
    assert weights.security_status == "unsafe"
    assert by_name["config.json"].lfs_sha256 is None and by_name["config.json"].blob_id
    flagged = [f for f in snapshot_findings(snapshot) if f.check.id == "AIBOM-HF-002"]
    assert [f.path for f in flagged] == [f"hf://org/model@{COMMIT}/pytorch_model.bin"]
    props = dict(file_properties(weights))
    assert props["aibom:hf:declared-sha256"] == weights.lfs_sha256
    assert props["aibom:hf:security-status"] == "unsafe"
    assert all(
        name in PROPERTIES
        for name, _ in [*file_properties(weights), *snapshot_properties(snapshot)]
    )


def test_revision_is_resolved_to_its_commit(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub, commit=OTHER, branches={"main": OTHER, "v1": OTHER})
    snapshot = resolve("hf://org/model@v1", fast(), tmp_path)
    assert snapshot.commit == OTHER and snapshot.refs == ("main", "v1")
    assert snapshot.requested_revision == "v1"
    assert resolve(f"hf://org/model@{OTHER}", fast(), tmp_path / "2").commit == OTHER
    with pytest.raises(RemoteError, match="revision not found"):
        resolve("hf://org/model@nope", fast(), tmp_path / "3")


def test_dataset_target_uses_the_dataset_api(hub: FakeHub, tmp_path: Path) -> None:
    hub.add(HubRepo("org/data", {"train.csv": b"a,b\n1,2\n"}, repo_type="dataset"))
    snapshot = resolve("hf://datasets/org/data", fast(), tmp_path)
    assert snapshot.repo_type == "dataset" and snapshot.purl is None
    assert snapshot.uri == f"hf://datasets/org/data@{COMMIT}"
    assert any(s.path == "/api/datasets/org/data" for s in hub.seen)
    assert snapshot.files[0].fetched == "full"


def test_missing_repository_is_a_clear_error(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(AccessError, match="not found") as info:
        resolve("hf://org/missing", fast(), tmp_path)
    assert info.value.hint is not None and "HF_TOKEN" in info.value.hint


def test_gated_repository_without_token_is_a_clear_error(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub, tokens=frozenset({"hf_ok"}), gated=True, gate_api=True)
    with pytest.raises(AccessError, match="gated") as info:
        resolve("hf://org/model", fast(), tmp_path)
    assert info.value.hint is not None and "accept the conditions" in info.value.hint


def test_gated_downloads_stop_the_scan_but_listing_without_download_works(
    hub: FakeHub, tmp_path: Path
) -> None:
    # The real Hub lists gated repositories to anyone but refuses their files.
    _model(hub, tokens=frozenset({"hf_ok"}), gated=True)
    listed = resolve("hf://org/model", fast(download="none"), tmp_path / "a")
    assert {f.relpath for f in listed.files} == {"config.json", "pytorch_model.bin"}
    with pytest.raises(AccessError, match="gated"):
        resolve("hf://org/model", fast(), tmp_path / "b")


def test_token_opens_gated_and_private_repositories(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _model(hub, tokens=frozenset({"hf_ok"}))
    with pytest.raises(AccessError):
        resolve("hf://org/model", fast(), tmp_path / "a")
    monkeypatch.setenv("HF_TOKEN", "hf_ok")
    snapshot = resolve("hf://org/model", fast(), tmp_path / "b")
    assert snapshot.files and snapshot.private is True
    sent = {s.auth for s in hub.seen if s.path.startswith(("/api/models/org/model", "/org/model"))}
    assert "Bearer hf_ok" in sent


def test_token_is_never_sent_over_plain_http_to_a_remote_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aibom.sources.remote import RemoteOptions

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    options = RemoteOptions(endpoint="http://hub.example", token="hf_secret")
    with pytest.raises(UsageError, match="plain http"):
        resolve("hf://org/model", options, tmp_path)


def test_server_failing_twice_then_succeeding_is_retried(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    hub.failures["/api/models/org/model"] = [
        (503, {"Retry-After": "0"}),
        (429, {"Retry-After": "0"}),
    ]
    snapshot = resolve("hf://org/model", fast(), tmp_path)
    assert snapshot.commit == COMMIT
    assert [s.method for s in hub.seen if s.path == "/api/models/org/model"] == ["GET"] * 3


def test_downloads_are_retried_too(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    path = f"/org/model/resolve/{COMMIT}/config.json"
    hub.failures[path] = [(502, {}), (429, {"Retry-After": "1000000"})]
    snapshot = resolve("hf://org/model", fast(), tmp_path)
    config = next(f for f in snapshot.files if f.relpath == "config.json")
    assert config.fetched == "full" and config.note is None
    assert len([s for s in hub.seen if s.path == path]) == 3


def test_rate_limit_that_does_not_end_is_reported(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    hub.failures["/api/models/org/model"] = [(429, {"Retry-After": "0"})] * 3
    with pytest.raises(RemoteError, match="rate limited"):
        resolve("hf://org/model", fast(), tmp_path)


def test_offline_mode_refuses_before_any_request(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _model(hub)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(RemoteError, match="HF_HUB_OFFLINE"):
        resolve("hf://org/model", fast(), tmp_path)
    assert hub.seen == []


def test_unreachable_endpoint_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    for name in ("HF_HUB_OFFLINE", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from aibom.sources.remote import RemoteOptions

    options = RemoteOptions(endpoint=f"http://127.0.0.1:{port}", token="", retries=0)
    with pytest.raises(RemoteError, match="cannot connect"):
        resolve("hf://org/model", options, tmp_path)


def test_slow_drip_server_cannot_hold_the_scan(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    hub.custom["/api/models/org/model"] = drip(b'{"id": "org/model"}' * 50, pause=0.05)
    from aibom.sources.remote import RemoteOptions

    options = RemoteOptions(timeout=0.2, retries=0)
    with pytest.raises(RemoteError, match="time limit"):
        resolve("hf://org/model", options, tmp_path)


def test_endless_response_is_cut_off(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    hub.custom["/api/models/org/model"] = endless()
    with pytest.raises(RemoteError, match="too large"):
        resolve("hf://org/model", fast(), tmp_path)


def test_compressed_response_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    # A gzip bomb needs the client to decompress; aibom asks for identity and refuses anything else.
    body = gzip.compress(b" " * (1 << 20))

    def handler(h: object) -> None:
        send(h, 200, body, {"Content-Encoding": "gzip"})  # type: ignore[arg-type]

    hub.custom["/api/models/org/model"] = handler
    with pytest.raises(RemoteError, match="Content-Encoding"):
        resolve("hf://org/model", fast(), tmp_path)


@pytest.mark.parametrize(
    "answer",
    [
        {"id": "org/model", "sha": "not-a-commit", "siblings": []},
        {"id": "org/other", "sha": COMMIT, "siblings": []},
        {"id": "org/model", "sha": COMMIT, "siblings": [{"size": 3}]},
        ["not", "an", "object"],
    ],
)
def test_malformed_listing_is_an_error_not_a_crash(
    hub: FakeHub, tmp_path: Path, answer: object
) -> None:
    body = json.dumps(answer).encode()

    def handler(h: object) -> None:
        send(h, 200, body, {"Content-Type": "application/json"})  # type: ignore[arg-type]

    hub.custom["/api/models/org/model"] = handler
    with pytest.raises(RemoteError):
        resolve("hf://org/model", fast(), tmp_path)


def test_refs_and_security_failures_are_notes(hub: FakeHub, tmp_path: Path) -> None:
    _model(hub)
    hub.failures["/api/models/org/model/refs"] = [(500, {})] * 3
    hub.failures[f"/api/models/org/model/paths-info/{COMMIT}"] = [(404, {})]
    snapshot = resolve("hf://org/model", fast(), tmp_path)
    assert snapshot.refs == ()
    assert any(n.startswith("refs unavailable") for n in snapshot.notes)
    assert any(n.startswith("per-file security status unavailable") for n in snapshot.notes)
    assert all(f.security is None for f in snapshot.files)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("hf://org/name", ("model", "org/name", None)),
        ("hf://models/org/name@v1", ("model", "org/name", "v1")),
        ("hf://datasets/org/name@refs/pr/3", ("dataset", "org/name", "refs/pr/3")),
        (f"hf://org/name@{COMMIT}", ("model", "org/name", COMMIT)),
    ],
)
def test_targets_parse(target: str, expected: tuple[str, str, str | None]) -> None:
    parsed = parse_target(target)
    assert (parsed.repo_type, parsed.repo_id, parsed.revision) == expected


@pytest.mark.parametrize(
    "target",
    [
        "hf://name-only",
        "hf://spaces/org/app",
        "hf://org/name/sub/file.bin",
        "hf://org/../x",
        "hf://",
    ],
)
def test_bad_targets_are_usage_errors(target: str) -> None:
    with pytest.raises(UsageError):
        parse_target(target)
