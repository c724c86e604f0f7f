from datetime import date

from odoo import Command
from odoo.tests import tagged

from .test_checkoff import CheckoffCommon


@tagged("post_install", "-at_install")
class TestMemberYearScenario(CheckoffCommon):
    """A member's year end to end, then the books are checked as an examiner would:
    every entry balanced, every account equal to its GL lines, control accounts equal to
    the sum of member balances, and suspense holding exactly the unmatched money."""

    def test_a_members_year(self):
        deposits = self._account(self.member, self.deposits)
        fosa = self._account(self.member, self.fosa)
        shares = self._account(self.member, self.shares)
        # Monthly BOSA contributions at the counter, and share capital.
        for month in range(1, 13):
            deposits.deposit(2000, date=date(2025, month, 25), channel="cash")
        shares.deposit(5000, date=date(2025, 1, 10))
        # FOSA: salary in, cash out (with charges), one teller error reversed.
        fosa.deposit(40000, date=date(2025, 2, 1), channel="bank", external_ref="SAL-2025-02")
        fosa.withdraw(6000, date=date(2025, 2, 3))
        mistake = fosa.deposit(9999, date=date(2025, 3, 1))
        mistake.action_reverse("Keyed the wrong amount")
        # A share transfer to another member.
        shares.transfer_to(self._account(self.other, self.shares), 1000, date=date(2025, 6, 30))
        self.assertLedgerMatches()

        # The employer's remittance: one known member with an excess, one unknown payroll number.
        batch = self._batch(self._csv(("KP001", 3000), ("KP002", 2500), ("KP999", 700)))
        batch.action_validate()
        batch.action_post()
        self.assertEqual(batch.state, "posted")
        self.assertSuspenseMatchesQueue()
        open_items = self.env["sacco.checkoff.suspense"].search(
            [("state", "=", "open"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(sum(open_items.mapped("amount")), 700)
        self.assertEqual(self._suspense_gl_balance(), 700)

        # Year-end: interest on deposits and dividends on shares, paid to FOSA.
        year_end = self.env["sacco.savings.year.end"].create(
            {
                "year": 2025,
                "product_ids": [Command.set((self.deposits | self.shares).ids)],
                "deposit_rate": 8.0,
                "dividend_rate": 10.0,
            }
        )
        year_end.action_compute()
        year_end.action_post()
        year_end.action_pay()
        self.assertEqual(year_end.state, "paid")
        interest = year_end.line_ids.filtered(
            lambda line: line.account_id == deposits and line.kind == "interest"
        )
        # Month-end balances 2,000 .. 24,000 (sum 156,000) earn 8 % / 12: 1,040.00; 15 % WHT.
        self.assertEqual((interest.gross, interest.wht, interest.net), (1040.0, 156.0, 884.0))

        # The books, as an examiner checks them.
        self.assertLedgerMatches()
        self.assertSuspenseMatchesQueue()
        moves = self.env["account.move"].search([("state", "=", "posted")])
        for move in moves:
            self.assertTrue(
                move.currency_id.is_zero(sum(move.line_ids.mapped("balance"))), move.name
            )
        reversed_pair = mistake | mistake.reversed_by_id
        self.assertEqual(sum(reversed_pair.mapped("amount")), 0)
