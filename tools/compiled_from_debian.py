"""Refresh ``lint/rules/data/debian_compiled.yaml``: the R and Perl modules Debian builds as
compiled code.

Whether an R package compiles C/C++/Fortran is CRAN's ``NeedsCompilation``, and whether a
Perl distribution is an XS module is in its sources; a Spack recipe holds neither, and
CRAN is not always reachable. Debian ships CRAN and Bioconductor packages as
``r-cran-<name>``/``r-bioc-<name>`` and CPAN distributions as ``lib<name>-perl``; one
with compiled code is architecture-specific (``Architecture: amd64``), one without is
``Architecture: all``. Architecture alone overstates it: a pure-Perl module installed
into the arch-specific tree (common::sense) or an R package whose C code moved away but
whose Debian packaging kept ``any`` (timeDate) is not ``all`` either. What compiled code
leaves in a Debian package is a shared-library dependency computed from its objects
(``libc6``). PESO-D002 reads the packages with both, under Spack's names (``r-<name>``,
``perl-<name>``), as evidence that the recipe compiles code. A
curator refreshes the table on purpose (it needs an apt cache: ``apt-get update``):

    python tools/compiled_from_debian.py [-o spack-peso/peso/lint/rules/data/debian_compiled.yaml]
"""

import argparse
import datetime
import os
import re
import subprocess
import sys

from peso.fsutil import atomic_write

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "spack-peso", "peso", "lint", "rules", "data", "debian_compiled.yaml")
_DEBIAN_R = re.compile(r"^Package: r-(?:cran|bioc)-(\S+)$", re.M)
_DEBIAN_PERL = re.compile(r"^Package: lib(\S+)-perl$", re.M)
#: what dpkg-shlibdeps adds for compiled objects
_SHLIB = re.compile(r"^(?:Pre-)?Depends: .*\blibc6(?:\.1)?\b", re.M)


def spack_name(record: str):
    """Spack's name for a Debian R or Perl module package: ``r-cran-data.table`` is
    ``r-data-table``, ``libclone-perl`` is ``perl-clone``; None for anything else."""
    m = _DEBIAN_R.search(record)
    if m:
        return "r-" + m.group(1).lower().replace(".", "-")
    m = _DEBIAN_PERL.search(record)
    if m:
        return "perl-" + m.group(1).lower()
    return None


def compiled_packages(dumpavail: str):
    """``{spack name: Debian version}`` of the R and Perl modules with compiled objects
    (architecture-specific and linked against libc), and the count of the others."""
    compiled, independent = {}, 0
    for record in dumpavail.split("\n\n"):
        name = spack_name(record)
        if name is None:
            continue
        arch = re.search(r"^Architecture: (\S+)$", record, re.M)
        version = re.search(r"^Version: (\S+)$", record, re.M)
        if arch and arch.group(1) != "all" and _SHLIB.search(record):
            compiled[name] = version.group(1) if version else ""
        else:
            independent += 1
    return dict(sorted(compiled.items())), independent


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", default=DEFAULT)
    args = parser.parse_args(argv)
    dump = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=True).stdout
    release = subprocess.run(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"], capture_output=True, text=True)
    compiled, independent = compiled_packages(dump)
    if not compiled:
        print("no R or Perl module packages in the apt cache (run apt-get update)", file=sys.stderr)
        return 2
    lines = [
        "# R and Perl modules Debian builds as compiled code (Architecture: amd64 and linked against",
        "# libc, which dpkg-shlibdeps adds for compiled objects), under Spack's",
        "# names (r-cran-x -> r-x, libx-perl -> perl-x), with Debian's version. Evidence for",
        "# PESO-D002 that the recipe compiles C/C++ (CRAN's NeedsCompilation, a Perl XS module),",
        "# which a recipe does not hold. Written by tools/compiled_from_debian.py; refresh it with",
        "# that tool, never by hand. Packages without compiled objects are not listed.",
        "source: %s archive (apt-cache dumpavail)" % (release.stdout.strip() or "Debian"),
        "date: '%s'" % datetime.date.today().isoformat(),
        "without_compiled_objects_seen: %d" % independent,
        "compiled:",
    ]
    lines += ["  %s: '%s'" % (name, version) for name, version in compiled.items()]
    atomic_write(args.out, "\n".join(lines) + "\n")
    print("wrote %s: %d compiled modules (%d without compiled objects seen)" % (args.out, len(compiled), independent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
