#!/usr/bin/env python3
"""Install requirements.txt into the official odoo:18.0 image (see Dockerfile).

That image installs Odoo from its Debian package, which pip does not count as the ``odoo``
distribution that OCA ``odoo-addon-*`` wheels require (``odoo==18.0.*``): a plain
``pip install -r requirements.txt`` would look for Odoo on PyPI and fail. So:

1. every requirement that is not an ``odoo-addon-*`` wheel installs as usual;
2. the ``odoo-addon-*`` wheels install with ``--no-deps``, and so do the ``odoo-addon-*``
   wheels they require, round after round, until none is missing;
3. then the Python libraries those wheels require (all but ``odoo`` and ``odoo-addon-*``);
4. last, a check that Odoo finds every one of those add-ons: pip puts them in
   ``<site-packages>/odoo/addons``, which Odoo's namespace package ``odoo.addons`` extends
   its ``__path__`` with (odoo/addons/__init__.py, pkgutil.extend_path), as it does for
   the Debian package's own ``/usr/lib/python3/dist-packages/odoo/addons``.

Usage: python3 tools/docker_requirements.py [requirements.txt]   (from the directory that
holds requirements.txt, for its relative paths). pip options come from the environment
(PIP_BREAK_SYSTEM_PACKAGES, PIP_NO_CACHE_DIR...).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always brings its own copy
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.utils import canonicalize_name

OCA_PREFIX = "odoo-addon-"
ODOO_CHECK = """
import os, sys, odoo.addons
paths = odoo.addons.__path__
missing = [m for m in sys.argv[1:]
           if not any(os.path.isfile(os.path.join(p, m, "__manifest__.py")) for p in paths)]
print("odoo.addons.__path__:", ", ".join(paths))
sys.exit("Odoo does not find: " + ", ".join(missing) if missing else 0)
"""


def pip_install(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", "install", *args]
    print("$ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def is_oca(name: str) -> bool:
    return canonicalize_name(name).startswith(OCA_PREFIX)


def split_requirements(path: Path) -> tuple[list[str], list[str]]:
    """(OCA add-on requirements, every other line) of a requirements file."""
    oca, other = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:  # a local path, an option: pip reads it as is
            other.append(line)
            continue
        (oca if is_oca(req.name) else other).append(line)
    return oca, other


def installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def oca_distributions() -> list[importlib.metadata.Distribution]:
    importlib.invalidate_caches()
    seen, dists = set(), []
    for dist in importlib.metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"] or "")
        if name.startswith(OCA_PREFIX) and name not in seen:
            seen.add(name)
            dists.append(dist)
    return dists


def requirements_of(dists) -> list[Requirement]:
    reqs = []
    for dist in dists:
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                reqs.append(req)
    return reqs


def addon_names(dists) -> list[str]:
    """The Odoo module names the wheels ship (odoo/addons/<name>/__manifest__.py)."""
    names = set()
    for dist in dists:
        for file in dist.files or []:
            parts = Path(file).parts
            if parts[:2] == ("odoo", "addons") and parts[-1] == "__manifest__.py":
                names.add(parts[2])
    return sorted(names)


def install_oca(specs: list[str]) -> None:
    while specs:
        pip_install("--no-deps", *specs)
        specs = sorted(
            {
                str(req)
                for req in requirements_of(oca_distributions())
                if is_oca(req.name) and not installed(req.name)
            }
        )
    libraries = sorted(
        {
            str(req)
            for req in requirements_of(oca_distributions())
            if not is_oca(req.name) and canonicalize_name(req.name) != "odoo"
        }
    )
    if libraries:
        pip_install(*libraries)


def main(argv: list[str]) -> int:
    oca, other = split_requirements(Path(argv[0] if argv else "requirements.txt"))
    if other:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=".", delete=False) as tmp:
            tmp.write("\n".join(other) + "\n")
        try:
            pip_install("-r", tmp.name)
        finally:
            Path(tmp.name).unlink()
    if oca:
        install_oca(oca)
        modules = addon_names(oca_distributions())
        subprocess.run([sys.executable, "-c", ODOO_CHECK, *modules], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
