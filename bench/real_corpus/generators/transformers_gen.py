# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""transformers: tiny randomly initialised models saved with save_pretrained (pytorch_model.bin and
safetensors), tokenizers with chat templates, and a real Trainer checkpoint. Offline: configs in code."""

from __future__ import annotations

import json

import torch
import transformers
from _common import Out
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
    T5Config,
    T5ForConditionalGeneration,
    Trainer,
    TrainingArguments,
)

out = Out()
torch.manual_seed(0)
V = tuple(int(p) for p in transformers.__version__.split(".")[:2])
WORDS = [
    "[PAD]",
    "[UNK]",
    "[CLS]",
    "[SEP]",
    "[MASK]",
    "<s>",
    "</s>",
    "hello",
    "world",
    "the",
    "cat",
    "sat",
    "on",
    "mat",
    "user",
    "assistant",
]
CHAT = (
    "{% for message in messages %}<s>{{ message['role'] }}: {{ message['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant:{% endif %}"
)


def tokenizer() -> PreTrainedTokenizerFast:
    vocab = {w: i for i, w in enumerate(WORDS)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", bos_token="<s>", eos_token="</s>",
    )  # fmt: skip
    fast.chat_template = CHAT
    return fast


def small(cfg_cls: type, **kw: object) -> object:
    return cfg_cls(vocab_size=len(WORDS), **kw)


def save_models() -> None:
    tok = tokenizer()
    specs = {
        "bert": (
            BertForSequenceClassification,
            small(
                BertConfig,
                hidden_size=16,
                num_hidden_layers=1,
                num_attention_heads=2,
                intermediate_size=32,
                max_position_embeddings=32,
                num_labels=2,
            ),
        ),
        "gpt2": (
            GPT2LMHeadModel,
            small(GPT2Config, n_embd=16, n_layer=1, n_head=2, n_positions=32),
        ),
        "t5": (
            T5ForConditionalGeneration,
            small(
                T5Config,
                d_model=16,
                d_ff=32,
                num_layers=1,
                num_heads=2,
                d_kv=8,
                decoder_start_token_id=0,
            ),
        ),
    }
    for name, (cls, cfg) in specs.items():
        model = cls(cfg)
        for safe in (False, True):
            d = f"{name}-{'safetensors' if safe else 'bin'}"
            out.run(d, lambda m=model, d=d, s=safe: _save(m, d, s, tok))


def _save(model: object, d: str, safe: bool, tok: PreTrainedTokenizerFast) -> None:
    path = out.path(f"{d}/.keep").parent
    model.save_pretrained(path, safe_serialization=safe)
    tok.save_pretrained(path)
    out.add_tree(
        d,
        f"save_pretrained(safe_serialization={safe}) + tokenizer.save_pretrained",
        type(model).__name__,
    )
    if not safe and not (path / "pytorch_model.bin").exists():
        # transformers >= 5 writes safetensors only; write the .bin the way 4.x did.
        (path / "model.safetensors").unlink(missing_ok=True)
        out.records[:] = [r for r in out.records if r["rel"] != f"{d}/model.safetensors"]
        torch.save(model.state_dict(), path / "pytorch_model.bin")
        out.add(
            f"{d}/pytorch_model.bin",
            "torch.save(model.state_dict()) (as transformers 4.x save_pretrained)",
            type(model).__name__,
        )


def sharded() -> None:
    model = GPT2LMHeadModel(small(GPT2Config, n_embd=32, n_layer=2, n_head=2, n_positions=32))
    for safe in (False, True):
        d = f"gpt2-sharded-{'safetensors' if safe else 'bin'}"
        model.save_pretrained(
            out.path(f"{d}/.keep").parent, safe_serialization=safe, max_shard_size="20KB"
        )
        out.add_tree(
            d,
            f"save_pretrained(max_shard_size='20KB', safe_serialization={safe})",
            "GPT2LMHeadModel",
        )


def tokenizer_only() -> None:
    tok = tokenizer()
    tok.save_pretrained(out.path("tokenizer-fast/.keep").parent)
    out.add_tree(
        "tokenizer-fast", "PreTrainedTokenizerFast.save_pretrained (chat_template)", "tokenizer"
    )
    tok.save_pretrained(out.path("tokenizer-legacy/.keep").parent, legacy_format=True)
    out.add_tree("tokenizer-legacy", "save_pretrained(legacy_format=True)", "tokenizer")
    # A slow BERT tokenizer from a vocab file.
    vocab = out.path("bert-slow/vocab_src.txt")
    vocab.write_text("\n".join(WORDS) + "\n")
    slow = transformers.BertTokenizer(str(vocab))
    slow.save_pretrained(out.path("bert-slow/saved/.keep").parent)
    out.add_tree("bert-slow", "BertTokenizer.save_pretrained", "slow tokenizer")


def trainer() -> None:
    tok = tokenizer()
    model = BertForSequenceClassification(
        small(
            BertConfig,
            hidden_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=32,
            max_position_embeddings=32,
            num_labels=2,
        )
    )
    ids = torch.randint(7, len(WORDS), (16, 8))
    train = [
        {
            "input_ids": ids[i],
            "attention_mask": torch.ones(8, dtype=torch.long),
            "labels": torch.tensor(i % 2),
        }
        for i in range(16)
    ]
    root = out.path("trainer/.keep").parent
    kw: dict[str, object] = {
        "output_dir": str(root), "per_device_train_batch_size": 4, "max_steps": 4, "save_steps": 2,
        "logging_steps": 2, "report_to": [], "use_cpu": True, "seed": 0,
    }  # fmt: skip
    args = TrainingArguments(**kw)
    t = (
        Trainer(model=model, args=args, train_dataset=train, processing_class=tok)
        if V >= (4, 46)
        else Trainer(model=model, args=args, train_dataset=train, tokenizer=tok)
    )
    t.train()
    t.save_model(str(root / "final"))
    out.add_tree(
        "trainer",
        "transformers.Trainer.train / save_model (optimizer.pt, scheduler.pt, rng_state.pth, training_args.bin)",
        "Trainer checkpoint",
    )
    rel = "training_args/training_args.bin"
    torch.save(args, out.path(rel))
    out.add(rel, "torch.save(TrainingArguments)", "transformers.TrainingArguments")
    rel = "training_args/args.json"
    out.path(rel).write_text(json.dumps(args.to_dict(), default=str))
    out.add(rel, "TrainingArguments.to_dict", "json")


out.run("models", save_models)
out.run("sharded", sharded)
out.run("tokenizers", tokenizer_only)
out.run("trainer", trainer)
out.finish()
