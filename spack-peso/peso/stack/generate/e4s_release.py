"""Read E4S's own per-architecture environments (the E4S-Project/e4s repository) for one
target profile.

E4S publishes one environment per architecture, compiler, GPU kind and GPU arch:
``environments/<arch>/<gnu|oneapi>/<cpu|cuda|rocm|gpu>/[<gpu arch>|notarget|<arch>_driver_reqd]/spack.yaml``,
each including ``_config/packages.yaml`` files further up. What one of our targets is
compared with is the union of the environments its machine would build: the CPU
environment of its architecture and compiler, plus for a GPU target the environment of
its GPU arch, the one of that arch whose roots need a driver to build, and the
``notarget`` one (NOARCH GPU tools). The release is read from a work tree or straight
from a git repository (``git show``), so its commit is always known, or from a committed
*extract* (:func:`write_extract`): the root specs, commented-out specs and required CPU
target of every environment our profiles map to, with E4S's commit and date, so the
comparison runs offline and a test can fail on unexplained drift.
"""

import os
import re
import subprocess
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import yaml

from ...errors import PesoError
from . import envfile

_COMMENTED_SPEC = re.compile(r"^\s*#\s*-\s*([a-z][\w.+-]*(?:@[\w.:-]+)?(?:[ ~+^%@]|$).*)$")


@dataclass
class E4SSpec:
    spec: str
    flavor: str  # cpu, cuda, rocm or sycl (from the environment's folder)
    env: str  # environment folder relative to the release root
    comment: str = ""


@dataclass
class Release:
    """The E4S environments that match one target, merged."""

    root: str
    commit: str
    envs: List[str]
    specs: List[E4SSpec]
    commented: List[E4SSpec]
    packages: Dict[str, dict] = field(default_factory=dict)

    def products(self) -> List[str]:
        return sorted({name for name in (envfile.root_name(s.spec) for s in self.specs) if name})

    def source(self, env=None):
        """``E4S-Project/e4s <commit>:<env>/spack.yaml``: the evidence a proposal names."""
        where = "environments/%s/spack.yaml" % env if env else "environments"
        return "E4S-Project/e4s %s:%s" % (self.commit, where)


class _Tree:
    """Files of an E4S checkout (a folder) or of a git repository at a revision."""

    def __init__(self, path, rev="HEAD"):
        self.path, self.rev = path, rev
        self.git = not os.path.isdir(os.path.join(path, "environments"))
        own = self._own_git_dir()
        self.versioned = own is not None
        if self.git and own is None:
            raise PesoError("neither an E4S checkout (no environments/ folder) nor a git repository", path=path)
        if own is not None:
            self.commit = (self._git("rev-parse", rev) or "").strip()[:12] or "unversioned"
        else:
            # a plain folder (perhaps inside some other repository, whose commit says
            # nothing about these files): only what the user says it is, else unknown
            self.commit = rev if rev != "HEAD" else "unknown"
        if self.git and self.commit == "unversioned":
            raise PesoError("no revision %r in this git repository" % rev, path=path)

    def _own_git_dir(self):
        """The git directory of ``path`` itself (its ``.git``, or ``path`` when it is a
        bare repository); ``None`` when git only finds an enclosing repository."""
        out = self._git("rev-parse", "--absolute-git-dir")
        if not out:
            return None
        found = os.path.realpath(out.strip())
        here = os.path.realpath(self.path)
        return found if found in (here, os.path.join(here, ".git")) else None

    def _git(self, *args):
        proc = subprocess.run(["git", "-C", self.path] + list(args), capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None

    def commit_date(self) -> str:
        """The commit date (``YYYY-MM-DD``) of the revision read, or "" for a plain folder."""
        if not self.versioned:
            return ""
        return (self._git("log", "-1", "--format=%cs", self.rev) or "").strip()

    def exists(self, rel):
        if not self.git:
            return os.path.isfile(os.path.join(self.path, rel))
        return self._git("cat-file", "-e", "%s:%s" % (self.rev, rel)) is not None

    def read(self, rel):
        if not self.git:
            with open(os.path.join(self.path, rel), encoding="utf-8") as f:
                return f.read()
        text = self._git("show", "%s:%s" % (self.rev, rel))
        if text is None:
            raise PesoError("not in %s" % self.rev, path=os.path.join(self.path, rel))
        return text


def _compiler_folder(target):
    return "oneapi" if "oneapi" in target.doc["default_compiler"] else "gnu"


def _arch_folder(target):
    import archspec.cpu

    return archspec.cpu.TARGETS[target.cpu_target].family.name


def environments_for(target) -> List[Tuple[str, str]]:
    """``[(environment folder, flavour)]`` E4S builds for a machine like ``target``."""
    base = "%s/%s" % (_arch_folder(target), _compiler_folder(target))
    out = [(base + "/cpu", "cpu")]
    backend, arch = target.backend, target.gpu_arch
    if backend in ("cuda", "rocm"):
        for leaf in (str(arch), "%s_driver_reqd" % arch, "notarget"):
            out.append(("%s/%s/%s" % (base, backend, leaf), backend))
    elif backend == "sycl":
        out.append((base + "/gpu", "sycl"))
    return out


def _includes_chain(tree, env_dir, text):
    """The ``packages:`` of an environment merged over its ``include:``d files: the
    environment's own settings win, then includes in the order listed (Spack's)."""
    env = envfile.environment_of(yaml.safe_load(text) or {}, env_dir + "/spack.yaml")
    layers = [env.get("packages") or {}]
    for inc in env.get("include") or []:
        rel = os.path.normpath(os.path.join(env_dir, inc if isinstance(inc, str) else inc.get("path", "")))
        if tree.exists(rel):
            layers.append((yaml.safe_load(tree.read(rel)) or {}).get("packages") or {})
    merged: dict = {}
    for layer in reversed(layers):
        for name, entry in layer.items():
            merged[name] = dict(merged.get(name, {}), **(entry or {}))
    return env, merged


def _commented(text, flavor, env_dir):
    out = []
    for line in text.splitlines():
        m = _COMMENTED_SPEC.match(line)
        if m:
            spec, _, reason = m.group(1).partition(" #")
            out.append(E4SSpec(spec.strip(), flavor, env_dir, reason.strip(" #")))
    return out


EXTRACT_SCHEMA = "peso-e4s-extract/v1"


def committed_extract() -> str:
    """The extract kept with the environments (``environments/reference/e4s-roots.yaml``)."""
    from .model import environments_dir

    path = os.path.join(environments_dir(), "reference", "e4s-roots.yaml")
    if not os.path.isfile(path):
        raise PesoError("no committed E4S extract; write one with tools/e4s_extract.py", path=path)
    return path


def is_extract(path) -> bool:
    """A ``--e4s`` value naming an extract file rather than a checkout or repository."""
    return os.path.isfile(path) and path.endswith((".yaml", ".yml"))


def read_release(path, target, rev="HEAD") -> Release:
    """The merged E4S environments for ``target`` from a checkout, a git repository or an
    extract file."""
    if is_extract(path):
        return _release_from_extract(path, target)
    tree = _Tree(path, rev)
    specs: list = []
    commented: list = []
    envs: list = []
    packages: dict = {}
    for rel, flavor in environments_for(target):
        env_dir = "environments/" + rel
        if not tree.exists(env_dir + "/spack.yaml"):
            continue
        text = tree.read(env_dir + "/spack.yaml")
        env, merged = _includes_chain(tree, env_dir, text)
        envs.append(rel)
        if flavor == "cpu":
            packages = merged
        for spec in envfile.specs(env):
            spec, _, comment = spec.partition(" #")
            specs.append(E4SSpec(spec.strip(), flavor, rel, comment.strip(" #")))
        commented.extend(E4SSpec(s.spec, s.flavor, rel, s.comment) for s in _commented(text, flavor, rel))
    if not envs:
        raise PesoError(
            "no E4S environment for target %s (looked for %s)"
            % (target.name, ", ".join(r for r, _ in environments_for(target))),
            path=path,
        )
    return Release(path, tree.commit, envs, specs, commented, packages)


def _release_from_extract(path, target) -> Release:
    from ... import yamlio

    doc = yamlio.load(path)
    if (
        not isinstance(doc, dict)
        or doc.get("schema") != EXTRACT_SCHEMA
        or not isinstance(doc.get("environments"), dict)
    ):
        raise PesoError("not an E4S extract (schema: %s with environments:)" % EXTRACT_SCHEMA, path=path)
    specs, commented, envs = [], [], []
    packages: dict = {}
    for rel, flavor in environments_for(target):
        env = doc["environments"].get(rel)
        if env is None:
            continue
        envs.append(rel)
        for item in env.get("specs") or []:
            specs.append(E4SSpec(item["spec"], flavor, rel, item.get("comment", "")))
        for item in env.get("commented") or []:
            commented.append(E4SSpec(item["spec"], flavor, rel, item.get("comment", "")))
        if flavor == "cpu" and env.get("config_target"):
            packages = {"all": {"require": ["target=%s" % env["config_target"]]}}
    if not envs:
        raise PesoError(
            "the extract has no E4S environment for target %s (refresh it: tools/e4s_extract.py)" % target.name,
            path=path,
        )
    return Release(path, str(doc.get("commit", "unknown"))[:12], envs, specs, commented, packages)


def _item(spec: E4SSpec) -> dict:
    return {"spec": spec.spec, **({"comment": spec.comment} if spec.comment else {})}


def extract(path, targets, rev="HEAD") -> dict:
    """The extract document: per E4S environment any of ``targets`` maps to, its root
    specs (with their trailing comments), commented-out specs (E4S's reason is the
    comment) and required CPU target; E4S's commit and commit date on top."""
    tree = _Tree(path, rev)
    environments: dict = {}
    for target in targets:
        release = read_release(path, target, rev)
        for rel in release.envs:
            if rel in environments:
                continue
            entry: dict = {
                "specs": [_item(s) for s in release.specs if s.env == rel],
                "commented": [_item(s) for s in release.commented if s.env == rel],
            }
            if rel == release.envs[0] and config_target(release):
                entry["config_target"] = config_target(release)
            environments[rel] = entry
    return {
        "schema": EXTRACT_SCHEMA,
        "source": "E4S-Project/e4s",
        "commit": tree.commit,
        "date": tree.commit_date(),
        "environments": dict(sorted(environments.items())),
    }


def config_target(release: Release) -> Optional[str]:
    """The CPU target the release's configuration requires (``all: require: target=``)."""
    for item in (release.packages.get("all") or {}).get("require") or []:
        m = re.search(r"target=([\w.-]+)", str(item))
        if m:
            return m.group(1)
    return None
