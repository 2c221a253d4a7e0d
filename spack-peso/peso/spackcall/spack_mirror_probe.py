"""Run by ``spack -e ENV python spack_mirror_probe.py MIRROR``: print, as one JSON line,
the sources (main archive, resources, patches) of the environment's concrete specs that
are still to be built and that MIRROR does not hold, at any of the paths Spack's own
mirror layout would look for them."""

import json
import os
import sys

import spack.environment as ev

mirror = sys.argv[1]
env = ev.active_environment()
missing = []
seen = set()
for spec in env.all_specs():
    if spec.external or spec.dag_hash() in seen:
        continue
    seen.add(spec.dag_hash())
    if spec.installed or not spec.package.has_code:
        continue
    for stage in spec.package.stage:
        layout = getattr(stage, "mirror_layout", None)
        if layout is None:
            continue
        paths = [p for p in layout if p]
        if not any(os.path.exists(os.path.join(mirror, p)) for p in paths):
            fetcher = getattr(stage, "fetcher", None)
            missing.append(
                {
                    "spec": spec.format("{name}@{version}"),
                    "file": paths[0] if paths else "?",
                    "url": getattr(fetcher, "url", None) or str(fetcher),
                }
            )
print(json.dumps(missing))
