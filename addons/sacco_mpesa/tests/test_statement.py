import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.sacco_base.tests.common import run_post_migration

from .common import SaccoMpesaCommon

HEADER = (
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,"
    "Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,"
    "A/C No."
)


@tagged("post_install", "-at_install")
class TestStatementImport(SaccoMpesaCommon):
    def _statement(self, rows, name="statement.csv"):
        text = "\n".join(["Account Holder:,Test SACCO", "Short Code:,600984", "", HEADER, *rows])
        return (
            self.env["sacco.mpesa.statement"]
            .with_user(self.accountant)
            .create(
                {
                    "config_id": self.config.id,
                    "file": base64.b64encode(text.encode()),
                    "filename": name,
                }
            )
        )

    def _row(self, receipt, amount, account, when="2026-12-03 12:13:25"):
        return (
            f'{receipt},{when},{when},Pay Bill Online,Completed,"{amount}",,"30,000.00",true,'
            f"Pay Bill,2547****126 - NICHOLAS,,{account}"
        )

    def test_statement_recovers_a_lost_callback(self):
        self._c2b("STM0000001", "500.00", self.bosa.name)
        self._c2b("STM0000002", "800.00", self.bosa.name)
        self._process()
        bosa = self.bosa.balance
        statement = self._statement(
            [
                self._row("STM0000001", "500.00", self.bosa.name),
                self._row("STM0000002", "900.00", self.bosa.name),  # we recorded 800
                self._row("STM0000003", "1,200.00", self.bosa.name.lower()),  # lost callback
            ]
        )
        statement.action_import()
        self.assertEqual(statement.state, "done")
        states = {line.receipt: line.state for line in statement.line_ids}
        self.assertEqual(
            states,
            {"STM0000001": "matched", "STM0000002": "difference", "STM0000003": "recovered"},
        )
        recovered = self._transaction("STM0000003")
        self.assertEqual((recovered.source, recovered.state), ("statement", "posted"))
        self.assertEqual(self.bosa.balance, bosa + 1200)
        # The lost callback arrives after all: still posted once.
        self._c2b("STM0000003", "1200.00", self.bosa.name)
        self._process()
        self.assertEqual(self.bosa.balance, bosa + 1200)
        self.assertMpesaBooksMatch()

        again = self._statement([self._row("STM0000001", "500.00", self.bosa.name)])
        again.file = statement.file
        with self.assertRefused(UserError, "already imported"):
            again.action_import()

    def test_receipt_missing_from_statement_is_listed(self):
        self._c2b("STM0000010", "500.00", self.bosa.name)
        self._process()
        self._transaction("STM0000010").paid_at = "2026-12-03 09:00:00"
        statement = self._statement(
            [
                self._row("STM0000011", "100.00", "NOBODY", when="2026-12-03 08:00:00"),
                self._row("STM0000012", "100.00", "NOBODY", when="2026-12-03 18:00:00"),
            ]
        )
        statement.action_import()
        missing = statement.line_ids.filtered(lambda line: line.state == "missing")
        self.assertEqual(missing.receipt, "STM0000010")
        self.assertEqual(self._transaction("STM0000011").state, "suspense")

    def test_bad_rows_post_nothing(self):
        statement = self._statement(
            [
                self._row("STM0000020", "100.00", self.bosa.name),
                self._row("STM0000021", "abc", self.bosa.name),
            ]
        )
        statement.action_import()
        self.assertEqual(statement.state, "failed")
        self.assertIn("Line 6", statement.errors)
        self.assertFalse(self._transaction("STM0000020"))
        foreign = self._statement([], name="notes.txt")
        foreign.action_import()
        self.assertIn("not supported", foreign.errors)

    def test_upgrade_gives_a_shortcode_its_outstanding_account(self):
        """A shortcode configured before the outstanding account existed: the upgrade
        (migrations/18.0.1.1.0) creates and assigns it, and moves the processing job's
        unchanged 5-minute interval to a minute."""
        config = self.config.sudo()
        journal = config.journal_id
        methods = journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids
        old = config.outstanding_account_id
        methods.payment_account_id = False
        config.outstanding_account_id = False
        old.unlink()
        cron = self.env.ref("sacco_mpesa.ir_cron_sacco_mpesa_process")
        cron.interval_number = 5
        run_post_migration(self.env, "sacco_mpesa", "18.0.1.1.0", "18.0.1.0.0")
        self.assertEqual(cron.interval_number, 1)
        Config = self.env["sacco.mpesa.config"]
        account = config.outstanding_account_id
        self.assertEqual(account.code, f"1056{config.shortcode}")
        self.assertTrue(account.reconcile)
        self.assertEqual(methods.payment_account_id, account)
        self.assertFalse(Config._setup_missing_outstanding_accounts())


@tagged("post_install", "-at_install")
class TestStatementReconciliation(SaccoMpesaCommon):
    """The statement's rows become the paybill journal's statement lines, each reconciled
    with its receipt's or payout's outstanding item."""

    _statement = TestStatementImport._statement
    _row = TestStatementImport._row

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._configure_initiator()
        cls.member_fosa.deposit(20000, journal=cls.cash)
        cls.loan = cls._disbursed_loan(
            member=cls.member, product=cls.emergency, amount=12000, term=6, guarantors=()
        )

    def _payout_row(self, receipt, amount, details="Business Payment"):
        when = "2026-12-03 15:00:00"
        return (
            f'{receipt},{when},{when},{details},Completed,,"{amount}","30,000.00",true,'
            "Business Payment to Individual,2547****126 - NICHOLAS,,"
        )

    def test_statement_reconciles_matched_rows_and_leaves_unknown_open(self):
        outstanding = self.config.outstanding_account_id
        self.assertTrue(outstanding.reconcile)
        self._c2b("REC0000001", "500.00", self.bosa.name)
        self._c2b("REC0000002", "500.00", self.member_fosa.name)  # same amount, same batch
        self._c2b("REC0000003", "1500.00", self.loan.name)
        self._c2b("REC0000004", "70.00", "NOBODY")  # suspense
        stk = self.env["sacco.mpesa.request"].request_stk_push(
            self.member, self.member.phone, 200, self.bosa, "bosa-1"
        )
        self.daraja.deliver()
        self._process()
        stk_receipt = stk.transaction_id.name
        self.assertTrue(stk_receipt)
        payout = self.env["sacco.mpesa.request"].request_b2c(
            self.member, self.member.phone, 3000, self.member_fosa
        )
        self.daraja.deliver()
        self._process()
        self.assertEqual(payout.state, "done")
        # Money in and out sits on the outstanding account, not on the paybill's bank account.
        self.assertAlmostEqual(self._gl(self.journal.default_account_id), 0, 2)
        self.assertAlmostEqual(self._gl(outstanding), 500 + 500 + 1500 + 70 + 200 - 3000 - 9, 2)
        self.assertMpesaBooksMatch()

        statement = self._statement(
            [
                self._row("REC0000001", "500.00", self.bosa.name),
                self._row("REC0000002", "500.00", self.member_fosa.name),
                self._row("REC0000003", "1,500.00", self.loan.name),
                self._row("REC0000004", "70.00", "NOBODY"),
                self._row(stk_receipt, "200.00", self.member.member_number),
                self._payout_row(payout.receipt, "3,000.00"),
                # M-Pesa's charge for the payout: a row of its own on the payout's receipt.
                self._payout_row(payout.receipt, "9.00", "Business Payment Charge"),
                self._payout_row("UNKNOWN001", "40.00"),
            ]
        )
        statement.action_import()
        self.assertEqual(statement.state, "done")
        charge_line = statement.line_ids.filtered("is_charge")
        self.assertEqual((charge_line.receipt, charge_line.state), (payout.receipt, "matched"))
        bank_lines = statement.bank_statement_id.line_ids
        self.assertEqual(len(bank_lines), 8)
        self.assertEqual(bank_lines.journal_id, self.journal)
        open_rows = bank_lines.filtered(lambda line: not line.is_reconciled)
        self.assertEqual(open_rows.mapped("payment_ref"), ["M-Pesa UNKNOWN001 Business Payment"])
        self.assertFalse(
            self.env["account.move.line"].search(
                [("account_id", "=", outstanding.id), ("reconciled", "=", False)]
            )
        )
        # The bank account holds the statement, the payout's charge included; nothing is
        # outstanding any more.
        self.assertAlmostEqual(self._gl(self.journal.default_account_id), 2770 - 3049, 2)
        self.assertAlmostEqual(self._gl(outstanding), 0, 2)
        self.assertMpesaBooksMatch()

        again = self._statement([self._row("REC0000001", "500.00", self.bosa.name)])
        again.file = statement.file
        with self.assertRefused(UserError, "already imported"):
            again.action_import()

    def test_statement_refuses_a_receipt_twice_but_not_its_charge(self):
        """A payout's charge shares its receipt; the same payment or the same charge twice
        is a broken file, refused with the line."""
        statement = self._statement(
            [
                self._payout_row("DUP0000001", "1,000.00"),
                self._payout_row("DUP0000001", "9.00", "Business Payment Charge"),
                self._row("DUP0000002", "500.00", self.bosa.name),
                self._row("DUP0000002", "500.00", self.bosa.name),
            ]
        )
        statement.action_import()
        self.assertEqual(statement.state, "failed")
        self.assertEqual(statement.errors, "Line 8: receipt DUP0000002 appears twice.")
        self.assertFalse(statement.bank_statement_id)
        self.assertFalse(self._transaction("DUP0000002"))
