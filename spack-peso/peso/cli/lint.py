"""``spack peso lint``: check package.py recipes against E4S/xSDK policies.

Thin by design: options are merged with the project's configuration
(:mod:`peso.lint.config`), one library call (:func:`peso.lint.session.run`) does the run,
a writer from ``peso/report`` renders, and this module prints or writes the result and
picks the exit status: 0 clean, 1 findings at or above ``--fail-on``, 2 usage errors
(PesoError).
"""

import gc
import os
import sys

from .. import ui
from ..errors import PesoError
from ..fsutil import atomic_write
from . import options

description = "check package.py recipes against E4S/xSDK policies and Spack conventions"

# The engine, rules and writers (and PyYAML) are imported when the command runs, not when
# Spack builds its parser: `spack peso --help` works even where a dependency is missing.
#: output formats (lint.config.FORMATS) and severities (lint.registry.SEVERITIES), as
#: argparse choices; tests check they match
FORMATS = ("text", "json", "sarif", "github", "junit")
SEVERITIES = ("info", "warning", "error")


def _split(values):
    """``--select A,B --select C`` -> [A, B, C]; None when the option was not given."""
    return None if values is None else options.csv(values)


def setup_parser(subparser):
    subparser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH|PKG",
        help="repository, packages folder, package folder, package.py or package name "
        "(default: every recipe of the configured repositories)",
    )
    subparser.add_argument(
        "--profile",
        "--policy",
        dest="policy",
        metavar="PROFILE",
        help="profile from lint/data/profiles.yaml: spack (maintainers: conventions and defects; the default "
        "for Spack's builtin repository), e4s (the default elsewhere), xsdk or all",
    )
    subparser.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="run only these rules (IDs, ID prefixes, names or policies; comma-separated)",
    )
    subparser.add_argument("--ignore", action="append", metavar="RULES", help="do not run these rules")
    subparser.add_argument("--format", choices=FORMATS, help="output format (default text)")
    subparser.add_argument(
        "-o", "--out", "--output", dest="output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    subparser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        dest="fail_on",
        help="exit 1 on findings of this severity or worse (default error)",
    )
    subparser.add_argument("--jobs", "-j", type=options.jobs, help="worker processes (default: number of CPUs)")
    subparser.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    subparser.add_argument("--cache-dir", metavar="DIR", help="result cache folder (default ~/.cache/spack-peso/lint)")
    subparser.add_argument(
        "--waivers", metavar="FILE", help="waiver file (default peso-waivers.yaml beside the config)"
    )
    subparser.add_argument(
        "--explain",
        metavar="RULE",
        help="print the documentation of RULE (a PESO-*, STACK-* or catalogue rule) and exit",
    )
    subparser.add_argument(
        "--list-rules", action="store_true", help="list the rules (ID, name, severity, policies) and exit"
    )
    # policy-compliance options; logic in lint/session.py and lint/{deep,baseline,autofix,changed}
    extra = subparser.add_argument_group("deep checks, baseline, autofix, changed recipes")
    extra.add_argument(
        "--deep",
        action="store_true",
        help="also run Spack's audit checks and checks on loaded classes (re-runs through Spack outside it); "
        "this EXECUTES RECIPE CODE (Spack imports each package.py): not for untrusted pull requests",
    )
    extra.add_argument(
        "--baseline", metavar="FILE", help="fail only on findings not recorded in FILE; report fixed ones"
    )
    extra.add_argument(
        "--update-baseline", action="store_true", help="(re)write the --baseline FILE with the current findings"
    )
    extra.add_argument("--fix", action="store_true", help="rewrite mechanical findings in place (see README)")
    extra.add_argument("--diff", action="store_true", help="with --fix: print a unified diff, write nothing")
    extra.add_argument(
        "--changed-since", metavar="REV", help="lint only recipes changed since git REV (untracked included)"
    )
    extra.add_argument(
        "--new-since",
        metavar="REV",
        help="PR mode: lint the recipes changed since git REV and report only the findings the change "
        "introduced (the exit status too); what was already there at REV is left out",
    )
    subparser.set_defaults(func=run)


def run(args):
    if args.explain:
        return explain(args)
    if args.list_rules:
        return list_rules(args)
    return lint(args)


def lint(args):
    # tens of thousands of short-lived acyclic objects (findings, report rows), and the
    # engine's, rules' and writers' imports: the cyclic collector only slows this
    # short-lived command down
    gc.disable()
    from ..lint import session
    from ..lint.config import load_config
    from ..report import github, junit, lint_json, lint_text, sarif
    from ..spackcall.runtime import in_spack

    config = load_config().override(
        select=_split(args.select),
        ignore=_split(args.ignore),
        policy=args.policy,
        fail_on=args.fail_on,
        waivers=args.waivers,
        jobs=args.jobs,
        format=args.format,
        cache_dir=args.cache_dir,
    )
    if args.deep and in_spack():
        # said once, inside Spack (the re-run from plain Python lands here), on stderr:
        # machine-readable output on stdout stays clean
        sys.stderr.write("==> --deep: Spack loads every recipe linted, so their code runs (trusted recipes only)\n")
    if args.deep and not in_spack():
        from ..lint.deep.audit import lint_argv, reexec_in_spack

        return reexec_in_spack(lint_argv())
    done = session.run(
        session.LintRequest(
            targets=args.paths,
            config=config,
            use_cache=not args.no_cache,
            deep=args.deep,
            fix=args.fix,
            diff=args.diff,
            baseline=args.baseline,
            update_baseline=args.update_baseline,
            changed_since=args.changed_since,
            new_since=args.new_since,
        )
    )
    if done.nothing_changed:
        ui.msg("no recipes changed since %s" % (args.new_since or args.changed_since))  # nothing else printed
        return 0
    if args.diff:
        sys.stdout.write("".join(r.diff() for r in done.fixes))
        return 1 if done.fixes else 0

    def note(text):  # keep machine-readable stdout clean
        if config.format == "text" or args.output:
            ui.msg(text)
        else:
            sys.stderr.write("==> %s\n" % text)

    if args.new_since:
        note(
            "PR mode: findings introduced since %s only (%d already there left out)"
            % (args.new_since, done.preexisting)
        )
    for r in done.fixes:
        note("fixed %s: %s" % (r.path, ", ".join("%s x%d" % kv for kv in sorted(r.applied.items()))))
    result = done.result
    assert result is not None  # only a --changed-since run with nothing changed has none (returned above)
    for path in result.deep_skipped:
        ui.warn("--deep: %s is not a package of the configured Spack repositories; static checks only" % path)
    compared = done.compared
    if compared is not None and args.update_baseline:
        note("baseline %s: %d findings recorded" % (args.baseline, len(compared.known)))
    elif compared is not None:
        note(
            "baseline %s: %d new, %d known, %d fixed"
            % (args.baseline, len(compared.new), len(compared.known), len(compared.fixed))
        )
        for e in compared.fixed:
            note("fixed since the baseline: %s %s %s:%d %s" % (e.package, e.rule, e.path, e.line, e.message))
    base = os.getcwd()
    if config.format == "text":
        color = False if args.output else None
        document = lint_text.render(result, base, color=color)
    else:
        writers = {"json": lint_json, "sarif": sarif, "github": github, "junit": junit}
        document = writers[config.format].render(result, base)
    if args.output:
        atomic_write(args.output, document)
        ui.msg("%d findings in %d files written to %s" % (len(result.findings), result.files_seen, args.output))
    else:
        sys.stdout.write(document)
        sys.stdout.flush()
    return 1 if result.failed(config.fail_on) else 0


def explain(args):
    from ..lint import engine
    from ..lint.config import load_config
    from ..lint.profiles import get_profile
    from ..report.lint_rules import render_explanation

    try:
        rule = engine.find_rule(args.explain)
    except PesoError:
        # not a recipe rule: a stack (STACK-*) or catalogue rule, documented the same way
        from .. import rule_docs
        from ..report.lint_rules import render_documented

        sys.stdout.write(render_documented(*rule_docs.find(args.explain)))
        return 0
    profile = get_profile(args.policy or load_config().policy)
    sys.stdout.write(render_explanation(rule, profile))
    return 0


def list_rules(args):
    from ..lint import engine
    from ..lint.config import load_config
    from ..lint.profiles import get_profile
    from ..report.lint_rules import render_rule_list

    profile = get_profile(args.policy or load_config().policy)
    sys.stdout.write(render_rule_list(engine.known_rules(deep=True), profile))  # --deep rules too
    return 0
