"""The CLI fuzz tier: generated command lines and corrupted input files for every command
that runs without Spack. The invariant is the exit-status contract: 0, 1 or 2 (never
3, a crash), no traceback, and no file written outside the folder the command runs in.

Commands run in-process through ``peso.__main__.main`` (the same boundary as ``python -m
peso``) so hundreds of examples take seconds. ``$HOME``, the cache and
``$PESO_ENVIRONMENTS`` point into the example's own folder, so a default output path (the
stack folder, the lint cache) is inside it too. Under CI the examples are derandomized:
the same inputs every run, so CI fails on a regression, not on a new random find.
"""

import contextlib
import io
import os
import random
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peso_testing import IN_CI, ROOT

from peso.__main__ import main

pytestmark = pytest.mark.fuzz

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=IN_CI,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

COMMANDS = [
    ["lint"],
    ["lint", "--list-rules"],
    ["stack", "generate"],
    ["stack", "targets"],
    ["stack", "coverage"],
    ["stack", "report"],
    ["stack", "test"],
    ["stack", "build"],
    ["policy", "explain"],
    ["policy", "report"],
    ["curate"],
]
OPTIONS = [
    "--target",
    "--catalog",
    "--tags",
    "--only",
    "-o",
    "--out",
    "--output",
    "--format",
    "--select",
    "--ignore",
    "--policy",
    "--fail-on",
    "-j",
    "--timeout",
    "--explain",
    "--waivers",
    "--baseline",
    "--scheduler",
    "--partition",
    "--account",
    "--time",
    "--nodes",
    "--env",
    "--html",
    "--products",
    "--stack",
    "--force",
    "--check",
]
HOSTILE = [
    "",
    "-1",
    "0",
    "3",
    "frontier",
    "olcf-frontier",
    "host",
    "debian12",
    "e4s",
    "demo",
    "hypre",
    "../../escape",
    "/no-such-dir/out",
    "a\nb",
    "x;touch F",
    "$(id)",
    "PESO-T001",
    "E4S-P2",
    "json",
    "sarif",
    "slurm",
    "pbs",
    "nul\x00byte",
    "ü",
    "out/../../x",
    "repo",
    "catalog.yaml",
]
token = st.one_of(st.sampled_from(OPTIONS + HOSTILE), st.text(max_size=12))


@contextlib.contextmanager
def sandbox():
    """A throw-away folder as cwd, home and stack folder; yields (folder, work dir)."""
    folder = tempfile.mkdtemp(prefix="peso-fuzz-")
    work = os.path.join(folder, "work")
    environments = os.path.join(work, "environments")
    for part in ("targets", "catalog"):
        shutil.copytree(os.path.join(ROOT, "environments", part), os.path.join(environments, part))
    shutil.copytree(os.path.join(ROOT, "repo"), os.path.join(work, "repo"))
    saved = {k: os.environ.get(k) for k in ("HOME", "XDG_CACHE_HOME", "PESO_ENVIRONMENTS", "PESO_CRASH_DIR")}
    old_cwd = os.getcwd()
    os.environ.update(
        HOME=os.path.join(work, "home"),
        XDG_CACHE_HOME=os.path.join(work, "cache"),
        PESO_ENVIRONMENTS=environments,
        PESO_CRASH_DIR=os.path.join(work, "crashes"),
    )
    os.chdir(work)
    try:
        yield folder, work
    finally:
        os.chdir(old_cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(folder, ignore_errors=True)


def run(argv):
    """Exit status and stderr of one in-process command."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main([a for a in argv])
        except SystemExit as stop:
            code = stop.code
    if code is None:
        code = 0
    return (code if isinstance(code, int) else 2), err.getvalue()


def check_contract(argv, folder, work):
    code, err = run(argv)
    crashes = os.path.join(work, "crashes")
    detail = open(os.path.join(crashes, os.listdir(crashes)[0])).read() if os.path.isdir(crashes) else ""
    assert code in (0, 1, 2), "%r exited %s: %s%s" % (argv, code, err[-500:], detail[-3000:])
    assert "Traceback" not in err, (argv, err[-2000:])
    assert os.listdir(folder) == ["work"], (argv, os.listdir(folder))


def _keep_fast(argv):
    """Nothing here may start Spack or a long solve: those commands are refused before
    they would, or are left out of the generated command lines."""
    return "--check" not in argv


@FUZZ
@given(st.sampled_from(COMMANDS), st.lists(token, max_size=6))
def test_generated_command_lines_keep_the_exit_status_contract(command, extra):
    argv = command + extra
    if command[:2] in (["stack", "test"], ["stack", "build"]):
        argv += ["--env", "no-such-env"]  # never reaches Spack: the missing stack is the error
    if not _keep_fast(argv):
        argv = [a for a in argv if a != "--check"]
    with sandbox() as (folder, work):
        check_contract(argv, folder, work)


@FUZZ
@given(st.sampled_from(COMMANDS), st.lists(st.tuples(st.sampled_from(OPTIONS), token), max_size=4))
def test_generated_option_values_keep_the_exit_status_contract(command, pairs):
    """Well-formed options with hostile values: these reach the commands' own validation."""
    argv = command + [part for pair in pairs for part in pair if part != "--check"]
    if command[:2] in (["stack", "test"], ["stack", "build"]):
        argv += ["--env", "no-such-env"]
    with sandbox() as (folder, work):
        check_contract(argv, folder, work)


def _mutations(data: bytes, rnd: random.Random):
    """Truncations, byte flips, splices and type swaps of a real input file."""
    yield data[: rnd.randrange(len(data) + 1)]
    flipped = bytearray(data)
    for _ in range(8):
        if flipped:
            flipped[rnd.randrange(len(flipped))] = rnd.randrange(256)
    yield bytes(flipped)
    cut = rnd.randrange(len(data) + 1)
    yield data[:cut] + b"\n  - [unbalanced: {\n" + data[cut:]
    yield b"products: 5\nname: [1, 2]\nschema: 7\n"
    yield b"\x00\xff\xfe" + data[:200]


#: (input file in the sandbox, a real source for it, the command that reads it)
INPUTS = [
    ("environments/catalog/e4s.yaml", "environments/catalog/e4s.yaml", ["stack", "generate", "--target", "frontier"]),
    (
        "environments/targets/frontier.yaml",
        "environments/targets/frontier.yaml",
        ["stack", "generate", "--target", "frontier"],
    ),
    ("peso.yaml", None, ["lint", "repo"]),
    ("peso-waivers.yaml", None, ["lint", "repo"]),
    ("baseline.json", None, ["lint", "repo", "--baseline", "baseline.json"]),
    ("record.json", None, ["stack", "report", "record.json"]),
    ("products.yaml", None, ["policy", "report", "--products", "products.yaml", "--repo", "repo"]),
]
SEEDS = {
    "peso.yaml": b"policy: xsdk\nignore: [PESO-V005]\nfail-on: warning\n",
    "peso-waivers.yaml": b"waivers:\n  - package: peso-demo-data\n    rule: PESO-T001\n    reason: data\n"
    b"    owner: alice\n    expires: 2099-12-31\n",
    "baseline.json": b'{"schema": "peso-lint-baseline/1", "findings": [{"rule": "PESO-S001", "package": "x"}]}',
    "record.json": b'{"schema": "peso-stack-test/1", "kind": "test", "run_id": "r", "target": "host", "started": "t0", "specs": '
    b'[{"package": "a", "hash": "abc", "status": "PASSED", "wall": 1.0, "parts": []}]}',
    "products.yaml": b"products:\n  - name: superlu\n    package: superlu\n",
}


@FUZZ
@given(st.sampled_from(INPUTS), st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=0, max_value=4))
def test_corrupted_inputs_keep_the_exit_status_contract(case, seed, which):
    name, source, argv = case
    with sandbox() as (folder, work):
        data = SEEDS[name] if source is None else open(os.path.join(ROOT, source), "rb").read()
        mutated = list(_mutations(data, random.Random(seed)))[which]
        with open(os.path.join(work, name), "wb") as f:
            f.write(mutated)
        check_contract(argv + (["-o", "out"] if argv[:2] == ["stack", "generate"] else []), folder, work)
