"""``stack test --install-local DIR --use-buildcache URL`` in batch jobs: install in the job.

Why in the job and not once on the login node: a site without a shared install tree on its
compute nodes has only node-local space there, and what the login node installs is not
visible from a compute node. So each shard job installs the root it tests (with its
link/run dependencies) from the binary cache into DIR on its node, then runs ``spack test
run`` against that install tree: the same ``-c config:install_tree:root:DIR/install``
override for both commands, the cache as the same mirror scope ``install_from_cache``
uses. The install is ``--cache-only``: nothing is built from source on a compute node, a
spec the cache lacks fails the install. ``--only-concrete``: the job never writes the
environment (every job shares its ``spack.lock``).

DIR is passed to Spack as given: Spack expands environment variables in config paths, so
``'/tmp/peso-$SLURM_JOB_ID'`` is one tree per job (Slurm gives every array element its own
id), a plain node-local path one tree per node that the jobs on it share (Spack's locks
make that safe, and a later job finds what an earlier one installed). The in-job runner
(``executors/shard_job.py``) records where DIR pointed, and the driver reads the install's
output here: where the root's prefix is, whether it came out of the cache.
"""

import os
import re
from dataclasses import dataclass
from typing import List, Optional

from ...spackcall import buildcache
from . import binaries, testlog

#: ``[+] /prefix`` (Spack's line for a spec that is installed, extracted or present)
_PRESENT = re.compile(r"^\[\+\] (?P<prefix>/\S+-(?P<hash>[a-z0-9]{32}))\b")


def local_install_tree(folder: str) -> str:
    """The ``-c`` override putting the install tree (and its database) under ``folder``.

    A folder starting with ``$`` (``$TMPDIR/peso``, ``$SLURM_TMPDIR``) stays as written:
    Spack expands it where it runs, on the compute node; any other is made absolute."""
    if not folder.startswith("$"):
        folder = os.path.abspath(folder)
    return "config:install_tree:root:" + os.path.join(folder, "install")


@dataclass
class JobInstall:
    """What every shard job of a run installs from, and into."""

    folder: str  # DIR as the user gave it (variables unexpanded: they are the node's)
    cache: binaries.CacheUse

    @property
    def tree_config(self) -> str:
        return local_install_tree(self.folder)

    @classmethod
    def for_run(cls, cli, folder: str, url: str, unsigned: bool, out_dir: str) -> "JobInstall":
        """The run's install: the cache becomes a binary-mirror scope of ``cli`` (under
        ``out_dir``, as ``install_from_cache`` does), which every shard's argv then carries."""
        cache = binaries.CacheUse(url, unsigned, os.path.join(out_dir, "buildcache-scope"))
        cli.scopes = [*cli.scopes, cache.scope]
        return cls(folder, cache)

    def plan(self, cli, root_hashes: List[str]) -> dict:
        """What the cache offers for the roots' nodes, read before any job is submitted: an
        unreadable cache or a signature that does not verify is a one-line error now, not
        one failed install per job. A node it lacks is not decided here: its jobs say so."""
        nodes = buildcache.plan(cli, self.cache.url, self.cache.unsigned, root_hashes)
        return {
            "url": self.cache.url,
            "unsigned": self.cache.unsigned,
            "install_local": self.folder,
            "in_cache": sorted({n["name"] for n in nodes if n["in_cache"]}),
            "not_in_cache": sorted({n["name"] for n in nodes if not n["in_cache"]}),
        }

    def install_argv(self, cli, dag_hash: str) -> List[str]:
        """``spack install`` of one root from the cache only, into the job's tree."""
        return cli.argv(
            "install",
            "--only-concrete",
            "--cache-only",
            *self.cache.install_args(),
            "/" + dag_hash,
            config=[self.tree_config],
        )


#: how a fault's reason names the step a job was in when it ended there
STEP = "the install from the binary cache"


def installing(stage: str) -> bool:
    """The job had started its install and not its tests (its stage says so: the runner
    writes ``install-output.txt``, then ``spack-output.txt``)."""
    return os.path.exists(os.path.join(stage, "install-output.txt")) and not os.path.exists(
        os.path.join(stage, "spack-output.txt")
    )


def outcome(stage: str, install: dict, dag_hash: str) -> dict:
    """The ``job_install`` field of a row: what the job's install did, from its runner's
    ``install`` entry (``job-end.json``) and Spack's output (``install-output.txt``)."""
    text = ""
    path = os.path.join(stage, "install-output.txt")
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    lines = binaries.CacheOutput()
    prefix: Optional[str] = None
    for line in text.splitlines():
        lines.feed(line)
        found = _PRESENT.match(line)
        if found and found.group("hash") == dag_hash:
            prefix = found.group("prefix")
    ok = install.get("rc") == 0 and not install.get("timed_out")
    result = {
        "ok": ok,
        "tree": install.get("tree"),
        "prefix": prefix,
        "from_cache": ok and dag_hash in lines.extracted,
        "extracted": len(lines.extracted),
        "wall": round(install["finished"] - install["started"], 3),
        "log": path,
    }
    if not ok:
        result["error"] = _error(text, install)
        result["log_excerpt"] = testlog.tail(text)
    return result


def _error(text: str, install: dict) -> str:
    """Spack's first error line (``Failed to install X due to InstallError: No binary found
    when cache-only was specified``): the ones after it are its consequences (``Package was
    not installed``, ``Installation request failed``)."""
    if install.get("timed_out"):
        return "the install did not finish within --timeout"
    errors = [x.strip() for x in text.splitlines() if x.startswith("==> Error")]
    if errors:
        return errors[0][len("==> Error: ") :] if errors[0].startswith("==> Error: ") else errors[0]
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return "spack install exited %s%s" % (install.get("rc"), ": " + lines[-1] if lines else "")


def failed_row(row: dict, job: dict, node: str, job_id: str) -> dict:
    """A root whose job could not install it: ``NOT_INSTALLED``, the install's error named;
    its tests never ran (nothing of the shared tree is tested in its place)."""
    done = dict(row, status="NOT_INSTALLED", parts=[], log=job["log"], wall=job["wall"], job_install=job)
    done["reason"] = "install from the binary cache failed in job %s on %s: %s" % (job_id or "?", node, job["error"])
    done["log_excerpt"] = job["log_excerpt"]
    return done
