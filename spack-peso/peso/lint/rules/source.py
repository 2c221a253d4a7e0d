"""Source provenance (E4S P1/P6, xSDK M10): public VCS with a development version,
https everywhere, sha256 checksums, pinned VCS versions, stable patch URLs (the order and
uniqueness of the version list: :mod:`.versions`)."""

import ast
import re

from ..registry import rule
from ._common import BRANCH_NAMES, build_info, class_location, data, finding, url_strings, version_directives

FIXME_HINT = re.compile("fixme", re.IGNORECASE)
#: every text FIXME_HINT matches holds "xm" once lowercased (x and m have no other case
#: forms): lowering and one scan rule out nearly every recipe in a fifth of the regex's time
FIXME_CORE = "xm"
VCS_ATTRIBUTES = ("git", "hg", "svn", "cvs")
VCS_KWARGS = ("git", "hg", "svn", "cvs", "branch", "tag", "commit", "revision", "date", "get_full_repo", "submodules")
#: keyword arguments that pin a VCS version to one state (``date=`` for CVS)
VCS_PINS = ("commit", "revision", "date")
WEAK_DIGESTS = ("md5", "sha1", "sha224", "sha384", "sha512")
INSECURE = re.compile(r"^(http|ftp|git)://", re.IGNORECASE)
#: ``["'](?:http|ftp|git)://`` written literal-first: the engine then jumps from one "://"
#: to the next instead of trying a quote at every position (20 us -> 2 us a recipe)
INSECURE_HINT = re.compile(r"://(?:(?<=[\"']http://)|(?<=[\"'](?:ftp|git)://))", re.IGNORECASE)

# Spack's audit regexes for patch URLs whose content (and so sha256) is not stable
GITHUB_PATCH = re.compile(
    r"^https?://(?:patch-diff\.)?github(?:usercontent)?\.com/.+/.+/(?:commit|pull)/[a-fA-F0-9]+\.(?:patch|diff)"
)
GITHUB_PULL_COMMITS = re.compile(
    r"^https?://(?:patch-diff\.)?github(?:usercontent)?\.com/.+/.+/pull/\d+/commits/[a-fA-F0-9]+\.(?:patch|diff)"
)
GITLAB_PATCH = re.compile(r"^https?://(?:.+)?gitlab(?:.+)/.+/.+/-/(?:commit|merge_requests)/[a-fA-F0-9]+\.patch")


def _is_branch_version(d) -> bool:
    """A version that follows a moving line on purpose: ``branch=``, a branch-like name
    (``develop``, ``stable``), or a tag named like a branch (``tag="master"``)."""
    name = d.arg_str(0)
    tag = d.kw_str("tag")
    return (
        "branch" in d.kwargs
        or (name is not None and name.lower() in BRANCH_NAMES)
        or (tag is not None and tag.lower() in BRANCH_NAMES)
    )


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
        k in d.kwargs for d in version_directives(recipe) for k in ("git", "hg", "svn")
    )


def _fetched_from_vcs_head(recipe, d) -> bool:
    """A version with no URL, checksum or VCS keyword in a recipe whose only source is a
    VCS attribute: Spack clones the repository's default branch for it."""
    if d.has_star or len(d.args) > 1 or any(k in d.kwargs for k in ("url", "sha256") + WEAK_DIGESTS + VCS_KWARGS):
        return False
    info = build_info(recipe)
    attrs = info.own_attributes
    return (
        not info.no_code
        and any(a in attrs for a in VCS_ATTRIBUTES)
        and "url" not in attrs
        and "urls" not in attrs
        and not info.provides("url")
    )


def _has_vcs(recipe) -> bool:
    info = build_info(recipe)
    if any(info.provides(a) for a in VCS_ATTRIBUTES):
        return True  # set in the file or derived by a base class (RPackage: git from bioc)
    return any(k in d.kwargs for d in version_directives(recipe) for k in ("git", "hg", "svn"))


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


def _source_not_redistributable(recipe) -> bool:
    """``redistribute(source=False)`` without a ``when=``: the vendor keeps the sources."""
    for d in recipe.directives:
        if d.name == "redistribute" and "when" not in d.kwargs:
            source = d.kwargs.get("source")
            if getattr(source, "value", True) is False:
                return True
    return False


def _on_unfetchable_vcs(recipe) -> bool:
    hosts = tuple(data("package_sources").get("unfetchable_vcs_hosts") or ())
    return any(any(h in url for h in hosts) for _where, url, _node in url_strings(recipe))


def _skip_source_rules(recipe) -> bool:
    info = build_info(recipe)
    return recipe.package_class is None or info.opaque or info.no_code


@rule("PESO-S001")
def no_public_vcs(recipe):
    """Not for recipes fetched from a language package index (PyPI, CRAN, CPAN, ...): the
    index is their upstream distribution, a recipe there has no VCS it must name, and
    they were most of the 6,816 findings (76% of builtin) that buried the rest. Nor for
    software with no public repository to name: proprietary binaries (``redistribute(
    source=False)``: arm-forge) and upstreams in a VCS Spack cannot fetch from (Bazaar,
    ``unfetchable_vcs_hosts`` in ``package_sources.yaml``: syscalc)."""
    if _skip_source_rules(recipe) or _has_vcs(recipe) or _from_package_index(recipe):
        return
    if _source_not_redistributable(recipe) or _on_unfetchable_vcs(recipe):
        return
    yield finding(
        "PESO-S001",
        recipe,
        class_location(recipe),
        "no git/hg/svn attribute: the public development repository is not declared",
    )


#: methods that give a version its URL (in the recipe or a base class it inherits)
URL_PROVIDERS = ("url_for_version", "url", "urls", "list_url", "fetcher")


@rule("PESO-S010")
def version_unfetchable(recipe):
    """Only where nothing can give the version a URL: no ``url=`` on it, no
    ``url``/``urls``/``list_url`` in the class, its local bases or derived by a
    build-system base (``pypi``, ``cran``, mirror paths), no ``url_for_version``, no VCS at all (a version may name a VCS keyword
    instead), and nothing we cannot see into (another package's class as a base)."""
    if _skip_source_rules(recipe):
        return
    info = build_info(recipe)
    if any(info.provides(a) for a in ("url", "urls", "list_url")) or _has_vcs(recipe):
        return  # Spack also fetches from list_url (all_urls_for_version, then its listing)
    if any(m.name in URL_PROVIDERS for m in recipe.all_methods()) or info.inherited.methods & set(URL_PROVIDERS):
        return
    for d in version_directives(recipe):
        if d.has_star or any(k in d.kwargs for k in ("url",) + VCS_KWARGS):
            continue
        if len(d.args) > 1 or any(k in d.kwargs for k in ("sha256",) + WEAK_DIGESTS):
            yield finding(
                "PESO-S010",
                recipe,
                d.node,
                "version %r has a checksum but nothing gives it a URL (no url=, no url/urls attribute, "
                "no url_for_version, no VCS): 'spack fetch' cannot download it" % (d.arg_str(0) or "?"),
            )


@rule("PESO-S002")
def insecure_url(recipe):
    for where, url, node in url_strings(recipe) + _url_method_strings(recipe):
        if INSECURE.match(url):
            yield finding("PESO-S002", recipe, node, "%s uses an unencrypted URL %r; use https://" % (where, url))


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
    return [
        ("%s()" % m.name, node.value, node)
        for node in recipe.strings
        for m in spans
        if m.contains(node) and "://" in node.value
    ]


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
                yield finding(
                    "PESO-S003", recipe, d.kwargs[algo], "%s() uses a %s digest; use sha256=" % (d.name, algo)
                )
        if d.name != "version" or d.has_star:
            continue
        if len(d.args) >= 2:
            yield finding(
                "PESO-S003",
                recipe,
                d.args[1],
                "version(%r) passes its checksum positionally; use sha256=" % d.arg_str(0),
            )
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
    for d in version_directives(recipe):
        if _is_branch_version(d) or any(k in d.kwargs for k in VCS_PINS):
            continue
        if "tag" in d.kwargs:
            yield finding(
                "PESO-S004", recipe, d.node, "version(%r) uses tag= without commit=: tags can move" % d.arg_str(0)
            )
        elif _fetched_from_vcs_head(recipe, d):
            yield finding(
                "PESO-S004",
                recipe,
                d.node,
                "version(%r) has no url, checksum or commit=: Spack clones the default "
                "branch for it; pin it with commit=" % d.arg_str(0),
            )


@rule("PESO-S005")
def unstable_patch_url(recipe):
    for where, url, node in url_strings(recipe):
        if not where.startswith("patch"):
            continue
        if GITHUB_PULL_COMMITS.match(url):
            fixed = re.sub(r"/pull/\d+/commits/", "/commit/", url)
            if not fixed.endswith("?full_index=1"):
                fixed += "?full_index=1"
            yield finding("PESO-S005", recipe, node, "patch URL is a pull-request commit; use %s" % fixed)
        elif GITHUB_PATCH.match(url) and not url.endswith("?full_index=1"):
            yield finding(
                "PESO-S005", recipe, node, "GitHub patch URL must end with ?full_index=1 for a stable checksum"
            )
        elif GITLAB_PATCH.match(url):
            yield finding("PESO-S005", recipe, node, "GitLab .patch URLs have unstable hashes; use the .diff URL")


@rule("PESO-S007")
def checksum_fixme(recipe):
    source = recipe.source or ""
    if FIXME_CORE not in source.lower() or not FIXME_HINT.search(source) or not recipe.comments:
        return
    for d in version_directives(recipe):
        for line in range(d.line, (d.node.end_lineno or d.line) + 1):
            comment = recipe.comments.get(line)
            if comment and "FIXME" in comment.upper():
                yield finding(
                    "PESO-S007",
                    recipe,
                    (line, recipe.line_text(line).find("#") + 1),
                    "version(%r) still carries %r (left by spack checksum?)" % (d.arg_str(0), comment),
                )


@rule("PESO-S008")
def dev_version_missing(recipe):
    """Only for a VCS the recipe declares itself: a repository a base class derives from
    a package index (RPackage's Bioconductor git) serves that index's releases."""
    if _skip_source_rules(recipe) or not _declares_vcs(recipe):
        return
    versions = version_directives(recipe)
    if not versions or any(_is_branch_version(d) for d in versions):
        return
    if any(d.has_star or d.arg_str(0) is None for d in versions):
        return  # versions computed in a loop (pdiplugin-*: **Pdi.versions) may include one
    yield finding(
        "PESO-S008", recipe, class_location(recipe), 'no development version such as version("develop", branch="main")'
    )
