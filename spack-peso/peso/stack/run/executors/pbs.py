"""PBS Professional: a run's shards as one array job per resource class (Aurora, Polaris).

Why the array maps positions to shards in the script: PBS arrays take a range
(``-J 0-3``), not a list, so a retry of shards 1 and 4 is the array ``0-1`` whose script
holds ``SHARDS=(1 4)``; a single shard is a plain job (PBS wants two or more subjobs).
``-r n``: PBS must not rerun a job by itself; the driver decides about retries.

States are read from ``qstat -x -f -F json -t`` and exit statuses are mapped after PBS
Pro's documented codes (-29 ``JOB_EXEC_KILL_WALLTIME``; 256+signal when the job was
signalled, e.g. by ``qdel``; other negative ``JOB_EXEC_*`` codes are failures to start
or of the node). No PBS server is reachable here: the scripts and command lines are
tested on their text, the state parsing on documented output only.
"""

import json
from typing import Dict, List, Optional

from .base import JobState, Scheduler, hms

_PENDING = {"Q", "H", "W", "T", "S", "U", "M"}
_RUNNING = {"R", "E", "B"}


class PBS(Scheduler, kind="pbs", submit="qsub", suffix=".pbs", index="${SHARDS[${PBS_ARRAY_INDEX:-0}]}"):
    index_variables = ("PBS_ARRAY_INDEX", "PBS_ARRAYID")
    job_id_variables = ("PBS_JOBID",)

    def directives(self, group) -> List[str]:
        facts = group.facts
        select = "select=%d" % facts.nodes
        if group.gpus and facts.gpu_request == "ngpus":
            select += ":ngpus=%d" % (group.gpus * facts.tasks_per_shard)
        lines = [
            "#PBS -N %s" % group.job_name,
        ]
        if len(group.indices) > 1:
            lines.append("#PBS -J 0-%d" % (len(group.indices) - 1))
        lines += [
            "#PBS -l %s" % select,
            "#PBS -l walltime=%s" % hms(group.minutes),
        ]
        if facts.partition:
            lines.append("#PBS -q %s" % facts.partition)
        if facts.account:
            lines.append("#PBS -A %s" % facts.account)
        lines += ["#PBS %s" % d for d in facts.directives]
        lines += [
            "#PBS -o %s/" % group.logs,
            "#PBS -j oe",
            "#PBS -r n",
            "#PBS -V",
        ]
        return lines

    def setup_lines(self, group) -> List[str]:
        return ["SHARDS=(%s)" % " ".join(str(i) for i in group.indices)]

    def submissions(self, group, script: str):
        return [(["qsub", script], list(group.indices))]

    def parse_submit(self, stdout: str, indices: List[int]) -> Dict[int, str]:
        job = stdout.strip().splitlines()[-1]  # "123[].server" (array) or "123.server"
        if "[]" in job and len(indices) > 1:
            return {i: job.replace("[]", "[%d]" % k) for k, i in enumerate(indices)}
        return {indices[0]: job}

    def cancel_argv(self, job_ids: List[str]) -> List[str]:
        return ["qdel", *job_ids]

    def job_output(self, logs: str, job_id: str) -> Optional[str]:
        return None  # PBS names it after the job name and id; the stage holds the shard's output

    def query_argv(self, job_ids: List[str]) -> List[str]:
        return ["qstat", "-x", "-f", "-F", "json", "-t", *job_ids]

    @staticmethod
    def parse_states(text: str) -> Dict[str, JobState]:
        found = {}
        jobs = json.loads(text or "{}").get("Jobs") or {}
        for job, attrs in jobs.items():
            letter = attrs.get("job_state", "")
            node = (attrs.get("exec_host") or "").split("/")[0]
            comment = attrs.get("comment", "")
            if letter in _PENDING:
                word = "PENDING"
            elif letter in _RUNNING:
                word = "RUNNING"
            else:
                code = attrs.get("Exit_status")
                if code is None:
                    word = "CANCELLED"  # finished without ever running (qdel of a queued job)
                elif code == -29:
                    word = "TIMEOUT"
                elif code > 256:
                    word = "CANCELLED"
                elif code < 0:
                    word = "NODE_FAIL"
                else:
                    word = "COMPLETED" if code == 0 else "FAILED"
            found[job] = JobState(job, word, comment, node, str(attrs.get("Exit_status", "")))
        return found
