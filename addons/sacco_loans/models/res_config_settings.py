from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    sacco_loan_officer_limit = fields.Monetary(
        related="company_id.sacco_loan_officer_limit", readonly=False
    )
    sacco_cob_watch_days = fields.Integer(related="company_id.sacco_cob_watch_days", readonly=False)
    sacco_cob_substandard_days = fields.Integer(
        related="company_id.sacco_cob_substandard_days", readonly=False
    )
    sacco_cob_doubtful_days = fields.Integer(
        related="company_id.sacco_cob_doubtful_days", readonly=False
    )
    sacco_provision_performing = fields.Float(
        related="company_id.sacco_provision_performing", readonly=False
    )
    sacco_provision_watch = fields.Float(related="company_id.sacco_provision_watch", readonly=False)
    sacco_provision_substandard = fields.Float(
        related="company_id.sacco_provision_substandard", readonly=False
    )
    sacco_provision_doubtful = fields.Float(
        related="company_id.sacco_provision_doubtful", readonly=False
    )
    sacco_provision_loss = fields.Float(related="company_id.sacco_provision_loss", readonly=False)
    sacco_cob_stop_accrual = fields.Boolean(
        related="company_id.sacco_cob_stop_accrual", readonly=False
    )
    sacco_cob_reminder_days = fields.Integer(
        related="company_id.sacco_cob_reminder_days", readonly=False
    )
