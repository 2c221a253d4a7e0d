"""``stack diff``: how close is a rendered stack to a hand-made ``spack.yaml``?

Both sides are reduced to spec strings (``definitions`` and ``group``s expanded, ``$refs``
resolved). We compare root package names (missing / extra, and the share of the
hand-made roots the rendering reproduces) and, per shared root, the spec tokens
(variants and dependency constraints) of the closest pair of specs, ignoring
``target=`` tokens, which the profile owns.
"""

import os
import re
from dataclasses import dataclass, field
from typing import Dict, List

from ... import yamlio
from . import envfile
from .environment import generate
from .plan import share_reproduced


def tokens(spec):
    """Normalised token set: ``target=`` dropped, ``+a +b`` split, GPU arch kept."""
    spec = re.sub(r"\btarget=\S+", "", spec)
    out = set()
    for tok in re.findall(r"\^[\w.-]+|%[\w,=.@-]+|[+~][\w-]+|[\w-]+=[^\s^%]+|@[\w.:-]+", spec):
        out.add(tok)
    return out


@dataclass
class DiffReport:
    target: str
    against: str
    hand_roots: List[str]
    rendered_roots: List[str]
    missing: List[str]
    extra: List[str]
    exact_specs: int
    hand_specs: int
    variant_diffs: Dict[str, dict] = field(default_factory=dict)

    @property
    def reproduced_percent(self):
        return share_reproduced(self.hand_roots, self.missing)

    def as_dict(self):
        return {
            "target": self.target,
            "against": self.against,
            "hand_roots": len(self.hand_roots),
            "rendered_roots": len(self.rendered_roots),
            "reproduced_percent": round(self.reproduced_percent, 1),
            "missing": self.missing,
            "extra": self.extra,
            "hand_specs": self.hand_specs,
            "exact_specs": self.exact_specs,
            "variant_diffs": self.variant_diffs,
        }

    def lines(self):
        out = [
            "stack diff: rendered %s vs %s" % (self.target, self.against),
            "roots: %d hand-made, %d rendered; %.1f%% of the hand-made roots reproduced"
            % (len(self.hand_roots), len(self.rendered_roots), self.reproduced_percent),
            "specs reproduced token-for-token: %d of %d" % (self.exact_specs, self.hand_specs),
        ]
        if self.missing:
            out.append("missing roots (%d): %s" % (len(self.missing), ", ".join(self.missing)))
        if self.extra:
            out.append("extra roots (%d): %s" % (len(self.extra), ", ".join(self.extra)))
        if self.variant_diffs:
            out.append("variant differences (closest spec pair per root):")
            for root in sorted(self.variant_diffs):
                d = self.variant_diffs[root]
                parts = []
                if d["only_hand"]:
                    parts.append("hand-made only: " + " ".join(d["only_hand"]))
                if d["only_rendered"]:
                    parts.append("rendered only: " + " ".join(d["only_rendered"]))
                out.append("  %s: %s" % (root, "; ".join(parts)))
        return out


def compare(hand_specs, rendered_specs, target="", against=""):
    hand_by_root: dict = {}
    rendered_by_root: dict = {}
    for s in hand_specs:
        hand_by_root.setdefault(envfile.root_name(s), []).append(s)
    for s in rendered_specs:
        rendered_by_root.setdefault(envfile.root_name(s), []).append(s)
    hand_roots = sorted(hand_by_root)
    rendered_roots = sorted(rendered_by_root)
    missing = sorted(set(hand_roots) - set(rendered_roots))
    extra = sorted(set(rendered_roots) - set(hand_roots))
    rendered_token_sets = {r: [tokens(s) for s in specs] for r, specs in rendered_by_root.items()}
    exact = 0
    diffs: dict = {}
    for root, specs in hand_by_root.items():
        candidates = rendered_token_sets.get(root)
        if not candidates:
            continue
        for s in specs:
            t = tokens(s)
            if t in candidates:
                exact += 1
                continue
            best = max(candidates, key=lambda c: (len(c & t), -len(c ^ t)))
            d = diffs.setdefault(root, {"only_hand": set(), "only_rendered": set()})
            d["only_hand"] |= t - best
            d["only_rendered"] |= best - t
    diffs = {r: {k: sorted(v) for k, v in d.items()} for r, d in diffs.items() if d["only_hand"] or d["only_rendered"]}
    return DiffReport(target, against, hand_roots, rendered_roots, missing, extra, exact, len(hand_specs), diffs)


def diff_against(target_name, against, catalog=None):
    path = os.path.join(against, "spack.yaml") if os.path.isdir(against) else against
    hand = envfile.specs(envfile.environment_of(yamlio.load(path), path))
    _, _, entries, target = generate(target_name, catalog=catalog, write=False, fmt="definitions")
    rendered = [e.spec for e in entries if e.status == "built"]
    return compare(hand, rendered, target.name, path)
