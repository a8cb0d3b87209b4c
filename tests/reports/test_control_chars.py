"""Control characters in untrusted text never reach an output raw (issue 13 item 7).

File names, zip member names and model-card text carry ESC, CR, LF, BEL, C1 and bidi overrides; every
output (scan's stderr, the HTML, Markdown, SARIF and JSON reports) shows them as visible escapes
(``\\x1b``, ``\\u202e``) or, in JSON, as JSON escapes that decode to the very same value.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aibom.escape import is_safe, json_text, visible
from aibom.render import FORMATS, render
from aibom.render.markdown import code, esc
from tests.reports.builders import PICKLE_CALLING_OS_SYSTEM, hostile_document

AIBOM = str(Path(sys.executable).with_name("aibom"))

CONTROLS = (
    "\x1b[2J\x1b[H"  # clear the screen
    "\x1b]0;owned\x07"  # set the terminal title, ring the bell
    "\r\nCRITICAL AIBOM-FAKE-001 all clear"  # a line that looks like ours
    " \u202egnp.exe\u2066x\u2069"  # bidi override and isolate
    " \x9b31m \x00 \x7f \u200b \U000e0041"  # C1 CSI, NUL, DEL, zero-width space, tag
)
"""Every kind of character the outputs must not pass through raw."""

RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ud800-\udfff\U000e0000-\U000e007f]"
)
"""What may never appear raw in an output (LF may: it is how the outputs themselves are laid out)."""

FAKE_LINE = re.compile(r"^\W*CRITICAL AIBOM-FAKE-001", re.MULTILINE)
"""A line the hostile LF would start if it got through."""


CODE_SPAN = re.compile(r"`[^`\n]*`")


def assert_clean(text: str, where: str) -> None:
    """No raw control character; and, except in HTML (where a line break in the source is a space,
    and prose keeps its own line breaks), no line started by a hostile LF."""
    found = [(m.start(), repr(m.group())) for m in RAW.finditer(text)]
    assert not found, f"{where}: raw control characters at {found[:5]}"
    if where != "html":
        assert not FAKE_LINE.search(text), f"{where}: a hostile newline started a line"


def assert_no_markup(text: str, where: str) -> None:
    """No live ``<script>``: HTML-escaped, or inside a Markdown code span (shown literally)."""
    outside = CODE_SPAN.sub("", text) if where in ("markdown", "md") else text
    assert "<script>" not in outside, where


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, é, 日本, emoji 🔴", "plain text, é, 日本, emoji 🔴"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("bell\x07", "bell\\x07"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("csi\x9b", "csi\\x9b"),
        ("name\udc9b", "name\\udc9b"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("zwj \u200d kept, zwsp \u200b not", "zwj \u200d kept, zwsp \\u200b not"),
    ],
)
def test_visible_escapes_what_acts_on_a_screen(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert is_safe(visible(raw))


def test_visible_multiline_keeps_line_feeds_only() -> None:
    assert visible("one\r\ntwo\rthree\n\x1b", multiline=True) == "one\ntwo\\rthree\n\\x1b"
    assert is_safe("a\nb", multiline=True) and not is_safe("a\nb")


def test_json_text_is_the_same_document_without_raw_characters() -> None:
    value = {"k": CONTROLS + "\udc9b", CONTROLS: [CONTROLS]}
    dumped = json.dumps(value, ensure_ascii=False, indent=2)
    safe = json_text(dumped)
    assert json.loads(safe) == value
    assert_clean(safe, "json_text")
    safe.encode("utf-8")  # a lone surrogate would have made the text unwritable


def test_markdown_cells_neutralise_markup_links_and_code_span_breakouts() -> None:
    assert "\\x1b" in esc(CONTROLS) and is_safe(esc(CONTROLS))
    assert esc("see https://evil.example and www.evil.example") == (
        "see https:\\//evil.example and www\\.evil.example"
    )
    # a backslash before the pipe would end the cell and let the rest render as Markdown
    assert code("a\\|<img src=x>") == "<code>a\\\\\\|&lt;img src=x&gt;</code>"
    assert code("x\ny") == "`x\\ny`"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_format_escapes_a_hostile_document(fmt: str) -> None:
    doc = hostile_document(CONTROLS + " \udc9b <script>alert(1)</script>")
    out = render(fmt, doc)
    out.encode("utf-8")
    assert_clean(out, fmt)
    if fmt in ("json", "sarif"):
        json.loads(out)  # JSON holds "<script>" as data, which is not markup there
    else:
        assert_no_markup(out, fmt)
        assert "\\x1b" in out  # shown, not dropped


def test_json_report_keeps_the_original_values() -> None:
    doc = hostile_document(CONTROLS)
    data = json.loads(render("json", doc))
    assert CONTROLS in data["bom"]["subject"]
    assert any(CONTROLS in f["path"] for f in data["findings"])


def _hostile_model(root: Path) -> Path:
    """A model folder whose file name, zip member name and card carry the control characters."""
    folder = root / "model"
    folder.mkdir()
    name = os.fsencode(folder) + b"/evil" + CONTROLS[:60].encode() + b"\x9b.pkl"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, PICKLE_CALLING_OS_SYSTEM)
    os.close(fd)
    with zipfile.ZipFile(folder / "weights.zip", "w") as archive:
        archive.writestr("data" + CONTROLS.replace("\x00", "") + ".pkl", PICKLE_CALLING_OS_SYSTEM)
    card = (
        "---\nlicense: mit\n---\n"
        f"# Model {CONTROLS} <script>alert(1)</script>\n\n"
        f"## Uses {CONTROLS.replace(chr(10), ' ').replace(chr(13), ' ')}\n\n"
        "[More Information Needed]\n\n"
        f"## Limitations\n\nText {CONTROLS}\n"
    )
    (folder / "README.md").write_text(card, encoding="utf-8", newline="")
    (folder / "config.json").write_text('{"model_type": "bert\\u001b[2J\\u202e"}')
    return folder


def test_scan_and_report_outputs_show_no_raw_control_character(tmp_path: Path) -> None:
    folder = _hostile_model(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    files = {ext: out / f"report.{ext}" for ext in ("html", "md", "sarif")}
    argv = [AIBOM, "scan", str(folder), "-v", "--no-cache", "--score", "-o", str(out / "bom.json")]
    argv += ["--html", str(files["html"]), "--markdown", str(files["md"])]
    argv += ["--sarif", str(files["sarif"])]
    scan = subprocess.run(
        argv,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert scan.returncode == 1, scan.stderr  # the pickles fail the default --fail-on high
    stderr = scan.stderr.decode("utf-8")
    assert_clean(stderr, "scan stderr")
    assert "\\x1b[2J" in stderr and "\\u202e" in stderr  # the names are shown, escaped
    assert stderr.count("AIBOM-PKL-001") >= 2  # the file and the zip member
    report = subprocess.run(
        [AIBOM, "report", str(out / "bom.json"), "--format", "json"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    outputs: dict[str, str] = {k: p.read_text("utf-8") for k, p in files.items()}
    outputs["json"] = report.stdout.decode("utf-8")
    for kind, text in outputs.items():
        assert_clean(text, kind)
    for kind in ("html", "md"):
        assert_no_markup(outputs[kind], kind)
        assert "\\x1b" in outputs[kind], kind
    sarif: dict[str, Any] = json.loads(outputs["sarif"])
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert all(is_safe(m, multiline=True) for m in messages)
    assert any("\\x1b" in m for m in messages)
    summary: dict[str, Any] = json.loads(outputs["json"])
    members = [f.get("member") or "" for f in summary["findings"]]
    assert any("\x1b[2J" in m for m in members)  # the JSON report keeps the value itself
