"""parse_card: front matter placement, fields, licences, eval results, CO2 and problems."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from huggingface_hub import ModelCard
from huggingface_hub.repocard import REGEX_YAML_BLOCK

from aibom import checks
from aibom.cards import CardFacts, EvalResult, parse_card
from aibom.findings import Finding

WriteFile = Callable[[str | bytes, str], Path]

FULL_CARD = """\
---
language:
- en
- fr
license: apache-2.0
library_name: transformers
pipeline_tag: text-generation
base_model: meta-llama/Llama-3.2-1B
base_model_relation: finetune
datasets:
- HuggingFaceH4/ultrachat_200k
- openai/gsm8k
tags:
- llama
- chat
- llama
co2_eq_emissions:
  emissions: 149.2
  source: CodeCarbon
  training_type: fine-tuning
  geographical_location: Paris, France
  hardware_used: 8 x A100 80GB
model-index:
- name: acme-chat-1b
  results:
  - task:
      type: text-generation
      name: Text Generation
    dataset:
      name: GSM8K
      type: openai/gsm8k
      split: test
    metrics:
    - type: accuracy
      value: 0.512
      name: Accuracy
      verified: false
    - type: exact_match
      value: 47.3
---

# Model Card for acme-chat-1b

<!-- Provide a quick summary of what the model is/does. -->

A 1B chat model fine-tuned from Llama 3.2.

## Model Details

### Model Description

acme-chat-1b answers questions about ACME products in English and French.

- **Developed by:** ACME Research
- **Model type:** decoder-only transformer
- **Finetuned from model [optional]:** [More Information Needed]

## Uses

### Direct Use

Customer-support chat about ACME products.

### Downstream Use [optional]

Fine-tuning for other support domains.

### Out-of-Scope Use

Medical, legal or financial advice.

## Bias, Risks, and Limitations

The model hallucinates product names and was trained mostly on English text.

### Recommendations

Keep a human in the loop for refunds.

## How to Get Started with the Model

Use the code below to get started with the model.

```python
from transformers import pipeline
pipe = pipeline("text-generation", model="acme/acme-chat-1b")
```

## Training Details

### Training Data

UltraChat 200k and GSM8K train split.

### Training Procedure

#### Training Hyperparameters

- **Training regime:** bf16 mixed precision

## Evaluation

### Results

51.2% accuracy on GSM8K test.

## Environmental Impact

- **Hardware Type:** A100
- **Carbon Emitted:** 149.2 g

## Citation [optional]

**BibTeX:**

```bibtex
@misc{acme2026, title={ACME chat}}
```
"""


def _messages(findings: list[Finding], check_id: str) -> list[str]:
    return [f.message for f in findings if f.check.id == check_id]


def test_full_template_card(write_file: WriteFile) -> None:
    facts, findings = parse_card(write_file(FULL_CARD, "README.md"), "acme/README.md", "model")
    assert facts.has_front_matter
    assert facts.problems == []
    assert findings == []
    assert facts.license == "Apache-2.0"
    assert facts.license_name is None
    assert facts.languages == ["en", "fr"]
    assert facts.library_name == "transformers"
    assert facts.pipeline_tag == "text-generation"
    assert facts.base_models == ["meta-llama/Llama-3.2-1B"]
    assert facts.base_model_relation == "finetune"
    assert facts.datasets == ["HuggingFaceH4/ultrachat_200k", "openai/gsm8k"]
    assert facts.tags == ["llama", "chat"]
    assert facts.model_name == "acme-chat-1b"
    assert facts.co2 == {
        "emissions": "149.2",
        "source": "CodeCarbon",
        "training_type": "fine-tuning",
        "geographical_location": "Paris, France",
        "hardware_used": "8 x A100 80GB",
    }
    assert facts.eval_results == [
        EvalResult(
            task_type="text-generation",
            task_name="Text Generation",
            dataset_type="openai/gsm8k",
            dataset_name="GSM8K",
            dataset_split="test",
            metric_type="accuracy",
            metric_name="Accuracy",
            metric_value="0.512",
            verified=False,
        ),
        EvalResult(
            task_type="text-generation",
            task_name="Text Generation",
            dataset_type="openai/gsm8k",
            dataset_name="GSM8K",
            dataset_split="test",
            metric_type="exact_match",
            metric_name=None,
            metric_value="47.3",
            verified=None,
        ),
    ]
    assert facts.metadata["license"] == "apache-2.0"
    assert isinstance(facts.metadata["model-index"], list)


def test_full_card_sections(write_file: WriteFile) -> None:
    facts, _ = parse_card(write_file(FULL_CARD, "README.md"), "README.md", "model")
    s = facts.sections
    assert s["model_description"].startswith("acme-chat-1b answers questions")
    assert "[More Information Needed]" not in s["model_description"]
    assert s["intended_uses"] == "Customer-support chat about ACME products."
    assert s["downstream_use"] == "Fine-tuning for other support domains."
    assert s["out_of_scope_use"] == "Medical, legal or financial advice."
    assert s["limitations"] == s["bias_risks"]
    assert s["limitations"].startswith("The model hallucinates")
    assert s["recommendations"] == "Keep a human in the loop for refunds."
    assert "pipeline(" in s["how_to_use"]
    assert s["training_data"] == "UltraChat 200k and GSM8K train split."
    assert "bf16" in s["training_procedure"]
    assert s["evaluation"] == "51.2% accuracy on GSM8K test."
    assert "A100" in s["environmental_impact"]
    assert "@misc{acme2026" in s["citation"]
    # parents with empty own bodies but filled children are not placeholders
    assert facts.placeholders == []


def test_base_model_list_and_metadata_is_json_safe(write_file: WriteFile) -> None:
    text = "---\nbase_model:\n- org/a\n- org/b\nbase_model_relation: merge\ndate: 2024-05-01\n---\n"
    facts, _ = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.base_models == ["org/a", "org/b"]
    assert facts.base_model_relation == "merge"
    assert facts.metadata["date"] == "2024-05-01"


def test_our_top_regex_is_the_hubs() -> None:
    from aibom import cards

    assert cards._HUB_YAML_BLOCK.pattern == REGEX_YAML_BLOCK.pattern


@pytest.mark.parametrize(
    "preamble",
    [
        "[![CI](https://img.shields.io/badge/ci-passing-green)](https://ci.example)\n",
        "<!-- generated by a tool -->\n\n",
        '<p align="center"><img src="logo.png"></p>\n',
    ],
)
def test_front_matter_after_badge_is_read_and_flagged(
    write_file: WriteFile, preamble: str, caplog: pytest.LogCaptureFixture
) -> None:
    front = "---\nlicense: mit\npipeline_tag: fill-mask\n---\n"
    text = f"{preamble}{front}# Model\n\n## Usage\n\nRun it.\n"
    facts, findings = parse_card(write_file(text, "README.md"), "m/README.md", "model")
    assert facts.has_front_matter
    assert facts.license == "MIT"
    assert facts.pipeline_tag == "fill-mask"
    assert facts.sections["how_to_use"] == "Run it."
    assert facts.problems == [
        "front matter is not at the top of the file; the Hugging Face Hub ignores it"
    ]
    assert [(f.check, f.path) for f in findings] == [(checks.CARD_METADATA, "m/README.md")]
    # ... and the Hub's parser really does ignore it
    with caplog.at_level(logging.CRITICAL):
        assert ModelCard(text, ignore_metadata_errors=True).data.get("license") is None


def test_leading_blank_lines_are_accepted_like_the_hub(write_file: WriteFile) -> None:
    text = "\n\n---\nlicense: mit\n---\n# x\n"
    facts, _ = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.license == "MIT"
    assert facts.problems == []
    assert ModelCard(text).data.get("license") == "mit"


def test_horizontal_rules_around_prose_are_not_front_matter(write_file: WriteFile) -> None:
    text = "![logo](logo.png)\n---\nJust a paragraph between rules.\n---\n# Title\n"
    facts, findings = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert not facts.has_front_matter
    assert facts.problems == ["no YAML front matter"]
    assert _messages(findings, checks.CARD_METADATA.id) == ["no YAML front matter"]


def test_no_front_matter(write_file: WriteFile) -> None:
    text = "# My model\n\n## Intended uses & limitations\n\nSentiment analysis of tweets.\n"
    facts, findings = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert not facts.has_front_matter
    assert facts.metadata == {}
    assert facts.license is None
    assert facts.sections == {"intended_uses": "Sentiment analysis of tweets."}
    assert facts.problems == ["no YAML front matter"]
    assert len(findings) == 1
    assert findings[0].check is checks.CARD_METADATA


def test_invalid_yaml_tab_reports_file_line(write_file: WriteFile) -> None:
    text = "---\nlicense: mit\ntags:\n\t- a\n---\n# Model\n"
    facts, findings = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.has_front_matter
    assert facts.metadata == {}
    assert facts.license is None
    assert len(facts.problems) == 1
    problem = facts.problems[0]
    assert problem.startswith("invalid YAML front matter at line 4:")
    assert "'\\t'" in problem
    assert _messages(findings, checks.CARD_METADATA.id) == [problem]


def test_yaml_not_a_mapping(write_file: WriteFile) -> None:
    facts, _ = parse_card(write_file("---\n- a\n- b\n---\nbody\n", "README.md"), "R", "model")
    assert facts.metadata == {}
    assert facts.problems == ["YAML front matter is a list, not a mapping; ignored"]


def test_non_string_keys_become_strings_with_problems(write_file: WriteFile) -> None:
    text = "---\n1: one\n2.5: two\ntrue: yes\nnull: nothing\nlicense: mit\n---\n"
    facts, findings = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.metadata == {
        "1": "one",
        "2.5": "two",
        "true": "yes",
        "null": "nothing",
        "license": "mit",
    }
    assert facts.license == "MIT"
    assert len(facts.problems) == 4
    assert all("not a string" in p for p in facts.problems)
    assert "front matter key '1' at line 2 is a YAML int, not a string" in facts.problems
    assert "front matter key 'true' at line 4 is a YAML bool, not a string" in facts.problems
    assert len(_messages(findings, checks.CARD_METADATA.id)) == 4


def test_yaml_12_booleans_keep_norwegian(write_file: WriteFile) -> None:
    text = "---\nlanguage: [en, no, nb]\non: push\n---\n"
    facts, _ = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.languages == ["en", "no", "nb"]
    assert facts.metadata["on"] == "push"
    assert facts.problems == []


def test_license_other_with_name_and_link(write_file: WriteFile) -> None:
    text = (
        "---\nlicense: other\nlicense_name: acme-research-license\n"
        "license_link: https://acme.example/LICENSE\n---\n"
    )
    facts, _ = parse_card(write_file(text, "README.md"), "README.md", "model")
    assert facts.license is None
    assert facts.license_name == "acme-research-license"
    assert facts.license_link == "https://acme.example/LICENSE"


@pytest.mark.parametrize(
    ("value", "spdx", "name"),
    [
        ("llama3.2", None, "llama3.2"),
        ("llama2", None, "llama2"),
        ("gemma", None, "gemma"),
        ("openrail", None, "openrail"),
        ("other", None, "other"),
        ("mit", "MIT", None),
        ("cc-by-4.0", "CC-BY-4.0", None),
        ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0", None),
        ("odc-by", "ODC-By-1.0", None),
        ("apache-2.0 OR mit", "Apache-2.0 OR MIT", None),
        ("mit OR llama2", None, "mit OR llama2"),
    ],
)
def test_license_values(write_file: WriteFile, value: str, spdx: str | None, name: str) -> None:
    facts, _ = parse_card(write_file(f"---\nlicense: {value}\n---\n", "README.md"), "R", "model")
    assert facts.license == spdx
    assert facts.license_name == name
    assert facts.problems == []


def test_license_list_takes_first_spdx_and_reports(write_file: WriteFile) -> None:
    text = "---\nlicense:\n- llama3.2\n- apache-2.0\n- mit\n---\n"
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.license == "Apache-2.0"
    assert facts.license_name is None
    assert facts.problems == [
        "card lists 3 licences (llama3.2, apache-2.0, mit); the first SPDX one (Apache-2.0) is used"
    ]
    assert len(findings) == 1


def test_model_index_bad_result_costs_only_itself(write_file: WriteFile) -> None:
    text = """\
---
model-index:
- name: m
  results:
  - task: {type: text-classification}
    dataset: {name: SST-2, type: sst2}
    metrics:
    - {type: f1, value: 0.9}
  - task: {type: text-classification}
    dataset: {name: broken}
  - not-a-mapping
---
"""
    facts, findings = parse_card(write_file(text, "README.md"), "R", "model")
    assert [(r.metric_type, r.metric_value, r.dataset_name) for r in facts.eval_results] == [
        ("f1", "0.9", "SST-2")
    ]
    assert len(facts.problems) == 2
    assert facts.problems[0].startswith("model-index entry 1 result 2 could not be read (KeyError")
    assert facts.problems[1].startswith("model-index entry 1 result 3 could not be read")
    assert len(findings) == 2


def test_model_index_not_a_list(write_file: WriteFile) -> None:
    facts, _ = parse_card(write_file("---\nmodel-index: 3\n---\n", "README.md"), "R", "model")
    assert facts.eval_results == []
    assert facts.problems == [
        "front matter 'model-index' is not a non-empty list; evaluation results ignored"
    ]


def test_scalar_co2_and_odd_list_items(write_file: WriteFile) -> None:
    text = "---\nco2_eq_emissions: 12\ntags: [a, {b: c}, 3]\n---\n"
    facts, _ = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.co2 == {"emissions": "12"}
    assert facts.tags == ["a", "3"]
    assert facts.problems == ["front matter 'tags' holds a dict, not a string"]


def test_reserved_keys_do_not_break_hf_card_data(write_file: WriteFile) -> None:
    text = "---\nself: 1\nignore_metadata_errors: false\neval_results: [1]\nlicense: mit\n---\n"
    facts, _ = parse_card(write_file(text, "README.md"), "R", "model")
    assert facts.license == "MIT"
    assert facts.metadata["self"] == 1


def test_empty_front_matter(write_file: WriteFile) -> None:
    facts, _ = parse_card(write_file("---\n\n---\n# t\n", "README.md"), "R", "model")
    assert facts.has_front_matter
    assert facts.metadata == {}
    assert facts.problems == ["YAML front matter is empty"]


def test_dataset_card(write_file: WriteFile) -> None:
    text = """\
---
license: cc-by-4.0
pretty_name: ACME Support Conversations
language:
- en
task_categories:
- text-generation
- question-answering
size_categories:
- 10K<n<100K
tags: [customer-support]
---

# Dataset Card for ACME Support Conversations

## Dataset Details

### Dataset Description

Forty thousand anonymised support chats.

## Personal and Sensitive Information

Names and e-mail addresses were removed.
"""
    facts, findings = parse_card(write_file(text, "README.md"), "d/README.md", "dataset")
    assert isinstance(facts, CardFacts)
    assert facts.kind == "dataset"
    assert facts.license == "CC-BY-4.0"
    assert facts.pretty_name == "ACME Support Conversations"
    assert facts.task_categories == ["text-generation", "question-answering"]
    assert facts.size_categories == ["10K<n<100K"]
    assert facts.languages == ["en"]
    assert facts.tags == ["customer-support"]
    assert facts.sections["dataset_summary"] == "Forty thousand anonymised support chats."
    assert facts.sections["personal_information"] == "Names and e-mail addresses were removed."
    assert facts.eval_results == []
    assert findings == []
