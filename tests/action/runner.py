"""A small stand-in for the GitHub Actions runner that executes ``action.yml`` itself.

It parses the composite action with PyYAML, resolves ``${{ ... }}`` expressions (inputs with their
declared defaults, ``github.*``, ``runner.temp``, ``steps.<id>.outputs.*``), evaluates ``if:``
conditions, and runs each ``run:`` step's own script with ``bash --noprofile --norc -eo pipefail``, the
step's declared ``env:`` and nothing else from the action (composite actions get no ``INPUT_*``
variables), in a simulated job: an event payload file, a per-step ``GITHUB_OUTPUT`` and
``GITHUB_STEP_SUMMARY``, ``GITHUB_WORKSPACE``, ``RUNNER_TEMP``, ``GITHUB_API_URL``. The log (stdout
and stderr together, as the runner reads them) is parsed for workflow commands the way the runner
does, ``::stop-commands::`` included. ``uses:`` steps cannot run here: setup-python is given the
interpreter the test names, and the upload steps are recorded with their resolved ``with:`` values.

Anything in ``action.yml`` that this resolver does not understand raises, so the action cannot grow
an expression that the tests silently skip.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[2]
ACTION_FILE = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMMAND = re.compile(r"^::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$")
STEP_TIMEOUT = 600


def load_action() -> dict[str, Any]:
    loaded = yaml.safe_load(ACTION_FILE.read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def unescape_data(value: str) -> str:
    """The runner's unescaping of a command's message (ActionCommand.UnescapeData)."""
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


@dataclass(frozen=True)
class Command:
    name: str
    properties: dict[str, str]
    message: str


def workflow_commands(log: str) -> list[Command]:
    """Every workflow command the runner would act on, honouring ``::stop-commands::TOKEN``."""
    found: list[Command] = []
    stopped: str | None = None
    for line in log.splitlines():
        text = line.lstrip()
        if stopped is not None:
            if text == f"::{stopped}::":
                stopped = None
            continue
        match = COMMAND.match(text)
        if match is None:
            continue
        name, props, message = match.groups()
        if name == "stop-commands":
            stopped = message
            continue
        properties = {}
        for item in (props or "").split(","):
            if "=" in item:
                key, value = item.split("=", 1)
                properties[key] = unescape_property(value)
        found.append(Command(name, properties, unescape_data(message)))
    return found


def parse_file_commands(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as the runner reads GITHUB_OUTPUT."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    lines = path.read_text("utf-8").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            out[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
            i += 1
        else:
            assert line == "", f"malformed GITHUB_OUTPUT line {line!r}"
            i += 1
    return out


@dataclass
class StepRun:
    id: str
    name: str
    ran: bool
    outcome: str  # success, failure, skipped
    log: str = ""
    uses: str = ""
    with_: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    summary: str
    failed: bool

    def step(self, step_id: str) -> StepRun:
        (found,) = [s for s in self.steps if s.id == step_id]
        return found

    @property
    def log(self) -> str:
        return "".join(s.log for s in self.steps)

    @property
    def commands(self) -> list[Command]:
        return workflow_commands(self.log)

    def annotations(self, level: str) -> list[Command]:
        return [c for c in self.commands if c.name == level]


@dataclass
class Job:
    """The job around one ``uses: aibom/aibom@...`` step."""

    tmp: Path
    workspace: Path
    inputs: Mapping[str, str] = field(default_factory=dict)
    event: Mapping[str, Any] | None = None
    token: str = "ghs_job_token"
    api_url: str = "http://127.0.0.1:9"
    repository: str = "acme/models"
    python: str = sys.executable
    simulated: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Outputs for steps (by id) that are not run; used for the install step, which needs an index."""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    action: dict[str, Any] = field(default_factory=load_action)
    _outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    _outcomes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        declared = self.action["inputs"]
        unknown = set(self.inputs) - set(declared)
        assert not unknown, f"inputs not declared in action.yml: {unknown}"
        self.temp = self.tmp / "runner-temp"
        self.temp.mkdir(parents=True, exist_ok=True)
        self.event_path = self.tmp / "event.json"
        self.event_path.write_text(json.dumps(self.event or {}), "utf-8")

    # expressions -------------------------------------------------------------------------------
    def value(self, expr: str) -> str:
        parts = expr.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            spec = self.action["inputs"].get(parts[1])
            assert spec is not None, f"action.yml reads undeclared input {parts[1]!r}"
            given = self.inputs.get(parts[1])
            return given if given is not None else self.resolve(str(spec.get("default", "")))
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self._outputs.get(parts[1], {}).get(parts[3], "")
        if parts[0] == "steps" and len(parts) == 3 and parts[2] == "outcome":
            return self._outcomes.get(parts[1], "")
        simple = {
            "github.action_path": str(ROOT),
            "github.token": self.token,
            "github.workspace": str(self.workspace),
            "runner.temp": str(self.temp),
        }
        assert expr in simple, f"the test resolver does not know ${{{{ {expr} }}}}"
        return simple[expr]

    def resolve(self, text: object) -> str:
        """A YAML value as the runner passes it: booleans as ``true``/``false``, expressions filled in."""
        raw = str(text).lower() if isinstance(text, bool) else str(text)
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), raw)

    def condition(self, text: str, failed: bool) -> bool:
        """``if:`` with ``&&`` of ``always()``, ``success()``, ``failure()``, ``a == 'b'``, ``a != 'b'``."""
        inner = EXPRESSION.fullmatch(text.strip())
        expr = inner.group(1) if inner else text
        assert "||" not in expr and "(" not in expr.replace("()", ""), f"unsupported if: {expr}"
        terms = [t.strip() for t in expr.split("&&")]
        status = {"always()": True, "success()": not failed, "failure()": failed}
        if not any(t in status for t in terms):
            terms.append("success()")
        return all(self._term(t, status) for t in terms)

    def _term(self, term: str, status: Mapping[str, bool]) -> bool:
        if term in status:
            return status[term]
        match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", term)
        assert match is not None, f"unsupported condition {term!r}"
        left = self.value(match[1])
        return (left == match[3]) == (match[2] == "==")

    # steps -------------------------------------------------------------------------------------
    def base_env(self) -> dict[str, str]:
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "AIBOM_CACHE_DIR")}
        env.update(
            HOME=str(home),
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(self.workspace),
            GITHUB_EVENT_PATH=str(self.event_path),
            GITHUB_EVENT_NAME="pull_request" if self.event else "push",
            GITHUB_REPOSITORY=self.repository,
            GITHUB_API_URL=self.api_url,
            GITHUB_ACTION_PATH=str(ROOT),
            RUNNER_TEMP=str(self.temp),
            RUNNER_OS="Linux",
            HF_HUB_OFFLINE="1",
        )
        env.update(self.extra_env)
        return env

    def run(self) -> ActionRun:
        steps: list[StepRun] = []
        failed = False
        summary = ""
        for spec in self.action["runs"]["steps"]:
            step, text = self._step(spec, failed)
            steps.append(step)
            summary += text
            self._outcomes[step.id] = step.outcome
            failed = failed or step.outcome == "failure"
        outputs = {
            name: self.resolve(str(spec["value"])) for name, spec in self.action["outputs"].items()
        }
        return ActionRun(steps, outputs, summary, failed)

    def _step(self, spec: Mapping[str, Any], failed: bool) -> tuple[StepRun, str]:
        step_id = str(spec.get("id", f"step{uuid.uuid4().hex[:6]}"))
        name = str(spec.get("name", step_id))
        if not self.condition(str(spec.get("if", "success()")), failed):
            return StepRun(step_id, name, False, "skipped"), ""
        with_ = {k: self.resolve(v) for k, v in (spec.get("with") or {}).items()}
        if step_id in self.simulated:
            self._outputs[step_id] = dict(self.simulated[step_id])
            return StepRun(step_id, name, False, "success", with_=with_), ""
        if "uses" in spec:
            uses = str(spec["uses"])
            if uses.startswith("actions/setup-python@"):
                self._outputs[step_id] = {"python-path": self.python}
            return StepRun(step_id, name, True, "success", uses=uses, with_=with_), ""
        return self._run_script(spec, step_id, name)

    def _run_script(self, spec: Mapping[str, Any], step_id: str, name: str) -> tuple[StepRun, str]:
        assert spec.get("shell") == "bash", f"step {name!r}: only shell: bash is simulated"
        declared = {k: self.resolve(v) for k, v in (spec.get("env") or {}).items()}
        files = self.temp / "_runner_file_commands"
        files.mkdir(exist_ok=True)
        output = files / f"set_output_{uuid.uuid4().hex}"
        summary = files / f"step_summary_{uuid.uuid4().hex}"
        script = files / f"{uuid.uuid4().hex}.sh"
        script.write_text(str(spec["run"]), "utf-8")  # the script as written: no ${{ }} inside
        assert "${{" not in str(spec["run"]), f"step {name!r} interpolates an expression into shell"
        env = {**self.base_env(), **declared}
        env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.workspace,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        self._outputs[step_id] = parse_file_commands(output)
        text = summary.read_text("utf-8") if summary.exists() else ""
        outcome = "success" if done.returncode == 0 else "failure"
        return StepRun(step_id, name, True, outcome, log=done.stdout, env=declared), text
