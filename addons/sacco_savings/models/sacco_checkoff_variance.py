from odoo import api, fields, models


class SaccoCheckoffVariance(models.Model):
    """A member whose remittance differs from what was expected for the period."""

    _name = "sacco.checkoff.variance"
    _description = "Check-off Variance"
    _order = "batch_id, id"
    _check_company_auto = True

    batch_id = fields.Many2one(
        "sacco.checkoff.batch", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="batch_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="batch_id.currency_id")
    member_id = fields.Many2one(
        "sacco.member", required=True, readonly=True, index=True, check_company=True
    )
    payroll_number = fields.Char(related="member_id.payroll_number")
    expected = fields.Monetary(readonly=True)
    received = fields.Monetary(readonly=True)
    difference = fields.Monetary(readonly=True, help="Received minus expected.")
    excess = fields.Monetary(
        readonly=True, help="Money beyond the member's expectations, credited to deposits."
    )
    status = fields.Selection(
        [("missing", "Not Remitted"), ("short", "Short"), ("over", "Over")],
        compute="_compute_status",
        store=True,
    )

    @api.depends("received", "difference")
    def _compute_status(self):
        for variance in self:
            currency = variance.currency_id
            if currency.is_zero(variance.received):
                variance.status = "missing"
            elif currency.compare_amounts(variance.difference, 0.0) < 0:
                variance.status = "short"
            else:
                variance.status = "over"
