#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the tests and demos of
# `stack test --scheduler slurm` (issue 10): real slurmctld + slurmd + munged from
# Debian's slurm-wlm and munge packages, not a mock of sbatch.
#
#   bash scripts/slurm-local.sh start [DIR]   # prints: export SLURM_CONF=DIR/slurm.conf
#   bash scripts/slurm-local.sh stop  [DIR]
#
# DIR (or $PESO_SLURM_DIR) holds everything: slurm.conf, the munge key and socket, the
# controller state, the slurmd spool, logs and pid files; nothing is written outside it.
# Ports are free ones picked at start (two clusters on one machine do not collide).
# SlurmUser=root: the daemons run as the caller (CI runs as root). Why these settings:
#   - proctrack/linuxproc: the job's process tree is found through /proc, so Slurm's
#     time limit and scancel reach a shard that runs in its own session (cgroups are
#     not available in every container);
#   - SlurmdParameters=config_overrides with CPUs=8 and two GPU GRES whose "device files" are links to /dev/null in DIR/dev:
#     a 2-core CI machine can run several 1-task shards at once and accept the same
#     --gpus-per-task requests a GPU facility gets (no device is bound);
#   - MinJobAge=3600: finished jobs stay visible to `scontrol show job` for an hour, as
#     there is no accounting database here (sacct needs slurmdbd);
#   - KillWait=5: a job past its time limit gets SIGKILL 5 s after SIGTERM.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${PESO_SLURM_DIR:-}}"
if [[ "$cmd" != start && "$cmd" != stop ]] || [[ -z "$dir" ]]; then
    echo "usage: slurm-local.sh start|stop DIR   (or PESO_SLURM_DIR=DIR)" >&2
    exit 2
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

stop_daemons() {
    # SIGTERM to all at once (each takes 1-2 s to exit), SIGKILL what is left after 5 s
    local pidfile pid pids=()
    for pidfile in "$@"; do
        [[ -f "$pidfile" ]] || continue
        pid="$(cat "$pidfile")"
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            pids+=("$pid")
        fi
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    rm -f "$@"
}

if [[ "$cmd" == stop ]]; then
    # Jobs first: a job step (slurmstepd) outlives slurmd on purpose, and without the
    # controller nothing would ever end it.
    if [[ -f "$dir/run/slurmctld.pid" && -f "$dir/slurm.conf" ]]; then
        export SLURM_CONF="$dir/slurm.conf"
        scancel --quiet --user="$(id -un)" 2>/dev/null || true
        for _ in $(seq 150); do
            [[ -z "$(squeue -h -o %i 2>/dev/null || true)" ]] && break
            sleep 0.1
        done
    fi
    stop_daemons "$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/run/munged.pid"
    echo "slurm-local: stopped ($dir)"
    exit 0
fi

for exe in munged slurmctld slurmd sinfo; do
    if ! command -v "$exe" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$exe" ]]; then
        echo "slurm-local.sh: $exe not found (apt-get install slurm-wlm munge)" >&2
        exit 2
    fi
done
if [[ -f "$dir/run/slurmctld.pid" ]] && kill -0 "$(cat "$dir/run/slurmctld.pid")" 2>/dev/null; then
    echo "slurm-local.sh: a cluster already runs from $dir (stop it first)" >&2
    exit 2
fi
PATH="$PATH:/usr/sbin"
daemons=("$dir/run/slurmd.pid" "$dir/run/slurmctld.pid" "$dir/run/munged.pid")
trap 'stop_daemons "${daemons[@]}"' ERR   # a failed start leaves nothing running
mkdir -p "$dir"/{munge,state,spool,log,run,dev}
ln -sf /dev/null "$dir/dev/gpu0"; ln -sf /dev/null "$dir/dev/gpu1"   # stand-in GPU device files
chmod 700 "$dir/munge"

# munge: a fresh key for this cluster only
if [[ ! -f "$dir/munge/munge.key" ]]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
fi
munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed"

read -r ctld_port slurmd_port < <(python3 -c '
import socket
ports = []
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s); ports.append(s.getsockname()[1])
print(*ports)')
node="$(hostname -s)"
user="$(id -un)"
cat > "$dir/slurm.conf" <<EOF
# written by scripts/slurm-local.sh: a one-node test cluster
ClusterName=peso-local
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
SlurmUser=${user}
SlurmdUser=${user}
AuthType=auth/munge
AuthInfo=socket=${dir}/munge/munge.socket
CredType=cred/munge
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/run/slurmctld.pid
SlurmdPidFile=${dir}/run/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
GresTypes=gpu
SlurmdParameters=config_overrides
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=3600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${node} NodeAddr=127.0.0.1 CPUs=8 Gres=gpu:2 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP
EOF
cat > "$dir/gres.conf" <<EOF
NodeName=${node} Name=gpu File=${dir}/dev/gpu[0-1]
EOF

export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"

for _ in $(seq 200); do
    state="$(sinfo -h -o '%t' 2>/dev/null | head -1 || true)"
    if [[ "$state" == idle* ]]; then
        echo "export SLURM_CONF=$SLURM_CONF"
        exit 0
    fi
    sleep 0.1
done
echo "slurm-local.sh: the node did not become idle in 20 s (state '${state:-?}'); logs in $dir/log" >&2
stop_daemons "${daemons[@]}"
exit 1
