"""The path evaluator, the predicates and the three-valued logic of rule conditions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aibom.limits import DEFAULT_LIMITS, Limits
from aibom.rules.conditions import (
    ConditionError,
    compile_condition,
    evaluate,
    predicate_paths,
)
from aibom.rules.paths import PathError, parse_path
from aibom.rules.spdx import licence_in, licence_set, named_sets
from aibom.rules.text import compile_pattern, is_informative, texts

COMPONENT: dict[str, Any] = {
    "name": "m",
    "properties": [
        {"name": "aibom:hf:commit", "value": "a" * 40},
        {"name": "dotted.name", "value": "x"},
    ],
    "hashes": [{"alg": "SHA-1", "content": "0"}, {"alg": "SHA-256", "content": "1"}],
    "modelCard": {"considerations": {"useCases": ["Real text here.", "[More Information Needed]"]}},
    "@props": {"dotted.name": "x", "count": "12"},
    "empty": [],
    "nothing": None,
}


def check(condition: dict[str, Any], root: object = COMPONENT) -> bool | None:
    return evaluate(compile_condition(condition, (), DEFAULT_LIMITS), root)


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("name", ["m"]),
        ("hashes[].alg", ["SHA-1", "SHA-256"]),
        ("hashes[1].alg", ["SHA-256"]),
        ("hashes[-1].alg", ["SHA-256"]),
        ("hashes[5].alg", []),
        ("properties[name=aibom:hf:commit].value", ["a" * 40]),
        ("properties[name=AIBOM:HF:COMMIT].value", ["a" * 40]),
        ('@props."dotted.name"', ["x"]),
        ("name.deeper", []),
        ("hashes.alg", []),
        ("nothing", []),
        ("missing[].x", []),
    ],
)
def test_path_resolution(path: str, expected: list[object]) -> None:
    assert parse_path(path).resolve(COMPONENT) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "non-empty"),
        ("a[", "unclosed"),
        ("a[x]", "bad selector"),
        ("a..b", "expected a key"),
        ('a."b', "unterminated quote"),
        ("a[=v]", "field=value"),
        ("a]b", "unexpected"),
        ("x" * 401, "longer than"),
        (".".join(["k"] * 30), "segments"),
    ],
)
def test_bad_paths_are_explained(text: str, message: str) -> None:
    with pytest.raises(PathError, match=message):
        parse_path(text)


def test_path_values_are_capped() -> None:
    most = DEFAULT_LIMITS.max_path_values
    root = {"a": [{"b": list(range(50))} for _ in range(most)]}
    assert len(parse_path("a[].b[]").resolve(root)) == most
    assert len(parse_path("a[].b[]", Limits(max_path_values=7)).resolve(root)) == 7


def test_path_visits_are_budgeted() -> None:
    """A filter that matches nothing over nested lists would visit every pair; the budget stops it."""
    root = {"a": [{"b": [{"x": i} for i in range(100)]} for _ in range(100)]}
    assert len(parse_path("a[].b[].x").resolve(root)) == 10_000
    small = Limits(max_path_visits=500)
    assert 0 < len(parse_path("a[].b[].x", small).resolve(root)) < 500
    assert parse_path("a[].b[x=-1]", small).resolve(root) == []


@given(st.text(max_size=60))
def test_any_path_text_parses_or_raises_path_error(text: str) -> None:
    try:
        path = parse_path(text)
    except PathError:
        return
    assert isinstance(path.resolve(COMPONENT), list)


# ---------------------------------------------------------------- predicates and logic


def test_presence_predicates_are_definite() -> None:
    assert check({"path": "name", "exists": True}) is True
    assert check({"path": "absent", "exists": True}) is False
    assert check({"path": "empty", "non_empty": True}) is False
    assert check({"path": "hashes", "count_gte": 2}) is True
    assert check({"path": "hashes", "count_lte": 1}) is False
    assert check({"path": "absent", "count_lte": 0}) is True


def test_value_predicates_are_unknown_without_a_value() -> None:
    for op, arg in [
        ("equals", "x"),
        ("in", ["x"]),
        ("matches", "x"),
        ("gte", 1),
        ("informative", True),
    ]:
        assert check({"path": "absent", op: arg}) is None, op


def test_absent_option_makes_missing_values_definite() -> None:
    assert check({"path": "absent", "equals": "x", "absent": False}) is False
    assert check({"path": "absent", "equals": "x", "absent": True}) is True


def test_value_predicates_hold_when_any_value_does() -> None:
    assert check({"path": "hashes[].alg", "equals": "sha-256"}) is True
    assert check({"path": "hashes[].alg", "in": ["MD5", "SHA-1"]}) is True
    assert check({"path": "hashes[].alg", "in": ["MD5"]}) is False
    assert check({"path": "@props.count", "gte": 12}) is True
    assert check({"path": "@props.count", "lte": 11.5}) is False
    assert check({"path": "name", "gte": 1}) is False


def test_informative_and_placeholder_see_template_text() -> None:
    assert check({"path": "modelCard.considerations.useCases", "informative": True}) is True
    assert check({"path": "modelCard.considerations.useCases", "placeholder": True}) is True
    only = {"u": ["[More Information Needed]", "TBD"]}
    assert check({"path": "u", "informative": True}, only) is False
    assert check({"path": "u", "informative": False}, only) is True
    assert check({"path": "u", "placeholder": False}, {"u": ["Filled in."]}) is True


@pytest.mark.parametrize(
    ("text", "informative"),
    [
        ("Classifies reviews.", True),
        ("text", True),
        ("[More Information Needed]", False),
        ("More information needed.", False),
        ("{{ model_description | default('', true) }}", False),
        ("Unknown", False),
        ("other", False),
        ("N/A", False),
        ("  ", False),
        ("ok", False),
    ],
)
def test_is_informative(text: str, informative: bool) -> None:
    assert is_informative(text, DEFAULT_LIMITS) is informative


def test_texts_flatten_lists_and_mappings() -> None:
    assert texts(
        [{"name": "risk", "mitigationStrategy": "filter"}, "x", 3, True], DEFAULT_LIMITS
    ) == [
        "risk",
        "filter",
        "x",
        "3",
        "true",
    ]


def test_kleene_logic() -> None:
    yes, no, unknown = (
        {"path": "name", "exists": True},
        {"path": "absent", "exists": True},
        {"path": "absent", "equals": "x"},
    )
    assert check({"all": [yes, unknown]}) is None
    assert check({"all": [no, unknown]}) is False
    assert check({"any": [yes, unknown]}) is True
    assert check({"any": [no, unknown]}) is None
    assert check({"not": unknown}) is None
    assert check({"not": no}) is True


def test_for_each_quantifiers_where_and_empty() -> None:
    strong = {"path": "alg", "in": ["SHA-256"]}
    assert check({"for_each": "hashes[]", "any": [strong]}) is True
    assert check({"for_each": "hashes[]", "all": [strong]}) is False
    sha1_only = {"path": "alg", "equals": "SHA-1"}
    assert check({"for_each": "hashes", "where": sha1_only, "all": [sha1_only]}) is True
    assert check({"for_each": "empty", "all": [strong]}) is None
    assert check({"for_each": "empty", "all": [strong], "empty": "fail"}) is False
    assert check({"for_each": "empty", "all": [strong], "empty": "pass"}) is True


def test_dollar_paths_read_the_subject_inside_for_each() -> None:
    condition = {"for_each": "hashes[]", "all": [{"path": "$.name", "equals": "m"}]}
    assert check(condition) is True
    assert check({"for_each": "hashes[]", "all": [{"path": "name", "equals": "m"}]}) is None


def test_default_evidence_paths_join_for_each_paths() -> None:
    node = compile_condition(
        {"for_each": "@files", "all": [{"path": "hashes[].alg", "exists": True}]},
        (),
        DEFAULT_LIMITS,
    )
    assert [p.text for p in predicate_paths(node)] == ["@files[].hashes[].alg"]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"all": []}, "non-empty list"),
        ({"all": [{}], "any": [{}]}, "exactly one of"),
        ({"path": "x"}, "exactly one operator"),
        ({"for_each": "x", "all": [{"path": "x", "exists": True}], "empty": "maybe"}, "empty must"),
        ({"path": "x", "spdx_in": "@nope"}, "unknown licence set"),
        ({"path": "x", "matches": "x" * 513}, "longer than"),
        ({"path": "x", "informative": True, "min_length": -1}, "min_length"),
        (
            {
                "not": {
                    "not": {
                        "not": {
                            "not": {
                                "not": {
                                    "not": {
                                        "not": {
                                            "not": {
                                                "not": {
                                                    "not": {
                                                        "not": {
                                                            "not": {
                                                                "not": {"path": "x", "exists": True}
                                                            }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "deeper",
        ),
    ],
)
def test_bad_conditions_are_explained(condition: dict[str, Any], message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        compile_condition(condition, ("condition",), DEFAULT_LIMITS)


# ---------------------------------------------------------------- regex and licences


def test_regex_is_linear_time_on_hostile_input() -> None:
    """(a+)+$ backtracks exponentially in Python's re; RE2 answers at once (ReDoS, CWE-1333)."""
    pattern = compile_pattern("(a+)+$", DEFAULT_LIMITS)
    assert pattern.search("a" * 5000 + "!") is False
    assert pattern.search("aaa") is True


def test_regex_sees_only_the_first_characters() -> None:
    most = DEFAULT_LIMITS.max_match_chars
    pattern = compile_pattern("needle", DEFAULT_LIMITS)
    assert pattern.search("x" * (most - 6) + "needle") is True
    assert pattern.search("x" * most + "needle") is False
    assert compile_pattern("needle", Limits(max_match_chars=10)).search("x" * 5 + "needle") is False


def test_backreferences_are_refused() -> None:
    with pytest.raises(ValueError, match="RE2"):
        compile_pattern(r"(a)\1", DEFAULT_LIMITS)


@pytest.mark.parametrize(
    ("expression", "is_open"),
    [
        ("MIT", True),
        ("apache-2.0", True),
        ("CC-BY-4.0", True),
        ("CC-BY-SA-4.0", True),
        ("CDLA-Permissive-2.0", True),
        ("OpenMDW-1.0", True),
        ("CC-BY-NC-4.0", False),
        ("CC-BY-ND-4.0", False),
        ("llama3", False),
        ("", False),
        ("MIT OR CC-BY-NC-4.0", True),
        ("MIT AND CC-BY-NC-4.0", False),
        ("(Apache-2.0 OR MIT) AND BSD-3-Clause", True),
        ("GPL-2.0-only WITH Classpath-exception-2.0", True),
        ("(MIT", False),
        ("MIT " * 200, False),
    ],
)
def test_open_licence_set(expression: str, is_open: bool) -> None:
    assert licence_in(expression, licence_set("@open"), DEFAULT_LIMITS) is is_open


def test_named_sets_and_literal_lists() -> None:
    sets = named_sets()
    assert {"@spdx", "@osi", "@fsf-libre", "@open-data", "@open"} <= set(sets)
    assert "apache-2.0" in sets["@osi"]
    assert "cc-by-4.0" in sets["@open-data"] and "cc-by-4.0" not in sets["@osi"]
    assert licence_in("Foo-1.0", licence_set(["foo-1.0"]), DEFAULT_LIMITS) is True


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["name", "alg", "hashes", "x", "@props"]), children, max_size=4
        )
    ),
    max_leaves=30,
)


@given(json_values)
def test_conditions_never_crash_on_any_json(root: object) -> None:
    condition = {
        "any": [
            {"for_each": "hashes[]", "all": [{"path": "alg", "in": ["SHA-256"]}]},
            {"path": "name", "matches": "^m"},
            {"path": "x[]", "gte": 3},
            {"path": "@props.x", "spdx_in": "@open"},
            {"path": "name", "informative": True},
        ]
    }
    assert check(condition, root) in (True, False, None)
