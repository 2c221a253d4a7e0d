"""Writers that turn results into documents: lint findings as text, JSON, SARIF, GitHub
annotations and JUnit (``lint_*.py``, ``sarif.py``, ``github.py``, ``junit.py``).

A writer never decides anything: it gets a finished result and returns a string; the
command writes that string to stdout or, atomically, to ``--output``.
"""
