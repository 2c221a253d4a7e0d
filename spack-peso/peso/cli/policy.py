"""``spack peso policy``: per-product E4S/xSDK compliance reports.

``policy report`` lints each product's recipe and writes, into ``--output-dir``:
``compat/<product>.yaml`` (one E4S compatibility document per product, upstream
format), ``report.md``, ``report.html`` (products x policies matrix) and ``report.json``
(what ``--compare`` reads). ``policy stack`` is the stack-level view of one generated
environment. Exit status: 0, or 1 when a product's own document is contradicted, a
``--compare`` shows regressions, or ``policy stack`` finds problems.
"""

import os

from .. import ui
from ..errors import PesoError
from ..lint.config import load_config
from . import options

description = "per-product E4S/xSDK policy compliance reports"


def setup_parser(subparser):
    sp = subparser.add_subparsers(metavar="SUBCOMMAND", dest="policy_command")
    sp.required = True

    report = sp.add_parser("report", help="policy status per product: compatibility YAML, Markdown, HTML")
    report.add_argument("packages", nargs="*", metavar="PKG", help="package names (products)")
    source = report.add_mutually_exclusive_group()
    source.add_argument("--products", metavar="FILE", help="YAML list of products (name, package, recipe, compat)")
    source.add_argument("--stack", metavar="SPACK_YAML", help="the root specs of this environment are the products")
    report.add_argument(
        "--repo", action="append", metavar="DIR", help="repository to find recipes in (default: Spack's)"
    )
    report.add_argument(
        "--compat-dir",
        metavar="DIR",
        help="products' own documents: DIR/<product>.yaml, DIR/<product>/.e4s/*compat*.yaml or an xSDK DIR/<product>-policy-compatibility.md",
    )
    report.add_argument(
        "-o",
        "--out",
        "--output-dir",
        dest="output_dir",
        metavar="DIR",
        default="peso-policy-report",
        help="where to write the report (default ./peso-policy-report)",
    )
    report.add_argument(
        "--compare", metavar="OLD", help="an older report (folder, report.json or YAML) to diff against"
    )
    report.add_argument("--policy", metavar="PROFILE", default="all", help="lint profile (default all)")
    report.add_argument("--deep", action="store_true", help="inside Spack: also run Spack's audit checks")
    report.add_argument("--jobs", "-j", type=options.jobs, default=None, help="worker processes")
    report.add_argument("--no-cache", action="store_true", help="do not use the lint result cache")
    report.add_argument(
        "--evidence",
        nargs="+",
        action="extend",
        default=[],
        metavar="DIR",
        help="run folders, environments, install trees, mirrors to read evidence from: "
        "check records (*.jsonl), build.json, runs/*/record.json, prefixes, sources",
    )
    report.set_defaults(func=report_command)

    explain = sp.add_parser("explain", help="a policy's evidence ladder: what passes, fails, is partial")
    explain.add_argument("policy_id", metavar="POLICY", help="policy id, e.g. E4S-P2 or xSDK-R7")
    explain.set_defaults(func=explain_command)

    stack = sp.add_parser("stack", help="stack-level policy lint of a generated environment (spack.yaml)")
    stack.add_argument("env", metavar="SPACK_YAML", help="environment file, e.g. environments/<target>/spack.yaml")
    stack.add_argument("--repo", action="append", metavar="DIR", help="repository to find recipes in")
    stack.add_argument("--format", choices=("text", "json"), default="text")
    stack.set_defaults(func=stack_command)


def _repos(args, required=True):
    from ..spackcall.runtime import configured_repos

    repos = [os.path.abspath(r) for r in (args.repo or [])]
    for r in repos:
        if not os.path.isdir(r):
            raise PesoError("no such repository folder", path=r, key="--repo")
    repos = repos or configured_repos()
    if not repos and required:
        raise PesoError("no recipe repositories: pass --repo DIR, or run where Spack is found (SPACK_ROOT or PATH)")
    return repos


def report_command(args):
    from ..lint.registry import RULES
    from ..policy import compare, products, run
    from ..report import policy_docs

    repos = _repos(args, required=not args.products)  # a products file may name every recipe
    chosen = products.select(
        repos, products_file=args.products, stack=args.stack, names=args.packages, compat_dir=args.compat_dir
    )
    if args.deep and not _in_spack():
        raise PesoError("--deep needs Spack: run it as 'spack peso policy report --deep ...'")
    old = compare.load_table(args.compare) if args.compare else None
    config = load_config().override(policy=args.policy, jobs=args.jobs or None)
    fill = {"target": _target_of(args.stack)} if args.stack else {}
    report = run.build_report(
        chosen,
        config,
        use_cache=not args.no_cache,
        deep=args.deep,
        jobs=args.jobs or 0,
        evidence_dirs=args.evidence,
        fill=fill,
        stack_file=args.stack or "",
    )
    out = args.output_dir
    policy_docs.write_all(report, out)

    missing = [p.product for p in report.products if p.error]
    ui.msg(
        "%d products, %d policies%s"
        % (
            len(report.products),
            len(report.policies),
            " (%s)" % report.spack if report.spack else " (static: no Spack loaded)",
        )
    )
    if missing:
        ui.warn("no recipe for: %s" % ", ".join(missing))
    if args.evidence:
        ui.msg("evidence read: " + ", ".join("%d %s" % (n, kind) for kind, n in report.evidence_sources.items() if n))
    ui.info("status per policy (products):\n" + policy_docs.status_table(report))
    ui.msg(policy_docs.decided_line(report))
    ui.info(
        "headline counts (products of %d):\n" % len(report.products)
        + "\n".join("  %-28s %s" % (label, count) for label, count in policy_docs.headline_counts(report))
    )
    per_rule = policy_docs.rule_lines(report, {rid: r.name for rid, r in RULES.items()})
    if per_rule:
        ui.info("products failing each rule:\n" + "\n".join(per_rule))
    status = 0
    for product, r in [(p.product, r) for p in report.products for r in p.contradictions()]:
        ui.warn("%s: %s" % (product, r.contradiction))
        status = 1
    if old is not None:
        comparison = compare.compare(old, compare.table_of(report), compare.sources_of(report))
        ui.info("compared with %s:\n  " % args.compare + "\n  ".join(compare.summary_lines(comparison)))
        if comparison.has_regressions:
            status = 1
    ui.msg(
        "wrote %s/{report.md,report.html,report-cells.js,report.json} and %d compatibility documents in %s/compat"
        % (out, len(report.products), out)
    )
    return status


def _target_of(stack_path):
    """The stack's target (fills the "to decide" commands): its header's ``# target:``
    line, else its folder (``environments/frontier/spack.yaml`` -> ``frontier``)."""
    from ..stack.generate.envfile import target_of

    return target_of(stack_path)


def explain_command(args):
    import sys

    from ..policy import explain

    sys.stdout.write(explain.text(args.policy_id))
    return 0


def _in_spack():
    from ..spackcall.runtime import in_spack

    return in_spack()


def stack_command(args):
    import json
    import sys

    from ..policy import stacklint

    repos = _repos(args)
    problems = stacklint.lint_stack(args.env, repos)
    if args.format == "json":
        sys.stdout.write(json.dumps([p.to_dict() for p in problems], indent=1) + "\n")
    else:
        for p in problems:  # lint's text form, with the package named (a stack lists many)
            sys.stdout.write(
                "%s:%d: %s %s %s%s\n"
                % (p.path, p.line, p.rule, p.severity, p.package + ": " if p.package else "", p.message)
            )
        ui.msg("%d stack-level problems in %s" % (len(problems), args.env))
    return 1 if any(p.severity in ("warning", "error") for p in problems) else 0
