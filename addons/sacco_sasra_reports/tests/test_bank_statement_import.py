import base64

from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open


@tagged("post_install", "-at_install")
class TestBankStatementImport(TransactionCase):
    """The Equity-style and KCB-style statement exports import with their column maps."""

    def _import(self, sample, mapping_xmlid):
        journal = self.env["account.journal"].create(
            {"name": f"Bank {sample}", "code": sample[:5].upper(), "type": "bank"}
        )
        with file_open(f"sacco_sasra_reports/static/samples/{sample}", "rb") as handle:
            content = handle.read()
        wizard = (
            self.env["account.statement.import"]
            .with_context(journal_id=journal.id)
            .create(
                {
                    "statement_filename": sample,
                    "statement_file": base64.b64encode(content),
                    "sheet_mapping_id": self.env.ref(mapping_xmlid).id,
                }
            )
        )
        wizard.import_file_button()
        return self.env["account.bank.statement"].search([("journal_id", "=", journal.id)])

    def test_equity_statement(self):
        statement = self._import(
            "equity_statement_sample.csv",
            "sacco_sasra_reports.account_statement_import_sheet_mapping_equity",
        )
        self.assertEqual(
            sorted(statement.line_ids.mapped("amount")), [-150000.0, -450.0, 1250000.0]
        )
        self.assertEqual(statement.line_ids.mapped("payment_ref")[0][:9], "CHECK-OFF")

    def test_kcb_statement(self):
        statement = self._import(
            "kcb_statement_sample.csv",
            "sacco_sasra_reports.account_statement_import_sheet_mapping_kcb",
        )
        self.assertEqual(sorted(statement.line_ids.mapped("amount")), [-12500.0, 845300.0])
