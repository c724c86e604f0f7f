import base64

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged

from odoo.addons.sacco_savings.tests.common import SaccoSavingsCommon

from .common import SaccoFreshCompanyCase

SCREEN = "/odoo/action-sacco_sasra_reports.account_bank_statement_line_action_sacco_reconcile"
EQUITY = "sacco_sasra_reports.account_statement_import_sheet_mapping_equity"


@tagged("post_install", "-at_install")
class TestStatementReconcileScreen(HttpCase, SaccoSavingsCommon, SaccoFreshCompanyCase):
    """An Equity statement imported with its column map and reconciled by the accountant:
    a member's fee paid less bank charges, a payout matched automatically, the bank's own
    fees written off; the books stay balanced and the sub-ledgers equal the GL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.env["account.journal"].create(
            {"name": "Equity Bank", "code": "EQB", "type": "bank"}
        )
        cls.misc = cls.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1
        )
        Account = cls.env["account.account"]
        cls.charges = Account.create(
            {"code": "610900", "name": "Test Bank Charges", "account_type": "expense"}
        )
        income = Account.create({"code": "410900", "name": "Test Fees", "account_type": "income"})
        cls.outstanding = Account.create(
            {
                "code": "101999",
                "name": "Test Outstanding Payments",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        payouts = Account.create(
            {"code": "210999", "name": "Test Payouts Due", "account_type": "liability_current"}
        )
        cls.company._sacco_sasra_map_accounts()
        receivable = cls.member.partner_id.property_account_receivable_id
        cls.fee = cls._entry("FEE-2026-0107", receivable, income, 10000)
        cls.payout = cls._entry("LN-0042", payouts, cls.outstanding, 150000)
        # Money into the member's FOSA account through the bank: the savings sub-ledger.
        cls._account(cls.member, cls.fosa).deposit(20000, journal=cls.bank)
        cls.statement = cls._import_statement()

    @classmethod
    def _entry(cls, ref, debit_account, credit_account, amount):
        """A posted entry for the member; returns its item on the reconcilable account."""
        partner = cls.member.partner_id
        move = cls.env["account.move"].create(
            {
                "journal_id": cls.misc.id,
                "ref": ref,
                "line_ids": [
                    Command.create(
                        {"account_id": account.id, "partner_id": partner.id, "name": ref, **side}
                    )
                    for account, side in (
                        (debit_account, {"debit": amount}),
                        (credit_account, {"credit": amount}),
                    )
                ],
            }
        )
        move.action_post()
        return move.line_ids.filtered(lambda line: line.account_id.reconcile)

    @classmethod
    def _import_statement(cls):
        day = fields.Date.today().strftime("%d-%m-%Y")
        rows = [
            "Transaction Date,Value Date,Narrative,Transaction Reference,Debit,Credit,"
            "Running Balance",
            f'{day},{day},NJERI MWANGI FEE-2026-0107,EQ0001,,"9,950.00","9,950.00"',
            f'{day},{day},RTGS LOAN DISBURSEMENT LN-0042,EQ0002,"150,000.00",,"-140,050.00"',
            f'{day},{day},LEDGER FEES,EQ0003,450.00,,"-140,500.00"',
        ]
        wizard = (
            cls.env["account.statement.import"]
            .with_context(journal_id=cls.bank.id)
            .create(
                {
                    "statement_filename": "equity.csv",
                    "statement_file": base64.b64encode("\n".join(rows).encode()),
                    "sheet_mapping_id": cls.env.ref(EQUITY).id,
                }
            )
        )
        wizard.import_file_button()
        return cls.env["account.bank.statement"].search([("journal_id", "=", cls.bank.id)])

    def _line(self, text):
        return self.statement.line_ids.filtered(lambda line: text in line.payment_ref)

    def _open_form(self, st_line):
        action = st_line.with_user(self.accountant).action_sacco_open_reconcile()
        return self.env[action["res_model"]].with_user(self.accountant).browse(action["res_id"])

    def _assert_books(self):
        """Every entry balanced, the SACCO sub-ledgers equal to the GL."""
        moves = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("state", "=", "posted")]
        )
        for move in moves:
            self.assertEqual(
                self.company.currency_id.compare_amounts(
                    sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
                ),
                0,
                move.name,
            )
        run = self.env["sacco.integrity.run"]._run_for(self.company, "manual")
        self.assertEqual(run.state, "clean", run.summary)
        self.assertLedgerMatches()

    def test_accountant_reconciles_with_bank_charges_auto_and_undo(self):
        self.assertEqual(len(self.statement.line_ids), 3)
        fee_line, payout_line, fees_line = (
            self._line("FEE-2026"),
            self._line("LN-0042"),
            self._line("LEDGER"),
        )
        # 9,950 is no exact proposal: the accountant picks the fee and writes off the charge.
        wizard = self._open_form(fee_line)
        self.assertFalse(wizard.proposal_ids)
        with Form(wizard) as form:
            form.move_line_ids.add(self.fee)
            form.writeoff_account_id = self.charges
        self.assertEqual(wizard.difference, -50.0)
        wizard.action_reconcile()
        self.assertTrue(fee_line.is_reconciled)
        self.assertTrue(self.fee.reconciled)
        charge = fee_line.move_id.line_ids.filtered(lambda line: line.account_id == self.charges)
        self.assertEqual(charge.debit, 50.0)
        # The payout has one exact proposal: reconciled automatically; the fees have none.
        self.statement.line_ids.with_user(self.accountant).action_sacco_auto_reconcile()
        self.assertTrue(payout_line.is_reconciled)
        self.assertTrue(self.payout.reconciled)
        self.assertFalse(fees_line.is_reconciled)
        wizard = self._open_form(fees_line)
        wizard.writeoff_account_id = self.charges
        wizard.action_reconcile()
        self.assertTrue(fees_line.is_reconciled)
        self._assert_books()
        # Undo puts the line back on suspense and reopens the fee.
        fee_line.with_user(self.accountant).action_undo_reconciliation()
        self.assertFalse(fee_line.is_reconciled)
        self.assertEqual(self.fee.amount_residual, 10000.0)
        self._assert_books()

    def test_auditor_cannot_reconcile(self):
        with self.assertRaises(AccessError):
            self._line("LN-0042").with_user(self.auditor).action_sacco_open_reconcile()
        with self.assertRaises(AccessError):
            self.statement.line_ids.with_user(self.auditor).action_sacco_auto_reconcile()
        self.assertFalse(self._line("LN-0042").is_reconciled)

    def test_tour_accountant_reconciles_a_proposed_line(self):
        payout_line = self._line("LN-0042")
        self.start_tour(SCREEN, "sacco_statement_reconcile", login=self.accountant.login)
        self.assertTrue(payout_line.is_reconciled)
        self.assertTrue(self.payout.reconciled)
        self.assertFalse(self._line("FEE-2026").is_reconciled)
