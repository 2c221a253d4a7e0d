"""Each evidence provider on the files its tool writes: check records, build and test run
records (written with peso.stack.run.records), a source archive in a mirror layout, a staged
source, and installed prefixes with a library compiled here."""

import os

import evidence_data as ed
import pytest
from policy_data import recipe as data_recipe

from peso.errors import PesoError
from peso.policy import evidence
from peso.policy.evidence import build_records, check_records, prefix, recipe_facts, source_tree, test_run_records
from peso.recipe.parse import load_recipe
from peso.stack.generate.check import read_record


def by_fact(observations):
    return {(o.package, o.fact): o for o in observations}


def test_check_records_give_a_verdict_per_root_and_target(tmp_path):
    env = tmp_path / "environments" / "frontier"
    env.mkdir(parents=True)
    (env / "spack.yaml").write_text("spack: {specs: []}\n")
    path = env / "check.jsonl"
    ed.write_check_record(path, {"hypre +rocm amdgpu_target=gfx90a": True, "chapel +rocm": False})
    ed.write_check_record(path, {"builtin.zfp@1.0": True})
    with open(path, "a") as f:
        f.write('{"spec": "cut sh')  # a line cut short by a killed run is skipped, as --resume skips it
    assert len(read_record(str(path))) == 3  # the stack's own reader agrees on the lines
    found = {o.package: o for o in check_records.read([str(path)])}
    assert found["hypre"].value == "ok" and found["hypre"].target == "frontier"
    assert found["hypre"].source.endswith("check.jsonl:1 (hypre +rocm amdgpu_target=gfx90a)")
    assert found["chapel"].value == "failed" and "hip@6.0:6.3" in found["chapel"].detail
    assert found["zfp"].value == "ok" and found["zfp"].date
    # outside an environment folder the file name names the target
    other = tmp_path / "check-aurora.jsonl"
    ed.write_check_record(other, {"zfp": True})
    assert check_records.read([str(other)])[0].target == "aurora"


def test_bad_check_record_line_is_a_one_line_error(tmp_path):
    path = tmp_path / "check-x.jsonl"
    path.write_text('{"spec": "zfp", "ok": true}\n{"spec": "zfp"}\n')
    with pytest.raises(PesoError) as e:
        check_records.read(evidence.discover([str(path)]).check_records)
    assert str(path) in str(e.value) and "line 2" in str(e.value)
    # other JSON-lines files met while walking a folder are not check records
    (tmp_path / "events.jsonl").write_text('{"event": "start"}\n')
    assert evidence.discover([str(tmp_path)]).check_records == [str(path)]


def test_build_record_built_failed_and_blocked(tmp_path):
    ed.write_build_record(
        tmp_path,
        {
            "szx": "BUILT",
            "alpaka": ("BUILD_FAILED", "ProcessError: exit 2"),
            "exampm": ("BUILD_FAILED", "dependency failed to build: alpaka"),
        },
    )
    found = by_fact(build_records.read([str(tmp_path / "build.json")]))
    assert found[("szx", "build")].value == "built"
    assert found[("alpaka", "build")].value == "failed" and "exit 2" in found[("alpaka", "build")].detail
    # a dependency's failure decides nothing about the product itself
    assert found[("exampm", "build")].value == "blocked"
    assert found[("szx", "build")].source.endswith("build.json (szx@1.0/aaaaaaa)")
    assert found[("szx", "build.hash")].value == "a" * 32


def test_test_records_tell_vacuous_passes_from_real_ones(tmp_path):
    path = ed.write_test_record(
        tmp_path,
        {
            "szx": ("PASSED", [ed.part("test_cli", "PASSED"), ed.part("test_fortran", "SKIPPED")]),
            "alpaka": ("PASSED", [ed.part("test_a", "SKIPPED")]),  # Spack says PASSED, nothing ran
            "exampm": ("FAILED", [ed.part("test_run", "FAILED")]),
            "peso-ev-lib": ("PASSED_VACUOUS", [ed.part("test_imports", "PASSED")]),
        },
    )
    found = {o.package: o for o in test_run_records.read([path])}
    assert found["szx"].value == "passed" and "test_cli PASSED" in found["szx"].detail
    assert found["alpaka"].value == "vacuous" and "no part actually passed" in found["alpaka"].detail
    assert found["exampm"].value == "failed"
    assert found["peso-ev-lib"].value == "vacuous" and "marks it vacuous" in found["peso-ev-lib"].detail
    # the lead's flag spelling on a PASSED row counts too
    row = {"status": "PASSED", "vacuous": True, "parts": [ed.part("test_imports", "PASSED")]}
    assert test_run_records.value_of(row) == "vacuous"


def test_recipe_facts_see_patches_and_edits(tmp_path):
    clean = ed.recipe_repo(tmp_path / "a", "peso-ev-lib", "0" * 64)
    patched = ed.recipe_repo(tmp_path / "b", "peso-ev-lib", "0" * 64, extra='    patch("fix.patch", when="@1.0")\n')
    facts = [o for o in recipe_facts.read({"peso-ev-lib": clean}) if o.fact == "recipe.changes_source"]
    assert facts[0].value == "no"
    facts = [o for o in recipe_facts.read({"peso-ev-lib": patched}) if o.fact == "recipe.changes_source"]
    assert facts[0].value == "yes" and facts[0].source.endswith("package.py:18")
    # a patch(self) method changes the staged source as much as a patch file does
    method = ed.recipe_repo(tmp_path / "c", "peso-ev-lib", "0" * 64, extra="\n    def patch(self):\n        pass\n")
    changed = [o for o in recipe_facts.read({"peso-ev-lib": method}) if o.fact == "recipe.changes_source"]
    assert changed[0].value == "yes"
    # a class derived from another package's class: its patches are elsewhere, so nothing is said
    derived = ed.recipe_repo(tmp_path / "d", "peso-ev-lib", "0" * 64)
    text = (
        open(derived)
        .read()
        .replace(
            "from spack.package import *\n",
            "from spack.package import *\nfrom spack_repo.builtin.packages.hdf5.package import Hdf5\n",
        )
        .replace("(CMakePackage)", "(Hdf5)")
    )
    open(derived, "w").write(text)
    assert recipe_facts.read({"peso-ev-lib": derived}) == []


def test_source_archive_matched_through_the_recipe_checksum(tmp_path):
    mirror = tmp_path / "mirror"
    sha = ed.source_archive(
        mirror,
        "peso-ev-lib-1.0",
        {
            "README.md": "# lib\n",
            "LICENSE": ed.MIT,
            "CHANGELOG.md": "1.0\n",
            "doc/index.md": "docs\n",
            ".gitignore": "build/\n",
            "third_party/zlib/zlib.h": "/* */\n",
        },
    )
    recipe = ed.recipe_repo(tmp_path / "repo", "peso-ev-lib", sha)
    found = evidence.discover([str(mirror)])
    assert list(found.archives) == [sha]
    facts = by_fact(source_tree.read([], found.archives, {"peso-ev-lib": recipe}, []))
    get = lambda fact: facts[("peso-ev-lib", fact)].value  # noqa: E731
    assert get("source.readme") == "present" and get("source.support") == "absent"
    assert get("source.r7_files") == "incomplete"
    assert "SUPPORT" in facts[("peso-ev-lib", "source.r7_files")].detail
    assert get("source.documentation") == "readme-and-docs"
    assert get("source.vendored") == "found"
    # dot-files survived in this archive, so a missing .e4s/e4s.yaml is a real absence
    assert get("source.e4s_metadata") == "absent"
    assert get("source.licence_agrees") == "agrees"
    assert facts[("peso-ev-lib", "source.license_file")].source.endswith(".tar.gz:peso-ev-lib-1.0/LICENSE")
    # the same text against a recipe that says GPL: a disagreement
    gpl = ed.recipe_repo(tmp_path / "gpl", "peso-ev-lib", sha, licence="GPL-3.0-only")
    facts = by_fact(source_tree.read([], found.archives, {"peso-ev-lib": gpl}, []))
    assert facts[("peso-ev-lib", "source.licence_agrees")].value == "disagrees"


def test_staged_source_without_dot_files_leaves_metadata_unknown(tmp_path):
    stage = tmp_path / "stage" / ("spack-stage-peso-ev-lib-1.0-" + "d" * 32) / "spack-src"
    stage.mkdir(parents=True)
    for name in ("README", "SUPPORT.md", "LICENSE", "NEWS"):
        (stage / name).write_text(ed.MIT if name == "LICENSE" else "x\n")
    recipe = ed.recipe_repo(tmp_path / "repo", "peso-ev-lib", "0" * 64)
    found = evidence.discover([str(tmp_path / "stage")])
    assert len(found.stages) == 1
    facts = by_fact(source_tree.read(found.stages, {}, {"peso-ev-lib": recipe}, []))
    assert facts[("peso-ev-lib", "source.r7_files")].value == "complete"
    assert facts[("peso-ev-lib", "source.e4s_metadata")].value == "unknown"
    assert facts[("peso-ev-lib", "source.documentation")].value == "partial"


def test_licence_families_from_text():
    assert source_tree.licence_families(ed.MIT) == ["MIT"]
    lgpl = "GNU LESSER GENERAL PUBLIC LICENSE Version 3 ... the GNU General Public License"
    assert source_tree.licence_families(lgpl) == ["LGPL", "GPL"]
    assert source_tree.licence_agreement(["LGPL", "GPL"], ["LGPL-3.0-or-later"]) == "agrees"
    assert source_tree.licence_agreement([], ["MIT"]) == "unknown"
    assert source_tree.recipe_licences(load_recipe(data_recipe("exampm"))) == ["BSD-3-Clause"]


def test_prefix_of_a_namespaced_library(tmp_path):
    path = ed.compiled_prefix(
        tmp_path / "install",
        "peso-ev-lib",
        "d" * 32,
        {
            "include/pesoevlib.h": "#define PESOEVLIB_VERSION_MAJOR 1\nint pesoevlib_version(void);\n",
            "include/pesoevlib/detail.h": "/* in a folder */\n",
            "lib/pkgconfig/pesoevlib.pc": "Libs: -lpesoevlib\n",
        },
        "int pesoevlib_version(void) { return 1; }\n",
    )
    found = evidence.discover([str(tmp_path / "install")])
    assert found.prefixes == [path]
    facts = by_fact(prefix.read(found.prefixes))
    get = lambda fact: facts[("peso-ev-lib", fact)].value  # noqa: E731
    assert get("prefix.layout") == "ok"
    assert get("prefix.namespacing") == "namespaced"
    assert get("prefix.symbols") == "namespaced"
    assert get("prefix.export") == "present"
    assert get("prefix.version_macros") == "present"
    assert facts[("peso-ev-lib", "prefix.version_macros")].source.endswith("include/pesoevlib.h:1")
    assert get("prefix.terminate") == "clean"
    assert get("prefix.settings") == "untouched"
    assert get("prefix.version_api") == "found"
    assert get("prefix.arch_family") == "x86_64"


def test_exported_symbols_and_macros_without_the_products_name(tmp_path):
    """Header and library names can carry the product's name while the symbols do not."""
    path = ed.compiled_prefix(
        tmp_path / "install",
        "peso-ev-lib",
        "d" * 32,
        {"include/pesoevlib.h": "#define MAXLEN 10\nint pesoevlib_f(void);\n"},
        "static int local_helper(void) { return 1; }\n"
        "int pesoevlib_f(void) { return local_helper(); }\nint dgstrf(void) { return 2; }\n",
    )
    facts = by_fact(prefix.read([path]))
    assert facts[("peso-ev-lib", "prefix.namespacing")].value == "namespaced"
    symbols = facts[("peso-ev-lib", "prefix.symbols")]
    assert symbols.value == "unclear"
    # the exported C function and the macro are named; a static (local) function is not exported
    assert "2 of 3" in symbols.detail and "MAXLEN" in symbols.detail and "dgstrf" in symbols.detail
    assert "local_helper" not in symbols.detail


def test_a_library_changing_signal_or_fpe_settings(tmp_path):
    """M6: importing signal() or setting the SSE control register directly both count."""
    by_call = ed.compiled_prefix(
        tmp_path / "a",
        "peso-ev-lib",
        "d" * 32,
        {"include/pesoevlib.h": "int f(void);\n"},
        "#include <signal.h>\nint pesoevlib_f(void) { signal(SIGINT, SIG_IGN); return 0; }\n",
    )
    facts = by_fact(prefix.read([by_call]))
    assert facts[("peso-ev-lib", "prefix.settings")].value == "changes"
    assert "lib/libpesoevlib.so uses signal" in facts[("peso-ev-lib", "prefix.settings")].detail
    by_register = ed.compiled_prefix(
        tmp_path / "b",
        "peso-ev-lib",
        "d" * 32,
        {"include/pesoevlib.h": "int f(void);\n"},
        'void pesoevlib_ftz(unsigned int csr) { __asm__ volatile("ldmxcsr %0" : : "m"(csr)); }\n',
    )
    facts = by_fact(prefix.read([by_register]))
    assert facts[("peso-ev-lib", "prefix.settings")].value == "changes"
    assert "ldmxcsr" in facts[("peso-ev-lib", "prefix.settings")].detail


def test_prefix_with_generic_names_and_exit(tmp_path):
    path = ed.compiled_prefix(
        tmp_path / "install",
        "peso-ev-lib",
        "d" * 32,
        {"include/utils.h": "int f(void);\n", "include/peso_ev_lib.h": "int f(void);\n"},
        "#include <stdlib.h>\nint f(void) { exit(3); }\n",
        libname="util",
    )
    facts = by_fact(prefix.read([path]))
    assert facts[("peso-ev-lib", "prefix.namespacing")].value == "generic"
    assert "include/utils.h" in facts[("peso-ev-lib", "prefix.namespacing")].detail
    assert facts[("peso-ev-lib", "prefix.terminate")].value == "calls"
    assert "lib/libutil.so imports exit" in facts[("peso-ev-lib", "prefix.terminate")].detail
    assert facts[("peso-ev-lib", "prefix.export")].value == "absent"
    assert facts[("peso-ev-lib", "prefix.version_macros")].value == "absent"


def test_prefix_of_a_tool_and_of_a_misplaced_layout(tmp_path):
    tool = ed.compiled_prefix(tmp_path / "install", "peso-ev-tool", "f" * 32, {"bin/peso-ev-tool": "#!/bin/sh\n"}, None)
    facts = by_fact(prefix.read([tool]))
    assert facts[("peso-ev-tool", "prefix.layout")].value == "nothing"
    assert facts[("peso-ev-tool", "prefix.namespacing")].value == "nothing"
    odd = ed.compiled_prefix(
        tmp_path / "install2",
        "peso-ev-lib",
        "d" * 32,
        {"peso_ev_lib.h": "int f(void);\n"},
        "int f(void) { return 0; }\n",
    )
    facts = by_fact(prefix.read([odd]))
    assert facts[("peso-ev-lib", "prefix.layout")].value == "misplaced"
    # only the prefixes of the recorded builds count when a build record names hashes
    assert prefix.read([odd], {"peso-ev-lib": {"0" * 32}}) == []


def test_missing_evidence_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(PesoError) as e:
        evidence.discover([str(tmp_path / "nope")])
    assert "--evidence" in str(e.value) and "nope" in str(e.value)


def test_collect_reads_a_whole_run_folder_in_the_ladders_vocabulary(tmp_path):
    from peso.policy.ladder import vocabulary

    mirror = tmp_path / "work" / "source-cache"
    sha = ed.source_archive(mirror, "peso-ev-lib-1.0", {"README": "x", "LICENSE": ed.MIT, ".github/x": "y"})
    recipe = ed.recipe_repo(tmp_path / "repo", "peso-ev-lib", sha)
    out = tmp_path / "work" / "out"
    ed.write_build_record(out, {"peso-ev-lib": "BUILT"})
    ed.write_test_record(out, {"peso-ev-lib": ("PASSED", [ed.part("test_x", "PASSED")])})
    ed.write_check_record(tmp_path / "work" / "check-host.jsonl", {"peso-ev-lib": True, "other": True})
    ed.compiled_prefix(
        tmp_path / "work" / "install",
        "peso-ev-lib",
        "d" * 32,
        {"include/pesoevlib.h": "#define PESOEVLIB_VERSION 1\n"},
        "int pesoevlib_f(void) { return 0; }\n",
    )
    # an older install of the same package, not the recorded build: not evidence for it
    ed.compiled_prefix(tmp_path / "work" / "install", "peso-ev-lib", "9" * 32, {"utils.h": ""}, None)
    found = evidence.collect([str(tmp_path / "work")], {"peso-ev-lib": recipe})
    observations = found.of("peso-ev-lib")
    assert found.of("other") == []  # not a product of this report
    facts = {o.fact for o in observations}
    assert {"concretize", "build", "test", "source.r7_files", "prefix.layout", "recipe.changes_source"} <= facts
    assert [o.value for o in observations if o.fact == "prefix.layout"] == ["ok"]
    words = vocabulary()
    for o in observations:
        assert o.fact in words, o.fact
        assert not words[o.fact] or o.value in words[o.fact], (o.fact, o.value)


def test_prefix_macros_lib64_and_versioned_names(tmp_path):
    # a string version macro cannot be compared with #if; TRUE is a macro any product could define
    strings = ed.compiled_prefix(
        tmp_path / "a",
        "peso-ev-lib",
        "d" * 32,
        {"include/pesoevlib.h": '#define PESOEVLIB_VERSION "1.0"\n#ifndef TRUE\n#define TRUE 1\n#endif\n'},
        None,
    )
    facts = by_fact(prefix.read([strings]))
    assert facts[("peso-ev-lib", "prefix.version_macros")].value == "string-only"
    assert facts[("peso-ev-lib", "prefix.namespacing")].value == "generic"
    assert "defines TRUE" in facts[("peso-ev-lib", "prefix.namespacing")].detail
    lib64 = ed.compiled_prefix(tmp_path / "b", "peso-ev-lib", "d" * 32, {}, "int pesoevlib_f(void) { return 0; }\n")
    os.rename(os.path.join(lib64, "lib"), os.path.join(lib64, "lib64"))
    assert by_fact(prefix.read([lib64]))[("peso-ev-lib", "prefix.layout")].value == "lib64"
    versioned = ed.compiled_prefix(tmp_path / "c", "peso-ev-lib", "d" * 32, {"include/pesoevlib-1.0.h": ""}, None)
    assert by_fact(prefix.read([versioned]))[("peso-ev-lib", "prefix.layout")].value == "versioned-name"


def test_support_file_names_a_contact_or_not(tmp_path):
    recipe = ed.recipe_repo(tmp_path / "repo", "peso-ev-lib", "0" * 64)
    for text, value in (("Ask us at peso-dev@example.org\n", "documented"), ("Be nice.\n", "unclear")):
        stage = tmp_path / text[:3] / ("spack-stage-peso-ev-lib-1.0-" + "d" * 32) / "spack-src"
        stage.mkdir(parents=True)
        (stage / "SUPPORT.md").write_text(text)
        facts = by_fact(source_tree.read([str(stage.parent)], {}, {"peso-ev-lib": recipe}, []))
        assert facts[("peso-ev-lib", "source.contact")].value == value


def test_a_derived_recipe_inherits_its_parents_stand_alone_test_only(tmp_path):
    """A child whose parent recipe sits beside it runs the parent's test_* methods: the
    test fact follows them (runnable or broken); patches and licence stay unknown."""
    repo = tmp_path / "repo"
    parent = repo / "packages" / "peso_parent" / "package.py"
    child = repo / "packages" / "peso_child" / "package.py"
    parent.parent.mkdir(parents=True)
    child.parent.mkdir(parents=True)
    body = (
        '    def test_version(self):\n        """prints its version"""\n'
        "        script_file_path = self.prefix.bin.p\n        which('sh')(%s)\n"
    )
    head = "from spack.package import *\n\n\nclass PesoParent(Package):\n    url = 'https://e.org/p-1.0.tar.gz'\n\n"
    child.write_text(
        "from spack_repo.peso.packages.peso_parent.package import PesoParent\n\nfrom spack.package import *\n\n\n"
        "class PesoChild(PesoParent):\n    version('1.0', sha256='%s')\n" % ("0" * 64)
    )
    parent.write_text(head + body % "f'{script_file_path}'")
    (fact,) = recipe_facts.read({"peso-child": str(child)})
    assert (fact.fact, fact.value) == ("recipe.standalone_test", "runnable")
    assert "inherited from PesoParent" in fact.detail
    # the parent's only test passes a placeholder never formatted: broken, inherited as such
    parent.write_text(head + body % "'{script_file_path}'")
    (fact,) = recipe_facts.read({"peso-child": str(child)})
    assert fact.value == "broken" and "script_file_path" in fact.detail
    # a parent that is not beside it is not followed: nothing is said
    parent.unlink()
    assert recipe_facts.read({"peso-child": str(child)}) == []
