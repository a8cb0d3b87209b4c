"""Locating a zip's central directory from its tail, and planning member ranges, checked against the
standard library's own reading of the same archives."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aibom.formats import CATALOG
from aibom.sources.remote.plan import member_spans, missing
from aibom.sources.remote.ziptail import TAIL_BYTES, ZipTailError, central_directory


def _zip(members: list[tuple[str, bytes]], comment: bytes = b"", prefix: bytes = b"") -> bytes:
    buf = io.BytesIO()
    buf.write(prefix)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        zf.comment = comment
    return buf.getvalue()


def _expected(archive: bytes) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        start = zf.start_dir
        return start, len(zf.infolist())


def _located(archive: bytes) -> tuple[int, int]:
    tail_start = max(0, len(archive) - TAIL_BYTES)
    cd = central_directory(archive[tail_start:], tail_start)
    return cd.start, cd.entries


@given(
    names=st.lists(
        st.text("abcdef/._", min_size=1, max_size=20), min_size=1, max_size=8, unique=True
    ),
    comment=st.binary(max_size=300),
    prefix=st.binary(max_size=100),
)
def test_central_directory_matches_zipfile(names: list[str], comment: bytes, prefix: bytes) -> None:
    archive = _zip([(n, n.encode() * 3) for n in names], comment, prefix)
    try:
        expected = _expected(archive)
    except zipfile.BadZipFile:  # zipfile cannot read comments that hold an end-record signature
        assume(False)
    assert _located(archive) == expected


def test_zip64_end_records_are_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)  # force the zip64 end records
    archive = _zip([(f"m{i}", b"x" * i) for i in range(5)])
    assert b"PK\x06\x06" in archive
    assert _located(archive) == _expected(archive)


@given(st.binary(max_size=2000))
def test_random_tails_raise_only_ziptailerror(tail: bytes) -> None:
    try:
        cd = central_directory(tail, 0)
    except ZipTailError:
        return
    assert cd.start >= 0 and cd.size >= 0


def test_directory_larger_than_its_position_is_refused() -> None:
    archive = bytearray(_zip([("a", b"1")]))
    eocd = archive.rfind(b"PK\x05\x06")
    archive[eocd + 12 : eocd + 16] = (10**9).to_bytes(4, "little")
    with pytest.raises(ZipTailError, match="does not fit"):
        central_directory(bytes(archive), 0)


def test_member_spans_take_pickles_and_tiny_members_only() -> None:
    archive = _zip([("a/data.pkl", b"p" * 1000), ("a/data/0", b"s" * 5000), ("a/version", b"3\n")])
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        infos = zf.infolist()
        start = zf.start_dir
    by_name = {i.filename: i for i in infos}
    spans = member_spans(infos, start, CATALOG.member_suffixes)
    storage = by_name["a/data/0"].header_offset
    assert spans == [
        (by_name["a/data.pkl"].header_offset, storage),
        (by_name["a/version"].header_offset, start),
    ]


def test_missing_subtracts_what_is_present() -> None:
    assert missing([(0, 100)], [(10, 20), (50, 200)]) == [(0, 10), (20, 50)]
    assert missing([(0, 10)], [(0, 10)]) == []
    assert missing([(5, 8)], []) == [(5, 8)]
