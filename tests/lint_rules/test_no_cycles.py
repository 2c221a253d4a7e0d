"""The runner lints with the cyclic garbage collector paused (a quarter of a cold run's
CPU went to it), which is only safe while the recipe model and the rules leave no
reference cycles behind: each recipe must be freed by reference counting alone."""

import gc
import glob
import os

from peso.lint import engine
from peso.lint.runner import lint_file


def test_linting_real_recipes_leaves_no_cyclic_garbage(builtin_packages):
    rules = [r for r in engine.known_rules().values() if r.kind == "static"]
    paths = sorted(glob.glob(os.path.join(builtin_packages, "*", "package.py")))[::45]
    assert len(paths) > 150
    lint_file(paths[0], rules)  # first use fills module-level caches (build-system facts)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for path in paths:
            lint_file(path, rules)
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()
