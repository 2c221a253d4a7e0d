"""spack-peso: policy-aware linting, E4S stack generation and stack testing for Spack.

Inside Spack this package is imported as ``spack.extensions.peso``; outside it is ``peso``.
Every import inside the package is therefore relative.
"""

__version__ = "0.1.0"
