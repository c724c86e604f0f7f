"""Benchmark: the SASRA returns of a month on a loan book of N loans, on real Odoo + PostgreSQL.

    python3 bench/bench_returns.py --n 100000 [--date 2026-10-31] [--db sacco_bench_returns]

Generates the loan book with bench_loans' generator (sacco_loans/tools/loan_book_generator.py),
runs the month-end close of business (which records each loan's standing for Form 4), then
times Form 4 alone (the loan standing read and risk classification) and the computation of
the whole monthly set (Forms 1-9 and sectoral lending from the GL and both sub-ledgers,
ratios and cross-form checks, frozen on their return records), and the Excel export of
Form 4. ``--reuse`` times the returns again on the database of an earlier run.
"""

import time
from datetime import date, timedelta

from bench_loans import report_generation
from common import environment, odoo_options, registry_for

import odoo
from odoo.modules.registry import Registry


def parse_args():
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="sacco_bench_returns", help="database (dropped, recreated)")
    parser.add_argument("--n", "-n", type=int, default=100000, help="members and loans")
    parser.add_argument(
        "--date",
        type=date.fromisoformat,
        default=date.today().replace(day=1) - timedelta(days=1),
        help="month end of the returns",
    )
    parser.add_argument("--db-host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--db-user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument(
        "--reuse", action="store_true", help="time the returns on an existing bench database"
    )
    args = parser.parse_args()
    args.modules = "sacco_sasra_reports"
    return args


def timed(label, function, *args):
    start = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s", flush=True)
    return result, elapsed


def main():
    args = parse_args()
    from sacco_core.sasra import risk_classification

    if args.reuse:
        odoo.tools.config.parse_config(odoo_options(args))
        registry = Registry(args.db)
    else:
        registry = registry_for(args)
    with environment(registry) as env:
        if not args.reuse:
            report_generation(env, args)
        company = env["sacco.loan"].search([], limit=1).company_id
        timed("close of business", env["sacco.loan.cob.run"].run_close_of_business, args.date)
        env.cr.commit()
        company._sacco_sasra_map_accounts()
        Return = env["sacco.sasra.return"]

        def form4():
            return risk_classification(
                Return._loan_standing(company, args.date.replace(day=1), args.date),
                company._sacco_cob_rates(),
            )

        figures, form4_seconds = timed("Form 4 (loan standing, classification)", form4)
        print(f"  {int(figures['total_count']):,} loans, {figures['total_outstanding']:,.2f} KES")
        returns, set_seconds = timed(
            "monthly set (Forms 1-9 and sectoral lending)",
            Return._compute_month,
            company,
            args.date,
        )
        env.cr.commit()
        failed = returns.check_ids.filtered(lambda check: not check.passed)
        print(f"  {len(returns)} returns, {len(returns.line_ids)} figures, failed checks:")
        for check in failed:
            print(f"    {check.return_id.form}: {check.label} {check.description}")
        ret4 = returns.filtered(lambda ret: ret.form == "4")
        timed("Form 4 Excel export", ret4._xlsx)
        print(
            f"targets: Form 4 < 5 s: {'met' if form4_seconds < 5 else 'MISSED'}; "
            f"monthly set < 30 s: {'met' if set_seconds < 30 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
