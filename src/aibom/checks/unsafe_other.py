"""Checks for non-pickle formats that can run code or reach outside the model (Keras, TensorFlow, ONNX,
GGUF, chat templates)."""

from __future__ import annotations

from aibom.findings import Check, Severity

KERAS_LAMBDA = Check(
    id="AIBOM-KER-001",
    name="keras-lambda-bytecode",
    title="Keras Lambda layer carries marshalled Python bytecode",
    severity=Severity.CRITICAL,
    help=(
        "A Lambda layer (or a `__lambda__` object) stores a Python function as base64-encoded marshal "
        "data. Keras rebuilds it with `marshal.loads` and runs it when the model is loaded or called: "
        "HDF5 files ignore `safe_mode` (CVE-2025-9905) and `.keras` files run it with "
        "`safe_mode=False` (CVE-2024-3660). Nested models are walked, so a Lambda hidden inside a "
        "Sequential inside a Functional model is found too."
    ),
    remediation="Do not load the model. Ask the publisher for a version without Lambda layers, or "
    "rebuild the architecture in code and load only the weights.",
    cwe=94,
    tags=("code-execution",),
)

KERAS_UNSAFE_CALLABLE = Check(
    id="AIBOM-KER-002",
    name="keras-unsafe-callable",
    title="Keras config names a callable outside Keras or a known safe_mode bypass",
    severity=Severity.CRITICAL,
    help=(
        "Keras configs name the objects to rebuild with `module` and `class_name`. Before Keras 3.9 "
        "any importable module was imported (CVE-2025-1550), and functions inside Keras such as "
        "`keras.utils.get_file`, `keras.config.enable_unsafe_deserialization` and "
        "`keras.models.load_model` (CVE-2025-8747, CVE-2025-9906) or a `TFSMLayer` loading an "
        "external SavedModel (CVE-2026-1462) run attacker-chosen actions even with `safe_mode=True`."
    ),
    remediation="Do not load the model. Only Keras, KerasHub, KerasNLP and KerasCV objects are "
    "expected in a model's config.",
    cwe=502,
    tags=("code-execution",),
)

KERAS_CUSTOM_CODE = Check(
    id="AIBOM-KER-003",
    name="keras-custom-code",
    title="Keras model needs custom code to load",
    severity=Severity.HIGH,
    help=(
        "The config names registered custom objects (`package>Name`), objects defined in `__main__` "
        "or named functions outside Keras. Loading needs that code, which does not come with the "
        "model: whoever supplies it decides what runs."
    ),
    remediation="Review the custom code the model needs and where it comes from before loading.",
    cwe=829,
    tags=("code-execution", "supply-chain"),
)

KERAS_EXTERNAL_RESOURCE = Check(
    id="AIBOM-KER-004",
    name="keras-external-resource",
    title="Keras layer reads a file or URL named in its config when loaded",
    severity=Severity.HIGH,
    help=(
        "Lookup and vectorization layers accept a vocabulary path; Keras opens it with "
        "`tf.io.gfile` while loading, even with `safe_mode=True`, which reads local files into the "
        "model or fetches URLs (CVE-2025-12058)."
    ),
    remediation="Do not load the model; a published model carries its vocabulary inline or in assets.",
    cwe=73,
    tags=("file-access", "network"),
)

TF_DANGEROUS_OP = Check(
    id="AIBOM-TF-001",
    name="tf-file-or-python-op",
    title="TensorFlow graph has ops that read or write files or call Python",
    severity=Severity.HIGH,
    help=(
        "Ops such as ReadFile, WriteFile, MatchingFiles, PyFunc/EagerPyFunc, debug ops and file "
        "readers run when the graph is executed (serving or inference), touching files chosen by the "
        "model's author or calling Python registered in the serving process."
    ),
    remediation="Inspect the signatures that use these ops; serve only models whose graphs do not "
    "touch the filesystem.",
    cwe=73,
    tags=("file-access", "code-execution"),
)

TF_CHECKPOINT_OP = Check(
    id="AIBOM-TF-002",
    name="tf-checkpoint-op-outside-saver",
    title="TensorFlow checkpoint save/restore op outside the saver graph",
    severity=Severity.MEDIUM,
    help=(
        "SaveV2, RestoreV2 and MergeV2Checkpoints belong to the saver that every SavedModel carries "
        "(`save/...` nodes in TF1 graphs, `__inference__traced_save/restore_*` functions in TF2). "
        "The same ops elsewhere can write or read checkpoint files at paths the model chooses."
    ),
    remediation="Check which signature calls these ops and which paths they receive.",
    cwe=73,
    tags=("file-access",),
)

TF_ASSET_TRAVERSAL = Check(
    id="AIBOM-TF-003",
    name="tf-asset-path-traversal",
    title="SavedModel asset file name escapes the assets folder",
    severity=Severity.CRITICAL,
    help=(
        "TensorFlow joins each asset file name to `<export_dir>/assets/`. An absolute name or one "
        "with `..` makes loading read any file on the machine (for example into a vocabulary table)."
    ),
    remediation="Do not load the model.",
    cwe=22,
    tags=("file-access", "path-traversal"),
)

ONNX_EXTERNAL_ESCAPE = Check(
    id="AIBOM-ONNX-001",
    name="onnx-external-data-outside-model",
    title="ONNX external data location escapes the model folder",
    severity=Severity.CRITICAL,
    help=(
        "Tensors can keep their bytes in a file named by `external_data.location`, resolved against "
        "the model's folder. Absolute paths, `..` components or links that resolve outside the "
        "folder make loading read arbitrary files (CVE-2022-25882, CVE-2024-27318, CVE-2026-27489)."
    ),
    remediation="Do not load the model. External data belongs next to the .onnx file.",
    cwe=22,
    tags=("file-access", "path-traversal"),
)

ONNX_EXTERNAL_DATA = Check(
    id="AIBOM-ONNX-002",
    name="onnx-external-data-unverifiable",
    title="ONNX external data cannot be verified",
    severity=Severity.MEDIUM,
    help=(
        "An external data file with several hard links may be another file on the machine "
        "(CVE-2026-34446, CVE-2026-34447); unknown external_data keys were used for attribute "
        "injection (CVE-2026-34445); a missing or too-short file means the weights are incomplete."
    ),
    remediation="Re-download the model and its external data files from the publisher.",
    cwe=59,
    tags=("file-access", "integrity"),
)

ONNX_CUSTOM_DOMAIN = Check(
    id="AIBOM-ONNX-003",
    name="onnx-custom-operator-domain",
    title="ONNX model uses operators from a non-standard domain",
    severity=Severity.LOW,
    help=(
        "Operators outside the ONNX standard and the well-known contrib domains (com.microsoft, "
        "ai.onnx.contrib, org.pytorch.aten) need a custom operator library; its native code runs "
        "when the model is loaded."
    ),
    remediation="Find out which custom-op library the model needs and where it comes from.",
    tags=("supply-chain",),
)

GGUF_PARSER_EXPLOIT = Check(
    id="AIBOM-GGUF-001",
    name="gguf-parser-overflow",
    title="GGUF header values overflow or outrun what the file holds",
    severity=Severity.HIGH,
    help=(
        "Tensor dimensions beyond GGML_MAX_DIMS, element counts whose byte size overflows, and "
        "tensors whose data lies beyond the end of the file are the shapes of the heap overflows "
        "and out-of-bounds reads reported in ggml/llama.cpp and Ollama (CVE-2024-21802, "
        "CVE-2026-33298, CVE-2026-7482). Benign converters never write them."
    ),
    remediation="Do not load the file; older llama.cpp, Ollama and ggml builds are exploitable.",
    cwe=787,
    tags=("memory-safety",),
)

TEMPLATE_INJECTION = Check(
    id="AIBOM-TPL-001",
    name="chat-template-injection",
    title="Chat template contains Jinja server-side template injection constructs",
    severity=Severity.CRITICAL,
    help=(
        "Chat templates are Jinja2 programs rendered by the inference stack. Access to `__class__`, "
        "`__globals__`, `__subclasses__` or `__builtins__`, attribute walks from `cycler`, `joiner`, "
        "`lipsum` or `self`, `attr` filters with computed names, `import`/`include` statements and "
        "names such as `os` or `popen` reach Python itself and run commands when the template is "
        "rendered outside a sandbox (CVE-2024-34359 in llama-cpp-python, CVE-2026-5760 in SGLang). "
        "Every template is checked: the default and every named one."
    ),
    remediation="Do not serve the model with this template; replace it with the publisher's "
    "original and render templates only in a sandboxed Jinja environment.",
    cwe=1336,
    tags=("code-execution",),
)

TEMPLATE_DYNAMIC = Check(
    id="AIBOM-TPL-002",
    name="chat-template-dynamic-access",
    title="Chat template looks up attributes or keys by computed names",
    severity=Severity.HIGH,
    help=(
        "The template builds a name at render time (string concatenation, formatting, filters) and "
        "uses it as a subscript, attribute or format field. Ordinary chat templates use fixed keys; "
        "computed names are how injection payloads hide `__globals__` from static checks."
    ),
    remediation="Review the template by hand before serving the model.",
    cwe=1336,
    tags=("code-execution", "evasion"),
)

TEMPLATE_UNCHECKED = Check(
    id="AIBOM-TPL-003",
    name="chat-template-unchecked",
    title="Chat template cannot be checked",
    severity=Severity.MEDIUM,
    help=(
        "The template does not parse as Jinja2, is larger than the template limit, or is not text, "
        "so it could not be checked for injection. Broken or oversized templates are also a way to "
        "hide payloads from scanners."
    ),
    remediation="Inspect the template by hand; replace it with the publisher's original.",
    tags=("completeness", "evasion"),
)

UNSAFE_OTHER_CHECKS: tuple[Check, ...] = (
    KERAS_LAMBDA,
    KERAS_UNSAFE_CALLABLE,
    KERAS_CUSTOM_CODE,
    KERAS_EXTERNAL_RESOURCE,
    TF_DANGEROUS_OP,
    TF_CHECKPOINT_OP,
    TF_ASSET_TRAVERSAL,
    ONNX_EXTERNAL_ESCAPE,
    ONNX_EXTERNAL_DATA,
    ONNX_CUSTOM_DOMAIN,
    GGUF_PARSER_EXPLOIT,
    TEMPLATE_INJECTION,
    TEMPLATE_DYNAMIC,
    TEMPLATE_UNCHECKED,
)
