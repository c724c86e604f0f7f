from datetime import timedelta
from decimal import Decimal

from sacco_core.money import to_money
from sacco_core.portfolio import classify, provision

from .common import SaccoLoansCommon

# Days before the as-of date each loan is disbursed, to land in each SASRA class.
CLASS_AGES = {"performing": 0, "watch": 45, "substandard": 130, "doubtful": 300, "loss": 420}


def _money(value):
    return to_money(value, strict=False)


class SaccoLoanCobCommon(SaccoLoansCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["sacco.loan.cob.run"]
        cls.borrowers = [cls._create_member(name=f"Borrower {name.title()}") for name in CLASS_AGES]
        for borrower in cls.borrowers:
            cls._account(borrower, cls.deposits).deposit(20000, journal=cls.cash)

    @classmethod
    def _loan(cls, member, disbursed_on, product=None, amount=10000, term=12):
        return cls._disbursed_loan(
            date=disbursed_on,
            member=member,
            product=product or cls.emergency,
            amount=amount,
            term=term,
            guarantors=(),
        )

    @classmethod
    def _class_loans(cls, as_of, product=None):
        """One loan per SASRA class as of ``as_of``, nothing repaid."""
        return {
            name: cls._loan(borrower, as_of - timedelta(days=age), product)
            for (name, age), borrower in zip(CLASS_AGES.items(), cls.borrowers, strict=True)
        }

    def _run(self, as_of):
        return self.Run.run_close_of_business(as_of, self.company)

    def _expected_standing(self, loan, as_of):
        """The standing of a loan by sacco_core.portfolio, from its installments."""
        due = loan.installment_ids.filtered(lambda line: line.due_date <= as_of)
        unpaid = due.filtered(lambda line: not line.paid)
        days = (as_of - min(unpaid.mapped("due_date"))).days if unpaid else 0
        sasra_class = classify(days, self.company._sacco_cob_bands())
        parts = [line._due() for line in due]
        return {
            "days_past_due": days,
            "sasra_class": sasra_class,
            "arrears_principal": sum((p.principal for p in parts), Decimal(0)),
            "arrears_interest": sum((p.interest for p in parts), Decimal(0)),
            "arrears_fee": sum((p.fee for p in parts), Decimal(0)),
            "arrears_penalty": sum((p.penalty for p in parts), Decimal(0)),
            "provision_required": provision(
                _money(loan.principal_outstanding), sasra_class, self.company._sacco_cob_rates()
            ),
        }

    def assertStanding(self, loan, as_of):
        expected = self._expected_standing(loan, as_of)
        for field, value in expected.items():
            actual = (
                loan[field] if field in ("days_past_due", "sasra_class") else _money(loan[field])
            )
            self.assertEqual(actual, value, f"{loan.name} {field}")
        self.assertEqual(
            _money(loan.arrears_total),
            sum(expected[f"arrears_{c}"] for c in ("principal", "interest", "fee", "penalty")),
        )

    def _gl(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return _money(sum(lines.mapped("balance")))

    def assertSubLedgersMatch(self, provision=True):
        """Portfolio, interest receivable, penalty receivable and provision in the GL equal
        the loan sub-ledger sums (the provision only as of a month-end close of business)."""
        company = self.company
        loans = self.env["sacco.loan"].search([("company_id", "=", company.id)])
        active = loans.filtered(lambda loan: loan.state == "active")
        lines = loans.installment_ids
        self.assertEqual(
            self._gl(company.sacco_account_loan_portfolio_id),
            _money(sum(loans.mapped("principal_outstanding"))),
        )
        self.assertEqual(
            self._gl(company.sacco_account_interest_receivable_id),
            _money(sum(lines.mapped("interest_receivable"))),
        )
        self.assertEqual(
            self._gl(company.sacco_account_penalty_receivable_id),
            _money(sum(line.penalty - line.penalty_paid for line in lines)),
        )
        if not provision:
            return
        self.assertEqual(
            -self._gl(company.sacco_account_provision_id),
            _money(sum(active.mapped("provision_required"))),
        )
