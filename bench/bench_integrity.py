"""Benchmark: the nightly ledger integrity check over a loan book of N members and N loans
(bench_loans.py's generator, every state and SASRA class), on real Odoo + PostgreSQL.

    python3 bench/bench_integrity.py --n 100000 [--db sacco_bench_integrity]

The book is generated, closed for the last month end (accruals, penalties and provisioning
posted and split per loan, as every night), then the integrity check runs twice: each check
timed on its own, then the whole run as the cron does it (stored, with its findings).
"""

import argparse
import os
import time
from datetime import date, timedelta

from bench_loans import report_generation
from common import environment, registry_for


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sacco_bench_integrity", help="database (recreated)")
    parser.add_argument("--n", "-n", type=int, default=100000, help="members and loans")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=date.today().replace(day=1) - timedelta(days=1),
        help="as-of date of the book and its close of business",
    )
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "postgres"))
    args = parser.parse_args()
    args.modules = "sacco_loans"
    return args


def book_size(env):
    env.cr.execute(
        """
        SELECT (SELECT count(*) FROM sacco_loan), (SELECT count(*) FROM sacco_loan_installment),
               (SELECT count(*) FROM sacco_savings_account),
               (SELECT count(*) FROM account_move WHERE sacco_fingerprint IS NOT NULL),
               (SELECT count(*) FROM account_move_line)
        """
    )
    loans, installments, accounts, sealed, items = env.cr.fetchone()
    print(
        f"book: {loans:,} loans, {installments:,} installments, {accounts:,} member accounts, "
        f"{sealed:,} sealed entries, {items:,} journal items"
    )


def time_checks(env, company):
    Run = env["sacco.integrity.run"]
    for _code, label, check in Run._integrity_checks():
        start = time.perf_counter()
        found = check(company)
        print(f"  {time.perf_counter() - start:6.2f} s  {label}: {len(found):,} differences")


def main():
    args = parse_args()
    registry = registry_for(args)
    with environment(registry) as env:
        report_generation(env, args)
        cob = env["sacco.loan.cob.run"].run_close_of_business(args.date)
        print(f"close of business {cob.date}: {len(cob.move_ids)} entries")
        env.cr.commit()
        book_size(env)
        company = env.company
        print("each check on its own:")
        time_checks(env, company)
        start = time.perf_counter()
        run = env["sacco.integrity.run"]._run_for(company, "cron")
        elapsed = time.perf_counter() - start
        print(
            f"integrity run over {args.n:,} loans: {elapsed:.2f} s "
            f"({run.check_count} checks, {run.state}, {run.finding_count:,} differences)"
        )
        env.cr.commit()


if __name__ == "__main__":
    main()
