"""Lint profiles: which rules a ``--policy`` runs and which severities it raises.

The profiles themselves are data (``profiles.yaml`` next to this file); this module only
loads them and answers two questions: does a rule run under a profile, and how severe is
a finding of it there.
"""

import dataclasses
import fnmatch
import os
from typing import Dict, Optional, Tuple

from ..datacache import load_yaml
from ..errors import PesoError
from .registry import SEVERITIES, severity_rank

PROFILES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profiles.yaml")


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

    def covers(self, rule) -> bool:
        """True when ``rule`` runs under this profile (without ``--select``)."""
        if rule.id in self.disabled:
            return False
        if not rule.policies:
            return self.unmapped
        return any(fnmatch.fnmatchcase(p, pat) for p in rule.policies for pat in self.policies)

    def severity(self, rule, severity: str) -> str:
        """The severity of a finding of ``rule`` found at ``severity``, after raising."""
        floor = self.raise_rules.get(rule.id)
        for policy in rule.policies:
            raised = self.raise_policies.get(policy)
            if raised and (floor is None or severity_rank(raised) > severity_rank(floor)):
                floor = raised
        if floor and severity_rank(floor) > severity_rank(severity):
            return floor
        return severity


def load_profiles(path: str = PROFILES_FILE) -> Tuple[Dict[str, Profile], str]:
    """All profiles in ``path`` and the name of the default one."""
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
        )
        for key, sev in list(profile.raise_policies.items()) + list(profile.raise_rules.items()):
            if sev not in SEVERITIES:
                raise PesoError("bad severity %r" % sev, path=path, key="%s.raise.%s" % (name, key))
        profiles[name] = profile
    default = data.get("default", "e4s")
    if default not in profiles:
        raise PesoError("default profile %r is not defined" % default, path=path)
    return profiles, default


def get_profile(name: Optional[str] = None) -> Profile:
    profiles, default = load_profiles()
    name = name or default
    if name not in profiles:
        raise PesoError("unknown policy profile %r (choose from: %s)" % (name, ", ".join(sorted(profiles))))
    return profiles[name]
