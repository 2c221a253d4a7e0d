"""What a literal spec string says about its root node (name, variants, versions),
read without Spack.

Static rules never import Spack (it costs seconds and is not always there), yet a
``when="+cudaa"`` or ``conflicts("~shraed")`` is only wrong by Spack's own grammar. This
is a port of the token regexes of ``spack.spec_parser`` (``SpecTokens``, same order,
since the first alternative that matches wins), used only to read the root node:
everything from the first dependency sigil (``^``, ``%``, ``%%``) on belongs to another
node. Text the grammar does not accept gives None ("cannot tell"), never a guess.
"""

import functools
import re
from typing import List, NamedTuple, Optional, Tuple

_IDENTIFIER = r"(?:[a-zA-Z_0-9][a-zA-Z_0-9\-]*)"
_DOTTED_IDENTIFIER = rf"(?:{_IDENTIFIER}(?:\.{_IDENTIFIER})+)"
_GIT_HASH = r"(?:[A-Fa-f0-9]{40})"
_GIT_REF = r"(?:[a-zA-Z_0-9][a-zA-Z_0-9./\-]*)"
_GIT_VERSION_PATTERN = rf"(?:(?:git\.(?:{_GIT_REF}))|(?:{_GIT_HASH}))"
_VIRTUAL_ASSIGNMENT = rf"(?:{_IDENTIFIER}(?:,{_IDENTIFIER})*=(?:{_DOTTED_IDENTIFIER}|{_IDENTIFIER}))"
_NAME = r"[a-zA-Z_0-9][a-zA-Z_0-9\-.]*"
_VALUE = r"(?:[a-zA-Z_0-9\-+\*.,:=%^\~\/\\]+)"
_QUOTED_VALUE = r"(?:'(?:[^']|(?<=\\)')*'|\"(?:[^\"]|(?<=\\)\")*\")"
_VERSION = r"=?(?:[a-zA-Z0-9_][a-zA-Z_0-9\-\.]*\b)"
_VERSION_RANGE = rf"(?:(?:{_VERSION})?:(?:{_VERSION}(?!\s*=))?)"
_VERSION_LIST = rf"(?:{_VERSION_RANGE}|{_VERSION})(?:\s*,\s*(?:{_VERSION_RANGE}|{_VERSION}))*"

#: (token kind, regex) in the order of ``spack.spec_parser.SpecTokens`` (files left out:
#: a recipe's condition never names a spec file)
_TOKENS = (
    ("start_edge", r"(?:(?:\^|\%\%|\%)\[)"),
    ("end_edge", rf"(?:\](?:\s*{_VIRTUAL_ASSIGNMENT})?)"),
    ("dependency", rf"(?:(?:\^|\%\%|\%)(?:\s*{_VIRTUAL_ASSIGNMENT})?)"),
    ("version_hash_pair", rf"(?:@(?:{_GIT_VERSION_PATTERN})=(?:{_VERSION}))"),
    ("git_version", rf"@(?:{_GIT_VERSION_PATTERN})"),
    ("version", rf"(?:@\s*(?:{_VERSION_LIST}))"),
    ("propagated_bool", rf"(?:(?:\+\+|~~|--)\s*{_NAME})"),
    ("bool", rf"(?:[~+-]\s*{_NAME})"),
    ("propagated_kv", rf"(?:{_NAME}:?==(?:{_VALUE}|{_QUOTED_VALUE}))"),
    ("kv", rf"(?:{_NAME}:?=(?:{_VALUE}|{_QUOTED_VALUE}))"),
    ("qualified_name", rf"(?:{_DOTTED_IDENTIFIER})"),
    ("name", rf"(?:{_IDENTIFIER}|\*)"),
    ("hash", r"(?:/(?:[a-zA-Z_0-9]+))"),
    ("ws", r"(?:\s+)"),
    ("unexpected", r"(?:.[\s]*)"),
)
_TOKENIZER = re.compile("|".join("(?P<%s>%s)" % (kind, regex) for kind, regex in _TOKENS))
_KEY = re.compile(rf"^({_NAME})")

#: keys of ``key=value`` that are not variants: architecture and other reserved names
#: (``spack.variant.RESERVED_NAMES``) and compiler flags (``spack.spec._valid_compiler_flags``)
NOT_VARIANTS = frozenset(
    (
        "arch",
        "architecture",
        "branch",
        "commit",
        "dev_path",
        "namespace",
        "operating_system",
        "os",
        "patches",
        "platform",
        "ref",
        "tag",
        "target",
        "cflags",
        "cxxflags",
        "fflags",
        "ldflags",
        "ldlibs",
        "cppflags",
    )
)


class RootVariant(NamedTuple):
    """A variant the root node of a spec names: its name and the text that names it."""

    name: str
    text: str


class RootNode(NamedTuple):
    """What a literal spec says about its root node."""

    #: the package name, or None for an anonymous spec (``+mpi``, ``@2:``)
    name: Optional[str]
    #: variants set on the root (propagated ones left out)
    variants: Tuple[RootVariant, ...]
    #: the version constraints after ``@`` (``("1.2:", "=2.0")``); a git version gives
    #: ``None`` in its place (it names a commit, not a version the package lists)
    versions: Tuple[Optional[str], ...]


def root_variants(spec_text: str) -> Optional[Tuple[Optional[str], Tuple[RootVariant, ...]]]:
    """(root package name or None, variants set on the root) of a literal spec, or None
    when the text is not a spec Spack's grammar accepts. Propagated variants (``++x``)
    are left out: they ask the root's dependencies too, which the root need not have."""
    node = root_node(spec_text)
    return None if node is None else (node.name, node.variants)


@functools.lru_cache(maxsize=65536)
def root_node(spec_text: str) -> Optional[RootNode]:
    """The root node of a literal spec (:class:`RootNode`), or None when the text is not
    a spec Spack's grammar accepts."""
    name: Optional[str] = None
    found: List[RootVariant] = []
    versions: List[Optional[str]] = []
    for match in _TOKENIZER.finditer(spec_text):
        kind = match.lastgroup
        text = match.group()
        if kind in ("dependency", "start_edge"):
            break
        if kind == "unexpected" or kind == "end_edge":
            return None
        if kind == "bool":
            found.append(RootVariant(text[1:].strip(), text))
        elif kind == "kv":
            key = _KEY.match(text)
            if key and key.group(1) not in NOT_VARIANTS:
                found.append(RootVariant(key.group(1), text))
        elif kind == "version":
            versions.append(re.sub(r"\s+", "", text[1:]))
        elif kind in ("git_version", "version_hash_pair"):
            versions.append(None)
        elif kind in ("name", "qualified_name"):
            if name is not None or found or versions:
                return None  # a second name, or a name after variants: not one root node
            name = text.rsplit(".", 1)[-1]
    return RootNode(name, tuple(found), tuple(versions))
