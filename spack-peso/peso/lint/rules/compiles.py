"""Does a recipe compile C/C++/Fortran code? Evidence read from the recipe for the
language-dependency rule (PESO-D002).

The base class alone is weak evidence: spack-packages added language dependencies to
every recipe whose builds were seen to call a compiler, so the compiled-build-system
recipes still without one are mostly protocol headers, icon themes, shell or Perl
scripts and CMake modules (xf86driproto, hicolor-icon-theme, beakerlib, parallel). And it
misses the other way: a generic ``Package`` that runs ``make`` in ``install()``, a
Python or R package with a native extension. So a recipe compiles code when it says so:

* it uses the compiler: ``spack_cc``, ``self.compiler``, ``CFLAGS``, ``flag_handler``...;
* its ``install``/``build`` methods run a build tool (``make``, ``cmake``, ``configure``);
* it links against a library: a dependency of link type (the default type) that is not
  an interpreter, a build tool or a package of its own language ecosystem (``py-*``);
* it is a Perl XS module: a Perl package linking a native library (not an ``Alien::``
  distribution, which only finds or fetches one);
* its build needs native-extension tooling (``py-cython``, ``py-pybind11``, R packages
  whose only use is LinkingTo: ``r-rcpp``, ``r-cpp11``, ``r-bh``, ``r-rhdf5lib``...) or
  compiles Rust (``rust``, ``py-maturin``, ``py-setuptools-rust`` at build time: rustc
  links through the C compiler);
* it is an R package linking a system library only compiled glue can use (``gsl``,
  ``hdf5``, ``libgit2``; not ``gdal`` or ``imagemagick``, whose tools R packages run), or
  one Debian ships with compiled code (``r-cran-<name>`` installs ``libs/<name>.so``:
  ``data/debian_compiled.yaml``, written by ``tools/compiled_from_debian.py``, for a
  recipe declaring a version at least as new as the first Debian saw compiled; the same
  table makes a Perl module whose ``lib<name>-perl`` ships a shared object an XS module).
  Whether an R package compiles is CRAN's ``NeedsCompilation``, which the recipe does
  not hold: an R recipe that names none of this is not judged.

The tables (tooling, R libraries) are data, ``data/compiled_evidence.yaml``, each entry
kept only where builtin recipes having it were read and found to compile.

A compiled build system (CMake, Autotools, ...) counts as evidence together with any
of these, not alone.
"""

import functools
import re
from typing import Dict, FrozenSet, NamedTuple, Optional

from ...recipe.syntax import literal_str
from ._common import build_info, data, directive_dependencies, version_directives, version_key

#: what a recipe that uses the compiler writes (plain substrings: a regex of
#: alternatives tried at every position of every recipe cost more than the parse itself)
COMPILER_USE = (
    "spack_cc",
    "spack_cxx",
    "spack_fc",
    "spack_f77",
    "self.compiler.",
    "flag_handler",
    "CFLAGS",
    "CXXFLAGS",
    "FFLAGS",
    "FCFLAGS",
    "cflags",
    "cxxflags",
    "fflags",
    'spec["c"]',
    'spec["cxx"]',
    'spec["fortran"]',
)
BUILD_TOOLS = frozenset(("make", "gmake", "cmake", "configure", "ninja", "scons", "meson", "autoreconf"))
BUILD_METHODS = ("install", "build", "edit", "build_targets")
#: build dependencies that compile Rust, whose output rustc links through the C compiler
RUST_BUILD = frozenset(("rust", "py-maturin", "py-setuptools-rust"))
#: prefixes of packages of an interpreted ecosystem: linking against them compiles nothing
ECOSYSTEM_PREFIXES = (
    "py-",
    "r-",
    "perl-",
    "ruby-",
    "lua-",
    "julia-",
    "racket-",
    "rkt-",
    "node-",
    "npm-",
    "go-",
    "rust-",
    "octave-",
    "aspell",
)
#: interpreters and runtimes: a plain dependency on them links no native code
RUNTIMES = frozenset(
    (
        "python",
        "perl",
        "r",
        "ruby",
        "lua",
        "java",
        "openjdk",
        "jdk",
        "go",
        "rust",
        "node-js",
        "julia",
        "racket",
        "tcl",
        "octave",
        "emacs",
        "python-venv",
        "bash",
        "sed",
        "gawk",
        "coreutils",
        "git",
        "ocaml",
        "ghc",
        "erlang",
        "elixir",
        "scala",
        "kotlin",
        "swift",
        "dotnet-core-sdk",
        "mono",
    )
)
#: compilers of other languages: a build tool run drives their build, not a C compiler
OTHER_TOOLCHAINS = frozenset(
    (
        "go",
        "rust",
        "java",
        "openjdk",
        "ldc",
        "dmd",
        "ghc",
        "nim",
        "zig",
        "ocaml",
        "dotnet-core-sdk",
        "mono",
        "maven",
        "ant",
        "gradle",
        "sbt",
        "node-js",
    )
)
#: build tools: needed to build, linked by nobody
TOOLS = frozenset(
    (
        "pkgconfig",
        "pkg-config",
        "cmake",
        "gmake",
        "ninja",
        "meson",
        "autoconf",
        "automake",
        "libtool",
        "m4",
        "yacc",
        "lex",
        "bison",
        "flex",
        "gettext",
        "util-macros",
        "texinfo",
        "help2man",
        "doxygen",
        "graphviz",
        "findutils",
        "diffutils",
        "gperf",
        "intltool",
        "docbook-xml",
        "docbook-xsl",
        "libxslt",
        "asciidoc",
        "xmlto",
        "font-util",
        "bdftopcf",
        "mkfontdir",
        "mkfontscale",
        "swig",
        "scons",
        "bazel",
        "maven",
        "ant",
        "gradle",
        "nasm",
        "yasm",
        "curl",
        "wget",
        "unzip",
        "tar",
        "gzip",
        "xz",
        "patchelf",
        "which",
        "file",
        "py-pip",
        "ca-certificates-mozilla",
    )
)


#: a compiler named in a spec: ``%gcc@:7``, ``%[virtuals=c] clang`` (Spack 1.x makes the
#: compiler a dependency through the language virtuals, so without ``depends_on("c")``
#: such a constraint never applies)
COMPILER_IN_SPEC = re.compile(
    r"%\s*(?:\[[^\]]*\]\s*)?(?:gcc|clang|llvm|apple-clang|intel|oneapi|intel-oneapi-compilers|nvhpc|pgi|"
    r"xl|xl_r|cce|fj|aocc|arm|msvc|rocmcc|llvm-amdgpu|nag)\b"
)


class EvidenceTables(NamedTuple):
    """``data/compiled_evidence.yaml`` and ``data/debian_compiled.yaml``, ready to query (their
    comments say why each entry is there)."""

    native_tooling: FrozenSet[str]
    r_libraries: FrozenSet[str]
    #: R and Perl modules Debian ships with compiled code -> the upstream version since
    debian_compiled: Dict[str, str]


@functools.lru_cache(maxsize=None)
def _tables() -> EvidenceTables:
    """Made once per process: sets, not lists scanned per recipe."""
    table = data("compiled_evidence")
    debian = data("debian_compiled").get("compiled") or {}
    return EvidenceTables(frozenset(table["native_tooling"]), frozenset(table["r_libraries"]), dict(debian))


def compiler_constraint(recipe) -> Optional[str]:
    """``conflicts("%gcc@:7")``, ``requires("%clang", ...)`` or a ``when="... %gcc"`` of
    either: the recipe restricts the compiler it is built with (nvpl-lapack's fix added
    ``depends_on("c")`` "for enforcing compiler restrictions")."""
    if "%" not in (recipe.source or ""):
        return None
    for d in recipe.directives:
        if d.name not in ("conflicts", "requires"):
            continue
        texts = [literal_str(a) for a in d.args] + [d.kw_str("when")]
        for text in texts:
            if text and COMPILER_IN_SPEC.search(text):
                return "it constrains the compiler with %s(%r), which only applies through a language dependency" % (
                    d.name,
                    text,
                )
    return None


def compile_evidence(recipe, compiled_base) -> Optional[str]:
    """A short reason why the recipe compiles code, or None without evidence.

    ``compiled_base`` is what the build-system table says of the base classes: True
    (CMake, Autotools, ...), False (an interpreted ecosystem: Python, R, Perl, Cargo,
    Go) or None (a generic ``Package``, binary installers). A link dependency is
    evidence with a compiling build system; ``make`` in ``install()`` with an
    interpreted one; a generic ``Package`` needs both a build tool run and a library
    to link (ladot runs make to install a Perl script)."""
    key = ("compiles", compiled_base)
    if key not in recipe.memo:
        recipe.memo[key] = _evidence(recipe, compiled_base)
    return recipe.memo[key]


def _evidence(recipe, compiled_base) -> Optional[str]:
    source = recipe.source or ""
    if any(token in source for token in COMPILER_USE):
        code = _code_text(recipe)  # the same, without comments and dependents' set-up
        for token in COMPILER_USE:
            if token in code:
                return "it uses %s" % token.rstrip(".")
    deps = directive_dependencies(recipe)
    if any(name in OTHER_TOOLCHAINS for name in deps):
        compiled_base = False if compiled_base is None else compiled_base
        skip_tools = True  # make drives the Go/Rust/Java build (jacamar-ci)
    else:
        skip_tools = False
    native_tooling = _tables().native_tooling
    for name in deps:
        if name in native_tooling:
            return "it builds with %s" % name
        if name in RUST_BUILD and any(_builds(d) for d in deps[name]):
            return "it builds Rust code with %s (rustc links through cc)" % name
    link = _linked_library(deps)
    if "py-cffi" in deps and link:
        # cffi compiles a C extension against a library it links (API mode, py-pyvips);
        # without a link dependency it only dlopens one at run time (ABI mode, cairocffi)
        return "it builds a py-cffi extension; %s" % link
    tool = None if skip_tools else _build_tool_run(recipe, skip_make=compiled_base is True)
    if compiled_base is True:
        return tool or link
    if compiled_base is False:
        # a Perl module linking a native library is an XS module: its glue is C compiled
        # against the library (perl-xml-parser and expat). Not so for Python, R or Ruby,
        # whose recipes often give run-time tools and ctypes/dlopen targets the default
        # (link) type: on builtin that guess was wrong more often than right. For R a
        # table of libraries only compiled code uses stands in (_r_package_evidence)
        # Alien:: distributions only find or fetch the library (perl-alien-libxml2)
        known = build_info(recipe).known
        if "PerlPackage" in known and not _is_alien(recipe):
            if link:
                return "it is a Perl XS module: %s" % link
            debian = _debian_compiled(recipe)
            if debian:
                return "it is a Perl XS module: %s" % debian
        if tool is None and "RPackage" in known:
            return _r_package_evidence(recipe, deps)
        return tool
    return "%s, %s" % (tool, link) if tool and link else None


def _r_package_evidence(recipe, deps) -> Optional[str]:
    """An R package compiles code (CRAN's NeedsCompilation, which the recipe does not
    hold) when it builds with or links a library only compiled code can use (``r_libraries``:
    gsl for r-gsl, libgit2 for r-gert), or when Debian ships the same package with compiled
    code (``data/debian_compiled.yaml``, from Debian's archive). Not its
    description: CRAN descriptions go stale (iterpc 0.4.2 still says "written in C/C++"
    after its C++ moved to arrangements)."""
    debian = _debian_compiled(recipe)
    if debian:
        return debian
    r_libraries = _tables().r_libraries
    for name, directives in deps.items():
        # needed to build (R recipes often type a library ("build", "run"): r-rsubread's
        # zlib-api) is compiled against too; needed to run only, it may be dlopened
        if name in r_libraries and any(_links(d) or _builds(d) for d in directives):
            return "it is an R package compiling against %s" % name
    return None


def _debian_compiled(recipe) -> Optional[str]:
    """Debian ships the same R or Perl module with compiled code (a shared object where R
    or Perl loads it, or an object linked against libc), since the upstream version the
    table records. It counts only for a recipe declaring a version at least that new:
    whether older releases compiled is not in Debian's archive (parallelly gained its C
    code in a release Debian did not package), and versions the recipe cannot show
    literally give no evidence either."""
    since = _tables().debian_compiled.get(recipe.package)
    if since is None:
        return None
    newest = _newest_version(recipe)
    if newest is None or version_key(newest) < version_key(since):
        return None
    return "Debian ships it as compiled code since version %s (the recipe has %s)" % (since, newest)


def _newest_version(recipe) -> Optional[str]:
    """The newest literal ``version()`` of the recipe, in Spack's ordering."""
    versions = [d.arg_str(0) for d in version_directives(recipe)]
    return max((v for v in versions if v), key=version_key, default=None)


def _is_alien(recipe) -> bool:
    cls = recipe.package_class
    return bool(cls and cls.name.startswith("PerlAlien"))


def _build_tool_run(recipe, skip_make: bool) -> Optional[str]:
    source = recipe.source or ""
    if not any(tool + "(" in source for tool in BUILD_TOOLS):
        return None
    for method in recipe.all_methods():
        if method.name not in BUILD_METHODS:
            continue
        for name, call in recipe.calls:
            tool = name.rsplit(".", 1)[-1]
            if tool in BUILD_TOOLS and method.contains(call) and not (skip_make and tool in ("make", "gmake")):
                return "%s() runs %s" % (method.name, tool)
    return None


def _linked_library(deps) -> Optional[str]:
    for name, directives in deps.items():
        if name in RUNTIMES or name in TOOLS or name.startswith(ECOSYSTEM_PREFIXES):
            continue
        if any(_links(d) for d in directives):
            return "it links against %s" % name
    return None


def _builds(directive) -> bool:
    """True when the dependency type includes build (Spack's default: build and link)."""
    return _has_type(directive, "build")


def _links(directive) -> bool:
    """True when the dependency type includes link (Spack's default: build and link)."""
    return _has_type(directive, "link")


def _has_type(directive, kind: str) -> bool:
    node = directive.kwargs.get("type")
    if node is None:
        return True
    text = literal_str(node)
    if text is not None:
        return text == kind
    elts = getattr(node, "elts", None)
    if elts is None:
        return False  # a name or expression: cannot tell
    return any(literal_str(e) == kind for e in elts)


#: methods that hand the compiler to other packages or describe the install: naming
#: ``spack_cc`` there compiles nothing (intel-oneapi-mpi sets its wrappers' compilers)
NOT_BUILDING = (
    "setup_dependent_build_environment",
    "setup_dependent_run_environment",
    "setup_run_environment",
    "setup_dependent_package",
    "libs",
    "headers",
)


def _code_text(recipe) -> str:
    """The source without comments, the class docstring and the methods of
    :data:`NOT_BUILDING` (words there do not build this package)."""
    text = recipe.memo.get("code_text")
    if text is None:
        lines = list(recipe.lines)
        for number, comment in recipe.comments.items():
            line = lines[number - 1]
            lines[number - 1] = line[: len(line) - len(comment)] if line.endswith(comment) else line
        for method in recipe.all_methods():
            if method.name in NOT_BUILDING:
                for number in range(method.line, method.end_line + 1):
                    lines[number - 1] = ""
        text = recipe.memo["code_text"] = "\n".join(lines)
    return text
