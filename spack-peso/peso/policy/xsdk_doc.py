"""A product's own xSDK policy-compatibility document (Markdown) as its self-report.

Why: xSDK member teams publish their policy compatibility as Markdown
(``xsdk-project/xsdk-policy-compatibility``, ``<product>-policy-compatibility.md``): a
table per policy group with the columns ``Policy | Support | Notes`` and Support one of
Full, Partial, None. That is the same statement the E4S compatibility YAML makes, so
``--compat-dir`` reads it as the product's claims (checked against the recipe and the
evidence like any other). Rows are matched to policies by their statement
(``policy/data/xsdk_statements.yaml``), because the numbering changed between template
versions; a row that matches no policy, or two, is not read. E4S adopted some xSDK
policies word for word (E4S P7 is xSDK M12, FP4 is R2, ...): the row for such an xSDK
policy is the product's statement for the E4S one too (``same_requirement``).
"""

import os
import re
from functools import lru_cache
from typing import Dict, List, Tuple

from .. import yamlio
from ..errors import PesoError

STATEMENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "xsdk_statements.yaml")
_ROW = re.compile(r"^\s*\|\s*\*\*(?P<label>[MR]\d+)\.?\*\*\s*(?P<text>[^|]*)\|(?P<support>[^|]*)\|(?P<notes>[^|]*)")


@lru_cache(maxsize=1)
def _data() -> dict:
    return yamlio.load(STATEMENTS)


def statements() -> Tuple[Dict[str, list], Dict[str, int], Dict[str, str]]:
    data = _data()
    return (
        data["statements"],
        {str(k).lower(): int(v) for k, v in data["support"].items()},
        data.get("same_requirement") or {},
    )


def policy_of(text: str) -> str:
    """The xSDK policy a row's statement names ("" when none or more than one)."""
    text = " ".join(text.lower().split())
    hits = [pid for pid, phrases in statements()[0].items() if any(p in text for p in phrases)]
    return hits[0] if len(hits) == 1 else ""


def read_claims(path: str) -> Dict[str, dict]:
    """policy id -> {status, line, support, notes} from one Markdown document."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PesoError("cannot read (%s)" % e.__class__.__name__, path=path)
    support_values = statements()[1]
    claims: Dict[str, dict] = {}
    for n, line in enumerate(lines, 1):
        row = _ROW.match(line)
        if not row:
            continue
        pid = policy_of(row.group("text"))
        support = row.group("support").strip().strip("*_ ").lower()
        if not pid or support not in support_values or pid in claims:
            continue
        claims[pid] = {
            "status": support_values[support],
            "line": n,
            "support": row.group("support").strip().strip("*_ "),
            "notes": " ".join(row.group("notes").split())[:300],
        }
    if not claims:
        raise PesoError("no xSDK policy rows (| **M1.** ... | Full | ... |) found", path=path)
    for xsdk_id, e4s_id in statements()[2].items():
        if xsdk_id in claims and e4s_id not in claims:
            same = claims[xsdk_id]
            claims[e4s_id] = dict(same, notes="(the %s row: the same requirement) %s" % (xsdk_id, same["notes"]))
    return claims


def document_paths(folder: str, package: str) -> List[str]:
    """Where ``folder`` would hold the package's table: ``<name>-policy-compatibility.md``
    (or the repository's "compatability"), under the package's name or the one the xSDK
    repository files it under (``file_names``)."""
    names = [package] + [n for n in [(_data().get("file_names") or {}).get(package)] if n]
    return [os.path.join(folder, "%s-policy-%s.md" % (n, s)) for n in names for s in ("compatibility", "compatability")]


def is_xsdk_document(path: str) -> bool:
    return path.endswith(".md")
