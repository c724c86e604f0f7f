"""Shared set-up for the benchmarks: a real Odoo registry on a database of its own."""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "sacco_core"))  # this checkout's rules, not an installed copy

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402


def parse_args(description, default_n):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default="sacco_bench", help="database (dropped and recreated)")
    parser.add_argument("-n", type=int, default=default_n, help="number of rows")
    parser.add_argument("--modules", default="sacco_savings")
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "postgres"))
    return parser.parse_args()


def odoo_options(args):
    addons = os.path.join(os.path.dirname(odoo.__file__), "addons")
    return [
        f"--addons-path={addons},{os.path.join(REPO, 'addons')}",
        f"--db_host={args.db_host}",
        f"--db_user={args.db_user}",
        "--log-level=warn",
    ]


def registry_for(args):
    """A fresh ``args.db`` with the add-ons installed (no demo data), and its registry."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([os.path.join(REPO, "sacco_core"), *sys.path])
    )
    subprocess.run(
        ["dropdb", "--if-exists", "-h", args.db_host, "-U", args.db_user, args.db], check=True
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            args.db,
            "-i",
            args.modules,
            "--without-demo=all",
            "--stop-after-init",
            "--http-port=0",
            *odoo_options(args),
        ],
        check=True,
        env=env,
    )
    odoo.tools.config.parse_config(odoo_options(args))
    return Registry(args.db)


@contextmanager
def environment(registry):
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


@contextmanager
def timed(label, rows, results):
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    results[label] = seconds
    print(f"{label}: {rows} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s", flush=True)
