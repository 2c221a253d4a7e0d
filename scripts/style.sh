#!/usr/bin/env bash
# The project's own style checks (what CI makes, before the tests; pre-commit runs the same):
#   ruff check, ruff format --check (settings in pyproject.toml) and mypy on the whole
#   package. Tools come from the 'dev' extra: pip install -e '.[dev]'.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy  # files and settings: [tool.mypy] in pyproject.toml
