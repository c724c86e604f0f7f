import json
import os
import secrets
import subprocess
import sys

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

from .daraja_server import DarajaTestServer

RACE_SCRIPT = os.path.join(os.path.dirname(__file__), "race_deliveries.py")
# How long the first worker keeps its transaction open once it has recorded the receipt.
HOLD = 1.0


@tagged("post_install", "-at_install")
class TestConcurrentDeliveries(BaseCase):
    """The same receipt delivered twice at the same moment, processed by two workers on two
    real database connections (in another process, as two Odoo workers): the second waits
    on the unique index until the first commits and posts nothing; its delivery is
    processed again by the next run, which records it as a duplicate.

    The data is committed so both connections see it; it is unique per run, and the
    shortcode is archived at the end (it stays in the throwaway test database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup(self):
        run = secrets.randbelow(10**5)
        receipt = f"RC{run:08d}"
        with self.registry.cursor() as cr:
            env = self._env(cr)
            config = env["sacco.mpesa.config"].create(
                {"name": f"Race {run}", "shortcode": f"7{run:05d}"}
            )
            body = DarajaTestServer.c2b_payment(receipt, "150.00", "NOBODY", config.shortcode)
            callbacks = [
                env["sacco.mpesa.callback"]._store(
                    config, "c2b_confirmation", json.dumps(body), {}, "127.0.0.1"
                )
                for _worker in range(2)
            ]
            return config.id, receipt, [callback.id for callback in callbacks]

    def _race(self, first_id, second_id):
        options = [f"--database={get_db_name()}", "--log-level=warn"] + [
            f"--{key.replace('_', '-') if key == 'addons_path' else key}={config[key]}"
            for key in ("addons_path", "db_host", "db_port", "db_user", "db_password")
            if config[key]
        ]
        completed = subprocess.run(
            [sys.executable, RACE_SCRIPT, *options, "--", str(first_id), str(second_id), str(HOLD)],
            capture_output=True,
            text=True,
            timeout=180,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            check=True,
        )
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def test_same_receipt_on_two_workers_posts_once(self):
        config_id, receipt, (first_id, second_id) = self._setup()
        outcome = self._race(first_id, second_id)
        self.assertNotIn("error", outcome["first"], outcome)
        self.assertNotIn("error", outcome["second"], outcome)
        # The second worker really waited for the first one's commit.
        self.assertGreater(outcome["second"]["seconds"], HOLD / 2)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            config_record = env["sacco.mpesa.config"].browse(config_id)
            try:
                transactions = env["sacco.mpesa.transaction"].search([("name", "=", receipt)])
                self.assertEqual(len(transactions), 1)
                self.assertEqual(transactions.state, "suspense")
                callbacks = env["sacco.mpesa.callback"].browse([first_id, second_id])
                self.assertEqual(callbacks.mapped("state"), ["done", "pending"])
                callbacks[1]._process()
                self.assertEqual(callbacks.mapped("state"), ["done", "done"])
                self.assertEqual(callbacks.mapped("duplicate"), [False, True])
                self.assertEqual(callbacks.transaction_id, transactions)
                lines = env["account.move.line"].search(
                    [
                        ("account_id", "=", config_record.suspense_account_id.id),
                        ("name", "like", receipt),
                    ]
                )
                self.assertEqual(sum(lines.mapped("credit")), 150)
            finally:
                config_record.active = False
