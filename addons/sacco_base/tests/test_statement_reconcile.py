from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestStatementReconcile(SaccoBaseCommon):
    """Statement lines matched with open items the way Odoo does it: the suspense item
    becomes counterparts on the items' accounts, reconciled; differences to a write-off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_member()
        cls.partner = cls.member.partner_id
        cls.bank = cls.env["account.journal"].create(
            {"name": "Test Reconcile Bank", "code": "TRB", "type": "bank"}
        )
        cls.misc = cls.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1
        )
        Account = cls.env["account.account"]
        cls.receivable = cls.partner.property_account_receivable_id
        cls.income = Account.create(
            {"code": "TR4001", "name": "Test Fees", "account_type": "income"}
        )
        cls.charges = Account.create(
            {"code": "TR6001", "name": "Test Bank Charges", "account_type": "expense"}
        )
        cls.outstanding = Account.create(
            {
                "code": "TR1099",
                "name": "Test Outstanding Payments",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        cls.payable = Account.create(
            {"code": "TR2099", "name": "Test Member Payouts", "account_type": "liability_current"}
        )

    def _entry(self, ref, debit_account, credit_account, amount):
        move = self.env["account.move"].create(
            {
                "journal_id": self.misc.id,
                "date": fields.Date.today(),
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": debit_account.id,
                            "partner_id": self.partner.id,
                            "name": ref,
                            "debit": amount,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": credit_account.id,
                            "partner_id": self.partner.id,
                            "name": ref,
                            "credit": amount,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move

    def _fee(self, ref, amount):
        """A member's open receivable (e.g. a fee billed)."""
        move = self._entry(ref, self.receivable, self.income, amount)
        return move.line_ids.filtered(lambda line: line.account_id == self.receivable)

    def _payout(self, ref, amount):
        """Money sent to a member, waiting on the outstanding payments account."""
        move = self._entry(ref, self.payable, self.outstanding, amount)
        return move.line_ids.filtered(lambda line: line.account_id == self.outstanding)

    def _st_line(self, amount, payment_ref, partner=None):
        return self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": fields.Date.today(),
                "amount": amount,
                "payment_ref": payment_ref,
                "partner_id": partner.id if partner else False,
            }
        )

    def _assert_entry(self, st_line, expected):
        """The statement line's entry: {account: balance}, balanced and posted."""
        move = st_line.move_id
        self.assertEqual(move.state, "posted")
        balances = {}
        for line in move.line_ids:
            balances[line.account_id] = balances.get(line.account_id, 0.0) + line.balance
        self.assertEqual(balances, expected)

    def test_reconcile_with_bank_charges_then_undo(self):
        fee = self._fee("FEE-TR-0001", 10000)
        st_line = self._st_line(9950, "TRANSFER FEE-TR-0001")
        st_line.with_user(self.accountant)._sacco_reconcile(fee, self.charges, "Bank charges")
        self.assertTrue(st_line.is_reconciled)
        self.assertTrue(fee.reconciled)
        liquidity = self.bank.default_account_id
        self._assert_entry(
            st_line, {liquidity: 9950.0, self.receivable: -10000.0, self.charges: 50.0}
        )
        st_line.with_user(self.accountant).action_undo_reconciliation()
        self.assertFalse(st_line.is_reconciled)
        self.assertFalse(fee.reconciled)
        self.assertEqual(fee.amount_residual, 10000.0)
        self._assert_entry(st_line, {liquidity: 9950.0, self.bank.suspense_account_id: -9950.0})

    def test_partial_allocation_and_refusals(self):
        first, second = self._fee("FEE-TR-0002", 600), self._fee("FEE-TR-0003", 600)
        st_line = self._st_line(1000, "TWO FEES")
        with self.assertRefused(UserError, "write-off account for the difference"):
            self._st_line(1500, "TOO MUCH")._sacco_reconcile(first | second)
        with self.assertRefused(UserError, "already settle the statement line"):
            self._st_line(600, "ONE FEE")._sacco_reconcile(first | second)
        st_line._sacco_reconcile(first | second)
        self.assertTrue(first.reconciled)
        self.assertEqual(second.amount_residual, 200.0)
        with self.assertRefused(UserError, "already reconciled"):
            st_line._sacco_reconcile(second)
        with self.assertRefused(UserError, "Only posted, open items"):
            self._st_line(600, "AGAIN")._sacco_reconcile(first)
        with self.assertRefused(UserError, "is reconcilable"):
            self._st_line(200, "REST")._sacco_reconcile(second, self.outstanding)

    def test_write_off_only(self):
        st_line = self._st_line(-450, "LEDGER FEES")
        st_line._sacco_reconcile(self.env["account.move.line"], self.charges, "Ledger fees")
        self.assertTrue(st_line.is_reconciled)
        self._assert_entry(st_line, {self.bank.default_account_id: -450.0, self.charges: 450.0})

    def test_auto_match_by_reference_and_partner(self):
        payout = self._payout("LN-TR-0042", 150000)
        fee = self._fee("FEE-TR-0004", 2500)
        other_fee = self._fee("FEE-TR-0005", 2500)
        by_reference = self._st_line(-150000, "RTGS LOAN DISBURSEMENT LN-TR-0042 W KAMAU")
        by_partner = self._st_line(3000, "CASH DEPOSIT", partner=self.partner)
        ambiguous = self._st_line(2500, "DEPOSIT", partner=self.partner)
        unknown = self._st_line(777, "UNKNOWN")
        lines = by_reference | by_partner | ambiguous | unknown
        proposals = lines._sacco_proposals()
        self.assertEqual(proposals[by_reference], payout)
        self.assertEqual(proposals[ambiguous], fee | other_fee)
        self.assertFalse(proposals[by_partner] | proposals[unknown])
        done = lines._sacco_auto_reconcile()
        self.assertEqual(done, by_reference)
        self.assertTrue(payout.reconciled)
        self._assert_entry(
            by_reference, {self.bank.default_account_id: -150000.0, self.outstanding: 150000.0}
        )
        # A reference names one of the two same-amount fees: that one is proposed.
        named = self._st_line(2500, "PAYMENT FEE-TR-0005")
        self.assertEqual(named._sacco_proposals()[named], other_fee)
