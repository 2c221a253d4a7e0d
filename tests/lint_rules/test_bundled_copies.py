"""PESO-D003 on the bundled copies of real builtin recipes: a copy that breaks a
dependency cycle (gettext's glib) or that has no external package to offer instead (R's
tzcode, ROOT's patched clang: the product's own code, ``bundled.yaml``) is not reported;
a copy of a packaged library that does not need this package is (libcroco, zlib)."""

from _recipes import all_rules

from peso.lint.registry import RULES
from peso.recipe.parse import parse_recipe

GETTEXT = '''from spack_repo.builtin.build_systems.autotools import AutotoolsPackage
from spack.package import *


class Gettext(AutotoolsPackage):
    """GNU internationalization (i18n) and localization (l10n) library."""

    def configure_args(self):
        return [
            "--with-included-glib",
            "--with-included-libcroco",
        ]
'''

GLIB = '''from spack.package import *


class Glib(MesonPackage):
    """Low-level core library for GNOME projects."""

    depends_on("gettext")
'''

LIBCROCO = '''from spack.package import *


class Libcroco(AutotoolsPackage):
    """A standalone css2 parsing and manipulation library."""

    depends_on("glib")
'''

R = '''from spack.package import *


class R(AutotoolsPackage):
    """R is 'GNU S'."""

    def configure_args(self):
        return ["--with-internal-tzcode", "--enable-R-shlib"]
'''

ROOT = '''from spack.package import *


class Root(CMakePackage):
    """ROOT is a data analysis framework."""

    def cmake_args(self):
        define = self.define
        return [
            define("builtin_clang", True),  # use builtin_clang even when ~builtin_llvm
            define("builtin_zlib", True),
        ]
'''

ZLIB = '''from spack.package import *


class Zlib(Package):
    """A compression library."""
'''


def _write(packages, name, text):
    folder = packages / name
    folder.mkdir(parents=True)
    path = folder / "package.py"
    path.write_text(text)
    return str(path)


def _d003(path):
    all_rules()
    with open(path, "rb") as f:
        recipe = parse_recipe(path, f.read())
    return sorted(f.message.split("'")[1] for f in RULES["PESO-D003"].check(recipe))


def test_bundled_copies_of_real_recipes(tmp_path):
    packages = tmp_path / "repo" / "spack_repo" / "builtin" / "packages"
    for name, text in (("glib", GLIB), ("libcroco", LIBCROCO), ("zlib", ZLIB), ("llvm", ZLIB)):
        _write(packages, name, text)
    # glib depends on gettext: the bundled glib breaks the cycle; libcroco does not
    assert _d003(_write(packages, "gettext", GETTEXT)) == ["--with-included-libcroco"]
    assert _d003(_write(packages, "r", R)) == []  # R's own tzcode
    # ROOT's clang is its own patched copy; zlib is a library that does not need ROOT
    root = _write(packages, "root", ROOT)
    all_rules()
    with open(root, "rb") as f:
        found = list(RULES["PESO-D003"].check(parse_recipe(root, f.read())))
    assert [f.message for f in found] == ["define('builtin_zlib', ON) forces a bundled copy of third-party code"]


def test_outside_a_repository_every_bundled_copy_is_reported(tmp_path):
    lone = tmp_path / "gettext.py"
    lone.write_text(GETTEXT)
    assert _d003(str(lone)) == ["--with-included-glib", "--with-included-libcroco"]
