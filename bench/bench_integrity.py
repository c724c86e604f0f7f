"""Benchmark: the nightly ledger integrity check over a loan book of N members and N loans
(bench_loans.py's generator, every state and SASRA class), on real Odoo + PostgreSQL.

    python3 bench/bench_integrity.py --n 100000 [--db sacco_bench_integrity]

The book is generated, closed for the last month end (accruals, penalties and provisioning
posted and split per loan, as every night), then the integrity check runs twice: each check
timed on its own, then the whole run as the cron does it (stored, with its findings).
"""

import time

from bench_loans import parse_args, report_generation
from common import environment, registry_for


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
    args = parse_args(__doc__, "sacco_bench_integrity")
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
