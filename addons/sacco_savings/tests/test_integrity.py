from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestSavingsIntegrity(SaccoSavingsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fosa_account = cls._account(cls.member, cls.fosa)
        cls.fosa_account.deposit(5000, journal=cls.cash)
        cls.fosa_account.withdraw(1200, journal=cls.cash)
        cls._account(cls.other, cls.deposits).deposit(3000, journal=cls.cash)

    def _run(self):
        return self.env["sacco.integrity.run"]._run_for(self.company, "manual")

    def test_teller_postings_leave_the_books_clean(self):
        run = self._run()
        self.assertEqual(run.state, "clean", run.finding_ids.mapped("name"))
        self.assertIn("Each member account equals its journal items: OK", run.summary)

    def test_corrupted_balance_is_found_with_its_journal_items(self):
        self.env.cr.execute(
            "UPDATE sacco_savings_account SET balance = balance + 50 WHERE id = %s",
            [self.fosa_account.id],
        )
        self.fosa_account.invalidate_recordset()
        run = self._run()
        self.assertEqual(run.state, "findings")
        by_check = {finding.check: finding for finding in run.finding_ids}
        self.assertEqual(
            set(by_check),
            {"savings_account_gl", "savings_account_transactions", "savings_control_account"},
        )
        gl = by_check["savings_account_gl"]
        self.assertEqual(gl._record(), self.fosa_account)
        self.assertEqual(gl.record_name, self.fosa_account.display_name)
        self.assertEqual(gl.account_id, self.fosa._control_account())
        self.assertAlmostEqual(gl.expected, self.fosa_account.balance)
        self.assertAlmostEqual(gl.difference, -50)
        items = self.env["account.move.line"].search(gl._journal_items_domain())
        self.assertEqual(items.sacco_savings_account_id, self.fosa_account)
        self.assertEqual(set(items.move_id.mapped("state")), {"posted"})
        self.assertEqual(gl.action_open_record()["res_id"], self.fosa_account.id)
        control = by_check["savings_control_account"]
        self.assertEqual(control.account_id, self.fosa._control_account())
        self.assertAlmostEqual(control.difference, -50)

    def test_item_moved_to_another_member_is_found(self):
        """An edit that keeps every entry balanced and every control account right is still
        seen: two member accounts no longer equal their items."""
        deposit = self.env["account.move.line"].search(
            [("sacco_savings_account_id", "=", self.fosa_account.id)], order="id", limit=1
        )
        other = self._account(self.other, self.fosa)
        self.env.cr.execute(
            "UPDATE account_move_line SET sacco_savings_account_id = %s WHERE id = %s",
            [other.id, deposit.id],
        )
        run = self._run()
        found = run.finding_ids.filtered(lambda finding: finding.check == "savings_account_gl")
        self.assertEqual(set(found.mapped("res_id")), {self.fosa_account.id, other.id})
        self.assertFalse(
            run.finding_ids.filtered(
                lambda finding: finding.check in ("savings_control_account", "move_edited")
            )
        )
