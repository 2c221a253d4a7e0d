"""Spack provisioning (peso.spackcall.provision, ``python -m peso bootstrap``): from the
pinned archives, from git at pinned commits, and every way it can go wrong (one line,
exit 2, nothing half-made in the cache)."""

import io
import os
import subprocess
import sys
import tarfile

import pytest
from peso_testing import ROOT

from peso.errors import PesoError
from peso.spackcall import provision


def _peso(*args, env=None, cwd=None):
    full = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "spack-peso"), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "peso", *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=600
    )


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty user cache and no Spack at hand (SPACK_ROOT unset, no spack on PATH)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("SPACK_ROOT", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    return cache


def _tree_files(name):
    """A minimal tree of each kind that _configure accepts."""
    if name == "spack":
        return {
            "bin/spack": "#!/bin/sh\necho fake\n",
            "etc/spack/defaults/config.yaml": "config: {}\n",
            "lib/spack/spack/__init__.py": '__version__ = "1.2.0.dev0"\n',
        }
    return {
        "repos/spack_repo/builtin/packages/zlib/package.py": "# zlib\n",
        "repos/spack_repo/builtin/repo.yaml": "repo: {namespace: builtin}\n",
        "stacks/e4s/spack.yaml": "spack: {specs: [zlib]}\n",
    }


def _archive(folder, name, commit, top=None):
    path = os.path.join(str(folder), "%s-%s.tar.gz" % (name, commit))
    with tarfile.open(path, "w:gz") as tf:
        for rel, text in _tree_files(name).items():
            data = text.encode()
            info = tarfile.TarInfo("%s/%s" % (top or "%s-%s" % (name, commit), rel))
            info.size = len(data)
            info.mode = 0o755 if rel.startswith("bin/") else 0o644
            tf.addfile(info, io.BytesIO(data))
    return path


def _pins(spack_commit="a" * 40, packages_commit="b" * 40, spack_url="", packages_url=""):
    return {
        "spack": {"commit": spack_commit, "version": "1.2.0.dev0", "url": spack_url},
        "spack-packages": {"commit": packages_commit, "builtin": "repos/spack_repo/builtin", "url": packages_url},
    }


def test_provision_from_archives_configures_builtin_and_is_reused(fresh_cache, tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    pins = _pins()
    _archive(archives, "spack", pins["spack"]["commit"])
    _archive(archives, "spack-packages", pins["spack-packages"]["commit"])
    install = provision.provision(str(archives), pins=pins, allow_git=False)
    assert install.origin == "cache"
    assert os.access(install.exe, os.X_OK)
    with open(os.path.join(install.root, "etc", "spack", "repos.yaml")) as f:
        repos = f.read()
    # relative to Spack's own prefix: the copy was configured before being renamed into place
    assert "$spack/../spack-packages/repos/spack_repo/builtin" in repos
    assert os.path.isdir(os.path.join(install.packages, "stacks", "e4s"))
    leftovers = [n for n in os.listdir(provision.cache_root()) if n.startswith(".provision-")]
    assert leftovers == []
    # a second call reuses the cached copy without the archives
    os.rename(str(archives), str(tmp_path / "gone"))
    again = provision.provision(str(tmp_path / "gone"), pins=pins, allow_git=False)
    assert again.root == install.root


def test_archive_of_another_commit_is_one_line_and_leaves_nothing(fresh_cache, tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    pins = _pins()
    _archive(archives, "spack", pins["spack"]["commit"])
    # the file name carries the pinned commit, its content another one
    _archive(archives, "spack-packages", pins["spack-packages"]["commit"], top="spack-packages-" + "c" * 40)
    with pytest.raises(PesoError) as err:
        provision.provision(str(archives), pins=pins, allow_git=False)
    message = str(err.value)
    assert "\n" not in message
    assert "does not match the pinned commit" in message and "spack-packages-" in message
    assert os.listdir(provision.cache_root()) == []  # no half-made copy, no temp folder


def test_spack_core_of_another_version_is_refused(fresh_cache, tmp_path):
    archives = tmp_path / "archives"
    archives.mkdir()
    pins = _pins()
    pins["spack"]["version"] = "9.9.9"
    _archive(archives, "spack", pins["spack"]["commit"])
    _archive(archives, "spack-packages", pins["spack-packages"]["commit"])
    with pytest.raises(PesoError, match="not version 9.9.9"):
        provision.provision(str(archives), pins=pins, allow_git=False)
    assert os.listdir(provision.cache_root()) == []


def _git(*args, cwd):
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env=dict(
            os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"
        ),
    )


def _git_repo(folder, name):
    os.makedirs(str(folder))
    for rel, text in _tree_files(name).items():
        path = os.path.join(str(folder), rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if rel.startswith("bin/"):
            os.chmod(path, 0o755)
    _git("init", "-q", cwd=str(folder))
    _git("add", "-A", cwd=str(folder))
    _git("commit", "-qm", "pinned", cwd=str(folder))
    first = subprocess.run(["git", "rev-parse", "HEAD"], cwd=str(folder), capture_output=True, text=True).stdout.strip()
    with open(os.path.join(str(folder), "later.txt"), "w") as f:
        f.write("a later commit that must not be checked out\n")
    _git("add", "-A", cwd=str(folder))
    _git("commit", "-qm", "later", cwd=str(folder))
    _git("config", "uploadpack.allowAnySHA1InWant", "true", cwd=str(folder))
    return first


def test_provision_from_git_checks_out_exactly_the_pinned_commits(fresh_cache, tmp_path):
    spack_commit = _git_repo(tmp_path / "spack.git", "spack")
    packages_commit = _git_repo(tmp_path / "packages.git", "spack-packages")
    pins = _pins(
        spack_commit, packages_commit, "file://%s" % (tmp_path / "spack.git"), "file://%s" % (tmp_path / "packages.git")
    )
    install = provision.provision(None, pins=pins)
    assert os.access(install.exe, os.X_OK)
    assert not os.path.exists(os.path.join(install.root, "later.txt"))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=install.packages, capture_output=True, text=True)
    assert head.stdout.strip() == packages_commit


def test_unreachable_git_is_one_line_naming_the_offline_fix(fresh_cache, tmp_path):
    pins = _pins(spack_url="file://%s" % (tmp_path / "nowhere"))
    with pytest.raises(PesoError) as err:
        provision.provision(None, pins=pins)
    assert "--from DIR" in str(err.value) and "\n" not in str(err.value)
    assert [n for n in os.listdir(provision.cache_root()) if n.startswith(".provision-")] == []


def test_cli_errors_are_one_line_with_exit_2(fresh_cache, tmp_path):
    proc = _peso("bootstrap", env={"SPACK_ROOT": str(tmp_path / "no-spack-here")})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "SPACK_ROOT has no executable bin/spack" in proc.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _peso("bootstrap", "--from", str(empty), "--no-git")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "spack-%s.tar.gz" % provision.load_pins()["spack"]["commit"] in proc.stderr


def test_missing_python_dependency_is_one_line(tmp_path):
    """A Python without pyyaml, spack-peso from the source folder: one line saying what to
    install, exit 2, no output written."""
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "peso", "stack", "generate", "--target=frontier", "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        env={"PYTHONPATH": os.path.join(ROOT, "spack-peso"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "pip install pyyaml" in proc.stderr
    assert not out.exists()


def test_bootstrap_gives_a_working_spack_with_the_pinned_builtin(spack_install):
    """The Spack every other test uses: it runs, and reads the pinned spack-packages."""
    proc = subprocess.run(
        [spack_install.exe, "repo", "list"], capture_output=True, text=True, env=provision.process_env(), timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "builtin" in proc.stdout
    assert os.path.isdir(os.path.join(spack_install.builtin, "packages", "hypre"))
