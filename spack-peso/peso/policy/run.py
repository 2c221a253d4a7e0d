"""Build a policy report: lint each product's recipe, gather the evidence, judge every policy.

Inside Spack the package classes are loaded too (cheaply, without the audit checks
unless ``deep``), so a product whose base class provides stand-alone tests counts as
tested, as ``spack test list`` would say. Outside Spack the lint is purely static.
The evidence folders (``--evidence``) are read by the providers of :mod:`.evidence`;
with none, the recipe is the only evidence, as before, plus what the recipe itself
shows beyond lint (``recipe_facts``).
"""

import os
from typing import Dict, List, Optional, Sequence

from ..lint import engine
from ..lint.config import LintConfig
from ..spackcall.runtime import in_spack
from .compat import apply_claims, claims, read_document
from .definitions import Policy, load_policies
from .evaluate import PolicyReport, evaluate_product, new_report
from .products import Product


def spack_version() -> str:
    if not in_spack():
        return ""
    try:
        import spack

        return "Spack " + str(spack.spack_version)
    except Exception:
        return ""


def build_report(
    products: Sequence[Product],
    config: Optional[LintConfig] = None,
    policies: Optional[List[Policy]] = None,
    use_cache: bool = True,
    deep: bool = False,
    jobs: int = 0,
    evidence_dirs: Sequence[str] = (),
    fill: Optional[Dict[str, str]] = None,
    stack_file: str = "",
) -> PolicyReport:
    config = config or LintConfig()
    policies = policies if policies is not None else load_policies()
    paths = sorted({p.recipe for p in products if p.recipe})
    by_path: Dict[str, list] = {path: [] for path in paths}
    ran = set()
    if paths:
        collector = None
        if in_spack():
            from ..lint.deep.audit import DeepCollector

            collector = DeepCollector(jobs=jobs or config.jobs or 0, audit=deep)
        # deep findings join the way `lint --deep` joins them: profile, suppressions, waivers;
        # the rules that decide a policy run whatever the profile leaves out for lint noise.
        # Every recipe assessed here is a product: membership rules apply to all of them.
        stack = frozenset(p.package for p in products)
        result = engine.lint(
            paths, with_deciding_rules(config, paths, deep), use_cache=use_cache, deep=collector, products=stack
        )
        ran = set(result.active)
        for f in result.findings:
            by_path.setdefault(os.path.abspath(f.path), []).append(f)
    from .evidence import collect

    evidence = collect(list(evidence_dirs), {p.package: p.recipe for p in products}, stack=stack_file)
    reports = []
    for product in products:
        if not product.recipe:
            reports.append(
                evaluate_product(
                    product.name, product.package, "", [], policies, error="no recipe found for %s" % product.package
                )
            )
            continue
        path = os.path.abspath(product.recipe)
        report = evaluate_product(
            product.name,
            product.package,
            path,
            by_path.get(path, []),
            policies,
            ran=ran,
            observations=evidence.of(product.package),
            fill=fill,
        )
        if product.compat:
            claimed, where = own_claims(product.compat)
            apply_claims(report, claimed, product.compat, where)
        reports.append(report)
    policy_report = new_report(policies, reports, spack=spack_version())
    policy_report.evidence_sources = summary_of(evidence)
    return policy_report


def with_deciding_rules(config: LintConfig, paths: Sequence[str], deep: bool) -> LintConfig:
    """The config with every deciding rule of the decision model selected beside the
    profile's own: a profile quietens lint noise, it never decides a policy verdict
    (:mod:`.evaluate` judges their findings at the rules' own severities)."""
    from ..lint.profiles import get_profile
    from .decisions import default_decisions

    rules = engine.known_rules(deep)
    profile = get_profile(config.policy, {engine._namespace(p) for p in paths})
    chosen = set(engine.select_rules(rules, profile, config.select, ()))
    chosen |= {r for d in default_decisions().values() for r in d.deciding if r in rules}
    return config.override(select=sorted(chosen))


def own_claims(path: str):
    """``(claims, where)`` of a product's own document: the E4S YAML, or an xSDK Markdown
    table; ``where`` gives each claim's line and note, so the cell can cite it."""
    from .evidence import file_date
    from .xsdk_doc import is_xsdk_document, read_claims

    if is_xsdk_document(path):
        rows = read_claims(path)
        date = file_date(path)
        return (
            {pid: row["status"] for pid, row in rows.items()},
            {
                pid: {"line": row["line"], "note": "Support: %s. %s" % (row["support"], row["notes"]), "date": date}
                for pid, row in rows.items()
            },
        )
    return claims(read_document(path), path), {}


def summary_of(evidence) -> Dict[str, int]:
    """How many files or folders of each kind the evidence folders held (for the report header)."""
    from .evidence import docportal

    found = evidence.found
    return {
        "check records": len(found.check_records),
        "build records": len(found.build_records),
        "test run records": len(found.test_records),
        "install prefixes": len(found.prefixes),
        "staged sources": len(found.stages),
        "source archives": len(found.archives),
        # an e4s.yaml is DocPortal metadata only when it has DocPortal entries (the
        # product catalogue, environments/catalog/e4s.yaml, is not)
        "DocPortal metadata files": sum(1 for path in found.docportal if docportal.entries(path)),
    }
