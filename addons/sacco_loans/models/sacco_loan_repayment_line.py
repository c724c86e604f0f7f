from odoo import fields, models


class SaccoLoanRepaymentLine(models.Model):
    """What one repayment did to one installment, so that it can be undone exactly."""

    _name = "sacco.loan.repayment.line"
    _description = "Loan Repayment Line"
    _order = "repayment_id, installment_number"

    repayment_id = fields.Many2one(
        "sacco.loan.repayment", required=True, ondelete="cascade", index=True
    )
    # Kept when a later reschedule replaces the installment (the number still says which).
    installment_id = fields.Many2one("sacco.loan.installment", ondelete="set null")
    installment_number = fields.Integer(readonly=True)
    company_id = fields.Many2one(related="repayment_id.company_id", store=True)
    currency_id = fields.Many2one(related="repayment_id.currency_id")
    principal = fields.Monetary(readonly=True)
    interest = fields.Monetary(readonly=True)
    fee = fields.Monetary(readonly=True)
    penalty = fields.Monetary(readonly=True)
    interest_receivable = fields.Monetary(
        readonly=True, help="The part of the interest paid that settled accrued receivable."
    )
    interest_waived = fields.Monetary(
        readonly=True, help="Interest waived because the payment shortened the term."
    )
    total = fields.Monetary(compute="_compute_total")

    def _compute_total(self):
        for line in self:
            line.total = line.principal + line.interest + line.fee + line.penalty

    def _undo_on_installment(self):
        """Take this line's parts back off its installment."""
        self.ensure_one()
        line = self.installment_id
        line.sudo().write(
            {
                "principal_paid": line.principal_paid - self.principal,
                "interest_paid": line.interest_paid - self.interest,
                "fee_paid": line.fee_paid - self.fee,
                "penalty_paid": line.penalty_paid - self.penalty,
                "interest_receivable": line.interest_receivable + self.interest_receivable,
                "interest_waived": line.interest_waived - self.interest_waived,
            }
        )
