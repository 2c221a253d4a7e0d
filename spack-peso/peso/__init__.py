"""spack-peso: policy-aware linting, E4S stack generation and stack testing for Spack.

Inside Spack this package is imported as ``spack.extensions.peso``; outside it is ``peso``.
Every import inside the package is therefore relative.
"""

__version__ = "0.1.0"

import os as _os

#: this package's folder (data files are found relative to it)
PACKAGE_DIR = _os.path.dirname(_os.path.abspath(__file__))
#: the folder holding ``peso/`` (what ``PYTHONPATH`` needs for a child ``python -m peso``)
PACKAGE_PARENT = _os.path.dirname(PACKAGE_DIR)
#: the source checkout (``environments/``, ``../shared``) when running from one
CHECKOUT = _os.path.dirname(PACKAGE_PARENT)
