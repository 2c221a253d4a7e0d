"""`peso policy report` on copied builtin recipes: upstream-shaped YAML per product,
Markdown, an HTML matrix that a headless browser renders, contradictions, --compare."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from peso_testing import dump_dom
from policy_data import EXT, REPO, UPSTREAM_COMPAT

from peso.errors import PesoError
from peso.policy import compare, compat
from peso.policy.definitions import load_policies
from peso.policy.evaluate import FAIL, NEEDS_EVIDENCE, PASS
from peso.stack.generate import envfile


def peso(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "peso", *args], capture_output=True, text=True, cwd=cwd or EXT, timeout=600
    )


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    proc = peso("policy", "report", "szx", "alpaka", "exampm", "--repo", REPO, "-o", str(out), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    return out, proc


def key_paths(node, prefix=""):
    """Every mapping key path of a YAML tree (list items as [])."""
    paths = set()
    if isinstance(node, dict):
        for k, v in node.items():
            paths.add(prefix + "/" + str(k))
            paths |= key_paths(v, prefix + "/" + str(k))
    elif isinstance(node, list):
        for item in node:
            paths |= key_paths(item, prefix + "[]")
    return paths


def test_documents_carry_the_upstream_keys(report_dir):
    out, _ = report_dir
    upstream = yaml.safe_load(open(UPSTREAM_COMPAT))
    wanted = key_paths(upstream)
    docs = sorted(os.listdir(out / "compat"))
    assert docs == ["alpaka.yaml", "exampm.yaml", "szx.yaml"]
    for name in docs:
        doc = yaml.safe_load(open(out / "compat" / name))
        assert wanted <= key_paths(doc), wanted - key_paths(doc)
        assert doc["e4s_policy_compatability_format_version"] == 0.01
        official = doc["policy_groups"][0]["Official"]["policies"]
        assert [p["id"] for p in official] == list(range(1, 10))
        assert all(p["policy_status"] in (0, 1, 2) for p in official)
        assert doc["overall_policy_status"] in (0, 1, 2)


def test_every_recipe_a_report_assesses_is_a_product(tmp_path):
    """Under the e4s profile membership rules are errors for products only; szx is in no
    catalogue, but a report assesses it as a product: its missing test is an error (a
    concern for E4S P2, which the E4S test suite can meet) and fails xSDK R1."""
    out = tmp_path / "out"
    proc = peso("policy", "report", "szx", "--repo", REPO, "--policy", "e4s", "-o", str(out), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    (product,) = json.load(open(out / "report.json"))["products"]
    for policy in ("E4S-P2", "xSDK-R1"):
        cell = product["results"][policy]
        assert [e["severity"] for e in cell["evidence"] if e["rule"] == "PESO-T001"] == ["error"]
    assert product["results"]["xSDK-R1"]["status"] == FAIL
    assert product["results"]["E4S-P2"]["status"] != FAIL


def test_statuses_follow_the_findings(report_dir):
    out, proc = report_dir
    data = json.load(open(out / "report.json"))
    by_product = {p["product"]: p["results"] for p in data["products"]}
    # szx has no stand-alone test: xSDK R1 (the Spack smoke test) fails; for E4S P2 (the E4S
    # test suite may hold a test of its own) it is a concern only; P8 is never decided here
    assert by_product["szx"]["xSDK-R1"]["status"] == FAIL
    assert by_product["szx"]["E4S-P2"]["status"] == NEEDS_EVIDENCE
    p2_evidence = by_product["szx"]["E4S-P2"]["evidence"]
    assert [e["role"] for e in p2_evidence if e["rule"] == "PESO-T001"] == ["concern"]
    assert all(r["E4S-P8"]["status"] == NEEDS_EVIDENCE for r in by_product.values())
    # szx declares git: P6 passes; the YAML says Complete (2) for it
    assert by_product["szx"]["E4S-P6"]["status"] == PASS
    doc = yaml.safe_load(open(out / "compat" / "szx.yaml"))
    p6 = [p for p in doc["policy_groups"][0]["Official"]["policies"] if p["id"] == 6][0]
    assert p6["policy_status"] == 2 and p6["peso_status"] == PASS
    p2 = [p for p in doc["policy_groups"][0]["Official"]["policies"] if p["id"] == 2][0]
    assert p2["peso_status"] == NEEDS_EVIDENCE and p2["evidence"][0]["location"].endswith("szx/package.py:12")
    assert "headline counts" in proc.stdout + proc.stderr


def test_markdown_table(report_dir):
    out, _ = report_dir
    md = open(out / "report.md").read()
    assert "| product | E4S-P1 | E4S-P2 |" in md
    assert "| szx | evidence? | evidence? |" in md and "| no stand-alone test | 3 |" in md


def test_html_matrix_renders_in_headless_chromium(report_dir, tmp_path, chromium):
    out, _ = report_dir
    browser = chromium
    url = "file://%s?show=szx/E4S-P2" % (out / "report.html")
    proc = dump_dom(browser, url, tmp_path / "profile")
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    policies = load_policies()
    # 3 products x every policy, one cell each, coloured by status
    row = dom.split('<tr data-product="szx">')[1].split("</tr>")[0]
    assert row.count("<td ") == len(policies)
    assert dom.count('<td class="fail') >= 2
    # the script ran: the evidence panel shows the chosen cell with its finding
    assert 'data-shown="szx/E4S-P2"' in dom
    assert "PESO-T001" in dom.split('id="evidence"')[1].split("</aside>")[0]


def test_product_document_contradiction(tmp_path):
    claim = yaml.safe_load(open(UPSTREAM_COMPAT))
    claim["product_name"] = "szx"
    for p in claim["policy_groups"][0]["Official"]["policies"]:
        p["policy_status"] = 2  # claims everything complete
    own = tmp_path / "szx-compat.yaml"
    own.write_text(yaml.safe_dump(claim))
    # an md5 checksum Spack refuses: a recipe defect that decides P1
    recipe = tmp_path / "szx.py"
    recipe.write_text(
        open(os.path.join(REPO, "packages", "szx", "package.py"))
        .read()
        .replace('    version("1.1.0",', '    version("1.0.9", md5="%s")\n    version("1.1.0",' % ("0" * 32))
    )
    products_file = tmp_path / "products.yaml"
    products_file.write_text(yaml.safe_dump({"products": [{"name": "szx", "recipe": str(recipe), "compat": str(own)}]}))
    out = tmp_path / "out"
    proc = peso("policy", "report", "--products", str(products_file), "-o", str(out), "--no-cache")
    assert proc.returncode == 1  # contradicted
    assert "claims E4S-P1 Complete, but the recipe fails PESO-S003" in proc.stderr
    data = json.load(open(out / "report.json"))
    results = data["products"][0]["results"]
    assert results["E4S-P1"]["contradiction"]
    # a concern (no stand-alone test) is no contradiction of a P2 claim
    assert not results["E4S-P2"]["contradiction"]
    # a policy the recipe cannot decide takes the product's word, marked as such
    assert results["E4S-P8"]["source"] == "self-reported"
    doc = yaml.safe_load(open(out / "compat" / "szx.yaml"))
    p8 = [p for p in doc["policy_groups"][0]["Official"]["policies"] if p["id"] == 8][0]
    assert p8["policy_status"] == 2 and p8["status_source"] == "self-reported"


def test_compare_reports_improvements_and_regressions(report_dir, tmp_path):
    out, _ = report_dir
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    # add a stand-alone test to szx: E4S-P2 improves; drop exampm's git: P6 regresses
    szx = repo / "packages" / "szx" / "package.py"
    szx.write_text(
        szx.read_text().replace(
            "    class AutotoolsBuilder",
            '    def test_cli(self):\n        """run szx"""\n        which("szx")("-h")\n\n    class AutotoolsBuilder',
        )
    )
    exampm = repo / "packages" / "exampm" / "package.py"
    exampm.write_text(exampm.read_text().replace('    git = "https://github.com/ECP-copa/ExaMPM.git"\n', ""))
    new = tmp_path / "new"
    proc = peso(
        "policy",
        "report",
        "szx",
        "alpaka",
        "exampm",
        "--repo",
        str(repo),
        "-o",
        str(new),
        "--compare",
        str(out),
        "--no-cache",
    )
    assert proc.returncode == 1, proc.stderr  # a regression
    text = proc.stdout + proc.stderr
    assert "improved  szx xSDK-R1: fail -> pass" in text
    assert "regressed exampm E4S-P6: pass -> needs-evidence" in text
    # the YAML folder of the old report compares the same way
    table = compare.load_table(str(out / "compat"))
    assert table["szx"]["xSDK-R1"] == FAIL


def test_stack_products_and_bad_inputs(tmp_path):
    env = tmp_path / "spack.yaml"
    env.write_text(
        yaml.safe_dump(
            {
                "spack": {
                    "definitions": [{"gpu": ["szx +cuda cuda_arch=80"]}],
                    "specs": ["alpaka", "$gpu", {"matrix": [["exampm"], ["%gcc"]]}],
                }
            }
        )
    )
    assert envfile.root_names(envfile.load_environment(str(env))) == ["alpaka", "szx", "exampm"]
    env.write_text("specs: [a]\n")
    with pytest.raises(PesoError) as e:
        envfile.load_environment(str(env))
    assert "spack.yaml" in str(e.value)
    proc = peso("policy", "report", "--products", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "missing.yaml" in proc.stderr
    assert not (tmp_path / "o").exists()  # no partial output


def test_overall_status_and_bad_compat_document(tmp_path):
    assert compat.overall_status([2, 2]) == 2
    assert compat.overall_status([0, 0]) == 0
    assert compat.overall_status([2, 0]) == 1
    bad = tmp_path / "c.yaml"
    bad.write_text(
        yaml.safe_dump(
            {"product_name": "x", "policy_groups": [{"Official": {"policies": [{"id": 1, "policy_status": 7}]}}]}
        )
    )
    with pytest.raises(PesoError) as e:
        compat.read_document(str(bad))
    assert "policy_status must be 0, 1 or 2" in str(e.value)
    # the upstream template itself reads fine: everything unreported
    doc = compat.read_document(UPSTREAM_COMPAT)
    assert set(compat.claims(doc).values()) == {0}


def test_compat_dir_finds_e4s_folder_documents(tmp_path):
    claim = yaml.safe_load(open(UPSTREAM_COMPAT))
    claim["product_name"] = "exampm"
    claim["policy_groups"][0]["Official"]["policies"][5]["policy_status"] = 2  # P6 Complete: true
    docs = tmp_path / "docs" / "exampm" / ".e4s"
    docs.mkdir(parents=True)
    (docs / "e4s-policy-compatability.yaml").write_text(yaml.safe_dump(claim))
    out = tmp_path / "out"
    proc = peso(
        "policy",
        "report",
        "exampm",
        "szx",
        "--repo",
        REPO,
        "--compat-dir",
        str(tmp_path / "docs"),
        "-o",
        str(out),
        "--no-cache",
    )
    assert proc.returncode == 0, proc.stderr  # a true claim is no contradiction
    data = json.load(open(out / "report.json"))
    exampm = [p for p in data["products"] if p["product"] == "exampm"][0]["results"]
    assert exampm["E4S-P6"]["claimed"] == 2 and not exampm["E4S-P6"]["contradiction"]
    szx = [p for p in data["products"] if p["product"] == "szx"][0]["results"]
    assert szx["E4S-P6"]["claimed"] is None  # no document for szx


def test_no_repository_is_a_one_line_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SPACK_ROOT"}
    env["PATH"] = os.path.dirname(sys.executable) + ":/usr/bin:/bin"
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # no provisioned Spack in the user cache either
    proc = subprocess.run(
        [sys.executable, "-m", "peso", "policy", "report", "zlib", "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        cwd=EXT,
        env=env,
    )
    assert proc.returncode == 2 and "--repo" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def _rows(dom):
    """``[(product, hidden, statuses of its cells)]`` of the matrix, in page order."""
    body = dom.split('id="matrix"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-product="([^"]+)"( hidden="")?>(.*?)</tr>', body)
    return [(name, bool(hidden), re.findall(r'<td class="([\w-]+)', cells)) for name, hidden, cells in rows]


def test_html_panel_opens_beside_the_cell_and_the_matrix_filters_and_sorts(report_dir, tmp_path, chromium):
    """A clicked cell's reasons show in a panel inside the viewport (not below the
    table), with the evidence files as links; filters hide rows; a sort reorders them."""
    out, _ = report_dir
    page = "file://%s" % (out / "report.html")
    dom = chromium_dom(chromium, page + "?show=alpaka/E4S-P2", tmp_path / "a")
    panel = dom.split('id="evidence"')[1].split("</aside>")[0]
    assert 'data-shown="alpaka/E4S-P2"' in panel and 'data-in-view="true"' in panel
    assert 'class="explanation"' in panel and "Ladder:" in panel
    # the recipe it read is a link, relative to the report folder, that resolves
    links = re.findall(r'<a class="source" href="([^"]+)">', panel)
    assert links and all((out / link).resolve().is_file() for link in links), links
    assert '<td class="' in dom and "selected" in dom.split('<tr data-product="alpaka">')[1].split("</tr>")[0]
    # filters: the product text and a status in one policy
    rows = _rows(chromium_dom(chromium, page + "?q=sz", tmp_path / "b"))
    assert [name for name, hidden, _ in rows if not hidden] == ["szx"]
    all_rows = _rows(dom)
    policies = re.findall(r'<th data-policy="([^"]+)"', dom)
    # a policy and a status some products have and others do not
    column, status = next(
        (i, status)
        for status in ("fail", "pass", "needs-evidence")
        for i in range(len(policies))
        if 0 < sum(c[i] == status for _, _, c in all_rows) < len(all_rows)
    )
    having = {name for name, _, cells in all_rows if cells[column] == status}
    rows = _rows(chromium_dom(chromium, page + "?policy=%s&status=%s" % (policies[column], status), tmp_path / "c"))
    assert {name for name, hidden, _ in rows if not hidden} == having
    # sort: most passes first, a different order from the names' whenever counts differ
    rows = _rows(chromium_dom(chromium, page + "?sort=pass", tmp_path / "d"))
    passes = [cells.count("pass") for _, _, cells in rows]
    assert passes == sorted(passes, reverse=True)
    expected = sorted(((-cells.count("pass"), name) for name, _, cells in all_rows))
    assert [name for name, _, _ in rows] == [name for _, name in expected]


def chromium_dom(browser, url, profile):
    proc = dump_dom(browser, url, profile)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
