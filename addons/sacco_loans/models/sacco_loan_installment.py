from odoo import api, fields, models

from sacco_core.loan_rules import Due
from sacco_core.money import to_money


class SaccoLoanInstallment(models.Model):
    _name = "sacco.loan.installment"
    _description = "Loan Installment"
    _order = "loan_id, number"

    loan_id = fields.Many2one("sacco.loan", required=True, ondelete="cascade", index=True)
    member_id = fields.Many2one(related="loan_id.member_id", store=True)
    branch_id = fields.Many2one(related="loan_id.branch_id", store=True)
    company_id = fields.Many2one(related="loan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    number = fields.Integer(required=True, readonly=True)
    due_date = fields.Date(required=True, readonly=True, index=True)
    principal = fields.Monetary(readonly=True)
    interest = fields.Monetary(readonly=True)
    total = fields.Monetary(compute="_compute_amounts", store=True)
    principal_paid = fields.Monetary(readonly=True)
    interest_paid = fields.Monetary(readonly=True)
    interest_waived = fields.Monetary(
        readonly=True, help="Interest not yet earned when the loan was settled early."
    )
    amount_due = fields.Monetary(string="Unpaid", compute="_compute_amounts", store=True)
    paid = fields.Boolean(compute="_compute_amounts", store=True, index=True)

    _sql_constraints = [
        ("loan_number_uniq", "unique(loan_id, number)", "Installment numbers are unique."),
    ]

    @api.depends("principal", "interest", "principal_paid", "interest_paid", "interest_waived")
    def _compute_amounts(self):
        for line in self:
            line.total = line.principal + line.interest
            due = line.total - line.principal_paid - line.interest_paid - line.interest_waived
            line.amount_due = line.currency_id.round(due)
            line.paid = line.currency_id.is_zero(line.amount_due)

    def _due(self):
        """What is still owed on this installment, for sacco_core.loan_rules.allocate."""
        self.ensure_one()
        return Due(
            interest=to_money(
                self.interest - self.interest_paid - self.interest_waived, strict=False
            ),
            principal=to_money(self.principal - self.principal_paid, strict=False),
        )

    def _apply_payment(self, part):
        self.ensure_one()
        self.write(
            {
                "principal_paid": self.principal_paid + float(part.principal),
                "interest_paid": self.interest_paid + float(part.interest),
            }
        )
