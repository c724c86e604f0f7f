from odoo import fields, models


class SaccoMobileSession(models.Model):
    """One sign-in of a member on a device: the family of refresh tokens rotated from it.
    Access tokens name their session, so revoking it ends them too."""

    _name = "sacco.mobile.session"
    _description = "Member App Session"
    _order = "id desc"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    device_id = fields.Many2one("sacco.mobile.device", required=True, ondelete="cascade")
    family = fields.Char(required=True, readonly=True, index=True)
    state = fields.Selection(
        [("active", "Active"), ("revoked", "Revoked")],
        default="active",
        required=True,
        readonly=True,
        index=True,
    )
    revoked_on = fields.Datetime(readonly=True)
    revoked_reason = fields.Selection(
        [
            ("logout", "Signed out"),
            ("reuse", "Spent refresh token presented again"),
            ("device", "Refresh token from another device"),
            ("pin_reset", "PIN reset"),
            ("staff", "Signed out by staff"),
        ],
        readonly=True,
    )
    ip = fields.Char(string="IP Address", readonly=True)
    last_refresh = fields.Datetime(readonly=True)
    token_ids = fields.One2many("sacco.mobile.refresh.token", "session_id", readonly=True)

    _sql_constraints = [("family_uniq", "unique(family)", "A token family is one session.")]

    def _revoke(self, reason):
        self.filtered(lambda s: s.state == "active").write(
            {"state": "revoked", "revoked_on": fields.Datetime.now(), "revoked_reason": reason}
        )

    def action_revoke(self):
        self._revoke("staff")
