"""recipe.changes_source (what decides E4S P3 / xSDK M15 from the recipe) recounted
independently over the reference builtin recipes: a comment-stripped text search for
patch(, resource(, filter_file( and e4s branches must agree with the AST reading on
every recipe it judges."""

import glob
import os
import re

from peso.policy.evidence import recipe_facts
from peso.recipe.parse import load_recipe

_CALL = re.compile(r"(^|[^\w.])(patch|resource|filter_file)\(")
_E4S_BRANCH = re.compile(r"branch=[\"'][^\"']*e4s", re.I)


def test_changes_source_agrees_with_a_text_search(builtin_packages):
    judged, disagree = 0, []
    for path in sorted(glob.glob(os.path.join(builtin_packages, "*", "package.py"))):
        recipe = load_recipe(path)
        if recipe.error or recipe.package_class is None or recipe_facts.inherits_a_package(recipe):
            continue
        with open(path, encoding="utf-8") as f:
            code = "\n".join(line.split("#")[0] for line in f.read().splitlines())
        by_text = bool(_CALL.search(code) or _E4S_BRANCH.search(code))
        judged += 1
        if by_text != bool(recipe_facts.changes(recipe)):
            disagree.append(os.path.basename(os.path.dirname(path)))
    assert judged > 8000
    assert disagree == []
