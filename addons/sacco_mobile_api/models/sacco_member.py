from odoo import fields, models


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    sacco_mobile_device_ids = fields.One2many(
        "sacco.mobile.device", "member_id", string="App Devices", readonly=True
    )
    sacco_mobile_session_ids = fields.One2many(
        "sacco.mobile.session", "member_id", string="App Sessions", readonly=True
    )
    sacco_mobile_locked = fields.Boolean(string="App Locked", compute="_compute_sacco_mobile_state")
    sacco_mobile_registered = fields.Boolean(
        string="Uses the App", compute="_compute_sacco_mobile_state"
    )
    sacco_mobile_audit_count = fields.Integer(compute="_compute_sacco_mobile_state")

    def _compute_sacco_mobile_state(self):
        Credential = self.env["sacco.mobile.credential"].sudo()
        credentials = {c.member_id: c for c in Credential.search([("member_id", "in", self.ids)])}
        audits = dict(
            self.env["sacco.mobile.audit"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            credential = credentials.get(member)
            member.sacco_mobile_registered = bool(credential and credential.pin_hash)
            member.sacco_mobile_locked = bool(credential and credential.locked)
            member.sacco_mobile_audit_count = audits.get(member, 0)

    def action_sacco_mobile_sign_out_all(self):
        """Staff: end every app session of the member on every device (a lost phone)."""
        self.sacco_mobile_session_ids._revoke("staff")
        Api = self.env["sacco.mobile.api"].sudo()
        for member in self:
            member.message_post(body=self.env._("Signed out of the app on all devices."))
            Api._notify(
                member,
                self.env._("Signed out"),
                self.env._("The SACCO signed you out of the app on all your devices."),
            )

    def action_sacco_mobile_unlock(self):
        self.env["sacco.mobile.credential"].search([("member_id", "in", self.ids)]).action_unlock()

    def action_view_sacco_mobile_audit(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_mobile_api.sacco_mobile_audit_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action
