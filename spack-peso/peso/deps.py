"""The third-party Python packages spack-peso imports, and the one line a user sees when
one is missing (instead of a traceback from deep inside a command)."""

from typing import Optional

#: importable module -> the requirement that provides it (pyproject.toml's dependencies)
REQUIREMENTS = {
    "yaml": "pyyaml",
    "jsonschema": "jsonschema",
    "jinja2": "jinja2",
    "archspec": "archspec",
    "license_expression": "license-expression",
    "clingo": "clingo",
}


def missing_message(error: ModuleNotFoundError) -> Optional[str]:
    """One line naming the missing package and how to install it, or None when the
    missing module is not one of ours (a bug, which keeps its traceback)."""
    top = (error.name or "").split(".")[0]
    requirement = REQUIREMENTS.get(top)
    if requirement is None:
        return None
    return (
        "missing Python package %r (module %s): install it with 'python3 -m pip install %s', "
        "or install spack-peso with 'python3 -m pip install -e .'" % (requirement, top, requirement)
    )
