"""Generate the CLI and rule reference pages from the program itself.

At ``builder-inited`` this writes ``reference/cli.md`` from ``peso.__main__.make_parser``
(every command and subcommand: usage, description, options, the exit-status contract)
and ``reference/rules.md`` from the rule documentation the code reads: what, why, example
and fix of every ``PESO-*`` recipe rule (``peso/lint/data/rules*.yaml``), ``STACK-*`` stack rule
(``peso/policy/data/stack_rules.yaml``) and catalogue code
(``peso/stack/generate/data/catalog_rules.yaml``), listed once in ``peso.rule_docs`` (which
``lint --explain`` reads too). Both files are build products (ignored by git), so the
reference cannot drift from the code.
"""

import argparse
import ast
import io
import os

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _subparsers(parser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen = set()
            for name, child in action.choices.items():
                if id(child) in seen:
                    continue  # an alias of a command already listed
                seen.add(id(child))
                yield name, child


def _walk(parser, prefix):
    yield prefix, parser
    for name, child in _subparsers(parser):
        yield from _walk(child, prefix + [name])


def cli_page() -> str:
    from peso.__main__ import make_parser

    out = io.StringIO()
    out.write("# Command-line reference\n\n")
    out.write("Generated from the program's own argument parser: `spack peso ...` and `python -m peso ...` ")
    out.write("take the same arguments.\n\n")
    for words, parser in _walk(make_parser(), ["peso"]):
        title = " ".join(words[1:]) or "peso"
        out.write("## `%s`\n\n" % title)
        parser.prog = " ".join(words)
        out.write("```text\n%s```\n\n" % parser.format_help())
    return out.getvalue()


def rules_page() -> str:
    from peso import rule_docs

    out = io.StringIO()
    out.write("# Rule reference\n\n")
    out.write(
        "Generated from the rule documentation the code reads (%s).\n\n"
        % ", ".join("`peso/%s`" % name for family in rule_docs.FAMILIES for name in family.files)
    )
    for family in rule_docs.FAMILIES:
        out.write("## %s\n\n%s\n\n" % (family.heading, family.introduction))
        for rule in sorted(rule_docs.entries(family), key=lambda r: r["id"]):
            _write_rule(out, rule, family.example_language)
    return out.getvalue()


def _write_rule(out, rule: dict, language) -> None:
    out.write("### %s%s\n\n" % (rule["id"], " `%s`" % rule["name"] if rule.get("name") else ""))
    facts = "*%s*" % rule.get("severity", "?")
    if "policies" in rule:
        facts += " · policies: %s" % (", ".join(rule.get("policies") or []) or "none")
    out.write("%s\n\n" % facts)
    if rule.get("summary"):
        out.write("%s\n\n" % rule["summary"].strip())
    for key, heading in (("what", "What it does"), ("why", "Why it matters"), ("noise", "What you see")):
        if rule.get(key):
            out.write("**%s.** %s\n\n" % (heading, " ".join(str(rule[key]).split())))
    for key, heading in (("example", "Example"), ("fix", "Fix")):
        if rule.get(key):
            text = str(rule[key]).rstrip()
            shown_as = language if key == "example" and language else _language(text)  # a fix may be words
            out.write("**%s**\n\n```%s\n%s\n```\n\n" % (heading, shown_as, text))


def _language(text: str) -> str:
    """``python`` for a recipe snippet, ``text`` for a fix given in words."""
    try:
        ast.parse(text)
    except SyntaxError:
        return "text"
    return "python"


def _write(app):
    folder = os.path.join(app.srcdir, "reference")
    os.makedirs(folder, exist_ok=True)
    for name, text in (("cli.md", cli_page()), ("rules.md", rules_page())):
        path = os.path.join(folder, name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:  # unchanged files keep their time: no needless rebuild
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)


def setup(app):
    app.connect("builder-inited", _write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
