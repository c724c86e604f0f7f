import base64

from odoo.exceptions import UserError
from odoo.tests import tagged

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
