"""Flux: each shard its own ``flux batch`` job from one script (El Capitan, Tuolumne).

Why one job per shard: Flux has no job arrays; ``flux batch SCRIPT INDEX`` passes the
shard's index as the script's argument, so every shard keeps its own time limit and
its own result (COMPLETED, FAILED, CANCELED, TIMEOUT) while the script is written once.
The account is Flux's bank (``--setattr=bank=NAME``, which ``-B`` abbreviates in newer
flux-core), the partition its queue (``-q``).

No Flux instance runs here: the script and command lines are tested on their text; the
state parsing (``flux jobs`` with a fixed format) follows flux-jobs(1) only.
"""

from typing import Dict, List, Optional

from .base import JobState, Scheduler

_FORMAT = "{id.f58}|{state}|{result}|{exception.type}|{nodelist}"
_PENDING = {"NEW", "DEPEND", "PRIORITY", "SCHED"}
_RUNNING = {"RUN", "CLEANUP"}
_RESULTS = {"COMPLETED": "COMPLETED", "FAILED": "FAILED", "CANCELED": "CANCELLED", "TIMEOUT": "TIMEOUT"}


class Flux(Scheduler, kind="flux", submit="flux", suffix=".flux", index="$1"):
    index_variables = ()
    job_id_variables = ("FLUX_JOB_ID",)

    def directives(self, group) -> List[str]:
        facts = group.facts
        lines = [
            "# flux: --job-name=%s" % group.job_name,
            "# flux: -N %d" % facts.nodes,
            "# flux: -n %d" % facts.tasks_per_shard,
        ]
        if group.gpus and facts.gpu_request != "none":
            lines.append("# flux: -g %d" % group.gpus)
        lines.append("# flux: -t %dm" % group.minutes)
        if facts.partition:
            lines.append("# flux: -q %s" % facts.partition)
        if facts.account:
            lines.append("# flux: --setattr=bank=%s" % facts.account)
        lines.append("# flux: --output=%s/flux-{{id}}.out" % group.logs)
        lines += ["# flux: %s" % d for d in facts.directives]
        return lines

    def submissions(self, group, script: str):
        return [(["flux", "batch", script, str(i)], [i]) for i in group.indices]

    def parse_submit(self, stdout: str, indices: List[int]) -> Dict[int, str]:
        return {indices[0]: stdout.strip().splitlines()[-1]}

    def cancel_argv(self, job_ids: List[str]) -> List[str]:
        return ["flux", "cancel", *job_ids]

    def job_output(self, logs: str, job_id: str) -> Optional[str]:
        return "%s/flux-%s.out" % (logs, job_id)

    def query_argv(self, job_ids: List[str]) -> List[str]:
        return ["flux", "jobs", "-a", "--no-header", "-o", _FORMAT, *job_ids]

    @staticmethod
    def parse_states(text: str) -> Dict[str, JobState]:
        found = {}
        for line in text.splitlines():
            cells = line.strip().split("|")
            if len(cells) < 5:
                continue
            job, state, result, exception, nodes = cells[:5]
            if state in _PENDING:
                word = "PENDING"
            elif state in _RUNNING:
                word = "RUNNING"
            elif "node" in exception.lower():
                word = "NODE_FAIL"
            else:
                word = _RESULTS.get(result, result or "UNKNOWN")
            found[job] = JobState(job, word, exception, nodes, "")
        return found
