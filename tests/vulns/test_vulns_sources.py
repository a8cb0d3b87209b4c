"""Advisory sources: OSV's PyPI export indexed offline (cached, bounded, hostile members skipped) and
the OSV API online through requests against a local server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from aibom.limits import DEFAULT_LIMITS
from aibom.vulns import DatabaseError, OnlineError, match_packages, offline_source, online_source
from aibom.vulns import offline as offline_module
from tests.vulns.osv_builders import CVSS_CRITICAL, OsvApi, advisory, serve, write_export

RECORDS = [
    advisory("GHSA-jjjj-2222-3333", "Jinja2", ("introduced", "0"), ("fixed", "2.11.3")),
    advisory(
        "PYSEC-2021-66",
        "jinja2",
        ("introduced", "0"),
        ("fixed", "2.11.3"),
        aliases=["CVE-2020-28493"],
    ),
    advisory("PYSEC-2019-1", "requests", ("introduced", "2.0"), ("fixed", "2.20.0")),
    advisory(
        "GHSA-wwww-0000-0000", "requests", ("introduced", "0"), withdrawn="2024-01-01T00:00:00Z"
    ),
    advisory("GHSA-npm0-0000-0000", "requests", ("introduced", "0"), ecosystem="npm"),
]


def _db(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    return write_export(tmp_path / "all.zip", RECORDS, extra)


def test_offline_export_is_indexed_and_matched(tmp_path: Path) -> None:
    with offline_source(_db(tmp_path), tmp_path / "cache") as source:
        assert source.stats.built and source.stats.records == 3 and source.stats.withdrawn == 1
        found = match_packages(
            [("jinja2", "2.10", "j"), ("Requests", "2.19.1", "r"), ("requests", "2.31.0", "r2")],
            source,
        )
    assert sorted((m.bom_ref, m.record.id) for m in found) == [
        ("j", "GHSA-jjjj-2222-3333"),
        ("j", "PYSEC-2021-66"),
        ("r", "PYSEC-2019-1"),
    ]


def test_index_is_cached_by_content_and_rebuilt_when_the_export_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _db(tmp_path)
    cache = tmp_path / "cache"
    offline_source(path, cache).close()

    def refuse(*args: object) -> object:
        raise AssertionError("index rebuilt although the export did not change")

    with monkeypatch.context() as patch:
        patch.setattr(offline_module, "build_index", refuse)
        with offline_source(path, cache) as again:
            assert not again.stats.built and again.stats.records == 3
    write_export(path, [*RECORDS, advisory("PYSEC-9", "numpy", ("introduced", "0"))])
    with offline_source(path, cache) as changed:
        assert changed.stats.built and changed.stats.records == 4
    assert len(list((cache / "osv").glob("osv-pypi-*.sqlite3"))) == 2


def test_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = _db(tmp_path)
    with offline_source(path, tmp_path / "cache") as source:
        index = source.index_path
    index.write_bytes(b"not sqlite at all" * 100)
    with offline_source(path, tmp_path / "cache") as source:
        assert source.stats.built and source.stats.records == 3


def test_hostile_members_are_skipped_not_fatal(tmp_path: Path) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    extra = {
        "broken.json": b"{not json",
        "list.json": b"[1, 2]",
        "deep.json": nested,
        "bomb.json": b" " * (DEFAULT_LIMITS.max_osv_record_bytes + 1),  # deflates to a few KiB
        "noid.json": json.dumps({"affected": []}).encode(),
        "README.txt": b"not a record",
    }
    with offline_source(_db(tmp_path, extra), tmp_path / "cache") as source:
        assert source.stats.records == 3
        assert source.stats.skipped_count == 5
        assert any(s.startswith("bomb.json: declares") for s in source.stats.skipped)


def test_not_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "all.zip"
    bogus.write_bytes(b"PK" + os.urandom(100))
    with pytest.raises(DatabaseError, match="not a zip"):
        offline_source(bogus, tmp_path / "cache")


def test_unwritable_cache_falls_back_to_a_temporary_index(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache directory should be")
    with offline_source(_db(tmp_path), cache) as source:
        assert source.stats.records == 3
        assert not str(source.index_path).startswith(str(cache))


def _api() -> OsvApi:
    records = {r["id"]: r for r in RECORDS}
    records["GHSA-crit-0000-0000"] = advisory(
        "GHSA-crit-0000-0000",
        "jinja2",
        ("introduced", "0"),
        ("fixed", "3.0"),
        severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
    )
    answers = {("jinja2", "2.10"): ["PYSEC-2021-66", "GHSA-crit-0000-0000", "GHSA-gone-0000-0000"]}
    return OsvApi(records, answers)


def test_online_batch_then_records(monkeypatch: pytest.MonkeyPatch) -> None:
    api = _api()
    with serve(api) as url:
        monkeypatch.setenv("AIBOM_OSV_URL", url)
        source = online_source(backoff=0.0)
        found = match_packages([("Jinja2", "2.10", "j"), ("six", "1.16.0", "s")], source)
        source.close()
    assert [m.record.id for m in found] == ["GHSA-crit-0000-0000", "PYSEC-2021-66"]
    batch = [body for method, path, body in api.seen if path == "/v1/querybatch"]
    assert batch == [
        {
            "queries": [
                {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.10"},
                {"package": {"name": "six", "ecosystem": "PyPI"}, "version": "1.16.0"},
            ]
        }
    ]


def test_online_pages_are_followed() -> None:
    api = _api()
    api.page_size = 1
    with serve(api) as url:
        source = online_source(url, backoff=0.0)
        found = match_packages([("jinja2", "2.10", "j")], source)
    assert len(found) == 2
    assert sum(1 for _m, path, _b in api.seen if path == "/v1/querybatch") == 3


def test_online_retries_then_succeeds() -> None:
    api = _api()
    api.failures = [503, 429]
    waits: list[float] = []
    with serve(api) as url:
        source = online_source(url, backoff=0.5, max_wait=2.0, sleep=waits.append)
        found = match_packages([("jinja2", "2.10", "j")], source)
    assert len(found) == 2 and waits == [0.5, 0.0]


def test_online_errors_are_clear() -> None:
    api = _api()
    api.failures = [500, 500, 500]
    with serve(api) as url:
        source = online_source(url, retries=2, backoff=0.0)
        with pytest.raises(OnlineError, match="HTTP 500"):
            source.query([("jinja2", "2.10")])


def test_online_unreachable_is_clear() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = online_source(f"http://127.0.0.1:{port}", retries=0)
    with pytest.raises(OnlineError, match="cannot reach"):
        source.query([("jinja2", "2.10")])
