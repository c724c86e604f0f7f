"""Process two deliveries of one M-Pesa receipt at the same moment, each on its own
connection, the way two Odoo workers would: the first records the receipt and keeps its
transaction open a moment; the second starts meanwhile and meets the unique index.

Usage: python3 race_deliveries.py <odoo options...> -- <callback id> <callback id> <hold s>
Prints one JSON object: how long the second worker's processing took.
"""

import json
import sys
import threading
import time

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry


def worker(registry, callback_id, holding, release, hold, outcome):
    try:
        process(registry, callback_id, holding, release, hold, outcome)
    except Exception as error:  # reported to the test, which fails with it
        outcome["error"] = repr(error)
        if holding:
            holding.set()


def process(registry, callback_id, holding, release, hold, outcome):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if release:
            release.wait(60)
        begin = time.monotonic()
        env["sacco.mpesa.callback"].browse(callback_id)._process()
        outcome["seconds"] = time.monotonic() - begin
        if holding:
            holding.set()
            time.sleep(hold)


def main():
    separator = sys.argv.index("--")
    odoo.tools.config.parse_config(sys.argv[1:separator])
    first, second, hold = sys.argv[separator + 1 :]
    registry = Registry(odoo.tools.config["db_name"])
    holding, outcomes = threading.Event(), ({}, {})
    threads = [
        threading.Thread(
            target=worker, args=(registry, int(first), holding, None, float(hold), outcomes[0])
        ),
        threading.Thread(
            target=worker, args=(registry, int(second), None, holding, 0, outcomes[1])
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.stdout.write(json.dumps({"first": outcomes[0], "second": outcomes[1]}) + "\n")


if __name__ == "__main__":
    main()
