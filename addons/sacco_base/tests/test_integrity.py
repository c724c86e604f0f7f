from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import SaccoBaseCommon


@tagged("post_install", "-at_install")
class TestLedgerIntegrity(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["sacco.integrity.run"]
        cls.cash = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.member = cls._create_member()
        cls.move = cls.member._post_registration_fee(cls.cash, 1000, date(2026, 1, 15))

    def _run(self):
        return self.Run._run_for(self.company, "manual")

    def _findings(self, run, check):
        return run.finding_ids.filtered(lambda finding: finding.check == check)

    def test_posted_sacco_entries_are_sealed_and_the_books_clean(self):
        self.assertTrue(self.move.sacco_fingerprint)
        run = self._run()
        self.assertEqual(run.state, "clean", run.finding_ids.mapped("name"))
        self.assertFalse(run.finding_ids)
        self.assertGreaterEqual(run.check_count, 2)
        self.assertIn("OK", run.summary)
        self.assertFalse(run.message_ids.filtered(lambda message: message.partner_ids))

    def test_reversal_is_sealed_too(self):
        self.member.with_user(self.accountant).action_reverse_registration_fee()
        reversal = self.move.reversal_move_ids
        self.assertTrue(reversal.sacco_fingerprint)
        self.assertEqual(self._run().state, "clean")

    def test_edited_posted_entry_is_found(self):
        # An edit behind the ORM's back that keeps the entry balanced: both sides raised.
        self.env.cr.execute(
            "UPDATE account_move_line SET debit = debit + 100 * sign(debit), "
            "credit = credit + 100 * sign(credit) WHERE move_id = %s",
            [self.move.id],
        )
        run = self._run()
        self.assertEqual(run.state, "findings")
        edited = self._findings(run, "move_edited")
        self.assertEqual(edited.move_id, self.move)
        self.assertIn("edited after posting", edited.name)
        self.assertFalse(self._findings(run, "move_unbalanced"))
        items = self.env["account.move.line"].search(edited._journal_items_domain())
        self.assertEqual(items, self.move.line_ids)

    def test_unbalanced_entry_is_found(self):
        line = self.move.line_ids.filtered("debit")
        self.env.cr.execute(
            "UPDATE account_move_line SET debit = debit + 1 WHERE id = %s", [line.id]
        )
        run = self._run()
        unbalanced = self._findings(run, "move_unbalanced")
        self.assertEqual(unbalanced.move_id, self.move)
        self.assertEqual(unbalanced.expected - unbalanced.actual, 1)
        self.assertTrue(self._findings(run, "move_edited"))

    def test_entry_reset_to_draft_is_found(self):
        self.move.button_draft()
        edited = self._findings(self._run(), "move_edited")
        self.assertIn("no longer posted", edited.name)

    def test_findings_notify_the_accountants(self):
        self.env.cr.execute("UPDATE account_move SET date = date - 1 WHERE id = %s", [self.move.id])
        run = self._run()
        notified = run.message_ids.filtered(lambda message: message.partner_ids).partner_ids
        self.assertIn(self.accountant.partner_id, notified)
        self.assertNotIn(self.teller_a.partner_id, notified)

    def test_button_for_accountants_only(self):
        action = self.Run.with_user(self.accountant).action_run_now()
        run = self.Run.browse(action["res_id"])
        self.assertEqual((run.trigger, run.user_id), ("manual", self.accountant))
        self.assertEqual(self.Run.with_user(self.auditor).search([("id", "=", run.id)]), run)
        with self.assertRefused(AccessError, "Only an accountant"):
            self.Run.with_user(self.teller_a).action_run_now()

    def test_nightly_cron_records_a_run(self):
        before = self.Run.search_count([])
        self.env.ref("sacco_base.ir_cron_sacco_integrity_check").method_direct_trigger()
        self.assertGreater(self.Run.search_count([]), before)
