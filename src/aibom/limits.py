"""Every ceiling aibom applies to untrusted input, in one place, each with its reason.

A value read from a scanned file (a length, a count, a depth, a decompressed size) is checked against
these before it is used. Hitting a limit is a finding, never an exception that escapes a stage.
"""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    # hashing
    hash_buffer: int = 1 * MiB
    """Read buffer per hashing worker; bounds memory whatever the file size."""
    head_bytes: int = 4 * KiB
    """Bytes kept from the start of each file for classification (read in the hashing pass)."""

    # discovery
    max_files: int = 1_000_000
    """Files walked per scan; a tree beyond this is reported incomplete."""
    max_dir_depth: int = 64
    """Directory nesting; deeper trees are symlink or bind-mount loops in practice."""

    # text metadata (cards, configs, lock files)
    max_text_file: int = 16 * MiB
    """Largest card, config, requirements or lock file parsed; bigger ones are skipped with a reason."""
    max_front_matter: int = 1 * MiB
    """Characters of YAML front matter parsed; real cards hold a few KiB (PyYAML is slow on megabytes)."""
    max_yaml_nodes: int = 100_000
    """YAML front matter nodes; bounds alias ("billion laughs") expansion."""
    max_json_depth: int = 64
    """Nesting depth of JSON/YAML metadata documents."""
    max_requirements_depth: int = 16
    """Nested -r/-c includes in requirements files."""

    # safetensors
    max_safetensors_header: int = 100 * MiB
    """Header length accepted (the safetensors library uses the same bound)."""
    max_tensors: int = 250_000
    """Tensors described in one header. Real files hold a few hundred to a few thousand (a whole
    671B mixture-of-experts checkpoint about 90,000 across all its shards); parsing costs about
    4 microseconds per tensor, so this keeps a header within about a second. Past it the file is
    partly analysed (a LIMIT_REACHED finding; tensors hold no code)."""
    max_safetensors_entry: int = 16 * MiB
    """Longest single entry of the header (one tensor's description, or ``__metadata__``); the header
    is parsed one entry at a time, so this bounds the text held in memory at once."""

    # containers and compression
    max_members: int = 100_000
    """Entries listed from one archive or index."""
    max_nesting: int = 8
    """Containers inside containers (zip in tar in gzip ...); deeper content is reported, not opened."""
    max_decompressed: int = 16 * GiB
    """Bytes produced by decompressing one member or stream before it is abandoned (bombs)."""
    max_compression_ratio: int = 200
    """Decompressed/compressed ratio beyond which a stream is treated as a bomb (once past 64 MiB)."""
    max_member_bytes_in_memory: int = 64 * MiB
    """Largest member held in memory at once; bigger members are streamed or spooled to disk."""
    max_archive_inflated_bytes: int = 4 * GiB
    """Bytes inflated from one zip archive in total, every member and every re-read counted (about
    3 s of zlib). Each local entry is inflated once however many central entries point at it; an
    archive that needs more (overlapping or quoted members: a bomb) has its remaining members
    reported as not analysed."""

    # pickle and other opcode or graph walks
    max_pickle_opcodes: int = 50_000_000
    """Opcodes walked in one pickle stream (a 5 GB checkpoint has far fewer: payloads are skipped)."""
    max_pickle_bytes: int = 64 * GiB
    """Bytes walked in one pickle stream; large BINBYTES/BINUNICODE payloads are skipped by seeking."""
    max_stack_depth: int = 100_000
    """Simulated pickle stack and memo entries kept while resolving imports."""
    max_config_bytes: int = 64 * MiB
    """JSON model configurations (Keras config.json, H5 model_config) parsed."""
    max_template_bytes: int = 1 * MiB
    """Chat templates examined per key."""

    # CycloneDX documents read back (report, diff, score, audit, verify --bom, the Action)
    max_bom_bytes: int = 256 * MiB
    """Largest BOM read, JSON or XML: about 400,000 file components of aibom's own JSON. Parsing takes
    several times the file size in memory; a typical model's BOM is a few hundred KiB."""
    max_bom_components: int = 1_000_000
    """Components in one BOM, nested ones included (aibom writes about one per scanned file)."""
    max_bom_depth: int = 64
    """Nesting of arrays/objects (JSON) or elements (XML) in a BOM read; aibom writes about 10.
    Deeper documents are refused before anything walks them, so no reader can exhaust the stack."""
    max_bom_properties: int = 2000
    """Properties read per component when scoring; aibom writes a few dozen."""
    max_bom_vulnerabilities: int = 100_000
    """Vulnerabilities (and dependency entries) read from one BOM when scoring."""
    max_bom_affects: int = 1000
    """Components one vulnerability is read as affecting when scoring."""

    # pickle streams (beyond the opcode and byte budgets above)
    max_pickle_line: int = 64 * KiB
    """Longest newline-terminated argument (GLOBAL names, protocol-0 numbers); longer is a broken stream."""
    max_pickle_kept_bytes: int = 4 * KiB
    """Payloads up to this size are kept as values (names, dtype strings); larger ones are skipped."""
    max_pickle_imports: int = 10_000
    """Distinct (module, name) pairs recorded per stream; real checkpoints use a few dozen."""
    max_pickle_records: int = 1_000
    """Unresolved operations and nested payloads recorded (and scanned) per stream; the first ones
    carry the evidence."""
    max_pickle_scan_values: int = 512
    """Values visited when looking for imported objects in one call's arguments; also tuple items kept."""
    max_pickle_stacked: int = 10_000
    """Pickles walked one after another in one stream (legacy PyTorch writes five)."""
    max_pickle_salvage_bytes: int = 1 * MiB
    """Bytes after a break searched for import patterns another unpickler might still reach."""
    max_joblib_embedded_depth: int = 4
    """Object arrays holding object arrays: joblib pickles them inline, each a pickle of its own."""
    max_pickle_sniff_cut: int = 512
    """How far before the end of the head the last opcode may start when the head cuts a longer pickle."""

    # compression (with max_decompressed and max_compression_ratio above)
    max_ratio_free_bytes: int = 64 * MiB
    """Ratio checks start once this much has been produced (small members legitimately compress well)."""

    # GGUF
    max_gguf_kv: int = 100_000
    """Metadata entries (real files hold 20-60)."""
    max_gguf_key_bytes: int = 65_535
    """Longest metadata key (the GGUF specification's bound)."""
    max_gguf_array_len: int = 64 * 1024 * 1024
    """Elements in one metadata array (vocabularies and merges hold up to about a million)."""
    max_gguf_array_depth: int = 4
    """Arrays nested in arrays (gguf-py recurses without a bound)."""

    # chat templates (constant folding)
    max_template_consts: int = 64
    """Possible constant values kept per expression; beyond this the value counts as computed."""
    max_template_const_len: int = 4096
    """Longest folded string; longer results count as computed (bounds ``'_' * 10**9``)."""
    max_template_fold_depth: int = 200
    """Expression nesting followed while folding; deeper expressions count as computed."""

    # protobuf (ONNX, TensorFlow)
    max_proto_fields: int = 20_000_000
    """Protobuf fields visited per file (a graph of a million nodes needs under ten million)."""
    max_proto_group_depth: int = 32
    """Nesting of deprecated protobuf groups skipped inside unknown fields."""
    max_proto_name_bytes: int = 4096
    """Longest op, node, function, key or path string read; longer values cannot name a real op."""
    max_onnx_graph_depth: int = 32
    """Subgraph nesting (If/Loop/Scan bodies) followed; protobuf itself refuses 100 levels."""
    max_onnx_external_refs: int = 1_000_000
    """Tensors with external data recorded per model."""

    # other model formats
    max_safetensors_metadata: int = 10_000
    """Entries in a safetensors ``__metadata__`` map; real files hold a handful."""
    max_keras_config_nodes: int = 5_000_000
    """JSON values walked in one Keras configuration (a large Functional model has ~10^5)."""
    max_keras_config_depth: int = 1_000
    """Nesting walked; Python's JSON decoder refuses deeper documents anyway (RecursionError)."""
    max_npy_header: int = 64 * KiB
    """Longest .npy header parsed; numpy itself refuses more than 10,000 bytes unless told otherwise."""
    max_h5_seconds: int = 60
    """Wall time all isolated HDF5 readers of one scan get together (each file also has its own
    timeout, ``aibom.formats.keras.h5.H5_TIMEOUT_SECONDS``): N crafted files that make libhdf5 loop
    cost this, not N times the per-file timeout. Files left when it is spent are not analysed."""

    # local discovery, cards and package metadata
    max_hf_ref_bytes: int = 256
    """Bytes read from a Hugging Face cache ref file; a real one holds a 40-hex commit id."""
    max_card_preamble_lines: int = 40
    """Lines (blank, badge, HTML) looked through for front matter that is not at the top of a card."""
    max_card_property_chars: int = 4096
    """Characters of one card front-matter value kept as an ``aibom:card:hf:<key>`` property (compact
    JSON for lists and mappings); a longer value is cut and its key listed in ``aibom:card:truncated-keys``."""
    max_card_properties: int = 200
    """Front-matter keys of one card kept as ``aibom:card:hf:<key>`` properties; real cards leave a
    dozen or so. Keys past it are listed, with the reason, in ``aibom:card:dropped-keys``."""
    max_license_chars: int = 200
    """Longest licence expression parsed, or free-text licence name kept, from package metadata."""

    # Hugging Face Hub (hf:// targets)
    max_hub_response: int = 64 * MiB
    """Largest Hub API body read (model info, refs, paths-info). The listing of a 100,000-file repository
    with file metadata is about 20 MiB; anything bigger is refused rather than parsed."""
    max_hub_error_body: int = 64 * KiB
    """Largest error body read from the Hub; its real error bodies are a few hundred bytes of JSON."""
    max_hub_redirects: int = 5
    """Redirects followed per request (the Hub redirects LFS downloads once, to its CDN)."""
    max_remote_files: int = 100_000
    """Files taken from one repository listing; the rest are reported as not examined."""
    max_remote_relpath: int = 1024
    """Longest file path accepted from a listing (the Hub's own limit is lower)."""
    max_security_paths: int = 1_000
    """Files whose per-file scan status is asked for (20 requests); weights and code come first."""
    max_remote_central_directory: int = 64 * MiB
    """Largest zip central directory fetched (100,000 members with long names fit in about 20 MiB)."""
    max_failed_fetches: int = 3
    """Files whose fetch failed (after retries) before fetching stops for the rest of the repository."""

    # transparency rules (shipped and --rules DIR) and what they read from BOMs
    max_rule_files: int = 5000
    """Rule files read from one directory tree; a rules directory with more is a mistake (wrong folder)."""
    max_rule_file_chars: int = 64 * KiB
    """Largest rule file read. The biggest shipped rule is under 4 KiB; 64 KiB leaves room for many tests."""
    max_rule_nodes: int = 20_000
    """YAML nodes visited per rule file (aliases count each time they are used): bounds alias expansion."""
    max_rule_depth: int = 40
    """Nesting depth of a rule file; conditions nest a few levels, recursive aliases would nest forever."""
    max_condition_depth: int = 12
    """Nesting of all/any/not/for_each; deeper trees are unreadable and are refused."""
    max_path_chars: int = 400
    """Longest path accepted in a rule."""
    max_path_segments: int = 24
    """Segments per path; real paths have fewer than ten."""
    max_path_values: int = 10_000
    """Values one path evaluation may produce, and items of one list it looks at."""
    max_path_visits: int = 200_000
    """Nodes one path evaluation may visit (``a[].b[]`` over two 10,000-item lists would be 10^8)."""
    max_pattern_chars: int = 512
    """Longest regular expression a rule may use."""
    max_pattern_memory: int = 8 * MiB
    """Memory RE2 may use for one compiled pattern."""
    max_match_chars: int = 8192
    """Characters of a BOM string that a pattern or text test looks at (the rest is ignored)."""
    max_rule_texts: int = 1000
    """Strings gathered from one value for a text test."""
    max_spdx_expression_chars: int = 512
    """Longest licence expression parsed by a ``spdx_in`` test; longer strings are not licences."""

    # vulnerability databases and signature material (OSV exports and API, bundles, trust roots)
    max_osv_id_chars: int = 128
    """Longest advisory id or alias kept (real ids are under 40 characters)."""
    max_osv_summary_chars: int = 1_024
    """Characters of ``summary`` kept (the schema recommends 120)."""
    max_osv_details_chars: int = 16_384
    """Characters of ``details`` kept; longer texts are cut and marked."""
    max_osv_list: int = 10_000
    """Entries kept from any list (aliases, affected, ranges, events, references, severities)."""
    max_osv_versions: int = 100_000
    """Entries of one ``affected[].versions`` list (PyPI packages with decades of releases stay far below)."""
    max_osv_response_bytes: int = 32 * MiB
    """Largest response body read from the API."""
    max_osv_pages: int = 50
    """Pages followed for one package (each page holds up to 1,000 ids)."""
    max_osv_records: int = 20_000
    """Distinct advisories fetched in one run."""
    max_osv_database_bytes: int = 8 * GiB
    """Largest export accepted (OSV's PyPI all.zip is tens of MiB; all ecosystems together a few GiB)."""
    max_osv_database_members: int = 2_000_000
    """Members of the export (PyPI has tens of thousands of records)."""
    max_osv_central_directory: int = 512 * MiB
    """Central directory read to fingerprint and list the export."""
    max_osv_record_bytes: int = 8 * MiB
    """Largest single OSV record decoded (the biggest real ones, with long version lists, are ~1 MiB)."""
    max_osv_total_bytes: int = 16 * GiB
    """Bytes decompressed from the export in total before indexing is abandoned."""
    max_bundle_bytes: int = 64 * MiB
    """Largest signature bundle read. An OMS manifest lists ~150 bytes per file, so this holds about
    400,000 files; real bundles are a few KiB. Bigger files are refused, not read."""
    max_bundle_certificates: int = 16
    """Certificates accepted in one bundle's chain; real chains hold one to three."""
    max_trust_file_bytes: int = 4 * MiB
    """Largest key, CA bundle or trusted-root file read; real ones are a few KiB (a full web-PKI bundle
    is about 250 KiB)."""

    # output
    max_card_lines: int = 50_000
    """Lines of a card's Markdown body split into sections and checked for placeholders. Real cards
    hold hundreds to a few thousand lines; each line costs a few microseconds of Python, so this keeps
    a 16 MiB card of short lines or headings within about half a second. The rest is not read for
    sections (a LIMIT_REACHED finding says so)."""
    max_card_heading_chars: int = 200
    """Characters of a card heading kept and matched to section names (the longest template heading
    is 50); a 16 MiB heading line would otherwise be copied into findings and every report."""
    max_card_view_items: int = 50
    """Entries of one model-card or data list (users, metrics, datasets, ...) shown in the HTML and
    Markdown reports; the rest are counted ("N more not shown")."""
    max_card_view_text: int = 2_000
    """Characters of one model-card value shown in reports; cards can hold megabytes of prose."""
    max_card_view_values: int = 1_000
    """Values shown per model card (or per data component) in reports; a real card has a few dozen.
    Beyond it the card is marked truncated."""


DEFAULT_LIMITS = Limits()
