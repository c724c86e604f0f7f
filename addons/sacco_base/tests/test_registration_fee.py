from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestRegistrationFee(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cash = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.fee_account = cls.company.sacco_account_registration_fee_id

    def _gl_balance(self, account, partner):
        """Balance of ``account`` for ``partner`` over posted journal items."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", account.id),
                ("partner_id", "=", partner.id),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("balance"))

    def _pay(self, member, amount=1000.0, user=None):
        wizard = (
            self.env["sacco.member.registration.payment"]
            .with_user(user or self.teller_a)
            .with_context(default_member_id=member.id)
            .create({"journal_id": self.cash.id, "amount": amount})
        )
        wizard.action_post()

    def test_fee_posts_balanced_entry_with_member_as_partner(self):
        member = self._create_applicant(user=self.teller_a)
        self._pay(member)
        move = member.registration_move_id
        self.assertEqual(move.state, "posted")
        self.assertTrue(member.registration_fee_paid)
        self.assertEqual(move.line_ids.partner_id, member.partner_id)
        self.assertAlmostEqual(sum(move.line_ids.mapped("debit")), 1000.0)
        self.assertAlmostEqual(sum(move.line_ids.mapped("credit")), 1000.0)
        self.assertEqual(self._gl_balance(self.fee_account, member.partner_id), -1000.0)
        self.assertEqual(self._gl_balance(self.cash.default_account_id, member.partner_id), 1000.0)

    def test_wizard_defaults_to_the_company_fee_and_cash_journal(self):
        self.company.sacco_registration_fee = 500.0
        member = self._create_applicant()
        wizard = (
            self.env["sacco.member.registration.payment"]
            .with_user(self.teller_a)
            .with_context(default_member_id=member.id)
            .create({})
        )
        self.assertEqual(wizard.amount, 500.0)
        self.assertEqual(wizard.journal_id, self.cash)

    def test_reversal_brings_the_gl_back_to_zero(self):
        member = self._create_applicant()
        self._pay(member)
        member.with_user(self.accountant).action_reverse_registration_fee()
        self.assertFalse(member.registration_fee_paid)
        original = member.registration_move_id
        self.assertEqual(original.state, "posted", "posted money is reversed, never edited")
        self.assertEqual(len(original.reversal_move_ids), 1)
        self.assertEqual(original.reversal_move_ids.state, "posted")
        self.assertEqual(self._gl_balance(self.fee_account, member.partner_id), 0.0)
        # Once reversed the member may pay again, and the GL shows one fee.
        self._pay(member)
        self.assertEqual(self._gl_balance(self.fee_account, member.partner_id), -1000.0)

    def test_teller_cannot_reverse(self):
        member = self._create_applicant()
        self._pay(member)
        with self.assertRaises(AccessError):
            member.with_user(self.teller_a).action_reverse_registration_fee()
        self.assertTrue(member.registration_fee_paid)

    def test_paying_twice_refused(self):
        member = self._create_applicant()
        self._pay(member)
        with self.assertRefused(UserError, "already paid"):
            self._pay(member)

    def test_bad_amounts_refused_and_nothing_posted(self):
        member = self._create_applicant()
        moves_before = self.env["account.move"].search_count([])
        for amount in (0.0, -50.0):
            with self.subTest(amount=amount), self.assertRefused(UserError, "greater than zero"):
                self._pay(member, amount=amount)
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertFalse(member.registration_move_id)

    def test_missing_income_account_is_a_clear_error(self):
        member = self._create_applicant()
        self.company.sacco_account_registration_fee_id = False
        with self.assertRefused(UserError, "Registration Fee Income"):
            self._pay(member)
        self.assertFalse(member.registration_move_id)

    def test_exited_member_cannot_pay(self):
        member = self._create_member()
        member.with_user(self.manager)._change_state("exited", "2026-01-01", "Resigned")
        with self.assertRefused(UserError, "no longer a member"):
            self._pay(member)

    def test_ledger_refuses_unbalanced_entries(self):
        member = self._create_applicant()
        with self.assertRefused(UserError, "balanced"):
            self.env["sacco.ledger"]._post_entry(
                self.cash,
                "2026-01-01",
                "Broken",
                [
                    {
                        "account": self.fee_account,
                        "partner": member.partner_id,
                        "name": "x",
                        "debit": 10,
                    },
                    {
                        "account": self.fee_account,
                        "partner": member.partner_id,
                        "name": "x",
                        "credit": 9,
                    },
                ],
            )
