from datetime import timedelta
from decimal import Decimal

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from sacco_core.loan_fees import split_proportionally
from sacco_core.money import to_money

from .common import SaccoLoansCommon


@tagged("post_install", "-at_install")
class TestLoanRecovery(SaccoLoansCommon):
    def _deposits(self, member):
        return self._account(member, self.deposits)

    def _sms(self, template, member):
        return self.env["sacco.sms.message"].search(
            [
                ("template_id", "=", self.env.ref(f"sacco_loans.{template}").id),
                ("member_id", "=", member.id),
            ]
        )

    def _defaulted_loan(self, amount=100000, pledges=30000):
        return self._disbursed_loan(
            date=self.today - timedelta(days=100),
            amount=amount,
            guarantors=((self.other, pledges), (self.guarantor, pledges)),
        )

    def test_own_deposits_first_then_guarantors_pro_rata(self):
        loan = self._defaulted_loan()
        moves = self.env["account.move"].search_count([])
        wizard = (
            self.env["sacco.loan.recover.deposits"]
            .with_user(self.officer)
            .create({"loan_id": loan.id, "amount": 70000})
        )
        self.assertEqual(
            (wizard.own_amount, wizard.guarantors_amount, wizard.shortfall), (40000, 30000, 0)
        )
        self.assertEqual(wizard.owed, float(loan._recall_amount(self.today)))
        plan = loan._recovery_plan(Decimal("70000.00"))
        self.assertEqual(plan.own, Decimal("40000.00"))
        self.assertEqual(plan.guarantors, (Decimal("15000.00"), Decimal("15000.00")))
        wizard.action_recover()
        # One entry per source: the borrower, then each guarantor.
        self.assertEqual(self.env["account.move"].search_count([]), moves + 3)
        self.assertEqual(self._deposits(self.member).balance, 0)
        self.assertEqual(self._deposits(self.other).balance, 45000)
        self.assertEqual(self._deposits(self.guarantor).balance, 45000)
        self.assertEqual(loan.state, "active")
        repaid = loan.principal - loan.principal_outstanding
        self.assertAlmostEqual(repaid + loan.interest_paid, 70000, places=2)
        # The holds are what the pledges still cover, below what is left after the take.
        outstanding = Decimal(str(loan.principal_outstanding))
        keep = float(to_money(Decimal(30000) * outstanding / 100000, strict=False))
        self.assertLess(keep, 15000)
        for guarantor in loan.guarantor_ids:
            self.assertAlmostEqual(guarantor.held_amount, keep, places=2)
            self.assertAlmostEqual(guarantor.hold_id.account_id.held_amount, keep, places=2)
        entries = loan.sudo().move_line_ids.move_id.filtered(lambda m: m.date == self.today)
        self.assertEqual(
            {line.partner_id for line in entries.line_ids if line.sacco_savings_account_id},
            {self.member.partner_id, self.other.partner_id, self.guarantor.partner_id},
        )
        self.assertEqual(
            len(self._sms("sacco_sms_template_loan_recovery_borrower", self.member)), 1
        )
        for member in (self.other, self.guarantor):
            sms = self._sms("sacco_sms_template_loan_recovery_guarantor", member)
            self.assertEqual(len(sms), 1)
            self.assertIn(loan.name, sms.body)
            self.assertIn(f"{loan.currency_id.name} 15,000.00", sms.body)
        self.assertLoanBookMatches()

    def test_full_recovery_closes_the_loan_and_releases_the_pledges(self):
        loan = self._defaulted_loan(amount=50000, pledges=20000)
        owed = loan._recall_amount(self.today)
        self.assertGreater(owed, Decimal("50000.00"))
        loan.with_user(self.officer).recover_from_deposits()
        from_other, from_guarantor = split_proportionally(owed - 40000, [Decimal(1)] * 2)
        self.assertEqual(loan.state, "closed")
        self.assertEqual(loan.principal_outstanding, 0)
        self.assertEqual(self._deposits(self.member).balance, 0)
        self.assertEqual(self._deposits(self.other).balance, 60000 - float(from_other))
        self.assertEqual(self._deposits(self.guarantor).balance, 60000 - float(from_guarantor))
        self.assertFalse(any(loan.guarantor_ids.mapped("held_amount")))
        self.assertTrue(all(loan.installment_ids.mapped("paid")))
        self.assertLoanBookMatches()

    def test_recovery_refusals_write_nothing(self):
        loan = self._disbursed_loan()
        defaulted = self._back_dated_loan(self.guarantor)
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, "is not in arrears"):
            loan.with_user(self.officer).recover_from_deposits()
        with self.assertRefused(UserError, "more than zero and at most"):
            defaulted.with_user(self.officer).recover_from_deposits(0)
        with self.assertRefused(UserError, "more than zero and at most"):
            defaulted.with_user(self.officer).recover_from_deposits(10**6)
        with self.assertRefused(UserError, "Only loan officers"):
            defaulted.with_user(self.teller_a).recover_from_deposits()
        defaulted.settle(journal=self.cash)
        moves += 1
        with self.assertRefused(UserError, "only an active loan is recovered"):
            defaulted.with_user(self.officer).recover_from_deposits()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self._deposits(self.member).balance, 40000)
        self.assertLoanBookMatches()

    def test_guarantor_substitution_moves_the_hold(self):
        loan = self._disbursed_loan()
        loan.repay(loan.installment_ids[0].total, journal=self.cash)
        old = loan.guarantor_ids.filtered(lambda g: g.member_id == self.other)
        held = old.held_amount
        newcomer = self._create_member(name="Wafula Barasa")
        self._deposits(newcomer).deposit(35000, journal=self.cash)
        wizard = (
            self.env["sacco.loan.guarantor.substitute"]
            .with_user(self.officer)
            .create({"loan_id": loan.id, "guarantor_id": old.id, "member_id": newcomer.id})
        )
        wizard.action_substitute()
        new = loan.guarantor_ids.filtered(lambda g: g.member_id == newcomer)
        self.assertFalse(old.active)
        self.assertEqual(old.substituted_by_id, new)
        self.assertEqual(old.hold_id.state, "released")
        self.assertEqual((new.amount, new.held_amount), (30000, held))
        self.assertEqual(self._deposits(newcomer).held_amount, held)
        self.assertEqual(self._deposits(self.other).held_amount, 0)
        self.assertEqual(loan.guarantor_ids.member_id, newcomer | self.guarantor)
        self.assertLoanBookMatches()

    def test_guarantor_substitution_refusals(self):
        loan = self._disbursed_loan()
        old = loan.guarantor_ids.filtered(lambda g: g.member_id == self.other)
        poor = self._create_member(name="Chebet Kiprono")
        self._deposits(poor).deposit(1000, journal=self.cash)
        late = self._create_member(name="Mutua Musyoka")
        self._deposits(late).deposit(60000, journal=self.cash)
        self._back_dated_loan(late)
        holds = self.env["sacco.savings.hold"].search_count([])
        for member, error, pattern in (
            (poor, UserError, "has only"),
            (late, UserError, "has a loan in arrears"),
            (self.guarantor, UserError, "already guarantees"),
            (self.member, ValidationError, "Borrowers cover their own loans"),
        ):
            with self.assertRefused(error, pattern):
                old.with_user(self.officer)._substitute(member, self.today)
        self.assertTrue(old.active)
        self.assertEqual(old.hold_id.state, "active")
        self.assertEqual(self.env["sacco.savings.hold"].search_count([]), holds)
        loan.settle(journal=self.cash)
        with self.assertRefused(UserError, "active loans only"):
            old.with_user(self.officer)._substitute(poor, self.today)
        self.assertLoanBookMatches()
