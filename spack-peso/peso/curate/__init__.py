"""Curated overlays of builtin recipes (``repo/``) and the upstream patches made from them."""
