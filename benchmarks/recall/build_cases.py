"""Rebuild ``cases.yaml`` from a clone of spack/spack-packages (kept for provenance;
the benchmark itself reads only ``cases.yaml``).

Commits are found by their diff alone, newest first, one recipe per commit:

* language-deps: adds ``depends_on("c"/"cxx"/"fortran", type="build")`` to a recipe
  that had no language dependency (PESO-D002);
* spec-membership: replaces ``"+x" in spec`` (any spec text, ``not in``, dependency
  specs) by ``.satisfies(...)`` (PESO-R003);
* maintainers-directive: ``maintainers = [...]`` becomes ``maintainers(...)`` (PESO-M002);
* insecure-url: an ``http://`` url/git/list_url becomes ``https://`` (PESO-S002);
* license-spdx: a ``license(...)`` line changes; kept only when listed in
  ``SPDX_FIXES`` after reading the change (most licence edits add ``checked_by``).

    python benchmarks/recall/build_cases.py GIT_DIR [--per-kind 20]

The held-out language-dependency set (``heldout_language_deps.yaml``, the 60 fixes before
the 20 of ``cases.yaml``, never looked at while the rule was written) was made with

    python benchmarks/recall/build_cases.py GIT_DIR --kinds language-deps --per-kind 60 \
        --exclude benchmarks/recall/cases.yaml --out benchmarks/recall/heldout_language_deps.yaml
"""

import argparse
import ast
import os
import re
import subprocess

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGES = "repos/spack_repo/builtin/packages/"
LANG = re.compile(r'^\+\s*depends_on\("(c|cxx|fortran)", type="build"\)')
#: licence edits that replace a non-SPDX expression by a valid one (read by hand)
#: idiom fixes the diff filter cannot see (a different spec text after the fix), read by hand
SPEC_FIXES = {"5620d83b9d"}  # vim: '"+termlib" in spec["ncurses"]' -> spec.satisfies("%ncurses +termlib")
SPDX_FIXES = {"a1bd01f76d"}  # uv: "APACHE 2.0 or MIT" -> "Apache-2.0 OR MIT" (the only one among ~400 licence edits)
KINDS = {
    "language-deps": (
        "PESO-D002",
        lambda minus, plus, before: (
            any(LANG.match(line) for line in plus) and not re.search(r'depends_on\("(c|cxx|fortran)"', before)
        ),
    ),
    "spec-membership": ("PESO-R003", lambda minus, plus, before: bool(_idiom_rewritten(minus, plus))),
    "maintainers-directive": (
        "PESO-M002",
        lambda minus, plus, before: (
            any(re.match(r"^-\s*maintainers\s*=\s*\[", line) for line in minus)
            and any(re.match(r"^\+\s*maintainers\(", line) for line in plus)
        ),
    ),
    "insecure-url": (
        "PESO-S002",
        lambda minus, plus, before: (
            any(re.search(r'^-\s*(url|git|list_url)\s*=\s*"http://', line) for line in minus)
            and any(re.search(r'^\+\s*(url|git|list_url)\s*=\s*"https://', line) for line in plus)
        ),
    ),
}
IDIOM = re.compile(r'(["\'])([+~@%^][^"\']*)\1\s+(?:not\s+)?in\s+[\w.\[\]"\']*spec\b')


def _idiom_rewritten(minus, plus):
    """Spec texts tested with ``in`` on a removed line and with ``satisfies`` on an added one."""
    removed = {m.group(2) for line in minus for m in IDIOM.finditer(line)}
    return {t for t in removed if any('satisfies("%s")' % t in line or "satisfies('%s')" % t in line for line in plus)}


#: excerpts longer than this are left out: the data stays small
MAX_CHARS = 9000
#: kinds whose versions are the point of the fix: their version lists are kept whole
KEEP_VERSIONS = ()


def git(git_dir, *args):
    return subprocess.run(
        ["git", "--git-dir", git_dir] + list(args), capture_output=True, text=True, errors="replace"
    ).stdout


def excerpt(source: str, keep_versions: bool) -> str:
    """The recipe without its copyright header and, unless versions matter, with at most
    three version() statements (the bulk of most recipes)."""
    lines = source.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    if keep_versions:
        return "\n".join(lines) + "\n"
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return "\n".join(lines) + "\n"
    drop = set()
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        versions = [
            s
            for s in cls.body
            if isinstance(s, ast.Expr)
            and isinstance(s.value, ast.Call)
            and getattr(s.value.func, "id", "") == "version"
        ]
        for stmt in versions[3:]:
            drop.update(range(stmt.lineno, stmt.end_lineno + 1))
    return "\n".join(line for i, line in enumerate(lines, 1) if i not in drop) + "\n"


class Literal(str):
    pass


def _literal(dumper, text):
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir")
    parser.add_argument("--per-kind", type=int, default=20)
    parser.add_argument("--kinds", help="comma-separated kinds to collect (default: all)")
    parser.add_argument("--exclude", help="a cases file whose commits are left out (a held-out set)")
    parser.add_argument("--out", default=os.path.join(HERE, "cases.yaml"), help="where to write the cases")
    args = parser.parse_args(argv)
    excluded = set()
    if args.exclude:
        with open(args.exclude, encoding="utf-8") as f:
            excluded = {c["commit"] for c in yaml.safe_load(f)["cases"]}
    kinds_wanted = set(args.kinds.split(",")) if args.kinds else set(KINDS) | {"license-spdx"}
    commits = git(args.git_dir, "log", "--format=%H", "--no-merges", "--", PACKAGES + "*/package.py").split()
    cases = []
    counts = {k: 0 for k in KINDS if k in kinds_wanted}
    wanted = (set(SPDX_FIXES) if "license-spdx" in kinds_wanted else set()) | (
        set(SPEC_FIXES) if "spec-membership" in kinds_wanted else set()
    )
    for sha in commits:
        if all(n >= args.per_kind for n in counts.values()) and not wanted:
            break
        files = [
            f
            for f in git(args.git_dir, "show", "--format=", "--name-only", sha).split()
            if f.startswith(PACKAGES) and f.endswith("/package.py")
        ]
        if len(files) != 1 or sha in excluded:
            continue
        path = files[0]
        diff = git(args.git_dir, "show", "--format=", "-U0", sha, "--", path).splitlines()
        minus = [line for line in diff if line.startswith("-") and not line.startswith("---")]
        plus = [line for line in diff if line.startswith("+") and not line.startswith("+++")]
        before = git(args.git_dir, "show", "%s^:%s" % (sha, path))
        after = git(args.git_dir, "show", "%s:%s" % (sha, path))
        if not before or not after:
            continue
        if len(excerpt(before, False)) > MAX_CHARS and sha[:10] not in wanted:
            continue
        kinds = [
            k
            for k, (_rule, test) in KINDS.items()
            if k in counts and counts[k] < args.per_kind and test(minus, plus, before)
        ]
        if sha[:10] in SPDX_FIXES and "license-spdx" in kinds_wanted:
            kinds.append("license-spdx")
        if sha[:10] in SPEC_FIXES and "spec-membership" in kinds_wanted and "spec-membership" not in kinds:
            kinds.append("spec-membership")
        wanted.discard(sha[:10])
        for kind in kinds:
            rule = "PESO-L002" if kind == "license-spdx" else KINDS[kind][0]
            package = path[len(PACKAGES) :].split("/")[0].lstrip("_").replace("_", "-")
            keep = kind in KEEP_VERSIONS
            cases.append(
                {
                    "kind": kind,
                    "rule": rule,
                    "commit": sha,
                    "package": package,
                    "subject": git(args.git_dir, "show", "-s", "--format=%s", sha).strip(),
                    "before": Literal(excerpt(before, keep)),
                    "after": Literal(excerpt(after, keep)),
                }
            )
            if kind in counts and sha[:10] not in SPEC_FIXES:
                counts[kind] += 1
    yaml.add_representer(Literal, _literal)
    header = (
        "# Real fixes from spack/spack-packages history (https://github.com/spack/spack-packages),\n"
        "# recipe excerpts before and after each commit; rebuilt by build_cases.py.\n"
    )
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(header)
        yaml.dump({"cases": cases}, f, sort_keys=False, allow_unicode=True, width=200)
    print({k: n for k, n in counts.items()}, "license-spdx:", sum(c["kind"] == "license-spdx" for c in cases))


if __name__ == "__main__":
    main()
