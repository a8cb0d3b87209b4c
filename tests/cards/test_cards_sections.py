"""Card bodies: section splitting, canonical keys, code fences, placeholders and their finding."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from huggingface_hub import DatasetCard, DatasetCardData, ModelCard, ModelCardData

from aibom import checks
from aibom.cards import parse_card
from aibom.cards.sections import line_kind, normalise_heading, parse_body, section_keys

WriteFile = Callable[[str | bytes, str], Path]


@pytest.mark.parametrize(
    ("heading", "keys"),
    [
        ("Model Description", ("model_description",)),
        ("Model details", ("model_description",)),
        ("**Model Summary**", ("model_description",)),
        ("Uses", ("intended_uses",)),
        ("Direct Use", ("intended_uses",)),
        ("Intended uses & limitations", ("intended_uses",)),
        ("Intended Use", ("intended_uses",)),
        ("Downstream Use [optional]", ("downstream_use",)),
        ("Out-of-Scope Use", ("out_of_scope_use",)),
        ("Limitations", ("limitations",)),
        ("Bias, Risks, and Limitations", ("limitations", "bias_risks")),
        ("Ethical Considerations", ("bias_risks",)),
        ("Risks", ("bias_risks",)),
        ("Recommendations", ("recommendations",)),
        ("Training Data", ("training_data",)),
        ("Training hyperparameters", ("training_procedure",)),
        ("Training Procedure", ("training_procedure",)),
        ("Evaluation results", ("evaluation",)),
        ("Results", ("evaluation",)),
        ("Environmental Impact", ("environmental_impact",)),
        ("Citation [optional]", ("citation",)),
        ("License", ("license",)),
        ("How to Get Started with the Model", ("how_to_use",)),
        ("Usage", ("how_to_use",)),
        ("2. How to use 🤗", ("how_to_use",)),
        ("Known limitations of v2", ("limitations",)),
        ("Acknowledgements", ()),
    ],
)
def test_heading_table(heading: str, keys: tuple[str, ...]) -> None:
    assert section_keys(heading) == keys


def test_normalise_heading() -> None:
    assert normalise_heading("  1.2 **Bias**, _Risks_ [optional] ") == "bias risks"
    assert normalise_heading("[Usage](#usage)") == "usage"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("", "blank"),
        ("[More Information Needed]", "placeholder"),
        ("More information needed", "placeholder"),
        ("- **Developed by:** [More Information Needed]", "placeholder"),
        ("* _TODO_", "placeholder"),
        ("TBD.", "placeholder"),
        ("N/A", "placeholder"),
        ("{{ model_description | default('', true) }}", "placeholder"),
        ("[optional]", "placeholder"),
        ("**BibTeX:**", "label"),
        ("- **Developed by:** ACME", "content"),
        ("TODO list app fine-tuned on tasks", "content"),
    ],
)
def test_line_kinds(line: str, kind: str) -> None:
    assert line_kind(line) == kind


def test_headings_in_fences_and_comments_are_ignored() -> None:
    text = """\
## Usage

```python
# not a heading
## also not a heading
```

~~~~
# tilde fence
~~~
## still inside: a shorter closing fence does not close
~~~~

<!--
## commented-out heading
-->

## Limitations

Real limits.
"""
    body = parse_body(text)
    assert [s.heading for s in body.sections] == ["Usage", "Limitations"]
    assert "## also not a heading" in body.texts["how_to_use"]
    assert "## still inside" in body.texts["how_to_use"]
    assert "commented-out" not in body.texts["how_to_use"]
    assert body.texts["limitations"] == "Real limits."


def test_unclosed_fence_swallows_rest() -> None:
    body = parse_body("## Usage\n```\n## Limitations\ntext\n")
    assert [s.heading for s in body.sections] == ["Usage"]


def test_atx_details() -> None:
    body = parse_body(
        "#hashtag\n# Title #\n    # indented code\n###### Six ###\nx\n####### seven\n"
    )
    assert [(s.level, s.heading) for s in body.sections] == [(1, "Title"), (6, "Six")]
    assert "####### seven" in body.sections[1].body


def test_parent_rule() -> None:
    text = """\
## Training Details

### Training Data

Wikipedia dump of 2024-01.

## Evaluation

### Testing Data

[More Information Needed]

### Results

More information needed
"""
    body = parse_body(text)
    assert body.placeholders == ["Evaluation", "Testing Data", "Results"]
    assert body.texts == {"training_data": "Wikipedia dump of 2024-01."}


def test_placeholder_sections_in_card(write_file: WriteFile) -> None:
    text = """\
---
license: mit
---
# Model card

A tiny classifier.

## Intended uses & limitations

More information needed

## Training and evaluation data

[More Information Needed]

## Training procedure

### Training hyperparameters

- learning_rate: 2e-05
- train_batch_size: 16

## Citation

- **BibTeX:** [More Information Needed]
- **APA:** TBD

## Contact
"""
    facts, findings = parse_card(write_file(text, "README.md"), "m/README.md", "model")
    assert facts.placeholders == [
        "Intended uses & limitations",
        "Training and evaluation data",
        "Citation",
        "Contact",
    ]
    assert "intended_uses" not in facts.sections
    assert "citation" not in facts.sections
    assert facts.sections["training_procedure"].startswith("- learning_rate: 2e-05")
    placeholder_findings = [f for f in findings if f.check is checks.CARD_PLACEHOLDER]
    assert len(placeholder_findings) == 1
    finding = placeholder_findings[0]
    assert finding.path == "m/README.md"
    assert finding.message.startswith("4 card section(s) hold only template placeholders:")
    assert finding.evidence == (
        "Intended uses & limitations; Training and evaluation data; Citation; Contact"
    )


def test_rendered_hf_model_template_is_all_placeholders(
    write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    """The real huggingface_hub template, rendered with defaults, as left by `push_to_hub`."""
    with caplog.at_level(logging.CRITICAL):
        text = str(ModelCard.from_template(ModelCardData(license="mit", language="en")))
    facts, findings = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.license == "MIT"
    for heading in ("Direct Use", "Out-of-Scope Use", "Bias, Risks, and Limitations",
                    "Recommendations", "Training Data", "Results", "Environmental Impact",
                    "How to Get Started with the Model", "Model Card Contact"):  # fmt: skip
        assert heading in facts.placeholders
    assert "Model Details" not in facts.placeholders  # its child holds the filled-in licence
    # only the lines the template filled from metadata survive
    assert facts.sections == {
        "model_description": "- **Language(s) (NLP):** en\n- **License:** mit"
    }
    assert [f.check for f in findings] == [checks.CARD_PLACEHOLDER]
    assert len(facts.placeholders) > 25
    assert f"and {len(facts.placeholders) - 8} more" in findings[0].message


def test_rendered_hf_dataset_template(
    write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.CRITICAL):
        card = DatasetCard.from_template(DatasetCardData(license="cc-by-4.0", pretty_name="X"))
    facts, _ = parse_card(write_file(str(card), "README.md"), "README.md", "dataset")
    assert facts.pretty_name == "X"
    assert "Personal and Sensitive Information" in facts.placeholders
    assert "personal_information" not in facts.sections
    assert "recommendations" not in facts.sections


def test_crlf_and_cr_line_endings(write_file: WriteFile) -> None:
    text = "---\r\nlicense: mit\r\n---\r\n## Usage\r\n\r\nCall it.\r\n## Limitations\rNone known.\r"
    facts, _ = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.license == "MIT"
    assert facts.sections == {"how_to_use": "Call it.", "limitations": "None known."}
