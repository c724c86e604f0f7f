from odoo import api, models
from odoo.tools import SQL

from .sacco_savings_product import KIND_ACCOUNT_SETTINGS


class SaccoIntegrityRun(models.Model):
    _inherit = "sacco.integrity.run"

    @api.model
    def _integrity_checks(self):
        return [
            *super()._integrity_checks(),
            (
                "savings_account_gl",
                self.env._("Each member account equals its journal items"),
                self._check_savings_accounts_gl,
            ),
            (
                "savings_account_transactions",
                self.env._("Each member account equals its transactions"),
                self._check_savings_accounts_transactions,
            ),
            (
                "savings_control_account",
                self.env._("Each savings control account equals its member accounts"),
                self._check_savings_control_accounts,
            ),
        ]

    @api.model
    def _savings_control_map(self, company):
        """SQL rows (product_id, account_id): each savings product's control account."""
        products = (
            self.env["sacco.savings.product"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )
        pairs = [
            (product.id, account.id)
            for product in products
            for account in [product.gl_account_id or company[KIND_ACCOUNT_SETTINGS[product.kind]]]
            if account
        ]
        return SQL(
            "SELECT * FROM unnest(%s::int[], %s::int[]) AS map(product_id, account_id)",
            [pair[0] for pair in pairs],
            [pair[1] for pair in pairs],
        )

    @api.model
    def _check_savings_accounts_gl(self, company):
        """Per member account: its balance vs its posted items on its product's control account
        (a liability: the GL balance is credit, so negated)."""
        query = SQL(
            """
            WITH map AS (%(map)s),
            gl AS (
                SELECT l.sacco_savings_account_id AS id, l.account_id, SUM(l.balance) AS balance
                  FROM account_move_line l
                 WHERE l.sacco_savings_account_id IS NOT NULL AND l.parent_state = 'posted'
                   AND l.company_id = %(company)s
                 GROUP BY 1, 2)
            SELECT a.id, a.name, map.account_id, COALESCE(a.balance, 0) AS expected,
                   -COALESCE(gl.balance, 0) AS actual
              FROM sacco_savings_account a
              JOIN map ON map.product_id = a.product_id
              LEFT JOIN gl ON gl.id = a.id AND gl.account_id = map.account_id
             WHERE a.company_id = %(company)s
               AND round(COALESCE(a.balance, 0) + COALESCE(gl.balance, 0), 2) <> 0
            """,
            map=self._savings_control_map(company),
            company=company.id,
        )
        return self._check_sub_ledger(
            company,
            query,
            lambda row: self.env._("Member account %s differs from its journal items", row["name"]),
            "sacco.savings.account",
            "sacco_savings_account_id",
        )

    @api.model
    def _check_savings_accounts_transactions(self, company):
        query = SQL(
            """
            SELECT a.id, a.name, NULL::int AS account_id,
                   COALESCE(t.amount, 0) AS expected, COALESCE(a.balance, 0) AS actual
              FROM sacco_savings_account a
              LEFT JOIN (SELECT account_id, SUM(amount) AS amount
                           FROM sacco_savings_transaction WHERE company_id = %(company)s
                          GROUP BY account_id) t ON t.account_id = a.id
             WHERE a.company_id = %(company)s
               AND round(COALESCE(a.balance, 0) - COALESCE(t.amount, 0), 2) <> 0
            """,
            company=company.id,
        )
        return self._check_sub_ledger(
            company,
            query,
            lambda row: self.env._(
                "Member account %s balance differs from the sum of its transactions", row["name"]
            ),
            "sacco.savings.account",
            "sacco_savings_account_id",
        )

    @api.model
    def _check_savings_control_accounts(self, company):
        """Per control account: all its posted items vs the member accounts it carries
        (liabilities: the GL balance is credit, so negated)."""
        expected = SQL(
            """
            SELECT map.account_id, COALESCE(a.balance, 0) AS expected
              FROM (%(map)s) map
              LEFT JOIN sacco_savings_account a
                ON a.product_id = map.product_id AND a.company_id = %(company)s
            """,
            map=self._savings_control_map(company),
            company=company.id,
        )
        return self._check_control_accounts(
            company,
            expected,
            -1,
            lambda account: self.env._(
                "Control account %s differs from the member accounts it carries",
                account.display_name,
            ),
        )
