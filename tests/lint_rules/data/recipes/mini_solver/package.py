# Test data for spack-peso (a made-up recipe in the shape of a builtin one).
import os

from spack_repo.builtin.build_systems.cmake import CMakePackage, generator
from spack_repo.builtin.build_systems.cuda import CudaPackage
from spack_repo.builtin.build_systems.rocm import ROCmPackage

from spack.package import *


class MiniSolver(CMakePackage, CudaPackage, ROCmPackage):
    """MiniSolver: a small parallel sparse solver used as lint test data.

    Second paragraph with a # that is not a comment."""

    homepage = "https://mini-solver.example.org"  # not the spack create placeholder host
    url = "https://github.com/mini/solver/archive/v1.2.0.tar.gz"
    git = "https://github.com/mini/solver.git"
    list_url = "https://github.com/mini/solver/releases"

    maintainers("alice", "bob")

    license("Apache-2.0 WITH LLVM-exception", checked_by="alice")

    version("develop", branch="develop")
    version("main", branch="main")
    version("1.2.0", sha256="0000000000000000000000000000000000000000000000000000000000000000")
    version("1.1.0", sha256="1111111111111111111111111111111111111111111111111111111111111111", deprecated=True)
    version("1.0.0", sha256="2222222222222222222222222222222222222222222222222222222222222222")  # FIXME

    variant("mpi", default=True, description="Build with MPI")
    variant("int64", default=False, description="64-bit indices")
    variant("precision", default="double", values=("single", "double"), multi=False,
            description="Floating point precision")
    variant(
        "shared",
        default=True,
        description=(
            "Build shared libraries"  # a comment inside implicit concatenation
            " instead of static ones"
        ),
    )

    generator("ninja")

    with default_args(type="build"):
        depends_on("c")
        depends_on("cxx")
        depends_on("cmake@3.18:")

    depends_on("mpi", when="+mpi")
    depends_on("blas")
    depends_on("hdf5@1.12: +mpi", when="+mpi")
    depends_on("metis")

    with when("+cuda"):
        depends_on("cuda@11:")
        conflicts("cuda_arch=none", msg="set cuda_arch")
        with when("@:1.1"):
            conflicts("%gcc@13:")

    patch("fix-build.patch", when="@1.0.0")
    patch("https://github.com/mini/solver/commit/abcdef1.patch?full_index=1", sha256="3333333333333333333333333333333333333333333333333333333333333333")

    resource(name="data", url="https://mini-solver.example.org/data.tgz", sha256="4444444444444444444444444444444444444444444444444444444444444444",
             destination="data")

    def cmake_args(self):
        spec = self.spec
        args = [
            self.define_from_variant("MINI_MPI", "mpi"),
            self.define_from_variant("MINI_INT64", "int64"),
            self.define("MINI_PRECISION", spec.variants["precision"].value),
            f"-DMINI_HASH={spec.dag_hash()}",  # f-string with a # inside: "#"
        ]
        if "+cuda" in spec:
            args.append(self.define("CMAKE_CUDA_ARCHITECTURES", spec.variants["cuda_arch"].value))
        return args

    @run_after("build")
    @on_package_attributes(run_tests=True)
    def check_build(self):
        with working_dir(self.build_directory):
            make("test")

    def test_smoke(self):
        """run the installed smoke test"""
        exe = which(join_path(self.prefix.bin, "mini-smoke"))
        out = exe(output=str.split, error=str.split)
        assert "OK" in out

    def test_mpi(self):
        """run on two ranks"""
        if not self.spec.satisfies("+mpi"):
            raise SkipTest("needs +mpi")
        mpiexec = which(self.spec["mpi"].prefix.bin.mpiexec)
        mpiexec("-n", "2", join_path(self.prefix.bin, "mini-smoke"))
