#!/usr/bin/env bash
# Run the spack-peso test suite. Installs the Python dependencies first (idempotent).
# Tests that need Spack find it through SPACK_ROOT or `spack` on PATH; without either
# they are skipped and the skip reasons are printed at the end (-rs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
python3 -m pip install -q --disable-pip-version-check -e '.[test,solver]' 2>&1 | grep -v -i "warning" || true
exec python3 -m pytest -rs -q tests "$@"
