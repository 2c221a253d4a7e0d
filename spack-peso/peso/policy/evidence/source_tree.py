"""The product's source as evidence: top-level files, documentation, metadata, licence text.

Two ways to see a source without fetching anything: a kept Spack stage
(``spack-stage-<name>-<version>-<hash>/spack-src``, ``spack install --keep-stage`` or
``spack stage``), or the very archive Spack fetched, found in a mirror or source cache
(``_source-cache/archive/<sha[:2]>/<sha256>.<ext>``) and matched to the package through
the sha256 its recipe gives the built version. Archives are listed, never unpacked: the
top folder's entries and the licence files are all that is read.

What is looked for is data (``source_files.yaml``). The licence check compares the
licence families recognised in the licence files with the recipe's ``license()`` ids;
a text no phrase recognises says nothing ("unknown"), only two known and disjoint
families make a disagreement.
"""

import io
import os
import re
import tarfile
import zipfile
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import yaml

from ...recipe.parse import load_recipe
from ...recipe.syntax import literal_str
from . import Observation, display_path, file_date

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "source_files.yaml")
#: bytes of a licence file read (licence texts are a few kB; some COPYING files hold many)
MAX_TEXT = 200_000


@lru_cache(maxsize=1)
def rules() -> dict:
    with open(DATA, encoding="utf-8") as f:
        return yaml.safe_load(f)


class Tree:
    """Top-level view of a source: names (folders end with '/') and small file reads."""

    def __init__(self, where: str, entries: Dict[str, bool], reader):
        self.where = where  # shown as the evidence's source
        self.entries = entries  # top-level name -> is a folder
        self.hidden = {n for n in entries if n.startswith(".")}
        self._reader = reader
        self.paths: set = set()  # every relative path (for .e4s/e4s.yaml)

    def read(self, name: str) -> str:
        return self._reader(name)


def tree_of_dir(root: str) -> Tree:
    entries = {n: os.path.isdir(os.path.join(root, n)) for n in os.listdir(root)}

    def reader(name):
        with open(os.path.join(root, name), "rb") as f:
            return f.read(MAX_TEXT).decode("utf-8", "replace")

    tree = Tree(display_path(root), entries, reader)
    for rel in rules()["e4s_metadata"]:
        if os.path.isfile(os.path.join(root, rel)):
            tree.paths.add(rel)
    return tree


def tree_of_archive(path: str) -> Optional[Tree]:
    """The archive's single top folder as a tree (``None`` when it is not an archive we read)."""
    try:
        if path.endswith((".zip", ".whl")):
            zipped = zipfile.ZipFile(path)
            names = zipped.namelist()
            opener = lambda member: zipped.read(member)[:MAX_TEXT]  # noqa: E731
        else:
            tarred = tarfile.open(path)
            members = {_strip_dot_slash(m.name): m for m in tarred.getmembers()}
            names = [n + ("/" if members[n].isdir() else "") for n in members]
            opener = lambda member: (tarred.extractfile(members[member.rstrip("/")]) or io.BytesIO()).read(MAX_TEXT)  # noqa: E731
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError):
        return None
    tops = {n.split("/", 1)[0] for n in names if n}
    top = tops.pop() if len(tops) == 1 and any("/" in n for n in names) else ""
    base = top + "/" if top else ""
    entries: Dict[str, bool] = {}
    for n in names:
        if not n.startswith(base):
            continue
        rest = n[len(base) :]
        if not rest:
            continue
        first, _, more = rest.partition("/")
        entries[first] = entries.get(first, False) or bool(more) or n.endswith("/")
    full = {n[len(base) :].rstrip("/") for n in names if n.startswith(base)}

    def reader(name):
        return opener(base + name).decode("utf-8", "replace")

    tree = Tree("%s:%s" % (display_path(path), base), entries, reader)
    tree.paths = {rel for rel in rules()["e4s_metadata"] if rel in full}
    return tree


def _strip_dot_slash(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _stem(name: str) -> str:
    return name.lower().split(".", 1)[0]


def top_files(tree: Tree) -> Dict[str, List[str]]:
    """kind (readme, license_file, ...) -> the top-level files of that kind."""
    found = {}
    for kind, stems in rules()["top_files"].items():
        found[kind] = sorted(n for n, is_dir in tree.entries.items() if not is_dir and _stem(n) in stems)
    return found


def licence_families(text: str) -> List[str]:
    text = " ".join(text.lower().split())
    families = []
    for entry in rules()["licences"]:
        if entry.get("all") and all(p in text for p in entry["all"]):
            families.append(entry["family"])
        elif entry.get("any") and any(p in text for p in entry["any"]):
            families.append(entry["family"])
    return families


def recipe_licences(recipe) -> List[str]:
    """SPDX ids named by the recipe's ``license()`` directives."""
    ids = []
    for d in recipe.directives_named("license"):
        text = d.arg_str(0) or ""
        ids += [t for t in re.split(r"[\s()]+", text) if t and t.upper() not in ("AND", "OR", "WITH")]
    return ids


def licence_agreement(text_families: List[str], spdx_ids: List[str]) -> str:
    if not spdx_ids:
        return "no-recipe-licence"
    if not text_families:
        return "unknown"
    recipe_families = set()
    for entry in rules()["licences"]:
        if any(i.startswith(prefix) for i in spdx_ids for prefix in entry["spdx"]):
            recipe_families.add(entry["family"])
    return "agrees" if recipe_families & set(text_families) else "disagrees"


def observe(package: str, tree: Tree, recipe, date: str = "", target: str = "") -> List[Observation]:
    """Every source fact of one tree."""
    r = rules()
    files = top_files(tree)
    out = []

    def add(fact, value, detail, where=""):
        out.append(Observation(package, fact, value, tree.where + where, date, detail, target))

    for kind in r["top_files"]:
        names = files[kind]
        add(
            "source." + kind,
            "present" if names else "absent",
            ("top-level %s: %s" % (kind.replace("_", " "), ", ".join(names)))
            if names
            else "no top-level %s file" % kind.replace("_", " "),
            names[0] if names else "",
        )
    if files["support"]:
        text = ""
        try:
            text = tree.read(files["support"][0])
        except (OSError, KeyError, tarfile.TarError, zipfile.BadZipFile):
            pass
        contact = re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://\S+", text)
        add(
            "source.contact",
            "documented" if contact else "unclear",
            ("%s names %s" % (files["support"][0], contact.group(0)))
            if contact
            else "%s names no email address or web address" % files["support"][0],
            files["support"][0],
        )
    missing = [k.replace("_file", "").upper() for k in r["r7"] if not files[k]]
    add(
        "source.r7_files",
        "complete" if not missing else "incomplete",
        "README, SUPPORT, LICENSE and CHANGELOG all at the top"
        if not missing
        else "missing at the top: " + ", ".join(missing),
    )
    docs = sorted(n for n, is_dir in tree.entries.items() if is_dir and n.lower() in r["doc_dirs"])
    if files["readme"] and docs:
        add(
            "source.documentation",
            "readme-and-docs",
            "top-level %s and documentation folder %s/" % (files["readme"][0], docs[0]),
            docs[0] + "/",
        )
    elif files["readme"] or docs:
        add("source.documentation", "partial", "only %s" % (files["readme"] or [d + "/" for d in docs])[0])
    else:
        add("source.documentation", "none", "no top-level README and no documentation folder")
    vendored = sorted(n for n, is_dir in tree.entries.items() if is_dir and n.lower() in r["vendored_dirs"])
    add(
        "source.vendored",
        "found" if vendored else "none",
        ("folders that usually hold imported code: " + ", ".join(v + "/" for v in vendored))
        if vendored
        else "no third_party/, vendor/, extern/ ... folder at the top",
        (vendored[0] + "/") if vendored else "",
    )
    if tree.paths:
        meta = sorted(tree.paths)[0]
        add("source.e4s_metadata", "present", "E4S product metadata in " + meta, meta)
    elif tree.hidden:
        add(
            "source.e4s_metadata",
            "absent",
            "no .e4s/e4s.yaml or e4s.yaml, although the source keeps dot-files (%s)"
            % ", ".join(sorted(tree.hidden)[:3]),
        )
    else:
        add(
            "source.e4s_metadata",
            "unknown",
            "no e4s.yaml, but this source keeps no dot-files at all (a release "
            "tarball may drop .e4s/), so the repository may still have one",
        )
    if recipe is not None:
        texts = []
        for name in files["license_file"]:
            try:
                texts.append(tree.read(name))
            except (OSError, KeyError, tarfile.TarError, zipfile.BadZipFile):
                pass
        families = licence_families("\n".join(texts))
        ids = recipe_licences(recipe)
        agreement = licence_agreement(families, ids)
        add(
            "source.licence_agrees",
            agreement,
            "licence text (%s) reads as %s; the recipe says license(%s)"
            % (
                ", ".join(files["license_file"]) or "no file",
                ", ".join(families) or "nothing recognised",
                " ".join(ids) or "none",
            ),
            files["license_file"][0] if files["license_file"] else "",
        )
    return out


def version_checksums(recipe) -> List[Tuple[str, str]]:
    """``(version, sha256)`` of the recipe's ``version()`` directives, in recipe order."""
    found = []
    for d in recipe.directives_named("version"):
        version = d.arg_str(0)
        sha = d.kw_str("sha256") or (literal_str(d.args[1]) if len(d.args) > 1 else None)
        if version and sha and re.fullmatch(r"[0-9a-f]{64}", sha):
            found.append((version, sha))
    return found


def read(
    stages: List[str], archives: Dict[str, str], packages: Dict[str, str], builds: List[Observation]
) -> List[Observation]:
    """Facts of every package whose source is staged or archived under the evidence folders."""
    built: dict = {}
    for o in builds:
        if o.fact == "build.hash":
            built.setdefault(o.package, (o.detail, o.value, o.target, o.date))
    out: List[Observation] = []
    seen = set()
    stage_re = re.compile(r"^spack-stage-(?P<name>.+)-(?P<version>[^-]+)-(?P<hash>[a-z0-9]{32})$")
    for stage in stages:
        m = stage_re.match(os.path.basename(stage))
        if not m or m.group("name") not in packages or m.group("name") in seen:
            continue
        package = m.group("name")
        seen.add(package)
        recipe = load_recipe(packages[package]) if packages[package] else None
        out += observe(package, tree_of_dir(os.path.join(stage, "spack-src")), recipe, file_date(stage))
    for package, path in sorted(packages.items()):
        if package in seen or not path or not archives:
            continue
        recipe = load_recipe(path)
        wanted_version = built.get(package, ("",))[0]
        candidates = [(v, sha) for v, sha in version_checksums(recipe) if sha in archives]
        if wanted_version:
            candidates = [c for c in candidates if c[0] == wanted_version] or []
        if not candidates:
            continue
        tree = tree_of_archive(archives[candidates[0][1]])
        if tree is None:
            continue
        seen.add(package)
        target = built.get(package, ("", "", ""))[2]
        out += observe(package, tree, recipe, file_date(archives[candidates[0][1]]), target)
    return out
