"""Files are written as users expect: atomically, through links, with the usual modes;
names from data never leave their folder (``peso.fsutil``)."""

import os
import stat

import pytest

from peso.errors import PesoError
from peso.fsutil import atomic_write, path_under, safe_name
from peso.lint import autofix

# a recipe the PESO-M002 fixer rewrites (maintainers list -> maintainers() directive)
RECIPE = '''from spack.package import *


class Demo(Package):
    """Demo."""

    homepage = "https://example.org"
    maintainers = ["alice"]

    version("1.0", sha256="%s")
''' % ("0" * 64)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_files_honour_the_umask_and_rewrites_keep_the_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "new.txt", "x")
        assert _mode(tmp_path / "new.txt") == 0o644
        os.umask(0o077)
        atomic_write(tmp_path / "private.txt", "x")
        assert _mode(tmp_path / "private.txt") == 0o600
        os.chmod(tmp_path / "new.txt", 0o755)
        atomic_write(tmp_path / "new.txt", "y")
        assert _mode(tmp_path / "new.txt") == 0o755 and (tmp_path / "new.txt").read_text() == "y"
    finally:
        os.umask(old)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_a_symlink_stays_a_link_and_its_target_is_written(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    os.symlink("real.txt", tmp_path / "link.txt")
    atomic_write(tmp_path / "link.txt", "new", within=str(tmp_path))
    assert os.path.islink(tmp_path / "link.txt") and (tmp_path / "real.txt").read_text() == "new"


def test_a_link_leading_outside_the_tree_is_refused_and_nothing_changes(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("keep")
    tree = tmp_path / "tree"
    tree.mkdir()
    os.symlink(outside, tree / "linked-folder")
    with pytest.raises(PesoError, match="outside"):
        atomic_write(tree / "linked-folder" / "victim.txt", "overwritten", within=str(tree))
    assert (outside / "victim.txt").read_text() == "keep"


def _repo_with(tmp_path, name="demo"):
    folder = tmp_path / "repo" / "packages" / name
    folder.mkdir(parents=True)
    return folder


def test_lint_fix_keeps_a_symlinked_recipe_a_symlink_and_its_mode(tmp_path):
    folder = _repo_with(tmp_path)
    (folder / "real_package.py").write_text(RECIPE)
    os.chmod(folder / "real_package.py", 0o664)
    os.symlink("real_package.py", folder / "package.py")
    result = autofix.fix_file(str(folder / "package.py"), ["PESO-M002"])
    assert result.changed
    assert os.path.islink(folder / "package.py")
    assert 'maintainers("alice")' in (folder / "real_package.py").read_text()
    assert _mode(folder / "real_package.py") == 0o664


def test_lint_fix_refuses_a_package_folder_linked_outside_the_repository(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "package.py").write_text(RECIPE)
    packages = tmp_path / "repo" / "packages"
    packages.mkdir(parents=True)
    os.symlink(elsewhere, packages / "demo")
    with pytest.raises(PesoError, match="outside"):
        autofix.fix_file(str(packages / "demo" / "package.py"), ["PESO-M002"])
    assert (elsewhere / "package.py").read_text() == RECIPE


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs", "a/b", "..", ".hidden", "bad\nname", "nul\x00", ""])
def test_hostile_names_cannot_become_paths(name, tmp_path):
    with pytest.raises(PesoError, match="cannot be a file name"):
        safe_name(name, "product", "products.yaml")


def test_ordinary_names_pass_and_path_under_stays_in_its_folder(tmp_path):
    for name in ("hypre", "py-numpy", "superlu-dist", "frontier", "20261205T051500Z-1234", "intel-oneapi-mkl"):
        assert safe_name(name) == name
    assert path_under(str(tmp_path), "compat", "x.yaml") == os.path.join(os.path.realpath(tmp_path), "compat", "x.yaml")
    with pytest.raises(PesoError, match="outside"):
        path_under(str(tmp_path), "..", "x.yaml")


def test_policy_report_refuses_a_product_name_that_would_leave_the_output_folder(tmp_path):
    import subprocess
    import sys

    from peso_testing import ROOT

    (tmp_path / "products.yaml").write_text('products:\n  - name: "../../escaped"\n    package: superlu\n')
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "policy", "report", "--products", "products.yaml", "-o", "out/report"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso")),
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "products.yaml: product '../../escaped' cannot be a file name" in proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["products.yaml"]  # nothing written, inside or out


def test_a_device_or_a_link_to_one_is_never_replaced(tmp_path):
    os.symlink("/dev/null", tmp_path / "report.html")
    for path in (tmp_path / "report.html", "/dev/null"):
        with pytest.raises(PesoError, match="not a regular file"):
            atomic_write(path, "x")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device
    assert not [n for n in os.listdir("/dev") if n.startswith(".null.")]
