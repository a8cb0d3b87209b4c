"""Read one rule file: YAML with line marks -> JSON-schema validation -> a compiled ``Rule``.

Every problem names the file, the line and column, and the key (``condition.all[1].matches``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import jsonschema

from aibom.findings import Severity
from aibom.limits import Limits
from aibom.rules.conditions import ConditionError, Node, compile_condition
from aibom.rules.model import Enforcement, FrameworkRef, Rule, RuleCase, Verdict, Wording
from aibom.rules.paths import Path, PathError, parse_path
from aibom.rules.yaml_marks import LoadedYaml, Loc, YamlError, format_loc, load_yaml

MAX_ERRORS_PER_FILE = 5
"""Schema problems listed per file (the first few explain the rest); an output cap, not in ``Limits``."""
_TEMPLATE_FIELD = re.compile(r"\{([^{}]{1,400})\}")


class RuleFileError(ValueError):
    """Problems in one rule file, each already formatted as ``file:line:col: key: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@functools.cache
def _validator(schema_text: str) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def parse_rule(text: str, display: str, pack: str, schema_text: str, limits: Limits) -> Rule:
    """Compile the rule in ``text`` (read from ``display``, in ``pack``) within ``limits``. Raises
    ``RuleFileError``."""
    try:
        loaded = load_yaml(text, limits)
    except YamlError as exc:
        raise RuleFileError([f"{display}:{exc.line}:{exc.column}: {exc.message}"]) from None
    data = loaded.data
    if not isinstance(data, dict):
        raise RuleFileError([f"{display}:1:1: a rule file must hold one mapping"])
    _check_schema(data, loaded, display, schema_text)
    stem = display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem != data["id"]:
        line, col = loaded.mark(("id",))
        raise RuleFileError(
            [f"{display}:{line}:{col}: id: {data['id']!r} must match the file name"]
        )
    try:
        return _build(data, display, pack, limits)
    except ConditionError as exc:
        line, col = loaded.mark(exc.loc)
        raise RuleFileError(
            [f"{display}:{line}:{col}: {format_loc(exc.loc)}: {exc.message}"]
        ) from None


def _check_schema(data: dict[str, Any], loaded: LoadedYaml, display: str, schema_text: str) -> None:
    errors = sorted(_validator(schema_text).iter_errors(data), key=lambda e: list(e.absolute_path))
    problems: list[tuple[int, int, str]] = []
    for error in errors:
        loc: Loc = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = (
                set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
            )
            extra = sorted(k for k in error.instance if k not in allowed)
            if extra:
                loc = (*loc, extra[0])
                message = f"unknown key {extra[0]!r}"
        elif error.validator == "oneOf" and error.context:
            message = jsonschema.exceptions.best_match(error.context).message
        line, col = loaded.mark(loc)
        problems.append(
            (line, col, f"{display}:{line}:{col}: {format_loc(loc)}: {_short(message)}")
        )
    if problems:
        problems.sort()
        raise RuleFileError([p for _, _, p in problems[:MAX_ERRORS_PER_FILE]])


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


def _build(data: dict[str, Any], display: str, pack: str, limits: Limits) -> Rule:
    applies = data["applies_to"]
    return Rule(
        id=data["id"],
        version=data["version"],
        pack=pack,
        title=data["title"].strip(),
        rationale=" ".join(data["rationale"].split()),
        frameworks=tuple(
            FrameworkRef(f["framework"], f["ref"], f.get("note")) for f in data["frameworks"]
        ),
        kinds=tuple(applies["kinds"]),
        condition=compile_condition(data["condition"], ("condition",), limits),
        severity=Severity.parse(data["severity"]),
        enforcement=Enforcement(data["enforcement"]),
        remediation=" ".join(data["remediation"].split()),
        source=display,
        where=_optional(applies.get("where"), ("applies_to", "where"), limits),
        needs=_needs(data.get("needs"), limits),
        on_unknown=data.get("on_unknown", "unknown"),
        weight=float(data.get("weight", 1)),
        references=tuple(data.get("references", ())),
        evidence=tuple(
            _path(p, ("evidence", i), limits) for i, p in enumerate(data.get("evidence", ()))
        ),
        messages=_messages(data.get("message"), limits),
        mof_component=data.get("mof_component"),
        tags=tuple(data.get("tags", ())),
        deprecated=bool(data.get("deprecated", False)),
        tests=tuple(_case(case, i) for i, case in enumerate(data["tests"])),
        wording=_wording(data.get("wording"), limits),
        raw=data,
    )


def _optional(data: object, loc: Loc, limits: Limits) -> Node | None:
    return None if data is None else compile_condition(data, loc, limits)


def _needs(data: object, limits: Limits) -> Node | None:
    """``needs`` as a condition: a list of paths means every one must exist."""
    if isinstance(data, list):
        every = {"all": [{"path": p, "exists": True} for p in data]}
        return compile_condition(every, ("needs",), limits)
    return _optional(data, ("needs",), limits)


def _path(text: str, loc: Loc, limits: Limits) -> Path:
    try:
        return parse_path(text, limits)
    except PathError as exc:
        raise ConditionError(loc, str(exc)) from None


def _messages(data: object, limits: Limits) -> dict[str, str]:
    """Templates by outcome; a single string (key ``*``) serves every outcome."""
    if isinstance(data, str):
        templates = {"*": data}
    elif isinstance(data, Mapping):
        templates = {str(k): str(v) for k, v in data.items()}
    else:
        templates = {}
    for outcome, template in templates.items():
        for match in _TEMPLATE_FIELD.finditer(template):
            _path(match.group(1), ("message", outcome), limits)
    return templates


def _wording(data: object, limits: Limits) -> dict[str, Wording]:
    if not isinstance(data, Mapping):
        return {}
    out: dict[str, Wording] = {}
    for kind, text in data.items():
        if not isinstance(text, Mapping):
            continue
        title, remediation = text.get("title"), text.get("remediation")
        out[str(kind)] = Wording(
            title=title.strip() if isinstance(title, str) else None,
            remediation=" ".join(remediation.split()) if isinstance(remediation, str) else None,
            messages=_messages(text.get("message"), limits),
        )
    return out


def _case(data: Mapping[str, Any], index: int) -> RuleCase:
    document = data.get("document")
    if document is None:
        document = {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [data["component"]],
        }
    return RuleCase(
        name=data["name"],
        expect=Verdict(data["expect"]),
        document=document,
        subject=data.get("subject"),
        index=index,
    )
