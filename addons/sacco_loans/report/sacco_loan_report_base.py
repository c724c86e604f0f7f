from odoo import fields, models, tools

# The columns that place a loan in the portfolio: by company, product, branch and officer.
DIMENSIONS = ("company_id", "product_id", "branch_id", "officer_id")
# The loan fields a report with one row per loan reads (its ``_depends`` on sacco.loan).
LOAN_FIELDS = ("name", "member_id", *DIMENSIONS)


class SaccoLoanReportBase(models.AbstractModel):
    """What the portfolio reports share: SQL views over the loans (one row per loan, or per
    group of them) cut by company, product, branch and loan officer, each (re)created from
    its model's ``_query()``."""

    _name = "sacco.loan.report.base"
    _description = "Loan Report Base"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_id = fields.Many2one("sacco.loan.product", readonly=True)
    branch_id = fields.Many2one("sacco.branch", readonly=True)
    officer_id = fields.Many2one("res.users", string="Loan Officer", readonly=True)

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(f"CREATE OR REPLACE VIEW {self._table} AS ({self._query()})")

    def _query(self):
        """The view's SELECT."""
        raise NotImplementedError

    def _loan_columns(self, alias="l"):
        """The loan's id (as the row's ``id`` and ``loan_id``), number, member and
        dimensions, for the reports with one row per loan."""
        return ", ".join(
            [
                f"{alias}.id",
                f"{alias}.id AS loan_id",
                f"{alias}.name",
                f"{alias}.member_id",
                *self._dimension_columns(alias),
            ]
        )

    def _dimension_columns(self, alias="l"):
        return [f"{alias}.{column}" for column in DIMENSIONS]
