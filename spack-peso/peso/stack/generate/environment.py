"""``stack generate`` as a library call: resolve inputs, render, write atomically.

Kept apart from the command module so tests, the staleness check and the benchmark
call exactly what ``spack peso stack generate`` runs.
"""

import os

import yaml

from ...errors import PesoError
from ...fsutil import atomic_write
from . import envfile
from .model import environments_dir, find_target, load_catalog, names_a_file, stack_dir
from .plan import BUILT, unknown_names, unknown_tags
from .render import render


def catalog_path(name_or_path, envdir=None):
    """``--catalog`` accepts a path or a name under ``environments/catalog``.

    A bare word (no path separator, no ``.yaml``) is always a catalogue name: a folder
    of the same name in the current directory (the checkout's ``demo/``) must not
    shadow ``--catalog demo`` (``model.names_a_file``, the rule ``--target`` follows too).
    """
    if name_or_path and names_a_file(name_or_path):
        return name_or_path
    envdir = envdir or environments_dir()
    return os.path.join(envdir, "catalog", (name_or_path or "e4s") + ".yaml")


def _refuse_empty(entries, target, tags, only, catalog_file):
    """A stack with no root is never what was asked for: ``--tags`` and ``--only`` that
    each match but select nothing together, or products the target skips, excludes or
    cannot build, are one line naming why, and nothing is written."""
    if any(e.status == BUILT for e in entries):
        return
    if not entries:
        asked = " and ".join("%s %s" % (flag, ",".join(v)) for flag, v in (("--tags", tags), ("--only", only)) if v)
        raise PesoError(asked + " select no product of the catalogue" if asked else "no product", catalog_file)
    first = entries[0]
    raise PesoError(
        "no root to build for target %s: the %d product flavours selected are skipped, excluded or unsupported "
        "there (first: %s [%s]: %s)" % (target.name, len(entries), first.product, first.flavor, first.reason[:160]),
        path=catalog_file,
    )


def resolve_format(fmt):
    """``auto`` -> ``groups`` only when the Spack that will read the file supports them."""
    if fmt in ("definitions", "groups"):
        return fmt
    from ...spackcall.compat import supports_groups

    return "groups" if supports_groups() else "definitions"


def generate(
    target_name,
    catalog=None,
    tags=None,
    only=None,
    out_dir=None,
    fmt="definitions",
    envdir=None,
    write=True,
    force=False,
):
    """Render one target; return ``(path, text, entries, target)``. Nothing is written when
    any input is invalid (the error is raised before the atomic write).

    The committed stack (the default output) is never replaced by one with fewer roots
    unless ``force`` is given or the caller named ``out_dir``: a filter narrower than
    meant must not silently shrink ``environments/<target>/spack.yaml``.
    """
    envdir = envdir or environments_dir()
    cat = load_catalog(catalog_path(catalog, envdir))
    target = find_target(target_name, envdir)
    missing = unknown_names(cat, only)
    if missing:
        raise PesoError("--only names products not in the catalogue: %s" % ", ".join(missing), path=cat.path)
    no_tag = unknown_tags(cat, tags)
    if no_tag:
        raise PesoError("--tags matches no product of the catalogue: %s" % ", ".join(no_tag), path=cat.path)
    note = "spack peso stack generate --target=%s --catalog %s%s%s" % (
        target.name,
        catalog or "e4s",
        " --tags " + ",".join(tags) if tags else "",
        " --only " + ",".join(only) if only else "",
    )
    text, entries = render(cat, target, tags=tags, only=only, fmt=resolve_format(fmt), argv_note=note)
    if write:
        _refuse_empty(entries, target, tags, only, cat.path)
    default_out = out_dir is None
    out_dir = out_dir or stack_dir(target.name, envdir)
    path = os.path.join(out_dir, "spack.yaml")
    if write and default_out and not force and os.path.isfile(path):
        try:
            before = len(envfile.specs(envfile.load_environment(path)))
        except PesoError:
            before = 0  # an unreadable old file is replaced, not protected
        after = len(envfile.specs(envfile.environment_of(yaml.safe_load(text), path)))
        if after < before:
            raise PesoError(
                "would replace the stack's %d roots with %d (check --tags/--only): "
                "give --force to replace it, or -o DIR to write elsewhere" % (before, after),
                path,
            )
    if write:
        atomic_write(path, text)
    return path, text, entries, target
