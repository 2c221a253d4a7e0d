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

#: examples per test; PESO_FUZZ_EXAMPLES=1000 for a deeper search on a quiet machine
FUZZ = settings(
    max_examples=int(os.environ.get("PESO_FUZZ_EXAMPLES", "100")),
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
    b'[{"package": "a", "hash": "abc", "target": "host", "status": "PASSED", "wall": 1.0, "parts": []}]}',
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


# -- structural corruption: the right syntax holding the wrong things -------------------
#
# Byte-level mutations mostly make a file unparseable, which one loader check catches.
# The harder inputs parse fine and hold a wrong type, a missing key or a hostile name
# deep inside; these come from real documents with keys deleted or values replaced.

WRONG_VALUES = [
    None,
    True,
    0,
    -1,
    2.5,
    1e308,
    "",
    "x",
    "../../escape",
    "/abs",
    "a\nb",
    "nul\x00",
    [],
    {},
    [1],
    {"k": 5},
]

RECORD = {
    "schema": "peso-stack-test/1",
    "kind": "test",
    "run_id": "20261205T000000Z-1",
    "target": "host",
    "env_dir": "/nowhere",
    "host": "h",
    "started": "2026-12-05T00:00:00Z",
    "finished": "2026-12-05T00:01:00Z",
    "complete": True,
    "interrupted": False,
    "options": {"jobs": 2, "timeout": 60},
    "specs": [
        {
            "package": "superlu",
            "version": "7.0.0",
            "hash": "abcdefabcdefabcdefabcdefabcdefab",
            "spec": "superlu@7.0.0",
            "target": "host",
            "status": "FAILED",
            "reason": "a part failed",
            "wall": 3.5,
            "log": "/nowhere/log.txt",
            "log_excerpt": "error: x",
            "maintainers": ["alice"],
            "recipe": "repo/packages/superlu/package.py",
            "parts": [
                {"name": "test_a", "status": "PASSED", "message": "", "duration": 1.0, "excerpt": ""},
                {"name": "test_b", "status": "FAILED", "message": "boom", "duration": 2.0, "excerpt": "boom"},
            ],
        }
    ],
}
BUILD_RECORD = dict(RECORD, kind="build", specs=[dict(RECORD["specs"][0], status="BUILD_FAILED", parts=[])])
BASELINE = {
    "version": 1,
    "tool": "spack-peso",
    "fingerprint": "sha256(rule, package, normalised flagged line, occurrence index)",
    "findings": [
        {
            "fingerprint": "5291cb4d37c9ac4d6bbc",
            "rule": "PESO-S002",
            "package": "hypre",
            "path": "repo/spack_repo/peso/packages/hypre/package.py",
            "line": 265,
            "message": "m",
        }
    ],
}
WAIVERS = {
    "waivers": [
        {"package": "peso-demo-data", "rule": "PESO-T001", "reason": "data", "owner": "alice", "expires": "2099-12-31"}
    ]
}
CONFIG = {"policy": "xsdk", "ignore": ["PESO-V005"], "select": ["PESO-T"], "fail-on": "warning", "jobs": 2}
PRODUCTS = {"products": [{"name": "superlu", "package": "superlu"}, {"name": "hypre", "package": "hypre"}]}
POLICY_REPORT = ["policy", "report", "--products", "products.yaml", "--repo", "repo", "-o", "out"]

#: (file in the sandbox, its document or the checkout file it comes from, the command)
STRUCTURED = [
    ("environments/catalog/e4s.yaml", "environments/catalog/e4s.yaml", ["stack", "generate", "--target", "frontier"]),
    (
        "environments/targets/frontier.yaml",
        "environments/targets/frontier.yaml",
        ["stack", "generate", "--target", "frontier"],
    ),
    ("environments/targets/frontier.yaml", "environments/targets/frontier.yaml", ["stack", "targets"]),
    ("peso.yaml", CONFIG, ["lint", "repo"]),
    ("peso-waivers.yaml", WAIVERS, ["lint", "repo"]),
    ("baseline.json", BASELINE, ["lint", "repo", "--baseline", "baseline.json"]),
    ("record.json", RECORD, ["stack", "report", "record.json", "--html", "o.html", "--junit", "o.xml", "--json", "o"]),
    ("record.json", RECORD, ["stack", "report", "record.json", "--compare", "record.json"]),
    ("products.yaml", PRODUCTS, POLICY_REPORT),
    ("ev/runs/r/record.json", RECORD, POLICY_REPORT + ["--evidence", "ev"]),
    ("ev/build/build.json", BUILD_RECORD, POLICY_REPORT + ["--evidence", "ev"]),
    (
        "repo/spack_repo/peso/packages/hypre/curation.yaml",
        "repo/spack_repo/peso/packages/hypre/curation.yaml",
        ["curate", "--list", "--repo", "repo/spack_repo/peso"],
    ),
]


def _containers(doc, path=()):
    """Every (path, container) of a parsed document, the top level included."""
    if isinstance(doc, dict):
        yield path, doc
        for key, value in doc.items():
            yield from _containers(value, path + (key,))
    elif isinstance(doc, list):
        yield path, doc
        for i, value in enumerate(doc):
            yield from _containers(value, path + (i,))


@FUZZ
@given(st.sampled_from(STRUCTURED), st.data())
def test_structurally_corrupted_inputs_keep_the_exit_status_contract(case, data):
    import copy
    import json

    import yaml

    name, source, argv = case
    if isinstance(source, str):
        with open(os.path.join(ROOT, source), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    else:
        doc = copy.deepcopy(source)
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        containers = [c for c in _containers(doc) if c[1]]
        if not containers:
            break
        _, container = data.draw(st.sampled_from(containers), label="where")
        key = data.draw(
            st.sampled_from(sorted(container, key=str) if isinstance(container, dict) else range(len(container)))
        )
        if data.draw(st.booleans(), label="delete"):
            del container[key]
        else:
            container[key] = copy.deepcopy(data.draw(st.sampled_from(WRONG_VALUES), label="value"))
    text = json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc, allow_unicode=True)
    with sandbox() as (folder, work):
        target = os.path.join(work, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        check_contract(argv + (["-o", "out"] if argv[:2] == ["stack", "generate"] else []), folder, work)
