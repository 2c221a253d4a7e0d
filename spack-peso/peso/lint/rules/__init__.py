"""Lint rules, one module per policy area; importing this package registers them all.

Each check is ``check(recipe) -> Iterable[Finding]`` over the static model in
:mod:`peso.recipe`; documentation and severities live in ``lint/data/rules.yaml``."""

from . import (  # noqa: F401
    conditions,
    dependencies,
    dependency_variants,
    dependency_versions,
    hygiene,
    license,
    metadata,
    source,
    standalone_setup,
    testing,
    variants,
    versions,
)
