"""Chat template injection: real templates stay clean; every published construct is caught without
rendering. References: CVE-2024-34359 (llama-cpp-python, GGUF chat templates rendered by an unsandboxed
jinja2.Environment), CVE-2026-5760 (SGLang), and the standard Jinja2 SSTI payload catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.artifacts import Format
from aibom.checks.unsafe_other import TEMPLATE_DYNAMIC, TEMPLATE_INJECTION, TEMPLATE_UNCHECKED
from aibom.findings import Finding, Severity
from aibom.formats import inspect_artifact
from aibom.formats.interface import InspectContext
from aibom.formats.templates import check_template
from aibom.formats.templates.textconfig import TextConfigInspector
from aibom.limits import Limits
from tests.unsafe.nonpickle_builders import artifact_for, ssti_template

LIMIT = Limits(max_template_bytes=1 << 20)

# ---------------------------------------------------------------- real templates, verbatim

LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"

CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"

MISTRAL = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"

GEMMA = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"

PHI3 = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}"

QWEN25 = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\\n<tool_response>\\n' }}
        {{- message.content }}
        {{- '\\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
"""

LLAMA31_TOOLS = """{{- bos_token }}
{%- if custom_tools is defined %}
    {%- set tools = custom_tools %}
{%- endif %}
{%- if not tools_in_user_message is defined %}
    {%- set tools_in_user_message = true %}
{%- endif %}
{%- if not date_string is defined %}
    {%- set date_string = "26 Jul 2024" %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}

{#- This block extracts the system message, so we can slot it into the right place. #}
{%- if messages[0]['role'] == 'system' %}
    {%- set system_message = messages[0]['content']|trim %}
    {%- set messages = messages[1:] %}
{%- else %}
    {%- set system_message = "" %}
{%- endif %}

{#- System message + builtin tools #}
{{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
{%- if builtin_tools is defined or tools is not none %}
    {{- "Environment: ipython\\n" }}
{%- endif %}
{%- if builtin_tools is defined %}
    {{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\\n\\n"}}
{%- endif %}
{{- "Cutting Knowledge Date: December 2023\\n" }}
{{- "Today Date: " + date_string + "\\n\\n" }}
{%- if tools is not none and not tools_in_user_message %}
    {{- "You have access to the following functions. To call a function, please respond with JSON for a function call." }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
{%- endif %}
{{- system_message }}
{{- "<|eot_id|>" }}

{#- Custom tools are passed in a user message with some extra guidance #}
{%- if tools_in_user_message and not tools is none %}
    {#- Extract the first user message so we can plug it in here #}
    {%- if messages | length != 0 %}
        {%- set first_user_message = messages[0]['content']|trim %}
        {%- set messages = messages[1:] %}
    {%- else %}
        {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
{%- endif %}
    {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}
    {{- "Given the following functions, please respond with a JSON for a function call " }}
    {{- "with its proper arguments that best answers the given prompt.\\n\\n" }}
    {{- 'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.' }}
    {{- "Do not use variables.\\n\\n" }}
    {%- for t in tools %}
        {{- t | tojson(indent=4) }}
        {{- "\\n\\n" }}
    {%- endfor %}
    {{- first_user_message + "<|eot_id|>"}}
{%- endif %}

{%- for message in messages %}
    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
    {%- elif 'tool_calls' in message %}
        {%- if not message.tool_calls|length == 1 %}
            {{- raise_exception("This model only supports single tool-calls at once!") }}
        {%- endif %}
        {%- set tool_call = message.tool_calls[0].function %}
        {%- if builtin_tools is defined and tool_call.name in builtin_tools %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
            {{- "<|python_tag|>" + tool_call.name + ".call(" }}
            {%- for arg_name, arg_val in tool_call.arguments | items %}
                {{- arg_name + '="' + arg_val + '"' }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- endif %}
                {%- endfor %}
            {{- ")" }}
        {%- else  %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
            {{- '{"name": "' + tool_call.name + '", ' }}
            {{- '"parameters": ' }}
            {{- tool_call.arguments | tojson }}
            {{- "}" }}
        {%- endif %}
        {%- if builtin_tools is defined %}
            {#- This means we're in ipython mode #}
            {{- "<|eom_id|>" }}
        {%- else %}
            {{- "<|eot_id|>" }}
        {%- endif %}
    {%- elif message.role == "tool" or message.role == "ipython" %}
        {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
        {%- if message.content is mapping or message.content is iterable %}
            {{- message.content | tojson }}
        {%- else %}
            {{- message.content }}
        {%- endif %}
        {{- "<|eot_id|>" }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
"""

# transformers' {% generation %} block and loop controls, as in assistant-mask training templates
GENERATION = "{% for message in messages %}{% if message['role'] == 'assistant' %}{% generation %}{{ message['content'] }}{% endgeneration %}{% else %}{{ message['content'] }}{% endif %}{% if loop.index > 100 %}{% break %}{% endif %}{% endfor %}"

# namespace(), macros and selectattr as in Hermes/Mistral tool-use templates
MACROS = "{%- set ns = namespace(found=false, last='') %}{%- macro render(m) %}{{ m['role'] }}: {{ m['content'] }}{% endmacro %}{%- for m in messages | selectattr('role', 'equalto', 'user') %}{%- set ns.found = true %}{%- set ns.last = m['content'] %}{{ render(m) }}{%- endfor %}{{ ns.last }}{{ messages | map(attribute='content') | join('\n') }}"

REAL = {
    "llama3": LLAMA3,
    "chatml": CHATML,
    "mistral": MISTRAL,
    "gemma": GEMMA,
    "phi3": PHI3,
    "qwen2.5": QWEN25,
    "llama3.1-tools": LLAMA31_TOOLS,
    "generation": GENERATION,
    "macros": MACROS,
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_templates_are_clean(name: str) -> None:
    assert check_template(REAL[name], LIMIT) == []


# ---------------------------------------------------------------- one test per technique


def _checks(source: str) -> set[str]:
    return {issue.check.id for issue in check_template(source, LIMIT)}


TECHNIQUES = {
    # CVE-2024-34359 (llama-cpp-python): the published GGUF payload
    "cve_2024_34359_cycler_globals": "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "joiner_globals": "{{ joiner.__init__.__globals__.os.system('id') }}",
    "lipsum_globals": "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "namespace_walk": "{{ namespace.__init__.__globals__.__builtins__.eval('1') }}",
    "range_self": "{{ range.__self__ }}",
    "mro_subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "base_subclasses": "{{ ().__class__.__base__.__subclasses__()[132].__init__.__globals__ }}",
    "self_template_reference": "{{ self._TemplateReference__context.cycler.__init__ }}",
    "request_application": "{{ request.application.__globals__.__builtins__.__import__('os') }}",
    "attr_filter_dunder": "{{ x|attr('__class__')|attr('__base__') }}",
    "attr_filter_computed": "{% for n in names %}{{ x|attr(n) }}{% endfor %}",
    "string_concat_dunder": "{{ x|attr('__cla' ~ 'ss__') }}",
    "concat_through_set": "{% set a = '__cla' %}{% set b = a ~ 'ss__' %}{{ x[b] }}",
    "repeat_underscores": "{% set u = '_' * 2 %}{{ x|attr(u ~ 'globals' ~ u) }}",
    "reverse_filter": "{{ x|attr('__ssalc__'|reverse) }}",
    "slice_reverse": "{{ x['__ssalc__'[::-1]] }}",
    "join_list": "{{ x|attr(['_', '_', 'class', '_', '_']|join) }}",
    "percent_c_format": "{{ x|attr('%c%cclass%c%c'|format(95, 95, 95, 95)) }}",
    "replace_filter": "{{ x|attr('XXclassXX'|replace('X', '_')) }}",
    "getitem_dunder": "{{ x['__class__']['__base__'] }}",
    "str_format_field": "{{ '{0.__class__.__init__.__globals__}'.format(x) }}",
    "dict_keyword_dunder": "{{ dict(__class__=1)|list|first }}",
    "map_attribute": "{{ xs|map(attribute='__class__')|list }}",
    "map_attr_filter": "{{ xs|map('attr', '__class__')|list }}",
    "selectattr_dotted": "{{ xs|selectattr('__class__.__name__')|list }}",
    "macro_argument": "{% macro k(a) %}{{ x[a] }}{% endmacro %}{{ k('__glob' ~ 'als__') }}",
    "set_block_capture": "{% set k %}__globals__{% endset %}{{ x[k] }}",
    "namespace_accumulate": "{% set ns = namespace(k='') %}{% for c in ['__cla', 'ss__'] %}{% set ns.k = ns.k ~ c %}{% endfor %}{{ x[ns.k] }}",
    "import_statement": "{% import 'os' as os %}{{ os }}",
    "from_import": "{% from 'macros.j2' import m %}",
    "include_file": "{% include '/etc/passwd' %}",
    "extends_file": "{% extends '/etc/passwd' %}",
    "os_name": "{{ os.popen('id') }}",
    "popen_attribute": "{{ config.popen('id') }}",
    "eval_name": "{{ eval('1+1') }}",
    "subprocess_name": "{{ subprocess.check_output(['id']) }}",
    "import_name": "{{ __import__('os').system('id') }}",
}


@pytest.mark.parametrize("name", sorted(TECHNIQUES))
def test_injection_technique_is_critical(name: str) -> None:
    assert TEMPLATE_INJECTION.id in _checks(TECHNIQUES[name]), name


def test_computed_subscript_key_is_reported_as_dynamic() -> None:
    # the name is built from a value the template does not know: cannot be folded, still flagged
    source = "{% macro k(a) %}{{ x[a] }}{% endmacro %}{{ k(prefix ~ 'ss__') }}"
    assert _checks(source) == {TEMPLATE_DYNAMIC.id}


def test_loop_subscript_with_data_key_is_dynamic() -> None:
    """Two-stage payload: the name comes from a user message at render time."""
    source = "{% for m in messages %}{{ loop[m.content] }}{% endfor %}"
    assert _checks(source) == {TEMPLATE_DYNAMIC.id}


def test_format_on_computed_string_is_dynamic() -> None:
    assert _checks("{{ (a ~ b).format(x) }}") == {TEMPLATE_DYNAMIC.id}


def test_unparseable_template_cannot_be_checked() -> None:
    issues = check_template("{% if %}{{ cycler.__init__ }}", LIMIT)
    assert [i.check for i in issues] == [TEMPLATE_UNCHECKED]
    assert "not valid Jinja2" in issues[0].message


def test_oversized_template_cannot_be_checked() -> None:
    issues = check_template("{{ x }}" * 200, Limits(max_template_bytes=100))
    assert [i.check for i in issues] == [TEMPLATE_UNCHECKED]
    assert "exceeds 100" in issues[0].message


def test_deeply_nested_template_is_a_finding_not_a_crash() -> None:
    deep = "{{ " + "(" * 20_000 + "1" + ")" * 20_000 + " }}"
    assert [i.check for i in check_template(deep, LIMIT)] == [TEMPLATE_UNCHECKED]
    long_chain = "{{ " + " + ".join(["'a'"] * 5000) + " }}"
    assert check_template(long_chain, LIMIT) == []


def test_non_text_template_cannot_be_checked() -> None:
    assert [i.check for i in check_template(["a"], LIMIT)] == [TEMPLATE_UNCHECKED]


def test_locally_defined_names_are_not_python_names() -> None:
    source = "{% set system = messages[0]['content'] %}{{ system }}{% set open = true %}{{ open }}"
    assert check_template(source, LIMIT) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}%#()[]'\"~|._ abcxyz0123=-+*/\n")), max_size=300))
def test_fuzzed_templates_never_raise(source: str) -> None:
    for issue in check_template(source, LIMIT):
        assert issue.check in (TEMPLATE_INJECTION, TEMPLATE_DYNAMIC, TEMPLATE_UNCHECKED)


# ---------------------------------------------------------------- template files


def _inspect(path: Path, fmt: Format, relpath: str | None = None) -> list[Finding]:
    inspection = inspect_artifact(artifact_for(path, fmt, relpath))
    assert inspection.skipped == []
    return inspection.findings


def test_tokenizer_config_string_template(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer_config.json"
    path.write_text(json.dumps({"chat_template": CHATML, "model_max_length": 32768}))
    assert _inspect(path, Format.JSON) == []
    path.write_text(json.dumps({"chat_template": ssti_template(tmp_path / "m")}))
    (finding,) = _inspect(path, Format.JSON)
    assert finding.check is TEMPLATE_INJECTION
    assert finding.effective_severity is Severity.CRITICAL
    assert finding.message.startswith("tokenizer_config.json chat_template: ")


def test_tokenizer_config_named_templates_each_checked(tmp_path: Path) -> None:
    """Hiding the payload in a named template (tool_use) evades checks of the default only."""
    path = tmp_path / "tokenizer_config.json"
    templates = [
        {"name": "default", "template": CHATML},
        {"name": "tool_use", "template": TECHNIQUES["lipsum_globals"]},
    ]
    path.write_text(json.dumps({"chat_template": templates}))
    (finding,) = _inspect(path, Format.JSON)
    assert finding.check is TEMPLATE_INJECTION and "chat_template[tool_use]" in finding.message


def test_chat_template_json_and_jinja_files(tmp_path: Path) -> None:
    (tmp_path / "chat_template.json").write_text(json.dumps({"chat_template": GEMMA}))
    assert _inspect(tmp_path / "chat_template.json", Format.JSON) == []
    jinja = tmp_path / "chat_template.jinja"
    jinja.write_text(TECHNIQUES["self_template_reference"])  # starts with "{": classified JSON
    assert [f.check for f in _inspect(jinja, Format.JSON)] == [TEMPLATE_INJECTION]
    extra = tmp_path / "tool_use.jinja"
    extra.write_text("Tools:\n" + TECHNIQUES["import_name"])  # starts with text: classified TEXT
    found = _inspect(extra, Format.TEXT, "additional_chat_templates/tool_use.jinja")
    assert [f.check for f in found] == [TEMPLATE_INJECTION]


def test_template_files_over_the_limit_are_not_clean(tmp_path: Path) -> None:
    """Padding a template past the scanner's limit must not make it pass as clean."""
    jinja = tmp_path / "chat_template.jinja"
    jinja.write_text("{{ x }}" * 100)
    art = artifact_for(jinja, Format.JSON)
    inspection = TextConfigInspector().inspect(
        art, InspectContext(art, Limits(max_template_bytes=64))
    )
    assert [f.check for f in inspection.findings] == [TEMPLATE_UNCHECKED]
    assert not inspection.complete
    config = tmp_path / "tokenizer_config.json"
    config.write_text(json.dumps({"chat_template": CHATML, "pad": "x" * 200}))
    art = artifact_for(config, Format.JSON)
    inspection = TextConfigInspector().inspect(art, InspectContext(art, Limits(max_text_file=100)))
    assert [f.check for f in inspection.findings] == [TEMPLATE_UNCHECKED]


def test_other_json_and_text_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "vocab.json").write_text(json.dumps({"__class__": 1}))
    (tmp_path / "notes.txt").write_text("{{ cycler.__init__.__globals__ }}")
    assert _inspect(tmp_path / "vocab.json", Format.JSON) == []
    assert _inspect(tmp_path / "notes.txt", Format.TEXT) == []


def test_upper_case_sentinels_are_not_special_names() -> None:
    """torch 2.13's own inductor template (triton_mm_grouped.py.jinja) sets a sentinel string; no
    Python special name is upper case, so it names nothing (found by bench/real_corpus)."""
    assert _checks('{%- set sentinel = "__NOT_A_NUMBER__" -%}{{ x if x != sentinel }}') == set()


@pytest.mark.parametrize(
    "source",
    [
        "{{ cycler|attr('__INIT__'|lower)|attr('__GLOBALS__'|lower) }}",
        "{% set n = '__CLASS__'|lower %}{{ x|attr(n) }}",
        "{{ x|attr('__class__') }}",
    ],
)
def test_special_names_made_lower_case_are_still_found(source: str) -> None:
    assert TEMPLATE_INJECTION.id in _checks(source)
