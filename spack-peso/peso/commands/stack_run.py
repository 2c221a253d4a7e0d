"""``spack peso stack build|test|report`` (issue 4).

Thin wiring: the work happens in ``peso.stack.build``, ``peso.stack.testrun``,
``peso.stack.results`` and ``peso.stack.report_html``.
"""

import os

from .. import ui
from ..errors import PesoError
from ..fsutil import atomic_write
from ..stack import report_html, results
from ..stack.build import StackBuild
from ..stack.spack_cli import SpackCLI
from ..stack.testrun import TestRun


def _csv(values):
    out = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _common(subparser, jobs_default):
    subparser.add_argument("--target", required=True, help="target machine of the stack (e.g. host)")
    subparser.add_argument(
        "--env", dest="env_dir", help="generated environment directory (default: environments/<target>)"
    )
    subparser.add_argument(
        "-C",
        "--config-scope",
        dest="scopes",
        action="append",
        default=[],
        help="extra Spack configuration scope directory (repeatable), passed as 'spack -C'",
    )
    subparser.add_argument(
        "-c",
        "--config",
        dest="config",
        action="append",
        default=[],
        help="Spack configuration override 'section:key:value' (repeatable), passed as 'spack -c'",
    )
    subparser.add_argument("-j", "--jobs", type=int, default=jobs_default, help="parallel jobs")
    subparser.add_argument(
        "--only", action="append", help="only these roots (package names or hashes, comma-separated)"
    )
    subparser.add_argument("--out", help="results directory (default: peso-out/<target>)")


def _cli(args):
    env_dir = args.env_dir or os.path.join("environments", args.target)
    return SpackCLI(env_dir, args.scopes, config=args.config)


def _out(args):
    return os.path.abspath(args.out or os.path.join("peso-out", args.target))


def _print_summary(record):
    for line in results.summary_lines(record):
        ui.msg(ui.colorize(line))


# --- build ----------------------------------------------------------------------------


def setup_build_parser(subparser):
    _common(subparser, None)
    subparser.add_argument(
        "--ci", choices=["gitlab"], help="generate a GitLab pipeline with 'spack ci generate' instead"
    )
    subparser.add_argument(
        "--ci-mirror", metavar="URL", help="buildcache-destination mirror for --ci (if the site config has none)"
    )
    subparser.add_argument(
        "--mirror", metavar="DIR",
        help="build only from this local source mirror (air-gapped; replaces every other mirror)",
    )


def _build_event(kind, **info):
    if kind == "concretizing":
        ui.msg("concretizing the environment")
    elif kind == "installing":
        ui.msg("[%d/%d] installing %s" % (info["index"], info["total"], info["spec"]))
    elif kind == "failed":
        ui.msg(ui.colorize("@r{build failed}: %s: %s" % (info["spec"], info["message"])))


def stack_build(args):
    builder = StackBuild(_cli(args), args.target, _out(args), args.jobs, on_event=_build_event, mirror=args.mirror)
    if args.ci:
        pipeline = builder.ci_generate(args.ci, args.ci_mirror)
        ui.msg("GitLab pipeline for target %s: %s" % (args.target, pipeline))
        return 0
    record = builder.run(_csv(args.only), options={"jobs": args.jobs, "only": _csv(args.only)})
    _print_summary(record)
    html = os.path.join(_out(args), "build.html")
    atomic_write(html, report_html.render(record))
    ui.msg("build record: %s" % builder.record_path)
    ui.msg("build report: %s" % html)
    return 1 if any(r["status"] == "BUILD_FAILED" for r in record["specs"]) else 0


# --- test -----------------------------------------------------------------------------


def setup_test_parser(subparser):
    _common(subparser, 2)
    subparser.add_argument("--timeout", type=float, default=600.0, help="seconds per spec (default 600)")
    subparser.add_argument(
        "--skip", action="append", help="do not test these roots (reported SKIPPED; comma-separated)"
    )
    subparser.add_argument(
        "--rerun-failed",
        metavar="RUN",
        help="re-test only the non-passing specs of a previous run (its record.json or run directory)",
    )
    subparser.add_argument(
        "--build-record", help="build record to tell BUILD_FAILED from NOT_INSTALLED (default: <out>/build.json)"
    )


def _record_path(path):
    return os.path.join(path, "record.json") if os.path.isdir(path) else path


class _TestProgress:
    """Progress lines: ``[done/total] package: STATUS wall reason``."""

    def __init__(self):
        self.total = self.done = 0

    def __call__(self, kind, **info):
        if kind == "planned":
            self.total = info["total"]
            ui.msg("testing %d specs (%d to run)" % (info["total"], info["to_run"]))
        elif kind == "start":
            ui.debug("started %s" % info["row"]["package"])
        elif kind == "done":
            self.done += 1
            row = info["row"]
            wall = " %.1fs" % row["wall"] if row.get("wall") is not None else ""
            ui.msg("[%d/%d] %s: %s%s %s" % (self.done, self.total, row["package"], row["status"], wall, row.get("reason", "")))


def stack_test(args):
    out = _out(args)
    build_path = args.build_record or os.path.join(out, "build.json")
    build_record = results.load_record(build_path) if os.path.exists(build_path) else None
    if args.build_record and build_record is None:
        raise PesoError("build record not found", args.build_record)
    rerun = results.load_record(_record_path(args.rerun_failed)) if args.rerun_failed else None
    cli = _cli(args)
    runner = TestRun(cli, args.target, out, args.jobs, args.timeout, on_event=_TestProgress())
    run_dir = runner.run_dir
    options = {
        "jobs": args.jobs,
        "timeout": args.timeout,
        "only": _csv(args.only),
        "skip": _csv(args.skip),
        "rerun_failed": args.rerun_failed,
    }
    ui.msg("run record: %s" % runner.record_path)
    try:
        record = runner.run(_csv(args.only), _csv(args.skip), build_record, rerun, options)
    finally:
        if runner.record is not None:
            _write_reports(runner.record, run_dir)
    _print_summary(record)
    ui.msg("reports: %s" % ", ".join(os.path.join(run_dir, f) for f in ("record.json", "junit.xml", "report.html")))
    return results.exit_status(record)


def _write_reports(record, run_dir):
    atomic_write(os.path.join(run_dir, "junit.xml"), results.junit_xml(record))
    atomic_write(os.path.join(run_dir, "report.html"), report_html.render(record))


# --- report ---------------------------------------------------------------------------


def setup_report_parser(subparser):
    subparser.add_argument("runs", nargs="+", metavar="RUN", help="run records (record.json or run directory)")
    subparser.add_argument("--compare", metavar="BASE", help="compare with this earlier run record")
    subparser.add_argument("--html", help="write the merged HTML report here")
    subparser.add_argument("--junit", help="write merged JUnit here")
    subparser.add_argument("--json", help="write the merged record here")


def stack_report(args):
    records = [results.load_record(_record_path(p)) for p in args.runs]
    merged = results.merge(records)
    changes = None
    if args.compare:
        changes = results.compare(results.load_record(_record_path(args.compare)), merged)
    _print_summary(merged)
    if changes:
        for kind in ("new_failures", "fixed", "flaky", "still_failing", "added"):
            entries = changes[kind]
            ui.msg(
                "%s (%d): %s"
                % (
                    kind.replace("_", " "),
                    len(entries),
                    ", ".join("%s@%s %s->%s" % (c["package"], c["target"], c["before"], c["after"]) for c in entries)
                    or "-",
                )
            )
    if args.html:
        atomic_write(args.html, report_html.render(merged, changes))
        ui.msg("HTML report: %s" % args.html)
    if args.junit:
        atomic_write(args.junit, results.junit_xml(merged))
    if args.json:
        atomic_write(args.json, results.json_text(merged))
    return 1 if changes and changes["new_failures"] else 0


#: name -> (help, setup_parser function, command function)
SUBCOMMANDS = {
    "build": ("concretize and install a generated stack; per-root build status", setup_build_parser, stack_build),
    "test": (
        "run the stand-alone tests of a stack's roots in parallel, with timeouts and reports",
        setup_test_parser,
        stack_test,
    ),
    "report": ("merge run records of several targets; compare two runs", setup_report_parser, stack_report),
}
