#!/usr/bin/env bash
# Regenerates requirements.txt, the lock the action's install step reads: every dependency of
# aibom[all] plus the build backend (hatchling, for `pip install --no-build-isolation` of the action's
# own checkout), pinned for Python 3.10-3.13 on every platform (`--universal`: environment markers
# instead of one platform's answer), each with the sha256 of every file of that version on the index.
# `--no-build`: only versions with wheels, so nothing is built from an sdist whose build dependencies
# would be unpinned. The action installs this file with --require-hashes --only-binary :all:
# --no-deps, then its own checkout with --no-deps --no-index.
#
# Reproducible: the same uv version and the same index cut-off (--exclude-newer) give the same file,
# byte for byte (checked: regenerating with uv 0.13.10 and EXCLUDE_NEWER below reproduces the committed
# file). To move the lock forward, change EXCLUDE_NEWER (and UV_VERSION if needed), run this script,
# then `python .github/action/check.py` (every target platform resolves from wheels with matching
# hashes); tests/action/test_install.py checks the lock agrees with pyproject.toml.
set -euo pipefail
UV_VERSION=0.13.10
EXCLUDE_NEWER=2026-12-07T00:00:00Z
cd "$(dirname "$0")/../.."
have=$(uv --version | cut -d' ' -f2)
if [ "$have" != "$UV_VERSION" ]; then
  echo "lock.sh: uv $UV_VERSION expected, found $have (pip install uv==$UV_VERSION)" >&2
  exit 2
fi
printf 'hatchling>=1.25\n' > .github/action/build.in
uv pip compile pyproject.toml .github/action/build.in --extra all --universal \
  --python-version 3.10 --generate-hashes --no-build --no-header \
  --exclude-newer "$EXCLUDE_NEWER" \
  -o .github/action/requirements.txt
