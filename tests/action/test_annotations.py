"""Workflow-command escaping, read back the way the runner reads it (tests/action/runner.py follows
the runner's ActionCommand parsing: ``%0D``, ``%0A``, ``%25`` in the message; also ``%3A`` and
``%2C`` in property values).

Whatever the text, an annotation stays one command on one log line, its properties are exactly the
ones written, and what the runner shows is the text with control characters made visible
(``aibom.escape.visible``), never the raw bytes.
"""

from __future__ import annotations

import contextlib
import io

from hypothesis import given
from hypothesis import strategies as st

from aibom.cli import action
from aibom.escape import is_safe, visible
from tests.action.runner import workflow_commands

PIECES = [*"ab:,=%\r\n\x1b\x07\u202e\u2028 ", "%25", "%0A", "::", "::error::", "::add-mask::"]
HOSTILE = st.lists(st.sampled_from(PIECES)).map("".join) | st.text()


def annotated(message: str, file: str, title: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()) as buffer:
        action.annotate("error", message, file, title=title)
    out = buffer.getvalue()
    assert out.endswith("\n") and out.count("\n") == 1, "one line of the log"
    return out


@given(message=HOSTILE, file=HOSTILE, title=HOSTILE)
def test_one_command_with_exactly_its_properties(message: str, file: str, title: str) -> None:
    out = annotated(message, file, title)
    assert is_safe(out.removesuffix("\n"))
    (command,) = workflow_commands(out)
    assert command.name == "error"
    expected = {k: visible(v) for k, v in (("file", file), ("title", title)) if v}
    assert command.properties == expected
    assert command.message == visible(message, multiline=True)


def test_github_escapes_by_example() -> None:
    out = annotated("50% done\nnext::warning::x", "a:b,c=d%e", "t")
    assert out == "::error file=a%3Ab%2Cc=d%25e,title=t::50%25 done%0Anext::warning::x\n"
    assert action.escape_property("x\ny\x1b") == "x\\ny\\x1b"
    assert action.escape_data("cr\rlf\n") == "cr\\rlf%0A"
