"""Every ``aibom:`` CycloneDX property name, defined once and documented.

The docs table (``aibom properties``) is generated from ``PROPERTIES``. Names are stable once released.
Values are always strings (CycloneDX properties are string-valued); lists are comma-separated unless noted.
"""

from __future__ import annotations

import enum


class Prop(str, enum.Enum):
    """A property name with its meaning in ``__doc__``-like text via ``PROPERTIES``."""

    # ---- any file component
    FILE_FORMAT = "aibom:file:format"
    FILE_KIND = "aibom:file:kind"
    FILE_FORMAT_EVIDENCE = "aibom:file:format-evidence"
    FILE_SIZE = "aibom:file:size"
    FILE_PATH = "aibom:file:path"
    GIT_BLOB_SHA1 = "aibom:file:git-blob-sha1"
    LFS_OID = "aibom:file:lfs-oid"
    LFS_SIZE = "aibom:file:lfs-size"
    FILE_COVERAGE = "aibom:file:coverage"
    FILE_COVERAGE_BYTES = "aibom:file:coverage-bytes"
    FILE_COVERAGE_LIMITS = "aibom:file:coverage-limits"
    # ---- models
    MODEL_FORMATS = "aibom:model:formats"
    MODEL_PARAMETERS = "aibom:model:parameter-count"
    MODEL_DTYPES = "aibom:model:dtypes"
    MODEL_LIBRARY = "aibom:model:library"
    MODEL_LANGUAGES = "aibom:model:languages"
    MODEL_TAGS = "aibom:model:tags"
    MODEL_LICENSE_NAME = "aibom:model:license-name"
    MODEL_LICENSE_LINK = "aibom:model:license-link"
    MODEL_SHARDS = "aibom:model:shard-count"
    MODEL_WEIGHTS_PRESENT = "aibom:model:weights-present"
    MODEL_CARD_PATH = "aibom:model:card-path"
    MODEL_CARD_PROBLEMS = "aibom:model:card-problems"
    MODEL_CARD_PLACEHOLDERS = "aibom:model:card-placeholders"
    MODEL_SOURCE = "aibom:model:source"
    MODEL_CONFIG_DTYPE = "aibom:model:config-dtype"
    MODEL_QUANTIZATION = "aibom:model:quantization"
    MODEL_TRANSFORMERS_VERSION = "aibom:model:transformers-version"
    MODEL_CUSTOM_CODE = "aibom:model:custom-code"
    MODEL_BASE_MODEL_RELATION = "aibom:model:base-model-relation"
    # ---- Hugging Face provenance
    HF_REPO_ID = "aibom:hf:repo-id"
    HF_REPO_TYPE = "aibom:hf:repo-type"
    HF_COMMIT = "aibom:hf:commit"
    HF_REFS = "aibom:hf:refs"
    # ---- datasets
    DATASET_DECLARED_BY = "aibom:dataset:declared-by"
    DATASET_FILE_COUNT = "aibom:dataset:file-count"
    DATASET_SPLITS = "aibom:dataset:splits"
    DATASET_SIZE = "aibom:dataset:size-bytes"
    DATASET_DOWNLOAD_SIZE = "aibom:dataset:download-bytes"
    # ---- card front matter accounting (model and dataset components)
    CARD_UNMAPPED = "aibom:card:unmapped-keys"
    CARD_PARTLY = "aibom:card:partly-mapped-keys"
    CARD_TRUNCATED = "aibom:card:truncated-keys"
    CARD_DROPPED = "aibom:card:dropped-keys"
    # ---- python packages
    PY_SOURCE = "aibom:python:source"
    PY_SOURCE_KIND = "aibom:python:source-kind"
    PY_SPECIFIER = "aibom:python:specifier"
    PY_MARKER = "aibom:python:marker"
    PY_EXTRAS = "aibom:python:extras"
    PY_EDITABLE = "aibom:python:editable"
    PY_GROUPS = "aibom:python:groups"
    PY_DIRECT = "aibom:python:direct"
    PY_ML_FRAMEWORK = "aibom:python:ml-framework"
    PY_PINNED_BY = "aibom:python:pinned-by"
    PY_RECORD_FILES = "aibom:python:record-files"
    PY_RECORD_HASHED = "aibom:python:record-hashed-files"
    PY_PROJECT = "aibom:python:project"
    PY_INSTALLER = "aibom:python:installer"
    PY_LINE = "aibom:python:line"
    PY_SOURCE_TYPE = "aibom:python:source-type"
    PY_VCS_COMMIT = "aibom:python:vcs-commit"
    # ---- findings (CycloneDX vulnerabilities)
    FINDING_MEMBER = "aibom:finding:member"
    FINDING_OFFSET = "aibom:finding:offset"
    FINDING_EVIDENCE = "aibom:finding:evidence"
    FINDING_CHECK_NAME = "aibom:finding:check-name"
    # ---- scan metadata (BOM metadata.properties)
    SCAN_TARGETS = "aibom:scan:targets"
    SCAN_FILES = "aibom:scan:file-count"
    SCAN_BYTES = "aibom:scan:byte-count"
    SCAN_SKIPPED = "aibom:scan:skipped"
    SCAN_NOT_INVENTORIED = "aibom:scan:not-inventoried"
    SCAN_REPRODUCIBLE = "aibom:scan:reproducible"
    SCAN_FINDINGS = "aibom:scan:finding-count"


PROPERTIES: dict[Prop, str] = {
    Prop.FILE_FORMAT: "Format decided from the file's content (see `aibom.artifacts.Format`).",
    Prop.FILE_KIND: "Role of the file: weights, config, tokenizer, card, dataset, archive, "
    "lfs-pointer, index, signature, code, other.",
    Prop.FILE_FORMAT_EVIDENCE: "Why the format was chosen (magic bytes, structure, or suffix).",
    Prop.FILE_SIZE: "Size in bytes.",
    Prop.FILE_PATH: "Path of the file inside its model, dataset or scan root (POSIX).",
    Prop.GIT_BLOB_SHA1: "Git blob SHA-1 (`sha1('blob <size>\\0' + content)`), for Hugging Face cache "
    "files stored in git rather than LFS.",
    Prop.LFS_OID: "SHA-256 object id named by a Git LFS pointer file (the content is not present).",
    Prop.LFS_SIZE: "Size named by a Git LFS pointer file.",
    Prop.FILE_COVERAGE: "How completely the format inspector analysed the file: `complete` (every byte "
    "accounted for), `partial` (a limit, budget or damage stopped it) or `not-analysed` (no verdict). "
    "Only files whose format has an inspector carry it; data-only formats without one (Parquet, CSV, "
    "plain text...) are hashed and classified, not analysed. A partial file of a format that can run "
    "code also gets an AIBOM-COV-001 finding.",
    Prop.FILE_COVERAGE_BYTES: "`covered/total` bytes behind the verdict; `covered` is `unknown` when "
    "the inspector cannot say where it stopped (a member of an archive, say).",
    Prop.FILE_COVERAGE_LIMITS: "Why coverage is not complete: `Limits` field names (`max_pickle_bytes`, "
    "`max_archive_inflated_bytes`, `max_h5_seconds`...) or `malformed`, `truncated`, `unopenable`, "
    "`unreadable`, `internal-error`, `h5_timeout` (libhdf5 overran its per-file timeout), `lfs-content-absent` (a Git LFS pointer: the content was never "
    "fetched), `incomplete` (no named reason).",
    Prop.MODEL_FORMATS: "Serialization formats of the model's weight files.",
    Prop.MODEL_PARAMETERS: "Total number of parameters (sum of tensor element counts in the headers).",
    Prop.MODEL_DTYPES: "Tensor dtypes found in the weight headers.",
    Prop.MODEL_LIBRARY: "`library_name` from the model card.",
    Prop.MODEL_LANGUAGES: "`language` list from the model card.",
    Prop.MODEL_TAGS: "`tags` from the model card.",
    Prop.MODEL_LICENSE_NAME: "Licence named by the card that is not an SPDX identifier (e.g. `other`).",
    Prop.MODEL_LICENSE_LINK: "`license_link` from the model card.",
    Prop.MODEL_SHARDS: "Number of weight shards rolled up into the model.",
    Prop.MODEL_WEIGHTS_PRESENT: "`false` when no weights file was found (none at all, or only Git LFS pointers).",
    Prop.MODEL_CARD_PATH: "Path of the model card that was read.",
    Prop.MODEL_CARD_PROBLEMS: "Problems met while parsing the card's front matter (`; `-separated).",
    Prop.MODEL_CARD_PLACEHOLDERS: "Card sections that are unfilled templates (`; `-separated).",
    Prop.MODEL_SOURCE: "How the model or dataset was found: `directory`, `hf-cache`, `file`, or "
    "`declared` (named by a card, not present locally).",
    Prop.MODEL_CONFIG_DTYPE: "`torch_dtype` from config.json.",
    Prop.MODEL_QUANTIZATION: "Quantization method from config.json (`quantization_config.quant_method`).",
    Prop.MODEL_TRANSFORMERS_VERSION: "`transformers_version` from config.json.",
    Prop.MODEL_CUSTOM_CODE: "`true` when config.json has `auto_map`: loading with "
    "`trust_remote_code=True` runs Python files from the repository.",
    Prop.MODEL_BASE_MODEL_RELATION: "`base_model_relation` from the card (adapter, merge, quantized, "
    "finetune).",
    Prop.HF_REPO_ID: "Hugging Face repository id (`org/name`).",
    Prop.HF_REPO_TYPE: "Hugging Face repository type (`model` or `dataset`).",
    Prop.HF_COMMIT: "40-hex commit of the snapshot.",
    Prop.HF_REFS: "Refs (branches, tags) that point at the snapshot's commit.",
    Prop.DATASET_DECLARED_BY: "bom-refs of the models whose cards name this dataset.",
    Prop.DATASET_FILE_COUNT: "Number of data files found locally for the dataset.",
    Prop.DATASET_SPLITS: "Splits named by the dataset card's `dataset_info`, as `<split>: <n> examples, "
    "<b> bytes` (`<config>/<split>` when there are several configs; `; `-separated). In "
    "`data[].contents.properties`.",
    Prop.DATASET_SIZE: "`dataset_info.dataset_size` from the dataset card, in bytes (summed over configs). "
    "In `data[].contents.properties`.",
    Prop.DATASET_DOWNLOAD_SIZE: "`dataset_info.download_size` from the dataset card, in bytes (summed over "
    "configs). In `data[].contents.properties`.",
    Prop.CARD_UNMAPPED: "Card front-matter keys with no CycloneDX place (or whose value could not be used "
    "there): each is kept whole as `aibom:card:hf:<key>` (comma-separated).",
    Prop.CARD_PARTLY: "Card front-matter keys placed in CycloneDX only in part (e.g. `model-index`, "
    "`dataset_info`, several licences) and also kept whole as `aibom:card:hf:<key>` (comma-separated).",
    Prop.CARD_TRUNCATED: "Card front-matter keys whose `aibom:card:hf:<key>` value was cut at the "
    "length limit (it ends with `…`; comma-separated).",
    Prop.CARD_DROPPED: "Card front-matter keys not kept at all, each with the reason (`key: reason`, "
    "`; `-separated); also notes a front matter block that could not be read.",
    Prop.PY_SOURCE: "File or environment the package was read from.",
    Prop.PY_SOURCE_KIND: "installed, requirements, pyproject, poetry.lock, Pipfile.lock, uv.lock, pylock.",
    Prop.PY_SPECIFIER: "The requirement as written when it is not pinned to one version.",
    Prop.PY_MARKER: "PEP 508 environment marker, as written (not evaluated).",
    Prop.PY_EXTRAS: "Extras requested.",
    Prop.PY_EDITABLE: "`true` for editable installs or requirements.",
    Prop.PY_GROUPS: "Dependency groups, extras or lock categories that include the package.",
    Prop.PY_DIRECT: "`true` when the project depends on the package directly.",
    Prop.PY_ML_FRAMEWORK: "`true` for machine-learning frameworks (torch, tensorflow, jax, transformers, "
    "...; list in `aibom.packages.ML_FRAMEWORKS`).",
    Prop.PY_PINNED_BY: "`constraint` when the version comes from a constraints file.",
    Prop.PY_RECORD_FILES: "Number of files listed in the installed distribution's RECORD.",
    Prop.PY_RECORD_HASHED: "Number of RECORD entries that carry a hash.",
    Prop.PY_PROJECT: "`true` for the project itself in a lock file (root, not a dependency).",
    Prop.PY_INSTALLER: "Tool that installed the distribution (the dist-info INSTALLER file).",
    Prop.PY_LINE: "Line of the requirements file that declared the package.",
    Prop.PY_SOURCE_TYPE: "Where a locked package comes from: registry, git, url, directory, path, "
    "file, editable, virtual, vcs, archive.",
    Prop.PY_VCS_COMMIT: "Commit a VCS requirement resolved to (direct_url.json or lock file).",
    Prop.FINDING_MEMBER: "Path inside an archive or container where the finding was made.",
    Prop.FINDING_OFFSET: "Byte offset of the finding in the file or member.",
    Prop.FINDING_EVIDENCE: "What was seen (an import name, a header value, an object id).",
    Prop.FINDING_CHECK_NAME: "Readable name of the check (the vulnerability id is the check id).",
    Prop.SCAN_TARGETS: "Targets given on the command line (`; `-separated).",
    Prop.SCAN_FILES: "Number of files examined.",
    Prop.SCAN_BYTES: "Number of bytes examined.",
    Prop.SCAN_SKIPPED: "Paths not examined, each with its reason (`path: reason`, `; `-separated).",
    Prop.SCAN_NOT_INVENTORIED: "Paths left out of the inventory on purpose after they were looked at "
    "for code: excluded folders (with how many files they held and how many were analysed) and files "
    "outside any model or dataset that are no AI artifact (`path: reason`).",
    Prop.SCAN_REPRODUCIBLE: "`true` when the BOM was written in reproducible mode.",
    Prop.SCAN_FINDINGS: "Number of findings.",
}

FAMILY_HYPERPARAMETER = "aibom:model:hyperparameter:"
FAMILY_CO2 = "aibom:model:co2:"
FAMILY_CARD_HF = "aibom:card:hf:"

FAMILIES: dict[str, str] = {
    FAMILY_HYPERPARAMETER: "`aibom:model:hyperparameter:<key>`: architecture hyperparameters copied from "
    "config.json (hidden_size, num_hidden_layers, vocab_size, ...).",
    FAMILY_CO2: "`aibom:model:co2:<field>`: the card's `co2_eq_emissions` (emissions in grams, source, "
    "training-type, geographical-location, hardware-used).",
    FAMILY_CARD_HF: "`aibom:card:hf:<key>`: a model or dataset card front-matter key with no CycloneDX "
    "place, or placed only in part, kept whole: strings as written (control characters escaped), "
    "other values as compact JSON; see docs/cards.md.",
}
"""Property names with a variable last part."""
