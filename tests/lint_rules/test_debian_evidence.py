"""Debian's archive as evidence that an R or Perl module compiles (PESO-D002):
tools/compiled_from_debian.py reads the Packages and Contents indexes (fixture text
here, never the network) and the rule counts a module only for recipe versions at least
as new as the first Debian version seen compiled."""

import gzip
import importlib.util
import lzma
import os

import pytest
import yaml
from _recipes import edit, findings

from peso.lint.rules import compiles

TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "compiled_from_debian.py")

#: Packages records as Debian writes them (trimmed): bitops is compiled but depends on
#: no libc6 (dpkg-shlibdeps computed none for its object); timeDate and common::sense are
#: architecture-specific without compiled code; littler's compiled code is an executable
PACKAGES = "\n\n".join(
    [
        "Package: r-cran-bitops\nVersion: 1.0-9-1\nArchitecture: amd64\nDepends: r-base-core, r-api-4.0",
        "Package: r-cran-timedate\nVersion: 4041.110-1\nArchitecture: amd64\nDepends: r-base-core, r-api-4.0",
        "Package: r-cran-ggally\nVersion: 2.2.1-1\nArchitecture: all\nDepends: r-base-core",
        "Package: r-cran-data.table\nVersion: 1.16.4+dfsg-1\nArchitecture: amd64\nDepends: r-api-4.0, zlib1g",
        "Package: r-cran-mass\nVersion: 7.3-65-1\nArchitecture: amd64\nDepends: r-api-4.0, libc6 (>= 2.14)",
        "Package: r-cran-littler\nVersion: 0.3.20-2\nArchitecture: amd64\nDepends: r-base-core, libc6 (>= 2.34)",
        "Package: libcommon-sense-perl\nVersion: 3.75-3+b4\nArchitecture: amd64\nDepends: perl, perlapi-5.40.1",
        "Package: libjson-xs-perl\nVersion: 4.040-1\nArchitecture: amd64\nDepends: perl, libc6 (>= 2.14)",
        "Package: libsolv-perl\nVersion: 1:0.7.31-1\nArchitecture: amd64\nDepends: perl",
        "Package: libc6\nVersion: 2.41-12\nArchitecture: amd64\nDepends: libgcc-s1",
    ]
)
CONTENTS = """\
usr/lib/R/site-library/bitops/libs/bitops.so            gnu-r/r-cran-bitops
usr/lib/R/site-library/bitops/R/bitops                  gnu-r/r-cran-bitops
usr/lib/R/site-library/timeDate/R/timeDate.rdb          gnu-r/r-cran-timedate
usr/lib/R/site-library/data.table/libs/data.table.so    gnu-r/r-cran-data.table
usr/lib/R/library/MASS/libs/MASS.so                     gnu-r/r-cran-mass
usr/lib/R/site-library/GGally/R/GGally                  gnu-r/r-cran-ggally
usr/lib/R/site-library/other/libs/other.so              gnu-r/r-cran-ggally
usr/share/perl5/common/sense.pm                         perl/libcommon-sense-perl
usr/lib/x86_64-linux-gnu/perl5/5.40/common/sense.pm     perl/libcommon-sense-perl
usr/lib/x86_64-linux-gnu/perl5/5.40/auto/JSON/XS/XS.so  perl/libjson-xs-perl
usr/lib/x86_64-linux-gnu/perl5/5.40/solv.so             perl/libsolv-perl
usr/lib/x86_64-linux-gnu/libc.so.6                      libs/libc6
"""


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("compiled_from_debian", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_debian_versions_lose_epoch_revision_and_repack_suffix(tool):
    assert tool.upstream_version("7.3-18-2") == "7.3-18"  # R's own dash stays
    assert tool.upstream_version("1:0.7.31-1") == "0.7.31"
    assert tool.upstream_version("1.00+ds-3") == "1.00"
    assert tool.upstream_version("2.00-04+pristine-8+b1") == "2.00-04"
    assert tool.upstream_version("0.1.40+b2") == "0.1.40"  # a native package: no revision


def test_a_shared_object_where_r_or_perl_loads_it_is_compiled_code(tool):
    """Contents is the direct evidence (bitops without libc6, MASS in R's own library,
    solv's SWIG object in Perl's arch tree); libc6 on an arch-specific package is the
    second (littler's executable). Arch-specific alone (timeDate, common::sense) is
    not, nor an object of another R package a package carries."""
    evidence = tool.suite_evidence(PACKAGES, CONTENTS.splitlines(True))
    compiled = {name for name, (_, yes) in evidence.items() if yes}
    assert compiled == {"r-bitops", "r-data-table", "r-mass", "r-littler", "perl-json-xs", "perl-solv"}
    assert evidence["r-timedate"] == ("4041.110", False)
    assert evidence["perl-common-sense"] == ("3.75", False)
    assert evidence["r-ggally"] == ("2.2.1", False)
    assert evidence["r-data-table"] == ("1.16.4", True)
    assert "libc6" not in evidence and "perl-c6" not in evidence


def test_a_module_counts_since_the_oldest_unbroken_compiled_version(tool):
    """Suites oldest first: parallelly-like (pure, then compiled) counts from the
    compiled release; timeDate-like (compiled, then pure) is left out; one absent from
    the newer suite keeps its older word."""
    bookworm = {"r-a": ("1.34.0", False), "r-b": ("3042.0", True), "r-c": ("1.0", True), "r-d": ("2.0", True)}
    trixie = {"r-a": ("1.42.0", True), "r-b": ("4041.0", False), "r-d": ("2.5", True)}
    table, pure, stopped = tool.merge_suites([bookworm, trixie])
    assert table == {"r-a": "1.42.0", "r-c": "1.0", "r-d": "2.0"}
    assert pure == 1 and stopped == ["r-b"]


def _archive(root, suite, packages, contents):
    dists = root / "dists" / suite / "main"
    (dists / "binary-amd64").mkdir(parents=True)
    (dists / "binary-amd64" / "Packages.xz").write_bytes(lzma.compress(packages.encode()))
    (dists / "Contents-amd64.gz").write_bytes(gzip.compress(contents.encode()))


def test_the_tool_writes_the_documented_table_from_an_archive(tool, tmp_path):
    _archive(tmp_path / "mirror", "trixie", PACKAGES, CONTENTS)
    out = tmp_path / "debian_compiled.yaml"
    mirror = (tmp_path / "mirror").as_uri()
    assert tool.main(["-o", str(out), "--mirror", mirror, "--suite", "trixie"]) == 0
    text = out.read_text()
    assert text.startswith("# R and Perl modules Debian ships with compiled code")
    data = yaml.safe_load(text)
    assert data["suites"] == ["trixie"] and mirror in data["source"] and data["date"]
    assert data["compiled"]["r-bitops"] == "1.0-9"
    assert "r-timedate" not in data["compiled"] and "perl-common-sense" not in data["compiled"]


@pytest.mark.parametrize("broken", ["missing", "not-xz", "no-objects"])
def test_a_bad_archive_is_one_line_naming_the_url_and_no_file(tool, tmp_path, capsys, broken):
    root = tmp_path / "mirror"
    if broken != "missing":
        _archive(root, "trixie", PACKAGES, "usr/share/doc/x  doc/x\n" if broken == "no-objects" else CONTENTS)
    if broken == "not-xz":
        (root / "dists" / "trixie" / "main" / "binary-amd64" / "Packages.xz").write_bytes(b"not xz")
    out = tmp_path / "debian_compiled.yaml"
    assert tool.main(["-o", str(out), "--mirror", root.as_uri(), "--suite", "trixie"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: ") and root.as_uri() + "/dists/trixie/" in err
    assert not out.exists()


def _recipe(base_module, base, name, versions):
    lines = "".join('    version("%s", sha256="%s")\n' % (v, "0" * 64) for v in versions)
    return edit(
        (
            "from spack_repo.builtin.build_systems.cmake import CMakePackage",
            "from spack_repo.builtin.build_systems.%s import %s" % (base_module, base),
        ),
        ("class Foo(CMakePackage):", "class %s(%s):" % (name, base)),
        ('    version("develop", branch="develop")\n', ""),
        ('    version("2.0", sha256="%s")\n' % ("a" * 64), lines),
        ('    version("1.0", sha256="%s")\n' % ("b" * 64), ""),
        ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
        ('    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n', ""),
    )


@pytest.fixture
def table(monkeypatch):
    """The rule's tables with a known Debian table."""
    real = compiles._tables()
    debian = {"r-gained-c": "1.42.0", "perl-xs-thing": "0.08"}
    monkeypatch.setattr(compiles, "_tables", lambda: real._replace(debian_compiled=debian))
    return debian


def test_debian_evidence_counts_only_for_versions_debian_saw_compiled(table):
    """parallelly-like: Debian saw C code from 1.42.0 on; a recipe stopping at 1.38.0 may
    be all pure R, so it is not judged; one declaring 1.45.1 (or a branch) is."""
    assert findings(_recipe("r", "RPackage", "RThing", ["1.38.0", "1.35.0"]), "PESO-D002", package="r-gained-c") == []
    (got,) = findings(_recipe("r", "RPackage", "RThing", ["1.45.1", "1.38.0"]), "PESO-D002", package="r-gained-c")
    assert "since version 1.42.0" in got.message and "1.45.1" in got.message
    assert findings(_recipe("r", "RPackage", "RThing", ["1.42.0"]), "PESO-D002", package="r-gained-c")
    (got,) = findings(_recipe("perl", "PerlPackage", "PerlThing", ["0.08"]), "PESO-D002", package="perl-xs-thing")
    assert "Perl XS module" in got.message and "Debian ships it" in got.message
    assert findings(_recipe("r", "RPackage", "RThing", ["9.9"]), "PESO-D002", package="r-not-in-debian") == []


def test_no_literal_version_is_no_debian_evidence(table):
    source = _recipe("r", "RPackage", "RThing", ["1.45.1"]).replace('version("1.45.1"', "version(LATEST")
    assert findings(source, "PESO-D002", package="r-gained-c") == []


def test_the_shipped_table_covers_a_module_the_libc_test_missed():
    """r-bitops: Debian's package ships bitops/libs/bitops.so but depends on no libc6 in
    bookworm; the Contents index has it. A recipe of its versions without a language
    dependency is flagged; the six arch-specific packages without compiled code are
    out of the shipped table."""
    shipped = compiles._tables().debian_compiled
    assert "r-bitops" in shipped
    (got,) = findings(_recipe("r", "RPackage", "RBitops", ["1.0-9", "1.0-8"]), "PESO-D002", package="r-bitops")
    assert "Debian ships it as compiled code" in got.message
    for pure in ("perl-common-sense", "perl-canary-stability", "r-timedate", "r-gbrd", "r-spatstat", "r-basilisk"):
        assert pure not in shipped
