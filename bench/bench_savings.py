"""Benchmark: post N deposits through the savings engine, and import an N-line check-off
file, on real Odoo + PostgreSQL; each compared with a bare INSERT of the same rows.

    python3 bench/bench_savings.py -n 10000 [--db sacco_bench]
"""

import base64
import secrets
from datetime import date

from common import environment, parse_args, registry_for, timed
from psycopg2.extras import execute_values


def setup_members(env, count):
    """``count`` members of one employer, each with a FOSA and a deposit account."""
    run = secrets.randbelow(10**5)
    env.company._sacco_setup_accounts()
    branch = env["sacco.branch"].create(
        {"name": f"Bench {run}", "code": f"B{run}", "member_number_prefix": f"B{run}-"}
    )
    Product = env["sacco.savings.product"]
    fosa = Product.create(
        {
            "name": f"FOSA {run}",
            "code": f"BF{run}",
            "kind": "fosa_savings",
            "account_prefix": f"BF{run}-",
        }
    )
    deposits = Product.create(
        {
            "name": f"Deposits {run}",
            "code": f"BD{run}",
            "kind": "bosa_deposit",
            "account_prefix": f"BD{run}-",
            "minimum_monthly_contribution": 1000,
        }
    )
    employer = env["res.partner"].create(
        {"name": f"Bench Employer {run}", "is_company": True, "sacco_is_employer": True}
    )
    members = env["sacco.member"].create(
        [
            {
                "name": f"Bench Member {i}",
                "branch_id": branch.id,
                "id_number": f"{run % 9 + 1}{i:07d}",
                "phone": f"07{(run + i) % 30:02d}{i:06d}",
                "date_of_birth": date(1985, 1, 1),
                "employer_id": employer.id,
                "payroll_number": f"P{i:07d}",
                "state": "active",
            }
            for i in range(count)
        ]
    )
    Account = env["sacco.savings.account"]
    Account.create([{"member_id": m.id, "product_id": deposits.id} for m in members])
    return Account.create([{"member_id": m.id, "product_id": fosa.id} for m in members]), employer


def import_checkoff(env, employer, rows):
    """Upload, validate and post an employer remittance of ``rows`` lines."""
    csv = "Payroll No,Amount\n" + "\n".join(f"P{i:07d},1500" for i in range(rows))
    bank = env["account.journal"].search([("type", "=", "bank")], limit=1)
    batch = env["sacco.checkoff.batch"].create(
        {
            "employer_id": employer.id,
            "period": date.today().replace(day=1),
            "journal_id": bank.id,
            "file": base64.b64encode(csv.encode()),
            "file_name": "remittance.csv",
        }
    )
    batch.action_validate()
    batch.action_post()
    return batch


def bare_insert(env, rows):
    """The floor: the same number of rows written with one multi-row INSERT."""
    env.cr.execute(
        "CREATE TEMP TABLE bench_txn (LIKE sacco_savings_transaction INCLUDING DEFAULTS)"
    )
    execute_values(
        env.cr._obj,
        "INSERT INTO bench_txn (name, account_id, date, kind, channel, amount) VALUES %s",
        [(f"B{i}", 1, date.today(), "deposit", "cash", 100.0) for i in range(rows)],
        page_size=1000,
    )


def main():
    args = parse_args(__doc__, default_n=10000)
    registry = registry_for(args)
    results = {}
    with environment(registry) as env:
        with timed("members and accounts set up (not measured)", args.n, results):
            accounts, employer = setup_members(env, args.n)
            env.cr.commit()
        with timed("deposits through the engine", args.n, results):
            for i, account in enumerate(accounts):
                account.deposit(100 + i % 50, channel="cash")
            env.cr.commit()
        with timed("check-off file import (validate + post)", args.n, results):
            import_checkoff(env, employer, args.n)
            env.cr.commit()
        with timed("bare INSERT of transaction rows", args.n, results):
            bare_insert(env, args.n)
    floor = results["bare INSERT of transaction rows"]
    for label in ("deposits through the engine", "check-off file import (validate + post)"):
        print(f"ratio {label} / bare INSERT: {results[label] / floor:,.0f}x")


if __name__ == "__main__":
    main()
