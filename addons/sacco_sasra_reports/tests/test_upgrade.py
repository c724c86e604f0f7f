import importlib.util

from odoo.tests import tagged
from odoo.tools.misc import file_path

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
        script = self._migration("18.0.1.1.0")
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.assertEqual(receipts.sacco_sasra_line, "cash_at_bank")
        self.assertEqual(payments.sacco_sasra_line, "other_assets")

    @staticmethod
    def _migration(version):
        path = file_path(f"sacco_sasra_reports/migrations/{version}/post-migrate.py")
        spec = importlib.util.spec_from_file_location("sacco_sasra_reports_post_migrate", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        return script
