"""What the Spack that will read a rendered stack accepts, asked from Spack itself.

Spec groups (``group:``/``needs:``/``override:``, spack/spack#51891) exist only in newer
Spack; the reference Spack 1.2.0.dev0 (Jan 2026) rejects them. Inside Spack we inspect
``spack.schema.env``; outside we run ``spack python`` once per process; without any
Spack we assume no groups (the portable choice).
"""

import functools
import json
import subprocess

from .runtime import find_spack, in_spack

#: Python run inside Spack: True when an env spec-list item may be a group object
_PROBE = r"""
import json, spack.schema.env as e
def walk(node):
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and "group" in props and "specs" in props:
            return True
        return any(walk(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(walk(v) for v in node)
    return False
print(json.dumps(walk(e.schema)))
"""


def schema_has_groups(schema):
    namespace: dict = {}
    exec(_PROBE.split("print(")[0].replace("import json, spack.schema.env as e", ""), namespace)
    return namespace["walk"](schema)


@functools.lru_cache(maxsize=None)
def supports_groups():
    if in_spack():
        import spack.schema.env

        return schema_has_groups(spack.schema.env.schema)
    spack = find_spack()
    if not spack:
        return False
    try:
        from .process import run_spack_python

        out = run_spack_python(spack, _PROBE, timeout=120)
        return bool(json.loads(out.stdout.strip().splitlines()[-1]))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return False
