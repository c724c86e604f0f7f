from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestSavingsProducts(SaccoSavingsCommon):
    def test_product_control_account_defaults_to_company_mapping(self):
        self.assertEqual(self.deposits._control_account(), self.company.sacco_account_deposits_id)
        self.assertEqual(
            self.shares._control_account(), self.company.sacco_account_share_capital_id
        )
        self.assertEqual(self.fosa._control_account(), self.company.sacco_account_savings_id)

    def test_share_price_must_be_positive(self):
        with self.assertRaises(ValidationError):
            self.shares.share_price = 0

    def test_account_numbers_are_unique_and_sequential(self):
        first = self._account(self.member, self.fosa)
        second = self._account(self.other, self.fosa)
        self.assertNotEqual(first.name, second.name)
        self.assertEqual(int(second.name[3:]), int(first.name[3:]) + 1)
