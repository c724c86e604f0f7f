from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_excise_rate = fields.Float(related="company_id.sacco_excise_rate", readonly=False)
    sacco_wht_interest_rate = fields.Float(
        related="company_id.sacco_wht_interest_rate", readonly=False
    )
    sacco_wht_dividend_rate = fields.Float(
        related="company_id.sacco_wht_dividend_rate", readonly=False
    )
    sacco_account_dividend_source_id = fields.Many2one(
        related="company_id.sacco_account_dividend_source_id", readonly=False
    )
    sacco_exit_notice_days = fields.Integer(
        related="company_id.sacco_exit_notice_days", readonly=False
    )
    sacco_share_refund_allowed = fields.Boolean(
        related="company_id.sacco_share_refund_allowed", readonly=False
    )
    sacco_standing_order_retries = fields.Integer(
        related="company_id.sacco_standing_order_retries", readonly=False
    )
