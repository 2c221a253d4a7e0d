"""The recipe linter: rule registry, rules, engine, suppressions and output formats."""
