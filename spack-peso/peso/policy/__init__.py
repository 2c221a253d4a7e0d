"""Per-product policy compliance: E4S (P/FP/FLP) and xSDK (M/R) status from lint findings.

Data flows one way: policy definitions (``peso/policy/data/policies/*.yaml``) + lint findings per
product -> :mod:`.evaluate` (pass / fail / needs-evidence per policy) -> writers
(:mod:`.compat` for the upstream E4S "compatability" YAML, :mod:`.writers` for Markdown,
HTML and JSON). :mod:`.compare` diffs two reports; :mod:`.stacklint` looks at a whole
generated stack.
"""
