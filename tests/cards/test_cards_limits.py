"""Hostile and broken cards: YAML bombs, deep nesting, size limits, bad bytes, empty files, fuzz."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom import checks
from aibom.cards import parse_card
from aibom.cards.front_matter import YamlLimitError, load_bounded, to_json_safe
from aibom.limits import Limits

WriteFile = Callable[[str | bytes, str], Path]


def _laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*l{level - 1}"] * width)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines)


def _merge_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["m0: &m0 {x: 1}"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*m{level - 1}"] * width)
        lines.append(f"m{level}: &m{level} {{<<: [{refs}], k{level}: 1}}")
    return "\n".join(lines)


def _nested_yaml(depth: int) -> str:
    return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth - 1)) + (
        f"{'  ' * (depth - 1)}leaf: 1\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("bomb", [_laughs(), _merge_bomb()], ids=["aliases", "merge-keys"])
def test_yaml_bombs_stop_fast_with_bounded_memory(write_file: WriteFile, bomb: str) -> None:
    path = write_file(f"---\nlicense: mit\n{bomb}\n---\n# Model\n", "README.md")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        facts, findings = parse_card(path, "bomb/README.md", "model")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5.0
    assert peak < 64 * 1024 * 1024
    assert facts.metadata == {}
    assert facts.license is None
    limit = [f for f in findings if f.check is checks.LIMIT_REACHED]
    assert len(limit) == 1
    assert "more than 100000 YAML nodes through aliases" in limit[0].message
    assert limit[0].message in facts.problems


def test_small_alias_use_is_fine() -> None:
    safe = load_bounded("a: &x [1, 2]\nb: *x\nc: {<<: {k: v}, d: 1}\n", 100, 10)
    assert safe.value == {"a": [1, 2], "b": [1, 2], "c": {"k": "v", "d": 1}}


def test_recursive_alias_is_a_depth_error() -> None:
    with pytest.raises(YamlLimitError, match="deeper than 10"):
        load_bounded("a: &a [*a]\n", 1000, 10)


def test_node_count_limit_while_composing() -> None:
    with pytest.raises(YamlLimitError, match="more than 50 YAML nodes"):
        load_bounded("[" + ", ".join(["1"] * 100) + "]", 50, 10)


def test_fifty_levels_within_default_limits(write_file: WriteFile) -> None:
    text = "---\n" + _nested_yaml(50) + "---\n"
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model")
    assert findings == [f for f in findings if f.check is not checks.LIMIT_REACHED]
    node: object = facts.metadata
    for level in range(49):
        assert isinstance(node, dict)
        node = node[f"k{level}"]
    assert node == {"leaf": 1}


def test_fifty_levels_past_a_lower_depth_limit(write_file: WriteFile) -> None:
    text = "---\n" + _nested_yaml(50) + "---\n"
    limits = Limits(max_json_depth=20)
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model", limits)
    assert facts.metadata == {}
    assert [f.check for f in findings] == [checks.LIMIT_REACHED]
    assert "nests deeper than 20 levels" in findings[0].message


def test_deep_flow_nesting(write_file: WriteFile) -> None:
    text = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.metadata == {}
    assert [f.check for f in findings] == [checks.LIMIT_REACHED]


def test_to_json_safe_bounds_depth_itself() -> None:
    loop: list[object] = []
    loop.append(loop)
    safe = to_json_safe({"a": loop}, 5)
    assert safe.problems == ["front matter value at a nests too deep; dropped"]


def test_to_json_safe_types() -> None:
    safe = to_json_safe({"f": float("inf"), "b": b"\x00\x01", "s": {3, 1}, 2: None}, 10)
    assert safe.value == {"f": "inf", "b": "AAE=", "s": [1, 3], "2": None}
    assert safe.problems == ["front matter key '2' is a YAML int, not a string"]


def test_huge_integer_is_a_problem_not_a_crash(write_file: WriteFile) -> None:
    text = "---\nn: " + "9" * 5000 + "\nlicense: mit\n---\n"
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.metadata == {}
    assert facts.problems[0].startswith("invalid YAML front matter:")
    assert [f.check for f in findings] == [checks.CARD_METADATA]


def test_non_utf8_bytes(write_file: WriteFile) -> None:
    data = b"---\nlicense: mit\n---\n# Caf\xe9 model\n\n## Usage\n\nCaf\xe9 \xff\xfe usage.\n"
    facts, findings = parse_card(write_file(data, "README.md"), "R", "model")
    assert facts.license == "MIT"
    assert facts.sections["how_to_use"] == "Caf\ufffd \ufffd\ufffd usage."
    assert facts.problems == [
        "card is not valid UTF-8 (first bad byte at offset 26); undecodable bytes were replaced"
    ]
    assert [f.check for f in findings] == [checks.CARD_METADATA]


def test_utf8_bom_is_dropped(write_file: WriteFile) -> None:
    facts, _ = parse_card(write_file(b"\xef\xbb\xbf---\nlicense: mit\n---\n", "R.md"), "R", "model")
    assert facts.license == "MIT"
    assert facts.problems == []


@pytest.mark.parametrize("content", [b"", b"   \n\n\t\n"])
def test_empty_file(write_file: WriteFile, content: bytes) -> None:
    facts, findings = parse_card(write_file(content, "README.md"), "e/README.md", "model")
    assert not facts.has_front_matter
    assert facts.metadata == {}
    assert facts.sections == {}
    assert facts.problems == ["card is empty"]
    assert [(f.check, f.path, f.message) for f in findings] == [
        (checks.CARD_METADATA, "e/README.md", "card is empty")
    ]


def test_oversized_card_is_read_truncated(write_file: WriteFile) -> None:
    text = "---\nlicense: mit\n---\n## Usage\n\nShort.\n\n## Limitations\n\n" + "é" * 5000
    limits = Limits(max_text_file=1001)
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model", limits)
    assert facts.license == "MIT"
    assert facts.sections["how_to_use"] == "Short."
    assert len(facts.sections["limitations"]) < 1000
    size = len(text.encode())
    assert [(f.check, f.message) for f in findings] == [
        (
            checks.LIMIT_REACHED,
            f"card is {size} bytes, over the 1001-byte limit; only the beginning was read",
        )
    ]  # the multi-byte character cut at the limit is not reported as bad UTF-8


def test_directory_instead_of_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):  # the caller records a Skipped
        parse_card(tmp_path, "dir", "model")


_CARDISH = st.lists(
    st.sampled_from(
        ["---", "license: mit", "- a", "  b: &x 1", "c: *x", "# H", "## Uses", "```", "\t", "<!--",
         "-->", "[More Information Needed]", "key: [", "{{ x }}", "é", "\r", "---   "]
    ) | st.text(max_size=20),
    max_size=30,
)  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=_CARDISH, kind=st.sampled_from(["model", "dataset"]))
def test_fuzz_never_raises(write_file: WriteFile, lines: list[str], kind: str) -> None:
    path = write_file("\n".join(lines), "fuzz.md")
    facts, findings = parse_card(path, "fuzz.md", "dataset" if kind == "dataset" else "model")
    assert len(findings) >= len(facts.problems)
    assert all(isinstance(key, str) for key in facts.metadata)


def test_problem_flood_is_capped(write_file: WriteFile) -> None:
    keys = "".join(f"{n}: x\n" for n in range(500))
    headings = "".join(f"## Section {n}\n\nTBD\n\n" for n in range(300))
    facts, findings = parse_card(write_file(f"---\n{keys}---\n{headings}", "R.md"), "R", "model")
    assert len(facts.metadata) == 500
    assert len(facts.problems) == 51
    assert facts.problems[-1] == "450 more problems with this card not listed"
    assert len([f for f in findings if f.check is checks.CARD_METADATA]) == 51
    (placeholder,) = [f for f in findings if f.check is checks.CARD_PLACEHOLDER]
    assert len(facts.placeholders) == 300
    assert placeholder.message.startswith("300 card section(s)")
    assert placeholder.evidence is not None
    assert placeholder.evidence.count(";") == 99
