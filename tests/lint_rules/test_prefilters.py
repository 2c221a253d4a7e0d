"""Literal pre-filters that stand in for slower regexes must accept everything the regex
matches (they only skip work, never findings)."""

import itertools
import re

from peso.lint.rules import source


def test_fixme_core_covers_every_case_form_the_regex_accepts():
    for letter in "xm":
        one = re.compile(letter, re.IGNORECASE).fullmatch
        forms = {chr(c) for c in range(0x110000) if one(chr(c))}
        assert forms == {letter, letter.upper()} and {form.lower() for form in forms} == {letter}
    for word in ("fixme", "FIXME", "FixMe", "f\u0131xme", "fIXmE", "\u0130 fiXMe"):
        assert source.FIXME_HINT.search(word) and source.FIXME_CORE in word.lower()


def test_insecure_hint_matches_where_the_plain_pattern_does():
    plain = re.compile(r"[\"'](?:http|ftp|git)://", re.IGNORECASE)
    pieces = ['"', "'", " ", "http", "HTTP", "hTtP", "https", "ftp", "FTP", "git", "GIT", "svn", "://", ":/", "x"]
    for combo in itertools.product(pieces, repeat=3):
        text = "".join(combo)
        assert bool(source.INSECURE_HINT.search(text)) == bool(plain.search(text)), text


def test_spec_membership_hint_finds_what_the_regex_finds():
    from peso.lint.rules import hygiene

    pieces = ['"', "'", " ", "\n", "\u2003", "not", "in", "spec", "self.spec", "x", "cannot", "spec_"]
    for combo in itertools.product(pieces, repeat=4):
        text = "".join(combo)
        assert hygiene.has_spec_membership_hint(text) == bool(hygiene.SPEC_MEMBERSHIP_HINT.search(text)), text
    for text in ('if "+mpi" in spec:', "if '~x'  not\tin self.spec['dep']:", 'x = "a" in specs', '"a"in spec'):
        assert hygiene.has_spec_membership_hint(text) == bool(hygiene.SPEC_MEMBERSHIP_HINT.search(text)), text
