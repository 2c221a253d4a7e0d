"""Coverage matrix: product x target -> built / skipped (with reason) / unsupported.

Made from the same plan the renderer uses (:func:`peso.stack.generate.plan.make_plan`), so the
matrix is exactly what the rendered stacks contain. ``peso.report.coverage`` writes it as
Markdown (for people) and JSON (for tools).
"""

from .environment import catalog_path
from .model import environments_dir, find_target, load_catalog, provenance_kind, target_names
from .plan import make_plan


def coverage_matrix(catalog=None, targets=None, envdir=None):
    envdir = envdir or environments_dir()
    cat = load_catalog(catalog_path(catalog, envdir))
    names = targets or target_names(envdir)
    matrix: dict = {"catalog": cat.name, "targets": [], "products": {}}
    for name in names:
        target = find_target(name, envdir)
        matrix["targets"].append(
            {"name": target.name, "cpu": target.cpu_target, "backend": target.backend, "gpu_arch": target.gpu_arch}
        )
        for e in make_plan(cat, target):
            cell = matrix["products"].setdefault(e.product, {}).setdefault(target.name, {})
            cell[e.flavor] = {"status": e.status}
            if e.reason:
                cell[e.flavor]["reason"] = " ".join(e.reason.split())
            if e.ref:
                cell[e.flavor]["ref"] = e.ref
            if e.provenance:
                cell[e.flavor]["provenance"] = e.provenance
                cell[e.flavor]["provenance_kind"] = provenance_kind(e.provenance)
    return matrix
