"""Source provenance (E4S P1/P6, xSDK M10): public VCS with a development version,
https everywhere, sha256 checksums, pinned VCS versions, stable patch URLs, version order."""

import ast
import re
from typing import Callable, List, Optional

from ..autofix import Edit, segment
from ..registry import rule
from ._common import (
    BRANCH_NAMES,
    build_info,
    class_location,
    data,
    finding,
    is_true,
    orders_as_branch,
    url_strings,
    version_key,
)

FIXME_HINT = re.compile("fixme", re.IGNORECASE)
VCS_ATTRIBUTES = ("git", "hg", "svn", "cvs")
VCS_KWARGS = ("git", "hg", "svn", "cvs", "branch", "tag", "commit", "revision", "date", "get_full_repo", "submodules")
#: keyword arguments that pin a VCS version to one state (``date=`` for CVS)
VCS_PINS = ("commit", "revision", "date")
WEAK_DIGESTS = ("md5", "sha1", "sha224", "sha384", "sha512")
INSECURE = re.compile(r"^(http|ftp|git)://", re.IGNORECASE)
INSECURE_HINT = re.compile(r"[\"'](?:http|ftp|git)://", re.IGNORECASE)

# Spack's audit regexes for patch URLs whose content (and so sha256) is not stable
GITHUB_PATCH = re.compile(r"^https?://(?:patch-diff\.)?github(?:usercontent)?\.com/.+/.+/(?:commit|pull)/[a-fA-F0-9]+\.(?:patch|diff)")
GITHUB_PULL_COMMITS = re.compile(r"^https?://(?:patch-diff\.)?github(?:usercontent)?\.com/.+/.+/pull/\d+/commits/[a-fA-F0-9]+\.(?:patch|diff)")
GITLAB_PATCH = re.compile(r"^https?://(?:.+)?gitlab(?:.+)/.+/.+/-/(?:commit|merge_requests)/[a-fA-F0-9]+\.patch")


def _versions(recipe):
    return [d for d in recipe.directives if d.name == "version"]


def _is_branch_version(d) -> bool:
    """A version that follows a moving line on purpose: ``branch=``, a branch-like name
    (``develop``, ``stable``), or a tag named like a branch (``tag="master"``)."""
    name = d.arg_str(0)
    tag = d.kw_str("tag")
    return ("branch" in d.kwargs or (name is not None and name.lower() in BRANCH_NAMES)
            or (tag is not None and tag.lower() in BRANCH_NAMES))


def _leading_text(node) -> str:
    """The literal start of a string expression: a literal, ``"...".format(...)`` or an
    f-string's first part ('' when it does not start with one)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _declares_vcs(recipe) -> bool:
    """The recipe itself names a repository (an attribute or a version's ``git=``)."""
    own = build_info(recipe).own_attributes
    return any(a in own for a in VCS_ATTRIBUTES) or any(
        k in d.kwargs for d in _versions(recipe) for k in ("git", "hg", "svn"))


def _fetched_from_vcs_head(recipe, d) -> bool:
    """A version with no URL, checksum or VCS keyword in a recipe whose only source is a
    VCS attribute: Spack clones the repository's default branch for it."""
    if d.has_star or len(d.args) > 1 or any(k in d.kwargs for k in ("url", "sha256") + WEAK_DIGESTS + VCS_KWARGS):
        return False
    info = build_info(recipe)
    attrs = info.own_attributes
    return (not info.no_code and any(a in attrs for a in VCS_ATTRIBUTES) and "url" not in attrs and "urls" not in attrs
            and not info.provides("url"))


def _has_vcs(recipe) -> bool:
    info = build_info(recipe)
    if any(info.provides(a) for a in VCS_ATTRIBUTES):
        return True  # set in the file or derived by a base class (RPackage: git from bioc)
    return any(k in d.kwargs for d in _versions(recipe) for k in ("git", "hg", "svn"))


def _from_package_index(recipe) -> bool:
    """Every source of the recipe is a language package index (``package_sources.yaml``):
    an index attribute (``pypi``, ``cran``) or URLs on an index host."""
    table = data("package_sources")
    info = build_info(recipe)
    if any(a in info.own_attributes for a in table["index_attributes"]):
        return True
    urls = [url for where, url, _node in url_strings(recipe) if not where.startswith(("patch", "resource"))]
    hosts = tuple(table["index_hosts"])
    return bool(urls) and all(any(h in url for h in hosts) for url in urls)


def _skip_source_rules(recipe) -> bool:
    info = build_info(recipe)
    return recipe.package_class is None or info.opaque or info.no_code


@rule("PESO-S001")
def no_public_vcs(recipe):
    """Not for recipes fetched from a language package index (PyPI, CRAN, CPAN, ...): the
    index is their upstream distribution, a recipe there has no VCS it must name, and
    they were most of the 6,816 findings (76% of builtin) that buried the rest."""
    if _skip_source_rules(recipe) or _has_vcs(recipe) or _from_package_index(recipe):
        return
    yield finding("PESO-S001", recipe, class_location(recipe),
                  "no git/hg/svn attribute: the public development repository is not declared")


@rule("PESO-S002")
def insecure_url(recipe):
    for where, url, node in url_strings(recipe) + _url_method_strings(recipe):
        if INSECURE.match(url):
            yield finding("PESO-S002", recipe, node,
                          "%s uses an unencrypted URL %r; use https://" % (where, url))


#: methods whose strings are source URLs
URL_METHODS = ("url_for_version", "list_url", "url")


def _url_method_strings(recipe):
    """Literal URLs in ``url_for_version`` and the like (py-pygobject built its URLs from
    an http:// base there); found by the walk only when the source has an insecure URL."""
    if not INSECURE_HINT.search(recipe.source or ""):
        return []
    spans = [m for m in recipe.all_methods() if m.name in URL_METHODS]
    if not spans:
        return []
    return [("%s()" % m.name, node.value, node) for node in recipe.strings for m in spans
            if m.contains(node) and "://" in node.value]


@rule("PESO-S003")
def weak_or_missing_checksum(recipe):
    if recipe.package_class is None:
        return
    manual = recipe.attributes.get("manual_download")
    manual = manual is not None and getattr(manual.value, "value", None) is True
    manual = manual or build_info(recipe).no_code
    for d in recipe.directives:
        if d.name not in ("version", "resource"):
            continue
        for algo in WEAK_DIGESTS:
            if algo in d.kwargs:
                yield finding("PESO-S003", recipe, d.kwargs[algo],
                              "%s() uses a %s digest; use sha256=" % (d.name, algo))
        if d.name != "version" or d.has_star:
            continue
        if len(d.args) >= 2:
            yield finding("PESO-S003", recipe, d.args[1],
                          "version(%r) passes its checksum positionally; use sha256=" % d.arg_str(0))
            continue
        if manual or "sha256" in d.kwargs or any(a in d.kwargs for a in WEAK_DIGESTS):
            continue
        if any(k in d.kwargs for k in VCS_KWARGS) or _is_branch_version(d) or _fetched_from_vcs_head(recipe, d):
            continue  # VCS versions are pinned by commit=/date= (PESO-S004), not by a checksum
        if _leading_text(d.kwargs.get("url")).startswith("file://"):
            continue  # a local file the user provides (visit-cgns): no fixed content to check
        name = d.arg_str(0)
        if name is None:
            continue
        yield finding("PESO-S003", recipe, d.node, "version(%r) has no sha256 checksum" % name)


@rule("PESO-S004")
def vcs_version_unpinned(recipe):
    """Release versions fetched from a VCS without a pin. Versions that follow a line on
    purpose (branches, ``tag="master"``, a moving ``stable`` tag) are not releases."""
    for d in _versions(recipe):
        if _is_branch_version(d) or any(k in d.kwargs for k in VCS_PINS):
            continue
        if "tag" in d.kwargs:
            yield finding("PESO-S004", recipe, d.node,
                          "version(%r) uses tag= without commit=: tags can move" % d.arg_str(0))
        elif _fetched_from_vcs_head(recipe, d):
            yield finding("PESO-S004", recipe, d.node,
                          "version(%r) has no url, checksum or commit=: Spack clones the default "
                          "branch for it; pin it with commit=" % d.arg_str(0))


@rule("PESO-S005")
def unstable_patch_url(recipe):
    for where, url, node in url_strings(recipe):
        if not where.startswith("patch"):
            continue
        if GITHUB_PULL_COMMITS.match(url):
            fixed = re.sub(r"/pull/\d+/commits/", "/commit/", url)
            if not fixed.endswith("?full_index=1"):
                fixed += "?full_index=1"
            yield finding("PESO-S005", recipe, node,
                          "patch URL is a pull-request commit; use %s" % fixed)
        elif GITHUB_PATCH.match(url) and not url.endswith("?full_index=1"):
            yield finding("PESO-S005", recipe, node,
                          "GitHub patch URL must end with ?full_index=1 for a stable checksum")
        elif GITLAB_PATCH.match(url):
            yield finding("PESO-S005", recipe, node,
                          "GitLab .patch URLs have unstable hashes; use the .diff URL")


def _starts_group(recipe, d) -> bool:
    """A version the maintainer set apart: a comment line right above it (root's
    "# Supported STS release series") or its own repository (swig's swig-fortran fork)."""
    return "git" in d.kwargs or recipe.line_text(d.line - 1).strip().startswith("#")


def _version_of(stmt: ast.stmt) -> Optional[str]:
    if (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "version"
        and stmt.value.args
        and isinstance(stmt.value.args[0], ast.Constant)
        and isinstance(stmt.value.args[0].value, str)
    ):
        return stmt.value.args[0].value
    return None



def _is_branch(stmt: ast.stmt) -> bool:
    """For a statement :func:`_version_of` names (a ``version(...)`` call)."""
    call = getattr(stmt, "value", None)
    assert isinstance(call, ast.Call)
    tag = next((k.value.value for k in call.keywords if k.arg == "tag" and isinstance(k.value, ast.Constant)
                and isinstance(k.value.value, str)), None)
    return orders_as_branch(_version_of(stmt) or "", any(k.arg == "branch" for k in call.keywords), tag)


def _version_runs(body: List[ast.stmt]):
    """Runs of adjacent version() statements in one block (other statements break a run)."""
    run: List[ast.stmt] = []
    for stmt in body:
        if _version_of(stmt) is not None:
            run.append(stmt)
            continue
        if len(run) > 1:
            yield run
        run = []
        for block in _blocks(stmt):
            yield from _version_runs(block)
    if len(run) > 1:
        yield run


def _blocks(stmt):
    if isinstance(stmt, ast.ClassDef):
        return [stmt.body]
    if isinstance(stmt, ast.With):
        return [stmt.body]
    if isinstance(stmt, ast.If):
        return [stmt.body, stmt.orelse]
    return []


def fix_version_order(tree: ast.AST, lines: List[str], key: Optional[Callable] = None) -> List[Edit]:
    """Reorder each run whose statements are out of order. A unit is the statement's
    lines plus the blank and comment lines above it (for the first statement, only the
    comment lines directly above); units keep their own text."""
    key = key or version_key
    edits = []
    for run in _version_runs(getattr(tree, "body", [])):
        keys = [(1, 0) if _is_branch(s) else (0, key(_version_of(s))) for s in run]
        order = sorted(range(len(run)), key=lambda i: keys[i], reverse=True)
        # stable among equals: sorted(reverse=True) keeps original order of equal keys
        if order == list(range(len(run))):
            continue
        units = []
        previous_end = None
        for stmt in run:
            start = stmt.lineno
            if previous_end is None:
                # the first statement takes the comment lines directly above it
                while start - 1 >= 1 and lines[start - 2].strip().startswith("#"):
                    start -= 1
            else:
                # later ones take everything since the previous statement: blank lines and
                # comments (adjacent statements of one block have nothing else between them)
                start = previous_end + 1
            units.append((start, stmt.end_lineno))
            previous_end = stmt.end_lineno
        first_line = units[0][0]
        if any(lines[e - 1].rstrip().endswith(";") for _, e in units):
            continue  # a statement sharing its line with another cannot move alone
        blocks = ["\n".join(lines[s - 1 : e]) for s, e in units]
        new = "\n".join(blocks[i] for i in order)
        last = units[-1][1]
        edits.append(Edit(first_line, 0, last, len(lines[last - 1]), new))
    return edits


@rule("PESO-S006", fix=fix_version_order)
def version_order(recipe):
    """Branches first, then releases newest first, as ``spack versions`` shows them.
    Each run of versions with the same deprecation state is its own list (a
    ``with default_args(deprecated=True)`` block after the current ones is fine), and a
    ``preferred=True`` version may stand first on purpose (perl-graph keeps its decimal
    0.9704 above 0.20105, which Spack orders the other way). A branch with a release
    number for a name (r-rhtslib's ``version("1.28.0", branch="RELEASE_3_15")``) is
    ordered among the releases. A group the maintainer set apart (:func:`_starts_group`)
    is its own list."""
    seen_release = None
    previous = None  # (key, name, branch, deprecated) of the last release
    for d in _versions(recipe):
        name = d.arg_str(0)
        if name is None or d.when:
            continue
        if orders_as_branch(name, "branch" in d.kwargs, d.kw_str("tag")):
            if _starts_group(recipe, d):
                seen_release, previous = None, None
            if seen_release is not None:
                yield finding("PESO-S006", recipe, d.node,
                              "branch version %r listed after release %r; branches go first"
                              % (name, seen_release))
            continue
        if _starts_group(recipe, d):
            seen_release, previous = None, None
        seen_release = seen_release or name
        key = version_key(name)
        deprecated = is_true(d.kwargs.get("deprecated"))
        if previous is not None and (previous[2] != d.branch or previous[3] != deprecated or previous[4]):
            previous = None  # another if/for branch, deprecation group or after a preferred one
        if previous is not None and key > previous[0]:
            yield finding("PESO-S006", recipe, d.node,
                          "version %r listed after older %r; list versions newest first"
                          % (name, previous[1]))
        previous = (key, name, d.branch, deprecated, is_true(d.kwargs.get("preferred")))


@rule("PESO-S007")
def checksum_fixme(recipe):
    if not FIXME_HINT.search(recipe.source or "") or not recipe.comments:
        return
    for d in _versions(recipe):
        for line in range(d.line, (d.node.end_lineno or d.line) + 1):
            comment = recipe.comments.get(line)
            if comment and "FIXME" in comment.upper():
                yield finding("PESO-S007", recipe, (line, recipe.line_text(line).find("#") + 1),
                              "version(%r) still carries %r (left by spack checksum?)"
                              % (d.arg_str(0), comment))


@rule("PESO-S008")
def dev_version_missing(recipe):
    """Only for a VCS the recipe declares itself: a repository a base class derives from
    a package index (RPackage's Bioconductor git) serves that index's releases."""
    if _skip_source_rules(recipe) or not _declares_vcs(recipe):
        return
    versions = _versions(recipe)
    if not versions or any(_is_branch_version(d) for d in versions):
        return
    if any(d.has_star or d.arg_str(0) is None for d in versions):
        return  # versions computed in a loop (pdiplugin-*: **Pdi.versions) may include one
    yield finding("PESO-S008", recipe, class_location(recipe),
                  "no development version such as version(\"develop\", branch=\"main\")")


def _duplicate_versions(tree: ast.AST):
    """``(first, again)`` statement pairs: a ``version("X", ...)`` declared again later in the
    same class body (``with`` blocks included; the two arms of an ``if`` are alternatives,
    so only straight-line statements count). The one detector of PESO-S009 and its fixer."""
    for cls in getattr(tree, "body", []):
        if not isinstance(cls, ast.ClassDef):
            continue
        seen = {}
        statements = list(cls.body)
        while statements:
            stmt = statements.pop(0)
            if isinstance(stmt, ast.With):
                statements[:0] = stmt.body
                continue
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "version"
                    and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
                continue
            name = call.args[0].value
            if name in seen:
                yield seen[name], stmt
            else:
                seen[name] = stmt


def fix_duplicate_version(tree: ast.AST, lines: List[str]) -> List[Edit]:
    """Delete a repeated declaration that is the same text as the first, line and all; one
    that differs (another tag, another checksum) needs a person to say which is right."""
    edits = []
    for first, again in _duplicate_versions(tree):
        end = again.end_lineno or again.lineno
        alone = lines[again.lineno - 1][: again.col_offset].strip() == "" and not lines[end - 1][
            again.end_col_offset or 0:].split("#")[0].strip()
        if alone and segment(lines, first) == segment(lines, again):
            edits.append(Edit(again.lineno, 0, end + 1, 0, "") if end < len(lines)
                         else Edit(again.lineno, 0, end, len(lines[end - 1]), ""))
    return edits


@rule("PESO-S009", fix=fix_duplicate_version)
def duplicate_version(recipe):
    if recipe.tree is None or recipe.source.count("version(") < 2:
        return
    for first, again in _duplicate_versions(recipe.tree):
        yield finding("PESO-S009", recipe, again.value,
                      "version %r is declared again (first at line %d); Spack keeps only this later one"
                      % (again.value.args[0].value, first.lineno))
