"""How ``stack build`` and ``stack test`` call the real ``spack`` executable.

Why subprocesses even inside Spack: a stack's builds and tests must not take the
orchestrator down when they crash or hang, a timeout has to be able to kill them (Spack's
own ``--timeout`` does not stop a hung test), and several must run at once. One object
holds what every call shares: the executable, the environment directory and the extra
configuration scopes (``-C``) a site or the demo uses.
"""

import json
import os
import subprocess
from typing import Dict, List, Optional, Sequence

from ..errors import PesoError
from .process import spack_env
from .runtime import require_spack

INVENTORY_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spack_inventory.py")


class SpackCLI:
    """``spack [-C scope]... [-c key:value]... -e ENV <command>`` for one environment."""

    def __init__(
        self,
        env_dir: str,
        scopes: Sequence[str] = (),
        exe: Optional[str] = None,
        extra_env: Optional[Dict[str, str]] = None,
        config: Sequence[str] = (),
    ):
        self.env_dir = os.path.abspath(env_dir)
        if not os.path.isfile(os.path.join(self.env_dir, "spack.yaml")):
            raise PesoError("no spack.yaml here (run 'stack generate' first)", self.env_dir)
        for scope in scopes:
            if not os.path.isdir(scope):
                raise PesoError("configuration scope directory does not exist", scope)
        self.scopes = [os.path.abspath(s) for s in scopes]
        self.config = list(config)
        self.exe = exe or require_spack()
        self.process_env = spack_env(extra_env)

    def base_argv(self, config: Sequence[str] = ()) -> List[str]:
        """``spack -C ... -c ...`` without the environment (a depfile adds its own ``-e``)."""
        cmd = [self.exe]
        for scope in self.scopes:
            cmd += ["-C", scope]
        for item in [*self.config, *config]:
            cmd += ["-c", item]
        return cmd

    def argv(self, *args: str, config: Sequence[str] = ()) -> List[str]:
        return self.base_argv(config) + ["-e", self.env_dir, *args]

    def run(self, *args: str, config: Sequence[str] = (), timeout=None) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(*args, config=config),
            capture_output=True,
            text=True,
            env=self.process_env,
            timeout=timeout,
        )

    def inventory(self, require_current: bool = False) -> List[dict]:
        """The environment's concrete roots that ``spack.yaml`` still names (see
        ``spack_inventory.py``). With ``require_current``, a ``spack.lock`` that lacks
        some of ``spack.yaml``'s specs (the file changed since it was concretized) is a
        one-line error instead of a silent partial stack."""
        proc = self.run("python", INVENTORY_SCRIPT)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise PesoError("cannot read the environment through Spack: " + last, self.env_dir)
        try:
            found = json.loads(proc.stdout.strip().splitlines()[-1])
            roots, unconcretized = found["roots"], found["unconcretized"]
        except (ValueError, IndexError, KeyError, TypeError):
            raise PesoError("unexpected inventory output from Spack", self.env_dir)
        if require_current and not roots and not unconcretized:
            raise PesoError("the environment lists no root specs: nothing to build or test", self.env_dir)
        if require_current and unconcretized:
            raise PesoError(
                "spack.lock does not match spack.yaml: %d root spec(s) not concretized (first %s); "
                "run 'stack build' (it concretizes) first" % (len(unconcretized), unconcretized[0]),
                self.env_dir,
            )
        return roots
