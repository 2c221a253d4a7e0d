"""Facts read from the recipe beyond lint findings: does Spack change the product's source?

Why: E4S P3 (sustainability) asks that changes made for E4S live in the product's own
releases, not in E4S-only copies. A recipe that applies no ``patch()`` (directive or method), edits
no file with ``filter_file`` and fetches no extra ``resource()`` builds the upstream release as
it is, so E4S carries no change of its own: that decides P3. When it does carry
changes, whether they were upstreamed needs a human, so that is only partial.
"""

from typing import Dict, List

from ...recipe.parse import load_recipe
from . import Observation, display_path


def changes(recipe) -> List[tuple]:
    """``(what, line)`` for every way the recipe changes the upstream source.

    Calls are looked for in the whole file, not only the package class's directives: a
    base class in the same file (``LibflameBase``) or a module helper (tcsh's
    ``fedora_patch``) applies patches too.
    """
    kinds = {"patch": "patch()", "resource": "resource()", "filter_file": "filter_file()"}
    found = [(kinds[name.split(".")[-1]], node.lineno) for name, node in recipe.calls if name.split(".")[-1] in kinds]
    # a patch(self) method edits the staged source before the build, like a patch file
    found += [("def patch()", m.line) for m in recipe.all_methods() if m.name == "patch"]
    for d in recipe.directives_named("version"):
        branch = d.kw_str("branch") or ""
        if "e4s" in branch.lower():
            found.append(("version on branch %r" % branch, d.line))
    return sorted(found, key=lambda item: item[1])


def inherits_a_package(recipe) -> bool:
    """True when the class derives from another package's class (its patches are not in this file)."""
    for base in recipe.package_class.bases:
        imported = recipe.imports.get(base.split(".")[0], "")
        if ".packages." in imported or ".packages." in base:
            return True
    return False


def read(packages: Dict[str, str]) -> List[Observation]:
    observations = []
    for package, path in sorted(packages.items()):
        if not path:
            continue
        recipe = load_recipe(path)
        if recipe.error or recipe.package_class is None or inherits_a_package(recipe):
            continue  # unknown: nothing observed rather than a guess
        found = changes(recipe)
        where = display_path(path)
        if found:
            kinds = sorted({what.split(" ")[0] for what, _ in found})
            observations.append(
                Observation(
                    package,
                    "recipe.changes_source",
                    "yes",
                    "%s:%d" % (where, found[0][1]),
                    "",
                    "the recipe changes the upstream source: %d x %s" % (len(found), ", ".join(kinds)),
                )
            )
        else:
            observations.append(
                Observation(
                    package,
                    "recipe.changes_source",
                    "no",
                    where,
                    "",
                    "no patch() directive or method, filter_file() or resource() in the recipe: Spack builds the upstream release unchanged",
                )
            )
    return observations
