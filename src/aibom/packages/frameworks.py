"""Python distributions that are machine-learning frameworks or model/data tooling.

A package on this list runs, converts, trains or fetches models, so it belongs in the
"what executes the model" part of an ML-BOM. Names are normalised (PEP 503): lower case, runs of
``-``, ``_`` and ``.`` collapsed to ``-``. The list is deliberately explicit rather than a pattern:
a false "ML framework" label is worse than a missing one.
"""

from __future__ import annotations

from packaging.utils import canonicalize_name

ML_FRAMEWORKS: frozenset[str] = frozenset(
    {
        # deep-learning runtimes
        "torch",
        "torchvision",
        "torchaudio",
        "torchtext",
        "pytorch-lightning",
        "lightning",
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "tensorflow-intel",
        "tensorflow-macos",
        "tf-keras",
        "tf-nightly",
        "keras",
        "jax",
        "jaxlib",
        "flax",
        "optax",
        "mlx",
        "mlx-lm",
        "paddlepaddle",
        "paddlepaddle-gpu",
        "mxnet",
        "mindspore",
        "oneflow",
        # model hubs, formats and runtimes
        "transformers",
        "diffusers",
        "accelerate",
        "safetensors",
        "tokenizers",
        "sentencepiece",
        "sentence-transformers",
        "huggingface-hub",
        "datasets",
        "timm",
        "optimum",
        "peft",
        "trl",
        "onnx",
        "onnxruntime",
        "onnxruntime-gpu",
        "openvino",
        "tensorrt",
        "gguf",
        "llama-cpp-python",
        "ctransformers",
        "vllm",
        "ollama",
        "coremltools",
        "tflite-runtime",
        # training and inference acceleration
        "bitsandbytes",
        "deepspeed",
        "xformers",
        "flash-attn",
        "auto-gptq",
        "autoawq",
        "triton",
        # classical ML
        "scikit-learn",
        "xgboost",
        "lightgbm",
        "catboost",
        "statsmodels",
        # NLP / vision toolkits that load pretrained models
        "spacy",
        "fasttext",
        "gensim",
        "ultralytics",
        "open-clip-torch",
        "openai-whisper",
        "langchain",
        "llama-index",
    }
)
"""Normalised names of ML frameworks; ``collect`` marks these with ``aibom:python:ml-framework``."""


def is_ml_framework(normalized_name: str) -> bool:
    """True when the (normalised, or any PEP 503 spelling of the) name is an ML framework."""
    return str(canonicalize_name(normalized_name)) in ML_FRAMEWORKS
