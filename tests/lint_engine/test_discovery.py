"""Which files `lint` looks at, for every way of naming them."""

import os

import pytest

from peso.errors import PesoError
from peso.recipe.discovery import discover


@pytest.fixture
def two(project):
    a = project.add("alpha")
    b = project.add("beta-gamma")
    return project, sorted([a, b])


def test_repository_root_with_repo_yaml(two):
    project, files = two
    assert discover([project.repo]) == files


def test_folder_holding_spack_repo_namespaces(two):
    project, files = two
    assert discover([os.path.join(project.root, "repo")]) == files


def test_packages_folder(two):
    project, files = two
    assert discover([project.packages]) == files


def test_package_folder_and_file(two):
    project, files = two
    assert discover([os.path.dirname(files[0])]) == [files[0]]
    assert discover([files[1]]) == [files[1]]


def test_relative_path_is_taken_from_cwd(two):
    project, files = two
    assert discover(["repo/spack_repo/demo/packages/alpha"], cwd=project.root) == [files[0]]


def test_no_argument_lints_the_project_repo_found_upwards(two):
    project, files = two
    sub = os.path.join(project.root, "docs", "deeper")
    os.makedirs(sub)
    assert discover([], cwd=sub) == files


def test_bare_name_is_looked_up_in_the_project_repo(two):
    project, files = two
    # '-' in the name, '_' in the folder (package API v2)
    assert discover(["beta-gamma"], cwd=project.root) == [files[1]]


def test_duplicates_are_linted_once(two):
    project, files = two
    assert discover([files[0], "alpha", project.packages], cwd=project.root) == files


def test_unknown_package_is_a_one_line_error(two):
    project, _ = two
    with pytest.raises(PesoError, match="nosuchpkg: unknown package"):
        discover(["nosuchpkg"], cwd=project.root)


def test_missing_path_is_an_error(two):
    project, _ = two
    with pytest.raises(PesoError, match="no such file"):
        discover(["./not/here"], cwd=project.root)


def test_folder_without_recipes_is_an_error(tmp_path):
    with pytest.raises(PesoError, match="no package.py recipes found"):
        discover([str(tmp_path)])


def test_builtin_layout_of_the_reference_checkout(tmp_path):
    """A spack-packages style `repos/` folder (spack_repo/<ns>/repo.yaml with packages/)."""
    root = tmp_path / "repos" / "spack_repo" / "builtin"
    (root / "packages" / "zlib").mkdir(parents=True)
    (root / "repo.yaml").write_text("repo:\n  namespace: builtin\n  api: v2.2\n")
    (root / "packages" / "zlib" / "package.py").write_text("x = 1\n")
    (root / "build_systems").mkdir()
    (root / "build_systems" / "cmake.py").write_text("y = 2\n")
    assert discover([str(tmp_path / "repos")]) == [str(root / "packages" / "zlib" / "package.py")]
