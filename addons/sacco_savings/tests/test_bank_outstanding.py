from odoo import fields
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestBankOutstanding(SaccoSavingsCommon):
    """Money through a bank journal waits on Odoo's outstanding receipts and payments
    accounts until the bank statement shows it; a till posts to its cash account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["account.journal"].create(
            {"name": "Test Outstanding Bank", "code": "TOB", "type": "bank"}
        )
        cls.receipts = cls.bank._sacco_money_account("inbound")
        cls.payments = cls.bank._sacco_money_account("outbound")
        cls.fosa_account = cls._account(cls.member, cls.fosa)

    def _items(self, transactions, account):
        return transactions.move_id.line_ids.filtered(lambda line: line.account_id == account)

    def _gl(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def _st_line(self, amount, payment_ref):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": fields.Date.today(),
                "amount": amount,
                "payment_ref": payment_ref,
                "partner_id": self.member.partner_id.id,
            }
        )

    def test_outstanding_accounts_are_odoos(self):
        chart = self.env["account.chart.template"]
        self.assertEqual(self.receipts, chart.ref("account_journal_payment_debit_account_id"))
        self.assertEqual(self.payments, chart.ref("account_journal_payment_credit_account_id"))
        self.assertTrue(self.receipts.reconcile and self.payments.reconcile)
        self.assertEqual(self.bank._sacco_outstanding_accounts(), self.receipts | self.payments)
        self.assertEqual(self.cash._sacco_money_account("inbound"), self.cash.default_account_id)
        self.assertFalse(self.cash._sacco_outstanding_accounts())

    def test_bank_money_is_reconciled_with_the_statement(self):
        deposit = self.fosa_account.deposit(5000, channel="bank", journal=self.bank)
        withdrawal = self.fosa_account.withdraw(1000, channel="bank", journal=self.bank)
        received, paid = self._items(deposit, self.receipts), self._items(withdrawal, self.payments)
        self.assertEqual((received.debit, received.partner_id), (5000, self.member.partner_id))
        self.assertEqual((paid.credit, paid.partner_id), (1000, self.member.partner_id))
        # Nothing reaches the bank account before the statement: no money counted twice.
        self.assertEqual(self._gl(self.bank.default_account_id), 0)
        self.assertLedgerMatches(self.fosa_account)

        # The same amount through another bank waits on the same company account: that
        # bank's statement settles it, this one's is not offered it.
        other_bank = self.bank.copy({"name": "Test Other Bank", "code": "TOB2"})
        elsewhere = self.fosa_account.deposit(5000, channel="bank", journal=other_bank)
        self.assertEqual(self._items(elsewhere, self.receipts).debit, 5000)
        lines = self._st_line(5000, "CASH DEPOSIT NJERI") | self._st_line(-1000, "CHQ 0041")
        proposals = lines._sacco_proposals()
        self.assertEqual((proposals[lines[0]], proposals[lines[1]]), (received, paid))
        self.assertEqual(lines._sacco_auto_reconcile(), lines)
        self.assertTrue(received.reconciled and paid.reconciled)
        self.assertFalse(self._items(elsewhere, self.receipts).reconciled)
        self.assertEqual(self._gl(self.bank.default_account_id), sum(lines.mapped("amount")))
        self.assertLedgerMatches(self.fosa_account)

    def test_payment_method_account_wins(self):
        own = self.env["account.account"].create(
            {"code": "TOB101", "name": "Test Bank Receipts", "account_type": "asset_current"}
        )
        self.bank.inbound_payment_method_line_ids[:1].payment_account_id = own
        self.assertTrue(own.reconcile)  # Odoo makes a payment method's account reconcilable
        deposit = self.fosa_account.deposit(500, channel="bank", journal=self.bank)
        self.assertEqual(self._items(deposit, own).debit, 500)
        self.assertEqual(self.bank._sacco_money_account("outbound"), self.payments)
