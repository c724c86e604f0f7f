from odoo import fields, models


class SaccoMobileNotification(models.Model):
    """What the member was told (every SMS and app event), for the app's inbox."""

    _name = "sacco.mobile.notification"
    _description = "Member Notification"
    _order = "id desc"
    _rec_name = "title"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    title = fields.Char(required=True)
    body = fields.Text(required=True)
    kind = fields.Selection(
        [("sms", "SMS"), ("event", "App event")], default="event", required=True
    )
    sms_id = fields.Many2one("sacco.sms.message", string="SMS", ondelete="set null")
    read = fields.Boolean(readonly=True, index=True)
    read_on = fields.Datetime(readonly=True)

    def _mark_read(self):
        self.filtered(lambda n: not n.read).write({"read": True, "read_on": fields.Datetime.now()})
