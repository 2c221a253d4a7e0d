"""Lint findings as JUnit XML, for CI systems that show test reports (GitLab, Jenkins):
one test case per linted package, one ``<failure>`` per finding."""

import collections
import xml.etree.ElementTree as ET

from .lint_common import display_path


def render(result, base: str) -> str:
    by_path = collections.defaultdict(list)
    for f in result.findings:
        by_path[f.path].append(f)
    cases = [(path, package) for path, package in result.files]
    linted = {path for path, _ in cases}
    # findings outside the linted files (the waiver file) get a case of their own
    for path in sorted(by_path):
        if path not in linted:
            cases.append((path, display_path(path, base)))
    failed = sum(1 for path, _ in cases if by_path.get(path))
    suite_name = "spack-peso lint (%s)" % result.profile.name
    root = ET.Element("testsuites", name=suite_name, tests=str(len(cases)), failures=str(failed))
    suite = ET.SubElement(
        root, "testsuite", name=suite_name, tests=str(len(cases)), failures=str(failed), errors="0", skipped="0"
    )
    for path, package in cases:
        shown = display_path(path, base)
        case = ET.SubElement(suite, "testcase", classname="peso.lint", name=package, file=shown)
        for f in by_path.get(path, ()):
            failure = ET.SubElement(
                case, "failure", type=f.rule, message="%s %s: %s" % (f.rule, f.severity, f.message)
            )
            failure.text = "%s:%d:%d: %s %s %s" % (shown, f.line, f.column, f.rule, f.severity, f.message)
    if hasattr(ET, "indent"):  # Python >= 3.9
        ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
