from odoo import fields, models


class SaccoMobileDevice(models.Model):
    _name = "sacco.mobile.device"
    _description = "Member App Device"
    _order = "last_seen desc, id desc"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    device_id = fields.Char(string="Device ID", required=True, readonly=True)
    name = fields.Char(string="Device Name", readonly=True)
    trusted = fields.Boolean(readonly=True, help="Verified with a code sent by SMS.")
    trusted_on = fields.Datetime(readonly=True)
    first_seen = fields.Datetime(readonly=True, default=fields.Datetime.now)
    last_seen = fields.Datetime(readonly=True)
    last_ip = fields.Char(string="Last IP Address", readonly=True)
    session_ids = fields.One2many("sacco.mobile.session", "device_id", string="Sessions")

    _sql_constraints = [
        ("device_uniq", "unique(member_id, device_id)", "This device is registered already."),
    ]

    def _compute_display_name(self):
        for device in self:
            device.display_name = f"{device.name or device.device_id} ({device.member_id.name})"

    def _seen(self, ip):
        self.write({"last_seen": fields.Datetime.now(), "last_ip": ip})

    def _trust(self):
        self.write({"trusted": True, "trusted_on": fields.Datetime.now()})

    def action_forget(self):
        """Staff: the device needs a new SMS code and its sessions end."""
        self.session_ids._revoke("staff")
        self.write({"trusted": False, "trusted_on": False})
