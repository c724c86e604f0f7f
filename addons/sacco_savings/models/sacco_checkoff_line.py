from odoo import api, fields, models


class SaccoCheckoffLine(models.Model):
    """One row of an employer's remittance file, as read and matched at validation."""

    _name = "sacco.checkoff.line"
    _description = "Check-off Remittance Row"
    _order = "batch_id, line_number, id"
    _check_company_auto = True

    batch_id = fields.Many2one(
        "sacco.checkoff.batch", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    line_number = fields.Integer(string="Line", readonly=True, help="Row of the file.")
    payroll_number = fields.Char(readonly=True)
    member_number = fields.Char(readonly=True)
    product_code = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)
    member_id = fields.Many2one("sacco.member", readonly=True, index=True, check_company=True)
    state = fields.Selection(
        [("matched", "Matched"), ("unknown", "Unknown Member"), ("error", "Error")],
        required=True,
        readonly=True,
    )
    message = fields.Char(readonly=True)
    suspense_amount = fields.Monetary(
        compute="_compute_suspense_amount",
        store=True,
        help="Money of an unknown member, posted to the check-off suspense account.",
    )

    @api.depends("state", "amount")
    def _compute_suspense_amount(self):
        for line in self:
            line.suspense_amount = line.amount if line.state == "unknown" else 0.0
