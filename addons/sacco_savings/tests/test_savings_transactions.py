from datetime import date, timedelta
from decimal import Decimal

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


@tagged("post_install", "-at_install")
class TestSavingsTransactions(SaccoSavingsCommon):
    def setUp(self):
        super().setUp()
        self.fosa_account = self._account(self.member, self.fosa)
        self.deposit_account = self._account(self.member, self.deposits)
        self.share_account = self._account(self.member, self.shares)

    def test_activation_opens_mandatory_accounts(self):
        self.assertEqual(
            self.member.savings_account_ids.product_id, self.shares | self.deposits | self.fosa
        )
        self.assertTrue(self.fosa_account.name.startswith("TFS"))
        self.assertEqual(self.fosa_account.balance, 0)

    def test_new_account_balance_is_zero_in_the_database(self):
        # 0.00, not NULL, so SQL sums and comparisons need no COALESCE.
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT balance FROM sacco_savings_account WHERE id IN %s",
            [tuple(self.member.savings_account_ids.ids)],
        )
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, {0})

    def test_deposit_posts_cash_to_member_account(self):
        txn = self.fosa_account.deposit(2500, channel="cash", external_ref="RCPT-1")
        self.assertEqual(txn.kind, "deposit")
        self.assertEqual(self.fosa_account.balance, 2500)
        self.assertEqual(txn.balance_after, 2500)
        cash_line = txn.move_id.line_ids.filtered(
            lambda line: line.account_id == self.cash.default_account_id
        )
        self.assertEqual(cash_line.debit, 2500)
        self.assertEqual(cash_line.partner_id, self.member.partner_id)
        self.assertEqual(self.member.savings, 2500)
        self.assertLedgerMatches()

    def test_cash_goes_to_the_tellers_till_then_the_branch_till(self):
        till = self.cash.copy({"name": "Till 2", "code": "TIL2"})
        self.branch_a.cash_journal_id = till
        txn = self.fosa_account.with_user(self.teller_a).deposit(100)
        self.assertEqual(txn.move_id.journal_id, till)
        own_till = self.cash.copy({"name": "Till 3", "code": "TIL3"})
        self.teller_a.sacco_cash_journal_id = own_till
        txn = self.fosa_account.with_user(self.teller_a).deposit(100)
        self.assertEqual(txn.move_id.journal_id, own_till)
        self.assertLedgerMatches()

    def test_withdrawal_with_tiered_charge_and_excise(self):
        self.fosa_account.deposit(10000)
        txns = self.fosa_account.withdraw(6000)
        self.assertEqual(sorted(txns.mapped("kind")), ["charge", "excise", "withdrawal"])
        self.assertEqual(sorted(txns.mapped("amount")), [-6000, -100, -20])
        self.assertEqual(self.fosa_account.balance, 10000 - 6000 - 100 - 20)
        move = txns.move_id
        self.assertEqual(len(move), 1)
        income = self.company.sacco_account_fee_income_id
        excise = self.company.sacco_account_excise_payable_id
        self.assertEqual(move.line_ids.filtered(lambda line: line.account_id == income).credit, 100)
        self.assertEqual(move.line_ids.filtered(lambda line: line.account_id == excise).credit, 20)
        self.assertLedgerMatches()

    def test_charge_shown_before_a_withdrawal_is_the_one_posted(self):
        self.fosa_account.deposit(10000)
        self.assertEqual(self.fosa_account._withdrawal_charge(5000), Decimal("60.00"))
        quoted = self.fosa_account._withdrawal_charge(6000, channel="mpesa")
        self.assertEqual(quoted, Decimal("120.00"))
        txns = self.fosa_account.withdraw(6000)
        self.assertEqual(
            -sum(txns.filtered(lambda t: t.kind != "withdrawal").mapped("amount")), 120
        )

    def test_withdrawal_above_available_refused_and_nothing_posted(self):
        self.fosa_account.deposit(1000)
        moves = self.env["account.move"].search_count([])
        # 1000 - 100 minimum balance = 900 available; 850 + 50 charge + 10 excise = 910
        with self.assertRefused(UserError, "Insufficient funds"):
            self.fosa_account.withdraw(850)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.fosa_account.balance, 1000)
        self.fosa_account.withdraw(840)
        self.assertEqual(self.fosa_account.balance, 100)
        self.assertLedgerMatches()

    def test_holds_reduce_available_balance(self):
        self.deposit_account.deposit(30000)
        hold = self.deposit_account._place_hold(20000, "Guarantee for loan L1")
        self.assertEqual(self.deposit_account.available_balance, 10000)
        with self.assertRefused(UserError, "Insufficient funds"):
            self.deposit_account._place_hold(10001, "Second guarantee")
        hold.action_release()
        self.assertEqual(self.deposit_account.available_balance, 30000)

    def test_bosa_deposits_cannot_be_withdrawn_or_transferred(self):
        self.deposit_account.deposit(5000)
        with self.assertRefused(UserError, "cannot be withdrawn while a member"):
            self.deposit_account.withdraw(100)
        with self.assertRefused(UserError, "BOSA deposits cannot be transferred"):
            self.deposit_account.transfer_to(self.fosa_account, 100)
        self.assertEqual(self.deposit_account.balance, 5000)

    def test_bad_amounts_refused(self):
        for amount in (0, -10, 10.005, "abc"):
            with self.subTest(amount=amount), self.assertRefused(UserError, "amount|Amount"):
                self.fosa_account.deposit(amount)
        self.assertFalse(self.fosa_account.transaction_ids)

    def test_duplicate_external_reference_refused(self):
        self.fosa_account.deposit(100, channel="bank", external_ref="BANK-77")
        with self.assertRefused(UserError, "BANK-77 was already posted"):
            self.deposit_account.deposit(100, channel="bank", external_ref="BANK-77")
        self.assertEqual(self.deposit_account.balance, 0)

    def test_closed_and_frozen_accounts(self):
        self.fosa_account.deposit(1000)
        self.fosa_account.action_freeze()
        with self.assertRefused(UserError, "frozen"):
            self.fosa_account.withdraw(100)
        self.fosa_account.deposit(50)  # credits still allowed on a frozen account
        self.fosa_account.action_activate()
        with self.assertRefused(UserError, "still has a balance"):
            self.fosa_account.action_close()
        self.fosa.minimum_balance = 0  # the whole balance is paid out at closure
        self.fosa_account.transfer_to(self.deposit_account, 1050)
        self.fosa_account.action_close()
        with self.assertRefused(UserError, "closed"):
            self.fosa_account.deposit(10)
        self.assertLedgerMatches()

    def test_transfer_and_share_purchase_from_fosa(self):
        self.fosa_account.deposit(5000)
        txns = self.fosa_account.transfer_to(self.share_account, 2000)
        self.assertEqual(txns.mapped("kind"), ["transfer_out", "transfer_in"])
        self.assertEqual(self.share_account.balance, 2000)
        self.assertEqual(self.share_account.shares, 20)
        self.assertEqual(self.fosa_account.balance, 3000)
        self.assertLedgerMatches()

    def test_share_transfer_between_members(self):
        self.share_account.deposit(3000)
        buyer = self._account(self.other, self.shares)
        self.share_account.transfer_to(buyer, 1000, narration="Share transfer")
        self.assertEqual((self.share_account.balance, buyer.balance), (2000, 1000))
        with self.assertRefused(UserError, "Shares are transferred to another member's shares"):
            self.share_account.transfer_to(self._account(self.other, self.fosa), 100)
        with self.assertRefused(UserError, "cannot be withdrawn"):
            self.share_account.withdraw(100)
        self.assertLedgerMatches()

    def test_share_holding_limit(self):
        self._account(self.other, self.shares).deposit(3000)
        self.share_account.deposit(1000)
        self.shares.maximum_holding_percent = 50
        self.share_account.deposit(1000)  # 2,000 of 5,000: 40 %
        with self.assertRefused(UserError, "more than 50"):
            self.share_account.deposit(1500)  # 3,500 of 6,500: 54 %
        self.assertEqual(self.share_account.balance, 2000)

    def test_reversal_is_a_reversing_entry_linked_both_ways(self):
        self.fosa_account.deposit(10000)
        withdrawal = self.fosa_account.withdraw(1000)
        withdrawal.filtered(lambda t: t.kind == "withdrawal").with_user(
            self.accountant
        ).action_reverse("Teller error")
        self.assertEqual(set(withdrawal.mapped("state")), {"reversed"})
        self.assertEqual(self.fosa_account.balance, 10000)
        reversals = withdrawal.reversed_by_id
        self.assertEqual(len(reversals), 3)
        self.assertEqual(reversals.reversal_of_id, withdrawal)
        self.assertEqual(withdrawal.move_id.reversal_move_ids, reversals.move_id)
        self.assertEqual(withdrawal.move_id.state, "posted")
        with self.assertRefused(UserError, "Only posted, unreversed"):
            withdrawal[0].action_reverse()
        self.assertLedgerMatches()

    def test_reversing_a_spent_deposit_is_refused(self):
        deposit = self.fosa_account.deposit(1000)
        self.fosa_account.withdraw(800)
        with self.assertRefused(UserError, "Insufficient funds"):
            deposit.action_reverse()
        self.assertEqual(deposit.state, "posted")

    def test_posted_transactions_cannot_be_edited_or_deleted(self):
        txn = self.fosa_account.deposit(100)
        with self.assertRefused(UserError, "cannot be changed"):
            txn.write({"amount": 1000})
        with self.assertRefused(UserError, "cannot be deleted"):
            txn.unlink()

    def test_dormancy_cron_and_reactivation_by_deposit(self):
        self.fosa_account.deposit(1000, date=date.today() - timedelta(days=400))
        self.fosa.dormancy_months = 12
        flagged = self.env["sacco.savings.account"]._cron_flag_dormant()
        self.assertIn(self.fosa_account, flagged)
        self.assertEqual(self.fosa_account.state, "dormant")
        with self.assertRefused(UserError, "dormant"):
            self.fosa_account.withdraw(100)
        self.fosa_account.deposit(200)
        self.assertEqual(self.fosa_account.state, "active")

    def test_locked_target_savings(self):
        junior = self.env["sacco.savings.product"].create(
            {
                "name": "Test Junior",
                "code": "T-JNR",
                "kind": "target_savings",
                "account_prefix": "TJR",
                "locked_until_months": 12,
            }
        )
        account = self.env["sacco.savings.account"].create(
            {"member_id": self.member.id, "product_id": junior.id}
        )
        account.deposit(1000)
        with self.assertRefused(UserError, "locked until"):
            account.withdraw(100)

    def test_mini_statement(self):
        self.fosa_account.deposit(1000)
        self.fosa_account.deposit(500)
        self.fosa_account.withdraw(200)
        statement = self.fosa_account._mini_statement(limit=2)
        self.assertEqual(len(statement), 2)
        self.assertEqual(statement[0]["balance"], self.fosa_account.balance)
        self.assertEqual(
            [line["amount"] for line in self.fosa_account._mini_statement(limit=10)][-2:],
            [500, 1000],
        )

    def test_teller_sees_only_their_branch_accounts(self):
        branch_b_member = self._create_member(branch_id=self.branch_b.id)
        visible = (
            self.env["sacco.savings.account"]
            .with_user(self.teller_a)
            .search([("member_id", "in", (self.member | branch_b_member).ids)])
        )
        self.assertEqual(visible.member_id, self.member)
