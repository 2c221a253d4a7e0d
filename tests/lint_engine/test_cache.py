"""The content-hash cache: an unchanged file is not linted again; a changed one is."""

import os

from peso.lint import engine
from peso.lint.cache import LintCache


def test_second_run_reads_every_file_from_the_cache(project, config):
    a = project.add("pkg-a", body="x = 1  # MARKER\n")
    project.add("pkg-b")
    first = engine.lint([project.packages], config, cwd=project.root)
    assert (first.files_linted, first.files_cached) == (2, 0)
    second = engine.lint([project.packages], config, cwd=project.root)
    assert (second.files_linted, second.files_cached) == (0, 2)
    assert second.findings == first.findings

    with open(a, "a") as f:
        f.write("    z = 3  # MARKER\n")
    third = engine.lint([project.packages], config, cwd=project.root)
    assert (third.files_linted, third.files_cached) == (1, 1)
    assert len(third.findings) == 2


def test_selection_changes_reuse_the_cache(project, config):
    project.add("pkg-a", body="x = 1  # MARKER\n")
    engine.lint([project.packages], config, cwd=project.root)
    narrowed = engine.lint([project.packages], config.override(ignore=["PESO-Z901"]), cwd=project.root)
    assert narrowed.files_cached == 1 and narrowed.findings == []
    widened = engine.lint([project.packages], config, cwd=project.root)
    assert widened.files_cached == 1 and [f.rule for f in widened.findings] == ["PESO-Z901"]


def test_no_cache_reads_and_writes_nothing(project, config):
    project.add("pkg-a")
    engine.lint([project.packages], config, cwd=project.root, use_cache=False)
    assert not os.path.exists(config.cache_dir)
    again = engine.lint([project.packages], config, cwd=project.root, use_cache=False)
    assert again.files_cached == 0


def test_a_different_fingerprint_starts_afresh(project, config):
    path = project.add("pkg-a")
    engine.lint([project.packages], config, cwd=project.root)
    assert LintCache(config.cache_dir).entries
    other = LintCache(config.cache_dir, key="0" * 64)
    assert other.entries == {} and other.get(path, "x") is None


def test_corrupt_cache_file_is_ignored(project, config):
    project.add("pkg-a")
    engine.lint([project.packages], config, cwd=project.root)
    cache = LintCache(config.cache_dir)
    with open(cache.path, "wb") as f:
        f.write(b"\x00garbage")
    result = engine.lint([project.packages], config, cwd=project.root)
    assert result.files_linted == 1


def test_parallel_workers_give_the_same_result(project, config):
    for i in range(80):  # above the in-process threshold
        project.add("pkg-%02d" % i, body="x = %d  # MARKER\n" % i if i % 3 == 0 else "")
    project.add("broken", raw="def f(:\n")
    serial = engine.lint([project.packages], config.override(jobs=1), cwd=project.root, use_cache=False)
    parallel = engine.lint([project.packages], config.override(jobs=2), cwd=project.root, use_cache=False)
    assert parallel.findings == serial.findings
    assert len(parallel.files) == 81 and len([f for f in parallel.findings if f.rule == "PESO-Z901"]) == 27


def test_deleted_files_are_dropped_from_the_cache(project, config):
    a = project.add("pkg-a")
    b = project.add("pkg-b")
    engine.lint([project.packages], config, cwd=project.root)
    os.unlink(b)
    project.add("pkg-c")  # something new, so the cache is written again
    engine.lint([a], config, cwd=project.root)  # pkg-b is not even looked at
    engine.lint([project.packages], config, cwd=project.root)
    entries = LintCache(config.cache_dir).entries
    assert a in entries and b not in entries and len(entries) == 2


def test_a_dying_worker_loses_no_file(project, config, marker_rule):
    """A worker killed mid-run (here by a rule calling os._exit in the child) leaves the
    tasks it took to the parent: every file still gets exactly one result, and only the
    dead worker's task is linted twice (the other worker's results stand)."""
    from peso.lint import registry

    parent = os.getpid()
    linted_here = []

    def killer(recipe):
        if os.getpid() != parent and recipe.package == "pkg-07":
            os._exit(3)
        if os.getpid() == parent:
            linted_here.append(recipe.package)
        return ()

    rule = registry.Rule("PESO-Z903", "test-killer", "info", (), "kills its worker", {})
    registry.RULES[rule.id] = rule
    registry.rule(rule.id)(killer)
    try:
        for i in range(70):
            project.add("pkg-%02d" % i, body="x = 1  # MARKER\n")
        result = engine.lint([project.packages], config.override(jobs=2), cwd=project.root, use_cache=False)
    finally:
        del registry.RULES[rule.id]
    assert len(result.files) == 70
    assert len([f for f in result.findings if f.rule == "PESO-Z901"]) == 70
    # pkg-07 is in the first task (pkg-00 to pkg-15), the first one a worker takes; it
    # is the only task the dead worker took, so it is all the parent redoes
    from peso.lint.runner import TASK_SIZE

    assert sorted(linted_here) == ["pkg-%02d" % i for i in range(TASK_SIZE)]


def _count_reads(monkeypatch):
    """Counts the recipe files the engine opens itself (the warm path)."""
    import builtins

    reads = []
    real_open = builtins.open

    def counting_open(path, mode="r", *args, **kwargs):
        if str(path).endswith("package.py") and "b" in mode:
            reads.append(str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    return reads


def test_unchanged_files_are_not_even_read(project, config, monkeypatch):
    """A warm run compares stat signatures; a touched file (same bytes) is read and
    hashed once, found unchanged and not read again the time after."""
    a = project.add("pkg-a", body="x = 1  # MARKER\n")
    project.add("pkg-b")
    engine.lint([project.packages], config, cwd=project.root)
    reads = _count_reads(monkeypatch)
    warm = engine.lint([project.packages], config, cwd=project.root)
    assert (warm.files_cached, reads) == (2, [])
    os.utime(a, ns=(1, 1))  # new mtime (and ctime), same bytes
    touched = engine.lint([project.packages], config, cwd=project.root)
    assert (touched.files_linted, touched.files_cached, reads) == (0, 2, [a])
    again = engine.lint([project.packages], config, cwd=project.root)
    assert again.files_cached == 2 and reads == [a]


def test_build_system_sources_invalidate_unchanged_recipes(tmp_path, config):
    """The recipe's bytes and stat stay, but its repository's build-system sources
    change what its base class gives: the entry must not be reused."""
    from peso.lint import bases

    root = tmp_path / "spack_repo" / "ns"
    (root / "build_systems").mkdir(parents=True)
    (root / "build_systems" / "idx.py").write_text("class IdxPackage:\n    pass\n")
    (root / "packages" / "foo").mkdir(parents=True)
    (root / "repo.yaml").write_text("repo:\n  namespace: ns\n")
    (root / "packages" / "foo" / "package.py").write_text(
        "from spack_repo.ns.build_systems.idx import IdxPackage\n\n\nclass Foo(IdxPackage):\n    pass\n"
    )
    cfg = config.override(select=["PESO-M001"])
    first = engine.lint([str(root)], cfg, cwd=str(tmp_path))
    assert [f.rule for f in first.findings] == ["PESO-M001"]
    (root / "build_systems" / "idx.py").write_text('class IdxPackage:\n    maintainers("team")\n')
    for cached in (bases.context_digest, bases._packages_dir_context, bases._resolve, bases.module_classes):
        cached.cache_clear()  # a new process would start without them
    second = engine.lint([str(root)], cfg, cwd=str(tmp_path))
    assert second.files_cached == 0 and second.findings == []


def test_a_context_change_reaches_recipes_not_linted_in_between(tmp_path, config):
    """Build-system sources change, then one recipe is linted alone: the cache is saved
    under the new context, yet the other recipe's entry was made under the old one and
    must not pass for current on the next full run."""
    from peso.lint import bases

    root = tmp_path / "spack_repo" / "ns"
    (root / "build_systems").mkdir(parents=True)
    (root / "build_systems" / "idx.py").write_text("class IdxPackage:\n    pass\n")
    (root / "repo.yaml").write_text("repo:\n  namespace: ns\n")
    for name in ("foo", "bar"):
        (root / "packages" / name).mkdir(parents=True)
        (root / "packages" / name / "package.py").write_text(
            "from spack_repo.ns.build_systems.idx import IdxPackage\n\n\nclass %s(IdxPackage):\n    pass\n"
            % name.capitalize()
        )
    cfg = config.override(select=["PESO-M001"])

    def new_process():
        for cached in (bases.context_digest, bases._packages_dir_context, bases._resolve, bases.module_classes):
            cached.cache_clear()

    first = engine.lint([str(root)], cfg, cwd=str(tmp_path))
    assert sorted(f.package for f in first.findings) == ["bar", "foo"]
    (root / "build_systems" / "idx.py").write_text('class IdxPackage:\n    maintainers("team")\n')
    new_process()
    alone = engine.lint([str(root / "packages" / "foo")], cfg, cwd=str(tmp_path))
    assert (alone.files_linted, alone.findings) == (1, [])
    new_process()
    full = engine.lint([str(root)], cfg, cwd=str(tmp_path))
    assert full.findings == [] and full.files_cached == 1


def test_the_fingerprint_names_the_installed_license_expression():
    """Its SPDX data decides findings: the fingerprint must change with its version."""
    from importlib import metadata

    from peso.lint import cache

    found = cache._distribution_version("license-expression")
    assert metadata.version("license-expression") in found and found.endswith(".dist-info")
    assert cache._distribution_version("no-such-distribution-peso") == "?"


def test_a_recipe_at_a_revision_is_linted_at_its_path_and_its_previous_version_kept(project, config):
    """PR mode lints a recipe's old bytes at its own path (``contents``): the findings are
    those of the old text, the file is not touched, and the old entry stays in the cache
    beside the new one (the recipe's previous version), so the next PR-mode run reads
    both sides from the cache."""
    path = project.add("pkg", body="x = 1  # MARKER\n")
    with open(path, "rb") as f:
        old = f.read()
    engine.lint([project.packages], config, cwd=project.root)  # caches the old text
    with open(path, "a") as f:
        f.write("    y = 2  # MARKER\n")
    with open(path, "rb") as f:
        new = f.read()
    now = engine.lint([project.packages], config, cwd=project.root)
    assert (now.files_linted, len(now.findings)) == (1, 2)
    then = engine.lint([path], config, cwd=project.root, contents={path: old})
    assert (then.files_cached, len(then.findings)) == (1, 1)  # the previous version, from the cache
    with open(path, "rb") as f:
        assert f.read() == new
    assert engine.lint([project.packages], config, cwd=project.root).files_cached == 1  # new entry intact
    fresh = engine.lint(
        [path], config.override(cache_dir=config.cache_dir + "-other"), cwd=project.root, contents={path: old}
    )
    assert (fresh.files_linted, [f.line for f in fresh.findings]) == (1, [f.line for f in then.findings])


def test_a_changed_dependency_relints_the_recipe_that_read_it(project, config):
    """PESO-D007 reads the dependency's recipe: the dependent's cached result holds only
    while that recipe is unchanged (a new version can satisfy the constraint)."""
    config = config.override(select=["PESO-D007"])
    foo = project.add("foo", body='version("1.0", sha256="%s")\ndepends_on("bar@2:")\n' % ("a" * 64))
    bar = project.add("bar", body='version("1.0", sha256="%s")\n' % ("b" * 64))
    first = engine.lint([project.packages], config, cwd=project.root)
    assert [(f.rule, f.path) for f in first.findings] == [("PESO-D007", foo)]
    again = engine.lint([project.packages], config, cwd=project.root)
    assert (again.files_linted, again.findings) == (0, first.findings)

    with open(bar, "a") as f:
        f.write('    version("2.1", sha256="%s")\n' % ("c" * 64))
    fixed = engine.lint([project.packages], config, cwd=project.root)
    assert fixed.findings == []
    assert fixed.files_linted == 2  # bar itself, and foo that read it
