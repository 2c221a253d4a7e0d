# Test data for spack-peso (a made-up recipe in the shape of a builtin one).
from spack_repo.builtin.build_systems.python import PythonPackage

from spack.package import *


class PyFooparse(PythonPackage):
    """A made-up parser library used as lint test data."""

    pypi = "fooparse/fooparse-0.3.1.tar.gz"

    license("MIT")

    version("0.3.1", sha256="5555555555555555555555555555555555555555555555555555555555555555")
    version("0.2.0", sha256="6666666666666666666666666666666666666666666666666666666666666666")

    depends_on("python@3.8:", type=("build", "run"))
    depends_on("py-setuptools", type="build")
    depends_on("py-regex", type=("build", "run"))
