"""Lint profiles: which rules a ``--profile`` runs and which severities it raises.

The profiles themselves are data (``profiles.yaml`` next to this file); this module only
loads them and answers two questions: does a rule run under a profile, and how severe is
a finding of it there (for a product of the profile's catalogue or another recipe).
"""

import dataclasses
import fnmatch
import os
from typing import Dict, Optional, Tuple

from ..datacache import load_yaml
from ..errors import PesoError
from .registry import SEVERITIES, severity_rank

PROFILES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "profiles.yaml")


@dataclasses.dataclass
class Profile:
    name: str
    description: str
    policies: Tuple[str, ...]
    unmapped: bool
    raise_policies: Dict[str, str]
    raise_rules: Dict[str, str]
    #: rules the profile leaves out although they serve its policies (``disabled:``)
    disabled: Tuple[str, ...] = ()
    #: rules the profile runs whatever policies they serve (``include:``)
    include: Tuple[str, ...] = ()
    #: rule ID -> the most severe its findings may be under this profile (``cap:``)
    cap: Dict[str, str] = dataclasses.field(default_factory=dict)
    #: catalogue whose products the ``product_rules`` apply to (``products: catalog:``)
    product_catalog: Optional[str] = None
    #: membership rules: at their profile severity for products, at most
    #: ``non_product_cap`` for every other recipe (``products: rules:`` / ``cap:``)
    product_rules: Tuple[str, ...] = ()
    non_product_cap: str = "info"

    def covers(self, rule) -> bool:
        """True when ``rule`` runs under this profile (without ``--select``)."""
        if rule.id in self.disabled:
            return False
        if rule.id in self.include:
            return True
        if not rule.policies:
            return self.unmapped
        return any(fnmatch.fnmatchcase(p, pat) for p in rule.policies for pat in self.policies)

    def severity(self, rule, severity: str, product: bool = True) -> str:
        """The severity of a finding of ``rule`` found at ``severity``, after raising;
        ``product``: whether the recipe is a product of the profile's catalogue."""
        floor = self.raise_rules.get(rule.id)
        for policy in rule.policies:
            raised = self.raise_policies.get(policy)
            if raised and (floor is None or severity_rank(raised) > severity_rank(floor)):
                floor = raised
        if floor and severity_rank(floor) > severity_rank(severity):
            severity = floor
        ceiling = self.cap.get(rule.id)
        if not product and rule.id in self.product_rules:
            ceiling = self.non_product_cap
        if ceiling and severity_rank(severity) > severity_rank(ceiling):
            severity = ceiling
        return severity


def load_profiles(path: str = PROFILES_FILE) -> Tuple[Dict[str, Profile], str]:
    """All profiles in ``path`` and the name of the default one (see ``default_for``)."""
    data = load_yaml(path) or {}  # kept parsed between runs (no PyYAML import when warm)
    profiles = {}
    for name, entry in (data.get("profiles") or {}).items():
        raises = entry.get("raise") or {}
        profile = Profile(
            name=name,
            description=entry.get("description", ""),
            policies=tuple(entry.get("policies") or ()),
            unmapped=bool(entry.get("unmapped", True)),
            raise_policies=dict(raises.get("policies") or {}),
            raise_rules=dict(raises.get("rules") or {}),
            disabled=tuple(entry.get("disabled") or ()),
            include=tuple(entry.get("include") or ()),
            cap=dict(entry.get("cap") or {}),
        )
        products = entry.get("products")
        if products:
            profile.product_catalog = str(products.get("catalog") or "e4s")
            profile.product_rules = tuple(products.get("rules") or ())
            profile.non_product_cap = products.get("cap", "info")
        capped = list(profile.cap.items()) + [("products.cap", profile.non_product_cap)]
        for key, sev in list(profile.raise_policies.items()) + list(profile.raise_rules.items()) + capped:
            if sev not in SEVERITIES:
                raise PesoError("bad severity %r" % sev, path=path, key="%s.raise.%s" % (name, key))
        profiles[name] = profile
    default = data.get("default", "e4s")
    if default not in profiles:
        raise PesoError("default profile %r is not defined" % default, path=path)
    return profiles, default


def default_for(namespaces) -> Optional[str]:
    """The profile ``profiles.yaml`` gives the repositories linted (``default_for:``),
    when they all map to the same one: Spack's ``builtin`` gets the maintainers' profile,
    a curation repository the project default."""
    data = load_yaml(PROFILES_FILE) or {}
    mapping = data.get("default_for") or {}
    chosen = {mapping.get(ns) for ns in namespaces}
    return chosen.pop() if len(chosen) == 1 and None not in chosen else None


def get_profile(name: Optional[str] = None, namespaces=()) -> Profile:
    profiles, default = load_profiles()
    name = name or default_for(namespaces) or default
    if name not in profiles:
        raise PesoError("unknown lint profile %r (choose from: %s)" % (name, ", ".join(sorted(profiles))))
    return profiles[name]
