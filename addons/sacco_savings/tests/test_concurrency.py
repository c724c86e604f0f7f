import json
import os
import secrets
import subprocess
import sys
from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import config

RACE_SCRIPT = os.path.join(os.path.dirname(__file__), "race_withdrawals.py")


@tagged("post_install", "-at_install")
class TestConcurrentWithdrawals(BaseCase):
    """Two tellers withdraw from one account at the same moment, on two real database
    connections in another process (as two Odoo workers would): the row lock lets exactly
    one through and the account never goes negative.

    The data is committed so the other process sees it; it is consistent, unique per run,
    and stays in the throwaway test database.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_account(self, opening_balance):
        run = secrets.randbelow(10**6)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            env.company._sacco_setup_accounts()
            branch = env["sacco.branch"].create(
                {"name": "Race Branch", "code": f"RACE{run}", "member_number_prefix": f"RC{run}-"}
            )
            member = env["sacco.member"].create(
                {
                    "name": "Race Member",
                    "branch_id": branch.id,
                    "id_number": f"3{run:07d}",
                    "phone": f"0799{run:06d}",
                    "date_of_birth": date(1980, 1, 1),
                }
            )
            product = env["sacco.savings.product"].create(
                {
                    "name": "Race FOSA",
                    "code": f"RACE{run}",
                    "kind": "fosa_savings",
                    "account_prefix": f"RC{run}-",
                }
            )
            account = env["sacco.savings.account"].create(
                {"member_id": member.id, "product_id": product.id}
            )
            account.deposit(opening_balance)
            return account.id

    def _race(self, account_id, amount):
        options = [f"--database={get_db_name()}", "--log-level=warn"] + [
            f"--{key.replace('_', '-') if key == 'addons_path' else key}={config[key]}"
            for key in ("addons_path", "db_host", "db_port", "db_user", "db_password")
            if config[key]
        ]
        completed = subprocess.run(
            [sys.executable, RACE_SCRIPT, *options, "--", str(account_id), str(amount)],
            capture_output=True,
            text=True,
            timeout=120,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            check=True,
        )
        outcomes = json.loads(completed.stdout.strip().splitlines()[-1])
        # A withdrawal that died of anything but a refusal left its traceback on stderr.
        self.assertEqual(len(outcomes), 2, completed.stderr[-3000:])
        return outcomes

    def test_two_withdrawals_at_once_cannot_overdraw(self):
        account_id = self._setup_account(100)
        outcomes = self._race(account_id, 70)
        self.assertEqual(outcomes.count("posted"), 1, outcomes)
        self.assertTrue(any("Insufficient funds" in outcome for outcome in outcomes), outcomes)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            account = env["sacco.savings.account"].browse(account_id)
            self.assertEqual(account.balance, 30)
            lines = env["account.move.line"].search(
                [("sacco_savings_account_id", "=", account_id), ("parent_state", "=", "posted")]
            )
            self.assertEqual(-sum(lines.mapped("balance")), 30)
            self.assertEqual(len(account.transaction_ids), 2)
