from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class SaccoSasraReturnCompute(models.TransientModel):
    _name = "sacco.sasra.return.compute"
    _description = "Compute a Month's SASRA Returns"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_to = fields.Date(
        string="Month Ending", required=True, default=lambda self: self._last_month_end()
    )

    liquidity_day = fields.Date(
        string="Daily Liquidity Day",
        default=lambda self: fields.Date.context_today(self) - timedelta(days=1),
        help="The day of the daily liquidity return (deposit-taking SACCOs).",
    )

    @api.model
    def _last_month_end(self):
        return fields.Date.context_today(self).replace(day=1) - timedelta(days=1)

    def action_compute(self):
        self.ensure_one()
        returns = self.env["sacco.sasra.return"]._compute_month(self.company_id, self.date_to)
        return self._open(returns)

    def action_compute_daily(self):
        self.ensure_one()
        if not self.liquidity_day:
            raise UserError(self.env._("Give the day of the daily liquidity return."))
        ret = self.env["sacco.sasra.return"]._compute_day(self.company_id, self.liquidity_day)
        return self._open(ret)

    def _open(self, returns):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SASRA Returns"),
            "res_model": "sacco.sasra.return",
            "view_mode": "list,form",
            "domain": [("id", "in", returns.ids)],
        }
