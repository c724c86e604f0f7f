from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import SaccoLoansCommon

D = Decimal


@tagged("post_install", "-at_install")
class TestLoanSettlementRules(SaccoLoansCommon):
    """12,000 over 6 months, equal principal at 1 % a month: installments of 2,000 principal
    and 120, 100, 80, 60, 40, 20 interest; no disbursement fees."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.sacco_excise_rate = 20.0
        cls.fee_income = cls.emergency._fee_income_account()
        cls.excise_payable = cls.emergency._excise_payable_account()

    def _loan(self, rule, penalty=0.0):
        self.emergency.write({"early_settlement_rule": rule, "early_settlement_penalty": penalty})
        loan = self._disbursed_loan(
            member=self.other,
            product=self.emergency,
            amount=12000,
            term=6,
            guarantors=((self.guarantor, 6000),),
        )
        self.assertEqual(loan.installment_ids.mapped("interest"), [120, 100, 80, 60, 40, 20])
        return loan

    def _balance(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def _settle(self, loan, as_of, expected):
        """Quote and settle on ``as_of``; the quote's components are ``expected``."""
        quote = loan.settlement_quote(as_of)
        self.assertEqual(
            {key: quote[key] for key in expected},
            {key: D(value) for key, value in expected.items()},
        )
        self.assertEqual(quote["charges"], D("0.00"))
        fee_income, excise = self._balance(self.fee_income), self._balance(self.excise_payable)
        moves = self.env["account.move"].search([])
        loan.settle(journal=self.cash, date=as_of)
        move = self.env["account.move"].search([]) - moves
        self.assertEqual(len(move), 1, "one entry for the whole settlement")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.line_ids.partner_id, self.other.partner_id)
        cash = move.line_ids.filtered(lambda line: line.account_id == self.cash.default_account_id)
        self.assertAlmostEqual(cash.debit, float(quote["total"]), places=2)
        self.assertAlmostEqual(
            fee_income - self._balance(self.fee_income), float(quote["penalty_fee"]), places=2
        )
        self.assertAlmostEqual(
            excise - self._balance(self.excise_payable), float(quote["excise"]), places=2
        )
        self.assertEqual(loan.state, "closed")
        self.assertEqual(loan.closed_on, as_of)
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertTrue(all(loan.installment_ids.mapped("paid")))
        self.assertEqual(self._account(self.guarantor, self.deposits).held_amount, 0)
        self.assertLoanBookMatches()
        return loan

    def test_interest_to_date_is_the_default(self):
        self.assertEqual(self.emergency.early_settlement_rule, "interest_to_date")
        loan = self._loan("interest_to_date")
        first_due = loan.installment_ids[0].due_date
        self._settle(
            loan,
            first_due,
            {
                "principal": "12000.00",
                "interest": "120.00",
                "penalty_fee": "0.00",
                "excise": "0.00",
                "total": "12120.00",
            },
        )
        self.assertEqual(loan.installment_ids.mapped("interest_paid"), [120, 0, 0, 0, 0, 0])
        self.assertEqual(loan.interest_paid, 120)

    def test_scheduled_interest_charges_all_the_interest_left(self):
        loan = self._loan("scheduled_interest")
        first_due = loan.installment_ids[0].due_date
        self._settle(
            loan,
            first_due,
            {
                "principal": "12000.00",
                "interest": "420.00",
                "penalty_fee": "0.00",
                "excise": "0.00",
                "total": "12420.00",
            },
        )
        self.assertEqual(loan.interest_paid, 420)
        self.assertFalse(any(loan.installment_ids.mapped("interest_waived")))

    def test_penalty_charges_a_fee_with_excise_on_the_principal_left(self):
        loan = self._loan("penalty", 2.0)
        first, second = loan.installment_ids[:2]
        loan.repay(first.total, journal=self.cash, date=first.due_date)
        self._settle(
            loan,
            second.due_date,
            {
                "principal": "10000.00",
                "interest": "100.00",
                "penalty_fee": "200.00",  # 2 % of 10,000
                "excise": "40.00",  # 20 % of the fee
                "total": "10340.00",
            },
        )
        self.assertEqual(loan.interest_paid, 220)
        self.assertEqual(sum(loan.installment_ids.mapped("interest_waived")), 200)

    def test_penalty_percent_must_be_a_positive_percentage(self):
        for percent in (0.0, -1.0, 100.5):
            with self.assertRefused(ValidationError, "is a percentage above zero"):
                self.emergency.write(
                    {"early_settlement_rule": "penalty", "early_settlement_penalty": percent}
                )
        with self.assertRefused(ValidationError, "is a percentage above zero"):
            self.emergency.early_settlement_penalty = -2.0
        self.assertEqual(self.emergency.early_settlement_rule, "interest_to_date")

    def test_a_closed_loan_cannot_be_settled_again(self):
        loan = self._loan("penalty", 1.0)
        loan.settle(journal=self.cash)
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, "is closed"):
            loan.settle(journal=self.cash)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertLoanBookMatches()
