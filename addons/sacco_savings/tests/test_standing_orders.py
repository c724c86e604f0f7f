from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestStandingOrders(SaccoSavingsCommon):
    def setUp(self):
        super().setUp()
        self.fosa_account = self._account(self.member, self.fosa)
        self.deposit_account = self._account(self.member, self.deposits)
        self.company.sacco_standing_order_retries = 1
        with freeze_time("2026-01-10"):
            self.order = self.env["sacco.savings.standing.order"].create(
                {
                    "member_id": self.member.id,
                    "source_account_id": self.fosa_account.id,
                    "destination_account_id": self.deposit_account.id,
                    "amount": 1000,
                    "day_of_month": 31,
                    "start_date": "2026-01-10",
                }
            )

    def _run(self, day):
        with freeze_time(day):
            return self.env["sacco.savings.standing.order"]._cron_run()

    def test_runs_on_its_day_once_per_month(self):
        self.fosa_account.deposit(5000)
        self.assertEqual(self.order.due_date, date(2026, 1, 31))
        self.assertFalse(self._run("2026-01-30"))
        self._run("2026-01-31")
        self._run("2026-01-31")  # a second run the same day changes nothing
        self.assertEqual(self.deposit_account.balance, 1000)
        self.assertEqual(self.order.due_date, date(2026, 2, 28), "clamped to February's end")
        txn = self.fosa_account.transaction_ids.filtered(lambda t: t.kind == "transfer_out")
        self.assertEqual(
            (txn.channel, txn.external_ref), ("standing_order", f"SO{self.order.id}/2026-01")
        )
        self._run("2026-02-28")
        self.assertEqual(self.deposit_account.balance, 2000)
        self.assertLedgerMatches()

    def test_insufficient_funds_retries_then_skips_and_notifies(self):
        self.env["sacco.sms.message"].search([]).unlink()
        self._run("2026-01-31")
        self.assertEqual((self.order.attempts, self.order.next_attempt_date), (1, date(2026, 2, 1)))
        self._run("2026-02-01")
        self.assertEqual(self.order.due_date, date(2026, 2, 28))
        self.assertEqual(self.order.attempts, 0)
        self.assertFalse(self.deposit_account.transaction_ids)
        sms = self.env["sacco.sms.message"].search([("member_id", "=", self.member.id)])
        self.assertIn("standing order", sms.body)
        self.assertIn("Skipped this month", self.order.message_ids[0].body)

    def test_paused_and_ended_orders_do_not_run(self):
        self.fosa_account.deposit(5000)
        self.order.action_pause()
        self.assertFalse(self._run("2026-01-31"))
        self.order.action_resume()
        self.order.end_date = date(2026, 1, 15)
        self._run("2026-01-31")
        self.assertEqual(self.order.state, "ended")
        self.assertFalse(self.deposit_account.transaction_ids)

    def test_bad_orders_refused(self):
        with self.assertRefused(ValidationError, "between 1 and 31"):
            self.order.day_of_month = 32
        with self.assertRefused(ValidationError, "greater than zero"):
            self.order.amount = 0
        with self.assertRefused(ValidationError, "own accounts"):
            self.order.destination_account_id = self._account(self.other, self.deposits)
