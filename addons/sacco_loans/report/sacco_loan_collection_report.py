from odoo import fields, models

from .sacco_loan_report_base import DIMENSIONS


class SaccoLoanCollectionReport(models.Model):
    """Repayments against what fell due, per month of due date, product, branch and officer."""

    _name = "sacco.loan.collection.report"
    _inherit = "sacco.loan.report.base"
    _description = "Loan Repayments vs Expected"
    _auto = False
    _order = "month desc, product_id, branch_id"
    _depends = {
        "sacco.loan": list(DIMENSIONS),
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

    month = fields.Date(readonly=True, help="First day of the month the installments fell due.")
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

    def _query(self):
        dimensions = ", ".join(self._dimension_columns("c"))
        return f"""
            SELECT
                MIN(c.id) AS id,
                c.month,
                {dimensions},
                COUNT(*) AS installment_count,
                COUNT(DISTINCT c.loan_id) AS loan_count,
                SUM(c.expected) AS expected,
                SUM(c.collected) AS collected,
                SUM(c.expected) - SUM(c.collected) AS shortfall,
                ROUND(SUM(c.collected) * 100 / NULLIF(SUM(c.expected), 0), 2) AS collection_rate
            FROM (
                SELECT
                    i.id,
                    i.loan_id,
                    date_trunc('month', i.due_date)::date AS month,
                    {", ".join(self._dimension_columns())},
                    COALESCE(i.total, 0) - COALESCE(i.interest_waived, 0) AS expected,
                    COALESCE(i.principal_paid, 0) + COALESCE(i.interest_paid, 0)
                        + COALESCE(i.fee_paid, 0) AS collected
                FROM sacco_loan_installment i
                JOIN sacco_loan l ON l.id = i.loan_id
            ) c
            GROUP BY c.month, {dimensions}
        """
