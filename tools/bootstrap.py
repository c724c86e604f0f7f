#!/usr/bin/env python3
"""Odoo 18.0 for `make test` and `make run` on a machine where ``import odoo`` fails.

Builds, once, a virtualenv in ``.cache/odoo/venv`` (git-ignored) holding Odoo 18.0 from
``ODOO_SRC`` -- an archive (.tar.xz, .tar.gz, .zip), a source directory or an http(s) URL;
by default the official nightly source archive -- with Odoo's Python requirements, then this
repository's requirements.txt and test-requirements.txt. Stamps in ``.cache/odoo`` remember
what was built: a later call reuses the virtualenv as long as ODOO_SRC and the interpreter
are the same, and only re-runs pip for our requirements when those files changed.

Standard library only: it runs under any Python 3.10-3.12, before anything is installed.

    python3 tools/bootstrap.py python      # print an interpreter that imports odoo
    python3 tools/bootstrap.py run [ARGS]  # database `sacco` with every sacco_* add-on, served
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "odoo"
VENV = CACHE / "venv"
DEFAULT_ODOO_SRC = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
OUR_REQUIREMENTS = ("requirements.txt", "test-requirements.txt")
# Odoo 18 runs on Python 3.10-3.12 (odoo/__init__.py MIN/MAX_PY_VERSION).
SUPPORTED_PYTHONS = ((3, 10), (3, 12))
# Optional at run time (setup.py lists it as the `ldap` extra, for auth_ldap only) and built
# from source against OpenLDAP's headers: left out.
OPTIONAL_REQUIREMENTS = {"python-ldap"}
# Odoo pins rl-renderPM for Windows only because Debian's python3-reportlab ships the bitmap
# renderer inside; pip's reportlab 4 does not, and barcodes need it.
REQUIRED_ON_EVERY_PLATFORM = {"rl-renderpm"}


class BootstrapError(RuntimeError):
    """Odoo could not be made available; the message says why."""


def log(msg: str) -> None:
    print(f"[bootstrap] {msg}", file=sys.stderr, flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def imports_odoo(python: str | os.PathLike) -> bool:
    proc = subprocess.run(
        [str(python), "-c", "import odoo.release"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return proc.returncode == 0


def odoo_location(python: str) -> tuple[str | None, str]:
    """(odoo package directory, error) of ``python``, asked in a subprocess."""
    proc = subprocess.run(
        [python, "-c", "import os, odoo; print(os.path.dirname(odoo.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.strip().splitlines()[-1], ""
    err = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return None, (err[-1] if err else f"exit code {proc.returncode}")


def find_addons(addons_dir: Path) -> list[str]:
    """The sacco_* add-ons of ``addons_dir``."""
    if not addons_dir.is_dir():
        return []
    return sorted(
        p.parent.name
        for p in addons_dir.glob("sacco_*/__manifest__.py")
        if (p.parent / "__init__.py").exists()
    )


def odoo_src() -> str:
    return os.environ.get("ODOO_SRC") or DEFAULT_ODOO_SRC


def run(cmd: list[str], **kwargs) -> None:
    log("$ " + " ".join(cmd))
    if subprocess.run(cmd, check=False, **kwargs).returncode != 0:
        raise BootstrapError(f"command failed: {' '.join(cmd)}")


def pip(*args: str, cwd: Path | None = None) -> None:
    # pip's own cache (~/.cache/pip, or PIP_CACHE_DIR) is kept: it is shared by every
    # checkout and CI run of this machine, so a rebuild mostly reads cached wheels.
    run([str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", *args], cwd=cwd)


# --- stamps ------------------------------------------------------------------------------------
def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else part.encode())
        h.update(b"\0")
    return h.hexdigest()


def odoo_key(src: str) -> str:
    """What the Odoo part of the virtualenv depends on: the source and the interpreter."""
    path = Path(src)
    what = src
    if path.is_file():
        st = path.stat()
        what += f"|{st.st_size}|{st.st_mtime_ns}"
    elif (path / "odoo" / "release.py").is_file():
        what += "|" + (path / "odoo" / "release.py").read_text(encoding="utf-8")
    return _digest(what, sys.version, sys.base_prefix)


def ours_key() -> str:
    return _digest(*((REPO / name).read_bytes() for name in OUR_REQUIREMENTS))


def stamp_matches(name: str, key: str) -> bool:
    path = CACHE / f"{name}.stamp"
    return path.is_file() and path.read_text().strip() == key


def write_stamp(name: str, key: str) -> None:
    (CACHE / f"{name}.stamp").write_text(key + "\n")


# --- Odoo source -------------------------------------------------------------------------------
def download(url: str, dest_dir: Path) -> Path:
    dest = dest_dir / (url.rstrip("/").rsplit("/", 1)[-1] or "odoo-src")
    log(f"downloading {url}")
    t0 = time.time()
    try:
        with urllib.request.urlopen(url, timeout=120) as resp, open(dest, "wb") as out:
            shutil.copyfileobj(resp, out, length=1 << 20)
    except OSError as exc:
        raise BootstrapError(
            f"cannot download {url}: {exc}; set ODOO_SRC to a local Odoo 18.0 source "
            "archive or directory"
        ) from exc
    log(f"downloaded {dest.stat().st_size / 1e6:.0f} MB in {time.time() - t0:.0f}s")
    return dest


def extract(archive: Path, dest_dir: Path) -> None:
    log(f"extracting {archive}")
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest_dir)
        return
    try:
        with tarfile.open(archive) as tf:
            if hasattr(tarfile, "data_filter"):
                tf.extractall(dest_dir, filter="data")
            else:
                tf.extractall(dest_dir)  # noqa: S202 -- Python without extraction filters
    except tarfile.TarError as exc:
        raise BootstrapError(f"{archive} is not a .tar.*/.zip archive: {exc}") from exc


def source_root(top: Path) -> Path:
    """The folder holding setup.py and odoo/release.py: ``top`` or one level below it."""
    for candidate in [top, *sorted(p for p in top.iterdir() if p.is_dir())]:
        if (candidate / "setup.py").is_file() and (candidate / "odoo" / "release.py").is_file():
            return candidate
    raise BootstrapError(f"no Odoo source (setup.py and odoo/release.py) in {top}")


def prepare_source(src: str, workdir: Path) -> Path:
    if src.startswith(("http://", "https://")):
        archive = download(src, workdir)
    else:
        path = Path(src).expanduser().resolve()
        if path.is_dir():
            return source_root(path)
        if not path.is_file():
            raise BootstrapError(f"ODOO_SRC={src}: no such file or directory")
        archive = path
    unpacked = workdir / "src"
    unpacked.mkdir()
    extract(archive, unpacked)
    return source_root(unpacked)


# --- Odoo's requirements -------------------------------------------------------------------
def odoo_requirements(lines: list[str], python_version: str) -> list[str]:
    """Odoo's requirements.txt for this interpreter, one requirement per package.

    On Python < 3.12 the pins Odoo marks for Python 3.12 (Ubuntu 24.04's versions) are
    taken: several of the older pins (cbor2 5.4.2, gevent 22.10, lxml 4.9...) have no
    wheels for 3.11 and do not build there, while the 3.12 pins install as wheels.
    Runs inside the new virtualenv, whose pip brings ``packaging``.
    """
    from pip._vendor.packaging.markers import default_environment  # noqa: PLC0415
    from pip._vendor.packaging.requirements import Requirement  # noqa: PLC0415
    from pip._vendor.packaging.utils import canonicalize_name  # noqa: PLC0415

    env = default_environment()
    if tuple(map(int, python_version.split(".")[:2])) < (3, 12):
        env.update(python_version="3.12", python_full_version="3.12.0")
    chosen: dict[str, str] = {}
    for raw in lines:
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name in OPTIONAL_REQUIREMENTS or name in chosen:
            continue
        if req.marker is not None:
            marker_env = dict(env)
            if name in REQUIRED_ON_EVERY_PLATFORM:
                marker_env["sys_platform"] = "win32"
            if not req.marker.evaluate(marker_env):
                continue
        req.marker = None
        chosen[name] = str(req)
    return list(chosen.values())


# --- the virtualenv ------------------------------------------------------------------------
def check_interpreter() -> None:
    low, high = SUPPORTED_PYTHONS
    if not low <= sys.version_info[:2] <= high:
        raise BootstrapError(
            f"Odoo 18.0 runs on Python {low[0]}.{low[1]}-{high[0]}.{high[1]}; "
            f"{sys.executable} is {sys.version.split()[0]}: run with PYTHON=python3.12 (or 3.11)"
        )


def create_venv() -> None:
    shutil.rmtree(VENV, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise BootstrapError(
            f"python -m venv failed ({proc.stderr.strip().splitlines()[-1:]}); on Debian/Ubuntu "
            "install python3-venv"
        )


def build_odoo(src: str) -> None:
    check_interpreter()
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    log(f"installing Odoo from {src} into {VENV} (once; later runs reuse it)")
    with tempfile.TemporaryDirectory(prefix="odoo-src-", dir=CACHE) as tmp:
        root = prepare_source(src, Path(tmp))
        for name in ("odoo", "ours"):
            (CACHE / f"{name}.stamp").unlink(missing_ok=True)
        create_venv()
        # Odoo 18's setup.py needs setuptools < 70 (and is built without isolation, with it).
        pip("-q", "setuptools<70", "wheel")
        reqs = CACHE / "odoo-requirements.txt"
        run(
            [
                str(venv_python()),
                str(Path(__file__).resolve()),
                "odoo-requirements",
                str(root / "requirements.txt"),
                str(reqs),
            ]
        )
        pip("-q", "-r", str(reqs))
        pip("-q", "--no-build-isolation", str(root))
    if not imports_odoo(venv_python()):
        raise BootstrapError(f"{venv_python()} cannot import odoo after the install")
    log(f"Odoo installed in {time.time() - t0:.0f}s")


def install_ours() -> None:
    # Our requirements, OCA odoo-addon-* wheels included: they require odoo==18.0.*, which
    # pip now finds installed in this virtualenv.
    args = ["-q"]
    for name in OUR_REQUIREMENTS:
        args += ["-r", name]
    pip(*args, cwd=REPO)


def ensure_odoo_python(python: str | None = None) -> str:
    """An interpreter that imports odoo: ``python`` itself when it does, else the cached
    virtualenv, built or refreshed as needed."""
    python = python or sys.executable
    if imports_odoo(python):
        return python
    src = odoo_src()
    key = odoo_key(src)
    if stamp_matches("odoo", key) and imports_odoo(venv_python()):
        log(f"reusing {VENV} (Odoo from {src})")
    else:
        build_odoo(src)
        write_stamp("odoo", key)
    if not stamp_matches("ours", ours_key()):
        install_ours()
        write_stamp("ours", ours_key())
    return str(venv_python())


# --- make run --------------------------------------------------------------------------------
def missing_modules(db: str, modules: list[str]) -> list[str]:
    """The ``modules`` not installed in ``db`` (all of them when it does not exist).
    Runs under the Odoo interpreter, which has psycopg2."""
    import psycopg2  # noqa: PLC0415

    try:
        conn = psycopg2.connect(dbname=db, **pg_params())
    except psycopg2.OperationalError as exc:
        if f'"{db}" does not exist' in str(exc):
            return modules
        raise
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s)",
                (modules,),
            )
            installed = {name for (name,) in cr.fetchall()}
    except psycopg2.Error:
        return modules  # an empty or foreign database: let Odoo initialise it
    finally:
        conn.close()
    return [m for m in modules if m not in installed]


def pg_params() -> dict[str, str]:
    params = {
        "host": os.environ.get("PGHOST") or "127.0.0.1",
        "port": os.environ.get("PGPORT") or "5432",
        "user": os.environ.get("PGUSER") or "postgres",
    }
    if os.environ.get("PGPASSWORD"):
        params["password"] = os.environ["PGPASSWORD"]
    return params


def write_run_config(python: str, db: str) -> Path:
    odoo_dir, err = odoo_location(python)
    if odoo_dir is None:
        raise BootstrapError(f"{python} cannot import odoo: {err}")
    pg = pg_params()
    lines = [
        "; Written by tools/bootstrap.py (make run) on every start: edit the command, not this.",
        "[options]",
        f"addons_path = {os.path.join(odoo_dir, 'addons')},{REPO / 'addons'}",
        f"data_dir = {CACHE.parent / 'odoo-data'}",
        f"db_host = {pg['host']}",
        f"db_port = {pg['port']}",
        f"db_user = {pg['user']}",
        f"db_password = {pg.get('password', 'False')}",
        f"db_name = {db}",
        f"dbfilter = ^{db}$",
        f"http_port = {os.environ.get('SACCO_HTTP_PORT') or 8069}",
        "",
    ]
    conf = CACHE.parent / "odoo-run.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("\n".join(lines))
    return conf


def serve(extra: list[str]) -> None:
    python = ensure_odoo_python()
    db = os.environ.get("SACCO_DB") or "sacco"
    conf = write_run_config(python, db)
    env = dict(os.environ)
    # Odoo imports the sacco_core of this checkout, not the copy pip installed.
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO / "sacco_core"), env.get("PYTHONPATH")])
    )
    odoo = [python, "-m", "odoo", "-c", str(conf)]
    missing = subprocess.run(
        [
            python,
            str(Path(__file__).resolve()),
            "missing-modules",
            db,
            *find_addons(REPO / "addons"),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if missing.returncode != 0:
        raise BootstrapError(f"cannot reach PostgreSQL for database {db}: {missing.stderr.strip()}")
    to_install = missing.stdout.split()
    if to_install:
        t0 = time.time()
        log(f"initialising database {db} with {', '.join(to_install)} and demo data")
        run([*odoo, "-i", ",".join(to_install), "--stop-after-init"], cwd=REPO, env=env)
        log(f"database {db} ready in {time.time() - t0:.0f}s")
    port = os.environ.get("SACCO_HTTP_PORT") or "8069"
    log(f"serving database {db} at http://localhost:{port} (admin / admin); Ctrl-C stops")
    os.chdir(REPO)
    os.execve(python, [*odoo, *extra], env)


def main(argv: list[str]) -> int:
    cmd, args = (argv[0], argv[1:]) if argv else ("", [])
    try:
        if cmd == "python":
            print(ensure_odoo_python())
        elif cmd == "run":
            serve(args)
        elif cmd == "odoo-requirements":
            source, out = args
            lines = Path(source).read_text(encoding="utf-8").splitlines()
            version = "{}.{}".format(*sys.version_info[:2])
            Path(out).write_text("\n".join(odoo_requirements(lines, version)) + "\n")
        elif cmd == "missing-modules":
            print(" ".join(missing_modules(args[0], args[1:])))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except BootstrapError as exc:
        log(f"ERROR: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
