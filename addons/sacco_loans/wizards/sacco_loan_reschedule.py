from odoo import api, fields, models

from ..models.sacco_loan_reschedule import _methods


class SaccoLoanRescheduleWizard(models.TransientModel):
    """Officer screen to reschedule (restructure) an active loan."""

    _name = "sacco.loan.reschedule.wizard"
    _description = "Reschedule a Loan"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    principal_outstanding = fields.Monetary(related="loan_id.principal_outstanding")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The new schedule runs from this date; its first installment falls one period later.",
    )
    term = fields.Integer(string="New Installments", required=True)
    rate = fields.Float(string="Interest Rate (% a year)", digits=(16, 4), required=True)
    method = fields.Selection(selection=_methods, required=True)
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        loan = self.env["sacco.loan"].browse(values.get("loan_id"))
        if loan:
            left = len(loan.installment_ids.filtered(lambda line: not line.paid))
            values.setdefault("term", left)
            values.setdefault("rate", loan.interest_rate)
            values.setdefault("method", loan.product_id.method)
        return values

    def action_reschedule(self):
        self.ensure_one()
        self.loan_id.reschedule(self.term, self.rate, self.method, self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}
