"""Sphinx configuration of the spack-peso documentation (built with -W in CI).

Why Sphinx with MyST: it is the Spack ecosystem's convention (Spack's own docs), and MyST
keeps the pages Markdown. The CLI and rule references are generated from the code's own
argparse parser and rule documentation (``_ext/peso_reference.py``), so they cannot
disagree with the program.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "spack-peso"))

project = "spack-peso"
author = "spack-peso developers"
copyright = "spack-peso developers (Apache-2.0 OR MIT)"
extensions = ["myst_parser", "peso_reference"]
source_suffix = {".md": "markdown"}
master_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
html_theme = "alabaster"
html_theme_options = {"description": "Curate scientific software stacks the E4S way, with Spack"}
