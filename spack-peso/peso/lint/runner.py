"""Run the rules over many recipe files in parallel worker processes.

Parsing dominates the cost (about 0.4 ms of CPU per recipe for ``ast.parse`` alone on the
builtin repository), so files are linted in ``fork``-ed processes that inherit the
already imported rules (no start-up import cost), one share of the files each (one round
trip), and send back compact tuples instead of objects (cheap to pickle):

    (path, package, findings, suppressions, sha256 of the bytes linted, their stat signature)
    findings     = ((rule_id, severity, message, line, column), ...)
    suppressions = ((line, (rule_id, ...), reason), ...)

Workers read and hash the files they lint, so a cold run reads each file once, in parallel.

Where ``fork`` is unavailable (Windows) or there is little to do, files are linted in
this process. A rule that raises becomes a PESO-X005 finding, a recipe that cannot be
read or parsed a PESO-E001 finding: one bad file or rule never stops the run.
"""

import ast
import gc
import os
import pickle
import signal
import struct
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import registry
from .cache import file_digest, stat_signature
from .suppress import parse_suppressions

UNREADABLE = "PESO-E001"
CRASHED = "PESO-X005"

#: below this many files forking costs more than it saves
MIN_PARALLEL = 64

#: (path, package, raw findings, suppressions, digest, stat signature, other recipes read
#: as ((path, stat signature), ...): see ``LintCache.reads``, facts: see :func:`facts_of`)
Result = Tuple[str, str, tuple, tuple, Optional[str], Optional[tuple], tuple, dict]

#: the rules of the current run; set before forking so workers inherit them
_RULES: Sequence = ()
#: path -> the bytes to lint instead of the file's (PR mode: a recipe as it was at a
#: revision, linted at its own path so package name and base classes are the same)
_CONTENTS: Dict[str, bytes] = {}


def default_jobs() -> int:
    return os.cpu_count() or 1


def lint_paths(
    paths: Sequence[str], rules: Sequence, jobs: int = 0, contents: Optional[Dict[str, bytes]] = None
) -> List[Result]:
    """Lint every file in ``paths`` with ``rules``; one result per path, any order.
    ``contents``: bytes to lint instead of some files' own (no stat signature then)."""
    global _RULES, _CONTENTS
    _RULES = tuple(rules)
    _CONTENTS = dict(contents or {})
    jobs = jobs or default_jobs()
    paths = list(paths)
    if jobs <= 1 or len(paths) < MIN_PARALLEL or not hasattr(os, "fork"):
        return _lint_chunk(paths)
    return fork_map(_lint_chunk, paths, min(jobs, len(paths)))


#: items per task a worker takes at a time: small enough that the workers finish within
#: a few files of each other, large enough that taking one costs nothing
TASK_SIZE = 16
#: task numbers are 4-byte records in one pipe, all written before any worker starts: they
#: must fit its buffer (64 KiB on Linux; POSIX promises 4 KiB at least)
_MAX_TASKS = 1024


def fork_map(work: Callable[[Sequence], list], items: Sequence, jobs: int) -> list:
    """``work`` over ``items`` in ``jobs`` forked workers, each sending its results back
    as one pickle through a pipe. Lint and ``lint --deep`` share it.

    Plain ``fork`` rather than a ``multiprocessing`` pool: a pool's bookkeeping threads
    in the parent cost seconds of CPU on a 9,000-file run, contending with the workers
    on a small machine. The items are cut into tasks of consecutive items, whose numbers
    wait in one pipe that every worker reads: a read of one 4-byte record is atomic, so
    each task goes to exactly one worker, and a worker that drew slow recipes simply
    takes fewer tasks (fixed shares left one worker 7% behind the other on builtin).
    A worker that dies leaves every task it took to be done here, so every item still
    gets exactly one result.
    """
    size = max(TASK_SIZE, -(-len(items) // _MAX_TASKS))
    tasks = [items[i : i + size] for i in range(0, len(items), size)]
    gc.collect()
    gc.freeze()  # keep the parent's objects out of the children's collections (less copy-on-write)
    workers = []  # (pid, read end)
    task_read, task_write = os.pipe()
    try:
        os.write(task_write, b"".join(struct.pack("<I", k) for k in range(len(tasks))))
        os.close(task_write)
        task_write = -1
        for _ in range(jobs):
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker
                os.close(read_fd)
                _worker(work, tasks, task_read, write_fd)  # never returns
            os.close(write_fd)
            workers.append((pid, read_fd))
        done: Dict[int, list] = {}
        for pid, read_fd in workers:
            with os.fdopen(read_fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            try:
                part = pickle.loads(data) if status == 0 else None
            except Exception:
                part = None
            for k, results in part or ():
                if len(results) == len(tasks[k]):
                    done[k] = results
    except BaseException:
        for pid, _ in workers:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except OSError:
                pass
        raise
    finally:
        gc.unfreeze()
        os.close(task_read)
        if task_write >= 0:
            os.close(task_write)
    out: list = []
    leftovers: list = []
    for k, task in enumerate(tasks):
        if k in done:
            out.extend(done[k])
        else:
            leftovers.extend(task)
    if leftovers:
        out.extend(work(leftovers))
    return out


def _worker(work: Callable[[Sequence], list], tasks: Sequence[Sequence], task_read: int, write_fd: int) -> None:
    """Take task numbers from the shared pipe until it is empty; send back (number,
    results) pairs."""
    status = 1
    try:
        done = []
        while True:
            record = os.read(task_read, 4)
            if len(record) < 4:
                break
            k = struct.unpack("<I", record)[0]
            done.append((k, work(tasks[k])))
        data = pickle.dumps(done, pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffers


#: files between two collections of the cyclic collector while linting
COLLECT_EVERY = 1000
#: files this process has linted (a worker lints many small tasks)
_linted = 0


def _lint_chunk(paths: Sequence[str]) -> List[Result]:
    """Lint with the cyclic collector paused: the recipe model and the rules build no
    reference cycles (a test checks), so reference counting frees each recipe as soon as
    its file is done, and the collector would only rescan the results again and again (a
    quarter of a cold run's CPU). A collection every COLLECT_EVERY files bounds memory
    should a rule ever leave a cycle behind."""
    global _linted
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        results = []
        for path in paths:
            results.append(lint_file(path, _RULES))
            _linted += 1
            if _linted % COLLECT_EVERY == 0:
                gc.collect(0)
        return results
    finally:
        if was_enabled:
            gc.enable()


def lint_file(path: str, rules: Sequence) -> Result:
    """Raw findings and suppressions of one recipe file, and the SHA-256 of the bytes
    linted (None if unreadable). Never raises for the file's content."""
    from ..recipe.layout import package_name_from_path
    from ..recipe.parse import load_recipe, parse_recipe

    digest = signature = None
    try:
        try:
            data = _CONTENTS.get(path)
            if data is None:
                with open(path, "rb") as f:
                    data = f.read()
                    signature = stat_signature(os.fstat(f.fileno()))
        except OSError:
            recipe = load_recipe(path)  # models the read error
        else:
            digest = file_digest(data, path)
            recipe = parse_recipe(path, data)
    except Exception as e:  # the model promises not to raise; still, never stop the run
        return (path, package_name_from_path(path), (crashed("reading the recipe", e),), (), digest, signature, (), {})
    package = recipe.package or package_name_from_path(path)
    if recipe.tree is None:
        f = unreadable(recipe)
        return (path, package, ((f.rule, f.severity, f.message, f.line, f.column),), (), digest, signature, (), {})
    findings = []
    for rule in rules:
        try:
            for f in rule.check(recipe) or ():
                findings.append((f.rule, f.severity, f.message, f.line, f.column))
        except Exception as e:
            findings.append(crashed("rule %s (%s)" % (rule.id, rule.name), e))
    suppressions: tuple = ()
    if recipe.source and "peso" in recipe.source and recipe.comments:
        suppressions = parse_suppressions(recipe.comments)
    # in report order (line, column, rule, message): the engine then need not sort a
    # whole repository's findings again on every warm run
    findings.sort(key=_report_order)
    return (path, package, tuple(findings), suppressions, digest, signature, _reads(recipe), facts_of(recipe, rules))


def facts_of(recipe, rules: Sequence) -> dict:
    """``{rule ID: facts}`` of the rules that judge across recipes and found something in
    this one (most recipes: ``{}``). Never raises: facts that fail to be read are None,
    which the rule takes as "this recipe may hold anything" and decides nothing on."""
    facts: dict = {}
    for rule in rules:
        if rule.facts is not None:
            try:
                found = rule.facts(recipe)
            except Exception:
                facts[rule.id] = None
                continue
            if found:
                facts[rule.id] = found
    return facts


def _reads(recipe) -> tuple:
    """The other recipes the rules read for this one, with the stat signatures they had
    when read (``recipe.memo["reads"]``)."""
    return tuple(sorted((recipe.memo.get("reads") or {}).items()))


def _report_order(raw: tuple) -> tuple:
    rule_id, _severity, message, line, column = raw
    return (line, column, rule_id, message)


@registry.rule(CRASHED, kind="engine")
def crashed(what: str, error: Exception) -> tuple:
    """The raw PESO-X005 finding of a rule (or the model) that raised on a recipe."""
    return (CRASHED, "error", "%s crashed: %s: %s" % (what, type(error).__name__, error), 0, 0)


@registry.rule(UNREADABLE, kind="engine")
def unreadable(recipe):
    """PESO-E001 for a recipe that cannot be read, decoded or parsed: reported instead
    of every other rule's findings, at the error's line when one is known."""
    message, line, column = _error_parts(recipe.error)
    if not line:
        line, column = error_location(recipe.path, recipe.source)
    return registry.RULES[UNREADABLE].finding(recipe, (line, column), message)


def _error_parts(error) -> Tuple[str, int, int]:
    """``Recipe.error`` is ``(message, line, column)``; tolerate a bare message."""
    if isinstance(error, tuple) and len(error) == 3:
        return str(error[0]), int(error[1] or 0), int(error[2] or 0)
    return str(error or "cannot parse the recipe"), 0, 0


def error_location(path: str, source) -> Tuple[int, int]:
    """Line and column (1-based) of why a recipe cannot be read; (0, 0) if unknown.

    Only runs for broken files, so re-reading and re-parsing here costs nothing overall.
    """
    if source is None:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return 0, 0
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            return line, column
    try:
        ast.parse(source, filename=path)
    except SyntaxError as e:
        return e.lineno or 0, e.offset or 0
    except (ValueError, RecursionError, MemoryError):  # NUL bytes, absurd nesting
        return 0, 0
    return 0, 0
