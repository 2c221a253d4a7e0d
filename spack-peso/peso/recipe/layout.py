"""Spack's repository layout: package names <-> recipe folders and class names."""

import os
import re
import string
from typing import List


def package_name_from_path(path: str) -> str:
    """Spack 1.x repo layout: ``packages/py_numpy/package.py`` is package ``py-numpy``;
    directories of names that are not identifiers get a leading ``_`` (``_7zip``)."""
    directory = os.path.basename(os.path.dirname(os.path.abspath(path)))
    if directory.startswith("_") and len(directory) > 1:
        directory = directory[1:]
    return directory.replace("_", "-")


def package_folder_names(package: str) -> List[str]:
    """Folders a package's recipe may live in: ``py-numpy`` -> ``py_numpy`` (repo API v2),
    ``_7zip`` for names that are not identifiers, and the name as is (API v1)."""
    v2 = package.replace("-", "_")
    return [v2, "_" + v2, package]


def find_recipe(package: str, packages_dirs) -> str:
    """Path of ``package``'s package.py in the first of ``packages_dirs`` holding it, or ""."""
    for packages_dir in packages_dirs:
        for folder in package_folder_names(package):
            path = os.path.join(packages_dir, folder, "package.py")
            if os.path.isfile(path):
                return path
    return ""


def class_name_for(package: str) -> str:
    """Spack's module-to-class mapping: ``py-numpy`` -> ``PyNumpy``, ``7zip`` -> ``_7zip``."""
    name = string.capwords(re.sub(r"[-_]+", "-", package), "-").replace("-", "")
    if name[:1].isdigit():
        name = "_" + name
    return name
