# Test data for spack-peso (a made-up recipe in the shape of a builtin one).
from spack_repo.builtin.build_systems.autotools import AutotoolsPackage

from spack.package import *


class Libbar(AutotoolsPackage):
    """Libbar is a made-up compression library used as lint test data."""

    homepage = "http://libbar.example.org"
    url = "http://libbar.example.org/libbar-2.1.tar.gz"

    license("GPL-2.0")

    version("2.1", md5="77777777777777777777777777777777")
    version("2.2", sha256="8888888888888888888888888888888888888888888888888888888888888888")
    version("2.0", "9999999999999999999999999999999999999999999999999999999999999999")

    variant("shared", default=True, description="shared libraries")
    variant("static", default=True, description="static libraries")
    variant("debug", default=False)

    depends_on("c", type="build")  # generated
    depends_on("zlib-api")

    conflicts("%intel")

    def configure_args(self):
        args = ["--with-included-zstd"]
        if "+debug" in self.spec:
            args.append("--enable-debug")
        args.extend(self.enable_or_disable("shared"))
        args.extend(self.enable_or_disable("static"))
        return args

    def check(self):
        make("check")

    def test(self):
        self.run_test("bar", ["--help"])
