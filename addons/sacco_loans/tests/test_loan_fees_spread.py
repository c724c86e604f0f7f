from odoo.tests import tagged

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanFeesSpread(SaccoLoansCommon):
    """12,000 over 4 installments, equal principal at 1 % a month, fees spread: processing
    1 % (120) and insurance 0.5 % (60) plus 20 % excise duty on them (36) = 216, 54 an
    installment, nothing deducted at disbursement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emergency.write(
            {"processing_fee": 1.0, "insurance_rate": 0.5, "fee_collection": "spread"}
        )

    def _balance(self, field_name):
        account = self.company[field_name]
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return -sum(lines.mapped("balance"))

    def test_fees_are_collected_with_the_installments(self):
        loan = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=12000, term=4, guarantors=()
        )
        self.assertEqual(loan.net_disbursed, 12000)
        self.assertEqual(loan.installment_ids.mapped("fee"), [54, 54, 54, 54])
        self.assertEqual(loan.installment_ids[0].total, 3000 + 120 + 54)
        self.assertEqual(self._balance("sacco_account_fee_income_id"), 0)

        loan.repay(3174, journal=self.cash)
        self.assertTrue(loan.installment_ids[0].paid)
        self.assertEqual(self._balance("sacco_account_fee_income_id"), 30)
        self.assertEqual(self._balance("sacco_account_insurance_payable_id"), 15)
        self.assertEqual(self._balance("sacco_account_excise_payable_id"), 9)
        self.assertEqual(self._balance("sacco_account_interest_income_id"), 120)
        self.assertLoanBookMatches()
        payment = loan._statement()["lines"][1]
        self.assertEqual(
            (payment["principal"], payment["interest"], payment["charges"]), (3000, 120, 54)
        )

        loan.repay(3090 + 54 + 3060 + 54 + 3030 + 54, journal=self.cash)
        self.assertEqual(loan.state, "closed")
        self.assertEqual(self._balance("sacco_account_fee_income_id"), 120)
        self.assertEqual(self._balance("sacco_account_insurance_payable_id"), 60)
        self.assertEqual(self._balance("sacco_account_excise_payable_id"), 36)
        self.assertLoanBookMatches()

    def test_fees_deducted_at_disbursement_by_default(self):
        self.emergency.fee_collection = "disbursement"
        loan = self._disbursed_loan(
            member=self.other, product=self.emergency, amount=12000, term=4, guarantors=()
        )
        self.assertEqual(loan.net_disbursed, 12000 - 216)
        self.assertEqual(loan.installment_ids.mapped("fee"), [0, 0, 0, 0])
        self.assertEqual(self._balance("sacco_account_fee_income_id"), 120)
        self.assertEqual(self._balance("sacco_account_insurance_payable_id"), 60)
        self.assertEqual(self._balance("sacco_account_excise_payable_id"), 36)
        self.assertLoanBookMatches()
