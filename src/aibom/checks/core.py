"""Checks of the scan pipeline itself: discovery, classification, cards, packages."""

from __future__ import annotations

from aibom.findings import Check, Severity

LFS_POINTER = Check(
    id="AIBOM-LFS-001",
    name="weights-not-present",
    title="Git LFS pointer file where model weights should be",
    severity=Severity.MEDIUM,
    help=(
        "The file is a Git LFS pointer (a small text stub naming the real object by SHA-256), not the "
        "weights themselves. The weights were never fetched, so their content cannot be hashed, "
        "inspected or verified."
    ),
    remediation="Fetch the real objects (`git lfs pull`) or download the files, then scan again.",
    tags=("integrity", "completeness"),
)

FORMAT_MISMATCH = Check(
    id="AIBOM-FMT-001",
    name="format-disguise",
    title="File content does not match its file name",
    severity=Severity.INFO,
    help=(
        "The bytes of the file say it is a format that can run code while its extension claims another. "
        "Loaders pick a parser by content or by name; a disagreement is a common way to slip a pickle "
        "past scanners that trust names. aibom analyses the file by its content, and that analysis "
        "carries the severity (a renamed pickle with a payload is critical through its own finding); "
        "this finding records the disguise."
    ),
    remediation="Rename the file to match its content, or replace it with the format it claims to be.",
    tags=("evasion",),
)

MALFORMED_FILE = Check(
    id="AIBOM-FMT-002",
    name="malformed-file",
    title="File is damaged or not a valid instance of its format",
    severity=Severity.MEDIUM,
    help="The file could not be parsed as the format its content indicates. Broken files cannot be "
    "inspected completely and may be crafted to confuse scanners.",
    remediation="Replace the file with an intact copy from its publisher and verify its hash.",
    tags=("integrity",),
)

LIMIT_REACHED = Check(
    id="AIBOM-LIM-001",
    name="limit-reached",
    title="A scan limit was reached; the file was examined only partly",
    severity=Severity.LOW,
    help="A size, count or depth read from the file exceeded aibom's configured ceiling. The part "
    "beyond the ceiling was not examined.",
    remediation="Check why the file is so large or deep; raise the limit only for trusted inputs.",
    tags=("completeness",),
)

NOT_ANALYSED = Check(
    id="AIBOM-FMT-003",
    name="analysis-failed",
    title="File could not be analysed; it is not known to be clean",
    severity=Severity.LOW,
    help="aibom's inspector for this format stopped on an unexpected error, so the file (or member) "
    "was not analysed to the end. Nothing is known about the unread part: for a format that can run "
    "code when loaded the finding is medium, because a payload may sit where analysis stopped.",
    remediation="Do not load the file until it has been analysed; report the error message to the "
    "aibom developers with a copy of the file if you can share it.",
    tags=("completeness",),
)

CARD_METADATA = Check(
    id="AIBOM-CARD-001",
    name="card-metadata-problem",
    title="Model or dataset card metadata could not be read completely",
    severity=Severity.INFO,
    help="The card's YAML front matter is missing, misplaced or invalid, so licence, base model and "
    "datasets may be missing from the BOM.",
    remediation="Put valid YAML front matter, delimited by `---` lines, at the very top of README.md.",
    tags=("transparency",),
)

CARD_PLACEHOLDER = Check(
    id="AIBOM-CARD-002",
    name="card-placeholder",
    title="Model card sections still hold template placeholders",
    severity=Severity.INFO,
    help="Sections such as 'More information needed' or '[More Information Needed]' are empty "
    "templates: the card claims to document something it does not.",
    remediation="Fill in the placeholder sections or remove them.",
    tags=("transparency",),
)

HF_CACHE_LAYOUT = Check(
    id="AIBOM-HF-001",
    name="hf-cache-layout",
    title="Hugging Face cache entry is inconsistent",
    severity=Severity.LOW,
    help="A snapshot file is not a link into the repository's blobs folder, a link is dangling, or a ref "
    "does not name a commit. The cache may have been modified by hand.",
    remediation="Re-download the repository into a fresh cache and compare.",
    tags=("integrity",),
)

UNPINNED_REQUIREMENT = Check(
    id="AIBOM-PKG-001",
    name="unpinned-requirement",
    title="Python requirement is not pinned to one version",
    severity=Severity.INFO,
    help="A requirement without an exact version (or a URL, path or editable install) resolves to "
    "different code over time, so the BOM cannot name what actually runs.",
    remediation="Pin exact versions with hashes (e.g. `pip-compile --generate-hashes` or a lock file).",
    tags=("supply-chain",),
)

ZIP_OVERLAPPING_MEMBERS = Check(
    id="AIBOM-ZIP-004",
    name="zip-overlapping-members",
    title="Zip members share or overlap their stored data",
    severity=Severity.LOW,
    help="Several central-directory entries point at the same local entry, or members' data ranges "
    "overlap. No archiver writes this; overlapping members are how zip bombs multiply their output "
    "and how one payload is loaded under several names. aibom analyses shared data once and reports "
    "the other names here.",
    remediation="Rebuild the archive with a standard tool from trusted content and scan it again.",
    cwe=409,
    tags=("evasion", "dos", "zip"),
)

BUDGET_SPENT = Check(
    id="AIBOM-LIM-002",
    name="analysis-budget-spent",
    title="A scan-wide work budget was spent; some content was not analysed",
    severity=Severity.MEDIUM,
    help="Analysing this content would have cost more than the budget aibom gives one archive "
    "(bytes inflated) or one whole scan (time in libhdf5). Crafted files are built to exhaust "
    "scanners this way; what was not analysed may hide a payload.",
    remediation="Inspect the content named in the message by hand, or scan it on its own; raise the "
    "budget only for trusted inputs.",
    cwe=400,
    tags=("completeness", "dos"),
)

PARTIAL_COVERAGE = Check(
    id="AIBOM-COV-001",
    name="partially-analysed",
    title="A file of a format that can run code was not analysed to the end",
    severity=Severity.LOW,
    help="The file's coverage record (aibom:file:coverage) is partial or not-analysed because a "
    "limit or budget stopped analysis before the end, so the lack of other findings does not mean it "
    "is clean. One finding per file, naming every limit behind it; the AIBOM-LIM-001/002 findings say "
    "where each limit was hit (per member), this one gives the file's verdict. Medium when the unread "
    "part could hold code (a pickle stream cut short, archive members not inflated, an HDF5 file not "
    "read, a model graph or configuration not walked to the end); low when only the payloads of "
    "nested-loader calls, each already a finding, were left unscanned. Damage alone (AIBOM-FMT-002) "
    "and failures (AIBOM-FMT-003) are reported by their own findings, not this one.",
    remediation="Do not load the file until its unread part has been checked: scan it on its own "
    "with higher limits (trusted hosts only), or inspect the part named in the message by hand.",
    cwe=400,
    tags=("completeness",),
)

CORE_CHECKS: tuple[Check, ...] = (
    LFS_POINTER,
    FORMAT_MISMATCH,
    MALFORMED_FILE,
    LIMIT_REACHED,
    NOT_ANALYSED,
    CARD_METADATA,
    CARD_PLACEHOLDER,
    HF_CACHE_LAYOUT,
    UNPINNED_REQUIREMENT,
    ZIP_OVERLAPPING_MEMBERS,
    BUDGET_SPENT,
    PARTIAL_COVERAGE,
)
