"""The rule documentation as text: ``lint --explain ID`` (one rule's what / why / what
you see by default / example / fix, for a recipe, stack or catalogue rule) and ``lint --list-rules`` (one row per rule with the
severity a profile gives it)."""

import textwrap

#: documentation keys shown by --explain, in order, with their headings
SECTIONS = (
    ("what", "What it checks"),
    ("why", "Why it matters"),
    ("noise", "What you see by default"),
    ("example", "Example"),
    ("fix", "How to fix"),
)


def render_explanation(rule, profile=None) -> str:
    doc = rule.doc or {}
    severity = rule.severity
    if profile is not None:
        raised = profile.severity(rule, rule.severity)
        if raised != rule.severity:
            severity = "%s; %s under profile %s" % (rule.severity, raised, profile.name)
        if rule.id in profile.product_rules:
            severity += "; at most %s for recipes that are not products of catalogue %s" % (
                profile.non_product_cap,
                profile.product_catalog,
            )
    return _render(rule.id, rule.name, severity, rule.policies, rule.summary, doc)


def render_documented(family, entry: dict) -> str:
    """``--explain`` of a stack or catalogue rule (:mod:`peso.rule_docs`): the same
    sections, and which command reports it."""
    text = _render(
        entry["id"],
        entry.get("name", ""),
        entry.get("severity", "?"),
        entry.get("policies") or (),
        entry.get("summary", ""),
        entry,
    )
    head, rest = text.split("\n", 1)
    return "%s\n\nReported by: %s\n%s" % (head, family.reported_by, rest)


def _render(rule_id, name, severity, policies, summary, doc) -> str:
    out = ["%s%s (%s)" % (rule_id, " " + name if name else "", severity), ""]
    out.append("Policies: %s" % (", ".join(policies) or "none (Spack conventions / engine)"))
    out.append("Summary:  %s" % " ".join(str(summary).split()))
    for key, title in SECTIONS:
        text = doc.get(key)
        if not text:
            continue
        out.append("")
        out.append(title + ":")
        text = str(text).rstrip()
        if key == "example" or "\n" in text:  # code snippets stay verbatim
            out.extend("    " + line for line in text.splitlines())
        else:
            out.extend(textwrap.wrap(text, 88, initial_indent="    ", subsequent_indent="    "))
    return "\n".join(out) + "\n"


def render_rule_list(rules, profile) -> str:
    """``rules`` (ID -> Rule) as a table; "off" where the profile does not run a rule (a
    rule of other policies, or disabled by the profile)."""
    lines = ["%-10s %-36s %-8s %s" % ("ID", "NAME", "SEVERITY", "POLICIES")]
    for rule_id in sorted(rules):
        rule = rules[rule_id]
        severity = profile.severity(rule, rule.severity) if profile.covers(rule) else "off"
        lines.append("%-10s %-36s %-8s %s" % (rule.id, rule.name, severity, ", ".join(rule.policies) or "-"))
    lines.append("")
    lines.append("%d rules; severities as raised by profile %s (%s)" % (len(rules), profile.name, profile.description))
    return "\n".join(lines) + "\n"
