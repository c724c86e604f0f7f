from odoo import Command

from odoo.addons.sacco_base.tests.common import SaccoBaseCommon


class SaccoSavingsCommon(SaccoBaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Demo products would open accounts too; the tests use their own products only.
        cls.env["sacco.savings.product"].search([]).mandatory = False
        Product = cls.env["sacco.savings.product"]
        cls.shares = Product.create(
            {
                "name": "Test Shares",
                "code": "T-SHR",
                "kind": "share_capital",
                "account_prefix": "TSH",
                "mandatory": True,
                "share_price": 100,
            }
        )
        cls.deposits = Product.create(
            {
                "name": "Test Deposits",
                "code": "T-DEP",
                "kind": "bosa_deposit",
                "account_prefix": "TDP",
                "mandatory": True,
            }
        )
        cls.fosa = Product.create(
            {
                "name": "Test FOSA",
                "code": "T-FOSA",
                "kind": "fosa_savings",
                "account_prefix": "TFS",
                "mandatory": True,
                "minimum_balance": 100,
                "charge_tier_ids": [
                    Command.create({"up_to": 5000, "charge": 50}),
                    Command.create({"charge": 100}),
                ],
            }
        )
        cls.cash = cls.env["account.journal"].search(
            [("type", "=", "cash"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.member = cls._create_member(name="Njeri Mwangi")
        cls.other = cls._create_member(name="Otieno Odhiambo")

    @classmethod
    def _account(cls, member, product):
        return member.savings_account_ids.filtered(lambda a: a.product_id == product)

    def assertLedgerMatches(self, accounts=None):
        """Every member account's balance equals its transactions and its GL lines, and every
        move touching member accounts is balanced and posted."""
        accounts = accounts or self.env["sacco.savings.account"].search(
            [("company_id", "=", self.company.id)]
        )
        lines = self.env["account.move.line"].search(
            [("sacco_savings_account_id", "in", accounts.ids)]
        )
        for move in lines.move_id:
            self.assertEqual(move.state, "posted")
            self.assertAlmostEqual(
                sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
            )
        for account in accounts:
            own = lines.filtered(lambda line, acc=account: line.sacco_savings_account_id == acc)
            self.assertEqual(
                own.account_id, account.product_id._control_account() if own else own.account_id
            )
            self.assertTrue(all(line.partner_id == account.partner_id for line in own))
            gl = -sum(own.mapped("balance"))
            self.assertAlmostEqual(account.balance, gl, places=2, msg=account.name)
            self.assertAlmostEqual(
                account.balance, sum(account.transaction_ids.mapped("amount")), places=2
            )
        self.assertControlAccountsMatch()

    def assertControlAccountsMatch(self):
        """Each control account in the GL equals the sum of the member balances it carries."""
        all_accounts = self.env["sacco.savings.account"].search(
            [("company_id", "=", self.company.id)]
        )
        by_control = all_accounts.grouped(lambda account: account.product_id._control_account())
        for control, accounts in by_control.items():
            posted = self.env["account.move.line"].search(
                [("account_id", "=", control.id), ("parent_state", "=", "posted")]
            )
            self.assertAlmostEqual(
                -sum(posted.mapped("balance")),
                sum(accounts.mapped("balance")),
                places=2,
                msg=control.display_name,
            )
