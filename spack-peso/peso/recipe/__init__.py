"""A Spack ``package.py`` recipe read without importing it, and where recipes live.

``parse`` builds the :mod:`.model` (syntax tree read once; :mod:`.walk` collects the
node facts on first use), :mod:`.spec_tests` is the one spec-membership detector,
:mod:`.layout` maps package names to folders and classes, and :mod:`.discovery` finds
the recipes a lint target names.
"""
