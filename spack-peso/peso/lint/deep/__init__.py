"""``spack peso lint --deep``: the checks that need Spack with package classes loaded.

Three things the static linter cannot know without importing the recipes:

* every ``spack audit packages`` check, run one package at a time and one check
  function at a time, so that (unlike ``spack audit``, which stops printing after the
  first failing tag) nothing is lost and each error is filed under the rule that
  lists its function in ``rules-deep.yaml``, with a ``file:line`` found in the AST;
* inherited stand-alone tests (``spack.install_test.test_functions``): a package
  whose base class provides ``test_*`` methods is not "untested", so with ``--deep``
  the static no-standalone-test finding is dropped for it;
* variants that a method tests for (``self.spec.satisfies("+x")``) but that neither
  the class nor a base class defines (PESO-K001).

One job per module: :mod:`.audit` runs inside Spack and collects facts per package
(forked workers, as the static lint); :mod:`.findings` turns facts into findings (no
Spack needed); :mod:`.spec_checks` is the K001 analysis; :mod:`.locate` finds the line
an audit message talks about.
"""
