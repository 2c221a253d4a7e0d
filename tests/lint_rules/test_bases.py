"""Base classes are resolved from the build-system sources of the repository being
linted (never imported), and the false-positive patterns of issue 11 stay fixed on the
real builtin recipes they were seen on."""

import os
import textwrap

import pytest

from peso.lint import bases
from peso.lint.cache import file_digest
from peso.lint.registry import RULES, all_rules
from peso.recipe.parse import load_recipe

BUILD_SYSTEM = textwrap.dedent(
    '''\
    from spack.package import PackageBase, classproperty, license, maintainers


    def _git(cls):
        if cls.idx_name:
            return f"https://git.example.org/{cls.idx_name}"
        return None


    class IdxPackage(PackageBase):
        """Packages of an index that derives their repository."""

        idx_name = None
        git = classproperty(_git)
        maintainers("idx-team")
        license("MIT")

        def test_load(self):
            """load the package"""
            which("idx")("load", self.name)
    '''
)

RECIPE = textwrap.dedent(
    '''\
    from spack_repo.testns.build_systems.idx import IdxPackage

    from spack.package import *


    class Foo(IdxPackage):
        """Foo is a package of the index."""

        homepage = "https://foo.org"
        url = "https://foo.org/foo-1.0.tgz"
        %s

        version("1.0", sha256="%s")
    '''
)


def _repo(tmp_path, idx_name_line):
    root = tmp_path / "spack_repo" / "testns"
    (root / "build_systems").mkdir(parents=True)
    (root / "build_systems" / "idx.py").write_text(BUILD_SYSTEM)
    (root / "packages" / "foo").mkdir(parents=True)
    recipe = root / "packages" / "foo" / "package.py"
    recipe.write_text(RECIPE % (idx_name_line, "a" * 64))
    return str(recipe)


def _rules_hit(path, *rule_ids):
    all_rules()
    recipe = load_recipe(path)
    return sorted({f.rule for rid in rule_ids for f in RULES[rid].check(recipe)})


def test_derived_attribute_directives_and_tests_come_from_the_sources(tmp_path):
    path = _repo(tmp_path, 'idx_name = "foo"')
    assert _rules_hit(path, "PESO-S001", "PESO-M001", "PESO-L001", "PESO-T001") == []


def test_a_slot_left_empty_derives_nothing(tmp_path):
    """``idx_name = None`` in the base is a slot: without a value there is no git."""
    path = _repo(tmp_path, "")
    assert _rules_hit(path, "PESO-S001", "PESO-M001", "PESO-L001") == ["PESO-S001"]


def test_cache_key_follows_the_build_system_sources(tmp_path):
    path = _repo(tmp_path, 'idx_name = "foo"')
    data = open(path, "rb").read()
    before = file_digest(data, path)
    source = tmp_path / "spack_repo" / "testns" / "build_systems" / "idx.py"
    source.write_text(BUILD_SYSTEM.replace('maintainers("idx-team")\n', ""))
    bases.context_digest.cache_clear()
    bases._packages_dir_context.cache_clear()
    assert file_digest(data, path) != before


def test_a_relative_import_and_a_variant_declaring_helper_are_followed(tmp_path):
    """CachedCMakePackage imports CMakePackage relatively (``from .cmake import``), and
    CMakePackage declares ``generator`` through a module function: a recipe on the
    cached base inherits both, for lint and for the catalogue's variant index."""
    from peso.lint.rules._common import build_info
    from peso.stack.generate.catalog_lint import VariantIndex

    root = tmp_path / "spack_repo" / "testns"
    (root / "build_systems").mkdir(parents=True)
    (root / "build_systems" / "cmake.py").write_text(
        "from spack.package import PackageBase, variant\n\n\n"
        "def generator(*names):\n    variant('generator', default=names[0], values=names)\n\n\n"
        "class CMakePackage(PackageBase):\n    variant('build_type', default='Release')\n    generator('make')\n"
    )
    (root / "build_systems" / "cached_cmake.py").write_text(
        "from .cmake import CMakePackage\n\n\nclass CachedCMakePackage(CMakePackage):\n    pass\n"
    )
    (root / "packages" / "foo").mkdir(parents=True)
    recipe = root / "packages" / "foo" / "package.py"
    recipe.write_text(
        "from spack_repo.testns.build_systems.cached_cmake import CachedCMakePackage\n\n"
        "from spack.package import *\n\n\nclass Foo(CachedCMakePackage):\n    variant('shared', default=True)\n"
    )
    info = build_info(load_recipe(str(recipe)))
    assert info.inherited.from_sources and {"build_type", "generator"} <= info.inherited.variants
    assert {"shared", "build_type", "generator"} <= VariantIndex(str(root / "packages")).variants("foo")


def _builtin(builtin_packages, package):
    path = os.path.join(builtin_packages, package.replace("-", "_"), "package.py")
    assert os.path.isfile(path), path
    all_rules()
    return load_recipe(path)


def _found(builtin_packages, package, rule_id):
    return list(RULES[rule_id].check(_builtin(builtin_packages, package)))


@pytest.mark.parametrize(
    "package,rule_id",
    [
        ("r-biobase", "PESO-S001"),  # RPackage derives git from bioc
        ("rkt-racket-lib", "PESO-M003"),  # RacketPackage derives homepage from racket_name
        ("rkt-racket-lib", "PESO-M001"),  # RacketPackage carries maintainers
        ("intel-oneapi-mkl", "PESO-L001"),  # IntelOneApiPackage carries license()
        ("qt-base", "PESO-M001"),  # maintainers on a base class in the same file
        ("py-arkouda", "PESO-T005"),  # PythonPackage's test_imports is a test
        ("rsync", "PESO-D003"),  # --with-included-zlib=no turns bundling off
        ("mpip", "PESO-D003"),  # --enable-internal-stackdepth=N is a number
        ("pkg-config", "PESO-D003"),  # a variant chooses the bundled glib
        ("rmgdft", "PESO-D003"),  # a variant chooses the internal pseudopotentials
        ("rocm-openmp-extras", "PESO-R006"),  # a local variable named like the global
        ("adol-c", "PESO-R001"),  # a maintainer's own FIXME note
        ("openglu", "PESO-R005"),  # a placeholder whose fetcher raises on purpose
        ("lorene", "PESO-S003"),  # CVS versions are pinned by date=
        ("stream", "PESO-S003"),  # a version cloned from git needs commit=, not sha256
        ("frontistr", "PESO-S004"),  # tag="master" is a branch
        ("neovim", "PESO-S004"),  # the "stable" tag moves on purpose
        ("cmake", "PESO-S006"),  # deprecated versions in their own block
        ("perl-graph", "PESO-S006"),  # the preferred version first
        ("alpaka", "PESO-L002"),  # MPL-2.0-no-copyleft-exception is a licence
        ("xf86driproto", "PESO-D002"),  # protocol headers: nothing to compile
        ("hicolor-icon-theme", "PESO-D002"),  # icons
        ("beakerlib", "PESO-D002"),  # a shell library
        ("parallel", "PESO-D002"),  # a Perl script
        ("beakerlib", "PESO-V002"),  # no debug variant asked of Makefile packages
        ("hdf-eos5", "PESO-V003"),  # ~shared~static ruled out by a condition
        ("mpibind", "PESO-V004"),  # cuda/rocm variants only select dependencies
        ("cosma", "PESO-V004"),  # links cuBLAS/rocBLAS only, no architectures to choose
        ("pumi", "PESO-T006"),  # srun only after mpirun/mpiexec
        ("visit-cgns", "PESO-S003"),  # a local file:// plugin version
        ("r-rhtslib", "PESO-S006"),  # a release-numbered branch among the releases
        ("pdiplugin-decl-netcdf", "PESO-S008"),  # versions from Pdi.versions, which has develop
        ("ocamlbuild", "PESO-D002"),  # links the OCaml compiler, compiles no C
        ("chapel", "PESO-V006"),  # every variant becomes CHPL_<NAME> in a loop
        ("mpip", "PESO-V006"),  # used as "-mpi_io" in spec
        ("celeritas", "PESO-V003"),  # debug is a project assertion flag, not a build type
        ("py-cairocffi", "PESO-D002"),  # cffi in ABI mode: dlopen, nothing compiled
        ("py-eccodes", "PESO-D002"),  # the same
        ("root", "PESO-S006"),  # release series grouped under comment headers
        ("swig", "PESO-S006"),  # the swig-fortran fork listed as its own group
        ("hip", "PESO-V004"),  # the HIP runtime: reads its dependents' targets
        ("tau", "PESO-V004"),  # -arch=x86_64 is TAU's platform, not a GPU target
        ("intel-oneapi-mkl", "PESO-D002"),  # IntelOneApiLibraryPackage declares depends_on("c")
        # R packages with no compiled code (CRAN NeedsCompilation: no) whose recipes name
        # a system library or a stale description: evidence PESO-D002 must not take
        ("r-readbitmap", "PESO-D002"),  # jpeg and libpng, copied from r-jpeg/r-png's needs
        ("r-ggally", "PESO-D002"),  # openssl, copied from r-openssl's needs
        ("r-gdalutils", "PESO-D002"),  # runs gdal's command-line tools
        ("r-iterpc", "PESO-D002"),  # "written in C/C++": its code moved to arrangements
        ("r-inline", "PESO-D002"),  # "'inlined' C, C++ or Fortran code" is the user's
        ("r-httr2", "PESO-D002"),  # gmake at build time, nothing to compile
        ("scons", "PESO-D002"),  # patch("fjcompiler.patch", when="%fj") teaches scons a compiler
        ("py-dask-ml", "PESO-D002"),  # %gcc in the when= of a conflict on +docs
        # debug is a project assertion flag, not a build type
    ],
)
def test_real_false_positives_stay_fixed(builtin_packages, package, rule_id):
    assert _found(builtin_packages, package, rule_id) == []


@pytest.mark.parametrize(
    "package,rule_id,line",
    [
        ("gmt", "PESO-D005", 89),  # the gshhg coastline database is data, not code
        ("cuda", "PESO-V006", 829),  # ~allow-unsupported-compilers is read by CudaPackage
    ],
)
def test_real_false_positive_lines_stay_fixed(builtin_packages, package, rule_id, line):
    assert line not in [f.line for f in _found(builtin_packages, package, rule_id)]


def test_srun_with_an_mpirun_fallback_and_comparisons_are_no_finding(builtin_packages):
    """parallel-netcdf tries srun first, falls back to mpirun/mpiexec, and compares against
    srun: the test does not need the scheduler (issue 21: a false positive before)."""
    assert _found(builtin_packages, "parallel-netcdf", "PESO-T006") == []


def test_superlu_bakes_the_build_compiler_into_its_test_makefile(builtin_packages):
    (got,) = _found(builtin_packages, "superlu", "PESO-T008")
    assert "setup_standalone_tests" in got.message and 'env["CC"]' in got.message


def test_hypre_caching_hook_is_never_called(builtin_packages):
    (got,) = _found(builtin_packages, "hypre", "PESO-T009")
    assert "cache_test_sources" in got.message and "CMakeBuilder" in got.message


def test_cffi_extension_linking_a_library_needs_language_deps(tmp_path):
    """py-pyvips before spack-packages#3164: py-cffi plus a library it links."""
    from _recipes import edit

    source = edit(
        (
            "from spack_repo.builtin.build_systems.cmake import CMakePackage",
            "from spack_repo.builtin.build_systems.python import PythonPackage",
        ),
        ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
        (
            '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n',
            '    depends_on("py-cffi", type=("build", "run"))\n',
        ),
        ('    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n', '    depends_on("libvips")\n'),
    )
    from _recipes import findings

    (got,) = findings(source, "PESO-D002")
    assert "py-cffi" in got.message and "libvips" in got.message
    abi_mode = source.replace('    depends_on("libvips")\n', '    depends_on("libvips", type="run")\n')
    assert findings(abi_mode, "PESO-D002") == []


def test_a_perl_xs_module_linking_a_library_needs_language_deps(tmp_path):
    """perl-xml-parser before spack-packages#718: a Perl module linking expat is XS (C
    glue compiled against the library); an Alien:: distribution only finds the library,
    and a Python package's link dependency is no such evidence (ctypes, run-time tools)."""
    from _recipes import edit, findings

    def recipe(base_module, base, name, deps):
        return edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.%s import %s" % (base_module, base),
            ),
            ("class Foo(CMakePackage):", "class %s(%s):" % (name, base)),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n', deps),
        )

    (got,) = findings(recipe("perl", "PerlPackage", "PerlXmlParser", '    depends_on("expat")\n'), "PESO-D002")
    assert "Perl XS module" in got.message and "expat" in got.message
    run_only = '    depends_on("expat", type="run")\n'
    assert findings(recipe("perl", "PerlPackage", "PerlXmlParser", run_only), "PESO-D002") == []
    alien = '    depends_on("libxml2")\n'
    assert findings(recipe("perl", "PerlPackage", "PerlAlienLibxml2", alien), "PESO-D002") == []
    assert findings(recipe("python", "PythonPackage", "PyPyusb", '    depends_on("libusb")\n'), "PESO-D002") == []


R_RECIPE = """\
from spack_repo.builtin.build_systems.r import RPackage

from spack.package import *


class RFoo(RPackage):
    \"\"\"Foo for R.\"\"\"

    cran = "foo"

    version("1.0", sha256="%s")

    depends_on("r@3.5:", type=("build", "run"))
%s"""


def _r_findings(deps):
    from _recipes import SHA_A, findings

    return findings(R_RECIPE % (SHA_A, deps), "PESO-D002", package="r-foo")


@pytest.mark.parametrize(
    "deps,evidence",
    [
        # r-gsl, r-hdf5r, r-gert: a system library only compiled glue can use
        ('    depends_on("gsl@2.1:")\n', "R package compiling against gsl"),
        ('    depends_on("hdf5@1.8.13:+hl")\n', "R package compiling against hdf5"),
        ('    depends_on("libgit2@1:", when="@2:")\n', "R package compiling against libgit2"),
        # r-rsubread: a library typed ("build", "run") is compiled against all the same
        ('    depends_on("zlib-api", type=("build", "run"))\n', "R package compiling against zlib-api"),
        # r-systemfonts, r-rhdf5filters, r-affyio: a LinkingTo-only R package
        ('    depends_on("r-cpp11@0.2.1:", type=("build", "run"))\n', "builds with r-cpp11"),
        ('    depends_on("r-rhdf5lib", type=("build", "run"))\n', "builds with r-rhdf5lib"),
        ('    depends_on("r-zlibbioc", type=("build", "run"), when="@:1.70")\n', "builds with r-zlibbioc"),
    ],
)
def test_an_r_package_compiling_against_a_library_needs_language_deps(deps, evidence):
    """CRAN's NeedsCompilation is not in the recipe; what it depends on shows it (issue
    21: the held-out R fixes r-rcppparallel, tbb, and r-ncdf4, netcdf-c)."""
    (got,) = _r_findings(deps)
    assert evidence in got.message


@pytest.mark.parametrize(
    "deps",
    [
        '    depends_on("jpeg")\n    depends_on("libpng")\n',  # r-readbitmap: pure R
        '    depends_on("openssl", when="@1.4.0:")\n',  # r-ggally: pure R
        '    depends_on("gdal")\n',  # r-gdalutils: runs gdalinfo
        '    depends_on("pandoc", type="run")\n',  # r-rmarkdown: a run-time tool
        '    depends_on("gsl", type="run")\n',  # needed to run only: not compiled against
        '    depends_on("r-matrix", type=("build", "run"))\n',  # Imports as often as LinkingTo
        '    depends_on("gmake", type="build")\n',  # r-httr2, r-mapview: GNU make, no code
        '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n'
        '    depends_on("r-cpp11", type=("build", "run"))\n    depends_on("gsl")\n',  # declared
    ],
)
def test_an_r_package_without_compile_evidence_is_no_finding(deps):
    assert _r_findings(deps) == []


def test_generic_package_running_make_misses_language_deps(builtin_packages):
    """bliss runs make in install() and links gmp, without depends_on("c"/"cxx")."""
    (got,) = _found(builtin_packages, "bliss", "PESO-D002")
    assert "install() runs make" in got.message


@pytest.mark.parametrize(
    "package,evidence",
    [
        ("nvpl-blas", "conflicts('%gcc@:7')"),  # the constraint nvpl-lapack's fix made effective
        ("typst", "rustc links"),  # Cargo builds link through cc
        ("rocm-clang-ocl", "llvm-amdgpu"),  # f"llvm-amdgpu@{ver}" in a loop is a dependency
    ],
)
def test_language_deps_found_beyond_compiled_bases(builtin_packages, package, evidence):
    (got,) = _found(builtin_packages, package, "PESO-D002")
    assert evidence in got.message
