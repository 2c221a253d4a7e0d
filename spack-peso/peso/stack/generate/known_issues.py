"""Turn the failures of ``stack generate --check --record F`` into proposed catalogue
known issues, so a root that does not concretize for a target becomes data (product,
target, flavour, Spack's reason, where and when it was found) instead of a
commented-out line. The proposals go to a file a curator reads; the catalogue is only
ever edited by hand.

The record holds Spack's own spelling of each root (``zfp+cuda cuda_arch=90``); the plan
holds ours (``zfp +cuda cuda_arch=90``). ``spec_key`` compares them as a name plus a set of
tokens, which is all the two spellings can differ by.
"""

import datetime
import json
import os
import re

import yaml

from ... import yamlio
from ...fsutil import atomic_write
from .check import read_record
from .model import find_target, load_catalog
from .plan import BUILT, make_plan


def spec_key(text):
    """``(name, frozenset(tokens))`` of an abstract spec, insensitive to spacing, quoting,
    token order and ``key:=value`` against ``key=value``."""
    text = text.replace("'", "").replace('"', "").replace(":=", "=")
    text = re.sub(r"\s*=\s*", "=", text)
    text = re.sub(r"(?<=\S)(?=[+~^%])", " ", text)
    parts = text.split()
    return parts[0], frozenset(parts[1:])


def summarize(error, limit=300):
    """Spack's concretization error on one line, without the boilerplate around it."""
    text = " ".join(error.split())
    text = re.sub(r"^failed to concretize `[^`]*` for the following reasons: ", "", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short_version(version):
    """``1.2.0.dev0 (9cf66332df3d...)`` -> ``1.2.0.dev0 (9cf66332)``."""
    return re.sub(r"\(([0-9a-f]{8})[0-9a-f]{32}\)", r"(\1)", version)


def read_failures(record):
    """``{spec: result}`` of the roots whose last verdict in ``record`` is a failure."""
    return {spec: item for spec, item in read_record(record, missing_ok=False).items() if not item["ok"]}


def issues_from_record(record, target_name, catalog_path, today=None):
    """Proposed known issues (a catalogue known issue plus its ``product``) for every failed root of
    ``record`` that the plan for ``target_name`` builds; returns ``(issues, unmatched)``
    where ``unmatched`` lists failed specs no product of the plan renders."""
    target = find_target(target_name)
    plan = [e for e in make_plan(load_catalog(catalog_path), target) if e.status == BUILT]
    by_key: dict = {}
    for e in plan:  # a flavour with no GPU tokens renders the same root as the cpu one
        by_key.setdefault(spec_key(e.spec), []).append(e)
    today = today or datetime.date.today().isoformat()
    issues, unmatched = [], []
    for spec, item in sorted(read_failures(record).items()):
        entries = by_key.get(spec_key(spec))
        if not entries:
            unmatched.append(spec)
            continue
        for entry in entries:
            issues.append(
                {
                    "product": entry.product,
                    "when": {"target": [target.name], "backend": [entry.flavor]},
                    "reason": "concretizer: " + summarize(item.get("error", "")),
                    "source": "spack peso stack generate --target=%s --check; Spack %s"
                    % (target.name, _short_version(item.get("spack", "version not recorded"))),
                    "date": today,
                    "action": "skip",
                }
            )
    return issues, unmatched


def merge_issues(path, new):
    """Add ``new`` to the proposals file at ``path``; an entry for the same product and
    ``when`` is replaced (the newer verdict wins). Written atomically."""
    doc = yamlio.load(path) if os.path.exists(path) else {}
    doc = doc or {}
    header = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            header = "".join(line for line in f if line.startswith("#"))
    key = lambda i: (i["product"], json.dumps(i.get("when", {}), sort_keys=True))  # noqa: E731
    fresh = {key(i) for i in new}
    kept = [i for i in (doc.get("issues") or []) if key(i) not in fresh]
    issues = sorted(kept + list(new), key=key)
    body = yaml.safe_dump({"issues": issues}, sort_keys=False, width=100, default_flow_style=None)
    atomic_write(path, header + body)
    return len(kept), len(new)
