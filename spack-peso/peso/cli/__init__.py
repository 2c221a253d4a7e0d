"""Subcommands of ``spack peso``, one module per group, each shaped like a Spack command.

They live here rather than in ``cmd/`` because Spack turns every module in an
extension's ``cmd/`` folder into a top-level ``spack`` command.
"""
