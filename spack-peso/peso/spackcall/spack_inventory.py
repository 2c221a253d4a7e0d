"""Inventory of a Spack environment's roots, run INSIDE Spack (``spack -e ENV python``).

Why a standalone script: ``stack build`` and ``stack test`` drive the real ``spack``
executable (crash and timeout isolation, the user's config scopes), but what they need
to plan a run (root hashes, installed or not, the recipe's ``test_*`` methods and
maintainers, each root's dependency hashes) is only known to Spack itself. One ``spack
python`` call answers all of it as JSON on stdout. It must not import ``peso``: it runs
under whatever Python Spack uses, with Spack's import path.

Usage: ``spack [-C SCOPE] -e ENV python spack_inventory.py`` -> JSON on stdout:
``{"roots": [...], "unconcretized": [...]}``.

Only roots that ``spack.yaml`` still asks for are listed: a ``spack.lock`` written for
an older ``spack.yaml`` keeps roots the file no longer names, and testing those would
test a stack nobody asked for. Specs of ``spack.yaml`` that the lock does not hold
are listed apart (Spack's own test: user specs minus concretized user specs).
"""

import json
import sys


def inventory():
    import spack.environment as ev
    import spack.install_test
    import spack.repo

    env = ev.active_environment()
    if env is None:
        raise SystemExit("spack_inventory.py: run with 'spack -e ENV python'")
    roots = []
    seen = set()
    wanted = set(env.user_specs) | set(getattr(env, "included_user_specs", []))
    for abstract, spec in env.concretized_specs():
        if abstract not in wanted or spec.dag_hash() in seen:
            continue
        seen.add(spec.dag_hash())
        try:
            pkg_cls = spack.repo.PATH.get_pkg_class(spec.fullname)
            tests = sorted({fn.__name__ for _, fn in spack.install_test.test_functions(pkg_cls)})
            maintainers = list(getattr(pkg_cls, "maintainers", []) or [])
            recipe = getattr(pkg_cls, "module", None)
            recipe = getattr(recipe, "__file__", None)
        except spack.repo.UnknownPackageError:
            tests, maintainers, recipe = [], [], None
        deps = [
            {"name": d.name, "hash": d.dag_hash()}
            for d in spec.traverse(root=False, deptype=("link", "run", "build"))
            if not d.external
        ]
        roots.append(
            {
                "package": spec.name,
                "namespace": spec.namespace,
                "version": str(spec.version),
                "hash": spec.dag_hash(),
                "spec": spec.format("{name}{@version}{variants}"),
                "installed": bool(spec.installed),
                "external": bool(spec.external),
                "tests": tests,
                "maintainers": maintainers,
                "recipe": recipe,
                "deps": deps,
            }
        )
    concretized = set(env.all_concretized_user_specs())
    unconcretized = [str(s) for s in env.user_specs if s not in concretized]
    return {"roots": roots, "unconcretized": unconcretized}


if __name__ == "__main__":
    json.dump(inventory(), sys.stdout)
    sys.stdout.write("\n")
