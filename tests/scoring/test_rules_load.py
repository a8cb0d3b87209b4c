"""Loading rules: every broken rule names its file, line and key; shipped rules load from a wheel too."""

from __future__ import annotations

import importlib.resources
import zipfile
from pathlib import Path

import pytest

from aibom.errors import UsageError
from aibom.limits import DEFAULT_LIMITS
from aibom.rules import RuleError, data_root, load_rules, shipped_rules
from tests.scoring.scoring_builders import minimal_rule, write_rule


def _problems(tmp_path: Path, rule_id: str, body: str) -> str:
    write_rule(tmp_path / "custom", rule_id, body)
    with pytest.raises(RuleError) as caught:
        load_rules([tmp_path / "custom"], shipped=False)
    return "\n".join(caught.value.problems)


def test_a_valid_custom_rule_loads_as_its_own_pack(tmp_path: Path) -> None:
    write_rule(tmp_path / "mine", "T-001", minimal_rule())
    ruleset = load_rules([tmp_path / "mine"], shipped=False)
    assert [r.id for r in ruleset.rules] == ["T-001"]
    assert ruleset.rules[0].pack == "mine"
    assert ruleset.version == "custom"


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    body = minimal_rule().replace("severity: medium", "severity: [medium")
    text = _problems(tmp_path, "T-001", body)
    assert "custom/T-001.yaml:" in text
    line = next(i for i, ln in enumerate(body.splitlines(), 1) if ln.startswith("severity"))
    assert f"T-001.yaml:{line + 1}:" in text or f"T-001.yaml:{line}:" in text
    assert "invalid YAML" in text


def test_unknown_key_points_at_its_line(tmp_path: Path) -> None:
    body = minimal_rule().replace("severity: medium", "severty: medium")
    text = _problems(tmp_path, "T-001", body)
    line = next(i for i, ln in enumerate(body.splitlines(), 1) if ln.startswith("severty"))
    assert f"T-001.yaml:{line}:1: severty: unknown key 'severty'" in text


def test_wrong_enum_value_names_the_key(tmp_path: Path) -> None:
    body = minimal_rule(enforcement="stop")
    text = _problems(tmp_path, "T-001", body)
    line = next(i for i, ln in enumerate(body.splitlines(), 1) if ln.startswith("enforcement"))
    assert f"T-001.yaml:{line}:" in text
    assert "enforcement: 'stop' is not one of" in text


def test_missing_required_field(tmp_path: Path) -> None:
    body = "\n".join(ln for ln in minimal_rule().splitlines() if not ln.startswith("remediation"))
    assert "'remediation' is a required property" in _problems(tmp_path, "T-001", body)


def test_bad_regex_names_condition_key_and_line(tmp_path: Path) -> None:
    body = minimal_rule().replace(
        "condition: {path: modelCard.considerations.useCases, informative: true, absent: false}",
        'condition:\n  all:\n    - {path: name, exists: true}\n    - {path: name, matches: "(a)\\\\1"}',
    )
    text = _problems(tmp_path, "T-001", body)
    line = next(i for i, ln in enumerate(body.splitlines(), 1) if "matches" in ln)
    assert f"T-001.yaml:{line}:" in text
    assert "condition.all[1].matches" in text
    assert "RE2" in text


def test_bad_path_syntax_is_reported_with_its_key(tmp_path: Path) -> None:
    body = minimal_rule().replace(
        "path: modelCard.considerations.useCases", 'path: "modelCard[oops"'
    )
    text = _problems(tmp_path, "T-001", body)
    assert "condition.path" in text
    assert "unclosed '['" in text


def test_predicate_with_two_operators_is_rejected(tmp_path: Path) -> None:
    body = minimal_rule().replace(
        "informative: true, absent: false", "informative: true, exists: true"
    )
    assert "exactly one operator" in _problems(tmp_path, "T-001", body)


def test_absent_is_refused_on_presence_predicates(tmp_path: Path) -> None:
    body = minimal_rule().replace("informative: true, absent: false", "exists: true, absent: false")
    assert "condition.absent" in _problems(tmp_path, "T-001", body)


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    assert "must match the file name" in _problems(tmp_path, "T-002", minimal_rule("T-001"))


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    body = minimal_rule() + "weight: 1\nweight: 2\n"
    assert "duplicate key 'weight'" in _problems(tmp_path, "T-001", body)


def test_duplicate_ids_in_one_tree_name_both_files(tmp_path: Path) -> None:
    write_rule(tmp_path / "custom" / "a", "T-001", minimal_rule())
    write_rule(tmp_path / "custom" / "b", "T-001", minimal_rule())
    with pytest.raises(RuleError) as caught:
        load_rules([tmp_path / "custom"], shipped=False)
    assert "a/T-001.yaml" in str(caught.value)
    assert "b/T-001.yaml" in str(caught.value)


def test_alias_bomb_hits_the_node_ceiling(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    body = "\n".join(levels) + "\n" + minimal_rule()
    assert f"more than {DEFAULT_LIMITS.max_rule_nodes} YAML nodes" in _problems(
        tmp_path, "T-001", body
    )


def test_every_broken_file_is_listed_at_once(tmp_path: Path) -> None:
    write_rule(tmp_path / "custom", "T-001", minimal_rule().replace("title:", "titel:"))
    write_rule(tmp_path / "custom", "T-002", "id: T-002\n: :\n")
    with pytest.raises(RuleError) as caught:
        load_rules([tmp_path / "custom"], shipped=False)
    text = str(caught.value)
    assert "T-001.yaml" in text and "T-002.yaml" in text
    assert caught.value.diagnostics().startswith("error: invalid rules:")


def test_unknown_pack_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown pack nope"):
        load_rules(packs=["nope"])


def test_pack_selection_keeps_only_that_pack() -> None:
    ruleset = load_rules(packs=["safety"])
    assert ruleset.rules
    assert {r.pack for r in ruleset.rules} == {"safety"}
    assert list(ruleset.packs) == ["safety"]


def test_a_custom_rule_replaces_the_shipped_rule_with_its_id(tmp_path: Path) -> None:
    write_rule(tmp_path / "org", "MC-001", minimal_rule("MC-001", enforcement="block"))
    ruleset = load_rules([tmp_path / "org"])
    rule = ruleset.by_id("MC-001")
    assert rule is not None
    assert rule.enforcement.value == "block"
    assert rule.source.endswith("org/MC-001.yaml")
    assert ruleset.version.endswith("+local")


def test_missing_rules_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_rules([tmp_path / "absent"])


def test_pack_without_title_is_reported(tmp_path: Path) -> None:
    write_rule(tmp_path / "custom" / "p", "T-001", minimal_rule())
    (tmp_path / "custom" / "p" / "_pack.yaml").write_text("description: no title\n")
    with pytest.raises(RuleError, match="a pack needs a title"):
        load_rules([tmp_path / "custom"], shipped=False)


def test_shipped_rules_load_from_a_zip_like_an_installed_wheel(tmp_path: Path) -> None:
    """A wheel is read through importlib.resources; a zip archive exercises the same Traversable API
    with no file system paths at all."""
    archive = tmp_path / "aibom.whl"
    root = shipped_rules()
    assert isinstance(root, Path)
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, f"aibom/_data/rules/{path.relative_to(root).as_posix()}")
    zipped = zipfile.Path(archive, "aibom/_data/rules/")
    from_zip = load_rules(shipped_root=zipped)
    from_tree = load_rules()
    assert [r.id for r in from_zip.rules] == [r.id for r in from_tree.rules]
    assert from_zip.version == from_tree.version
    assert from_zip.packs == from_tree.packs


def test_data_root_prefers_packaged_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    packaged = tmp_path / "aibom"
    (packaged / "_data" / "rules").mkdir(parents=True)
    monkeypatch.setattr(importlib.resources, "files", lambda _name: packaged)
    assert data_root() == packaged / "_data"


def test_data_root_falls_back_to_the_source_tree() -> None:
    root = data_root()
    assert root.joinpath("rules").joinpath("VERSION").is_file()
    assert root.joinpath("schemas").joinpath("rule.schema.json").is_file()


def test_pure_python_yaml_loader_gives_the_same_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml is used when PyYAML has it; the pure-Python loader must read rules identically."""
    import yaml

    from aibom.rules import yaml_marks as rules_yaml

    fast = load_rules(packs=["provenance"])
    monkeypatch.setattr(rules_yaml, "_LOADER", yaml.SafeLoader)
    slow = load_rules(packs=["provenance"])
    assert [r.raw for r in slow.rules] == [r.raw for r in fast.rules]
    text = "id: X-001\nversion: [1\n"
    with pytest.raises(rules_yaml.YamlError) as caught:
        rules_yaml.load_yaml(text, DEFAULT_LIMITS)
    assert caught.value.line == 3


def test_the_documented_example_rule_is_valid_and_its_cases_pass(tmp_path: Path) -> None:
    from aibom.score.selftest import run_rule_tests

    docs = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
    text = docs.read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    write_rule(tmp_path / "docs", "MC-001", example)
    ruleset = load_rules([tmp_path / "docs"], shipped=False)
    assert [r.id for r in ruleset.rules] == ["MC-001"]
    assert all(result.ok for result in run_rule_tests(ruleset))
