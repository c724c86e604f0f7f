#!/usr/bin/env python3
"""Odoo SACCO test runner: the project's single test command (`make test`).

Runs, from the repository root:

1. ``pip install -r requirements.txt -r test-requirements.txt`` (skip with ``--no-install``);
2. the framework-free ``sacco_core`` pytest suite, plus ``tests/`` at the repo root when it
   holds test files (results read from ``--junitxml`` files, not from the screen);
3. the Odoo suite: a fresh database ``sacco_test_<timestamp>``; the add-ons ours depend on
   (account, OCA...) are installed first without tests, then every ``sacco_*`` add-on of
   ``addons/`` with demo data and ``--test-enable``; then the Odoo log is parsed.

Where this python cannot import ``odoo``, tools/bootstrap.py first builds (once) a virtualenv
with Odoo 18.0 from ``ODOO_SRC`` in ``.cache/odoo`` and this runner re-runs itself with it.
When that fails too, the Odoo suite is skipped, loudly -- or fails, when SACCO_REQUIRE_ODOO=1
or CI=true (CI must not turn green without the Odoo suite).

The Odoo suite fails when Odoo exits non-zero, when any test fails or errors, when no test
ran, when any ERROR/CRITICAL line is logged, or when a WARNING line comes from or mentions
our add-ons (logger ``odoo.addons.sacco_*``, or text containing ``sacco_``/``sacco.``).

The last line printed is always ``N passed, M failed`` (totals over every part; errors count
as failures, and a part that failed without a countable test failure -- Odoo crashed, an
ERROR log line outside a test, a dependency install failure -- counts as one failure).
Exit status is 0 only if everything passed.

Environment: PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (postgres), PGPASSWORD;
ODOO_SRC (see tools/bootstrap.py); SACCO_REQUIRE_ODOO, CI.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# tools/bootstrap.py (this script's directory is first on sys.path)
from bootstrap import BootstrapError, ensure_odoo_python, find_addons, odoo_location

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable or "python3"
# Set for the re-run under the bootstrapped interpreter, so it never bootstraps again.
BOOTSTRAPPED_ENV = "SACCO_ODOO_BOOTSTRAPPED"

# --- Odoo 18 log format -------------------------------------------------------------------
# odoo/netsvc.py: '%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s'
# e.g. "2026-05-21 10:00:00,123 4242 INFO sacco_test_x odoo.modules.loading: loading 1 modules..."
# Lines that do not match are continuation lines (tracebacks, multi-line messages) of the
# previous record. The custom RUNBOT level (25) is displayed as INFO.
RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?P<pid>\d+) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|NOTSET|RUNBOT) "
    r"(?P<db>\S+) (?P<logger>[^\s:]+): (?P<message>.*)$"
)
LEVELS = {"DEBUG": 10, "INFO": 20, "RUNBOT": 25, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
# odoo/service/server.py ThreadedServer.run(), logger odoo.tests.result, logged at INFO
# (all passed), WARNING (no test ran) or ERROR (failures), with str(OdooTestResult)
# from odoo/tests/result.py:
# "0 failed, 0 error(s) of 12 tests when loading database 'sacco_test_x'"
RESULT_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database (?P<db>.+?)\s*$"
)
# odoo/tests/result.py OdooTestResult.log_stats(), logger odoo.tests.stats, INFO:
# "sacco_base: 17 tests 3.21s 1234 queries"
STATS_RE = re.compile(
    r"^(?P<module>\w+): (?P<count>\d+) tests (?P<secs>[\d.]+)s (?P<q>\d+) queries"
)
# odoo/tests/result.py OdooTestResult.addSkip(), logger = the test's module, INFO:
# "skipped TestClass.test_method : reason"
SKIP_RE = re.compile(r"^skipped \S+ : ")
OURS_RE = re.compile(r"sacco[._]")


def say(msg: str = "") -> None:
    print(msg, flush=True)


@dataclass
class Part:
    name: str
    passed: int = 0
    failed: int = 0
    ok: bool = True
    skipped_line: str | None = None  # printed instead of counts when the part was skipped
    notes: list[str] = field(default_factory=list)

    def fail(self, why: str) -> None:
        self.ok = False
        self.notes.append(why)

    def finalize(self) -> None:
        # A part that failed without any countable failure still counts as one failure,
        # so the closing "N passed, M failed" line never says "0 failed" for a red run.
        if not self.ok and self.failed == 0:
            self.failed = 1

    def summary(self) -> str:
        if self.skipped_line:
            return self.skipped_line
        line = f"{self.name}: {self.passed} passed, {self.failed} failed"
        if self.notes:
            line += " (" + "; ".join(self.notes) + ")"
        return line


# --- dependencies --------------------------------------------------------------------------
def install_requirements() -> Part:
    part = Part("dependencies (pip)")
    cmd = [
        PY,
        "-m",
        "pip",
        "install",
        "-q",
        "-r",
        "requirements.txt",
        "-r",
        "test-requirements.txt",
    ]
    say("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=REPO, stderr=subprocess.PIPE, text=True)
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        hint = ""
        if "externally-managed-environment" in (proc.stderr or ""):
            hint = " -- use a virtualenv, or export PIP_BREAK_SYSTEM_PACKAGES=1"
        part.fail(f"pip exited {proc.returncode}{hint}; rerun with --no-install to skip")
    return part


# --- pytest ----------------------------------------------------------------------------------
def has_test_files(path: Path) -> bool:
    if not path.is_dir():
        return False
    for p in path.rglob("*.py"):
        if "__pycache__" in p.parts:
            continue
        if p.name.startswith("test_") or p.name.endswith("_test.py"):
            return True
    return False


def parse_junit(xml_path: Path) -> tuple[int, int, int]:
    """Return (passed, failed, skipped) from a pytest junit XML file (errors count as failed)."""
    passed = failed = skipped = 0
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            failed += 1
        elif "skipped" in tags:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def run_pytest(name: str, target: Path, extra: list[str]) -> Part:
    part = Part(f"{name} (pytest)")
    shown = str(target.relative_to(REPO)) if target.is_relative_to(REPO) else str(target)
    with tempfile.TemporaryDirectory(prefix="sacco-pytest-") as tmp:
        xml_path = Path(tmp) / "junit.xml"
        cmd = [
            PY,
            "-m",
            "pytest",
            shown,
            "-q",
            "-p",
            "no:cacheprovider",
            # pytest-odoo (test-requirements) adds an autouse fixture that needs an Odoo
            # database; these suites are plain Python. Odoo tests run via Odoo itself.
            "-p",
            "no:odoo",
            f"--junitxml={xml_path}",
            *extra,
        ]
        say("")
        say("$ " + " ".join(cmd))
        rc = subprocess.run(cmd, cwd=REPO).returncode
        skipped = 0
        if xml_path.exists():
            try:
                part.passed, part.failed, skipped = parse_junit(xml_path)
            except ET.ParseError as exc:
                part.fail(f"unreadable junit xml: {exc}")
        else:
            part.fail("pytest wrote no junit xml")
        if skipped:
            part.notes.append(f"{skipped} skipped")
        if rc == 5:  # pytest: no tests were collected
            part.fail("no tests collected")
        elif rc != 0 and (rc != 1 or part.failed == 0):
            part.fail(f"pytest exited {rc}")
        elif rc == 1:
            part.ok = False  # test failures: the counts already say it
        elif part.failed:
            part.fail("junit xml reports failures although pytest exited 0")
    return part


# --- Odoo --------------------------------------------------------------------------------------
def odoo_required() -> bool:
    """CI (and whoever sets SACCO_REQUIRE_ODOO=1) fails rather than skips the Odoo suite."""
    return os.environ.get("SACCO_REQUIRE_ODOO") == "1" or os.environ.get("CI", "").lower() == "true"


def rerun_with_odoo(argv: list[str]) -> str | None:
    """Re-run this script under an interpreter that imports odoo -- the bootstrapped
    virtualenv where this one does not (tools/bootstrap.py). Returns why that failed."""
    try:
        python = ensure_odoo_python(PY)
    except BootstrapError as exc:
        say(f"Odoo bootstrap failed: {exc}")
        return str(exc)
    if python != PY:
        say(f"Running the tests with {python} (Odoo bootstrapped by tools/bootstrap.py)")
        env = dict(os.environ, **{BOOTSTRAPPED_ENV: "1"})
        # The bootstrap has just installed requirements.txt and test-requirements.txt as
        # they are now (its stamp covers them): no second pip run.
        extra = [] if "--no-install" in argv else ["--no-install"]
        os.execve(python, [python, str(Path(__file__).resolve()), *extra, *argv], env)
    return None


def external_dependencies(addons_dir: Path, modules: list[str]) -> list[str]:
    """The add-ons outside ``addons_dir`` that ``modules`` depend on, directly or through
    other add-ons of ``addons_dir`` (e.g. account, mail, OCA add-ons)."""
    seen: set[str] = set()
    external: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        manifest = addons_dir / name / "__manifest__.py"
        if not manifest.exists():
            external.add(name)
            continue
        todo.extend(ast.literal_eval(manifest.read_text(encoding="utf-8")).get("depends", []))
    return sorted(external)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgParams:
    host: str
    port: str
    user: str
    password: str | None

    def connect(self, dbname: str = "postgres"):
        import psycopg2  # Odoo's own dependency; only used where odoo is importable

        kwargs = {"host": self.host, "port": self.port, "user": self.user, "dbname": dbname}
        if self.password:
            kwargs["password"] = self.password
        return psycopg2.connect(**kwargs)


def drop_database(pg: PgParams, db: str) -> str | None:
    """Drop ``db``; return an error message or None."""
    try:
        conn = pg.connect()
    except Exception as exc:
        return str(exc).strip()
    try:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (db,),
            )
            cr.execute('DROP DATABASE IF EXISTS "{}"'.format(db.replace('"', '""')))
    except Exception as exc:
        return str(exc).strip()
    finally:
        conn.close()
    return None


class LogRecord:
    __slots__ = ("level", "logger", "db", "message", "lines")

    def __init__(self, m: re.Match, line: str):
        self.level = m["level"]
        self.logger = m["logger"]
        self.db = m["db"]
        self.message = m["message"].rstrip()
        self.lines = [line.rstrip("\n")]

    @property
    def levelno(self) -> int:
        return LEVELS.get(self.level, 0)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_log(path: Path) -> list[LogRecord]:
    records: list[LogRecord] = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = RECORD_RE.match(line.rstrip("\n"))
            if m:
                records.append(LogRecord(m, line))
            elif records:
                records[-1].lines.append(line.rstrip("\n"))
    return records


class LogFollower(threading.Thread):
    """Echo WARNING+ records (with their continuation lines) of a growing log file."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path = path
        self.done = threading.Event()

    def run(self) -> None:
        while not self.path.exists():
            if self.done.wait(0.2) and not self.path.exists():
                return
        echo = False
        buf = ""
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            while True:
                chunk = fh.readline()
                if not chunk:
                    if self.done.is_set():
                        # final drain happened: readline returned '' after done was set
                        break
                    time.sleep(0.2)
                    continue
                buf += chunk
                if not buf.endswith("\n"):
                    continue  # partial line, wait for the rest
                line, buf = buf.rstrip("\n"), ""
                m = RECORD_RE.match(line)
                if m:
                    echo = LEVELS.get(m["level"], 0) >= LEVELS["WARNING"]
                if echo:
                    print(line, flush=True)

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


def run_odoo(args, addons_dir: Path, core_dir: Path) -> Part:
    modules_found = find_addons(addons_dir)
    modules = (
        [m.strip() for m in args.modules.split(",") if m.strip()] if args.modules else modules_found
    )
    part = Part(f"odoo suite ({', '.join(modules) or '-'})")

    odoo_dir, err = odoo_location(PY)
    if odoo_dir is None:
        why = f"odoo is not importable in {PY} ({err})"
        if args.bootstrap_error:
            why += f" and the Odoo bootstrap failed: {args.bootstrap_error}"
        say("")
        say("!" * 100)
        if odoo_required():
            part.fail(f"ODOO SUITE CANNOT RUN: {why}")
            say(f"ODOO SUITE CANNOT RUN (required by SACCO_REQUIRE_ODOO=1 or CI=true): {why}")
        else:
            part.skipped_line = f"ODOO SUITE SKIPPED: {why}; see README (Tests) to run it."
            say(part.skipped_line)
        say("!" * 100)
        return part
    if not modules:
        part.skipped_line = (
            f"odoo suite: SKIPPED (no sacco_* add-on with a __manifest__.py in {addons_dir})"
        )
        say("")
        say(part.skipped_line)
        return part

    pg = PgParams(
        host=os.environ.get("PGHOST") or "127.0.0.1",
        port=os.environ.get("PGPORT") or "5432",
        user=os.environ.get("PGUSER") or "postgres",
        password=os.environ.get("PGPASSWORD") or None,
    )
    try:
        pg.connect().close()
    except Exception as exc:
        part.fail(f"cannot connect to PostgreSQL {pg.user}@{pg.host}:{pg.port}: {str(exc).strip()}")
        return part

    db = "sacco_test_" + time.strftime("%Y%m%d_%H%M%S") + f"_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix=f"odoo-sacco-test-{os.getpid()}-"))
    data_dir = workdir / "data"
    logfile = Path(tempfile.gettempdir()) / f"{db}.log"
    # An explicit, empty config file: ~/.odoorc or $ODOO_RC must not change what we test
    # (e.g. a without_demo or workers setting there).
    conf = workdir / "odoo-test.conf"
    conf.write_text("[options]\n")
    test_tags = args.test_tags or ",".join(f"/{m}" for m in modules)
    http_port = free_port()
    cmd = [
        PY,
        "-m",
        "odoo",
        "-c",
        str(conf),
        "-d",
        db,
        f"--db_host={pg.host}",
        f"--db_port={pg.port}",
        f"--db_user={pg.user}",
        f"--addons-path={os.path.join(odoo_dir, 'addons')},{addons_dir}",
        f"--data-dir={data_dir}",
        "-i",
        ",".join(modules),
        "--test-enable",
        f"--test-tags={test_tags}",
        "--stop-after-init",
        # Demo data: Odoo 18 loads it unless --without-demo is given. Do NOT pass
        # "--without-demo=False": the string 'False' is truthy and disables demo data.
        "--log-level=info",
        f"--http-port={http_port}",
        "--workers=0",
        "--max-cron-threads=0",
        f"--logfile={logfile}",
    ]
    shown = list(cmd)
    if pg.password:
        cmd.insert(cmd.index(f"--db_user={pg.user}") + 1, f"--db_password={pg.password}")
    env = dict(os.environ)
    if (core_dir / "sacco_core" / "__init__.py").exists():
        # Odoo must import the sacco_core of this checkout, not a stale installed copy.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(core_dir), env.get("PYTHONPATH")]))

    # Dependencies first, without tests (as OCA's CI does): --test-enable imports the
    # tests of every add-on it installs, and core add-ons' tests import test-only
    # add-ons that a trimmed Odoo source (../shared/odoo) does not ship.
    deps = external_dependencies(addons_dir, modules)
    deps_cmd = [a for a in cmd if not a.startswith("--test-")]
    deps_cmd[deps_cmd.index("-i") + 1] = ",".join(deps)

    say("")
    say(f"Odoo log (full, INFO level): {logfile}")
    say("Streaming WARNING and above:")
    if logfile.exists():
        logfile.unlink()
    follower = LogFollower(logfile)
    follower.start()
    t0 = time.time()
    try:
        rc = 0
        if deps:
            say("$ " + " ".join(a for a in deps_cmd if not a.startswith("--db_password")))
            rc = run_odoo_process(deps_cmd, env)
        if rc == 0:
            say("$ " + " ".join(shown))
            rc = run_odoo_process(cmd, env)
    finally:
        follower.stop()
        if args.keep_db:
            say(f"Kept database {db} (filestore: {data_dir}; use --data-dir={data_dir})")
        else:
            problem = drop_database(pg, db)
            if problem:
                say(f"WARNING: could not drop database {db}: {problem}")
            shutil.rmtree(workdir, ignore_errors=True)
    say(f"Odoo exited with code {rc} after {time.time() - t0:.0f}s; full log: {logfile}")

    analyse_odoo_log(part, rc, logfile, db)
    return part


def run_odoo_process(cmd: list[str], env: dict[str, str]) -> int:
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise


def analyse_odoo_log(part: Part, rc: int, logfile: Path, db: str) -> None:
    if rc != 0:
        part.fail(f"odoo exited {rc}")
    if not logfile.exists():
        part.fail("odoo wrote no log file")
        return
    records = parse_log(logfile)

    run = failed = errors = skipped = 0
    result_seen = False
    stats: list[str] = []
    for rec in records:
        if rec.logger == "odoo.tests.result":
            m = RESULT_RE.match(rec.message)
            if m:
                result_seen = True
                run += int(m["run"])
                failed += int(m["failed"])
                errors += int(m["errors"])
        elif rec.logger == "odoo.tests.stats":
            m = STATS_RE.match(rec.message)
            if m:
                # its count includes setUpClass/tearDownClass entries: show time only
                stats.append(f"{m['module']}: tests took {m['secs']}s, {m['q']} queries")
        elif rec.level == "INFO" and ".tests" in rec.logger and SKIP_RE.match(rec.message):
            skipped += 1

    part.failed = failed + errors
    part.passed = max(0, run - failed - errors - skipped)
    if skipped:
        part.notes.append(f"{skipped} skipped")
    for line in stats:
        say(f"  {line}")
    if not result_seen:
        part.fail("no test result line in the Odoo log")
    elif run == 0:
        part.fail("no Odoo test ran")
    if failed or errors:
        part.fail(f"{failed} failed and {errors} errored Odoo test(s)")

    n_errors = n_warnings = 0
    offending: list[LogRecord] = []
    for r in records:
        if r.levelno >= LEVELS["ERROR"]:
            n_errors += 1
            offending.append(r)
        elif r.level == "WARNING":
            # The test database name contains "sacco_": look for our names elsewhere.
            text = r.text.replace(db, "<db>")
            if r.logger.startswith("odoo.addons.sacco_") or OURS_RE.search(text):
                n_warnings += 1
                offending.append(r)
    if n_errors:
        part.fail(f"{n_errors} ERROR/CRITICAL log record(s)")
    if n_warnings:
        part.fail(f"{n_warnings} WARNING log record(s) about our add-ons")
    if offending:
        say("")
        say(f"Offending Odoo log records ({len(offending)}; first 50 shown):")
        for r in offending[:50]:
            lines = r.lines if len(r.lines) <= 40 else r.lines[:40] + ["    [...]"]
            say("\n".join(lines))


# --- main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-install", action="store_true", help="do not pip install the requirements")
    ap.add_argument("--keep-db", action="store_true", help="keep the Odoo test database")
    ap.add_argument(
        "--addons-dir", default=str(REPO / "addons"), help="directory holding sacco_* add-ons"
    )
    ap.add_argument(
        "--core-dir", default=str(REPO / "sacco_core"), help="the sacco_core project directory"
    )
    ap.add_argument(
        "--modules", help="comma-separated add-ons to install and test (default: all sacco_*)"
    )
    ap.add_argument(
        "--test-tags", help="passed to Odoo --test-tags (default: /<module> for each module)"
    )
    ap.add_argument("--skip-pytest", action="store_true", help="do not run the pytest suites")
    ap.add_argument("--skip-odoo", action="store_true", help="do not run the Odoo suite")
    ap.add_argument(
        "--no-bootstrap",
        action="store_true",
        help="where odoo is not importable, skip the Odoo suite instead of bootstrapping Odoo",
    )
    ap.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)

    os.chdir(REPO)
    args.bootstrap_error = None
    if not (args.skip_odoo or args.no_bootstrap or os.environ.get(BOOTSTRAPPED_ENV)):
        args.bootstrap_error = rerun_with_odoo(argv)
    addons_dir = Path(args.addons_dir).resolve()
    core_dir = Path(args.core_dir).resolve()
    parts: list[Part] = []

    if not args.no_install:
        dep = install_requirements()
        if not dep.ok:
            parts.append(dep)

    if not args.skip_pytest:
        if core_dir.is_dir():
            parts.append(run_pytest("sacco_core", core_dir, args.pytest_args))
        else:
            parts.append(
                Part(
                    "sacco_core (pytest)",
                    skipped_line=f"sacco_core (pytest): SKIPPED ({core_dir} missing)",
                )
            )
        repo_tests = REPO / "tests"
        if has_test_files(repo_tests):
            parts.append(run_pytest("tests", repo_tests, args.pytest_args))

    if not args.skip_odoo:
        parts.append(run_odoo(args, addons_dir, core_dir))

    for p in parts:
        p.finalize()
    passed = sum(p.passed for p in parts)
    failed = sum(p.failed for p in parts)
    say("")
    for p in parts:
        say(p.summary())
    say(f"{passed} passed, {failed} failed")
    return 0 if all(p.ok for p in parts) and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
