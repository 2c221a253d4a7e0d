"""Robustness: whatever bytes a recipe holds, load_recipe returns a Recipe and no rule
check raises. Inputs are random bytes/text, mutated fixture recipes (committed test
data) and, where the reference builtin repository exists, mutated real recipes."""

import glob
import io
import json
import os
import re
import tokenize

from _recipes import CLEAN, STATIC_RULE_IDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peso.errors import PesoError
from peso.lint.registry import RULES, all_rules
from peso.recipe.parse import load_recipe, parse_recipe
from peso.spackcall import provision

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "recipes")
FIXTURES = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(DATA, "*", "package.py")))]
FIXTURES.append(CLEAN.encode())


def _reference_packages():
    """The builtin recipes of the Spack at hand (provisioned or not), or None: hypothesis
    samples need them at import time, before fixtures exist."""
    try:
        install = provision.locate(with_packages=True)
    except PesoError:
        return None
    return os.path.join(install.builtin, "packages") if install and install.builtin else None


BUILTIN = _reference_packages()
REAL = sorted(glob.glob(os.path.join(BUILTIN, "*", "package.py")))[::150] if BUILTIN else []  # ~60
SOURCES = FIXTURES + [open(p, "rb").read() for p in REAL]

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STRING = re.compile(rb'"[^"\\\n]*"')


def run_all(source: bytes, name="fuzz_pkg"):
    all_rules()
    recipe = parse_recipe("repo/packages/%s/package.py" % name, source)
    assert recipe.tree is not None or recipe.error is not None
    if recipe.error is not None:
        message, line, col = recipe.error
        assert isinstance(message, str) and line >= 0 and col >= 0
    findings = []
    for rule_id in STATIC_RULE_IDS:
        findings.extend(RULES[rule_id].check(recipe))
    n_lines = len(recipe.lines)
    for f in findings:
        assert 0 <= f.line <= max(n_lines, 1), (f.rule, f.line, n_lines)
    if recipe.error is not None:
        assert {f.rule for f in findings} <= {"PESO-E001"}
    return recipe, findings


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    run_all(data)


@FUZZ
@given(st.text(max_size=2000))
def test_random_text(text):
    run_all(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.sampled_from(SOURCES), st.data())
def test_mutated_recipes(source, data):
    kind = data.draw(st.sampled_from(["cut", "insert", "lines", "truncate"]))
    n = len(source)
    if kind == "cut":
        a = data.draw(st.integers(0, n))
        b = data.draw(st.integers(a, min(n, a + 200)))
        source = source[:a] + source[b:]
    elif kind == "insert":
        a = data.draw(st.integers(0, n))
        source = source[:a] + data.draw(st.binary(max_size=40)) + source[a:]
    elif kind == "lines":
        lines = source.splitlines(keepends=True)
        ops = data.draw(st.lists(st.tuples(st.sampled_from(["del", "dup", "swap"]), st.integers(0, 10**6)), max_size=5))
        for op, i in ops:
            if not lines:
                break
            i %= len(lines)
            if op == "del":
                del lines[i]
            elif op == "dup":
                lines.insert(i, lines[i])
            else:
                j = (i + 1) % len(lines)
                lines[i], lines[j] = lines[j], lines[i]
        source = b"".join(lines)
    else:
        source = source[: data.draw(st.integers(0, n))]
    run_all(source)


def _tokenize_comments(source: bytes):
    comments = {}
    for tok in tokenize.tokenize(io.BytesIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.rstrip()
    return comments


@FUZZ
@given(st.sampled_from(SOURCES), st.data())
def test_valid_recipes_with_random_strings(source, data):
    """Replace string literals by arbitrary text (including '#', quotes, non-ASCII):
    the source stays valid Python, the rules see odd values, and the comment map must
    still equal the tokenizer's."""
    literals = list(STRING.finditer(source))
    if literals:
        picks = data.draw(st.lists(st.integers(0, len(literals) - 1), max_size=6, unique=True))
        for index in sorted(picks, reverse=True):
            m = literals[index]
            text = data.draw(st.text(max_size=30))
            literal = json.dumps(text).encode()
            source = source[: m.start()] + literal + source[m.end() :]
    recipe, _ = run_all(source)
    if recipe.error is None:
        assert recipe.comments == _tokenize_comments(source)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "version",
                    "variant",
                    "depends_on",
                    "conflicts",
                    "license",
                    "patch",
                    "resource",
                    "maintainers",
                    "requires",
                    "provides",
                    "build_system",
                ]
            ),
            st.lists(st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()), max_size=3),
            st.dictionaries(
                st.sampled_from(
                    [
                        "sha256",
                        "md5",
                        "when",
                        "description",
                        "default",
                        "msg",
                        "url",
                        "git",
                        "tag",
                        "commit",
                        "branch",
                        "type",
                        "checked_by",
                        "name",
                    ]
                ),
                st.one_of(st.text(max_size=20), st.booleans(), st.none()),
                max_size=3,
            ),
        ),
        max_size=12,
    ),
    st.sampled_from(["CMakePackage", "Package", "MakefilePackage", "PythonPackage", "Other", "CudaPackage"]),
)
def test_generated_class_bodies(directives, base):
    """Syntactically valid recipes made of directives with arbitrary literal arguments."""
    body = []
    for name, args, kwargs in directives:
        parts = [repr(a) for a in args] + ["%s=%r" % (k, v) for k, v in kwargs.items()]
        body.append("    %s(%s)" % (name, ", ".join(parts)))
    source = "from spack.package import *\n\n\nclass FuzzPkg(%s):\n    '''doc'''\n%s\n" % (base, "\n".join(body))
    recipe, _ = run_all(source.encode())
    assert recipe.error is None
    assert len(recipe.directives) == len(directives)


def test_load_recipe_never_raises_on_odd_paths(tmp_path):
    missing = load_recipe(str(tmp_path / "nope" / "package.py"))
    assert missing.tree is None and "cannot read" in missing.error[0]
    directory = load_recipe(str(tmp_path))
    assert directory.tree is None and directory.error is not None
    nul = parse_recipe("x/package.py", b"class A:\n    x = 1\x00\n")
    assert nul.tree is None and nul.error is not None


def test_real_recipes_sample(builtin_packages):
    """Every tenth builtin recipe, unmodified: models cleanly, no rule raises, findings
    point into the file. Needs the reference spack-packages tree."""
    paths = sorted(glob.glob(os.path.join(builtin_packages, "*", "package.py")))[::10]
    assert len(paths) > 500, builtin_packages
    for path in paths:
        recipe = load_recipe(path)
        assert recipe.error is None and recipe.package_class is not None, path
        for rule_id in STATIC_RULE_IDS:
            for f in RULES[rule_id].check(recipe):
                assert 1 <= f.line <= len(recipe.lines), (path, f.rule, f.line)
