# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""gguf: GGUFWriter files with llama-style metadata, tokenizer arrays, f32/f16 (and Q8_0 where supported)."""

from __future__ import annotations

import numpy as np
from _common import Out
from gguf import GGMLQuantizationType, GGUFWriter

out = Out()
rng = np.random.default_rng(0)


def write(
    rel: str,
    arch: str,
    tensors: dict[str, np.ndarray],
    extra: bool,
    raw: dict[str, tuple[np.ndarray, object]] | None = None,
) -> None:
    w = GGUFWriter(str(out.path(rel)), arch)
    w.add_name("aibom-tiny")
    w.add_context_length(64)
    w.add_embedding_length(8)
    w.add_block_count(1)
    w.add_head_count(2)
    if extra:
        w.add_tokenizer_model("llama")
        w.add_token_list(["<unk>", "<s>", "</s>", "hello", "world"])
        w.add_token_scores([0.0, 0.0, 0.0, -1.0, -2.0])
        w.add_token_types([2, 3, 3, 1, 1])
        w.add_bos_token_id(1)
        w.add_eos_token_id(2)
        w.add_string(
            "tokenizer.chat_template", "{% for m in messages %}{{ m['content'] }}{% endfor %}"
        )
        w.add_uint32("general.file_type", 1)
        w.add_array("custom.list", [1, 2, 3])
        w.add_float32("custom.rope_freq_base", 10000.0)
        w.add_bool("custom.flag", True)
    for name, arr in tensors.items():
        w.add_tensor(name, arr)
    for name, (arr, qtype) in (raw or {}).items():
        w.add_tensor(name, arr, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    out.add(rel, "gguf.GGUFWriter", arch)


def main() -> None:
    t = {
        "token_embd.weight": rng.normal(size=(5, 8)).astype(np.float32),
        "blk.0.attn_q.weight": rng.normal(size=(8, 8)).astype(np.float16),
    }
    out.run("llama", lambda: write("llama_f32_f16.gguf", "llama", t, True))
    out.run("meta-only", lambda: write("metadata_only.gguf", "llama", {}, True))
    out.run(
        "gpt2",
        lambda: write(
            "gpt2_minimal.gguf", "gpt2", {"output.weight": np.ones((4, 4), np.float32)}, False
        ),
    )
    out.run("q8", q8)


def q8() -> None:
    from gguf import quants

    data = rng.normal(size=(4, 64)).astype(np.float32)
    q = quants.quantize(data, GGMLQuantizationType.Q8_0)
    write(
        "llama_q8_0.gguf",
        "llama",
        {},
        True,
        {"blk.0.ffn_up.weight": (q, GGMLQuantizationType.Q8_0)},
    )


main()
out.finish()
