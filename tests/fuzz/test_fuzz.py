"""Short fuzz run over every inspector, the card and config parsers, the package parsers and the
BOM reader (the long run is ``bench/fuzz.py``). Seeds are valid files written by the real libraries;
hypothesis mutates them. Untimed: ``deadline=None``; a hang would show as a stuck test."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz import harness, seeds

_SLOW = {"hdf5": 3, "keras-v3": 4}
"""Targets whose inspector starts a subprocess (libhdf5 is run out of process): fewer examples."""

mutations = st.lists(
    st.tuples(
        st.integers(0, harness.OPERATIONS - 1),
        st.integers(0, 2**32 - 1),
        st.integers(0, 2**32 - 1),
    ),
    min_size=1,
    max_size=4,
)


KNOWN_BUGS: tuple[str, ...] = ()
"""Problems the harness found, tolerated here only until fixed; each fix deletes its entry. The
first three found (a corrupt zstd frame, a one-byte ``.onnx`` file, a ``-r`` name over NAME_MAX) are
fixed, with regression tests in ``tests/test_fuzz_regressions.py``."""


def _check(name: str, pool: tuple[seeds.Seed, ...], data: st.DataObject) -> None:
    target = harness.TARGETS[name]
    seed = pool[data.draw(st.integers(0, len(pool) - 1), label="seed")]
    muts = data.draw(mutations, label="mutations")
    with tempfile.TemporaryDirectory() as tmp:
        found = harness.run_case(target, seed, muts, Path(tmp))
    problems = [p for p in found if not any(bug in p for bug in KNOWN_BUGS)]
    assert problems == [], f"{name} seed {seed[0]} mutations {muts}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", sorted(harness.TARGETS))
def test_mutated_inputs_never_crash(name: str) -> None:
    examples = _SLOW.get(name, 12)
    pool = harness.TARGETS[name].seeds()  # written before hypothesis starts

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the suite is reproducible; bench/fuzz.py is the random long run
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        _check(name, pool, data)

    run()


def test_every_registered_format_has_seeds() -> None:
    assert set(harness.inspector_formats()) <= set(seeds.INSPECTOR_SEEDS)


@pytest.mark.parametrize("name", sorted(harness.TARGETS))
def test_unmutated_seeds_pass(name: str, tmp_path: Path) -> None:
    target = harness.TARGETS[name]
    pool = target.seeds()
    assert pool, name
    for seed in pool:
        assert harness.run_case(target, seed, [], tmp_path) == [], seed[0]


def test_mutations_change_bytes() -> None:
    data = bytes(range(64)) * 4
    assert harness.mutate(data, [(0, 3, 0)]) != data  # bit flip
    assert harness.mutate(data, [(2, 10, 0)]) == data[:10]  # truncation
    inflated = harness.mutate(data, [(3, 0, 3)])  # 8-byte little-endian 0x7fffffff
    assert len(inflated) == len(data) and inflated != data
