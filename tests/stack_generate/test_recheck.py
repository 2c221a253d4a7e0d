"""``stack known-issues --recheck``: every skipped product re-tested with the concretizer."""

import os
import subprocess
import sys

import pytest
import yaml

from peso.stack.generate.model import load_catalog, load_target
from peso.stack.generate.recheck import (
    CANNOT_DECIDE,
    NEEDS_BUILD,
    NOW_CONCRETIZES,
    SITE_CHOICE,
    STILL_FAILS,
    reason_kind,
    recheck_stack,
    skipped_entries,
    verdicts,
)

CATALOGUE = """schema: peso-catalog/v1
products:
- name: zfp
  spec: zfp
  gpu: {cuda: {}}
  known_issues:
  - {when: {target: [T]}, reason: commented out (no reason given), source: stacks/e4s, date: 2026-07-01, action: skip}
- name: papi
  spec: papi +nosuchvariant
  known_issues:
  - {when: {target: [T]}, reason: 'papi.c:12: error: old compile failure', source: stacks/e4s, date: 2026-07-01, action: skip}
- name: upcxx
  spec: upcxx
  gpu: {cuda: {}}
  known_issues:
  - {when: {backend: [cuda]}, reason: 'upcxx: needs NVIDIA driver', source: e4s, date: 2026-07-01, action: skip}
- {name: hdf5, spec: hdf5}
"""


def _setup(tmp_path, envdir, target):
    root = tmp_path / "env"
    (root / "targets").mkdir(parents=True)
    (root / "catalog").mkdir()
    with open(os.path.join(envdir, "targets", target + ".yaml"), encoding="utf-8") as f:
        (root / "targets" / (target + ".yaml")).write_text(f.read())
    (root / "catalog" / "e4s.yaml").write_text(CATALOGUE.replace("[T]", "[%s]" % target))
    return root


def test_verdicts_from_the_concretizer(tmp_path, envdir):
    root = _setup(tmp_path, envdir, "neoverse_v2")
    target = load_target(str(root / "targets" / "neoverse_v2.yaml"))
    skipped = skipped_entries(load_catalog(str(root / "catalog" / "e4s.yaml")), target)
    assert [(w.product, w.flavor, w.spec) for w, _ in skipped] == [
        ("zfp", "cpu", "zfp"),
        ("zfp", "cuda", "zfp +cuda cuda_arch=90"),
        ("papi", "cpu", "papi +nosuchvariant"),
        ("upcxx", "cuda", "upcxx +cuda cuda_arch=90"),
    ]
    results = [
        {"spec": "zfp", "ok": True},
        {
            "spec": "zfp+cuda cuda_arch=90",
            "ok": False,
            "error": "failed to concretize `zfp` for the following reasons: 1. no",
        },
        {"spec": "papi+nosuchvariant", "ok": True},
        {"spec": "upcxx+cuda cuda_arch=90", "ok": True},
    ]
    rows = verdicts(skipped, results, target, host="x86_64")
    assert [(r["product"], r["flavor"], r["verdict"], r["spack"]) for r in rows] == [
        ("zfp", "cpu", NOW_CONCRETIZES, "concretizes"),
        ("zfp", "cuda", STILL_FAILS, "1. no"),
        ("papi", "cpu", CANNOT_DECIDE, "concretizes"),
        ("upcxx", "cuda", CANNOT_DECIDE, "concretizes"),
    ]
    assert rows[2]["why"] == "a build error on aarch64; this machine is x86_64"
    same_family = verdicts(skipped, results, target, host="aarch64")
    # on the target's own family a build could decide it; a solve does not refute it
    assert same_family[2]["verdict"] == NEEDS_BUILD and "building `papi +nosuchvariant`" in same_family[2]["why"]
    assert same_family[3]["verdict"] == CANNOT_DECIDE  # a driver is never decided here


def test_reason_kinds_from_the_reason_text():
    def kind(reason, source="stacks/e4s"):
        return reason_kind({"reason": reason, "source": source})

    assert kind("skipped, installed by other means") == "site_choice"
    assert kind("a site choice: py-torch is installed outside Spack") == "site_choice"
    assert kind("needs an NVIDIA driver") == "driver"
    assert kind("CMake Error: Could NOT find IntelSYCL (missing: SYCL_INCLUDE_DIR)") == "build_error"
    assert kind("the build stops at a missing RAJA namespace") == "build_error"
    assert kind('Cannot select a single "version" for package "lbann"') == "concretizer"
    # a reason a --check run recorded is the concretizer's, whatever it quotes
    assert kind("x.c:3: error: y", source="spack peso stack generate --check") == "concretizer"


def test_a_site_choice_is_never_proposed_for_removal(tmp_path, envdir):
    root = _setup(tmp_path, envdir, "neoverse_v2")
    target = load_target(str(root / "targets" / "neoverse_v2.yaml"))
    skipped = skipped_entries(load_catalog(str(root / "catalog" / "e4s.yaml")), target)
    would, issue = skipped[0]
    choice = dict(issue, reason="skipped, installed by other means")
    (row,) = verdicts([(would, choice)], [{"spec": "zfp", "ok": True}], target, host="aarch64")
    assert row["verdict"] == SITE_CHOICE and row["spack"] == "concretizes"


def test_recheck_stack_keeps_the_configuration_and_only_the_skipped_roots(tmp_path, envdir):
    root = _setup(tmp_path, envdir, "neoverse_v2")
    target = load_target(str(root / "targets" / "neoverse_v2.yaml"))
    catalog = load_catalog(str(root / "catalog" / "e4s.yaml"))
    path = recheck_stack(catalog, target, skipped_entries(catalog, target), str(tmp_path / "stack"))
    spack = yaml.safe_load(open(path))["spack"]
    assert spack["definitions"] == [
        {"cpu_specs": ["zfp", "papi +nosuchvariant"]},
        {"cuda_specs": ["zfp +cuda cuda_arch=90", "upcxx +cuda cuda_arch=90"]},
    ]
    assert spack["packages"]["all"]["require"] == ["target=neoverse_v2"]


def test_recheck_with_the_real_concretizer(spack, tmp_path, envdir, repo_root):
    """Two roots, one batch: the one that concretizes and the one Spack still rejects."""
    root = _setup(tmp_path, envdir, "x86_64_v3")
    out = tmp_path / "recheck.yaml"
    env = dict(os.environ, PESO_ENVIRONMENTS=str(root))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "peso",
            "stack",
            "known-issues",
            "--recheck",
            "--target=x86_64_v3",
            "-o",
            str(out),
            "--record",
            str(tmp_path / "r.jsonl"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr
    report = yaml.safe_load(out.read_text())
    rows = {r["product"]: r for r in report["skips"]}
    assert rows["zfp"]["verdict"] == NOW_CONCRETIZES
    assert rows["papi"]["verdict"] == STILL_FAILS and "nosuchvariant" in rows["papi"]["spack"]
    assert report["counts"] == {NOW_CONCRETIZES: 1, STILL_FAILS: 1}
    assert "zfp [cpu]: now-concretizes" in proc.stdout


def test_a_root_without_a_verdict_says_why_and_an_only_with_nothing_to_recheck_is_refused(tmp_path, envdir):
    from peso.errors import PesoError
    from peso.stack.generate.recheck import recheck

    root = _setup(tmp_path, envdir, "neoverse_v2")
    target = load_target(str(root / "targets" / "neoverse_v2.yaml"))
    skipped = skipped_entries(load_catalog(str(root / "catalog" / "e4s.yaml")), target)
    rows = verdicts(skipped, [], target, host="x86_64", why="the --timeout of 5 s ran out")
    assert {r["verdict"] for r in rows} == {"no-verdict"}
    assert rows[0]["spack"] == "the concretizer gave no verdict: the --timeout of 5 s ran out"
    catalog = str(root / "catalog" / "e4s.yaml")
    with pytest.raises(PesoError, match="--only names products not in the catalogue: zpf"):
        recheck(str(root / "targets" / "neoverse_v2.yaml"), catalog, only=["zpf"])
    with pytest.raises(PesoError, match="no known issue skips these products on neoverse_v2, nothing to recheck"):
        recheck(str(root / "targets" / "neoverse_v2.yaml"), catalog, only=["hdf5"])
