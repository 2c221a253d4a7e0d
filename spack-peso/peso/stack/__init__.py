"""E4S stacks: ``generate/`` renders one product catalogue plus one small profile per target
machine into a valid Spack environment per target; ``run/`` builds and tests such an
environment and keeps run records. The two never import each other.

Data flows one way: catalogue + profile files -> validated model -> rendered
``spack.yaml`` / coverage matrix / diff report. Facts about Spack (valid GPU archs, ROCm
components, variants base classes provide) live in ``data/*.yaml`` with provenance.
"""
