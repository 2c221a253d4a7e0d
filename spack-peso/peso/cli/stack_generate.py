"""``spack peso stack targets|generate|diff|coverage|lint-catalog``.

Thin wiring: the logic lives in ``peso.stack`` (model, plan, render, generate, check,
diff, coverage, catalog_lint); these functions parse nothing themselves and print via ui.
"""

import json
import os

from .. import ui
from ..errors import PesoError
from . import options


def _add_catalog(parser):
    parser.add_argument(
        "--catalog", default=None, help="catalogue name under environments/catalog or a path (default: e4s)"
    )


# -- targets -----------------------------------------------------------------------------
def setup_targets(parser):
    parser.add_argument("name", nargs="?", help="show one target profile ('host' = this machine)")


def targets(args):
    import yaml

    from ..stack.generate.model import environments_dir, find_target, target_names

    if args.name:
        target = find_target(args.name)
        ui.msg("target %s (%s)" % (target.name, target.path))
        print(yaml.safe_dump(target.doc, sort_keys=False, width=100).rstrip())
        return 0
    rows = []
    for name in target_names() + ["host"]:
        t = find_target(name)
        gpu = t.backend if t.backend == "none" else "%s %s" % (t.backend, t.gpu_arch or "")
        rows.append(
            (t.name, t.doc["arch"]["os"], t.cpu_target, gpu.strip(), t.doc["mpi"]["provider"], t.doc.get("status", ""))
        )
    widths = [max(len(str(r[i])) for r in rows + [("target", "os", "cpu", "gpu", "mpi", "status")]) for i in range(6)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    ui.msg("%d targets in %s/targets (+ host, detected now)" % (len(rows) - 1, environments_dir()))
    print(fmt % ("target", "os", "cpu", "gpu", "mpi", "status"))
    for r in rows:
        print(fmt % r)
    return 0


# -- generate ----------------------------------------------------------------------------
def _add_out(parser, help_text):
    parser.add_argument("-o", "--out", dest="out_dir", default=None, help=help_text)


def setup_generate(parser):
    parser.add_argument("--target", required=True, help="target profile name, alias, path, or 'host'")
    _add_catalog(parser)
    parser.add_argument("--tags", default=None, help="only products with any of these tags (comma list)")
    parser.add_argument("--only", default=None, help="only these products (comma list)")
    _add_out(parser, "output directory for spack.yaml (default: environments/<target>)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the target's committed spack.yaml even when the new one has fewer roots",
    )
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", "definitions", "groups"],
        help="spec groups need a newer Spack; auto asks the running Spack",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate with Spack's environment schema, then give every root a "
        "verdict from the real Spack's concretizer and list every failure",
    )
    parser.add_argument("--no-concretize", action="store_true", help="with --check: schema validation only")
    parser.add_argument(
        "--lock",
        action="store_true",
        help="with --check: run `spack -e DIR concretize` instead, writing "
        "spack.lock (stops at the first failing root)",
    )
    parser.add_argument(
        "--batch",
        type=options.jobs,
        default=16,
        help="with --check: roots per solve (Spack's when_possible rounds); roots "
        "a batch leaves unsolved are retried alone (default: 16; 1 = each alone)",
    )
    parser.add_argument(
        "--batch-timeout",
        type=options.seconds,
        default=300.0,
        help="with --check: seconds a batch's solve may spend improving its "
        "model; the best model found then is a verdict (default: 300)",
    )
    parser.add_argument(
        "--record", default=None, help="with --check: append one JSON line per root to this file as verdicts arrive"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --record: keep the verdicts recorded under the same stack "
        "configuration and solve only the other roots",
    )
    parser.add_argument("-j", "--jobs", type=options.jobs, default=None, help="concretization processes")
    parser.add_argument("--timeout", type=options.seconds, default=7200.0, help="concretization timeout (s)")


def generate(args):
    from ..stack.generate.environment import generate as run_generate
    from ..stack.generate.plan import BUILT, SKIPPED

    if args.resume and not args.record:
        raise PesoError("--resume needs --record FILE (the verdicts to resume from)")
    path, text, entries, target = run_generate(
        args.target,
        catalog=args.catalog,
        tags=options.csv(args.tags),
        only=options.csv(args.only),
        out_dir=args.out_dir,
        fmt=args.format,
        force=args.force,
    )
    built = len({e.spec for e in entries if e.status == BUILT})  # a repeated root counts once
    skipped = sum(e.status == SKIPPED for e in entries)
    ui.msg(
        "wrote %s: %d root specs for %s (%s, gpu %s), %d skipped by known issues"
        % (path, built, target.name, target.cpu_target, target.backend, skipped)
    )
    if not args.check:
        return 0
    from ..stack.generate.check import check_environment, check_schema, concretize_each

    if args.lock:
        result = check_environment(
            os.path.dirname(path), concretize=not args.no_concretize, jobs=args.jobs, timeout=args.timeout
        )
        ui.msg("schema: %s" % ("ok" if result.schema_ok else "FAILED: " + result.schema_error))
        if result.concretized is not None:
            if result.concretized:
                ui.msg("concretize: ok, %d roots, %d specs, %.0f s" % (result.roots, result.specs, result.seconds))
            else:
                ui.error("concretize failed after %.0f s" % result.seconds)
                for failure in result.failures:
                    print("  - " + failure)
        return 0 if result.ok else 1
    ok, error = check_schema(os.path.dirname(path))
    ui.msg("schema: %s" % ("ok" if ok else "FAILED: " + error))
    if not ok or args.no_concretize:
        return 0 if ok else 1
    results = concretize_each(
        os.path.dirname(path),
        jobs=args.jobs or 2,
        timeout=args.timeout,
        record=args.record,
        batch=args.batch,
        resume=args.resume,
        batch_timeout=args.batch_timeout,
        on_progress=_solve_progress,
    )
    total = results.total if results.total is not None else built
    failed = [r for r in results if not r["ok"]]
    ui.msg(
        "concretize: %d of %d roots have a verdict, %d ok, %d failed, %.0f s of solver time"
        % (len(results), total, len(results) - len(failed), len(failed), sum(r["seconds"] for r in results))
    )
    if results.why:
        ui.error("%d roots have no verdict: %s" % (total - len(results), results.why))
    for r in failed:
        print("  - %s: %s" % (r["spec"], r["error"][:300]))
    return 0 if not failed and not results.why else 1


def _solve_progress(event, done, total, failed, elapsed, item=None, batch=None, batches=None):
    """A line per finished batch and a failed root as soon as it is known; between
    batches, a line every ``check.PROGRESS_EVERY`` seconds (a batch can take minutes)."""
    of = "/%d" % total if total is not None else ""
    if event == "verdict" and item is not None and not item["ok"]:
        ui.progress("failed: %s (%.0f s)" % (item["spec"], item["seconds"]))
    elif event == "batch":
        ui.progress(
            "batch %d/%d solved: %d%s roots have a verdict (%d failed), %.0f s"
            % (batch, batches, done, of, failed, elapsed)
        )
    elif event == "progress":
        ui.progress("solving: %d%s roots have a verdict (%d failed), %.0f s" % (done, of, failed, elapsed))


# -- diff --------------------------------------------------------------------------------
def setup_diff(parser):
    parser.add_argument("--target", required=True, help="target profile to render")
    against = parser.add_mutually_exclusive_group(required=True)
    against.add_argument("--against", help="a hand-made spack.yaml (or its folder)")
    against.add_argument(
        "--e4s",
        nargs="?",
        const="",
        metavar="PATH",
        help="an E4S-Project/e4s checkout, git repository or extract file: compare with "
        "its environments for this target, per product and spec (alone: the committed "
        "extract, environments/reference/e4s-roots.yaml); exit 1 on unexplained differences",
    )
    parser.add_argument("--rev", default="HEAD", help="with --e4s from a git repository: the revision")
    _add_catalog(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def diff(args):
    status = 0
    if args.e4s is not None:
        from ..stack.generate.e4s_diff import diff_against_e4s
        from ..stack.generate.e4s_release import committed_extract

        report = diff_against_e4s(args.target, args.e4s or committed_extract(), catalog=args.catalog, rev=args.rev)
        status = 1 if report.unexplained() else 0
    else:
        from ..stack.generate.diff import diff_against

        report = diff_against(args.target, args.against, catalog=args.catalog)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, sort_keys=True))
        return status
    for line in report.lines():
        print(line)
    return status


# -- import-e4s -------------------------------------------------------------------------
def setup_import_e4s(parser):
    parser.add_argument("--target", required=True, help="target profile to compare")
    parser.add_argument("--e4s", required=True, help="an E4S-Project/e4s checkout or git repository")
    parser.add_argument("--rev", default="HEAD", help="with a git repository: the revision")
    _add_catalog(parser)
    parser.add_argument("-o", "--out", default=None, help="write the proposals here (default: print)")


def import_e4s(args):
    from ..stack.generate.e4s_diff import compare_release
    from ..stack.generate.e4s_import import write_proposals
    from ..stack.generate.e4s_release import read_release
    from ..stack.generate.environment import catalog_path
    from ..stack.generate.model import find_target, load_catalog

    target = find_target(args.target)
    release = read_release(args.e4s, target, args.rev)
    report = compare_release(release, load_catalog(catalog_path(args.catalog)), target)
    doc, text = write_proposals(args.out, report, release)
    if not args.out:
        print(text.rstrip())
    else:
        ui.msg(
            "wrote %s: %d proposed changes for %s from %s (%.1f%% of E4S's root products rendered)"
            % (args.out, len(doc["proposals"]), target.name, doc["e4s"], report.coverage_percent)
        )
    return 0


# -- coverage ----------------------------------------------------------------------------
def setup_coverage(parser):
    _add_catalog(parser)
    parser.add_argument("--targets", default=None, help="comma list (default: every profile)")
    _add_out(parser, "write coverage.md and coverage.json here (default: environments/)")


def coverage(args):
    from ..report import coverage as coverage_report
    from ..stack.generate.coverage import coverage_matrix
    from ..stack.generate.model import environments_dir

    matrix = coverage_matrix(catalog=args.catalog, targets=options.csv(args.targets))
    md, js = coverage_report.write(matrix, args.out_dir or environments_dir())
    ui.msg("wrote %s and %s: %d products x %d targets" % (md, js, len(matrix["products"]), len(matrix["targets"])))
    return 0


# -- lint-catalog ------------------------------------------------------------------------
def setup_lint_catalog(parser):
    _add_catalog(parser)
    parser.add_argument("--repo", default=None, help="recipes folder (packages/); default: the builtin repo Spack uses")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def lint_catalog(args):
    from ..stack.generate.catalog_lint import lint_catalog as run_lint
    from ..stack.generate.environment import catalog_path

    findings, repo = run_lint(catalog_path(args.catalog), repo=args.repo)
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], indent=2))
    else:
        ui.msg("catalogue lint against %s: %d findings" % (repo, len(findings)))
        for f in findings:
            print("%s:%d: %s [%s] %s: %s" % (f.path, f.line, f.severity, f.rule, f.name, f.message))
    return 1 if any(f.severity == "error" for f in findings) else 0


# -- known-issues ------------------------------------------------------------------------
def setup_known_issues(parser):
    parser.add_argument("--target", required=True, help="the target the record was made for")
    _add_catalog(parser)
    parser.add_argument(
        "--record", default=None, help="a `generate --check --record` file (with --recheck: where verdicts go)"
    )
    parser.add_argument(
        "-o",
        "--out",
        dest="out",
        default=None,
        help="merge the proposals into this file (default: print them); a curator "
        "copies the accepted ones into the catalogue. With --recheck: the "
        "report (default: environments/<target>/known-issues-recheck.yaml)",
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="re-test every product a known issue skips on the target with the real "
        "concretizer: still fails, now concretizes, needs a build, cannot be decided "
        "here, or a site's choice",
    )
    parser.add_argument("--only", default=None, help="with --recheck: only these products (comma list)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="with --recheck --record: keep verdicts recorded under the same configuration",
    )
    parser.add_argument("-j", "--jobs", type=options.jobs, default=1, help="with --recheck: solver processes")
    parser.add_argument("--batch", type=int, default=16, help="with --recheck: roots per solve")
    parser.add_argument(
        "--batch-timeout", type=options.seconds, default=300.0, help="with --recheck: seconds per batch"
    )


def known_issues(args):
    import yaml

    from ..stack.generate.environment import catalog_path

    if args.recheck:
        return _recheck(args)
    if not args.record:
        raise PesoError("known-issues needs --record FILE (or --recheck)")
    from ..stack.generate.known_issues import issues_from_record, merge_issues

    issues, unmatched = issues_from_record(args.record, args.target, catalog_path(args.catalog))
    for spec in unmatched:
        ui.warn("%s: %s is not a root the %s plan builds (stale record?)" % (args.record, spec, args.target))
    if not args.out:
        print(yaml.safe_dump({"issues": issues}, sort_keys=False, width=100).rstrip())
        return 0
    kept, added = merge_issues(args.out, issues)
    ui.msg(
        "%s: %d proposed known issues from %s for %s (%d others kept); copy the accepted ones "
        "into the catalogue" % (args.out, added, args.record, args.target, kept)
    )
    return 0


def _recheck(args):
    from ..stack.generate.environment import catalog_path
    from ..stack.generate.model import find_target, stack_dir
    from ..stack.generate.recheck import recheck, write_report

    if args.resume and not args.record:
        raise PesoError("--resume needs --record FILE (the verdicts to resume from)")
    target = find_target(args.target)
    report = recheck(
        target.name,
        catalog_path(args.catalog),
        jobs=args.jobs,
        batch=args.batch,
        batch_timeout=args.batch_timeout,
        record=args.record,
        resume=args.resume,
        only=options.csv(args.only) or None,
        on_progress=_solve_progress,
    )
    out = args.out or os.path.join(stack_dir(target.name), "known-issues-recheck.yaml")
    write_report(out, report)
    counts = ", ".join("%d %s" % (n, v) for v, n in report["counts"].items()) or "nothing skipped"
    ui.msg("wrote %s: %d skips rechecked for %s: %s" % (out, len(report["skips"]), target.name, counts))
    for row in report["skips"]:
        print("  %s [%s]: %s: %s" % (row["product"], row["flavor"], row["verdict"], row.get("why") or row["spack"]))
    return 0


#: name -> (help, setup_parser function, command function)
SUBCOMMANDS = {
    "targets": ("list target machine profiles, show one, or show what 'host' resolves to", setup_targets, targets),
    "generate": (
        "render environments/<target>/spack.yaml from the catalogue and a target profile",
        setup_generate,
        generate,
    ),
    "diff": (
        "compare a rendered stack with a hand-made spack.yaml or E4S's environments for "
        "the target (roots, GPU backends, variants)",
        setup_diff,
        diff,
    ),
    "import-e4s": (
        "propose catalogue changes from E4S's environments for a target (a file to "
        "review; the catalogue is never rewritten)",
        setup_import_e4s,
        import_e4s,
    ),
    "coverage": (
        "product x target coverage matrix (built / skipped with reason / unsupported)",
        setup_coverage,
        coverage,
    ),
    "lint-catalog": (
        "check the catalogue against package recipes (variants, GPU support)",
        setup_lint_catalog,
        lint_catalog,
    ),
    "known-issues": (
        "propose known issues from a `generate --check --record` run, or --recheck "
        "the skipped products against the current recipes",
        setup_known_issues,
        known_issues,
    ),
}
