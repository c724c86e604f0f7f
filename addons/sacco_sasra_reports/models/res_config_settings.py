from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_sasra_regime = fields.Selection(related="company_id.sacco_sasra_regime", readonly=False)
    sacco_sasra_authorising_officer = fields.Char(
        related="company_id.sacco_sasra_authorising_officer", readonly=False
    )
    sacco_sasra_countersigning_officer = fields.Char(
        related="company_id.sacco_sasra_countersigning_officer", readonly=False
    )
    sacco_sasra_core_capital_min = fields.Monetary(
        related="company_id.sacco_sasra_core_capital_min", readonly=False
    )
    sacco_sasra_cc_ta_min = fields.Float(related="company_id.sacco_sasra_cc_ta_min", readonly=False)
    sacco_sasra_ic_ta_min = fields.Float(related="company_id.sacco_sasra_ic_ta_min", readonly=False)
    sacco_sasra_cc_td_min = fields.Float(related="company_id.sacco_sasra_cc_td_min", readonly=False)
    sacco_sasra_liquidity_min = fields.Float(
        related="company_id.sacco_sasra_liquidity_min", readonly=False
    )
    sacco_sasra_lb_ta_max = fields.Float(related="company_id.sacco_sasra_lb_ta_max", readonly=False)
    sacco_sasra_fi_cc_max = fields.Float(related="company_id.sacco_sasra_fi_cc_max", readonly=False)
    sacco_sasra_fi_td_max = fields.Float(related="company_id.sacco_sasra_fi_td_max", readonly=False)
    sacco_sasra_nea_ta_max = fields.Float(
        related="company_id.sacco_sasra_nea_ta_max", readonly=False
    )
    sacco_sasra_surplus_counted = fields.Float(
        related="company_id.sacco_sasra_surplus_counted", readonly=False
    )
    sacco_sasra_nwdt_cc_ta_min = fields.Float(
        related="company_id.sacco_sasra_nwdt_cc_ta_min", readonly=False
    )
    sacco_sasra_nwdt_re_cc_min = fields.Float(
        related="company_id.sacco_sasra_nwdt_re_cc_min", readonly=False
    )
    sacco_sasra_nwdt_cc_td_min = fields.Float(
        related="company_id.sacco_sasra_nwdt_cc_td_min", readonly=False
    )
    sacco_sasra_nwdt_liquidity_min = fields.Float(
        related="company_id.sacco_sasra_nwdt_liquidity_min", readonly=False
    )
    sacco_sasra_nwdt_lbe_ta_max = fields.Float(
        related="company_id.sacco_sasra_nwdt_lbe_ta_max", readonly=False
    )
    sacco_sasra_nwdt_equity_cc_max = fields.Float(
        related="company_id.sacco_sasra_nwdt_equity_cc_max", readonly=False
    )
    sacco_sasra_nwdt_subsidiary_cc_max = fields.Float(
        related="company_id.sacco_sasra_nwdt_subsidiary_cc_max", readonly=False
    )
    sacco_sasra_nwdt_other_cc_max = fields.Float(
        related="company_id.sacco_sasra_nwdt_other_cc_max", readonly=False
    )
