"""OSV range semantics, checked against the schema's own examples and against ``packaging`` as an
oracle, and matching with PEP 503 names."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from aibom.vulns.match import PackageKey, evaluate, in_range, match_packages
from aibom.vulns.osv import Event, OsvRecord, Range, parse_record
from tests.vulns.osv_builders import advisory


def _range(*events: tuple[str, str], kind: str = "ECOSYSTEM") -> Range:
    return Range(kind, tuple(Event(k, v) for k, v in events))  # type: ignore[arg-type]


class _Static:
    """A VulnSource over fixed records (no index, no network)."""

    label = "test records"
    prefiltered = False

    def __init__(self, *records: dict[str, object]) -> None:
        self.records = [parse_record(r) for r in records]

    def query(self, packages: Sequence[PackageKey]) -> dict[PackageKey, list[OsvRecord]]:
        return {key: list(self.records) for key in packages}

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("events", "version", "expected"),
    [
        # The examples of the OSV schema's "Examples" section.
        ((("introduced", "0"),), "0.0.1", True),
        ((("introduced", "0"), ("fixed", "1.0.2")), "1.0.1", True),
        ((("introduced", "0"), ("fixed", "1.0.2")), "1.0.2", False),
        (
            (
                ("introduced", "1.0.0"),
                ("fixed", "1.0.2"),
                ("introduced", "3.0.0"),
                ("fixed", "3.2.5"),
            ),
            "2.0",
            False,
        ),
        (
            (
                ("introduced", "1.0.0"),
                ("fixed", "1.0.2"),
                ("introduced", "3.0.0"),
                ("fixed", "3.2.5"),
            ),
            "3.2.4",
            True,
        ),
        ((("introduced", "0"), ("last_affected", "2.1.214")), "2.1.214", True),
        ((("introduced", "0"), ("last_affected", "2.1.214")), "2.1.215", False),
        # limit bounds the range; "*" is infinity.
        ((("introduced", "0"), ("limit", "2.0")), "1.9", True),
        ((("introduced", "0"), ("limit", "2.0")), "2.0", False),
        ((("introduced", "1.0"), ("limit", "*")), "99", True),
        # events are evaluated in version order, not list order.
        ((("fixed", "2.0"), ("introduced", "1.0")), "1.5", True),
        # PEP 440: pre-releases sort before the release, post-releases after it.
        ((("introduced", "0"), ("fixed", "1.0")), "1.0rc1", True),
        ((("introduced", "0"), ("fixed", "1.0")), "1.0.post1", False),
        ((("introduced", "0"), ("fixed", "1.0")), "1.0+cpu", False),
        ((("introduced", "0"), ("fixed", "1.0")), "0.9+cpu", True),
        ((("introduced", "0"), ("fixed", "1.0")), "not a version", False),
        # a range whose events cannot be ordered is skipped, not guessed
        ((("introduced", "0"), ("fixed", "banana")), "0.1", False),
    ],
)
def test_ecosystem_ranges(
    events: tuple[tuple[str, str], ...], version: str, expected: bool
) -> None:
    assert in_range(version, _range(*events)) is expected


def test_semver_ranges_use_semver_precedence() -> None:
    rng = _range(("introduced", "1.2.3-alpha.1"), ("fixed", "1.2.3"), kind="SEMVER")
    assert in_range("1.2.3-beta", rng)
    assert not in_range("1.2.3", rng)
    assert not in_range("1.2.3-alpha.0", rng)


def test_git_ranges_are_not_evaluated() -> None:
    assert not in_range("1.0", _range(("introduced", "0"), kind="GIT"))


@given(
    st.tuples(st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.integers(0, 20), st.integers(0, 20)),
)
def test_single_range_agrees_with_packaging(
    lo: tuple[int, int], hi: tuple[int, int], v: tuple[int, int]
) -> None:
    low, high, version = (".".join(map(str, t)) for t in (lo, hi, v))
    # Events are sorted before evaluation: a "fixed" below "introduced" closes nothing after it.
    if Version(low) <= Version(high):
        expected = Version(low) <= Version(version) < Version(high)
    else:
        expected = Version(version) >= Version(low)
    assert in_range(version, _range(("introduced", low), ("fixed", high))) is expected


def test_names_are_compared_after_pep503_normalisation() -> None:
    source = _Static(advisory("PYSEC-1", "Ruamel.YAML", ("introduced", "0"), ("fixed", "0.17")))
    found = match_packages(
        [("ruamel_yaml", "0.16", "ref-a"), ("ruamel-yaml", "0.17", "ref-b")], source
    )
    assert [(m.bom_ref, m.record.id) for m in found] == [("ref-a", "PYSEC-1")]


def test_versions_list_matches_pep440_equal_versions() -> None:
    source = _Static(advisory("GHSA-aaaa-bbbb-cccc", "pkg", versions=["1.0", "1.1"]))
    found = match_packages([("pkg", "1.0.0", "r1"), ("pkg", "1.2", "r2")], source)
    assert [m.bom_ref for m in found] == ["r1"]
    assert found[0].evidence == "1.0.0 is listed as affected"


def test_withdrawn_other_ecosystems_and_unversioned_packages_never_match() -> None:
    source = _Static(
        advisory("GHSA-w", "pkg", ("introduced", "0"), withdrawn="2024-01-01T00:00:00Z"),
        advisory("GHSA-n", "pkg", ("introduced", "0"), ecosystem="npm"),
    )
    assert match_packages([("pkg", "1.0", "r"), ("pkg", None, "r2")], source) == []


def test_fixed_versions_are_those_newer_than_the_package() -> None:
    record = parse_record(
        advisory(
            "PYSEC-2",
            "pkg",
            ("introduced", "0"),
            ("fixed", "1.5"),
            ("introduced", "2.0"),
            ("fixed", "2.3"),
        )
    )
    assert evaluate(record, ("pkg", "1.0"))[1] == ("1.5", "2.3")
    evidence, fixed = evaluate(record, ("pkg", "2.1"))
    assert fixed == ("2.3",) and evidence is not None and "ECOSYSTEM range" in evidence
    assert evaluate(record, ("pkg", "1.7")) == (None, ())


def test_prefiltered_source_answers_are_kept() -> None:
    source = _Static(advisory("OSV-1", "pkg", ("introduced", "5.0")))
    source.prefiltered = True
    found = match_packages([("pkg", "1.0", "r")], source)
    assert [m.evidence for m in found] == ["reported by the OSV API"]
