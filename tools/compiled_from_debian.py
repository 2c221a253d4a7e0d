"""Refresh ``lint/rules/data/debian_compiled.yaml``: the R and Perl modules Debian ships
with compiled code, and the upstream version since which it does.

Whether an R package compiles C/C++/Fortran is CRAN's ``NeedsCompilation``, and whether a
Perl distribution is an XS module is in its sources; a Spack recipe holds neither, and
CRAN is not always reachable. Debian ships CRAN and Bioconductor packages as
``r-cran-<name>``/``r-bioc-<name>`` and CPAN distributions as ``lib<name>-perl``, and its
archive index says which files each package installs (``Contents-amd64.gz``). Compiled
code of an R package or a Perl module has one place it is loaded from: R loads
``usr/lib/R/{site-,}library/<Pkg>/libs/<Pkg>.so``, Perl's DynaLoader an object of its
architecture-specific tree ``usr/lib/x86_64-linux-gnu/perl5/<perl>/`` (XS modules under
``auto/``). A package shipping such a shared object has compiled code: that is direct
evidence, unlike ``Architecture: amd64`` (pure-Perl common::sense and pure-R timeDate are
arch-specific too). The second evidence, from ``Packages.xz``, is the one the table had
before: architecture-specific *and* depending on ``libc6``, which dpkg-shlibdeps adds
only for ELF objects linked against libc; it covers compiled executables that are no
loadable module (littler, irace's launcher). It alone missed 49 modules whose bookworm
package ships an object yet has no libc6 dependency (tensorA, bitops, backports); the
Contents index does not.

Versions: a package can start compiling (parallelly has C code only from some release
on) or stop (timeDate's C code moved away). The tool reads several suites, oldest
first (default: bookworm and trixie, Debian 12 and 13), and records for each module the
upstream part of the oldest Debian version seen with compiled code, provided every
newer suite that has the module still ships compiled code (a module whose newest Debian
version is pure is left out: the evidence is old and contradicted). PESO-D002 counts it
only for a recipe that declares a version at least that new (Spack's ordering): nothing
says whether older releases compiled, and a guess would be a verdict without evidence.

A curator refreshes the table on purpose; it reads the archive over HTTP, not the
machine's apt cache:

    python tools/compiled_from_debian.py [--suite bookworm --suite trixie] [-o FILE]

A download or parse failure is one line naming the URL and exit status 2; the table is
written atomically, never in part.
"""

import argparse
import datetime
import gzip
import io
import lzma
import os
import re
import sys
import urllib.error
import urllib.request
from typing import Dict, Iterable, List, Optional, Set, Tuple

from peso.fsutil import atomic_write

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "spack-peso", "peso", "lint", "rules", "data", "debian_compiled.yaml")
MIRROR = "http://deb.debian.org/debian"
SUITES = ("bookworm", "trixie")
PACKAGES = "dists/%s/main/binary-amd64/Packages.xz"
CONTENTS = "dists/%s/main/Contents-amd64.gz"

_DEBIAN_R = re.compile(r"^r-(?:cran|bioc)-(\S+)$")
_DEBIAN_PERL = re.compile(r"^lib(\S+)-perl$")
#: where R loads a package's compiled code from
_R_OBJECT = re.compile(r"^usr/lib/R/(?:site-)?library/([^/]+)/libs/[^/]+\.so$")
#: Perl's architecture-specific library trees (XS modules in ``auto/``, SWIG bindings
#: such as solv.so at the top): Perl loads these objects with DynaLoader
_PERL_OBJECT = re.compile(r"^usr/lib/x86_64-linux-gnu/perl5?/[^/]+/.+\.so$")
_PREFIXES = ("usr/lib/R/", "usr/lib/x86_64-linux-gnu/perl")
#: what dpkg-shlibdeps adds for an executable or object linked against libc
_LIBC = re.compile(r"^(?:Pre-)?Depends: .*\blibc6(?:\.1)?\b", re.M)


class ArchiveError(Exception):
    """A download or an index that cannot be read, with the URL it came from."""


def spack_name(debian: str) -> Optional[str]:
    """Spack's name for a Debian R or Perl module package: ``r-cran-data.table`` is
    ``r-data-table``, ``libclone-perl`` is ``perl-clone``; None for anything else."""
    m = _DEBIAN_R.match(debian)
    if m:
        return "r-" + m.group(1).lower().replace(".", "-")
    m = _DEBIAN_PERL.match(debian)
    if m:
        return "perl-" + m.group(1).lower()
    return None


def upstream_version(debian_version: str) -> str:
    """The upstream release in a Debian version: no epoch (``1:``), no Debian revision
    (``-2+b1``), no repack suffix (``+dfsg``, ``+ds``, ``~``). ``7.3-18-2`` is ``7.3-18``
    (R's own dash stays), ``1.00+ds-3`` is ``1.00``. Cutting at ``~`` (before a release)
    or ``+really`` (a version put back) gives a version at least as new as the real
    one, so the version rule only gets stricter; a ``+git``/``+svn`` snapshot after a
    release (3 of the archive's R and Perl modules) is read as that release."""
    text = re.sub(r"^\d+:", "", debian_version)
    if "-" in text:
        text = text.rsplit("-", 1)[0]
    return re.split(r"[+~]", text, 1)[0]


def module_versions(packages_text: str) -> Dict[str, Tuple[str, bool]]:
    """``{Debian package: (version, linked?)}`` of the R and Perl module packages of a
    ``Packages`` index. ``linked``: architecture-specific and depending on libc6, which
    dpkg-shlibdeps adds only for ELF objects linked against libc (littler's ``r``
    executable, irace's launcher: compiled code that is no loadable module)."""
    found = {}
    for record in packages_text.split("\n\n"):
        name = re.search(r"^Package: (\S+)$", record, re.M)
        version = re.search(r"^Version: (\S+)$", record, re.M)
        arch = re.search(r"^Architecture: (\S+)$", record, re.M)
        if name and version and spack_name(name.group(1)):
            linked = bool(arch and arch.group(1) != "all" and _LIBC.search(record))
            found[name.group(1)] = (version.group(1), linked)
    return found


def compiled_objects(contents_lines: Iterable[str]) -> Set[str]:
    """The Debian R and Perl module packages that ship compiled code where R or Perl
    loads it from, read from ``Contents-amd64`` lines (``path  section/pkg,section/pkg``).
    An R object counts for the package only when it is that package's own directory
    (``r-cran-tensora`` shipping ``tensorA/libs/tensorA.so``), not another R package it
    carries."""
    found = set()
    for line in contents_lines:
        if not line.startswith(_PREFIXES):
            continue
        parts = line.rstrip("\n").rsplit(None, 1)
        if len(parts) != 2:
            continue
        path, owners = parts
        r_object = _R_OBJECT.match(path)
        if not r_object and not _PERL_OBJECT.match(path):
            continue
        for owner in owners.split(","):
            debian = owner.rsplit("/", 1)[-1]
            if r_object:
                m = _DEBIAN_R.match(debian)
                if m and m.group(1).lower() == r_object.group(1).lower():
                    found.add(debian)
            elif _DEBIAN_PERL.match(debian):
                found.add(debian)
    return found


def suite_evidence(packages_text: str, contents_lines: Iterable[str]) -> Dict[str, Tuple[str, bool]]:
    """``{Spack name: (upstream version, compiled?)}`` for one suite: compiled when the
    package ships a loadable object (Contents) or is linked against libc (Packages)."""
    return combine(module_versions(packages_text), compiled_objects(contents_lines))


def combine(versions: Dict[str, Tuple[str, bool]], objects: Set[str]) -> Dict[str, Tuple[str, bool]]:
    """:func:`module_versions` and :func:`compiled_objects` of one suite, under Spack's names."""
    evidence = {}
    for debian, (version, linked) in versions.items():
        evidence[spack_name(debian) or debian] = (upstream_version(version), linked or debian in objects)
    return evidence


def merge_suites(suites: List[Dict[str, Tuple[str, bool]]]) -> Tuple[Dict[str, str], int, List[str]]:
    """Combine suites, oldest first, into ``{Spack name: oldest upstream version seen
    compiled}``. A module counts only when its newest suite ships compiled code; the
    version is the oldest of the unbroken run of compiled suites ending there (a pure
    release in between resets it). Returns the table, the count of modules without
    compiled code in their newest suite, and the modules that stopped compiling."""
    since: Dict[str, Optional[str]] = {}
    for suite in suites:
        for name, (version, compiled) in suite.items():
            if not compiled:
                since[name] = None
            elif since.get(name) is None:
                since[name] = version
    stopped = sorted(n for n in since if since[n] is None and any(s.get(n, ("", False))[1] for s in suites))
    table = {n: v for n, v in sorted(since.items()) if v is not None}
    return table, len(since) - len(table), stopped


def fetch(url: str) -> bytes:
    """The body at ``url``, or ArchiveError naming it."""
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise ArchiveError("cannot download %s: %s" % (url, error)) from error


def read_suite(mirror: str, suite: str) -> Dict[str, Tuple[str, bool]]:
    """One suite's evidence from the archive at ``mirror``."""
    url = "%s/%s" % (mirror.rstrip("/"), PACKAGES % suite)
    try:
        packages = lzma.decompress(fetch(url)).decode("utf-8", "replace")
    except lzma.LZMAError as error:
        raise ArchiveError("cannot read %s: %s" % (url, error)) from error
    versions = module_versions(packages)
    if not versions:
        raise ArchiveError("no R or Perl module packages in %s" % url)
    url = "%s/%s" % (mirror.rstrip("/"), CONTENTS % suite)
    try:
        with gzip.open(io.BytesIO(fetch(url)), "rt", encoding="utf-8", errors="replace") as lines:
            objects = compiled_objects(lines)
    except (OSError, EOFError) as error:
        raise ArchiveError("cannot read %s: %s" % (url, error)) from error
    if not objects:
        raise ArchiveError("no compiled R or Perl module objects listed in %s" % url)
    return combine(versions, objects)


def render(table: Dict[str, str], mirror: str, suites: List[str], pure: int) -> str:
    """The data file: its header comment documents the format."""
    lines = [
        "# R and Perl modules Debian ships with compiled code: a shared object where R loads it",
        "# (usr/lib/R/site-library/<Pkg>/libs/*.so) or Perl's DynaLoader does",
        "# (usr/lib/x86_64-linux-gnu/perl5/<perl>/auto/**/*.so), read from the archive's",
        "# Contents-amd64 index. Evidence for PESO-D002 that the recipe compiles C/C++ (CRAN's",
        "# NeedsCompilation, a Perl XS module), which a recipe does not hold.",
        "# compiled: Spack's name (r-cran-x -> r-x, libx-perl -> perl-x) -> the upstream part",
        "# of the oldest Debian version seen compiled in `suites` (oldest first), when every",
        "# newer suite still ships compiled code; D002 counts it for recipes declaring a",
        "# version at least that new. Written by tools/compiled_from_debian.py; refresh it",
        "# with that tool, never by hand. Modules without compiled objects are not listed.",
        "source: '%s, main, amd64 (Packages.xz, Contents-amd64.gz)'" % mirror,
        "suites: [%s]" % ", ".join(suites),
        "date: '%s'" % datetime.date.today().isoformat(),
        "without_compiled_objects_seen: %d" % pure,
        "compiled:",
    ]
    lines += ["  %s: '%s'" % (name, version) for name, version in table.items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", default=DEFAULT)
    parser.add_argument("--mirror", default=MIRROR, help="Debian archive root (default: %(default)s)")
    parser.add_argument(
        "--suite", action="append", dest="suites", help="a suite to read, oldest first (default: bookworm, trixie)"
    )
    args = parser.parse_args(argv)
    suites = args.suites or list(SUITES)
    try:
        evidence = [read_suite(args.mirror, suite) for suite in suites]
    except ArchiveError as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    table, pure, stopped = merge_suites(evidence)
    atomic_write(args.out, render(table, args.mirror, suites, pure))
    print(
        "wrote %s: %d compiled modules (%d without compiled objects in their newest suite)"
        % (args.out, len(table), pure)
    )
    if stopped:
        print("compiled in an older suite only, left out: %s" % ", ".join(stopped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
