"""What a maintainer sees by default (issue 11): grouping, scope by package source,
profiles that leave survey rules out, and no rule on more than half of the builtin
recipes without its reason written in the rule docs."""

import collections

from _recipes import edit, findings

from peso.lint.config import LintConfig
from peso.lint.engine import lint
from peso.lint.registry import RULES


def test_unconstrained_dependencies_are_one_finding_per_package():
    source = edit(
        ('depends_on("hdf5@1.10:")', 'depends_on("hdf5")\n    depends_on("zlib")\n    depends_on("fftw", type="link")')
    )
    (got,) = findings(source, "PESO-D006")
    assert got.message.startswith("3 dependencies") and "hdf5, zlib, fftw" in got.message
    assert got.line == source.splitlines().index('    depends_on("hdf5")') + 1


def test_package_index_sources_are_out_of_the_vcs_rule():
    no_git = edit(('    git = "https://github.com/foo/foo.git"\n', ""))
    assert [f.rule for f in findings(no_git, "PESO-S001")] == ["PESO-S001"]
    pypi = edit(
        ('    git = "https://github.com/foo/foo.git"\n', '    pypi = "foo/foo-2.0.tar.gz"\n'),
        ('    url = "https://foo.org/foo-2.0.tar.gz"\n', ""),
    )
    cpan = edit(
        ('    git = "https://github.com/foo/foo.git"\n', ""),
        (
            'url = "https://foo.org/foo-2.0.tar.gz"',
            'url = "https://cpan.metacpan.org/authors/id/A/AB/ABC/Foo-2.0.tar.gz"',
        ),
    )
    assert findings(pypi, "PESO-S001") == [] and findings(cpan, "PESO-S001") == []


def test_default_view_of_the_builtin_repository(builtin_packages, tmp_path):
    """Under the default profile no rule fires on more than half of the recipes unless
    its docs say why (``noise``); survey rules disabled by the profile do not run."""
    result = lint([builtin_packages], LintConfig(jobs=2), use_cache=False)
    assert result.files_seen > 8000
    packages = collections.defaultdict(set)
    for f in result.findings:
        packages[f.rule].add(f.package)
    assert "PESO-D006" not in packages
    assert not [f for f in result.findings if f.rule == "PESO-X005"]
    loud = {rule for rule, names in packages.items() if len(names) > result.files_seen / 2}
    assert loud, "the check would pass vacuously"
    for rule in loud:
        assert "more than half" in RULES[rule].doc.get("noise", ""), rule
