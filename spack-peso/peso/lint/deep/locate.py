"""Find the ``file:line`` of a Spack audit error in the recipe's AST.

``spack audit`` prints mostly no line numbers (and its boilerplate check prints them
0-based), so a peso finding made from an audit error needs its place recovered: the
directive call, ``def`` or assignment the message talks about. Each audit check gets a
``locate`` strategy (named in ``rules-deep.yaml``) that pulls the quoted names out of
the message and looks for them in a small index of the recipe's top-level class.
Nothing here needs Spack: it reads only the recipe text.
"""

import ast
import re
from typing import Dict, List, Optional, Tuple

from ...recipe.syntax import spec_name

_QUOTED = re.compile(r"'([^']+)'")
_VARIANT_IN_DETAIL = re.compile(r"variant (\S+) does not exist")
_FILE_LINE = re.compile(r":(\d+):")
#: "<file>.py:LINE references ..." (deprecated globals: audit prints these 1-based)
_PY_LINE = re.compile(r"\.py:(\d+)\b")
_VERSION_USES = re.compile(r"@(\S+) uses")


class Call:
    """A directive-like call anywhere in the class body (also inside ``with when():``)."""

    __slots__ = ("name", "line", "strings", "kwargs")

    def __init__(self, name: str, line: int, strings: List[str], kwargs: Dict[str, str]):
        self.name = name
        self.line = line
        self.strings = strings  # positional string constants
        self.kwargs = kwargs  # keyword -> string constant


class RecipeIndex:
    """Calls, method definitions and assignments of the package class(es) in one file."""

    def __init__(self, source: str, tree: Optional[ast.AST] = None):
        self.lines = source.splitlines()
        self.calls: List[Call] = []
        self.defs: Dict[str, int] = {}
        self.assigns: Dict[str, int] = {}
        self.class_line = 1
        if tree is None:
            try:
                tree = ast.parse(source)
            except SyntaxError:
                return
        classes = [n for n in getattr(tree, "body", []) if isinstance(n, ast.ClassDef)]
        if classes:
            # the package class is the last top-level class that is not a builder
            pkg = [c for c in classes if not c.name.endswith("Builder")] or classes
            self.class_line = pkg[-1].lineno
        for cls in classes:
            for node in ast.walk(cls):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    self.calls.append(_call(node))
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self.defs.setdefault(node.name, node.lineno)
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.assigns.setdefault(target.id, node.lineno)

    def calls_named(self, *names: str) -> List[Call]:
        return [c for c in self.calls if c.name in names]


def _call(node: ast.Call) -> Call:
    strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    kwargs = {
        k.arg: k.value.value
        for k in node.keywords
        if k.arg and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str)
    }
    assert isinstance(node.func, ast.Name)  # indexed calls are bare-name calls
    return Call(node.func.id, node.lineno, strings, kwargs)


def _spec_name(spec: str) -> str:
    return spec_name(spec) or ""


def _mentions_variant(text: str, variant: str) -> bool:
    """``+v``, ``~v``, ``-v`` (old syntax) or ``v=...`` in a spec string, not ``v-impl``."""
    v = re.escape(variant)
    pattern = r"(?:[+~]|(?:^|(?<=\s))-)%s(?![\w-])|(?<![\w-])%s==?" % (v, v)
    return re.search(pattern, text) is not None


def _squash(text: str) -> str:
    return text.replace(" ", "")


def locate(strategy: str, summary: str, details: Tuple[str, ...], index: RecipeIndex) -> Tuple[int, bool]:
    """Line of the audit error in the recipe, and whether it was found exactly.

    Falls back to the class statement (``exact=False``) when the thing is not written in
    this file (inherited from a base class, or computed).
    """
    text = "\n".join((summary,) + tuple(details))
    finder = _STRATEGIES.get(strategy)
    line = finder(summary, details, text, index) if finder else None
    if line:
        return line, True
    return index.class_line, False


def _depends_on(summary, details, text, index):
    quoted = _QUOTED.findall(summary)
    m = re.search(r"dependency on (\S+) cannot be satisfied", summary)
    if m:  # version constraint: match name and version part
        spec = m.group(1)
        name = _spec_name(spec)
        version = spec.split("@", 1)[1] if "@" in spec else ""
        best = None
        for c in index.calls_named("depends_on"):
            if c.strings and _spec_name(c.strings[0]) == name:
                if version and version.split()[0] in c.strings[0].replace(" ", ""):
                    return c.line
                best = best or c.line
        return best
    m = re.search(r"variant (\S+) does not exist in package (\S+)", text)
    if m:
        variant, dep = m.group(1).strip("'\""), m.group(2).strip("'\"")
        for c in index.calls_named("depends_on"):
            if c.strings and _spec_name(c.strings[0]) == dep and variant in c.strings[0]:
                return c.line
    for q in quoted:
        name = _spec_name(q)
        for c in index.calls_named("depends_on"):
            if c.strings and _spec_name(c.strings[0]) == name:
                return c.line
    # "remove variants from 'SPEC'" detail
    for q in _QUOTED.findall(text):
        for c in index.calls_named("depends_on"):
            if c.strings and c.strings[0].replace(" ", "") == q.replace(" ", ""):
                return c.line
    return None


def _variant_use(summary, details, text, index):
    m = re.search(r"wrong variant in '(\w+)' directive", summary)
    directive = m.group(1) if m else None
    names: Tuple[str, ...] = (directive,) if directive else ("conflicts", "depends_on", "provides", "resource")
    if directive == "conflicts":
        names = ("conflicts", "requires")
    # audit's detail often carries the combined condition: "... when @:1.50+context"
    m = re.search(r" when (.+)$", " ".join(details))
    combined = _squash(m.group(1)) if m else ""
    variants = _VARIANT_IN_DETAIL.findall(text) + _QUOTED.findall(" ".join(details))
    for variant in variants:
        variant = variant.strip("'\"")
        candidates = []
        for c in index.calls_named(*names):
            texts = c.strings + list(c.kwargs.values())
            if any(_mentions_variant(t, variant) for t in texts):
                score = sum(1 for t in texts if _squash(t) and _squash(t) in combined)
                candidates.append((-score, c.line))
        if candidates:
            return min(candidates)[1]
    return None


def _when(summary, details, text, index):
    for q in _QUOTED.findall(" ".join(details)):
        if q.startswith("^"):
            continue
        for c in index.calls:
            if c.kwargs.get("when", "").replace(" ", "") == q.replace(" ", ""):
                return c.line
            if c.name == "when" and c.strings and c.strings[0].replace(" ", "") == q.replace(" ", ""):
                return c.line
    return None


def _variant(summary, details, text, index):
    for q in _QUOTED.findall(summary):
        for c in index.calls_named("variant"):
            if c.strings and c.strings[0] == q:
                return c.line
    return None


def _url(summary, details, text, index):
    for detail in details:
        url = detail.strip()
        for c in index.calls_named("patch", "resource"):
            if url in c.strings or url in c.kwargs.values():
                return c.line
        for i, line in enumerate(index.lines, 1):
            if url in line:
                return i
    return None


def _assign_name(summary, details, text, index):
    return index.assigns.get("name") or index.defs.get("name")


def _method(summary, details, text, index):
    for m in _PY_LINE.finditer(" ".join(details)):
        return int(m.group(1))  # audit printed the line itself (deprecated globals)
    for m in re.finditer(r"in '(\w+)' method", text):
        if m.group(1) in index.defs:
            return _first_use_in_method(index, m.group(1), text) or index.defs[m.group(1)]
    if "Rename 'test' method" in text and "test" in index.defs:
        return index.defs["test"]
    for word in re.findall(
        r"'?([A-Za-z_][A-Za-z0-9_]*)'?", summary + " " + " ".join(d for d in details if "/" not in d)
    ):
        if word in index.defs and (word.startswith("test") or word.startswith("setup_")):
            return index.defs[word]
    return None


def _first_use_in_method(index, method, text):
    m = re.search(r"Change '([^']+)'", text)
    if not m:
        return None
    start = index.defs[method]
    for i in range(start, len(index.lines) + 1):
        if m.group(1) in index.lines[i - 1]:
            return i
    return None


def _boilerplate(summary, details, text, index):
    for detail in details:
        m = _FILE_LINE.search(detail)
        if m:
            return int(m.group(1)) + 1  # audit enumerates lines from 0
    return None


def _version(summary, details, text, index):
    for m in _VERSION_USES.finditer(text):
        for c in index.calls_named("version"):
            if c.strings and c.strings[0] == m.group(1):
                return c.line
    if "Resource in" in text:
        calls = index.calls_named("resource")
        if calls:
            return calls[0].line
    return None


def _class(summary, details, text, index):
    return None


_STRATEGIES = {
    "depends_on": _depends_on,
    "variant-use": _variant_use,
    "when": _when,
    "variant": _variant,
    "url": _url,
    "assign-name": _assign_name,
    "method": _method,
    "boilerplate": _boilerplate,
    "version": _version,
    "class": _class,
}
