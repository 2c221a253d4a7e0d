"""Validating a loaded document against a JSON Schema (kept as YAML or JSON), with
one-line errors.

One implementation for every schema of the project (catalogue, target profiles, run
records): jsonschema does the validation; this module only picks the most relevant
error and words it as ``file: key.path: message``. Under ``spack peso`` with a bare
Python, Spack's vendored jsonschema serves (run records are JSON for that reason: no
PyYAML there).
"""

import functools
import json
from typing import Any

from .errors import PesoError


def _jsonschema():
    try:
        import jsonschema
    except ImportError:
        import spack.vendor.jsonschema as jsonschema
    return jsonschema


@functools.lru_cache(maxsize=None)
def _validator(schema_path: str):
    with open(schema_path, encoding="utf-8") as f:
        if schema_path.endswith(".json"):
            schema = json.load(f)
        else:
            import yaml

            schema = yaml.safe_load(f)
    cls = _jsonschema().validators.validator_for(schema)
    return cls(_inline_refs(schema, schema.get("$defs", {})))


def _inline_refs(node, defs):
    """Replace local ``$ref: '#/$defs/x'`` by the definition (our schemas are not
    recursive): ``$ref`` resolution dominates validation time of a 2,400-line catalogue."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/") and len(node) == 1:
            return _inline_refs(defs[ref[len("#/$defs/") :]], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def _key_path(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "(top level)"


def validate(doc: Any, schema_path: str, path) -> None:
    """Raise a one-line PesoError for the most relevant schema violation, if any."""
    if not isinstance(doc, dict):
        raise PesoError("expected a mapping at the top level", path=path)
    errors = list(_validator(schema_path).iter_errors(doc))
    if errors:
        best = _jsonschema().exceptions.best_match(errors)
        message = best.message
        if len(message) > 160:
            message = message[:157] + "..."
        raise PesoError(message, path=path, key=_key_path(best))
