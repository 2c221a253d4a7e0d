#!/usr/bin/env bash
# Run the spack-peso test suite (what CI runs, through .ci/run).
#   1. the Python dependencies (editable install with the test and solver extras)
#   2. the Debian packages the tests use (scripts/system-deps.sh: installs them as root,
#      else names what is missing in one line)
#   3. a ready Spack: `python -m peso bootstrap` (SPACK_ROOT, PATH, the user cache, or the
#      pinned archives in ../shared/spack)
#   4. the style checks (scripts/style.sh: ruff check, ruff format --check, mypy) and the
#      documentation build (Sphinx, warnings as errors)
#   5. pytest over every tier. Extra arguments go to pytest, e.g. the fast tier alone:
#      bash scripts/test.sh -m "not spack and not slow"
# Under CI=true nothing may be missing: a test that lacks Spack, the reference recipes or
# Chromium fails instead of skipping.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
python3 -m pip install -q --disable-pip-version-check -e '.[test,solver,dev,docs]' 2>&1 | grep -v -i "warning" || true
bash scripts/system-deps.sh
if ! python3 -m peso bootstrap --no-git; then
    if [ "${CI:-}" = "true" ]; then exit 2; fi
    echo "no Spack: the tests that need it are skipped (run 'python3 -m peso bootstrap')"
fi
bash scripts/style.sh
docs_out="$(mktemp -d)"
python3 -m sphinx -W --keep-going -q -b html docs "$docs_out"
rm -rf "$docs_out"
exec python3 -m pytest -rs -q tests "$@"
