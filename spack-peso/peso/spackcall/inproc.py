"""Concretize an environment with Spack's environment API, inside ``spack peso``.

Why: when spack-peso runs as ``spack peso stack build``, Spack is already loaded, so the
environment is concretized in-process through ``spack.environment`` (no second Spack
start-up, Spack's own errors). The ``-C``/``-c`` options given to ``stack build`` are
applied as configuration scopes for the duration of the call, exactly as the
``spack -C DIR -c key:value`` command line would, then removed. Installing stays a
subprocess (crash isolation, streamed progress); see ``build.py``.
"""

from typing import Sequence

from ..errors import PesoError


def concretize(env_dir: str, scopes: Sequence[str] = (), config: Sequence[str] = ()) -> int:
    """Concretize and write ``env_dir``'s lockfile; return the number of new specs."""
    import spack.config
    import spack.environment as ev
    import spack.error
    from spack.config import ConfigScopePriority, DirectoryConfigScope, InternalConfigScope

    pushed = []
    try:
        for i, path in enumerate(scopes):
            scope = DirectoryConfigScope("peso_scope_%d" % i, path, writable=False)
            spack.config.CONFIG.push_scope(scope, priority=ConfigScopePriority.CUSTOM)
            pushed.append(scope.name)
        overrides = InternalConfigScope("peso_overrides")
        spack.config.CONFIG.push_scope(overrides, priority=ConfigScopePriority.COMMAND_LINE)
        pushed.append(overrides.name)
        for item in config:
            spack.config.add(item, scope=overrides.name)
        env = ev.Environment(env_dir)
        with env:
            with env.write_transaction():
                new = env.concretize()
                env.write()
        return len(new)
    except spack.error.SpackError as e:
        raise PesoError("concretization failed: %s" % str(e).splitlines()[0], env_dir)
    finally:
        for name in reversed(pushed):
            spack.config.CONFIG.remove_scope(name)
