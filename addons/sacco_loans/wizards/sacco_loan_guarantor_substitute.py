from odoo import fields, models


class SaccoLoanGuarantorSubstitute(models.TransientModel):
    """Officer screen to replace a guarantor of an active loan by another member."""

    _name = "sacco.loan.guarantor.substitute"
    _description = "Replace a Loan Guarantor"

    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True)
    guarantor_id = fields.Many2one(
        "sacco.loan.guarantor",
        string="Replace",
        required=True,
        domain="[('loan_id', '=', loan_id)]",
    )
    member_id = fields.Many2one(
        "sacco.member",
        string="New Guarantor",
        required=True,
        domain="[('state', '=', 'active')]",
        help="Checked as at appraisal: an active member, not in arrears, with free deposits "
        "for the whole pledge. The pledge still held moves to the new guarantor.",
    )

    def action_substitute(self):
        self.ensure_one()
        self.guarantor_id._substitute(self.member_id, fields.Date.context_today(self))
        return {"type": "ir.actions.act_window_close"}
