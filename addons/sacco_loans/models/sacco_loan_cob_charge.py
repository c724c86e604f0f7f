from odoo import fields, models


class SaccoLoanCobCharge(models.Model):
    """What the close of business charged to an installment: at most one accrual and one
    penalty per month overdue, whatever the number of runs (unique key), so a resumed or
    repeated run never posts twice. Written by set-based SQL only."""

    _name = "sacco.loan.cob.charge"
    _description = "Loan Close of Business Charge"
    _order = "id desc"
    _log_access = False

    run_id = fields.Many2one("sacco.loan.cob.run", required=True, ondelete="cascade", index=True)
    installment_id = fields.Many2one(
        "sacco.loan.installment", required=True, ondelete="cascade", index=True
    )
    loan_id = fields.Many2one("sacco.loan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    kind = fields.Selection(
        [("accrual", "Interest Accrual"), ("penalty", "Penalty")], required=True
    )
    period = fields.Integer(help="The month overdue a penalty is for (0 for an accrual).")
    amount = fields.Monetary(required=True)
    move_id = fields.Many2one("account.move", string="Journal Entry", index="btree_not_null")

    _sql_constraints = [
        (
            "charge_uniq",
            "unique(installment_id, kind, period)",
            "An installment is charged once per kind and period.",
        ),
    ]
