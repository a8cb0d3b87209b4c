"""Hypothesis over the walkers: whatever the bytes, no exception escapes and nothing is skipped as an
internal error; every result is a trace or a finding. Example sizes are bounded, so each run is short."""

from __future__ import annotations

import contextlib
import io
import pickle
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.artifacts import Artifact, FileRef, FileStat, Format, Kind
from aibom.formats import FormatError, LimitExceeded, inspect_artifact
from aibom.formats.containers.zipview import read_layout
from aibom.formats.pickle.vm import walk_pickle
from aibom.limits import DEFAULT_LIMITS, Limits
from tests.unsafe.payloads import (
    Member,
    ZipSpec,
    build_zip,
    evil_call,
    torch_state_dict_pickle,
    torch_zip,
)

SMALL = Limits(max_pickle_opcodes=5_000, max_stack_depth=500, max_members=50)
SEEDS = [
    pickle.dumps({"a": [1, 2.5, "x", b"y"], "b": (None, True)}, protocol=p) for p in range(6)
] + [evil_call("os", "system", "id"), torch_state_dict_pickle(2)]


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, value in edits:
        if out:
            out[pos % len(out)] = value
    return bytes(out)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_walker_never_raises_on_random_bytes(data: bytes) -> None:
    trace = walk_pickle(io.BytesIO(data), SMALL)
    assert trace.end is not None or trace.error is not None or trace.limit is not None


@settings(max_examples=300)
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
)
def test_walker_never_raises_on_mutated_pickles(seed: bytes, edits: list[tuple[int, int]]) -> None:
    trace = walk_pickle(io.BytesIO(_mutate(seed, edits)), SMALL)
    assert trace.opcodes <= SMALL.max_pickle_opcodes


ZIPS = [
    torch_zip(torch_state_dict_pickle(1)),
    build_zip(
        ZipSpec([Member("a/data.pkl", evil_call("os", "system", "id"), method=8)], zip64=True)
    ),
]


@settings(max_examples=200)
@given(
    st.sampled_from(ZIPS),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
)
def test_zip_layout_raises_only_format_errors(seed: bytes, edits: list[tuple[int, int]]) -> None:
    with contextlib.suppress(FormatError, LimitExceeded):
        read_layout(io.BytesIO(_mutate(seed, edits)), SMALL)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(
        [(ZIPS[0], Format.PYTORCH_ZIP), (ZIPS[1], Format.ZIP), (SEEDS[6], Format.PICKLE)]
    ),
    st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
)
def test_inspectors_turn_damage_into_findings(
    tmp_path_factory: object, case: tuple[bytes, Format], edits: list[tuple[int, int]]
) -> None:
    seed, fmt = case
    data = _mutate(seed, edits)
    path = Path(tmp_path_factory.mktemp("fuzz")) / "f.bin"  # type: ignore[attr-defined]
    path.write_bytes(data)
    ref = FileRef(path, "f.bin", "f.bin", FileStat(0, 0, len(data), 0))
    result = inspect_artifact(
        Artifact(ref, Kind.WEIGHTS, fmt, "fuzz", None, data[:4096]), DEFAULT_LIMITS
    )
    assert result.skipped == []
