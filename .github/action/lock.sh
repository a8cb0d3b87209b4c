#!/usr/bin/env bash
# Regenerates requirements.txt: every dependency of aibom[all] plus the build backend, pinned for
# Python 3.10-3.13 on every platform, each with the sha256 of every wheel on the index (wheels only,
# so nothing is built from an sdist whose build dependencies would be unpinned). The action installs
# this file with --require-hashes, then its own checkout with --no-deps --no-index. Run after a
# change to the dependencies in pyproject.toml; tests/action/test_install.py checks the two agree.
set -euo pipefail
cd "$(dirname "$0")/../.."
printf 'hatchling>=1.25\n' > .github/action/build.in
uv pip compile pyproject.toml .github/action/build.in --extra all --universal \
  --python-version 3.10 --generate-hashes --no-build --no-header \
  -o .github/action/requirements.txt
