from odoo import fields, models


class SaccoMobileAudit(models.Model):
    """Who did what through the app, when, from which device and address."""

    _name = "sacco.mobile.audit"
    _description = "Member App Audit Trail"
    _order = "id desc"
    _rec_name = "operation"

    member_id = fields.Many2one("sacco.member", ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    device_id = fields.Many2one("sacco.mobile.device", ondelete="set null", readonly=True)
    operation = fields.Char(required=True, readonly=True, help="Method and route template.")
    path = fields.Char(readonly=True)
    status_code = fields.Integer(readonly=True, index=True)
    error_code = fields.Char(readonly=True)
    ip = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
