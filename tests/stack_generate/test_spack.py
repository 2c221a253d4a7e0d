"""The real Spack accepts every rendered stack (its own environment schema and config
loading), and concretizes a small off-target subset. The full-size concretizations are
recorded in the README (they take tens of minutes each)."""

import json
import os

from peso.spackcall.compat import schema_has_groups
from peso.stack.generate.check import check_environment, check_schema
from peso.stack.generate.environment import generate
from peso.stack.generate.model import target_names


def test_every_rendered_stack_passes_spack_schema(spack, envdir):
    for name in target_names(envdir):
        ok, error = check_schema(os.path.join(envdir, name), spack=spack.exe, env=spack.env)
        assert ok, "%s: %s" % (name, error)


def test_spack_rejects_a_broken_stack(spack, envdir, tmp_path):
    text = open(os.path.join(envdir, "frontier", "spack.yaml")).read()
    (tmp_path / "spack.yaml").write_text(text.replace("view: false", "view: 12"))
    ok, error = check_schema(str(tmp_path), spack=spack.exe, env=spack.env)
    assert not ok and "12" in error


def test_group_probe_reads_schema_shapes():
    assert not schema_has_groups({"properties": {"specs": {"items": {"anyOf": [{"type": "string"}]}}}})
    assert schema_has_groups(
        {
            "properties": {
                "specs": {
                    "items": {"anyOf": [{"type": "object", "properties": {"group": {}, "specs": {}, "override": {}}}]}
                }
            }
        }
    )


def test_small_subset_concretizes_off_target(spack, envdir, tmp_path):
    """frontier is zen3 + MI250X; this host is whatever it is: host_compatible: false lets
    Spack concretize for the target anyway, with the profile's externals."""
    out = tmp_path / "frontier"
    generate("frontier", envdir=envdir, only=["zfp", "papi"], out_dir=str(out), fmt="definitions")
    result = check_environment(str(out), jobs=2, timeout=1800, spack=spack.exe, env=spack.env)
    assert result.schema_ok, result.schema_error
    assert result.concretized, "\n".join(result.failures) or result.log[-3000:]
    lock = json.load(open(out / "spack.lock"))
    nodes = lock["concrete_specs"].values()
    assert result.roots == 3  # zfp, papi (cpu) + papi +rocm (zfp has no rocm flavour)

    def target(n):
        t = n["arch"]["target"]
        return t["name"] if isinstance(t, dict) else t

    assert {target(n) for n in nodes if not n.get("external")} == {"zen3"}
    gcc = [n for n in nodes if n["name"] == "gcc"]
    assert gcc and all(n["external"]["path"] == "/opt/cray/pe/gcc/12.2.0" for n in gcc)
    papi_rocm = [n for n in nodes if n["name"] == "papi" and n["parameters"].get("rocm")]
    assert papi_rocm and papi_rocm[0]["parameters"]["amdgpu_target"] == ["gfx90a"]
    hip = [n for n in nodes if n["name"] == "hip"]
    assert hip and all(n.get("external", {}).get("path") == "/opt/rocm-6.2.4" for n in hip)


def test_each_reports_every_failing_spec(spack, envdir, tmp_path):
    """`--check` gives every root a verdict: good roots are proved in one batched
    solve, a bad one is retried alone and reported by name with Spack's reason, and
    `--resume` reuses the record instead of solving again. neoverse_v2 is aarch64: checked
    from an x86_64 machine, the roots still concretize for the profile's target."""
    import platform

    from peso.stack.generate.check import concretize_each

    out = tmp_path / "x"
    generate("neoverse_v2", envdir=envdir, only=["zfp"], out_dir=str(out), fmt="definitions")
    text = (
        (out / "spack.yaml")
        .read_text()
        .replace("- cuda_specs: [zfp +cuda cuda_arch=90]", "- cuda_specs: [zlib-ng, zfp@0.0.1, zfp +nonsense]")
    )  # zfp itself is the CPU root
    assert "- cpu_specs: [zfp]" in text
    (out / "spack.yaml").write_text(text)
    record = tmp_path / "each.jsonl"
    heard = []
    results = concretize_each(
        str(out),
        spack=spack.exe,
        jobs=1,
        timeout=1200,
        env=spack.env,
        record=str(record),
        batch=4,
        on_progress=lambda event, **info: heard.append((event, info)),
    )
    by_spec = {r["spec"]: r for r in results}
    assert len(results) == 4
    verdicts = [info for event, info in heard if event == "verdict"]  # one per root, as it comes
    assert sorted(v["item"]["spec"] for v in verdicts) == sorted(by_spec)
    assert (verdicts[-1]["done"], verdicts[-1]["total"], verdicts[-1]["failed"]) == (4, 4, 2)
    batches = [info for event, info in heard if event == "batch"]  # one line per batch: n of m
    assert [(b["batch"], b["batches"], b["done"]) for b in batches] == [(1, 1, 4)]
    assert results.total == 4 and results.why == ""
    for good in ("zfp", "zlib-ng"):
        assert by_spec[good]["ok"] and by_spec[good]["mode"] == "batch", by_spec[good]
        assert by_spec[good]["target"] == "neoverse_v2", (platform.machine(), by_spec[good])
    bad_version = by_spec["zfp@0.0.1"]
    assert not bad_version["ok"] and bad_version["mode"] == "alone" and "zfp" in bad_version["error"]
    nonsense = by_spec["zfp+nonsense"]
    assert not nonsense["ok"] and nonsense["mode"] == "alone" and "nonsense" in nonsense["error"]
    assert len(record.read_text().splitlines()) == 4

    again = concretize_each(
        str(out), spack=spack.exe, jobs=1, timeout=1200, env=spack.env, record=str(record), resume=True
    )
    assert {r["spec"]: r["ok"] for r in again} == {r["spec"]: r["ok"] for r in results}
    assert len(record.read_text().splitlines()) == 4  # nothing solved again

    fewer = text.replace("zlib-ng, ", "")  # fewer roots, same configuration: still no solve
    (out / "spack.yaml").write_text(fewer)
    again = concretize_each(
        str(out), spack=spack.exe, jobs=1, timeout=1200, env=spack.env, record=str(record), resume=True
    )
    assert sorted(r["spec"] for r in again) == ["zfp", "zfp+nonsense", "zfp@0.0.1"]
    assert len(record.read_text().splitlines()) == 4

    assert "deprecated: true" not in fewer  # another configuration: no reuse
    (out / "spack.yaml").write_text(fewer.replace("spack:\n", "spack:\n  config: {deprecated: true}\n", 1))
    fresh = concretize_each(
        str(out), spack=spack.exe, jobs=2, timeout=1200, env=spack.env, record=str(record), resume=True, batch=1
    )
    assert sorted(r["spec"] for r in fresh) == ["zfp", "zfp+nonsense", "zfp@0.0.1"]
    assert all(r["mode"] == "alone" for r in fresh)
    assert {r["spec"]: r["ok"] for r in fresh}["zfp"] is True


def test_check_command_gives_verdicts_and_resumes(spack, repo_root, tmp_path):
    """`stack generate --check --record F` as a user runs it; a second run with --resume
    answers from the record (nothing left to solve), and its exit status is still 0."""
    import subprocess
    import sys

    env = dict(spack.env, PATH=os.path.dirname(spack.exe) + os.pathsep + os.environ.get("PATH", ""))
    record = tmp_path / "check.jsonl"
    argv = [
        sys.executable,
        "-m",
        "peso",
        "stack",
        "generate",
        "--target=x86_64_v3",
        "--only",
        "zfp",
        "-o",
        str(tmp_path / "x"),
        "--format",
        "definitions",
        "--check",
        "--record",
        str(record),
    ]
    first = subprocess.run(argv, capture_output=True, text=True, cwd=repo_root, env=env, timeout=1200)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 of 1 roots have a verdict, 1 ok, 0 failed" in first.stdout + first.stderr
    assert "batch 1/1 solved: 1/1 roots have a verdict (0 failed)" in first.stderr  # progress, on stderr
    assert json.loads(record.read_text())["target"] == "x86_64_v3"
    again = subprocess.run(argv + ["--resume"], capture_output=True, text=True, cwd=repo_root, env=env, timeout=1200)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 of 1 roots have a verdict" in again.stdout + again.stderr
    assert len(record.read_text().splitlines()) == 1


def test_roots_left_without_a_verdict_always_say_why(spack, envdir, tmp_path):
    """A Spack that cannot even read the environment answers for no root: the shortfall
    names the solver process's exit status and Spack's own last line, never a bare count."""
    from peso.stack.generate.check import concretize_each

    out = tmp_path / "x"
    generate("x86_64_v3", envdir=envdir, only=["zfp"], out_dir=str(out), fmt="definitions")
    (out / "spack.yaml").write_text((out / "spack.yaml").read_text().replace("[zfp]", "[zfp@@@]"))
    results = concretize_each(str(out), spack=spack.exe, jobs=1, timeout=1200, env=spack.env)
    assert list(results) == [] and results.total is None
    assert results.why.startswith("a Spack solver process exited with status "), results.why
    assert "zfp@@@" in results.why or "Error" in results.why, results.why
