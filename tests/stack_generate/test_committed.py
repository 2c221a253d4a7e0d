"""The committed environments/<target>/spack.yaml, coverage matrix and catalogue must be
what the generator produces from the committed catalogue and profiles."""

import json
import os


from peso.stack.generate.coverage import coverage_matrix
from peso.report.coverage import to_markdown
from peso.stack.generate.environment import generate
from peso.stack.generate.model import load_catalog
from peso.stack.generate.model import target_names

REGEN = ("regenerate: for t in %s; do python -m peso stack generate --target=$t "
         "--format definitions; done; python -m peso stack coverage")


def test_every_target_has_a_fresh_committed_stack(envdir):
    names = target_names(envdir)
    assert {"frontier", "aurora", "sunspot", "perlmutter", "polaris", "el-capitan", "tuolumne",
            "x86_64_v3", "neoverse_v2"} <= set(names)
    stale = []
    for name in names:
        path, text, entries, target = generate(name, envdir=envdir, write=False, fmt="definitions")
        committed = os.path.join(envdir, name, "spack.yaml")
        if not os.path.exists(committed) or open(committed, encoding="utf-8").read() != text:
            stale.append(name)
    assert not stale, "stale rendered stacks: %s; %s" % (stale, REGEN % " ".join(names))


def test_coverage_matrix_is_fresh(envdir):
    matrix = coverage_matrix(envdir=envdir)
    with open(os.path.join(envdir, "coverage.json"), encoding="utf-8") as f:
        assert json.load(f) == json.loads(json.dumps(matrix)), "coverage.json stale: run `python -m peso stack coverage`"
    with open(os.path.join(envdir, "coverage.md"), encoding="utf-8") as f:
        assert f.read() == to_markdown(matrix)
    statuses = {c["status"] for p in matrix["products"].values() for t in p.values() for c in t.values()}
    assert {"built", "skipped", "unsupported"} <= statuses


def test_catalogue_size_and_shape(envdir):
    cat = load_catalog(os.path.join(envdir, "catalog", "e4s.yaml"))
    assert len(cat.products) >= 160
    kokkos = cat.product("kokkos")
    assert set(kokkos.gpu) == {"cuda", "rocm", "sycl"}
    assert cat.product("tau").gpu["cuda"]["tokens"] == "switch"  # NOARCH
    assert all(p.tags for p in cat.products)
    assert sum(len(p.known_issues) for p in cat.products) > 150


def test_catalogue_is_what_the_seed_script_produces(envdir, spack_packages):
    from peso.stack.generate.seed import dump
    from peso.stack.generate.seed import seed

    doc = seed(spack_packages)
    with open(os.path.join(envdir, "catalog", "e4s.yaml"), encoding="utf-8") as f:
        committed = f.read()
    body = committed[committed.index("schema:"):]
    assert body == dump(doc), "run: python -m peso.stack.generate.seed %s environments/catalog/e4s.yaml" % spack_packages
