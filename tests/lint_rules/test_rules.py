"""Every static rule fails on a recipe written to break it (at the marked line) and
passes on the clean recipe and on recipes written to satisfy it."""

import pytest
import test_dependency_versions
from _recipes import CLEAN, SHA_A, SHA_B, STATIC_RULE_IDS, TEST_METHOD, edit, findings, marked_lines

from peso.lint.registry import RULES

CLASS = ("class Foo(CMakePackage):", "class Foo(CMakePackage):  # HERE")
NO_TEST = (TEST_METHOD, "")

# (rule, case name, failing recipe); the finding lines must be exactly the "# HERE" lines
FAILING = [
    # tests that pass whatever was installed (chapel's test_chpldoc prints or passes)
    (
        "PESO-T010",
        "prints-only",
        edit(
            (
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                'def test_version(self):  # HERE\n        """check that foo runs"""\n'
                '        if not self.spec.satisfies("+mpi"):\n            print("skipping: no MPI")\n'
                '            return\n        tty.msg("foo %s" % self.spec.version)',
            )
        ),
    ),
    (
        "PESO-T010",
        "unchecked-file-test",
        edit(
            (
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                'def test_version(self):  # HERE\n        """check that foo installed its binary"""\n'
                '        path = join_path(self.prefix.bin, "foo")\n        os.path.isfile(path)',
            )
        ),
    ),
    # a misspelt variant in a condition: the dependency is never added
    ("PESO-V007", "when-typo", edit(('depends_on("mpi", when="+mpi")', 'depends_on("mpi", when="+mpii")  # HERE'))),
    (
        "PESO-V007",
        "conflicts-typo",
        edit(
            (
                '    depends_on("c", type="build")',
                '    conflicts("~mpii", when="@:1.0", msg="1.0 needs MPI")  # HERE\n    depends_on("c", type="build")',
            )
        ),
    ),
    (
        "PESO-V007",
        "with-when-block",
        edit(
            (
                '    depends_on("c", type="build")',
                '    with when("+shared"):  # HERE\n        depends_on("zlib")\n    depends_on("c", type="build")',
            )
        ),
    ),
    (
        "PESO-V007",
        "requires-typo",
        edit(
            (
                '    depends_on("c", type="build")',
                '    requires("+mpi", "~cudaa", policy="one_of", when="@2:")  # HERE\n    depends_on("c", type="build")',
            )
        ),
    ),
    (
        # a recipe copied without its url line: spack fetch has nothing to download from
        "PESO-S010",
        "checksum-without-url",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
            ('    git = "https://github.com/foo/foo.git"\n', ""),
            ('    version("develop", branch="develop")\n', ""),
            ('version("2.0", sha256="%s")' % SHA_A, 'version("2.0", sha256="%s")  # HERE' % SHA_A),
            ('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", sha256="%s")  # HERE' % SHA_B),
        ),
    ),
    ("PESO-E001", "syntax", edit(("def cmake_args(self):", "def cmake_args(self)  # HERE"))),
    ("PESO-M001", "no-maintainers", edit(CLASS, ('    maintainers("alice")\n', ""))),
    ("PESO-M002", "list", edit(('maintainers("alice")', 'maintainers = ["alice"]  # HERE'))),
    ("PESO-M002", "placeholder", edit(('maintainers("alice")', 'maintainers("github_user1")  # HERE'))),
    ("PESO-M003", "http", edit(('homepage = "https://foo.org"', 'homepage = "http://foo.org"  # HERE'))),
    ("PESO-M003", "missing", edit(CLASS, ('    homepage = "https://foo.org"\n', ""))),
    (
        "PESO-M004",
        "placeholder",
        edit(
            (
                '"""Foo is a parallel solver for sparse linear systems."""',
                '"""FIXME: Put a proper description of your package here."""  # HERE',
            )
        ),
    ),
    ("PESO-M004", "missing", edit(CLASS, ('    """Foo is a parallel solver for sparse linear systems."""\n', ""))),
    ("PESO-L001", "missing", edit(CLASS, ('    license("BSD-3-Clause", checked_by="alice")\n', ""))),
    (
        "PESO-L002",
        "deprecated",
        edit(('license("BSD-3-Clause"', 'license("GPL-2.0"'), ('checked_by="alice")', 'checked_by="alice")  # HERE')),
    ),
    ("PESO-L002", "unknown-id", edit(('license("BSD-3-Clause", checked_by="alice")', 'license("BSD")  # HERE'))),
    ("PESO-L002", "syntax", edit(('license("BSD-3-Clause", checked_by="alice")', 'license("MIT OR")  # HERE'))),
    (
        "PESO-L003",
        "unknown",
        edit(('license("BSD-3-Clause"', 'license("UNKNOWN"'), ('checked_by="alice")', 'checked_by="alice")  # HERE')),
    ),
    ("PESO-L003", "placeholder-checker", edit(('checked_by="alice")', 'checked_by="TODO")  # HERE'))),
    (
        "PESO-L004",
        "gpl",
        edit(
            ('license("BSD-3-Clause"', 'license("GPL-3.0-or-later"'),
            ('checked_by="alice")', 'checked_by="alice")  # HERE'),
        ),
    ),
    (
        "PESO-L004",
        "gpl-and-mit",
        edit(('license("BSD-3-Clause", checked_by="alice")', 'license("GPL-2.0-only AND MIT")  # HERE')),
    ),
    (
        "PESO-L005",
        "non-commercial",
        edit(('license("BSD-3-Clause", checked_by="alice")', 'license("CC-BY-NC-4.0")  # HERE')),
    ),
    ("PESO-S001", "no-git", edit(CLASS, ('    git = "https://github.com/foo/foo.git"\n', ""))),
    (
        "PESO-S002",
        "http-url",
        edit(('url = "https://foo.org/foo-2.0.tar.gz"', 'url = "http://foo.org/foo-2.0.tar.gz"  # HERE')),
    ),
    (
        "PESO-S002",
        "ftp-version-url",
        edit(
            (
                'version("1.0", sha256="%s")' % SHA_B,
                'version("1.0", sha256="%s", url="ftp://foo.org/foo-1.0.tgz")  # HERE' % SHA_B,
            )
        ),
    ),
    (
        "PESO-S002",
        "patch-and-resource",
        edit(
            (
                '    variant("mpi"',
                '    patch("http://foo.org/fix.patch", sha256="%s")  # HERE\n'
                '    resource(name="x", git="git://foo.org/x.git", commit="%s")  # HERE\n'
                '    variant("mpi"' % (SHA_A, "c" * 40),
            )
        ),
    ),
    (
        "PESO-S002",
        "url-for-version",
        edit(
            (
                "    def cmake_args(self):",
                '    def url_for_version(self, version):\n        return f"http://foo.org/foo-{version}.tgz"  # HERE\n\n    def cmake_args(self):',
            )
        ),
    ),
    (
        "PESO-S003",
        "md5",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", md5="%s")  # HERE' % ("b" * 32))),
    ),
    ("PESO-S003", "positional", edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", "%s")  # HERE' % SHA_B))),
    ("PESO-S003", "none", edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0")  # HERE'))),
    (
        "PESO-S003",
        "resource-sha1",
        edit(
            (
                '    variant("mpi"',
                '    resource(name="x", url="https://x.org/x.tgz", sha1="%s")  # HERE\n    variant("mpi"' % ("d" * 40),
            )
        ),
    ),
    (
        "PESO-S004",
        "tag",
        edit(
            (
                'version("2.0", sha256="%s")' % SHA_A,
                'version("2.1", tag="v2.1")  # HERE\n    version("2.0", sha256="%s")' % SHA_A,
            )
        ),
    ),
    (
        "PESO-S005",
        "github-commit",
        edit(
            (
                '    variant("mpi"',
                '    patch("https://github.com/o/r/commit/abc123.patch", sha256="%s")  # HERE\n'
                '    variant("mpi"' % SHA_A,
            )
        ),
    ),
    (
        "PESO-S005",
        "pull-commits",
        edit(
            (
                '    variant("mpi"',
                '    patch(\n        "https://github.com/o/r/pull/12/commits/abc123.patch?full_index=1",  # HERE\n'
                '        sha256="%s",\n    )\n    variant("mpi"' % SHA_A,
            )
        ),
    ),
    (
        "PESO-S005",
        "gitlab",
        edit(
            (
                '    variant("mpi"',
                '    patch("https://gitlab.com/o/r/-/commit/abc123.patch", sha256="%s")  # HERE\n'
                '    variant("mpi"' % SHA_A,
            )
        ),
    ),
    (
        "PESO-S006",
        "oldest-first",
        edit(
            ('    version("2.0", sha256="%s")\n' % SHA_A, ""),
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    version("2.0", sha256="%s")  # HERE\n' % (SHA_B, SHA_A),
            ),
        ),
    ),
    (
        "PESO-S006",
        "branch-last",
        edit(
            ('    version("develop", branch="develop")\n', ""),
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    version("develop", branch="develop")  # HERE\n' % SHA_B,
            ),
        ),
    ),
    (
        "PESO-S006",
        "release-after-its-prerelease",
        edit(
            (
                '    version("2.0", sha256="%s")\n' % SHA_A,
                '    version("2.0rc1", sha256="%s")\n    version("2.0", sha256="%s")  # HERE\n' % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S006",
        "number-after-word",
        edit(
            (
                '    version("2.0", sha256="%s")\n' % SHA_A,
                '    version("local", sha256="%s")\n    version("2.0", sha256="%s")  # HERE\n' % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S007",
        "fixme",
        edit(('version("2.0", sha256="%s")' % SHA_A, 'version("2.0", sha256="%s")  # FIXME  # HERE' % SHA_A)),
    ),
    (
        "PESO-S009",
        "copied-line",
        edit(
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    version("2.0", sha256="%s")  # HERE\n' % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S009",
        "other-tag-same-name",
        edit(
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    with default_args(deprecated=True):\n'
                '        version("2.0", tag="v1.9")  # HERE\n' % SHA_B,
            )
        ),
    ),
    ("PESO-S008", "no-branch", edit(CLASS, ('    version("develop", branch="develop")\n', ""))),
    ("PESO-T001", "no-test", edit(CLASS, NO_TEST)),
    (
        "PESO-T001",
        "inherits-other-package",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.packages.bar.package import Bar",
            ),
            ("class Foo(CMakePackage):", "class Foo(Bar):  # HERE"),
            NO_TEST,
        ),
    ),
    (
        "PESO-T002",
        "empty",
        edit(
            (
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                'def test_version(self):  # HERE\n        """check that foo runs"""\n        pass',
            )
        ),
    ),
    ("PESO-T003", "run-test", edit(('foo("--version")', 'self.run_test("foo", ["--version"])  # HERE'))),
    (
        "PESO-T003",
        "def-test",
        edit(
            NO_TEST,
            ("    def cmake_args(self):", "    def test(self):  # HERE\n        pass\n\n    def cmake_args(self):"),
        ),
    ),
    ("PESO-T003", "cache-method", edit(('foo("--version")', 'self.cache_extra_test_sources(["examples"])  # HERE'))),
    (
        "PESO-T004",
        "check-only",
        edit(
            CLASS,
            (
                TEST_METHOD,
                '\n    @run_after("build")\n    @on_package_attributes(run_tests=True)\n'
                '    def check_build(self):\n        make("test")\n',
            ),
        ),
    ),
    (
        "PESO-T005",
        "compiler-flag",
        edit(
            NO_TEST, ('    maintainers("alice")', '    maintainers("alice")\n    test_requires_compiler = True  # HERE')
        ),
    ),
    (
        "PESO-T006",
        "srun",
        edit(
            (
                "foo = which(self.prefix.bin.foo)",
                'srun = which("srun")  # HERE\n        foo = which(self.prefix.bin.foo)',
            )
        ),
    ),
    ("PESO-T006", "sudo", edit(('foo("--version")', 'foo("--version")\n        sudo("make", "install")  # HERE'))),
    (
        "PESO-T007",
        "no-docstring",
        edit(('def test_version(self):\n        """check that foo runs"""\n', "def test_version(self):  # HERE\n")),
    ),
    (
        "PESO-V001",
        "no-description",
        edit(('variant("mpi", default=True, description="Enable MPI")', 'variant("mpi", default=True)  # HERE')),
    ),
    (
        "PESO-V001",
        "empty-description",
        edit(
            (
                'variant("mpi", default=True, description="Enable MPI")',
                'variant("mpi", default=True, description="")  # HERE',
            )
        ),
    ),
    (
        "PESO-V002",
        "build-type-without-debug",
        edit(
            (
                '    depends_on("c"',
                '    variant("build_type", default="Release", values=("Release", "MinSizeRel"), description="b")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V003",
        "int64-synonym",
        edit(
            (
                '    depends_on("c"',
                '    variant("64bit", default=False, description="64-bit indices")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V003",
        "boolean-precision",
        edit(
            (
                '    depends_on("c"',
                '    variant("double", default=True, description="double precision")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V003",
        "debug-with-build-type",
        edit(
            (
                '    depends_on("c"',
                '    variant("debug", default=False, description="debug build")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V003",
        "shared-static",
        edit(
            (
                '    depends_on("c"',
                '    variant("shared", default=True, description="shared libs")\n'
                '    variant("static", default=True, description="static libs")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V004",
        "cuda",
        edit(
            (
                '    depends_on("c"',
                '    variant("cuda", default=False, description="Use CUDA")  # HERE\n    depends_on("cuda", when="+cuda")\n    depends_on("c"',
            ),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define_from_variant("FOO_MPI", "mpi"), self.define("CMAKE_CUDA_ARCHITECTURES", "70")]',
            ),
        ),
    ),
    (
        "PESO-V004",
        "rocm",
        edit(
            (
                '    depends_on("c"',
                '    variant("rocm", default=False, description="Use ROCm")  # HERE\n    depends_on("c"',
            ),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define_from_variant("FOO_ROCM", "rocm"), self.define("AMDGPU_TARGETS", "gfx90a")]',
            ),
        ),
    ),
    ("PESO-V005", "no-msg", edit(('conflicts("%gcc@:7", msg="foo needs C++17")', 'conflicts("%gcc@:7")  # HERE'))),
    (
        "PESO-V006",
        "unused",
        edit(
            (
                '    depends_on("c"',
                '    variant("fancy", default=False, description="Enable it")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-D002",
        "no-language",
        edit(CLASS, ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', "")),
    ),
    (
        "PESO-D003",
        "internal-on",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["-DFOO_USE_INTERNAL_ZLIB=ON"]  # HERE')),
    ),
    (
        "PESO-D003",
        "included",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["--with-included-gettext"]  # HERE')),
    ),
    (
        "PESO-D003",
        "define",
        edit(
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define("FOO_USE_BUNDLED_LZ4", True)]  # HERE',
            )
        ),
    ),
    (
        "PESO-D004",
        "generated",
        edit(('depends_on("c", type="build")', 'depends_on("c", type="build")  # generated  # HERE')),
    ),
    (
        "PESO-D005",
        "resource",
        edit(
            (
                '    variant("mpi"',
                '    resource(name="plfit", url="https://x.org/plfit.tgz", sha256="%s")  # HERE\n'
                '    variant("mpi"' % SHA_A,
            )
        ),
    ),
    ("PESO-D006", "no-version", edit(('depends_on("hdf5@1.10:")', 'depends_on("hdf5")  # HERE'))),
    (
        "PESO-R001",
        "fixme-add",
        edit(
            ('    maintainers("alice")', '    # FIXME: Add dependencies if required.  # HERE\n    maintainers("alice")')
        ),
    ),
    (
        "PESO-R001",
        "example-com",
        edit(('url = "https://foo.org/foo-2.0.tar.gz"', 'url = "https://www.example.com/foo-2.0.tar.gz"  # HERE')),
    ),
    (
        "PESO-R002",
        "variant-after-depends",
        edit(
            (
                '    depends_on("hdf5@1.10:")',
                '    depends_on("hdf5@1.10:")\n    variant("x", default=False, description="x")  # HERE\n'
                '    depends_on("zlib@1:", when="+x")\n    version("0.5", sha256="%s")' % SHA_A,
            )
        ),
    ),
    (
        "PESO-R003",
        "in-spec",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        if "+mpi" in self.spec:  # HERE\n            return ["-DFOO_MPI=ON"]\n        return []',
            )
        ),
    ),
    (
        "PESO-R004",
        "internal-import",
        edit(("from spack.package import *", "from spack.package import *\nimport spack.util.executable  # HERE")),
    ),
    (
        "PESO-R005",
        "mixin-only",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.cuda import CudaPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(CudaPackage):  # HERE"),
        ),
    ),
    (
        "PESO-R005",
        "package-without-install",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):  # HERE"),
        ),
    ),
    ("PESO-R005", "no-class", "from spack.package import *  # HERE\n"),
    (
        "PESO-R006",
        "std-cmake-args",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', "return list(std_cmake_args)  # HERE")),
    ),
    ("PESO-R007", "name", edit(('    maintainers("alice")', '    name = "foo"  # HERE\n    maintainers("alice")'))),
    (
        "PESO-D002",
        "generic-package-runs-make",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):  # HERE"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            (
                "    def cmake_args(self):",
                '    def install(self, spec, prefix):\n        make("install")\n\n    def cmake_args(self):',
            ),
        ),
    ),
    (
        "PESO-D002",
        "cargo-links-through-cc",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.cargo import CargoPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(CargoPackage):  # HERE"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
        ),
    ),
    (
        "PESO-D002",
        "octave-mkoctfile",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.octave import OctavePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(OctavePackage):  # HERE"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
        ),
    ),
    (
        "PESO-D002",
        "compiler-constraint",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):  # HERE"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    depends_on("mpi", when="+mpi")\n', '    depends_on("mpi", when="+mpi")\n    conflicts("%gcc@:7")\n'),
        ),
    ),
    (
        "PESO-D002",
        "fstring-link-dependency",
        edit(
            CLASS,
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            (
                '    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n',
                '    for v in ["1.0", "1.1"]:\n        depends_on(f"hdf5@{v}", when=f"@{v}")\n',
            ),
        ),
    ),
    (
        "PESO-D002",
        "python-rust-extension",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):  # HERE"),
            (
                '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n',
                '    depends_on("py-maturin@1", type="build")\n',
            ),
        ),
    ),
    (
        "PESO-D002",
        "python-native-extension",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):  # HERE"),
            (
                '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n',
                '    depends_on("py-cython", type="build")\n',
            ),
        ),
    ),
    (
        "PESO-R003",
        "not-in-spec",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        if "+mpi" not in spec:  # HERE\n            return []\n        return ["-DFOO_MPI=ON"]',
            )
        ),
    ),
    (
        "PESO-R003",
        "in-dependency-spec",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        if "+fortran" in self.spec["hdf5"]:  # HERE\n            return ["-DFOO_F=ON"]\n        return []',
            )
        ),
    ),
    (
        "PESO-S004",
        "version-from-vcs-head",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
            ('version("1.0", sha256="%s")' % SHA_B, 'version("1.0")  # HERE'),
        ),
    ),
    (
        "PESO-T006",
        "scheduler-launcher-alone-in-a-list",
        edit(
            (
                "foo = which(self.prefix.bin.foo)",
                'launchers = ["srun", "flux run"]  # HERE\n        foo = which(self.prefix.bin.foo)',
            )
        ),
    ),
    (
        "PESO-V006",
        "only-its-description-mentions-it",
        edit(
            (
                '    depends_on("c"',
                '    variant("fancy", default=False, description="Enable fancy output")  # HERE\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-T008",
        "env-cc-in-cached-makefile",
        edit(
            (
                "    def cmake_args(self):",
                '    @run_after("install")\n    def cache_tests(self):\n        cache_extra_test_sources(self, "examples")\n'
                '        filter_file("^CC =.*", "CC = " + os.environ["CC"], join_path(install_test_root(self), "examples", "Makefile"))  # HERE\n\n    def cmake_args(self):',
            )
        ),
    ),
    (
        "PESO-T008",
        "spack-cc-in-helper",
        edit(
            (
                "    def cmake_args(self):",
                '    @run_after("install")\n    def cache_tests(self):\n        with open("examples/make.inc", "w") as inc:\n            inc.write(self._make_inc())\n'
                '        cache_extra_test_sources(self, "examples")\n\n    def _make_inc(self):\n        return f"CC = {spack_cc}"  # HERE\n\n    def cmake_args(self):',
            )
        ),
    ),
    (
        "PESO-T009",
        "callback-with-own-builder",
        edit(
            (
                "    def cmake_args(self):",
                '    @run_after("install")  # HERE\n    def cache_tests(self):\n        cache_extra_test_sources(self, "examples")\n\n    def cmake_args(self):',
            ),
            (
                "from spack.package import *",
                "from spack.package import *\nfrom spack_repo.builtin.build_systems import cmake",
            ),
        )
        + "\n\nclass CMakeBuilder(cmake.CMakeBuilder):\n    def cmake_args(self):\n        return []\n",
    ),
]

# (rule, case name, recipe that must not trigger the rule)
PASSING = [(rule_id, "clean", CLEAN) for rule_id in STATIC_RULE_IDS] + [
    (
        # Spack fetches from list_url as well (all_urls_for_version, fetch_strategy.from_list_url)
        "PESO-S010",
        "list-url",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', '    list_url = "https://foo.org/releases/"\n'),
            ('    git = "https://github.com/foo/foo.git"\n', ""),
            ('    version("develop", branch="develop")\n', ""),
        ),
    ),
    (
        # asserting on a path, raising on a comparison, or calling a helper all can fail
        "PESO-T010",
        "assert-raise-helper",
        edit(
            (
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                'def test_version(self):\n        """check that foo installed its binary"""\n'
                '        assert os.path.isfile(join_path(self.prefix.bin, "foo"))\n\n'
                '    def test_size(self):\n        """check the library"""\n'
                '        if len(self.libs) == 0:\n            raise RuntimeError("no library")\n\n'
                '    def test_example(self):\n        """run the example"""\n        self._run("example")',
            )
        ),
    ),
    (
        # a property named test_* is no test; an unconditional skip is reported as skipped
        "PESO-T010",
        "property-and-skip",
        edit(
            (
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                'def test_version(self):\n        """check that foo runs"""\n        foo = which(self.prefix.bin.foo)\n        foo("--version")'
                + "\n\n"
                '    @property\n    def test_data_dir(self):\n        """the data"""\n'
                '        return join_path("examples", "data")\n\n'
                '    def test_gpu(self):\n        """run on a GPU"""\n        raise SkipTest("needs a GPU")',
            )
        ),
    ),
    (
        # base-class variants, reserved keys, compiler flags, other nodes, other packages
        "PESO-V007",
        "inherited-reserved-and-other-nodes",
        edit(
            (
                '    depends_on("c", type="build")',
                '    depends_on("ninja", type="build", when="generator=ninja")\n'
                '    conflicts("build_type=Debug", when="platform=darwin target=x86_64:", msg="no")\n'
                '    depends_on("zlib", when="^mpich+cuda cflags=-O3")\n'
                '    conflicts("%gcc+nvptx", msg="no")\n'
                '    conflicts("openmpi+cuda", msg="no")\n'
                '    depends_on("zlib", when="foo@2: +mpi ++debug")\n'
                '    depends_on("c", type="build")',
            ),
        ),
    ),
    (
        # a variant whose name is computed may be any of them
        "PESO-V007",
        "computed-variant-name",
        edit(
            (
                '    depends_on("c", type="build")',
                '    for lib in ("zlib", "bzip2"):\n        variant(lib, default=False, description=lib)\n'
                '    depends_on("zlib", when="+zlib")\n    depends_on("c", type="build")',
            ),
        ),
    ),
    (
        # another package's class as a base may define the variant
        "PESO-V007",
        "opaque-base",
        edit(("class Foo(CMakePackage):", "class Foo(Bar):"), ('when="+mpi"', 'when="+bar_only"')),
    ),
    (
        # a helper called in the class body may declare variants (xsdk_depends_on)
        "PESO-V007",
        "helper-in-class-body",
        edit(
            ('when="+mpi"', 'when="+trilinos"'),
            ('    depends_on("c", type="build")', '    add_variants()\n    depends_on("c", type="build")'),
        ),
    ),
    (
        "PESO-S010",
        "url-for-version",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
            ('    git = "https://github.com/foo/foo.git"\n', ""),
            ('    version("develop", branch="develop")\n', ""),
            (
                "    def cmake_args(self):",
                '    def url_for_version(self, version):\n        return f"https://foo.org/foo-{version}.tar.gz"\n\n'
                "    def cmake_args(self):",
            ),
        ),
    ),
    (
        "PESO-S010",
        "version-with-its-own-url",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
            ('    git = "https://github.com/foo/foo.git"\n', ""),
            ('    version("develop", branch="develop")\n', ""),
            (
                'version("2.0", sha256="%s")' % SHA_A,
                'version("2.0", sha256="%s", url="https://foo.org/f-2.tgz")' % SHA_A,
            ),
            (
                'version("1.0", sha256="%s")' % SHA_B,
                'version("1.0", sha256="%s", url="https://foo.org/f-1.tgz")' % SHA_B,
            ),
        ),
    ),
    (
        # silo: a pre-release branch named like a version is a branch, listed first
        "PESO-S006",
        "pre-release-branch-first",
        edit(
            (
                'version("2.0", sha256="%s")' % SHA_A,
                'version("2.1RC", branch="2.1RC")\n    version("2.0", sha256="%s")' % SHA_A,
            )
        ),
    ),
    (
        # py-itk: one release as one wheel per Python, in any order
        "PESO-S006",
        "wheel-tags-of-one-release",
        edit(
            (
                'version("1.0", sha256="%s")' % SHA_B,
                'version("1.0-cp39", sha256="%s")\n    version("1.0-cp310", sha256="%s")' % (SHA_B, SHA_B),
            )
        ),
    ),
    (
        # strumpack, parallel-netcdf: srun tried first, mpirun/mpiexec when it fails
        "PESO-T006",
        "srun-with-mpirun-fallback",
        edit(
            (
                "foo = which(self.prefix.bin.foo)",
                'for exe in ["srun", self.spec["mpi"].prefix.bin.mpirun, self.spec["mpi"].prefix.bin.mpiexec]:\n'
                "            try:\n"
                '                which(exe)("-n", "1", "foo")\n'
                "                return\n"
                "            except Exception:\n"
                "                pass\n"
                "        foo = which(self.prefix.bin.foo)",
            )
        ),
    ),
    (
        # wrf, wps (generic packages): build_type picks the parallel mode, not an optimisation level
        "PESO-V002",
        "build-type-is-the-parallel-mode",
        edit(
            (
                '    depends_on("c"',
                '    variant("build_type", default="dmpar", description="Build type",\n'
                '            values=("serial", "smpar", "dmpar", "dm+sm"))\n    depends_on("c"',
            )
        ),
    ),
    (
        # zig: Debug dropped, RelWithDebInfo kept: a build with debug information
        "PESO-V002",
        "relwithdebinfo-kept",
        edit(
            (
                '    depends_on("c"',
                '    variant("build_type", values=("Release", "RelWithDebInfo", "MinSizeRel"),\n'
                '            default="Release", description="CMake build type")\n    depends_on("c"',
            )
        ),
    ),
    (
        # arm-forge: a proprietary binary, the vendor keeps the sources: no repository to name
        "PESO-S001",
        "proprietary-binary",
        edit(
            ('    git = "https://github.com/foo/foo.git"\n', "    redistribute(source=False, binary=False)\n"),
            ('    version("develop", branch="develop")\n', ""),
        ),
    ),
    (
        # syscalc: released from Bazaar (launchpad), which Spack cannot fetch from
        "PESO-S001",
        "bazaar-upstream",
        edit(
            ('    git = "https://github.com/foo/foo.git"\n', ""),
            ('    version("develop", branch="develop")\n', ""),
            (
                'url = "https://foo.org/foo-2.0.tar.gz"',
                'url = "https://bazaar.launchpad.net/~mgtools/mg5amcnlo/SysCalc/tarball/17"',
            ),
        ),
    ),
    # near misses: recipes written to satisfy the rule
    (
        "PESO-D004",
        "other-comment",
        edit(('depends_on("c", type="build")', 'depends_on("c", type="build")  # the solver core is C')),
    ),
    (
        "PESO-L001",
        "conditional-license",
        edit(
            ('license("BSD-3-Clause", checked_by="alice")', 'license("BSD-3-Clause", checked_by="alice", when="@1:")')
        ),
    ),
    ("PESO-L003", "several-checkers", edit(('checked_by="alice")', 'checked_by=["alice", "bob"])'))),
    ("PESO-L005", "ncsa-is-open-source", edit(('license("BSD-3-Clause"', 'license("NCSA"'))),
    ("PESO-M002", "several-maintainers", edit(('maintainers("alice")', 'maintainers("alice", "bob")'))),
    (
        "PESO-R004",
        "package-api-import",
        edit(("from spack.package import *", "from spack.package import *\nfrom spack.package import Executable")),
    ),
    (
        "PESO-R007",
        "local-variable-name",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        name = "FOO_MPI"\n        return [self.define_from_variant(name, "mpi")]',
            )
        ),
    ),
    (
        "PESO-S002",
        "http-in-a-comment",
        edit(
            ('url = "https://foo.org/foo-2.0.tar.gz"', 'url = "https://foo.org/foo-2.0.tar.gz"  # was http://foo.org')
        ),
    ),
    (
        "PESO-S009",
        "alternatives-per-platform",
        edit(
            (
                '    version("2.0", sha256="%s")\n' % SHA_A,
                '    if sys.platform == "darwin":\n        version("2.0", sha256="%s")\n'
                '    else:\n        version("2.0", sha256="%s")\n' % (SHA_A, SHA_B),
            )
        ),
    ),
    (
        "PESO-T002",
        "one-line-body",
        edit(
            (
                '        foo = which(self.prefix.bin.foo)\n        foo("--version")',
                '        which(self.prefix.bin.foo)("--version")',
            )
        ),
    ),
    (
        "PESO-T004",
        "build-time-and-standalone",
        edit(
            (
                "    def cmake_args(self):",
                '    @run_after("build")\n    @on_package_attributes(run_tests=True)\n    def check_build(self):\n        make("check")\n\n    def cmake_args(self):',
            )
        ),
    ),
    ("PESO-T007", "single-quoted-docstring", edit(('"""check that foo runs"""', "'check that foo runs'"))),
    ("PESO-V001", "concatenated-description", edit(('description="Enable MPI")', 'description="Enable " "MPI")'))),
    (
        "PESO-V005",
        "msg-on-its-own-line",
        edit(
            (
                'conflicts("%gcc@:7", msg="foo needs C++17")',
                'conflicts(\n        "%gcc@:7",\n        msg="foo needs C++17",\n    )',
            )
        ),
    ),
    ("PESO-M003", "pypi-derived", edit(('    homepage = "https://foo.org"\n', '    pypi = "foo/foo-2.0.tar.gz"\n'))),
    (
        "PESO-M004",
        "docstring-mentions-boilerplate",
        edit(("Foo is a parallel solver for sparse linear systems.", "Classes without boilerplate")),
    ),
    (
        "PESO-L002",
        "or-later-plus",
        edit(('license("BSD-3-Clause"', 'license("LGPL-2.1-or-later OR Apache-2.0 WITH LLVM-exception"')),
    ),
    ("PESO-L002", "licenseref", edit(('license("BSD-3-Clause"', 'license("LicenseRef-Foo-1.0"'))),
    ("PESO-L004", "lgpl", edit(('license("BSD-3-Clause"', 'license("LGPL-2.1-or-later"'))),
    ("PESO-L004", "dual-gpl-mit", edit(('license("BSD-3-Clause"', 'license("GPL-2.0-only OR MIT"'))),
    (
        "PESO-S001",
        "bundle",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.bundle import BundlePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(BundlePackage):"),
            ('    git = "https://github.com/foo/foo.git"\n', ""),
        ),
    ),
    (
        "PESO-S003",
        "manual-download",
        edit(
            ('version("1.0", sha256="%s")' % SHA_B, 'version("1.0")'),
            ('    maintainers("alice")', '    manual_download = True\n    maintainers("alice")'),
        ),
    ),
    (
        "PESO-S003",
        "commit-pinned",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", commit="%s")' % ("c" * 40))),
    ),
    (
        "PESO-S004",
        "tag-and-commit",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", tag="v1.0", commit="%s")' % ("c" * 40))),
    ),
    (
        "PESO-S005",
        "full-index",
        edit(
            (
                '    variant("mpi"',
                '    patch("https://github.com/o/r/commit/abc123.patch?full_index=1", sha256="%s")\n'
                '    variant("mpi"' % SHA_A,
            )
        ),
    ),
    (
        "PESO-S006",
        "prerelease-not-compared",
        edit(('version("2.0", sha256="%s")' % SHA_A, 'version("2.0rc1", sha256="%s")' % SHA_A)),
    ),
    (
        "PESO-S006",
        "prerelease-after-its-release",
        edit(
            (
                '    version("1.0", sha256="%s")\n' % SHA_B,
                '    version("1.0", sha256="%s")\n    version("1.0rc2", sha256="%s")\n    version("1.0beta", sha256="%s")\n'
                % (SHA_B, SHA_A, SHA_A),
            )
        ),
    ),
    (
        "PESO-S006",
        "one-sequence-per-if-branch",
        edit(
            (
                '    version("2.0", sha256="%s")\n    version("1.0", sha256="%s")\n' % (SHA_A, SHA_B),
                '    if sys.platform == "darwin":\n        version("2.0", sha256="%s")\n        version("1.0", sha256="%s")\n'
                '    else:\n        version("2.1", sha256="%s")\n        version("1.1", sha256="%s")\n'
                % (SHA_A, SHA_B, SHA_A, SHA_B),
            )
        ),
    ),
    ("PESO-S006", "trailing-zero", edit(('version("1.0", sha256="%s")' % SHA_B, 'version("2", sha256="%s")' % SHA_B))),
    (
        "PESO-S007",
        "fixme-elsewhere",
        edit(('    maintainers("alice")', '    # FIXME later: split into two packages\n    maintainers("alice")')),
    ),
    (
        "PESO-T001",
        "python-package",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
            NO_TEST,
        ),
    ),
    (
        "PESO-T001",
        "test-in-local-base",
        edit(
            (
                "class Foo(CMakePackage):",
                'class FooBase(CMakePackage):\n    def test_run(self):\n        """run"""\n        which("foo")()\n\n\nclass Foo(FooBase):',
            ),
            NO_TEST,
        ),
    ),
    ("PESO-T003", "new-cache-api", edit(('foo("--version")', 'cache_extra_test_sources(self, ["examples"])'))),
    (
        "PESO-T006",
        "srun-outside-tests",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["-DMPIEXEC=srun"]')),
    ),
    (
        "PESO-V002",
        "makefile-with-debug",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.makefile import MakefilePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(MakefilePackage):"),
            (
                '    depends_on("c"',
                '    variant("debug", default=False, description="debug build")\n    depends_on("c"',
            ),
        ),
    ),
    (
        "PESO-V003",
        "shared-static-conflict",
        edit(
            (
                '    depends_on("c"',
                '    variant("shared", default=True, description="shared libs")\n'
                '    variant("static", default=True, description="static libs")\n'
                '    conflicts("~shared~static", msg="build at least one")\n    depends_on("c"',
            )
        ),
    ),
    ("PESO-V004", "cuda-mixin", edit(("class Foo(CMakePackage):", "class Foo(CMakePackage, CudaPackage):"))),
    (
        "PESO-V006",
        "used-in-when",
        edit(
            ('    depends_on("c"', '    variant("fancy", default=False, description="Enable it")\n    depends_on("c"'),
            ('depends_on("hdf5@1.10:")', 'depends_on("hdf5@1.10:")\n    depends_on("zlib@1.2:", when="+fancy")'),
        ),
    ),
    (
        "PESO-V006",
        "used-in-with-when",
        edit(
            ('    depends_on("c"', '    variant("fancy", default=False, description="Enable it")\n    depends_on("c"'),
            (
                'depends_on("hdf5@1.10:")',
                'depends_on("hdf5@1.10:")\n\n    with when("+fancy"):\n        depends_on("zlib@1.2:")',
            ),
        ),
    ),
    (
        "PESO-D002",
        "cargo-with-c",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.cargo import CargoPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(CargoPackage):"),
            ('    depends_on("cxx", type="build")\n', ""),
        ),
    ),
    (
        "PESO-D002",
        "python-compiler-constraint",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    depends_on("mpi", when="+mpi")\n', '    conflicts("+mpi", when="%gcc")\n'),
        ),
    ),
    (
        "PESO-D002",
        "fstring-name-in-placeholder",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    conflicts("%gcc@:7", msg="foo needs C++17")\n', ""),
            (
                '    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n',
                '    for n in ["a", "b"]:\n        depends_on(f"py-{n}")\n',
            ),
        ),
    ),
    (
        "PESO-D002",
        "rust-only-at-run-time",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
            (
                '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n',
                '    depends_on("rust", type="run")\n',
            ),
        ),
    ),
    (
        "PESO-D002",
        "python",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
        ),
    ),
    (
        "PESO-D002",
        "language-in-when-block",
        edit(
            (
                '    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n',
                '    with when("+mpi"):\n        depends_on("c", type="build")\n',
            )
        ),
    ),
    (
        "PESO-D003",
        "internal-off",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["-DFOO_USE_INTERNAL_ZLIB=OFF"]')),
    ),
    ("PESO-D006", "build-only", edit(('depends_on("hdf5@1.10:")', 'depends_on("swig", type="build")'))),
    (
        "PESO-D006",
        "constrained-elsewhere",
        edit(('depends_on("hdf5@1.10:")', 'depends_on("hdf5")\n    depends_on("hdf5@1.12:", when="@2:")')),
    ),
    (
        "PESO-R002",
        "grouped-in-when",
        edit(
            (
                'depends_on("hdf5@1.10:")',
                'depends_on("hdf5@1.10:")\n    with when("+mpi"):\n        variant("x", default=False, description="x")\n        depends_on("zlib@1:", when="+x")',
            )
        ),
    ),
    (
        "PESO-R003",
        "satisfies",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        if self.spec.satisfies("+mpi"):\n            return ["-DFOO_MPI=ON"]\n        return []',
            )
        ),
    ),
    (
        "PESO-R005",
        "package-with-install",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):"),
            (
                "    def cmake_args(self):",
                "    def install(self, spec, prefix):\n        make('install')\n\n    def cmake_args(self):",
            ),
        ),
    ),
    (
        "PESO-R005",
        "virtual",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):"),
            ('    maintainers("alice")', '    virtual = True\n    maintainers("alice")'),
        ),
    ),
    (
        "PESO-D002",
        "makefile-nothing-to-compile",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.makefile import MakefilePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(MakefilePackage):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    conflicts("%gcc@:7", msg="foo needs C++17")\n', ""),
            (
                '    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n',
                '    depends_on("perl", type="run")\n',
            ),
        ),
    ),
    (
        "PESO-D002",
        "generic-make-installs-a-script",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    conflicts("%gcc@:7", msg="foo needs C++17")\n', ""),
            (
                '    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n',
                '    depends_on("perl", type="run")\n',
            ),
            (
                "    def cmake_args(self):",
                '    def install(self, spec, prefix):\n        make("install")\n\n    def cmake_args(self):',
            ),
        ),
    ),
    (
        "PESO-V002",
        "makefile-no-debug-variant",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.makefile import MakefilePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(MakefilePackage):"),
        ),
    ),
    (
        "PESO-D003",
        "switched-off",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["--with-included-zlib=no"]')),
    ),
    (
        "PESO-D003",
        "numeric-option",
        edit(('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["--enable-internal-stackdepth=4"]')),
    ),
    (
        "PESO-D003",
        "variant-offers-external",
        edit(
            (
                '        return [self.define_from_variant("FOO_MPI", "mpi")]',
                '        if self.spec.satisfies("+mpi"):\n            return ["--with-zlib-prefix=x"]\n        else:\n            return ["--with-included-zlib"]',
            )
        ),
    ),
    (
        "PESO-D003",
        "own-library",
        edit(
            ('return [self.define_from_variant("FOO_MPI", "mpi")]', 'return ["--with-included-libfoo"]'),
            (
                "    def cmake_args(self):",
                '    @property\n    def libs(self):\n        return find_libraries(["libfoo"], root=self.prefix)\n\n    def cmake_args(self):',
            ),
        ),
    ),
    (
        "PESO-R006",
        "local-variable",
        edit(
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                "std_cmake_args = CMakeBuilder.std_args(self)\n        return std_cmake_args",
            )
        ),
    ),
    (
        "PESO-T006",
        "comparison-is-not-a-run",
        edit(
            (
                "foo = which(self.prefix.bin.foo)",
                'exe = "mpirun"\n        args = ["--immediate"] if exe == "srun" else []\n        foo = which(self.prefix.bin.foo)',
            )
        ),
    ),
    (
        "PESO-S003",
        "versions-from-git",
        edit(
            ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
            ('version("1.0", sha256="%s")' % SHA_B, 'version("1.0")'),
        ),
    ),
    (
        "PESO-S003",
        "cvs-date",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("1.0", cvs=":pserver:x", date="2021-04-22")')),
    ),
    ("PESO-S003", "nightly", edit(('version("1.0", sha256="%s")' % SHA_B, 'version("nightly")'))),
    (
        "PESO-S004",
        "tag-named-like-a-branch",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("develop-tag", tag="master")')),
    ),
    (
        "PESO-S004",
        "moving-stable-tag",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("stable", tag="stable")')),
    ),
    (
        "PESO-S006",
        "deprecated-block-after",
        edit(
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    with default_args(deprecated=True):\n        version("1.5", sha256="%s")\n'
                % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S006",
        "preferred-first",
        edit(
            (
                'version("2.0", sha256="%s")\n    version("1.0", sha256="%s")' % (SHA_A, SHA_B),
                'version("0.9704", sha256="%s", preferred=True)\n    version("0.20105", sha256="%s")' % (SHA_A, SHA_B),
            )
        ),
    ),
    (
        "PESO-R001",
        "maintainer-fixme-note",
        edit(('    maintainers("alice")', '    # FIXME: add --with-colpack once it builds\n    maintainers("alice")')),
    ),
    (
        "PESO-R005",
        "placeholder-fetcher",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.generic import Package",
            ),
            ("class Foo(CMakePackage):", "class Foo(Package):"),
            (
                "    def cmake_args(self):",
                '    @property\n    def fetcher(self):\n        raise InstallError("use the system library")\n\n    def cmake_args(self):',
            ),
        ),
    ),
    (
        "PESO-L002",
        "licence-named-like-exception",
        edit(('license("BSD-3-Clause"', 'license("MPL-2.0-no-copyleft-exception"')),
    ),
    (
        "PESO-V003",
        "shared-static-ruled-out-by-condition",
        edit(
            (
                '    depends_on("c"',
                '    variant("shared", default=True, description="shared libs")\n'
                '    variant("static", default=True, description="static libs")\n'
                '    conflicts("~shared", when="~static", msg="build at least one")\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V003",
        "ruled-out-variant",
        edit(
            (
                '    depends_on("c"',
                '    variant("double", default=False, description="double precision")\n    conflicts("+double", msg="not yet")\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V004",
        "own-target-variant",
        edit(
            (
                '    depends_on("c"',
                '    variant("rocm", default=False, description="Use ROCm")\n    variant("amdgpu_target", default="none", description="targets")\n    depends_on("hip", when="+rocm")\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V004",
        "links-gpu-library-only",
        edit(
            (
                '    depends_on("c"',
                '    variant("cuda", default=False, description="Use cuBLAS")\n    depends_on("cuda", when="+cuda")\n    depends_on("c"',
            ),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define_from_variant("FOO_CUBLAS", "cuda")]',
            ),
        ),
    ),
    (
        "PESO-V006",
        "all-variants-used-in-a-loop",
        edit(
            ('    depends_on("c"', '    variant("fancy", default=False, description="Enable it")\n    depends_on("c"'),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return ["-DFOO_" + v.upper() for v in self.spec.variants]',
            ),
        ),
    ),
    (
        "PESO-V006",
        "old-negation-syntax",
        edit(
            ('    depends_on("c"', '    variant("mpi_io", default=False, description="Enable it")\n    depends_on("c"'),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return ["--disable-io"] if "-mpi_io" in self.spec else []',
            ),
        ),
    ),
    (
        "PESO-S003",
        "local-file-version",
        edit(('version("1.0", sha256="%s")' % SHA_B, 'version("local", url="file://{0}/foo.tgz".format(os.getcwd()))')),
    ),
    (
        "PESO-S006",
        "release-named-branch-among-releases",
        edit(
            (
                'version("1.0", sha256="%s")' % SHA_B,
                'version("1.5", branch="release-1.5")\n    version("1.0", sha256="%s")' % SHA_B,
            )
        ),
    ),
    (
        "PESO-S006",
        "commented-group",
        edit(
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n\n    # the 3.x series, supported until 2027\n    version("3.1", sha256="%s")\n'
                % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S006",
        "fork-with-its-own-repository",
        edit(
            (
                'version("1.0", sha256="%s")\n' % SHA_B,
                'version("1.0", sha256="%s")\n    version("fortran", branch="master", git="https://github.com/fork/foo.git")\n'
                '    version("4.1-fortran", sha256="%s")\n' % (SHA_B, SHA_A),
            )
        ),
    ),
    (
        "PESO-S008",
        "versions-from-a-loop",
        edit(
            (
                '    version("develop", branch="develop")\n',
                "    for v in Other.versions:\n        version(str(v), **Other.versions[v])\n",
            )
        ),
    ),
    (
        "PESO-D005",
        "data-resource",
        edit(
            (
                '    variant("mpi"',
                '    resource(name="webbase-1M", url="https://sparse.tamu.edu/MM/Williams/webbase-1M.tar.gz", sha256="%s")\n'
                '    variant("mpi"' % SHA_A,
            )
        ),
    ),
    (
        "PESO-D002",
        "other-language-toolchain",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.makefile import MakefilePackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(MakefilePackage):"),
            ('    depends_on("c", type="build")\n    depends_on("cxx", type="build")\n', ""),
            ('    conflicts("%gcc@:7", msg="foo needs C++17")\n', ""),
            ('    depends_on("mpi", when="+mpi")\n    depends_on("hdf5@1.10:")\n', '    depends_on("ocaml")\n'),
        ),
    ),
    (
        "PESO-T006",
        "scheduler-only-as-fallback",
        edit(
            (
                "foo = which(self.prefix.bin.foo)",
                'launchers = ["mpirun", "mpiexec", "srun"]\n        foo = which(self.prefix.bin.foo)',
            )
        ),
    ),
    (
        "PESO-V003",
        "debug-is-a-project-flag",
        edit(
            (
                '    depends_on("c"',
                '    variant("debug", default=False, description="runtime assertions")\n    depends_on("c"',
            ),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define_from_variant("FOO_DEBUG", "debug")]',
            ),
        ),
    ),
    (
        "PESO-V003",
        "debug-for-another-build-system",
        edit(
            (
                '    depends_on("c"',
                '    variant("debug", default=False, description="debug build", when="build_system=autotools")\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V004",
        "propagates-only",
        edit(
            (
                '    depends_on("c"',
                '    variant("cuda", default=False, description="Use CUDA")\n    depends_on("hdf5+cuda", when="+cuda")\n    depends_on("c"',
            )
        ),
    ),
    (
        "PESO-V006",
        "helper-spells-it-differently",
        edit(
            ('    depends_on("c"', '    variant("zoltan", default=False, description="Enable it")\n    depends_on("c"'),
            (
                'return [self.define_from_variant("FOO_MPI", "mpi")]',
                'return [self.define_from_variant("FOO_MPI", "mpi"), define_trilinos_enable("Zoltan")]',
            ),
        ),
    ),
    (
        "PESO-M001",
        "maintainers-in-local-base",
        edit(
            (
                "class Foo(CMakePackage):",
                'class FooBase(CMakePackage):\n    maintainers("bob")\n\n\nclass Foo(FooBase):',
            ),
            ('    maintainers("alice")\n', ""),
        ),
    ),
    (
        "PESO-T005",
        "python-inherits-test-imports",
        edit(
            (
                "from spack_repo.builtin.build_systems.cmake import CMakePackage",
                "from spack_repo.builtin.build_systems.python import PythonPackage",
            ),
            ("class Foo(CMakePackage):", "class Foo(PythonPackage):"),
            NO_TEST,
            ('    maintainers("alice")', '    maintainers("alice")\n    test_requires_compiler = True'),
        ),
    ),
    (
        "PESO-T008",
        "compiler-resolved-at-test-time",
        edit(
            (
                "    def cmake_args(self):",
                '    @run_after("install")\n    def cache_tests(self):\n        cache_extra_test_sources(self, "examples")\n\n    def cmake_args(self):',
            ),
            ('foo("--version")', 'foo("--version")\n        make("CC=" + self.spec["c"].package.cc)'),
        ),
    ),
    (
        "PESO-T009",
        "callback-inside-builder",
        edit(
            (
                "from spack.package import *",
                "from spack.package import *\nfrom spack_repo.builtin.build_systems import cmake",
            )
        )
        + '\n\nclass CMakeBuilder(cmake.CMakeBuilder):\n    @run_after("install")\n    def cache_tests(self):\n        cache_extra_test_sources(self.pkg, "examples")\n',
    ),
]


@pytest.mark.parametrize("rule_id,case,source", FAILING, ids=["%s-%s" % (r, c) for r, c, _ in FAILING])
def test_rule_fails_at_marked_line(rule_id, case, source):
    expected = marked_lines(source)
    assert expected, "case has no # HERE marker"
    got = findings(source, rule_id)
    assert sorted({f.line for f in got}) == expected, [(f.line, f.message) for f in got]
    assert all(f.rule == rule_id and f.message and f.package == "foo" for f in got)


@pytest.mark.parametrize("rule_id,case,source", PASSING, ids=["%s-%s" % (r, c) for r, c, _ in PASSING])
def test_rule_passes(rule_id, case, source):
    got = findings(source, rule_id)
    assert got == [], [(f.line, f.message) for f in got]


def test_every_rule_has_failing_and_passing_cases():
    """Rules that read a second recipe (PESO-D007) have theirs in their own module, with
    both recipes on disk."""
    failing = {r for r, _, _ in FAILING} | set(test_dependency_versions.CROSS_RECIPE_RULES)
    passing = {r for r, case, _ in PASSING if case != "clean"} | set(test_dependency_versions.CROSS_RECIPE_RULES)
    assert set(STATIC_RULE_IDS) <= failing
    assert set(STATIC_RULE_IDS) <= passing
    assert test_dependency_versions.test_constraint_no_version_satisfies_is_reported
    assert test_dependency_versions.test_constraint_some_version_satisfies_is_not_reported


def test_clean_recipe_has_no_findings_at_all():
    assert findings(CLEAN) == []


def test_parse_error_silences_other_rules():
    source = edit(("def cmake_args(self):", "def cmake_args(self)"))
    got = findings(source)
    assert [f.rule for f in got] == ["PESO-E001"]
    assert got[0].line == source.splitlines().index("    def cmake_args(self)") + 1
    assert got[0].column > 0


def test_one_rule_one_severity():
    """--list-rules shows one severity per ID, so no finding may differ from it: the
    restricted-licence case is its own rule (PESO-L005), generic Package without
    install() is an error like the rest of PESO-R005."""
    restricted = findings(edit(('license("BSD-3-Clause"', 'license("CC-BY-NC-4.0"')))
    copyleft = findings(edit(('license("BSD-3-Clause"', 'license("GPL-3.0-only"')), "PESO-L004")
    assert [(f.rule, f.severity) for f in restricted] == [("PESO-L005", "warning")]
    assert [f.severity for f in copyleft] == ["info"]
    no_install = findings(edit(("class Foo(CMakePackage):", "class Foo(Package):")), "PESO-R005")
    assert [f.severity for f in no_install] == ["error"]
    for source, _rid, _case in [(src, r, c) for r, c, src in FAILING]:
        for f in findings(source):
            assert f.severity == RULES[f.rule].severity, (f.rule, f.severity)


def test_bare_gpl_names_both_readings():
    (got,) = findings(edit(('license("BSD-3-Clause"', 'license("GPL-3.0"')), "PESO-L002")
    assert "GPL-3.0-only" in got.message and "GPL-3.0-or-later" in got.message


def test_deprecated_spdx_id_names_its_replacement():
    got = findings(edit(('license("BSD-3-Clause"', 'license("GPL-2.0+"')), "PESO-L002")
    assert len(got) == 1 and "GPL-2.0-or-later" in got[0].message


def test_pull_request_patch_url_suggests_commit_url():
    source = edit(
        (
            '    variant("mpi"',
            '    patch("https://github.com/o/r/pull/12/commits/abc123.patch", sha256="%s")\n    variant("mpi"' % SHA_A,
        )
    )
    (got,) = findings(source, "PESO-S005")
    assert "https://github.com/o/r/commit/abc123.patch?full_index=1" in got.message


def test_no_test_finding_names_the_opaque_base():
    source = edit(("class Foo(CMakePackage):", "class Foo(Bar):"), NO_TEST)
    (got,) = findings(source, "PESO-T001")
    assert "unless base class Bar provides one" in got.message


def _by_line(source):
    lines = {}
    for f in findings(source):
        lines.setdefault(f.line, []).append((f.rule, f.message))
    return lines


def test_one_cause_one_finding_per_line():
    """No line gets two findings for the same cause: `spack create`'s github_user1 as the
    licence checker is boilerplate (PESO-R001, not also PESO-L003); a version declared
    again is PESO-S009 (not also out of order, PESO-S006: libgtop, qoz); two membership
    tests on one line name the spec each asks (mfem, sundials)."""
    source = edit(('checked_by="alice")', 'checked_by="github_user1")'))
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "github_user1" in text)
    assert [rule for rule, _ in _by_line(source)[line]] == ["PESO-R001"]

    source = edit(
        (
            'version("1.0", sha256="%s")' % SHA_B,
            'version("1.0", sha256="%s")\n    version("2.0", sha256="%s")' % (SHA_B, SHA_A),
        )
    )
    line = [i for i, text in enumerate(source.splitlines(), 1) if 'version("2.0"' in text][-1]
    assert [rule for rule, _ in _by_line(source)[line]] == ["PESO-S009"]

    source = edit(
        (
            'return [self.define_from_variant("FOO_MPI", "mpi")]',
            'return ["-DX=1"] if "+mpi" in self.spec and "+mpi" in self.spec["hdf5"] else []',
        )
    )
    line = next(i for i, text in enumerate(source.splitlines(), 1) if '"-DX=1"' in text)
    messages = sorted(m for rule, m in _by_line(source)[line] if rule == "PESO-R003")
    assert messages == [
        "use self.spec.satisfies('+mpi') instead of '+mpi' in self.spec",
        "use self.spec['hdf5'].satisfies('+mpi') instead of '+mpi' in self.spec['hdf5']",
    ]
