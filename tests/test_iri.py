from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rfc3987_syntax import is_valid_syntax

from aibom.iri import hub_url, is_iri_reference, safe_url

URL_CHARS = st.text(
    alphabet=st.sampled_from(list("abcAZ09-._~!$&'()*+,;=:/?#[]@% <>\"\\{}|^`\x01é\ue000")),
    max_size=40,
)


@settings(max_examples=int(os.environ.get("AIBOM_FUZZ_EXAMPLES", "2000")), deadline=None)
@given(text=st.one_of(URL_CHARS, URL_CHARS.map(lambda t: "https://" + t)))
def test_never_accepts_what_rfc3987_syntax_rejects(text: str) -> None:
    """Anything aibom writes as a URL must also pass the validator jsonschema uses by default."""
    if is_iri_reference(text):
        assert is_valid_syntax("iri_reference", text), text


@pytest.mark.parametrize(
    "text",
    [
        "https://huggingface.co/org/name",
        "git+https://github.com/x/y@v1#egg=z",
        "urn:uuid:1",
        "../a",
        "http://x/é",
    ],
)
def test_accepts_ordinary_urls(text: str) -> None:
    assert is_iri_reference(text)
    assert is_valid_syntax("iri_reference", text)


@pytest.mark.parametrize(
    "text", ["https://x/a b", "http://x/%zz", "http://x/<s>", "a#b#c", "http://x/\x01"]
)
def test_rejects_invalid(text: str) -> None:
    assert not is_iri_reference(text)


def test_safe_url_and_hub_url() -> None:
    assert safe_url(" https://example.com/l ") == "https://example.com/l"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x/a b") is None
    assert hub_url("datasets", "o r g", "n/x") == "https://huggingface.co/datasets/o%20r%20g/n%2Fx"
