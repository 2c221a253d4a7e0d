"""Stack-level policy lint: problems that only show across a whole environment.

The recipe linter judges one package.py; a curator also needs to know, for one
generated ``spack.yaml`` (``environments/<target>/spack.yaml``):

* STACK-T001 which roots have no stand-alone test (E4S P2: the stack's test run will
  report nothing for them);
* STACK-G001 which roots ask for a GPU backend (``+cuda``, ``cuda_arch=``, ``+rocm``,
  ``amdgpu_target=``, ``+sycl``) that their recipe does not have, itself or through
  its base classes (the stack would not concretize);
* STACK-G002 conflicting GPU arch values in one stack (two ``cuda_arch`` values among
  the roots and ``packages: all:``, or ``+cuda`` and ``+rocm`` on one root), which give
  two copies of shared dependencies.

Variants (own and inherited) come from the stack generator's catalogue linter
(``peso/stack/catalog_lint.VariantIndex``, over its extracted build-system facts), so this
runs without Spack and agrees with ``spack peso stack`` about what a recipe supports.
"""

import os
import re
from typing import Dict, List, Optional, Sequence, Set

from ..lint.registry import Finding
from ..recipe.parse import load_recipe
from ..stack.generate import envfile
from ..stack.generate.model import BACKENDS
from ..stack.generate.plan import split_root
from .products import recipe_path

_ARCH = {"cuda": re.compile(r"\bcuda_arch=([\w,]+)"), "rocm": re.compile(r"\bamdgpu_target=([\w:+,-]+)")}
_SWITCH = {b: re.compile(r"\+%s(?![\w-])" % b) for b in BACKENDS}
_ARCH_VARIANT = {"cuda": "cuda_arch", "rocm": "amdgpu_target"}


def _problem(rule: str, severity: str, package: str, message: str, path: str, lines: List[str], spec: str = ""):
    """A stack-level problem is a lint :class:`Finding` at the line that lists the spec."""
    line = next((i for i, text in enumerate(lines, 1) if spec and spec in text), 0)
    return Finding(rule, severity, message, path, line=line, package=package)


class _Variants:
    """Variant names per package, own and inherited: the stack generator's catalogue
    linter already resolves them (``stack.catalog_lint.VariantIndex``, following
    build-system bases and other packages' classes), one index per repository."""

    def __init__(self, repos: Sequence[str]):
        from ..stack.generate.catalog_lint import VariantIndex

        self.indexes = [VariantIndex(os.path.join(repo, "packages")) for repo in repos]

    def __call__(self, package: str) -> Optional[Set[str]]:
        """The variant names, or None when the recipe computes them (``for b in ...:
        variant(b)``) and a static reading cannot tell."""
        for index in self.indexes:
            names = index.variants(package)
            if names is not None:
                return None if package in index.dynamic else names
        return set()


def has_own_tests(path: str) -> bool:
    """A non-empty ``test_*`` method in the recipe, or a build-system base class that
    provides one (PythonExtension's ``test_imports``, PerlPackage's ``test_use``, ...),
    as the lint rules read base classes (:mod:`peso.lint.bases`)."""
    from ..lint.rules._common import build_info

    recipe = load_recipe(path)
    if any(m.is_test and not m.is_empty for m in recipe.all_methods()):
        return True
    return build_info(recipe).inherited_tests


def _config_strings(value) -> List[str]:
    """Spec strings of a packages.yaml entry value (string, list, or {spec: ...} items)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _config_strings(value.get("spec") or value.get("one_of") or value.get("any_of") or [])
    if isinstance(value, list):
        return [s for item in value for s in _config_strings(item)]
    return []


def stack_defaults(env: dict) -> List[str]:
    """``packages: all:`` variants and requirements: they apply to every root."""
    everything = ((env.get("packages") or {}).get("all")) or {}
    return _config_strings(everything.get("variants")) + _config_strings(everything.get("require"))


def lint_stack(path: str, repos: Sequence[str]) -> List[Finding]:
    env = envfile.load_environment(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    variants_of = _Variants(repos)
    problems: List[Finding] = []
    tested: Dict[str, bool] = {}
    arch_values: Dict[str, Dict[str, List[str]]] = {"cuda": {}, "rocm": {}}
    for spec in envfile.specs(env):
        name = envfile.root_name(spec)
        if not name:
            continue
        recipe = recipe_path(name, repos)
        root, deps = split_root(spec)
        for backend, pattern in _ARCH.items():
            for m in pattern.finditer(spec):
                arch_values[backend].setdefault(m.group(1), []).append(name)
        if not recipe:
            problems.append(_problem("STACK-R001", "error", name, "no recipe in the repositories", path, lines, spec))
            continue
        if name not in tested:
            tested[name] = has_own_tests(recipe)
            if not tested[name]:
                problems.append(
                    _problem("STACK-T001", "warning", name, "root has no stand-alone test (E4S P2)", path, lines, spec)
                )
        wanted = [b for b in BACKENDS if _SWITCH[b].search(root)]
        wanted += [b for b, v in _ARCH_VARIANT.items() if re.search(r"\b%s=" % v, root) and b not in wanted]
        if wanted:
            variants = variants_of(name)
            for backend in wanted if variants is not None else ():
                needed = [backend] + (
                    [_ARCH_VARIANT[backend]] if re.search(r"\b%s=" % _ARCH_VARIANT.get(backend, "-"), root) else []
                )
                lacking = [v for v in needed if v not in (variants or ())]
                if lacking:
                    problems.append(
                        _problem(
                            "STACK-G001",
                            "error",
                            name,
                            "listed for %s but the recipe has no %s variant" % (backend, "/".join(lacking)),
                            path,
                            lines,
                            spec,
                        )
                    )
        if _SWITCH["cuda"].search(root) and _SWITCH["rocm"].search(root):
            problems.append(
                _problem("STACK-G002", "error", name, "root enables both +cuda and +rocm", path, lines, spec)
            )
    for text in stack_defaults(env):
        for backend, pattern in _ARCH.items():
            for m in pattern.finditer(text):
                arch_values[backend].setdefault(m.group(1), []).append("packages:all")
    for backend, values in arch_values.items():
        if len(values) > 1:
            listing = "; ".join(
                "%s=%s (%s)" % (_ARCH_VARIANT[backend], v, ", ".join(sorted(set(p))[:5]))
                for v, p in sorted(values.items())
            )
            problems.append(
                _problem(
                    "STACK-G002",
                    "warning",
                    "",
                    "conflicting %s values in one stack: %s" % (_ARCH_VARIANT[backend], listing),
                    path,
                    lines,
                )
            )
    return problems
