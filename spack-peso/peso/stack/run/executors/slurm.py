"""Slurm: a run's shards as one job array per resource class (Frontier, Perlmutter).

Why an array, not packed jobs: each shard keeps its own time limit, its own job state
(TIMEOUT, CANCELLED, NODE_FAIL come per element, so a fault costs one row, not the
run), and ``--retry-node-fail`` resubmits just the failed elements; ``-j`` becomes the
array throttle (``%N``). The price: on whole-node partitions every element is charged a
node. ``--no-requeue``: Slurm would otherwise requeue a batch job whose node failed and
keep it pending silently; the driver decides about retries itself.

State comes from ``scontrol -o show job`` (running and recently finished jobs, kept
``MinJobAge`` seconds) and, for jobs it no longer knows, ``sacct`` (sites with
accounting). Tested against a real one-node Slurm (``scripts/slurm-local.sh``).
"""

import re
import subprocess
import time
from typing import Dict, List, Optional

from .base import JobState, Scheduler, hms

_FIELD = re.compile(r"(\w[\w/:.]*)=(\S*)")


def _epoch(text: str) -> Optional[float]:
    """Slurm's ``2026-11-29T12:47:30`` (the controller's local time) as epoch seconds."""
    try:
        return time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))
    except (ValueError, TypeError):
        return None


def _expand(ids: str) -> List[int]:
    """``0,2-4%2`` -> [0, 2, 3, 4] (Slurm's array task id expression)."""
    out: list = []
    for part in ids.split("%")[0].split(","):
        if not part:
            continue
        if "-" in part:
            low, high = part.split("-", 1)
            step = "1"
            if ":" in high:
                high, step = high.split(":", 1)
            out.extend(range(int(low), int(high) + 1, int(step)))
        else:
            out.append(int(part))
    return out


def _compress(indices: List[int]) -> str:
    """[0, 1, 2, 5] -> ``0-2,5``."""
    out: list = []
    run: list = []
    for i in sorted(indices):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append("%d-%d" % (run[0], run[-1]) if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        out.append("%d-%d" % (run[0], run[-1]) if len(run) > 1 else str(run[0]))
    return ",".join(out)


class Slurm(Scheduler, kind="slurm", submit="sbatch", suffix=".sbatch", index="$SLURM_ARRAY_TASK_ID"):
    index_variables = ("SLURM_ARRAY_TASK_ID",)
    job_id_variables = ("SLURM_JOB_ID",)
    array_job_id = ("SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")

    def directives(self, group) -> List[str]:
        facts = group.facts
        array = _compress(group.indices) + ("%%%d" % group.throttle if group.throttle else "")
        lines = [
            "#SBATCH --job-name=%s" % group.job_name,
            "#SBATCH --array=%s" % array,
            "#SBATCH --time=%s" % hms(group.minutes),
            "#SBATCH --nodes=%d" % facts.nodes,
            "#SBATCH --ntasks=%d" % facts.tasks_per_shard,
        ]
        if facts.partition:
            lines.append("#SBATCH --partition=%s" % facts.partition)
        if facts.account:
            lines.append("#SBATCH --account=%s" % facts.account)
        if group.gpus and facts.gpu_request != "none":
            if facts.gpu_request == "gres":
                lines.append("#SBATCH --gres=gpu:%d" % (group.gpus * facts.tasks_per_shard))
            else:
                lines.append("#SBATCH --gpus-per-task=%d" % group.gpus)
        lines += [
            "#SBATCH --output=%s/slurm-%%A_%%a.out" % group.logs,
            "#SBATCH --no-requeue",
        ]
        lines += ["#SBATCH %s" % d for d in facts.directives]
        return lines

    def submissions(self, group, script: str):
        return [(["sbatch", "--parsable", script], list(group.indices))]

    def parse_submit(self, stdout: str, indices: List[int]) -> Dict[int, str]:
        array_id = stdout.strip().splitlines()[-1].split(";")[0]
        return {i: "%s_%d" % (array_id, i) for i in indices}

    def cancel_argv(self, job_ids: List[str]) -> List[str]:
        return ["scancel", *job_ids]

    def job_output(self, logs: str, job_id: str) -> Optional[str]:
        return "%s/slurm-%s.out" % (logs, job_id)

    def query(self, job_ids: List[str], env: dict) -> Optional[Dict[str, JobState]]:
        """``{"<array>_<i>": JobState}``; ``None`` when Slurm did not answer at all."""
        arrays = sorted({j.split("_")[0] for j in job_ids})
        found: Dict[str, JobState] = {}
        answered = False
        for array in arrays:
            proc = subprocess.run(["scontrol", "-o", "show", "job", array], capture_output=True, text=True, env=env)
            if proc.returncode == 0:
                answered = True
                found.update(self.parse_scontrol(proc.stdout))
            elif "Invalid job id" in proc.stderr:
                answered = True
        wanted = [j for j in job_ids if j not in found]
        if wanted:
            proc = subprocess.run(
                [
                    "sacct",
                    "-n",
                    "-P",
                    "-X",
                    "-j",
                    ",".join(sorted({j.split("_")[0] for j in wanted})),
                    "-o",
                    "JobID,State,Reason,NodeList,ExitCode,End",
                ],
                capture_output=True,
                text=True,
                env=env,
            )
            if proc.returncode == 0:
                answered = True
                found.update({k: v for k, v in self.parse_sacct(proc.stdout).items() if k not in found})
        return found if answered else None

    @staticmethod
    def parse_scontrol(text: str) -> Dict[str, JobState]:
        found = {}
        for line in text.splitlines():
            fields = dict(_FIELD.findall(line))
            if "JobState" not in fields:
                continue
            array, task = fields.get("ArrayJobId"), fields.get("ArrayTaskId")
            if array and task:
                ids = ["%s_%d" % (array, t) for t in _expand(task)]
            else:
                ids = [fields.get("JobId", "")]
            node = fields.get("NodeList", "")
            for job in ids:
                found[job] = JobState(
                    job,
                    fields["JobState"],
                    fields.get("Reason", ""),
                    "" if node == "(null)" else node,
                    fields.get("ExitCode", ""),
                    _epoch(fields.get("EndTime", "")),
                )
        return found

    @staticmethod
    def parse_sacct(text: str) -> Dict[str, JobState]:
        found = {}
        for line in text.splitlines():
            cells = line.split("|")
            if len(cells) < 5:
                continue
            job, state, reason, node, code = cells[:5]
            ended = _epoch(cells[5]) if len(cells) > 5 else None
            word = state.split()[0] if state else "UNKNOWN"
            if "[" in job:  # a pending array's compressed line: 12_[2-3%2]
                array, expr = job.split("_[", 1)
                for t in _expand(expr.rstrip("]")):
                    found["%s_%d" % (array, t)] = JobState("%s_%d" % (array, t), word, reason, "", code)
                continue
            found[job] = JobState(job, word, reason, "" if node == "None assigned" else node, code, ended)
        return found
