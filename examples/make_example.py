"""Regenerate the bundled example model folder ``examples/tiny-bert`` (deterministic; committed output).

    .venv/bin/python examples/make_example.py

The weights are a real safetensors file written by the safetensors library: a 2-layer, 32-wide BERT with
deterministic pseudo-random values (it is not trained; it exists to be scanned).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent / "tiny-bert"
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *[f"tok{i}" for i in range(59)]]
HIDDEN, LAYERS, INTER = 32, 2, 64

CONFIG = {
    "architectures": ["BertForMaskedLM"],
    "model_type": "bert",
    "hidden_size": HIDDEN,
    "num_hidden_layers": LAYERS,
    "num_attention_heads": 2,
    "intermediate_size": INTER,
    "vocab_size": len(VOCAB),
    "max_position_embeddings": 64,
    "torch_dtype": "float16",
    "transformers_version": "4.57.1",
}

CARD = """---
license: apache-2.0
language:
- en
library_name: transformers
pipeline_tag: fill-mask
tags:
- bert
- example
base_model: google-bert/bert-base-uncased
datasets:
- Salesforce/wikitext
model-index:
- name: tiny-bert
  results:
  - task:
      type: fill-mask
      name: Masked language modelling
    dataset:
      type: Salesforce/wikitext
      name: WikiText-103
      split: test
    metrics:
    - type: perplexity
      value: 812.4
      name: Perplexity
---

# tiny-bert

## Model description

A two-layer, 32-wide BERT used as the bundled example for aibom. Its weights are deterministic
pseudo-random numbers: it is not a useful language model.

## Intended uses & limitations

Intended for demonstrating and testing AI supply-chain tooling. It must not be used for any real task.

## Bias, Risks, and Limitations

The weights are untrained, so outputs are meaningless. Real BERT models inherit the biases of their
training corpora.

## Training data

[More Information Needed]

## Environmental impact

Generated on a laptop in under a second.
"""

REQUIREMENTS = """# Runtime dependencies of the example application that serves tiny-bert.
torch==2.13.0
transformers==4.57.1
safetensors==0.8.0
tokenizers>=0.22
numpy>=2.0 ; python_version >= "3.10"
"""


def tensors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261126)

    def weight(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float16)

    out = {
        "bert.embeddings.word_embeddings.weight": weight(len(VOCAB), HIDDEN),
        "bert.embeddings.position_embeddings.weight": weight(64, HIDDEN),
        "bert.embeddings.LayerNorm.weight": np.ones(HIDDEN, np.float16),
    }
    for i in range(LAYERS):
        p = f"bert.encoder.layer.{i}"
        for name in ("attention.self.query", "attention.self.key", "attention.self.value"):
            out[f"{p}.{name}.weight"] = weight(HIDDEN, HIDDEN)
        out[f"{p}.intermediate.dense.weight"] = weight(INTER, HIDDEN)
        out[f"{p}.output.dense.weight"] = weight(HIDDEN, INTER)
    return out


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    save_file(tensors(), str(HERE / "model.safetensors"), metadata={"format": "pt"})
    (HERE / "config.json").write_text(json.dumps(CONFIG, indent=2) + "\n")
    (HERE / "README.md").write_text(CARD)
    (HERE / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    tok = {"do_lower_case": True, "model_max_length": 64, "tokenizer_class": "BertTokenizer"}
    (HERE / "tokenizer_config.json").write_text(json.dumps(tok, indent=2) + "\n")
    special = {t.strip("[]").lower() + "_token": t for t in VOCAB[1:5]}
    (HERE / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")
    (HERE.parent / "requirements.txt").write_text(REQUIREMENTS)


if __name__ == "__main__":
    main()
