"""`peso policy report --evidence` as a curator runs it: a run folder written by the real
record writers and a check record beside a stack; the compatibility YAML, Markdown, HTML
(in headless Chromium: a decided cell's evidence opens) and --compare carry the evidence;
`policy explain` prints a ladder; a missing evidence folder is a one-line error."""

import json
import re
import shutil

import evidence_data as ed
import pytest
import yaml
from peso_testing import dump_dom
from policy_data import REPO
from test_report import peso


@pytest.fixture(scope="module")
def evidence_run(tmp_path_factory):
    """Lint-only report, then the same products with a build, a test run and a check record."""
    base = tmp_path_factory.mktemp("evidence")
    repo = base / "repo"
    shutil.copytree(REPO, repo)
    for name in ("szx", "exampm"):  # give both a stand-alone test, so a run can judge it
        recipe = repo / "packages" / name / "package.py"
        text = recipe.read_text()
        cls = "class %s(" % name.capitalize()
        head, tail = text.split(cls)
        body_start = tail.index('"""', tail.index('"""') + 3) + 3
        tail = (
            tail[:body_start]
            + '\n\n    def test_cli(self):\n        """run it"""\n        which("%s")("-h")\n' % name
            + tail[body_start:]
        )
        recipe.write_text(head + cls + tail)
    run = base / "run"
    ed.write_build_record(run, {"szx": "BUILT", "alpaka": ("BUILD_FAILED", "ProcessError: exit 2"), "exampm": "BUILT"})
    ed.write_test_record(
        run,
        {
            "szx": ("PASSED", [ed.part("test_cli", "PASSED")]),
            "exampm": ("PASSED_VACUOUS", [ed.part("test_imports", "PASSED")]),
        },
    )
    env = base / "environments" / "frontier"
    env.mkdir(parents=True)
    (env / "spack.yaml").write_text("spack: {specs: [szx, alpaka, exampm]}\n")
    ed.write_check_record(env / "check.jsonl", {"szx": True, "alpaka +cuda cuda_arch=80": True, "exampm": True})
    old = base / "old"
    proc = peso("policy", "report", "szx", "alpaka", "exampm", "--repo", str(repo), "-o", str(old), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    new = base / "new"
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
        "--no-cache",
        "--evidence",
        str(run),
        str(env),
        "--compare",
        str(old),
    )
    return old, new, proc


def results_of(folder):
    data = json.load(open(folder / "report.json"))
    return {p["product"]: p["results"] for p in data["products"]}


def test_evidence_decides_cells_the_recipe_could_not(evidence_run):
    old, new, proc = evidence_run
    # exit 1: the vacuous run disproves a pass the recipe alone gave (a regression, below)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    before, after = results_of(old), results_of(new)
    assert before["exampm"]["E4S-P1"]["status"] == "needs-evidence"
    assert after["exampm"]["E4S-P1"]["status"] == "pass"  # built
    assert before["alpaka"]["xSDK-M1"]["status"] == "needs-evidence"
    assert after["alpaka"]["xSDK-M1"]["status"] == "fail"  # its own build failed
    # both recipes have a test: the recipe alone passes P2; the runs then decide
    assert before["szx"]["E4S-P2"]["status"] == before["exampm"]["E4S-P2"]["status"] == "pass"
    assert after["szx"]["E4S-P2"]["status"] == "pass"
    assert after["szx"]["E4S-P2"]["decided_by"] == "recipe+evidence"
    # exampm's test "passed" without testing anything: its P2 is not a pass
    assert after["exampm"]["E4S-P2"]["status"] == "fail"
    assert "evidence read: 1 check records, 1 build records, 1 test run records" in proc.stdout + proc.stderr
    # the report says how much the evidence added to what the recipe lint alone decides
    m = re.search(r"decided: (\d+) of 132 cells \([\d.]+%\); by the recipe lint alone (\d+)", proc.stdout + proc.stderr)
    assert m and int(m.group(1)) > int(m.group(2))
    assert after["exampm"]["E4S-P1"]["recipe_status"] == "needs-evidence"


def test_compare_lists_the_cells_new_evidence_decided(evidence_run):
    _, _, proc = evidence_run
    text = proc.stdout + proc.stderr
    assert "decided   exampm E4S-P1: needs-evidence -> pass (by " in text
    assert "build.json (exampm@1.0/ccccccc)" in text
    assert "decided   alpaka xSDK-M1: needs-evidence -> fail" in text
    # a newly decided fail is news, not a regression of the product; a pass the run
    # disproved (the vacuous test) is a regression
    assert "regressed alpaka xSDK-M1" not in text
    assert "regressed exampm E4S-P2: pass -> fail" in text


def test_compat_yaml_carries_evidence_with_source_and_date(evidence_run):
    _, new, _ = evidence_run
    doc = yaml.safe_load(open(new / "compat" / "exampm.yaml"))
    p1 = [p for p in doc["policy_groups"][0]["Official"]["policies"] if p["id"] == 1][0]
    assert p1["policy_status"] == 2 and p1["decided_by"] == "evidence"
    built = [e for e in p1["evidence"] if e.get("fact") == "build"][0]
    assert built["value"] == "built" and built["result"] == "pass"
    assert built["location"].endswith("build.json (exampm@1.0/ccccccc)") and built["date"].startswith("20")
    partial = [e for e in p1["evidence"] if e.get("fact") == "concretize"][0]
    assert partial["result"] == "partial" and "check.jsonl:3 (exampm)" in partial["location"]
    # an undecided cell names what would decide it
    p8 = [p for p in doc["policy_groups"][0]["Official"]["policies"] if p["id"] == 8][0]
    assert p8["policy_status"] == 0 and p8["to_decide"][0]["produce"]


def test_markdown_lists_decided_cells_and_how_to_decide_the_rest(evidence_run):
    _, new, _ = evidence_run
    md = open(new / "report.md").read()
    assert "## Decided by evidence" in md
    assert "| exampm | E4S-P1 | pass | build: built |" in md
    assert "## What would decide the undecided cells" in md
    assert "- **E4S-P8** (3 products)" in md
    assert "| decided |" in md


def test_html_opens_a_decided_cells_evidence(evidence_run, tmp_path, chromium):
    _, new, _ = evidence_run
    browser = chromium
    url = "file://%s?show=exampm/E4S-P1" % (new / "report.html")
    proc = dump_dom(browser, url, tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    panel = proc.stdout.split('id="evidence"')[1].split("</aside>")[0]
    assert 'data-shown="exampm/E4S-P1"' in proc.stdout
    # the deciding observation with its source and date, the partial one, and the ladder
    assert 'class="observation pass"' in panel and "build.json (exampm@1.0/ccccccc)" in panel
    assert 'class="observation partial"' in panel and "check.jsonl:3" in panel
    assert 'class="ladder"' in panel and "Only a real" in panel
    assert 'td class="pass by-evidence"' in proc.stdout


def chromium_dom(browser, url, tmp_path):
    proc = dump_dom(browser, url, tmp_path / "profile")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_every_decided_cell_has_evidence_to_open(evidence_run, tmp_path, chromium):
    """Each pass or fail carries what decided it: a finding, an observation, or the recipe."""
    _, new, _ = evidence_run
    data = cells_data(new)
    text = data["strings"].__getitem__
    for product, cells in data["cells"].items():
        for policy, d in cells.items():
            if text(d[0]) in ("pass", "fail"):
                deciding = [o for o in d[4] if text(o[0]) == text(d[0])]
                assert d[3] or deciding or ("recipe" in text(d[6]) and text(d[7])), (product, policy)
    # a cell the recipe decided opens with the recipe it read
    dom = chromium_dom(chromium, "file://%s?show=szx/E4S-P6" % (new / "report.html"), tmp_path)
    panel = dom.split('id="evidence"')[1].split("</aside>")[0]
    assert 'class="recipe-source"' in panel and "szx/package.py" in panel


def test_explain_prints_the_ladder():
    proc = peso("policy", "explain", "E4S-P2")
    assert proc.returncode == 0, proc.stderr
    assert 'test is vacuous: the stand-alone test "passed" without testing anything' in proc.stdout
    assert "spack peso stack test" in proc.stdout
    proc = peso("policy", "explain", "E4S-P42")
    assert proc.returncode == 2 and "unknown policy 'E4S-P42'" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_missing_evidence_folder_exits_2_with_one_line(tmp_path):
    proc = peso(
        "policy", "report", "szx", "--repo", REPO, "-o", str(tmp_path / "o"), "--evidence", str(tmp_path / "nope")
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "==> Error: %s: --evidence: no such evidence folder or file" % (tmp_path / "nope")
    ]
    assert not (tmp_path / "o").exists()


def cells_data(out):
    """The cells' reasons the page loads (``report-cells.js``: one assignment of JSON)."""
    script = (out / "report-cells.js").read_text()
    assert script.startswith("window.PESO_CELLS = ") and script.endswith(";\n")
    return json.loads(script[len("window.PESO_CELLS = ") : -2])
