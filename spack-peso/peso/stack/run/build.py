"""``stack build``: concretize and install a generated stack, one status per root.

Concretization uses Spack's environment API when running inside Spack (``spack peso``,
see ``spack_inproc.py``) and ``spack -e DIR concretize`` otherwise. Installation always
drives ``spack -e DIR install`` and reads its output rather than stopping at its exit
code: ``spack install`` fails as a whole when one package fails, but curators
need the matrix (which root built, which failed, which never started because a
dependency failed), a progress display, and the failing build's log excerpt. The
per-root truth comes from Spack's database afterwards (the inventory); the streamed
output adds the failure messages and log paths. ``--ci gitlab`` stops after
concretization and hands the environment to ``spack ci generate``: distributed builds
are Spack's own CI machinery, not a new scheduler.
"""

import os
import re
import subprocess
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ... import PACKAGE_DIR
from ...errors import PesoError
from ...fsutil import atomic_write
from ...spackcall import buildcache
from ...spackcall.cli import SpackCLI
from ...spackcall.mirror import mirror_scope, missing_sources
from ...spackcall.runtime import in_spack
from . import binaries, depfile, installers, records, selection, testlog

_INSTALLING = re.compile(r"^==> Installing (?P<id>\S+)-(?P<hash>[a-z0-9]{32}) \[(?P<i>\d+)/(?P<n>\d+)\]")
_INSTALLED = re.compile(r"^\[\+\] .*?(?P<hash>[a-z0-9]{32})\)?\s*$")
_FAILED = re.compile(r"^==> Error: (?P<id>\S+)-(?P<hash>[a-z0-9]{32}): (?P<msg>.*)$")
_LOG_HINT = re.compile(r"^\s+(?P<path>/\S+spack-build-out\.txt)\s*$")
_FLAGGED = re.compile(r"^\s*>>\s*(?P<line>\d+)\s(?P<text>.*)$")
_STAGE_HASH = re.compile(r"-(?P<hash>[a-z0-9]{32})/spack-build-out\.txt$")
CI_TEMPLATE = os.path.join(PACKAGE_DIR, "report", "templates", "peso-ci-gitlab.yaml")
EXCERPT_LINES = 25


def _noop(*args, **kwargs):
    pass


class InstallOutput:
    """Follows streamed ``spack install`` output: progress and per-hash failures.

    Which package a line of the stream belongs to cannot be read from its position:
    with parallel builds Spack's ``Installing X [n/m]`` lines interleave with other
    packages' output and messages. So a failure is tied to its package by what names it:
    the ``Error: <name>-<hash>:`` line and the build log path, whose stage folder carries
    the full hash (``spack-stage-<name>-<version>-<hash>/spack-build-out.txt``). The cause
    and the excerpt come from that package's own build log, read after the install.
    """

    def __init__(self, on_event: Callable = _noop):
        self.on_event = on_event
        self.current: Optional[str] = None
        self.failed: Dict[str, str] = {}
        self.logs: Dict[str, str] = {}
        self.summaries: Dict[str, list] = {}  # Spack's error summary block, by the hash its log path names
        self.block: Optional[list] = None

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        started = _INSTALLING.match(line)
        if started:
            self.current = started.group("hash")
            self.on_event(
                "installing", spec=started.group("id"), index=int(started.group("i")), total=int(started.group("n"))
            )
        failed = _FAILED.match(line)
        if line.startswith("==> Error:") and not failed:
            self.block = []  # Spack's summary of a failed build: ends with the log path
        if self.block is not None:
            self.block.append(line)
        hint = _LOG_HINT.match(line)
        if hint:
            owner = _STAGE_HASH.search(hint.group("path"))
            dag_hash = owner.group("hash") if owner else self.current
            if dag_hash:
                self.logs[dag_hash] = hint.group("path")
                if self.block is not None:
                    self.summaries[dag_hash] = self.block
            self.block = None
        done = _INSTALLED.match(line)
        if done:
            self.on_event("installed", line=line)
        if failed and failed.group("msg") != "Package was not installed":
            h = failed.group("hash")
            self.failed.setdefault(h, failed.group("msg"))
            self.on_event("failed", spec=failed.group("id"), message=failed.group("msg"))

    def _build_log(self, dag_hash: str) -> List[str]:
        path = self.logs.get(dag_hash)
        if not path or not os.path.isfile(path):
            return []
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()

    def _flagged(self, dag_hash: str) -> List[Tuple[int, str]]:
        """(log line number, text) of the lines Spack's own log parser flagged (``>>``)."""
        flagged = []
        for entry in self.summaries.get(dag_hash, []):
            found = _FLAGGED.match(entry)
            if found:
                flagged.append((int(found.group("line")), found.group("text").strip()))
        return flagged

    def reason(self, dag_hash: str) -> str:
        """Spack's error message plus the first error line: the one Spack's log parser
        flagged, else the first that reads like an error in the package's build log
        (Spack's own message is often only ``ProcessError: Command exited with status 2``)."""
        flagged = self._flagged(dag_hash)
        first_error = flagged[0][1] if flagged else testlog.first_error(self._build_log(dag_hash))
        return self.failed[dag_hash] + (" " + first_error if first_error else "")

    def excerpt(self, dag_hash: str) -> str:
        """Lines of the package's own build log around its first error (its tail when no
        line reads like an error); without a log, Spack's summary of the failure."""
        log = self._build_log(dag_hash)
        if log:
            flagged = self._flagged(dag_hash)
            if flagged and 0 < flagged[0][0] <= len(log):
                first = flagged[0][0] - 1
            else:
                first = next((i for i, entry in enumerate(log) if testlog.first_error([entry])), -1)
            if first < 0:
                return "\n".join(log[-EXCERPT_LINES:])
            start = max(0, first - 5)
            return "\n".join(log[start : start + EXCERPT_LINES])
        return "\n".join(self.summaries.get(dag_hash, [])[-EXCERPT_LINES:])


class StackBuild:
    def __init__(
        self,
        cli: SpackCLI,
        target: str,
        out_dir: str,
        jobs: Optional[int] = None,
        on_event=_noop,
        mirror: Optional[str] = None,
        use_cache: Optional[str] = None,
        unsigned: bool = False,
        push_to: Optional[str] = None,
        key: Optional[str] = None,
        parallel_packages: Optional[int] = None,
        installers: Optional[int] = None,
    ):
        self.cli, self.target, self.out_dir = cli, target, os.path.abspath(out_dir)
        self.jobs, self.on_event = jobs, on_event
        if parallel_packages is not None and parallel_packages < 1:
            raise PesoError("--parallel-packages must be at least 1")
        self.parallel_packages = parallel_packages
        if installers is not None and installers < 1:
            raise PesoError("--installers must be at least 1")
        self.installers = installers if installers and installers > 1 else None
        if self.installers and parallel_packages:
            raise PesoError(
                "--installers and --parallel-packages are two ways to build packages at the same time: give one"
            )
        self.record_path = os.path.join(self.out_dir, "build.json")
        self.mirror = os.path.abspath(mirror) if mirror else None
        if self.mirror:
            # the mirror's scope goes last: highest priority among the -C scopes
            scope = mirror_scope(self.mirror, os.path.join(self.out_dir, "mirror-scope"))
            self.cli.scopes = [*self.cli.scopes, scope]
        # --buildcache: refuse a push that is neither signed nor said unsigned before building
        self.push_to = buildcache.cache_url(push_to) if push_to else None
        self.key, self.unsigned = key, unsigned
        if self.push_to:
            buildcache.signing_args(key, unsigned)
        self.cache: Optional[binaries.CacheUse] = None
        if use_cache:
            # after the source mirror's scope: the cache is added to the mirrors it leaves
            self.cache = binaries.CacheUse(use_cache, unsigned, os.path.join(self.out_dir, "buildcache-scope"))
            self.cli.scopes = [*self.cli.scopes, self.cache.scope]

    def check_mirror(self, skip: Sequence[str] = ()) -> None:
        """With ``--mirror``: stop before installing when the mirror lacks a source."""
        if not self.mirror:
            return
        # specs the binary cache will provide need no source
        lacking = [x for x in missing_sources(self.cli, self.mirror) if x["spec"].split("@")[0] not in skip]
        if lacking:
            first = lacking[0]
            raise PesoError(
                "source mirror lacks %d file(s) the build needs, first %s for %s (from %s): "
                "add them with 'spack mirror create -d %s %s' where the network is reachable"
                % (len(lacking), first["file"], first["spec"], first["url"], self.mirror, first["spec"]),
                self.mirror,
            )

    def concretize(self) -> str:
        """Concretize with ``spack.environment`` inside Spack, else with the executable.

        Returns how it was done (kept in the build record).
        """
        self.on_event("concretizing")
        if in_spack():
            from ...spackcall import inproc as spack_inproc

            spack_inproc.concretize(self.cli.env_dir, self.cli.scopes, self.cli.config)
            return "spack.environment"
        proc = self.cli.run("concretize")
        atomic_write(os.path.join(self.out_dir, "concretize.log"), proc.stdout + proc.stderr)
        if proc.returncode != 0:
            errors = [entry for entry in (proc.stderr + proc.stdout).splitlines() if "Error" in entry]
            raise PesoError(
                "concretization failed: %s" % (errors[0].strip() if errors else "see concretize.log"),
                self.cli.env_dir,
            )
        return "spack executable"

    def ci_generate(self, ci: str, mirror: Optional[str] = None) -> str:
        """Concretize, then ``spack ci generate`` a GitLab pipeline; return its path.

        Spack requires a ``buildcache-destination`` mirror; ``mirror`` adds one (a site
        usually has it in its own configuration already).
        """
        if ci != "gitlab":
            raise PesoError("unknown CI system %r (supported: gitlab)" % ci)
        self.concretize()
        scope = os.path.join(self.out_dir, "ci-scope")
        with open(CI_TEMPLATE, encoding="utf-8") as f:
            atomic_write(os.path.join(scope, "ci.yaml"), f.read().format(target=self.target))
        if mirror:
            atomic_write(
                os.path.join(scope, "mirrors.yaml"),
                "mirrors:\n  buildcache-destination:\n    url: %s\n    signed: false\n" % mirror,
            )
        pipeline = os.path.join(self.out_dir, "gitlab", ".gitlab-ci.yml")
        cli = SpackCLI(self.cli.env_dir, self.cli.scopes + [scope], self.cli.exe, config=self.cli.config)
        cli.process_env = self.cli.process_env
        proc = cli.run(
            "ci",
            "generate",
            "--output-file",
            pipeline,
            "--artifacts-root",
            os.path.join(self.out_dir, "gitlab", "artifacts"),
        )
        if proc.returncode != 0:
            last = ([entry for entry in proc.stderr.splitlines() if entry.strip()] or ["(no output)"])[-1]
            raise PesoError("spack ci generate failed: " + last.strip(), self.cli.env_dir)
        return pipeline

    def run(self, only: Sequence[str] = (), options: Optional[dict] = None) -> dict:
        concretized_by = self.concretize()
        roots = self.cli.inventory(require_current=True)
        selected = selection.only(roots, only)
        record = records.new_record("build", self.target, self.cli.env_dir, options or {})
        record["concretized_by"] = concretized_by
        if self.mirror:
            record["source_mirror"] = self.mirror
        record["specs"] = [records.spec_row(r, self.target, "PENDING") for r in selected]
        hashes = [r["hash"] for r in selected]
        if self.cache:
            plan = self.cache.plan(self.cli, hashes)
            record["buildcache"] = dict(plan, url=self.cache.url, unsigned=self.unsigned)
            self.on_event("cache_plan", url=self.cache.url, **plan)
        self.check_mirror(skip=record.get("buildcache", {}).get("from_cache", ()))
        records.write_record(record, self.record_path)

        follower = InstallOutput(self.on_event)
        cache_lines = binaries.CacheOutput(self.on_event)
        make_lines = depfile.MakeOutput(self.on_event)
        log_path = os.path.join(self.out_dir, "install.log")
        started = time.monotonic()
        cooperating = None
        with open(log_path, "w", encoding="utf-8") as log:

            def feed(line: str) -> None:
                log.write(line)
                follower.feed(line)
                cache_lines.feed(line)
                make_lines.feed(line)

            if self.installers:
                cooperating = installers.Cooperating(
                    self._install_argv(selected, limited=bool(only)),
                    self.out_dir,
                    self.installers,
                    self.cli.process_env or dict(os.environ),
                )
                self.on_event("installers", count=self.installers, launcher=cooperating.describe())
                rc = cooperating.run(feed)
                left = self._left_over(selected, follower) if cooperating.troubled() else []
                if left:
                    self.on_event("installers_retry", specs=[r["package"] for r in left])
                    rc = max(rc, abs(cooperating.retry(self._install_argv(left, limited=True), feed)))
            else:
                proc = subprocess.Popen(
                    self._install_argv(selected, limited=bool(only)),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    text=True,
                    env=self.cli.process_env,
                )
                for line in proc.stdout or ():
                    feed(line)
                rc = proc.wait()
        make_lines.merge_into(follower)
        record["install_exit_status"] = rc
        record["install_seconds"] = round(time.monotonic() - started, 2)  # the installer alone, probes apart
        record["install_log"] = log_path

        installed = {r["hash"]: r for r in self.cli.inventory()}
        by_hash = {r["hash"]: r for r in selected}
        rows = []
        for row in record["specs"]:
            root = installed.get(row["hash"], by_hash[row["hash"]])
            if root.get("installed"):
                row["status"] = "BUILT"
            elif row["hash"] in follower.failed:
                row["status"] = "BUILD_FAILED"
                row["reason"] = follower.reason(row["hash"])
                row["log"] = follower.logs.get(row["hash"])
                row["log_excerpt"] = follower.excerpt(row["hash"])
            else:
                broken = [d["name"] for d in root.get("deps", []) if d["hash"] in follower.failed]
                if broken:
                    row["status"] = "BUILD_FAILED"
                    row["reason"] = "dependency failed to build: " + ", ".join(broken)
                else:
                    row["status"] = "NOT_BUILT"
                    row["reason"] = "spack install ended (exit %d) before building it" % rc
                    if cooperating:
                        row["reason"] = installers.not_built_reason(cooperating, rc)
            if cooperating and row["hash"] in cooperating.built_by():
                row["built_by"] = cooperating.built_by()[row["hash"]]
            rows.append(row)
        record["specs"] = rows
        if cooperating:
            record["installers"] = {
                "count": self.installers,
                "launcher": cooperating.launcher,
                "tasks": [i.to_dict() for i in cooperating.installers],
                "duplicates": cooperating.duplicates(),
            }
        padded_length = self._sources(record, hashes, cache_lines)
        if self.push_to:
            built = [row["hash"] for row in rows if row["status"] == "BUILT"]
            self.on_event("pushing", url=self.push_to, count=len(built))
            record["buildcache_push"] = buildcache.push(self.cli, self.push_to, built, self.key, self.unsigned)
            record["buildcache_push"]["padded_length"] = padded_length
            self.on_event("pushed", **record["buildcache_push"])
        record["complete"] = True
        record["finished"] = records.now_iso()
        records.write_record(record, self.record_path)
        return record

    def _left_over(self, selected: List[dict], follower: InstallOutput) -> List[dict]:
        """Roots neither installed nor failed (nor behind a failed dependency)."""
        installed = {r["hash"] for r in self.cli.inventory() if r.get("installed")}
        return [
            r
            for r in selected
            if r["hash"] not in installed
            and r["hash"] not in follower.failed
            and not any(d["hash"] in follower.failed for d in r.get("deps", []))
        ]

    def _install_argv(self, selected: List[dict], limited: bool) -> List[str]:
        """One ``spack install`` of the environment (of ``selected`` when ``limited``), or
        with ``--parallel-packages`` the depfile's ``make -k -j N`` (``depfile.py``). With
        ``--installers`` each cooperating installer runs this same ``spack install``."""
        flags = self.cache.install_args() if self.cache else []
        if self.parallel_packages:
            hashes = [r["hash"] for r in selected]
            return depfile.make_argv(self.cli, self.out_dir, hashes, self.parallel_packages, flags)
        args = ["install"]
        if not self.installers:  # one JUnit file per run: cooperating installers would overwrite it
            args += ["--log-format", "junit", "--log-file", os.path.join(self.out_dir, "build-junit.xml")]
        if self.jobs:
            args += ["-j", str(self.jobs)]
        return self.cli.argv(*args, *flags, *["/" + r["hash"] for r in selected if limited])

    def _sources(self, record: dict, hashes: List[str], cache_lines: "binaries.CacheOutput") -> int:
        """Per root row ``source: cache|built``; with a cache, every node it concerned.
        Returns the install tree's ``padded_length`` (0: not padded)."""
        nodes, padded_length = buildcache.sources(self.cli, hashes)
        if self.cache:
            nodes = self.cache.outcome(nodes, cache_lines)
            record["buildcache"]["nodes"] = nodes
            record["buildcache"]["summary"] = self.cache.summary(nodes)
            self.on_event("cache_outcome", summary=record["buildcache"]["summary"], nodes=nodes)
        binaries.annotate_rows(record["specs"], nodes)
        return padded_length


def install_from_cache(
    cli: SpackCLI, target: str, out_dir: str, url: str, unsigned: bool, only: Sequence[str], on_event=_noop
) -> dict:
    """``stack test --use-buildcache``: install the roots from the cache (building what it
    lacks) before testing; the build record (in ``<out>/cache-install``) tells the test
    run which roots failed to install."""
    builder = StackBuild(
        cli, target, os.path.join(out_dir, "cache-install"), on_event=on_event, use_cache=url, unsigned=unsigned
    )
    return builder.run(only, options={"use_buildcache": url, "unsigned": unsigned})
