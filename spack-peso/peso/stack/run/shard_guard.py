"""Run one command and take its whole process group down if the driver disappears.

Why: each ``spack test run`` shard runs in its own session so that a timeout can kill
the shard and every process under it (Spack forks the test, the test forks programs).
A session is also detached from the driver: if the driver is killed with SIGKILL it
cannot clean up, and a hung test would sleep on for an hour. This guard, the leader of
the shard's process group, polls its parent; when the parent is gone it kills the group.

Usage: ``python shard_guard.py DRIVER_PID -- COMMAND...``; exits with COMMAND's status.
Standalone on purpose (no ``peso`` imports): it is started as a script.
"""

import os
import signal
import subprocess
import sys


def main(argv):
    driver = int(argv[1])
    command = argv[argv.index("--") + 1 :]
    child = subprocess.Popen(command)
    while True:
        try:
            return child.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            if os.getppid() != driver:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                os.killpg(0, signal.SIGKILL)
                return 137


if __name__ == "__main__":
    sys.exit(main(sys.argv))
