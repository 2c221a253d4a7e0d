"""Lint findings as SARIF 2.1.0, the format GitHub code scanning uploads
(``github/codeql-action/upload-sarif``).

Every rule that ran is described in ``tool.driver.rules`` (ID, name, short and full
description, help with why/fix/example, the policies it serves as tags, and a ``helpUri``
pointing at the text of the first policy it serves); results point at files relative to
the base folder (``%SRCROOT%``), which is what code scanning resolves against the
repository root.
"""

import json
import os
import pathlib
import urllib.parse

from .. import __version__
from .lint_common import display_path

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
#: policy family -> where its text lives
_POLICY_DOCS = {
    "E4S": "https://e4s-project.github.io/policies.html",
    "xSDK": "https://github.com/xsdk-project/xsdk-community-policies",
}


def _help_uri(rule):
    for policy in rule.policies:
        family = policy.split("-", 1)[0]
        if family in _POLICY_DOCS:
            return _POLICY_DOCS[family]
    return None


def _rule_descriptor(rule) -> dict:
    doc = rule.doc or {}
    help_parts = []
    for key, title in (("why", "Why"), ("fix", "Fix"), ("example", "Example")):
        if doc.get(key):
            help_parts.append((title, str(doc[key]).strip()))
    help_text = "\n\n".join("%s: %s" % (t, v) for t, v in help_parts) or rule.summary
    help_md = (
        "\n\n".join(
            "**%s**\n\n```python\n%s\n```" % (t, v) if t == "Example" else "**%s**: %s" % (t, v) for t, v in help_parts
        )
        or rule.summary
    )
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": str(doc.get("what") or rule.summary).strip()},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": list(rule.policies), "policies": list(rule.policies)},
    }
    uri = _help_uri(rule)
    if uri:
        descriptor["helpUri"] = uri
    return descriptor


def _artifact_location(path: str, base: str, memo: dict) -> dict:
    location = memo.get(path)
    if location is None:
        shown = display_path(path, base)
        if shown == path and os.path.isabs(path):  # outside the base folder
            location = {"uri": pathlib.Path(path).as_uri()}
        else:
            location = {"uri": urllib.parse.quote(shown, safe="/"), "uriBaseId": "%SRCROOT%"}
        memo[path] = location
    return dict(location)


def render(result, base: str) -> str:
    rule_ids = sorted(set(result.active) | {f.rule for f in result.findings})
    rules = [result.rules[rid] for rid in rule_ids if rid in result.rules]
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    locations: dict = {}
    for f in result.findings:
        region = {"startLine": max(f.line, 1)}
        if f.line and f.column:
            region["startColumn"] = f.column
        item = {
            "ruleId": f.rule,
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact_location(f.path, base, locations),
                        "region": region,
                    }
                }
            ],
            "properties": {"package": f.package, "severity": f.severity, "policies": list(f.policies)},
        }
        if f.rule in index:
            item["ruleIndex"] = index[f.rule]
        results.append(item)
    base_uri = pathlib.Path(base).resolve().as_uri().rstrip("/") + "/"
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spack-peso",
                        "version": __version__,
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base_uri}},
                "results": results,
                "properties": {"profile": result.profile.name},
            }
        ],
    }
    # compact: tens of thousands of results; json's indent= runs the slow pure-Python encoder
    return json.dumps(log, separators=(",", ":")) + "\n"
