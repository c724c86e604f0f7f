from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestMemberExit(SaccoSavingsCommon):
    def setUp(self):
        super().setUp()
        self._account(self.member, self.shares).deposit(2000)
        self._account(self.member, self.deposits).deposit(30000)
        self._account(self.member, self.fosa).deposit(5000)
        self.notice = self.env["sacco.member.exit"].create(
            {
                "member_id": self.member.id,
                "reason": "Relocating abroad",
                "share_transferee_id": self.other.id,
                "journal_id": self.cash.id,
            }
        )

    def _settle(self, days_later=61, user=None):
        with freeze_time(date.today() + timedelta(days=days_later)):
            self.notice.with_user(user or self.manager).action_settle()

    def test_refund_after_notice_transfers_shares_and_closes(self):
        # From the notice date (the user's day, which differs from UTC's late in the evening).
        self.assertEqual(self.notice.exit_date, self.notice.notice_date + timedelta(days=60))
        self.assertEqual(self.notice.refund, 35000)
        self._settle()
        self.assertEqual(self.notice.state, "settled")
        self.assertEqual(self.member.state, "exited")
        self.assertEqual(set(self.member.savings_account_ids.mapped("state")), {"closed"})
        self.assertEqual(self._account(self.other, self.shares).balance, 2000)
        cash_line = self.notice.move_id.line_ids.filtered(
            lambda line: line.account_id == self.cash.default_account_id
        )
        self.assertEqual(cash_line.credit, 35000, "deposits and savings incl. minimum balance")
        self.assertLedgerMatches()

    def test_settling_before_the_notice_period_is_refused(self):
        with self.assertRefused(UserError, "notice period runs until"):
            self._settle(days_later=10)
        self.assertEqual(self.member.state, "active")

    def test_holds_block_the_exit(self):
        self._account(self.member, self.deposits)._place_hold(1000, "Guarantee")
        with self.assertRefused(UserError, "Release the holds"):
            self._settle()

    def test_shares_need_a_transferee_unless_refunds_allowed(self):
        self.notice.share_transferee_id = False
        with self.assertRefused(UserError, "takes over the shares"):
            self._settle()
        self.company.sacco_share_refund_allowed = True
        self.assertEqual(self.notice.refund, 37000)
        self._settle()
        self.assertEqual(self.member.state, "exited")
        self.assertLedgerMatches()

    def test_only_managers_settle(self):
        with self.assertRaises(AccessError):
            self._settle(user=self.teller_a)
