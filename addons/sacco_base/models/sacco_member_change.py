from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .sacco_member import MANAGER_GROUP

# (request field holding the new value, member field).
CHANGED_FIELDS = (
    ("new_name", "name"),
    ("new_phone", "phone"),
    ("new_id_type", "id_type"),
    ("new_id_number", "id_number"),
)


def _id_types(self):
    return self.env["sacco.member"]._fields["id_type"].selection


class SaccoMemberChange(models.Model):
    """A request to change an active member's registered phone, ID number or name (maker-checker).

    A member's phone is the key to USSD, app OTPs and M-Pesa routing; a changed phone is how a
    SIM-swap fraud takes over an account. So the change waits for a second person's approval,
    both numbers are told, and the channels that trust the phone stay closed for a while.
    """

    _name = "sacco.member.change"
    _description = "Member Identity Change Request"
    _inherit = ["mail.thread"]
    _order = "id desc"

    member_id = fields.Many2one("sacco.member", required=True, index=True, ondelete="restrict")
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True, index=True)
    requested_by_id = fields.Many2one(
        "res.users", required=True, readonly=True, default=lambda self: self.env.user
    )
    requested_on = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Text(required=True, help="Why the member asks for the change.")
    old_name = fields.Char(readonly=True)
    new_name = fields.Char()
    old_phone = fields.Char(readonly=True)
    new_phone = fields.Char()
    old_id_type = fields.Selection(_id_types, string="Old ID Type", readonly=True)
    new_id_type = fields.Selection(_id_types, string="New ID Type")
    old_id_number = fields.Char(string="Old ID Number", readonly=True)
    new_id_number = fields.Char(string="New ID Number")
    state = fields.Selection(
        [
            ("pending", "Waiting for Approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decided_on = fields.Datetime(readonly=True, copy=False)
    decision_note = fields.Text(readonly=True, copy=False)
    phone_trusted_from = fields.Datetime(
        string="Phone Channels Open From", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "one_pending_per_member",
            "EXCLUDE (member_id WITH =) WHERE (state = 'pending')",
            "This member already has an identity change waiting for approval.",
        ),
    ]

    @api.depends("member_id", "requested_on")
    def _compute_display_name(self):
        for change in self:
            change.display_name = self.env._(
                "Identity change of %(member)s", member=change.member_id.display_name
            )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._prepare_request_vals(vals) for vals in vals_list])

    @api.model
    def _prepare_request_vals(self, vals):
        """Keep the values as they are now, the normalised new values, and only what changes;
        refuse a request that cannot be approved."""
        Member = self.env["sacco.member"]
        member = Member.browse(vals.get("member_id")).exists()
        if not member:
            raise UserError(self.env._("Choose the member whose identity changes."))
        if not (vals.get("reason") or "").strip():
            raise UserError(self.env._("Give the reason the member asks for the change."))
        member.check_access("write")
        if member.state == "applicant":
            raise UserError(
                self.env._("%s is an applicant: edit the application directly.", member.name)
            )
        if self.sudo().search_count([("member_id", "=", member.id), ("state", "=", "pending")]):
            raise UserError(
                self.env._("%s already has an identity change waiting for approval.", member.name)
            )
        wanted = Member._normalize_vals(
            {
                "id_type": member.id_type,
                "id_number": member.id_number,
                **{field: vals[new] for new, field in CHANGED_FIELDS if vals.get(new)},
            }
        )
        changes = {
            new: wanted[field]
            for new, field in CHANGED_FIELDS
            if field in wanted and wanted[field] != member[field]
        }
        if not changes:
            raise UserError(self.env._("The new values are those %s already has.", member.name))
        self._check_not_taken(member, changes)
        return dict(
            vals,
            **{new: changes.get(new, False) for new, _field in CHANGED_FIELDS},
            old_name=member.name,
            old_phone=member.phone,
            old_id_type=member.id_type,
            old_id_number=member.id_number,
        )

    @api.model
    def _check_not_taken(self, member, changes):
        """A new phone or ID number already registered to another member is refused now,
        not at approval."""
        for new, field in (("new_phone", "phone"), ("new_id_number", "id_number")):
            holder = changes.get(new) and self.env["sacco.member"].sudo().search(
                [
                    (field, "=", changes[new]),
                    ("id", "!=", member.id),
                    ("company_id", "=", member.company_id.id),
                ],
                limit=1,
            )
            if holder:
                raise UserError(
                    self.env._(
                        "%(value)s is already registered to member %(member)s.",
                        value=changes[new],
                        member=holder.member_number or holder.name,
                    )
                )

    # ---------------------------------------------------------------- decisions

    def _check_can_decide(self):
        if not (self.env.is_superuser() or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only a branch manager can approve or reject an identity change.")
            )
        for change in self:
            if change.state != "pending":
                raise UserError(self.env._("This request was already decided."))
            if change.requested_by_id == self.env.user and not self.env.is_superuser():
                raise UserError(
                    self.env._("A second person must decide on a change you requested.")
                )

    def action_approve(self):
        """Apply the change, tell the old and the new number, close the phone channels."""
        self._check_can_decide()
        for change in self:
            change._apply()
        return True

    def action_reject(self):
        self._check_can_decide()
        self._close("rejected")
        return True

    def action_cancel(self):
        """The requester (or a manager) withdraws a request still waiting."""
        for change in self:
            if change.state != "pending":
                raise UserError(self.env._("This request was already decided."))
            if change.requested_by_id != self.env.user:
                change._check_can_decide()
        self._close("cancelled")
        return True

    def _close(self, state):
        self.sudo().write(
            {"state": state, "decided_by_id": self.env.user.id, "decided_on": fields.Datetime.now()}
        )

    def _apply(self):
        self.ensure_one()
        member = self.member_id.sudo()
        Sms = self.env["sacco.sms.message"]
        messages = []
        vals = {field: self[new] for new, field in CHANGED_FIELDS if self[new]}
        trusted_from = False
        if "phone" in vals:
            trusted_from = fields.Datetime.now() + timedelta(
                hours=member.company_id.sacco_phone_cooling_off_hours
            )
            vals["sacco_phone_trusted_from"] = trusted_from
            old = Sms._template_vals(
                self.env.ref("sacco_base.sacco_sms_template_phone_changed_old"), member
            )
            messages.append(old)
        member.with_context(sacco_identity_change_approved=True).write(vals)
        if "phone" in vals:
            messages.append(
                Sms._template_vals(
                    self.env.ref("sacco_base.sacco_sms_template_phone_changed_new"), member
                )
            )
        Sms._queue_all(messages)
        self.sudo().write(
            {
                "state": "approved",
                "decided_by_id": self.env.user.id,
                "decided_on": fields.Datetime.now(),
                "phone_trusted_from": trusted_from,
            }
        )
        member.message_post(
            body=self.env._(
                "Identity change requested by %(maker)s approved by %(checker)s: %(what)s.",
                maker=self.requested_by_id.name,
                checker=self.env.user.name,
                what=", ".join(
                    f"{member._fields[field].string} {self['old' + new[3:]] or '-'} → {self[new]}"
                    for new, field in CHANGED_FIELDS
                    if self[new]
                ),
            )
        )
