from datetime import timedelta
from decimal import Decimal

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.sacco_savings.tests.common import SaccoSavingsCommon

from sacco_core.money import to_money

LOAN_OFFICER = "sacco_base.sacco_base_group_loan_officer"
COMMITTEE = "sacco_base.sacco_base_group_credit_committee"


class SaccoLoansCommon(SaccoSavingsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        Product = cls.env["sacco.loan.product"]
        cls.product = Product.create(
            {
                "name": "Test Development Loan",
                "code": "T-DEV",
                "interest_rate": 12.0,
                "method": "annuity",
                "min_amount": 1000,
                "max_amount": 1000000,
                "min_term": 1,
                "max_term": 24,
                "processing_fee": 1.0,
                "insurance_rate": 0.5,
                "min_guarantors": 2,
                "guarantee_coverage": 100.0,
                "self_guarantee_allowed": True,
            }
        )
        cls.emergency = Product.create(
            {
                "name": "Test Emergency Loan",
                "code": "T-EMG",
                "interest_rate": 12.0,
                "method": "equal_principal",
                "min_amount": 1000,
                "max_amount": 100000,
                "max_term": 12,
                "guarantee_coverage": 0.0,
            }
        )
        cls.guarantor = cls._create_member(name="Achieng Atieno")
        cls.officer = new_test_user(
            cls.env,
            "sacco.loan.officer",
            groups=LOAN_OFFICER,
            sacco_branch_ids=[Command.set(cls.branch_a.ids)],
        )
        cls.committee = new_test_user(cls.env, "sacco.committee", groups=COMMITTEE)
        for member, amount in ((cls.member, 40000), (cls.other, 60000), (cls.guarantor, 60000)):
            cls._account(member, cls.deposits).deposit(amount, journal=cls.cash)

    @classmethod
    def _instant_loan_product(cls):
        """A mobile-channel product approved at once up to KES 20,000, no payslip."""
        return cls.env["sacco.loan.product"].create(
            {
                "name": "Test Instant Loan",
                "code": "T-INST",
                "method": "flat",
                "interest_rate": 60,
                "min_amount": 500,
                "max_amount": 50000,
                "max_term": 3,
                "deposit_multiplier": 1,
                "guarantee_coverage": 0,
                "payslip_required": False,
                "channel_ok": True,
                "instant_approval": True,
                "instant_approval_limit": 20000,
            }
        )

    @classmethod
    def _application(cls, member=None, product=None, amount=100000, term=12, guarantors=None):
        guarantors = (
            guarantors if guarantors is not None else ((cls.other, 30000), (cls.guarantor, 30000))
        )
        return (
            cls.env["sacco.loan.application"]
            .with_user(cls.officer)
            .create(
                {
                    "member_id": (member or cls.member).id,
                    "product_id": (product or cls.product).id,
                    "amount": amount,
                    "term": term,
                    "basic_pay": 100000,
                    "total_deductions": 20000,
                    "guarantor_ids": [
                        Command.create({"member_id": g.id, "amount": pledge})
                        for g, pledge in guarantors
                    ],
                }
            )
        )

    @classmethod
    def _disbursed_loan(cls, date=None, **kwargs):
        app = cls._application(**kwargs)
        app.action_submit()
        app.action_appraise()
        app.with_user(cls.committee).action_approve()
        return app._disburse(date=date or cls.today)

    @classmethod
    def _back_dated_loan(cls, member, months=3):
        """A loan disbursed ``months`` ago, nothing repaid: its member is in arrears."""
        return cls._disbursed_loan(
            date=cls.today - timedelta(days=31 * months),
            member=member,
            product=cls.emergency,
            amount=10000,
            term=6,
            guarantors=(),
        )

    def _portfolio_gl(self):
        account = self.company.sacco_account_loan_portfolio_id
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def assertLoanBookMatches(self):
        """Balanced posted moves, portfolio GL = principal outstanding, holds = pledges left."""
        loans = self.env["sacco.loan"].search([("company_id", "=", self.company.id)])
        for move in loans.sudo().move_line_ids.move_id:
            self.assertEqual(move.state, "posted")
            self.assertEqual(
                move.currency_id.compare_amounts(
                    sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
                ),
                0,
            )
        self.assertAlmostEqual(
            self._portfolio_gl(), sum(loans.mapped("principal_outstanding")), places=2
        )
        for loan in loans:
            portfolio = loan.product_id._portfolio_account()
            own = loan.sudo().move_line_ids.filtered(
                lambda line, acc=portfolio: line.account_id == acc
            )
            self.assertAlmostEqual(sum(own.mapped("balance")), loan.principal_outstanding, 2)
        self.assertHoldsMatchPledges()
        self.assertLedgerMatches()

    def assertHoldsMatchPledges(self):
        guarantors = self.env["sacco.loan.guarantor"].search([("company_id", "=", self.company.id)])
        for guarantor in guarantors:
            app, loan = guarantor.application_id, guarantor.loan_id
            if app.state == "approved":
                expected = Decimal(str(guarantor.amount))
            elif loan and loan.state == "active":
                expected = to_money(
                    Decimal(str(guarantor.amount))
                    * Decimal(str(loan.principal_outstanding))
                    / Decimal(str(loan.principal)),
                    strict=False,
                )
            else:
                expected = Decimal(0)
            self.assertAlmostEqual(guarantor.held_amount, float(expected), places=2)
        holds = self.env["sacco.savings.hold"].search(
            [
                ("source_model", "=", "sacco.loan.application"),
                ("state", "=", "active"),
                ("company_id", "=", self.company.id),
            ]
        )
        self.assertAlmostEqual(
            sum(holds.mapped("amount")), sum(guarantors.mapped("held_amount")), places=2
        )
