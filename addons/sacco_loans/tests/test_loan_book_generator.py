from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.sacco_loans.tools.loan_book_generator import generate

BOOK = 100  # one loan of each of the hundred categories of the generator


@tagged("post_install", "-at_install")
class TestLoanBookGenerator(TransactionCase):
    """The benchmark's loan book generator (bench/bench_loans.py) at a tiny scale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.as_of = fields.Date.today().replace(day=1) - timedelta(days=1)
        cls.env.company._sacco_setup_accounts()
        cls.before = cls._balances()
        cls.counts = generate(cls.env, BOOK, cls.as_of, prefix="BT")
        cls.loans = cls.env["sacco.loan"].search([("name", "=like", "BT%")])
        cls.active = cls.loans.filtered(lambda loan: loan.state == "active")

    @classmethod
    def _balances(cls):
        """GL balance (debit - credit) of the loan portfolio and receivable accounts."""
        company = cls.env.company
        accounts = [
            company._sacco_account(name)
            for name in (
                "sacco_account_loan_portfolio_id",
                "sacco_account_interest_receivable_id",
                "sacco_account_penalty_receivable_id",
            )
        ]
        cls.env.flush_all()
        balances = dict(
            cls.env["account.move.line"]._read_group(
                [("account_id", "in", [a.id for a in accounts]), ("parent_state", "=", "posted")],
                ["account_id"],
                ["balance:sum"],
            )
        )
        return [balances.get(account, 0.0) for account in accounts]

    def test_rows(self):
        self.assertEqual(len(self.loans), BOOK)
        self.assertEqual(len(self.loans.member_id), BOOK)
        self.assertEqual(len(set(self.loans.member_id.mapped("member_number"))), BOOK)
        self.assertEqual(len(set(self.loans.member_id.mapped("id_number"))), BOOK)
        self.assertEqual(len(set(self.loans.member_id.mapped("phone"))), BOOK)
        installments = self.loans.installment_ids
        self.assertEqual(len(installments), self.counts["sacco_loan_installment"])
        self.assertEqual(set(self.loans.mapped("state")), {"active", "closed", "written_off"})
        self.assertTrue(self.active.filtered("rescheduled"))
        for loan in self.loans:
            self.assertEqual(len(loan.installment_ids), loan.term)
            self.assertAlmostEqual(sum(loan.installment_ids.mapped("principal")), loan.principal)
            self.assertAlmostEqual(
                loan.principal_outstanding,
                loan.principal
                - sum(loan.installment_ids.mapped("principal_paid"))
                - loan.principal_written_off,
            )
        closed = self.loans.filtered(lambda loan: loan.state == "closed")
        self.assertTrue(all(closed.installment_ids.mapped("paid")))

    def test_stored_computations_match_the_orm(self):
        """The amounts written by SQL are those the ORM would compute."""
        installments = self.loans.installment_ids
        stored = installments.read(["total", "amount_due", "paid"])
        installments._compute_amounts()
        for line, values in zip(installments, stored, strict=True):
            self.assertAlmostEqual(line.total, values["total"])
            self.assertAlmostEqual(line.amount_due, values["amount_due"])
            self.assertEqual(line.paid, values["paid"])

    def test_opening_entries_match_the_sub_ledger(self):
        installments = self.active.installment_ids
        expected = [
            sum(self.active.mapped("principal_outstanding")),
            sum(installments.mapped("interest_receivable")),
            sum(installments.mapped("penalty")) - sum(installments.mapped("penalty_paid")),
        ]
        self.assertTrue(all(expected))
        for before, after, amount in zip(self.before, self._balances(), expected, strict=True):
            self.assertAlmostEqual(after - before, amount, places=2)

    def test_close_of_business_finds_every_class(self):
        self.env["sacco.loan.cob.run"].run_close_of_business(self.as_of, self.env.company)
        self.assertEqual(
            set(self.active.mapped("sasra_class")),
            {"performing", "watch", "substandard", "doubtful", "loss"},
        )

    def test_opening_items_carry_each_loan_and_the_books_prove_out(self):
        """Each active loan's opening balances sit on items carrying it, so the ledger
        integrity check over the generated book finds nothing (the bench relies on it)."""
        opening = self.env["account.move.line"].search(
            [("sacco_loan_id", "in", self.active.ids), ("journal_id.code", "=", "BT")]
        )
        self.assertEqual(opening.sacco_loan_id, self.active.filtered("principal_outstanding"))
        run = self.env["sacco.integrity.run"]._run_for(self.env.company, "manual")
        self.assertEqual(run.state, "clean", run.finding_ids[:5].mapped("name"))
