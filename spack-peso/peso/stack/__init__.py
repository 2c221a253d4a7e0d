"""Stack generation: one product catalogue plus one small profile per target machine,
rendered into a valid Spack environment per target (issue 3), then built and tested
(issue 4: build/testrun/results/report modules).

Data flows one way: catalogue + profile files -> validated model -> rendered
``spack.yaml`` / coverage matrix / diff report. Facts about Spack (valid GPU archs, ROCm
components, variants base classes provide) live in ``data/*.yaml`` with provenance.
"""
