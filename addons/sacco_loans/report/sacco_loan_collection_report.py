from odoo import fields, models, tools


class SaccoLoanCollectionReport(models.Model):
    """Repayments against what fell due, per month of due date, product, branch and officer."""

    _name = "sacco.loan.collection.report"
    _description = "Loan Repayments vs Expected"
    _auto = False
    _order = "month desc, product_id, branch_id"
    _depends = {
        "sacco.loan": ["company_id", "product_id", "branch_id", "officer_id"],
        "sacco.loan.installment": [
            "loan_id",
            "due_date",
            "total",
            "interest_waived",
            "principal_paid",
            "interest_paid",
            "fee_paid",
        ],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(readonly=True, help="First day of the month the installments fell due.")
    product_id = fields.Many2one("sacco.loan.product", readonly=True)
    branch_id = fields.Many2one("sacco.branch", readonly=True)
    officer_id = fields.Many2one("res.users", string="Loan Officer", readonly=True)
    installment_count = fields.Integer(string="Installments", readonly=True)
    loan_count = fields.Integer(string="Loans", readonly=True)
    expected = fields.Monetary(
        readonly=True,
        help="Installment totals (principal, interest and spread fees) falling due in the "
        "month, less interest waived on early settlement. Penalties are not included.",
    )
    collected = fields.Monetary(
        readonly=True,
        help="Principal, interest and fees paid against those same installments, whenever "
        "they were paid (early, on time or late). Penalties paid are not included.",
    )
    shortfall = fields.Monetary(readonly=True, help="Expected less collected.")
    collection_rate = fields.Float(
        string="Collection Rate (%)",
        readonly=True,
        digits=(16, 2),
        aggregator=None,
        help="Collected / expected of the row, in percent. Groups show the ratio of their "
        "sums in the PDF and XLSX exports.",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT
                    MIN(c.id) AS id,
                    c.company_id,
                    c.month,
                    c.product_id,
                    c.branch_id,
                    c.officer_id,
                    COUNT(*) AS installment_count,
                    COUNT(DISTINCT c.loan_id) AS loan_count,
                    SUM(c.expected) AS expected,
                    SUM(c.collected) AS collected,
                    SUM(c.expected) - SUM(c.collected) AS shortfall,
                    ROUND(SUM(c.collected) * 100 / NULLIF(SUM(c.expected), 0), 2)
                        AS collection_rate
                FROM (
                    SELECT
                        i.id,
                        i.loan_id,
                        l.company_id,
                        date_trunc('month', i.due_date)::date AS month,
                        l.product_id,
                        l.branch_id,
                        l.officer_id,
                        COALESCE(i.total, 0) - COALESCE(i.interest_waived, 0) AS expected,
                        COALESCE(i.principal_paid, 0) + COALESCE(i.interest_paid, 0)
                            + COALESCE(i.fee_paid, 0) AS collected
                    FROM sacco_loan_installment i
                    JOIN sacco_loan l ON l.id = i.loan_id
                ) c
                GROUP BY c.company_id, c.month, c.product_id, c.branch_id, c.officer_id
            )
            """
        )
