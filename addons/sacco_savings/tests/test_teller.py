from odoo.tests import Form, tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestTellerScreen(SaccoSavingsCommon):
    def test_teller_posts_a_deposit_and_prints_the_receipt(self):
        form = Form(self.env["sacco.savings.teller"].with_user(self.teller_a))
        form.member_id = self.member
        self.assertEqual(form.account_id, self._account(self.member, self.fosa))
        form.amount = 1500
        wizard = form.save()
        action = wizard.action_post()
        self.assertEqual(action["report_name"], "sacco_savings.sacco_savings_receipt_report")
        txn = self._account(self.member, self.fosa).transaction_ids
        self.assertEqual(txn.user_id, self.teller_a)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.teller_a)  # tellers print receipts without access to the GL
            ._render_qweb_html("sacco_savings.sacco_savings_receipt_report", txn.ids)[0]
            .decode()
        )
        self.assertIn(txn.entry_ref, html)
        self.assertIn(self.member.member_number, html)
        self.assertLedgerMatches()

    def test_teller_withdrawal_then_transfer(self):
        fosa = self._account(self.member, self.fosa)
        fosa.deposit(5000)
        wizard = (
            self.env["sacco.savings.teller"]
            .with_user(self.teller_a)
            .create(
                {
                    "member_id": self.member.id,
                    "account_id": fosa.id,
                    "operation": "withdrawal",
                    "amount": 1000,
                }
            )
        )
        wizard.action_post()
        wizard = (
            self.env["sacco.savings.teller"]
            .with_user(self.teller_a)
            .create(
                {
                    "member_id": self.member.id,
                    "account_id": fosa.id,
                    "operation": "transfer",
                    "destination_account_id": self._account(self.member, self.deposits).id,
                    "amount": 1000,
                }
            )
        )
        wizard.action_post()
        self.assertEqual(self._account(self.member, self.deposits).balance, 1000)
        self.assertEqual(fosa.balance, 5000 - 1000 - 50 - 10 - 1000)
        self.assertLedgerMatches()
