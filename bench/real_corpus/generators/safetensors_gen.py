# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""safetensors: torch and numpy tensors with metadata."""

from __future__ import annotations

import numpy as np
import torch
from _common import Out
from safetensors.numpy import save_file as np_save
from safetensors.torch import save_file, save_model

out = Out()


def main() -> None:
    save_file({"w": torch.randn(4, 4), "b": torch.zeros(4)}, out.path("torch_f32.safetensors"))
    out.add("torch_f32.safetensors", "safetensors.torch.save_file", "float32")
    save_file(
        {"w": torch.randn(8).half(), "e": torch.randn(2, 2).bfloat16(), "i": torch.arange(3)},
        out.path("torch_mixed.safetensors"),
        metadata={"format": "pt", "note": "aibom corpus"},
    )
    out.add("torch_mixed.safetensors", "safetensors.torch.save_file(metadata=...)", "f16/bf16/i64")
    save_model(torch.nn.Linear(3, 2), out.path("save_model_linear.safetensors"))
    out.add("save_model_linear.safetensors", "safetensors.torch.save_model", "nn.Linear")
    np_save(
        {"a": np.ones((2, 3), dtype=np.float32), "u": np.arange(4, dtype=np.uint8)},
        out.path("numpy.safetensors"),
    )
    out.add("numpy.safetensors", "safetensors.numpy.save_file", "float32/uint8")
    save_file({}, out.path("empty.safetensors"))
    out.add("empty.safetensors", "safetensors.torch.save_file({})", "empty")


out.run("all", main)
out.finish()
