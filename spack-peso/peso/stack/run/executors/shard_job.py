"""Run one shard inside a batch job, on a compute node; report through the stage folder.

Why a runner inside the job instead of ``spack test run`` in the batch script: the
driver may be gone (detached, killed, logged out) when the job runs, so the job itself
must enforce ``--timeout`` to the second (SIGTERM, then SIGKILL of the shard's process
group, like the local executor) and leave its verdict where the driver will look: the
run folder on the shared filesystem. It writes ``job-start.json`` when it starts (a
started job is ERROR, not NOT_RUN, if it dies) and ``job-end.json`` when it ends,
including when the scheduler signals it at its time limit or on ``scancel``. With
``--install-local`` it first installs the shard's root from the binary cache into the
node's install tree (``install``, recorded in ``job-end.json``) and tests only if that
worked.

Usage: ``python shard_job.py MANIFEST INDEX`` (INDEX may be ``-``: read the scheduler's
array index from the variables the manifest names, ``SLURM_ARRAY_TASK_ID``,
``PBS_ARRAY_INDEX``, ``PESO_SHARD_INDEX``..., from the scheduler registry).
Standalone on purpose (standard library only): it runs under the job's Python.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

KILL_GRACE = 1.0


def write_json(path, doc):
    """Atomic (temporary file + rename): the driver reads these while the job runs."""
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".")
    with os.fdopen(fd, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, path)


def first_env(names):
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    return ""


def killpg(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def supervise(argv, output_path, timeout, signalled):
    """Run ``argv`` in its own session, output to ``output_path``; SIGTERM then SIGKILL of
    its group at ``timeout`` or when the job is signalled. Returns ``(rc, timed_out)``."""
    started = time.time()
    with open(output_path, "wb") as output:
        # unbuffered: a killed shard's log must already hold the header of the part that hung
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        child = subprocess.Popen(
            argv,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        timed_out = False
        term_sent = None
        while True:
            try:
                rc = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.time()
            if term_sent is None and (signalled or now - started > timeout):
                timed_out = not signalled
                term_sent = now
                killpg(child.pid, signal.SIGTERM)
            elif term_sent is not None and now - term_sent > KILL_GRACE:
                killpg(child.pid, signal.SIGKILL)
        killpg(child.pid, signal.SIGKILL)  # stragglers of a finished shard
    return rc, timed_out


def install(shard, stage, signalled):
    """``--install-local``: the shard's root from the binary cache into the node's tree,
    before its tests (``stack/run/job_install.py``); its own ``--timeout``."""
    started = time.time()
    rc, timed_out = supervise(
        shard["install_argv"], os.path.join(stage, "install-output.txt"), shard["timeout"], signalled
    )
    return {
        "rc": rc,
        "timed_out": timed_out,
        "started": started,
        "finished": time.time(),
        "tree": os.path.expandvars(shard.get("install_local") or ""),
    }


def run(shard, job_id):
    stage = shard["stage"]
    os.makedirs(stage, exist_ok=True)
    started = time.time()
    write_json(
        os.path.join(stage, "job-start.json"), {"host": socket.gethostname(), "job_id": job_id, "started": started}
    )
    signalled = []

    def on_signal(signum, frame):
        signalled.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    installed = None
    rc, timed_out = None, False
    if shard.get("install_argv"):
        installed = install(shard, stage, signalled)
    if installed is None or (installed["rc"] == 0 and not installed["timed_out"] and not signalled):
        started = time.time()  # --timeout is the tests' own: the install had its own
        rc, timed_out = supervise(shard["argv"], os.path.join(stage, "spack-output.txt"), shard["timeout"], signalled)
    write_json(
        os.path.join(stage, "job-end.json"),
        {
            "rc": rc,
            "timed_out": timed_out,
            "signalled": signal.Signals(signalled[0]).name if signalled else None,
            "started": started,
            "finished": time.time(),
            "host": socket.gethostname(),
            "job_id": job_id,
            "install": installed,
        },
    )
    return rc


def job_id(names, arrays=()):
    """``<array>_<index>`` inside an array whose scheduler names elements so (Slurm; the
    manifest's ``array_job_id`` pairs), else the job id."""
    for array, index in arrays:
        if os.environ.get(array) and os.environ.get(index):
            return "%s_%s" % (os.environ[array], os.environ[index])
    return first_env(names)


def main(argv):
    manifest_path, index = argv[1], argv[2]
    with open(manifest_path) as f:
        manifest = json.load(f)
    variables = manifest.get("variables") or {"index": ["PESO_SHARD_INDEX"], "job_id": []}
    if index == "-":
        index = first_env(variables["index"])
    shard = manifest["shards"][int(index)]
    shard.setdefault("timeout", manifest["timeout"])
    run(shard, job_id(variables["job_id"], variables.get("array_job_id", ())))
    return 0  # the verdict is in job-end.json; a non-zero exit means the runner itself failed


if __name__ == "__main__":
    sys.exit(main(sys.argv))
