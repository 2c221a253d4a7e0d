"""The ``--record`` file that lets a long ``--check`` run resume across sessions."""

import json
import os
import subprocess
import sys

from peso.stack.generate.check import read_record, stack_fingerprint


def test_record_keeps_only_this_stack_and_survives_a_cut_line(tmp_path):
    (tmp_path / "spack.yaml").write_text("spack:\n  specs: [zfp]\n")
    mine = stack_fingerprint(str(tmp_path))
    record = tmp_path / "each.jsonl"
    lines = [
        {"spec": "zfp", "ok": False, "error": "first try", "stack": mine},
        {"spec": "zfp", "ok": True, "error": "", "stack": mine},  # the later verdict wins
        {"spec": "papi", "ok": True, "error": "", "stack": "another-stack"},
    ]
    record.write_text("".join(json.dumps(x) + "\n" for x in lines) + '{"spec": "hyp')
    known = read_record(str(record), mine)
    assert list(known) == ["zfp"] and known["zfp"]["ok"] is True
    assert read_record(str(tmp_path / "missing.jsonl"), mine) == {}

    # other roots do not change a root's verdict (unify: false); configuration does
    (tmp_path / "spack.yaml").write_text("# header\nspack:\n  definitions:\n  - a: [papi]\n  specs: [zfp, $a]\n")
    assert stack_fingerprint(str(tmp_path)) == mine
    (tmp_path / "spack.yaml").write_text("spack:\n  specs: [zfp]\n  concretizer: {reuse: true}\n")
    assert stack_fingerprint(str(tmp_path)) != mine
    groups = "spack:\n  specs:\n  - group: g\n    specs: [zfp]\n    override: {%s}\n"
    (tmp_path / "spack.yaml").write_text(groups % "packages: {}")
    with_groups = stack_fingerprint(str(tmp_path))
    (tmp_path / "spack.yaml").write_text(groups % "concretizer: {reuse: true}")
    assert stack_fingerprint(str(tmp_path)) not in (with_groups, mine)


def test_resume_needs_a_record(repo_root, tmp_path):
    proc = subprocess.run(
        [
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
            "--check",
            "--resume",
        ],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode != 0
    assert "--resume needs --record" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def _plan_spec(envdir, target, product, flavor):
    from peso.stack.generate.model import find_target, load_catalog
    from peso.stack.generate.plan import make_plan

    plan = make_plan(load_catalog(os.path.join(envdir, "catalog", "e4s.yaml")), find_target(target, envdir))
    return next(e.spec for e in plan if e.product == product and e.flavor == flavor)


def test_spec_key_matches_spacks_spelling_of_our_specs():
    from peso.stack.generate.known_issues import spec_key

    assert spec_key("zfp +cuda cuda_arch=90") == spec_key("zfp+cuda cuda_arch=90")
    assert spec_key("libfabric fabrics='sockets,tcp' ~cuda") == spec_key("libfabric~cuda fabrics:=sockets,tcp")
    assert spec_key("zfp +cuda") != spec_key("zfp ~cuda")
    assert spec_key("paraview ^[virtuals=gl] osmesa") != spec_key("paraview")


def test_failures_become_known_issues_for_the_right_flavour(envdir, tmp_path):
    from peso.stack.generate.known_issues import issues_from_record, merge_issues

    rocm = _plan_spec(envdir, "frontier", "amrex", "rocm")  # ours: "amrex +rocm amdgpu_target=gfx90a"
    spacks = rocm.replace(" +", "+")
    record = tmp_path / "each.jsonl"
    lines = [
        {"spec": "amrex", "ok": True, "error": ""},
        {
            "spec": spacks,
            "ok": False,
            "spack": "1.2.0.dev0",
            "error": "failed to concretize `amrex` for the following reasons: 1. hip is not buildable",
        },
        {"spec": "zfp", "ok": False, "error": "first verdict"},
        {"spec": "zfp", "ok": True, "error": ""},  # a later success clears it
        {"spec": "nosuchproduct", "ok": False, "error": "x"},
    ]
    record.write_text("".join(json.dumps(x) + "\n" for x in lines))
    issues, unmatched = issues_from_record(
        str(record), "frontier", os.path.join(envdir, "catalog", "e4s.yaml"), today="2026-11-24"
    )
    assert unmatched == ["nosuchproduct"]
    assert issues == [
        {
            "product": "amrex",
            "when": {"target": ["frontier"], "backend": ["rocm"]},
            "reason": "concretizer: 1. hip is not buildable",
            "source": "spack peso stack generate --target=frontier --check; Spack 1.2.0.dev0",
            "date": "2026-11-24",
            "action": "skip",
        }
    ]

    issues_file = tmp_path / "extra.yaml"
    issues_file.write_text(
        "# found by spack-peso\nissues:\n- product: zfp\n  when: {target: [aurora]}\n"
        "  reason: old\n  source: x\n  date: '2026-11-01'\n  action: skip\n"
    )
    assert merge_issues(str(issues_file), issues) == (1, 1)
    assert merge_issues(str(issues_file), issues) == (1, 1)  # same product and when: replaced
    text = issues_file.read_text()
    assert text.startswith("# found by spack-peso\n")
    assert text.count("product: amrex") == 1 and "product: zfp" in text


def test_known_issues_command_prints_and_rejects_a_bad_record(repo_root, tmp_path):
    record = tmp_path / "each.jsonl"
    record.write_text('{"spec": "zfp", "ok": false, "error": "boom"}\n')
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "known-issues", "--target=x86_64_v3", "--record", str(record)],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode == 0, proc.stderr
    import yaml

    issues = yaml.safe_load(proc.stdout)["issues"]
    assert [(i["product"], i["when"], i["reason"]) for i in issues] == [
        ("zfp", {"target": ["x86_64_v3"], "backend": ["cpu"]}, "concretizer: boom")
    ]
    record.write_text('["not", "a", "record"]\n')
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "stack", "known-issues", "--target=x86_64_v3", "--record", str(record)],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert proc.returncode != 0 and "each.jsonl" in proc.stderr and "line 1" in proc.stderr
