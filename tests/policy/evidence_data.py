"""Evidence as the tools write it, made small: run folders written with the real record
writers (``peso.stack.run.records``), check-record lines in ``stack generate --check
--record``'s shape, a source archive named by its sha256 with a recipe that names it, and
installed prefixes holding a library compiled here with the real compiler."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

from peso.stack.run import records

try:
    from peso_testing import missing
except ImportError:  # older checkouts keep it in tests/conftest.py
    from conftest import missing

MIT = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    'software and associated documentation files (the "Software"), to deal in the Software '
    "without restriction.\n"
)
HASHES = {"szx": "a" * 32, "alpaka": "b" * 32, "exampm": "c" * 32, "peso-ev-lib": "d" * 32}


def root(package, version="1.0"):
    return {
        "package": package,
        "version": version,
        "hash": HASHES.get(package, "e" * 32),
        "spec": "%s@%s" % (package, version),
        "maintainers": [],
        "recipe": None,
    }


def write_build_record(out, statuses, target="host"):
    """``<out>/build.json`` as ``stack build`` writes it; statuses: package -> BUILT/BUILD_FAILED/..."""
    record = records.new_record("build", target, str(out), {})
    for package, status in statuses.items():
        reason = ""
        if isinstance(status, tuple):
            status, reason = status
        record["specs"].append(records.spec_row(root(package), target, status, reason))
    record["finished"] = records.now_iso()
    record["complete"] = True
    records.write_record(record, os.path.join(str(out), "build.json"))
    return record


def part(name, status):
    return {"name": name, "status": status, "message": "", "duration": 0.1, "excerpt": ""}


def write_test_record(out, rows, target="host", run_id="20261129T120000Z-1"):
    """``<out>/runs/<id>/record.json`` as ``stack test`` writes it; rows: package -> (status, [parts])."""
    record = records.new_record("test", target, str(out), {}, run_id)
    for package, (status, parts) in rows.items():
        row = records.spec_row(root(package), target, status)
        row["parts"] = parts
        record["specs"].append(row)
    record["finished"] = records.now_iso()
    record["complete"] = True
    path = os.path.join(str(out), "runs", run_id, "record.json")
    records.write_record(record, path)
    return path


def write_check_record(path, verdicts, spack="1.2.0.dev0"):
    """JSON lines in the shape ``stack generate --check --record`` appends (one per root)."""
    with open(str(path), "a", encoding="utf-8") as f:
        for spec, ok in verdicts.items():
            item = {
                "spec": spec,
                "ok": ok,
                "error": "" if ok else "Cannot satisfy 'hip@6.0:6.3'",
                "mode": "batch",
                "seconds": 1.0,
                "spack": spack,
                "stack": "0123456789abcdef",
            }
            if ok:
                item.update(target="zen3", nodes=42)
            f.write(json.dumps(item) + "\n")


def source_archive(folder, top, files):
    """A gzip'd tarball of ``{relative path: text}`` under ``top/``, named by its sha256 as in a mirror."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo("%s/%s" % (top, rel))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    blob = buf.getvalue()
    sha = hashlib.sha256(blob).hexdigest()
    path = os.path.join(str(folder), "_source-cache", "archive", sha[:2], sha + ".tar.gz")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(blob)
    return sha


def recipe_repo(folder, package, sha, licence="MIT", extra=""):
    """A one-recipe Spack repository whose version 1.0 is the archive ``sha``."""
    pkg_dir = os.path.join(str(folder), "packages", package.replace("-", "_"))
    os.makedirs(pkg_dir, exist_ok=True)
    cls = "".join(w.capitalize() for w in package.split("-"))
    with open(os.path.join(pkg_dir, "package.py"), "w") as f:
        f.write(
            "from spack_repo.builtin.build_systems.cmake import CMakePackage\n"
            "from spack.package import *\n\n\n"
            "class %s(CMakePackage):\n"
            '    """A small library used to test the evidence providers."""\n\n'
            '    homepage = "https://example.org/%s"\n'
            '    url = "https://example.org/%s-1.0.tar.gz"\n'
            '    git = "https://github.com/example/%s.git"\n\n'
            '    maintainers("someone")\n\n'
            '    license("%s")\n\n'
            '    version("main", branch="main")\n'
            '    version("1.0", sha256="%s")\n%s' % (cls, package, package, package, licence, sha, extra)
        )
    return os.path.join(pkg_dir, "package.py")


def compiled_prefix(folder, package, hash_, headers, lib_source, libname=None, version="1.0", target="icelake"):
    """An install prefix as Spack leaves it: ``.spack/spec.json``, headers, and a shared
    library built here by the real C compiler (so ``nm`` reads real symbols)."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc or not shutil.which("nm"):
        missing("NO C COMPILER OR nm: the prefix provider reads symbols of a real library")
    prefix = os.path.join(str(folder), "%s-%s-%s" % (package, version, hash_))
    os.makedirs(os.path.join(prefix, ".spack"), exist_ok=True)
    with open(os.path.join(prefix, ".spack", "spec.json"), "w") as f:
        json.dump(
            {
                "spec": {
                    "_meta": {"version": 5},
                    "nodes": [
                        {
                            "name": package,
                            "version": version,
                            "hash": hash_,
                            "arch": {"platform": "linux", "platform_os": "debian12", "target": {"name": target}},
                        }
                    ],
                }
            },
            f,
        )
    for rel, text in headers.items():
        path = os.path.join(prefix, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    if lib_source is not None:
        src = os.path.join(str(folder), "%s.c" % hash_)
        with open(src, "w") as f:
            f.write(lib_source)
        lib = os.path.join(prefix, "lib", "lib%s.so" % (libname or package.replace("-", "")))
        os.makedirs(os.path.dirname(lib), exist_ok=True)
        subprocess.run([cc, "-shared", "-fPIC", "-o", lib, src], check=True)
    return prefix
