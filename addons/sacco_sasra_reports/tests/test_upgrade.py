from odoo.tests import tagged

from odoo.addons.sacco_base.tests.common import run_post_migration

from .common import SaccoFreshCompanyCase


@tagged("post_install", "-at_install")
class TestUpgrade(SaccoFreshCompanyCase):
    def test_outstanding_accounts_move_to_cash_at_bank(self):
        """18.0.1.1.0: a bank journal's outstanding accounts still on their type's default
        line feed cash at bank; a line the accountant chose stays."""
        bank = self.env["account.journal"].create(
            {"name": "Upgrade Bank", "code": "UPGB", "type": "bank"}
        )
        receipts = bank._sacco_outstanding_account("inbound")
        payments = bank._sacco_outstanding_account("outbound")
        self.assertNotEqual(receipts, payments)
        receipts.sacco_sasra_line = "prepayments"  # the asset_current default before
        payments.sacco_sasra_line = "other_assets"  # the accountant's own choice
        run_post_migration(self.env, "sacco_sasra_reports", "18.0.1.1.0", "18.0.1.0.0")
        self.assertEqual(receipts.sacco_sasra_line, "cash_at_bank")
        self.assertEqual(payments.sacco_sasra_line, "other_assets")
