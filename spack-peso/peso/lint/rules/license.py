"""Licensing (xSDK M7): a ``license()`` directive exists, is valid current SPDX, was
checked, and its family (permissive / weak / strong copyleft / restricted) is known.

SPDX validation uses the ``license-expression`` library's SPDX symbol table; ids that the
library only accepts as *aliases* (``GPL-2.0``, ``GPL-2.0+``) are deprecated SPDX ids and
are reported with their replacement."""

import functools
import re
from typing import List, Optional, Tuple

from ..registry import rule
from ._common import build_info, class_location, data, finding
from .hygiene import BOILERPLATE

OPERATORS = {"and", "or", "with"}
PLACEHOLDER_CHECKER = re.compile(r"^(github_user\d*|FIXME|TODO|)$", re.IGNORECASE)


@functools.lru_cache(maxsize=1)
def _spdx():
    from license_expression import get_spdx_licensing

    licensing = get_spdx_licensing()
    keys = {k.lower(): k for k in licensing.known_symbols}
    aliases: dict = {}
    for symbol in licensing.known_symbols.values():
        for alias in getattr(symbol, "aliases", ()) or ():
            aliases.setdefault(alias.lower(), symbol.key)
    return licensing, keys, aliases


@functools.lru_cache(maxsize=4096)
def check_expression(expression: str) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """(problems, canonical ids) of an SPDX expression; no problems means valid."""
    licensing, keys, aliases = _spdx()
    problems: List[str] = []
    ids: List[str] = []
    checked = expression
    for name in data("licenses").get("licences_named_like_exceptions") or ():
        checked = re.sub(r"(?<![\w.-])%s(?![\w.-])" % re.escape(name), "MIT", checked, flags=re.IGNORECASE)
    try:
        result = licensing.validate(checked)
        syntax = [e for e in result.errors if not e.startswith("Unknown license key")]
    except Exception:  # the library raises assorted internal errors on malformed text
        syntax = ["malformed expression"]
    if syntax:
        return tuple("invalid SPDX expression (%s)" % s.rstrip(".") for s in syntax[:1]), ()
    for token in re.split(r"[\s()]+", expression):
        if not token or token.lower() in OPERATORS:
            continue
        canonical = _canonical(token, keys, aliases)
        if canonical is None:
            problems.append("%r is not an SPDX license identifier (use an SPDX id or LicenseRef-<name>)" % token)
        elif canonical[1]:
            problems.append("%r is a deprecated SPDX id; %s" % (token, _replacement(token, canonical[0])))
            ids.append(canonical[0])
        else:
            ids.append(canonical[0])
    return tuple(problems), tuple(ids)


def _replacement(token: str, canonical: str) -> str:
    """Advice for a deprecated id. A bare ``GPL-3.0`` does not say whether "only" or "or
    later" was meant, so both are named; the library's tool-internal ids
    (``LicenseRef-scancode-*``) are no advice for a recipe."""
    if canonical.endswith("-only"):
        return "use %r or %r, whichever upstream grants" % (canonical, canonical[: -len("-only")] + "-or-later")
    if canonical.lower().startswith("licenseref-scancode"):
        return "use the current SPDX id or LicenseRef-<name>"
    return "use %r" % canonical


def _canonical(token: str, keys, aliases) -> Optional[Tuple[str, bool]]:
    """(SPDX id, deprecated?) for one token, or None when unknown."""
    low = token.lower()
    if low in _not_exceptions():
        return keys.get(low, token), False
    if low in keys:
        return keys[low], False
    if low in aliases:
        return aliases[low], True
    if low.startswith(("licenseref-", "documentref-")) and re.match(r"^[A-Za-z0-9.:-]+$", token):
        return token, False
    if token.endswith("+") and low[:-1] in keys:
        return keys[low[:-1]] + "+", False
    return None


@functools.lru_cache(maxsize=1)
def _not_exceptions():
    return {n.lower() for n in data("licenses").get("licences_named_like_exceptions") or ()}


def licence_family(spdx_id: str) -> str:
    table = _families()
    return table.get(spdx_id.lower(), "permissive")


@functools.lru_cache(maxsize=1)
def _families():
    table = {}
    for family in ("strong_copyleft", "weak_copyleft", "restricted", "unknown"):
        for key in data("licenses").get(family) or ():
            table[str(key).lower()] = family
    return table


def _license_directives(recipe):
    return [d for d in recipe.directives if d.name == "license"]


def _is_unknown(expression: str) -> bool:
    return expression.strip().lower() in _families() and _families()[expression.strip().lower()] == "unknown"


@rule("PESO-L001")
def license_missing(recipe):
    info = build_info(recipe)
    if recipe.package_class is None or "license" in info.directive_names or info.opaque or info.no_code:
        return  # declared here, in a base class of the file or by a build-system base (oneAPI)
    yield finding(
        "PESO-L001", recipe, class_location(recipe), "no license(...) directive: the package's licence is undeclared"
    )


@rule("PESO-L002")
def license_not_spdx(recipe):
    for d in _license_directives(recipe):
        expression = d.arg_str(0)
        if expression is None or _is_unknown(expression):
            continue
        problems, _ = check_expression(expression)
        if problems:  # one finding per directive, however many bad tokens it has
            yield finding("PESO-L002", recipe, d.args[0], "license(%r): %s" % (expression, "; ".join(problems)))


@rule("PESO-L003")
def license_unverified(recipe):
    for d in _license_directives(recipe):
        expression = d.arg_str(0)
        if expression is not None and _is_unknown(expression):
            yield finding("PESO-L003", recipe, d.node, "licence recorded as %r: not determined" % expression)
        checker = d.kw_str("checked_by")
        # `spack create`'s github_user1 is PESO-R001's (boilerplate left): one finding a line
        if checker is not None and PLACEHOLDER_CHECKER.match(checker.strip()) and not BOILERPLATE.search(checker):
            yield finding(
                "PESO-L003", recipe, d.kwargs["checked_by"], "license checked_by=%r is a placeholder" % checker
            )


def _family(expression: str) -> str:
    """The licence family an expression grants: a disjunction offers the most permissive
    choice, a conjunction imposes the strictest."""
    _problems, ids = check_expression(expression)
    families = {licence_family(i.rstrip("+")) for i in ids if not i.lower().endswith("exception")}
    order = ["permissive", "weak_copyleft", "strong_copyleft", "restricted"]
    ranked = sorted(families, key=order.index)
    if not ranked:
        return "permissive"
    return ranked[0] if " or " in expression.lower() else ranked[-1]


def _licences_of_family(recipe, family: str):
    """(directive, expression) of the known licences of ``family`` the recipe declares."""
    for d in _license_directives(recipe):
        expression = d.arg_str(0)
        if expression is not None and not _is_unknown(expression) and _family(expression) == family:
            yield d, expression


@rule("PESO-L004")
def license_policy(recipe):
    for d, expression in _licences_of_family(recipe, "strong_copyleft"):
        yield finding(
            "PESO-L004",
            recipe,
            d.node,
            "license(%r) is strong copyleft: xSDK M7 prefers permissive licences "
            "(GPL is considered incompatible)" % expression,
        )


@rule("PESO-L005")
def license_not_open_source(recipe):
    """Split from PESO-L004 so that one rule ID has one severity: a licence that is not
    open source at all is a problem for every profile, copyleft only a preference of xSDK."""
    for d, expression in _licences_of_family(recipe, "restricted"):
        yield finding(
            "PESO-L005",
            recipe,
            d.node,
            "license(%r) is not an open-source licence (non-commercial or source-available)" % expression,
        )
