"""``spack peso stack build|test|report``.

Parsing and printing only: where the stack lives, its scheduler facts, the executor,
default paths and the exit status come from ``peso.stack.session``; the work happens in
``peso.stack.run.build``, ``peso.stack.run.testrun``, ``peso.stack.run.records`` and
``peso.report``.
"""

import os

from .. import ui
from ..errors import PesoError
from ..fsutil import atomic_write
from ..report import junit, stack_text
from ..report import stack_html as report_html
from ..spackcall.cli import SpackCLI
from ..stack import session
from ..stack.run import executors, records
from ..stack.run.build import StackBuild, install_from_cache
from ..stack.run.job_install import JobInstall, local_install_tree
from ..stack.run.testrun import TestRun
from . import options


def _common(subparser, jobs_default, target_required=True):
    subparser.add_argument(
        "--target",
        required=target_required,
        help="target profile name, alias, path to a profile, or 'host' (the stack is read from "
        "environments/<target>, $PESO_ENVIRONMENTS honoured, as 'stack generate' wrote it)",
    )
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
    subparser.add_argument("-j", "--jobs", type=options.jobs, default=jobs_default, help="parallel jobs")
    subparser.add_argument(
        "--only", action="append", help="only these roots (package names or hashes, comma-separated)"
    )
    subparser.add_argument("-o", "--out", help="results directory (default: peso-out/<target>)")


def _place(args) -> session.StackPlace:
    """``--target``/``--env``/``--out`` resolved once (``stack.session``), kept on ``args``."""
    if getattr(args, "_place", None) is None:
        args._place = session.resolve(args.target, args.env_dir, args.out)
    return args._place


def _cli(args):
    place = _place(args)
    session.require_stack(place)
    return SpackCLI(place.env_dir, args.scopes, config=args.config)


def _print_summary(record):
    for line in stack_text.summary_lines(record):
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
        "--mirror",
        metavar="DIR",
        help="build only from this local source mirror (air-gapped; replaces every other mirror)",
    )
    subparser.add_argument(
        "--parallel-packages",
        type=options.jobs,
        metavar="N",
        help="build independent packages at the same time: 'spack env depfile' run by 'make -k -j N' "
        "(N job slots shared by all builds; a failure stops only its dependents)",
    )
    subparser.add_argument(
        "--installers",
        type=options.jobs,
        metavar="N",
        help="N cooperating 'spack install' processes over one install tree (Spack's locks share the work); "
        "with --scheduler slurm the tasks of one srun step (default: --nodes, one per node)",
    )
    _cache_options(subparser, push=True)
    group = _batch_options(
        subparser,
        scheduler="build inside one batch job with this scheduler (default: local, here)",
        nodes="nodes for the build job (default 1); more than 1 runs one cooperating installer per node",
        time="time limit of the build job (MINUTES or H:MM:SS; default: the queue's maximum from the target "
        "profile, else 2 h)",
    )
    group.add_argument("--dry-run", action="store_true", help="write the batch script and show the command")


def _cache_options(subparser, push):
    """Spack binary caches (``stack/run/binaries.py``): read by build and test, written by build."""
    group = subparser.add_argument_group("binary caches (any Spack mirror URL, or a folder)")
    group.add_argument(
        "--use-buildcache",
        metavar="URL",
        help="install from this binary cache first (relocated into this install tree); build only what it lacks",
    )
    if push:
        group.add_argument(
            "--buildcache", metavar="URL", help="push every spec built to this binary cache and update its index"
        )
        group.add_argument("--key", help="GPG key to sign what --buildcache pushes (or say --unsigned)")
    group.add_argument(
        "--unsigned",
        action="store_true",
        help="push unsigned binaries / install binaries without verifying signatures",
    )
    return group


def _batch_options(subparser, scheduler, nodes, time):
    """The options ``stack build`` and ``stack test`` share to reach compute nodes."""
    group = subparser.add_argument_group("compute nodes (batch scheduler)")
    group.add_argument("--scheduler", choices=executors.kinds(), help=scheduler)
    group.add_argument("--partition", help="partition (Slurm) or queue (PBS, Flux)")
    group.add_argument("--account", help="account/project (Slurm, PBS) or bank (Flux)")
    group.add_argument("--nodes", type=int, help=nodes)
    group.add_argument("--time", help=time)
    return group


def _build_event(kind, **info):
    if kind == "concretizing":
        ui.msg("concretizing the environment")
    elif kind == "installing":
        ui.msg("[%d/%d] installing %s" % (info["index"], info["total"], info["spec"]))
    elif kind == "failed":
        ui.msg(ui.colorize("@r{build failed}: %s: %s" % (info["spec"], info["message"])))
    elif kind == "cache_plan":
        ui.msg(
            "binary cache %s: to install from it: %s; not in it, to build from source: %s"
            % (info["url"], ", ".join(info["from_cache"]) or "-", ", ".join(info["from_source"]) or "-")
        )
    elif kind == "installers":
        ui.msg("%d cooperating installers: %s" % (info["count"], info["launcher"]))
    elif kind == "installers_retry":
        ui.warn("an installer was lost or stopped: one more installer for %s" % ", ".join(info["specs"]))
    elif kind == "extracting":
        ui.msg("extracting %s from the binary cache" % info["spec"])
    elif kind == "cache_outcome":
        ui.msg(info["summary"])
        for node in info["nodes"]:
            if node.get("cache_problem"):
                ui.warn("%s/%s: %s" % (node["name"], node["hash"][:7], node["cache_problem"]))
    elif kind == "pushing":
        ui.msg("pushing %d built root(s) with their dependencies to %s" % (info["count"], info["url"]))
    elif kind == "pushed":
        if info["ok"]:
            ui.msg("pushed %d spec(s) to %s; index updated" % (len(info["pushed"]), info["url"]))
        else:
            ui.error(info["error"])
        if not info["padded_length"]:
            ui.warn(
                "this install tree's prefixes are not padded: binaries that embed their prefix relocate only "
                "into a shorter one (build caches with -c config:install_tree:padded_length:128, as Spack CI does)"
            )


def stack_build(args):
    facts = session.build_facts(_place(args), _overrides(args), args.dry_run)
    if facts is not None:
        return _batch_build(args, facts)
    place = _place(args)
    builder = StackBuild(
        _cli(args),
        place.name,
        place.out_dir,
        args.jobs,
        on_event=_build_event,
        mirror=args.mirror,
        use_cache=args.use_buildcache,
        unsigned=args.unsigned,
        push_to=args.buildcache,
        key=args.key,
        parallel_packages=args.parallel_packages,
        installers=args.installers,
    )
    if args.ci:
        pipeline = builder.ci_generate(args.ci, args.ci_mirror)
        ui.msg("GitLab pipeline for target %s: %s" % (place.name, pipeline))
        return 0
    record = builder.run(
        options.csv(args.only),
        options={
            "jobs": args.jobs,
            "only": options.csv(args.only),
            "use_buildcache": args.use_buildcache,
            "buildcache": args.buildcache,
            "unsigned": args.unsigned,
            "parallel_packages": args.parallel_packages,
            "installers": args.installers,
        },
    )
    _print_summary(record)
    html = os.path.join(place.out_dir, "build.html")
    atomic_write(html, report_html.render(record))
    ui.msg("build record: %s" % builder.record_path)
    ui.msg("build report: %s" % html)
    return session.exit_status(record)


def _batch_build(args, facts):
    """``stack build`` in one batch job (``executors/build_job.py``); same record, same report."""
    from ..stack.run.executors.build_job import BatchBuild, inner_argv, installer_tasks

    if args.ci:
        raise PesoError("--ci generates a pipeline; it cannot run in a batch job (drop --scheduler)")
    place = _place(args)
    args.only = options.csv(args.only)
    session.require_stack(place)
    facts = installer_tasks(args, facts)
    job = BatchBuild(
        executors.adapter(facts.kind),
        facts,
        place.out_dir,
        inner_argv(args, place),
        dict(os.environ),
        on_event=_TestProgress(),
        dry_run=args.dry_run,
    )
    record = job.run()
    if record is not None:
        _print_summary(record)
        html = os.path.join(place.out_dir, "build.html")
        atomic_write(html, report_html.render(record))
        ui.msg("build record (job %s): %s" % (record["batch_job"]["job_id"], job.record_path))
    return session.exit_status(record)


# --- test -----------------------------------------------------------------------------


def setup_test_parser(subparser):
    _common(subparser, None, target_required=False)
    subparser.add_argument("--timeout", type=options.seconds, default=600.0, help="seconds per spec (default 600)")
    _scheduler_options(subparser)
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
    group = _cache_options(subparser, push=False)
    group.add_argument(
        "--install-local",
        metavar="DIR",
        help="with --use-buildcache: install the stack from the cache into an install tree under DIR "
        "(node-local space) and test it there; with a batch scheduler each job installs the root it tests "
        "(cache only, nothing built) into DIR on its node ('$VAR' in DIR, e.g. '$SLURM_JOB_ID', is the node's)",
    )


def _scheduler_options(subparser):
    group = _batch_options(
        subparser,
        scheduler="where shards run (default: the target profile's scheduler, else local)",
        nodes="nodes per shard job (default 1)",
        time="time limit per shard job (MINUTES or H:MM:SS; default --timeout + 90 s)",
    )
    group.add_argument(
        "--retry-node-fail",
        type=int,
        default=0,
        metavar="N",
        help="resubmit shards lost to a node failure, or never started, up to N times",
    )
    group.add_argument("--detach", action="store_true", help="submit, record the job ids and return")
    group.add_argument(
        "--attach", metavar="RUN", help="collect the results of a batch run (record.json or run directory)"
    )
    group.add_argument(
        "--cancel",
        action="store_true",
        help="with --attach: cancel the run's outstanding jobs (scancel, qdel, flux cancel), then collect",
    )
    group.add_argument(
        "--dry-run", action="store_true", help="write the batch scripts and show the commands; submit nothing"
    )


def _overrides(args) -> dict:
    """The scheduler options as given on the command line (``None``: not given)."""
    return {key: getattr(args, key) for key in ("scheduler", "partition", "account", "nodes", "time")}


def _record_path(path):
    return os.path.join(path, "record.json") if os.path.isdir(path) else path


class _TestProgress:
    """Progress lines: ``[done/total] package: STATUS wall reason``."""

    def __init__(self):
        self.total = self.done = 0
        self.shown = set()  # batch scripts already printed (--dry-run)

    def __call__(self, kind, **info):
        if kind == "planned":
            self.total = info["total"]
            ui.msg("testing %d specs (%d to run)" % (info["total"], info["to_run"]))
        elif kind == "cache_offer":
            ui.msg(
                "binary cache %s: each job installs its root into %s; in the cache: %s; not in it: %s"
                % (
                    info["url"],
                    info["install_local"],
                    ", ".join(info["in_cache"]) or "-",
                    ", ".join(info["not_in_cache"]) or "-",
                )
            )
        elif kind == "start":
            ui.debug("started %s" % info["row"]["package"])
        elif kind == "submit":
            ui.msg(("would submit: " if info["dry_run"] else "submitting: ") + " ".join(info["argv"]))
            if info["dry_run"] and info["script"] not in self.shown:
                self.shown.add(info["script"])
                with open(info["script"]) as f:
                    for line in f.read().splitlines():
                        ui.msg("  | " + line)
        elif kind == "submitted":
            ui.msg("submitted %s: job %s" % (info["group"], ", ".join(info["job_ids"])))
        elif kind == "cancel":
            ui.msg("cancelling %d jobs: %s" % (len(info["job_ids"]), " ".join(info["argv"])))
            if info["exit"]:
                ui.warn("%s exited %d: %s" % (info["argv"][0], info["exit"], info["error"]))
        elif kind == "retry":
            ui.msg("resubmitting %s (%s)" % (info["row"]["package"], info["row"].get("scheduler_state")))
        elif kind == "running":
            ui.debug("%s running on %s" % (info["row"]["package"], info["row"].get("node")))
        elif kind == "done":
            self.done += 1
            row = info["row"]
            wall = " %.1fs" % row["wall"] if row.get("wall") is not None else ""
            ui.msg(
                "[%d/%d] %s: %s%s %s"
                % (self.done, self.total, row["package"], row["status"], wall, row.get("reason", ""))
            )


def stack_test(args):
    if args.attach:
        return _attach(args)
    if args.cancel:
        raise PesoError("--cancel goes with --attach RUN (the run whose jobs to cancel)")
    if not args.target:
        raise PesoError("--target is required (or --attach RUN)")
    place = _place(args)
    build_path = args.build_record or place.build_record
    build_record = records.load_record(build_path) if os.path.exists(build_path) else None
    if args.build_record and build_record is None:
        raise PesoError("build record not found", args.build_record)
    rerun = records.load_record(_record_path(args.rerun_failed)) if args.rerun_failed else None
    facts = session.scheduler_facts(place, _overrides(args))
    if args.install_local and not args.use_buildcache:
        raise PesoError("--install-local installs from a binary cache: give --use-buildcache URL")
    executor = session.shard_executor(
        facts, _overrides(args), args.jobs, args.timeout, args.retry_node_fail, detach=args.detach, dry_run=args.dry_run
    )
    in_jobs = None
    if args.install_local and facts.kind == "local":
        args.config = [*args.config, local_install_tree(args.install_local)]
    cli = _cli(args)
    if args.install_local and facts.kind != "local":
        # each batch job installs the root it tests into DIR on its node (stack/run/job_install.py)
        in_jobs = JobInstall.for_run(cli, args.install_local, args.use_buildcache, args.unsigned, place.out_dir)
    elif args.use_buildcache:
        ui.msg("installing from the binary cache before testing")
        build_record = install_from_cache(
            cli, place.name, place.out_dir, args.use_buildcache, args.unsigned, options.csv(args.only), _build_event
        )
    jobs = session.local_jobs(args.jobs)
    runner = TestRun(
        cli, place.name, place.out_dir, jobs, args.timeout, on_event=_TestProgress(), executor=executor, install=in_jobs
    )
    run_dir = runner.run_dir
    run_options = {
        "jobs": args.jobs if facts.kind != "local" else jobs,
        "timeout": args.timeout,
        "only": options.csv(args.only),
        "skip": options.csv(args.skip),
        "rerun_failed": args.rerun_failed,
        "scheduler": facts.kind,
        "use_buildcache": args.use_buildcache,
        "install_local": _install_local(args.install_local),
    }
    ui.msg("run record: %s" % runner.record_path)
    try:
        record = runner.run(options.csv(args.only), options.csv(args.skip), build_record, rerun, run_options)
    except KeyboardInterrupt:
        if runner.record.get("detached"):
            ui.msg("interrupted; the jobs keep running: spack peso stack test --attach %s" % run_dir)
        raise
    finally:
        if runner.record:
            _write_reports(runner.record, run_dir)
    if record.get("detached"):
        ui.msg("detached; collect the results with: spack peso stack test --attach %s" % run_dir)
    else:
        _finish(record, run_dir)
    return session.exit_status(record)


def _install_local(folder):
    """``--install-local`` as recorded: absolute, unless it starts with a variable the node expands."""
    if not folder or folder.startswith("$"):
        return folder
    return os.path.abspath(folder)


def _finish(record, run_dir):
    _print_summary(record)
    ui.msg("reports: %s" % ", ".join(os.path.join(run_dir, f) for f in ("record.json", "junit.xml", "report.html")))


def _attach(args):
    path = _record_path(args.attach)
    ui.msg("run record: %s" % os.path.abspath(path))
    runner = None
    try:
        runner = TestRun.attach(path, on_event=_TestProgress(), cancel=args.cancel)
    finally:
        record = runner.record if runner is not None else None
        if record is None and os.path.exists(path):
            record = records.load_record(path)
        if record is not None:
            _write_reports(record, os.path.dirname(os.path.abspath(path)))
    _finish(runner.record, runner.run_dir)
    return session.exit_status(runner.record)


def _write_reports(record, run_dir):
    atomic_write(os.path.join(run_dir, "junit.xml"), junit.render_record(record))
    atomic_write(os.path.join(run_dir, "report.html"), report_html.render(record))


# --- report ---------------------------------------------------------------------------


def setup_report_parser(subparser):
    subparser.add_argument("runs", nargs="+", metavar="RUN", help="run records (record.json or run directory)")
    subparser.add_argument(
        "--compare",
        metavar="BASE",
        help="compare with this earlier run record; the exit status then says whether there are regressions "
        "(without it: whether any row failed)",
    )
    subparser.add_argument("--html", help="write the merged HTML report here")
    subparser.add_argument("--junit", help="write merged JUnit here")
    subparser.add_argument("--json", help="write the merged record here")


def stack_report(args):
    loaded = [records.load_record(_record_path(p)) for p in args.runs]
    merged = records.merge(loaded)
    changes = None
    if args.compare:
        changes = records.compare(records.load_record(_record_path(args.compare)), merged)
    _print_summary(merged)
    if changes:
        for kind in ("new_failures", "fixed", "now_tested", "no_longer_tested", "flaky", "still_failing", "added"):
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
        atomic_write(args.junit, junit.render_record(merged))
    if args.json:
        atomic_write(args.json, records.json_text(merged))
    if changes is not None:
        # a comparison reports regressions: what passed before and fails (or is gone) now
        return 1 if changes["new_failures"] or changes["no_longer_tested"] else 0
    return session.exit_status(merged)


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
