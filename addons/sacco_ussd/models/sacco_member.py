from odoo import api, fields, models

TELLER = "sacco_base.sacco_base_group_teller"


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    sacco_ussd_credential_ids = fields.One2many(
        "sacco.ussd.credential", "member_id", groups="base.group_system"
    )
    sacco_ussd_pin_set = fields.Boolean(
        string="USSD PIN Set", compute="_compute_sacco_ussd", compute_sudo=True
    )
    sacco_ussd_locked = fields.Boolean(
        string="USSD Locked", compute="_compute_sacco_ussd", compute_sudo=True
    )
    sacco_ussd_session_ids = fields.One2many("sacco.ussd.session", "member_id", readonly=True)
    sacco_ussd_session_count = fields.Integer(compute="_compute_sacco_ussd_session_count")

    @api.depends("sacco_ussd_credential_ids.pin_hash", "sacco_ussd_credential_ids.locked")
    def _compute_sacco_ussd(self):
        for member in self:
            credential = member.sacco_ussd_credential_ids[:1]
            member.sacco_ussd_pin_set = bool(credential.pin_hash)
            member.sacco_ussd_locked = credential.locked

    def _compute_sacco_ussd_session_count(self):
        counts = dict(
            self.env["sacco.ussd.session"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.sacco_ussd_session_count = counts.get(member, 0)

    def _sacco_ussd_credential(self):
        """The member's USSD credential, created on first use."""
        self.ensure_one()
        Credential = self.env["sacco.ussd.credential"].sudo()
        # Searched and read in one query: every USSD request checks the PIN state.
        credential = Credential.search_fetch(
            [("member_id", "=", self.id)],
            ["pin_hash", "failed_attempts", "locked", "language"],
            limit=1,
        )
        return credential or Credential.create({"member_id": self.id})

    def action_ussd_unlock(self):
        """Staff unlock: the PIN stays, the failed tries are forgotten."""
        self.check_access("write")
        for member in self:
            member._sacco_ussd_credential().write(
                {"locked": False, "locked_at": False, "failed_attempts": 0}
            )
            member.message_post(body=self.env._("USSD access unlocked."))
        return True

    def action_ussd_reset_pin(self):
        """Staff PIN reset: the next dial asks for the ID number and an SMS code, then a
        new PIN."""
        self.check_access("write")
        for member in self:
            member._sacco_ussd_credential().write(
                {
                    "pin_hash": False,
                    "staged_pin_hash": False,
                    "locked": False,
                    "locked_at": False,
                    "failed_attempts": 0,
                }
            )
            member.message_post(body=self.env._("USSD PIN reset: the member sets a new one."))
        return True

    def action_view_ussd_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_ussd.sacco_ussd_session_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        return action
