from odoo import api, models
from odoo.tools import SQL

# Loan sub-ledger components: (code, the product's account holding it). A loan's amount of
# each is a column of the ``loans`` rows of _loan_components_sql.
LOAN_COMPONENTS = (
    ("principal", "_portfolio_account"),
    ("interest", "_interest_receivable_account"),
    ("penalty", "_penalty_receivable_account"),
)


class SaccoIntegrityRun(models.Model):
    _inherit = "sacco.integrity.run"

    @api.model
    def _integrity_checks(self):
        return [
            *super()._integrity_checks(),
            (
                "loan_gl",
                self.env._(
                    "Each loan's principal, interest and penalty receivable equal its journal items"
                ),
                self._check_loans_gl,
            ),
            (
                "loan_control_account",
                self.env._("Each loan control account equals the loans it carries"),
                self._check_loan_control_accounts,
            ),
        ]

    @api.model
    def _loan_components_sql(self, company, per_product=False):
        """Rows (id, name, component, account_id, expected): what the loan book says each loan
        of ``company`` (or, ``per_product``, each product in total) should hold on which
        account. Only installments with a receivable are read."""
        products = (
            self.env["sacco.loan.product"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        )
        accounts = {
            code: [getattr(product, method)().id for product in products]
            for code, method in LOAN_COMPONENTS
        }
        if per_product:
            amounts = SQL(
                "NULL::int AS id, NULL AS name, l.product_id, "
                "SUM(COALESCE(l.principal_outstanding, 0)) AS principal, "
                "SUM(COALESCE(inst.interest, 0)) AS interest, "
                "SUM(COALESCE(inst.penalty, 0)) AS penalty"
            )
        else:
            amounts = SQL(
                "l.id, l.name, l.product_id, COALESCE(l.principal_outstanding, 0) AS principal, "
                "COALESCE(inst.interest, 0) AS interest, COALESCE(inst.penalty, 0) AS penalty"
            )
        return SQL(
            """
            WITH map AS (
                SELECT * FROM unnest(%(products)s::int[], %(principal)s::int[],
                                     %(interest)s::int[], %(penalty)s::int[])
                    AS map(product_id, principal, interest, penalty)),
            inst AS (
                SELECT loan_id, SUM(COALESCE(interest_receivable, 0)) AS interest,
                       SUM(COALESCE(penalty, 0) - COALESCE(penalty_paid, 0)) AS penalty
                  FROM sacco_loan_installment
                 WHERE company_id = %(company)s
                   -- the ORM stores an amount never written as NULL
                   AND (interest_receivable <> 0
                        OR COALESCE(penalty, 0) <> COALESCE(penalty_paid, 0))
                 GROUP BY loan_id),
            loans AS (
                SELECT %(amounts)s
                  FROM sacco_loan l LEFT JOIN inst ON inst.loan_id = l.id
                 WHERE l.company_id = %(company)s %(group_by)s)
            SELECT loans.id, loans.name, c.component, c.account_id, c.expected
              FROM loans
              JOIN map ON map.product_id = loans.product_id
             CROSS JOIN LATERAL (VALUES %(values)s) AS c(component, account_id, expected)
            """,
            products=products.ids,
            company=company.id,
            amounts=amounts,
            group_by=SQL("GROUP BY l.product_id" if per_product else ""),
            values=SQL(", ").join(
                SQL("(%s, map.%s, loans.%s)", code, SQL.identifier(code), SQL.identifier(code))
                for code, _method in LOAN_COMPONENTS
            ),
            **accounts,
        )

    @api.model
    def _component_labels(self):
        return {
            "principal": self.env._("principal"),
            "interest": self.env._("interest receivable"),
            "penalty": self.env._("penalty receivable"),
        }

    @api.model
    def _check_loans_gl(self, company):
        """Per loan and component: the loan book vs the loan's posted items on the account."""
        query = SQL(
            """
            WITH sub AS (%(sub)s),
            gl AS (
                SELECT sacco_loan_id AS id, account_id, SUM(balance) AS balance
                  FROM account_move_line
                 WHERE sacco_loan_id IS NOT NULL AND parent_state = 'posted'
                   AND company_id = %(company)s
                 GROUP BY 1, 2)
            SELECT sub.id, sub.name, sub.component, sub.account_id, sub.expected,
                   COALESCE(gl.balance, 0) AS actual
              FROM sub LEFT JOIN gl ON gl.id = sub.id AND gl.account_id = sub.account_id
             WHERE round(sub.expected - COALESCE(gl.balance, 0), 2) <> 0
            """,
            sub=self._loan_components_sql(company),
            company=company.id,
        )
        labels = self._component_labels()
        return self._check_sub_ledger(
            company,
            query,
            lambda row: self.env._(
                "Loan %(loan)s: %(component)s differs from its journal items",
                loan=row["name"],
                component=labels[row["component"]],
            ),
            "sacco.loan",
            "sacco_loan_id",
        )

    @api.model
    def _check_loan_control_accounts(self, company):
        """Per control account: all its posted items vs the loan book it carries."""
        return self._check_control_accounts(
            company,
            self._loan_components_sql(company, per_product=True),
            1,
            lambda account: self.env._(
                "Control account %s differs from the loans it carries", account.display_name
            ),
        )
