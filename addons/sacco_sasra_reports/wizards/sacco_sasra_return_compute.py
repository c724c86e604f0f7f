from datetime import timedelta

from odoo import api, fields, models


class SaccoSasraReturnCompute(models.TransientModel):
    _name = "sacco.sasra.return.compute"
    _description = "Compute a Month's SASRA Returns"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_to = fields.Date(
        string="Month Ending", required=True, default=lambda self: self._last_month_end()
    )

    @api.model
    def _last_month_end(self):
        return fields.Date.context_today(self).replace(day=1) - timedelta(days=1)

    def action_compute(self):
        self.ensure_one()
        returns = self.env["sacco.sasra.return"]._compute_month(self.company_id, self.date_to)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SASRA Returns"),
            "res_model": "sacco.sasra.return",
            "view_mode": "list,form",
            "domain": [("id", "in", returns.ids)],
        }
