"""Benchmark: the nightly close of business of a loan book of N members and N loans in every
state (performing, each SASRA arrears band, closed, written off, rescheduled), on real Odoo +
PostgreSQL, against a bare SQL pass over the same rows.

    python3 bench/bench_loans.py --n 100000 [--date 2026-10-31] [--db sacco_bench_loans]

The loan book is written by sacco_loans/tools/loan_book_generator.py with set-based SQL. The
close of business runs for ``--date`` (default: the last month end, so the month-end
provisioning runs too), then a second time for the same date, which must change nothing.
"""

import argparse
import os
import resource
import subprocess
import time
from collections import deque
from datetime import date, timedelta

from common import environment, odoo_options, registry_for

import odoo
from odoo.modules.registry import Registry

# The floor: what the standing phase reads, aggregated by one SELECT (no writes, no ORM).
BARE_SQL = """
SELECT count(*), sum(days), sum(principal), sum(interest), sum(penalty) FROM (
    SELECT l.id,
           COALESCE(%(as_of)s::date - MIN(i.due_date) FILTER (WHERE NOT i.paid), 0) AS days,
           COALESCE(SUM(i.principal - i.principal_paid), 0) AS principal,
           COALESCE(SUM(i.interest - i.interest_paid - i.interest_waived), 0) AS interest,
           COALESCE(SUM(i.penalty - i.penalty_paid), 0) AS penalty
      FROM sacco_loan l
      LEFT JOIN sacco_loan_installment i ON i.loan_id = l.id AND i.due_date <= %(as_of)s
     WHERE l.state = 'active'
     GROUP BY l.id
) standing
"""

# What a run wrote: a second run for the same date must leave all of it as it was.
FOOTPRINT_SQL = """
SELECT (SELECT count(*) FROM account_move), (SELECT count(*) FROM account_move_line),
       (SELECT count(*) FROM sacco_loan_cob_charge), (SELECT count(*) FROM sacco_sms_message),
       (SELECT max(write_date) FROM sacco_loan)
"""


def parse_args(description=__doc__, db="sacco_bench_loans"):
    """The options of the loan book benchmarks (this one and bench_integrity.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", default=db, help="database (dropped, recreated)")
    parser.add_argument("--n", "-n", type=int, default=100000, help="members and loans")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=date.today().replace(day=1) - timedelta(days=1),
        help="close of business date",
    )
    parser.add_argument("--profile", help="write a cProfile of the first run to this file")
    parser.add_argument(
        "--explain",
        type=int,
        metavar="MS",
        help="print the plan (EXPLAIN ANALYZE, BUFFERS) of each statement of the first run "
        "taking MS milliseconds or more (auto_explain; needs a superuser)",
    )
    parser.add_argument(
        "--book",
        help="database keeping the generated book: copied instead of generating when it "
        "exists, else saved after generating (the million-loan book takes half an hour)",
    )
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "postgres"))
    args = parser.parse_args()
    args.modules = "sacco_loans"
    return args


def seconds(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def report_generation(env, args):
    from odoo.addons.sacco_loans.tools.loan_book_generator import generate  # needs the addons path

    counts, elapsed = seconds(generate, env, args.n, args.date)
    env.cr.commit()
    vacuum = vacuum_database(args)
    rows = sum(counts.values())
    for table, count in counts.items():
        print(f"generated {table}: {count:,} rows")
    print(f"generator: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s")
    print(f"VACUUM ANALYZE after it: {vacuum:.1f} s")
    env.cr.execute(
        "SELECT state, sasra_class, count(*) FROM sacco_loan GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return counts


def vacuum_database(args):
    """As autovacuum would have by the next night: statistics, hint bits and visibility
    map set (the tables of the close of business are tuned for it, see their init)."""
    _done, elapsed = seconds(
        subprocess.run,
        ["vacuumdb", "--analyze", "--quiet", "-h", args.db_host, "-U", args.db_user, args.db],
    )
    return elapsed


def bare_pass(env, as_of):
    env.cr.execute(BARE_SQL, {"as_of": as_of})  # warm the cache as the job finds it
    _rows, elapsed = seconds(lambda: env.cr.execute(BARE_SQL, {"as_of": as_of}))
    return elapsed


def close_of_business(env, args):
    Run = env["sacco.loan.cob.run"]
    if args.explain is not None:
        env.cr.execute(
            "LOAD 'auto_explain'; SET auto_explain.log_level = notice; "
            "SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on; "
            "SET auto_explain.log_nested_statements = on; "
            "SELECT set_config('auto_explain.log_min_duration', %s, false)",
            [str(args.explain)],
        )
        env.cr._cnx.notices = deque(maxlen=None)  # psycopg2 keeps the last 50 by default
    if not args.profile:
        result = seconds(Run.run_close_of_business, args.date)
    else:
        import cProfile

        profiler = cProfile.Profile()
        result = profiler.runcall(seconds, Run.run_close_of_business, args.date)
        profiler.dump_stats(args.profile)
    if args.explain is not None:
        print("".join(env.cr._cnx.notices))
        env.cr.execute("SET auto_explain.log_min_duration = -1")
    return result


def footprint(env):
    env.cr.execute(FOOTPRINT_SQL)
    return env.cr.fetchone()


def report_machine(when):
    """The load beside the figures (the machine may be shared) and this process's peak
    memory: Odoo runs in it, so it is the Odoo process's."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{when}: load average {load}; peak memory of the Odoo process {peak:,.0f} MiB")


def report_book(env):
    env.cr.execute(
        "SELECT state, rescheduled, sasra_class, count(*) FROM sacco_loan GROUP BY 1, 2, 3 "
        "ORDER BY 1, 2, 3"
    )
    for state, rescheduled, sasra_class, count in env.cr.fetchall():
        flag = " rescheduled" if rescheduled else ""
        print(f"  {state}{flag} {sasra_class}: {count:,}")


def report_run(run, elapsed, n, phases):
    print(
        f"close of business {run.date}: {n:,} loans ({run.loan_count:,} active) "
        f"in {elapsed:.2f} s = {n / elapsed:,.0f} loans/s "
        f"({run.loan_count / elapsed:,.0f} active loans/s)"
    )
    for phase in phases:
        print(f"  {phase:<13} {run[f'{phase}_seconds']:8.2f} s")
    print(
        f"  accruals {run.accrual_line_count:,}, penalties {run.penalty_line_count:,}, "
        f"reminders {run.reminder_count:,}, moves {len(run.move_ids):,}, "
        f"provision change {run.provision_change:,.2f}"
    )


def database_exists(args, name):
    listed = subprocess.run(
        ["psql", "-h", args.db_host, "-U", args.db_user, "-Atc", "SELECT datname FROM pg_database"],
        check=True,
        capture_output=True,
        text=True,
    )
    return name in listed.stdout.split()


def copy_database(args, source, target):
    server = ["-h", args.db_host, "-U", args.db_user]
    subprocess.run(["dropdb", "--if-exists", *server, target], check=True)
    _done, elapsed = seconds(subprocess.run, ["createdb", *server, "-T", source, target])
    print(f"copied {source} to {target} in {elapsed:.1f} s")


def book_registry(args):
    """The registry of a database holding the generated book: a copy of ``args.book`` when
    that exists, else a fresh one, generated (and saved as ``args.book`` when given)."""
    if args.book and database_exists(args, args.book):
        copy_database(args, args.book, args.db)
        odoo.tools.config.parse_config(odoo_options(args))
        return Registry(args.db)
    registry = registry_for(args)
    with environment(registry) as env:
        report_machine("before generating")
        report_generation(env, args)
        report_machine("after generating")
    if args.book:
        odoo.sql_db.close_db(args.db)  # a database is copied with no one connected
        copy_database(args, args.db, args.book)
    return registry


def main():
    args = parse_args()
    registry = book_registry(args)
    from odoo.addons.sacco_loans.models.sacco_loan_cob_run import PHASES  # needs the addons path

    with environment(registry) as env:
        floor = bare_pass(env, args.date)
        report_machine("before the close of business")
        run, elapsed = close_of_business(env, args)
        report_run(run, elapsed, args.n, PHASES)
        report_machine("after the close of business")
        print(
            f"bare SQL pass (one SELECT of the standing): {floor:.2f} s; "
            f"job / bare SQL = {elapsed / floor:,.1f}x"
        )
        report_book(env)
        before = footprint(env)
        Run = env["sacco.loan.cob.run"]
        again, repeat = seconds(Run.run_close_of_business, args.date)
        env.cr.commit()
        unchanged = footprint(env) == before and again == run
        print(
            f"second run for {args.date}: {repeat:.3f} s, "
            f"{'no-op' if unchanged else 'CHANGED SOMETHING'}"
        )
        # The night after: only what changed overnight is written (loans in arrears age a day).
        following = args.date + timedelta(days=1)
        if following <= date.today():
            print(f"VACUUM ANALYZE between the nights: {vacuum_database(args):.1f} s")
            report_run(*seconds(Run.run_close_of_business, following), args.n, PHASES)
        report_machine("at the end")


if __name__ == "__main__":
    main()
