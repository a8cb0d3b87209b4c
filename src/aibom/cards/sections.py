r"""Markdown body of a card: ATX sections, canonical section keys, unfilled template placeholders.

Only ATX headings (``#`` .. ``######``) split sections; headings inside fenced code blocks and HTML
comments are ignored. Setext headings (text underlined with ``===``) are not recognised.

Card text is hostile and up to ``Limits.max_text_file`` (16 MiB) long, so every pass here is linear
in it. Python's ``re`` backtracks, and the shapes that made it quadratic (a heading's lazy title
before trailing blanks, closing ``#`` after a long run of blanks, ``[`` or ``](`` never closed) are
hand-written scanners (``atx_heading``, ``strip_links``, ``_drop_link_syntax``). The regexes left
backtrack at most a constant per character: single character classes and repeats of one character
(which also keep no backtracking state per character, where a repeated group keeps one), bounded
repeats (``[^:]{1,100}``), at most one unbounded ``.*`` per anchored match, and the one repeated
group (``\d+(?:\.\d+)*``) only on headings cut to ``Limits.max_card_heading_chars``. A body is read
up to ``Limits.max_card_lines`` lines. RE2 is not used here: its Python binding encodes the whole
text per call (slower than these scans on many short lines) and refuses lone surrogates, which BOM
strings given to ``classify_body`` by the rules may hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aibom.limits import DEFAULT_LIMITS, Limits

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINK_SYNTAX = re.compile(r"[*_`\[\]]")

# Section headings of the Hugging Face model and dataset card templates and common variants,
# normalised by ``normalise_heading``. A heading may feed several keys.
_EXACT: dict[str, tuple[str, ...]] = {
    "model description": ("model_description",),
    "model details": ("model_description",),
    "model summary": ("model_description",),
    "model overview": ("model_description",),
    "description": ("model_description",),
    "overview": ("model_description",),
    "uses": ("intended_uses",),
    "direct use": ("intended_uses",),
    "intended uses": ("intended_uses",),
    "intended use": ("intended_uses",),
    "intended uses & limitations": ("intended_uses",),
    "intended uses and limitations": ("intended_uses",),
    "downstream use": ("downstream_use",),
    "out of scope use": ("out_of_scope_use",),
    "out-of-scope use": ("out_of_scope_use",),
    "limitations": ("limitations",),
    "bias risks and limitations": ("limitations", "bias_risks"),
    "limitations and bias": ("limitations", "bias_risks"),
    "bias": ("bias_risks",),
    "risks": ("bias_risks",),
    "bias and risks": ("bias_risks",),
    "ethical considerations": ("bias_risks",),
    "ethical considerations and limitations": ("bias_risks", "limitations"),
    "recommendations": ("recommendations",),
    "training data": ("training_data",),
    "training procedure": ("training_procedure",),
    "training hyperparameters": ("training_procedure",),
    "training details": ("training_procedure",),
    "training results": ("training_procedure",),
    "evaluation": ("evaluation",),
    "evaluation results": ("evaluation",),
    "results": ("evaluation",),
    "environmental impact": ("environmental_impact",),
    "citation": ("citation",),
    "bibtex": ("citation",),
    "license": ("license",),
    "licence": ("license",),
    "how to get started with the model": ("how_to_use",),
    "usage": ("how_to_use",),
    "how to use": ("how_to_use",),
    "quick start": ("how_to_use",),
    "quickstart": ("how_to_use",),
    "dataset summary": ("dataset_summary",),
    "dataset description": ("dataset_summary",),
    "dataset details": ("dataset_summary",),
    "personal and sensitive information": ("personal_information",),
}

# Fallbacks for headings not in the table: (phrase, keys); the first phrase found wins.
_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("out of scope", ("out_of_scope_use",)),
    ("out-of-scope", ("out_of_scope_use",)),
    ("downstream use", ("downstream_use",)),
    ("intended use", ("intended_uses",)),
    ("bias", ("bias_risks",)),
    ("ethical", ("bias_risks",)),
    ("limitation", ("limitations",)),
    ("recommendation", ("recommendations",)),
    ("training data", ("training_data",)),
    ("training procedure", ("training_procedure",)),
    ("hyperparameter", ("training_procedure",)),
    ("evaluation", ("evaluation",)),
    ("environmental impact", ("environmental_impact",)),
    ("carbon", ("environmental_impact",)),
    ("citation", ("citation",)),
    ("how to use", ("how_to_use",)),
    ("get started", ("how_to_use",)),
)

_PLACEHOLDER_TOKENS = frozenset(
    {
        "[more information needed]",
        "more information needed",
        "[optional]",
        "todo",
        "tbd",
        "n/a",
        "[todo]",
        "[tbd]",
    }
)
_TEMPLATE_LEFTOVER = re.compile(r"^(?:\{\{.*\}\}|\{%.*%\})$")
# On stripped text ``(?:>\s*)*`` is ``[>\s]*`` (what follows can be neither): a single-character
# repeat keeps no backtracking state per character, where a repeated group keeps one (1 GB for a
# 16 MiB line of "> > > ...").
_BULLET = re.compile(r"^[>\s]*(?:[-*+]|\d{1,3}[.)])\s+")
_LABELLED = re.compile(r"^([^:]{1,100}):\s*(.*)$")
# Default sentences of the Hugging Face card templates, compared after ``_plain``.
_BOILERPLATE = frozenset(
    {
        "use the code below to get started with the model",
        (
            "users (both direct and downstream) should be made aware of the risks, biases and "
            "limitations of the model. more information needed for further recommendations"
        ),
        (
            "users should be made aware of the risks, biases and limitations of the dataset. "
            "more information needed for further recommendations"
        ),
        (
            "carbon emissions can be estimated using the machine learning impact calculator "
            "presented in lacoste et al. (2019)"
        ),
    }
)


@dataclass
class Section:
    level: int
    heading: str
    body: str
    """The section's own text (up to the next heading of any level), HTML comments removed."""
    keys: tuple[str, ...] = ()
    text: str = ""
    """``body`` without placeholder lines; empty when the section has no content."""
    placeholder: bool = False
    has_content: bool = False
    """True when the body holds something other than whitespace and placeholders."""


@dataclass
class Body:
    sections: list[Section] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """Canonical key -> text of the sections that carry content, in order of appearance."""
    placeholders: list[str] = field(default_factory=list)


def strip_html_comments(text: str) -> str:
    """Remove closed ``<!-- ... -->`` comments in linear time (an unclosed one is kept)."""
    parts: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            break
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[pos:start])
        pos = end + 3
    parts.append(text[pos:])
    return "".join(parts)


def atx_heading(line: str) -> tuple[int, str] | None:
    """(level, title) when ``line`` is an ATX heading (CommonMark: up to three spaces, one to six
    ``#``, then a blank or the end; the closing ``#`` run and surrounding blanks are not title)."""
    rest = line.lstrip(" ")
    if len(line) - len(rest) > 3 or not rest.startswith("#"):
        return None
    after = rest.lstrip("#")
    level = len(rest) - len(after)
    if level > 6 or (after and after[0] not in " \t"):
        return None
    title = after.strip(" \t")
    unclosed = title.rstrip("#")
    if not unclosed:  # only hashes: a closing sequence, or the title "#" run after the opener
        return level, ""
    if unclosed != title and unclosed[-1] in " \t":
        title = unclosed.rstrip(" \t")
    return level, title.strip()


def strip_links(text: str) -> str:
    r"""``[label](target)`` -> ``label``, as ``re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)``
    does, in one pass: every ``[`` before a ``]`` meets that same ``]``, so a failed attempt skips
    past it, and when no ``)`` follows a ``](`` none can follow a later one."""
    parts: list[str] = []
    pos = search = 0
    while (start := text.find("[", search)) >= 0:
        close = text.find("]", start + 1)
        if close < 0:
            break
        if not text.startswith("(", close + 1):
            search = close + 1
            continue
        end = text.find(")", close + 2)
        if end < 0:
            break
        parts += (text[pos:start], text[start + 1 : close])
        pos = search = end + 1
    parts.append(text[pos:])
    return "".join(parts)


def _drop_link_syntax(text: str) -> str:
    r"""Remove ``*``, ``_``, backticks, ``[``, ``]`` and ``](target)``, as
    ``re.sub(r"[*_`]|\[|\]\([^)]*\)|\]", "", text)`` does, in linear time."""
    parts: list[str] = []
    pos = 0
    has_paren = True
    for match in _LINK_SYNTAX.finditer(text):
        index = match.start()
        if index < pos:
            continue
        parts.append(text[pos:index])
        pos = index + 1
        if text[index] == "]" and has_paren and text.startswith("(", index + 1):
            end = text.find(")", index + 2)
            has_paren = end >= 0
            if has_paren:
                pos = end + 1
    parts.append(text[pos:])
    return "".join(parts)


def normalise_heading(heading: str) -> str:
    text = heading.lower().replace("[optional]", " ")
    text = _drop_link_syntax(text)
    text = re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+", "", text)
    text = re.sub(r"[^\w&\- ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def section_keys(heading: str) -> tuple[str, ...]:
    norm = normalise_heading(heading)
    if norm in _EXACT:
        return _EXACT[norm]
    for phrase, keys in _PHRASES:
        if phrase in norm:
            return keys
    return ()


def _plain(line: str) -> str:
    """A line without bullets, emphasis and link targets, lower-cased, for template comparisons."""
    text = _BULLET.sub("", line.strip())
    text = strip_links(text)
    return text.replace("*", "").replace("_", "").strip().lower()


def line_kind(line: str) -> str:
    """Line kind: blank, placeholder (template leftover), label (a bare `Label:`) or content."""
    text = _plain(line)
    if not text:
        return "blank"
    if text.rstrip(".").strip() in _BOILERPLATE:
        return "placeholder"
    candidates = [text]
    labelled = _LABELLED.match(text)
    if labelled:
        if not labelled.group(2).strip():
            return "label"
        candidates.append(labelled.group(2))
    for candidate in candidates:
        token = candidate.strip().rstrip(".:").strip()
        if token in _PLACEHOLDER_TOKENS or _TEMPLATE_LEFTOVER.match(token):
            return "placeholder"
    return "content"


def classify_body(body: str) -> tuple[bool, str]:
    """(has_content, text without placeholder lines) for a section's own text."""
    kept: list[str] = []
    content = False
    for line in body.splitlines():
        kind = line_kind(line)
        if kind == "placeholder":
            continue
        content = content or kind == "content"
        kept.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return content, text if content else ""


def _closes(line: re.Match[str], fence: str) -> bool:
    marker = line.group(1)
    return marker[0] == fence[0] and len(marker) >= len(fence) and not line.group(2).strip()


def _split(markdown: str, max_heading: int) -> list[Section]:
    sections: list[Section] = []
    current: list[str] = []
    fence: str | None = None
    heading: tuple[int, str] | None = None

    def flush() -> None:
        if heading is not None:
            sections.append(Section(heading[0], heading[1], "\n".join(current).strip()))

    for line in _LINE_BREAK.split(strip_html_comments(markdown)):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener is not None and _closes(opener, fence):
                fence = None
            current.append(line)
            continue
        if opener is not None and not (opener.group(1)[0] == "`" and "`" in opener.group(2)):
            fence = opener.group(1)
            current.append(line)
            continue
        atx = atx_heading(line)
        if atx is None:
            current.append(line)
            continue
        flush()
        level, title = atx
        heading = (level, title if len(title) <= max_heading else title[: max_heading - 1] + "…")
        current = []
    flush()
    return sections


def parse_body(markdown: str, limits: Limits = DEFAULT_LIMITS) -> Body:
    """Split a card's Markdown body into sections; collect texts by key and placeholder headings.

    A section is a placeholder when its own text holds nothing but blanks, ``Label:`` lines and
    template leftovers, unless it is empty and a subsection below it has content. Headings are kept
    (and matched to keys) up to ``limits.max_card_heading_chars`` characters.
    """
    body = Body(sections=_split(markdown, limits.max_card_heading_chars))
    for section in body.sections:
        section.keys = section_keys(section.heading)
        section.has_content, section.text = classify_body(section.body)
    texts: dict[str, list[str]] = {}
    for index, section in enumerate(body.sections):
        if section.has_content:
            for key in section.keys:
                texts.setdefault(key, []).append(section.text)
        elif section.body or not _descendants_have_content(body.sections, index):
            section.placeholder = True
            body.placeholders.append(section.heading or "#" * section.level)
    body.texts = {key: "\n\n".join(parts) for key, parts in texts.items()}
    return body


def _descendants_have_content(sections: list[Section], index: int) -> bool:
    """Looks at the subsections only (at most five levels below), so each section is looked at by
    at most five ancestors: linear in the number of sections."""
    level = sections[index].level
    for child in range(index + 1, len(sections)):
        if sections[child].level <= level:
            return False
        if sections[child].has_content:
            return True
    return False


def first_lines(text: str, most: int) -> tuple[str, bool]:
    """``text`` up to (not including) its ``most``-th line break, and whether anything was cut."""
    for count, match in enumerate(_LINE_BREAK.finditer(text), start=1):
        if count >= most:
            return text[: match.start()], True
    return text, False
