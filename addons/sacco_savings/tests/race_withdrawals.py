"""Run two withdrawals on one account at the same moment, each on its own connection,
the way two Odoo workers serve two tellers (with Odoo's retry on serialization failures).

Usage: python3 race_withdrawals.py <odoo options...> -- <account id> <amount>
Prints one JSON list: the outcome of each withdrawal ("posted" or the error message).
"""

import json
import sys
import threading
from functools import partial

import odoo
from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.service.model import retrying


def withdraw(registry, account_id, amount, barrier, outcomes):
    barrier.wait()
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            account = env["sacco.savings.account"].browse(account_id)
            retrying(partial(account.withdraw, amount), env)
        outcomes.append("posted")
    except UserError as error:
        outcomes.append(str(error))


def main():
    separator = sys.argv.index("--")
    odoo.tools.config.parse_config(sys.argv[1:separator])
    account_id, amount = int(sys.argv[separator + 1]), float(sys.argv[separator + 2])
    registry = Registry(odoo.tools.config["db_name"])
    barrier, outcomes = threading.Barrier(2), []
    threads = [
        threading.Thread(target=withdraw, args=(registry, account_id, amount, barrier, outcomes))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.stdout.write(json.dumps(outcomes) + "\n")


if __name__ == "__main__":
    main()
