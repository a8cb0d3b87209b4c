# mypy: ignore-errors
# (runs inside its own pinned venv; the dev venv has neither these libraries nor their stubs)
"""torch: state_dicts, whole-module checkpoints, optimizer/scheduler state, legacy (non-zip) format,
TorchScript, torch.export archives, tensors of many dtypes."""

from __future__ import annotations

import collections

import numpy as np
import torch
from _common import Out
from torch import nn

out = Out()
torch.manual_seed(0)


class TinyNet(nn.Module):
    """A user-defined module (its class is pickled by reference in whole-module saves)."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


def builtin_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Dropout(0.1),
        nn.Linear(2 * 4 * 4, 3), nn.LayerNorm(3),
    )  # fmt: skip


def save(rel: str, obj: object, what: str, code: bool = False, **kw: object) -> None:
    torch.save(obj, out.path(rel), **kw)
    args = ", ".join(f"{k}={v!r}" for k, v in kw.items())
    out.add(rel, f"torch.save({args})" if args else "torch.save", what, code)


def both(name: str, obj: object, what: str, code: bool = False) -> None:
    """The zip format (default since 1.6) and the legacy one."""
    save(f"zip/{name}.pt", obj, what, code)
    save(f"legacy/{name}.pt", obj, what, code, _use_new_zipfile_serialization=False)


def main() -> None:
    net, seq = TinyNet(), builtin_model()
    seq(torch.randn(2, 1, 6, 6))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net(torch.randn(3, 4)).sum().backward()
    opt.step()
    sgd = torch.optim.SGD(seq.parameters(), lr=0.1, momentum=0.9)
    seq(torch.randn(2, 1, 6, 6)).sum().backward()
    sgd.step()
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(sgd, T_max=10)
    items: dict[str, tuple[object, str, bool]] = {
        "state_dict_tinynet": (net.state_dict(), "OrderedDict state_dict", False),
        "state_dict_sequential": (
            seq.state_dict(),
            "OrderedDict state_dict (BatchNorm buffers)",
            False,
        ),
        "whole_sequential": (seq, "torch.nn.Sequential (whole module)", False),
        "whole_tinynet": (net, "__main__.TinyNet (whole module, user class)", True),
        "optimizer_adam": (opt.state_dict(), "Adam.state_dict", False),
        "optimizer_sgd": (sgd.state_dict(), "SGD.state_dict", False),
        "scheduler_steplr": (sched.state_dict(), "StepLR.state_dict", False),
        "scheduler_cosine": (cos.state_dict(), "CosineAnnealingLR.state_dict", False),
        "checkpoint": (
            {
                "epoch": 3,
                "step": 120,
                "model_state_dict": net.state_dict(),
                "optimizer_state_dict": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "loss": 0.25,
                "best_metric": torch.tensor(0.9),
                "config": {"lr": 1e-3, "layers": [4, 8, 2]},
            },
            "training checkpoint dict",
            False,
        ),
        "rng_state": (
            {
                "torch": torch.get_rng_state(),
                "numpy": np.random.get_state(),
                "python": __import__("random").getstate(),
            },
            "RNG states (torch ByteTensor, numpy tuple, python tuple)",
            False,
        ),
        "numpy_in_checkpoint": (
            {"weights": np.ones((2, 2)), "ids": np.arange(3)},
            "numpy arrays in torch.save",
            False,
        ),
        "tensor_float32": (torch.randn(4, 4), "Tensor float32", False),
        "tensor_float16": (torch.randn(8).half(), "Tensor float16", False),
        "tensor_bfloat16": (torch.randn(8).bfloat16(), "Tensor bfloat16", False),
        "tensor_int8": (torch.randint(-5, 5, (6,), dtype=torch.int8), "Tensor int8", False),
        "tensor_bool": (torch.tensor([True, False]), "Tensor bool", False),
        "tensor_complex": (torch.randn(3, dtype=torch.complex64), "Tensor complex64", False),
        "tensor_uint8": (torch.arange(10, dtype=torch.uint8), "Tensor uint8", False),
        "tensor_float8": (torch.randn(4).to(torch.float8_e4m3fn), "Tensor float8_e4m3fn", False),
        "tensor_sparse_coo": (torch.eye(3).to_sparse(), "sparse COO Tensor", False),
        "tensor_sparse_csr": (torch.eye(3).to_sparse_csr(), "sparse CSR Tensor", False),
        "tensor_quantized": (
            torch.quantize_per_tensor(torch.randn(4), 0.1, 0, torch.qint8),
            "quantized Tensor",
            False,
        ),
        "tensor_view_shared": (
            {"a": (t := torch.arange(10.0)), "b": t[2:5]},
            "shared storage views",
            False,
        ),
        "parameter": (nn.Parameter(torch.ones(3)), "nn.Parameter", False),
        "size_and_dtype": (
            {"size": torch.Size([2, 3]), "dtype": torch.float32, "device": torch.device("cpu")},
            "torch.Size/dtype/device",
            False,
        ),
        "ordered_dict_tensors": (
            collections.OrderedDict(w=torch.ones(2), b=torch.zeros(2)),
            "OrderedDict",
            False,
        ),
        "embedding_bag": (nn.EmbeddingBag(10, 3).state_dict(), "EmbeddingBag.state_dict", False),
        "lstm": (nn.LSTM(4, 5, batch_first=True), "nn.LSTM (whole module)", False),
        "transformer_layer": (
            nn.TransformerEncoderLayer(8, 2, 16, batch_first=True).state_dict(),
            "TransformerEncoderLayer.state_dict",
            False,
        ),
        "dataclass_free_list": ([torch.ones(1), 2, "three", (4.0,)], "list", False),
    }
    for name, (obj, what, code) in items.items():
        out.run(name, lambda n=name, o=obj, w=what, c=code: both(n, o, w, c))
    for ext in ("pth", "bin", "ckpt", "tar"):
        out.run(
            f"ext-{ext}",
            lambda e=ext: save(f"suffixes/state_dict.{e}", net.state_dict(), "state_dict"),
        )
    for proto in (2, 4):
        out.run(
            f"proto{proto}",
            lambda p=proto: save(
                f"protocols/state_dict_p{p}.pt", net.state_dict(), "state_dict", pickle_protocol=p
            ),
        )
    out.run("jit", lambda: jit(net, seq))
    out.run("export", lambda: export(seq))
    out.run("quantized_dynamic", quantized)


def jit(net: nn.Module, seq: nn.Module) -> None:
    scripted = torch.jit.script(net)
    torch.jit.save(scripted, out.path("torchscript/tinynet_script.pt"))
    out.add(
        "torchscript/tinynet_script.pt", "torch.jit.save(torch.jit.script)", "RecursiveScriptModule"
    )
    traced = torch.jit.trace(seq.eval(), torch.randn(1, 1, 6, 6))
    torch.jit.save(traced, out.path("torchscript/sequential_trace.pt"))
    out.add(
        "torchscript/sequential_trace.pt", "torch.jit.save(torch.jit.trace)", "TopLevelTracedModule"
    )
    scripted.save(str(out.path("torchscript/tinynet_method.zip")))
    out.add("torchscript/tinynet_method.zip", "ScriptModule.save", "RecursiveScriptModule")
    try:
        from torch.jit.mobile import _load_for_lite_interpreter  # noqa: F401

        scripted._save_for_lite_interpreter(str(out.path("torchscript/tinynet_lite.ptl")))
        out.add("torchscript/tinynet_lite.ptl", "_save_for_lite_interpreter", "mobile bytecode")
    except Exception as exc:
        out.errors.append({"item": "lite", "error": str(exc)[:300]})


def export(seq: nn.Module) -> None:
    ep = torch.export.export(seq.eval(), (torch.randn(1, 1, 6, 6),))
    torch.export.save(ep, out.path("export/sequential.pt2"))
    out.add("export/sequential.pt2", "torch.export.save", "ExportedProgram")


def quantized() -> None:
    m = torch.ao.quantization.quantize_dynamic(
        nn.Sequential(nn.Linear(4, 4)), {nn.Linear}, dtype=torch.qint8
    )
    save(
        "quantized/dynamic_state_dict.pt",
        m.state_dict(),
        "dynamic-quantized state_dict (packed params)",
    )


main()
out.finish()
