from odoo import api, fields, models
from odoo.exceptions import ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.sms import render_sms, sms_segments

# What a template may refer to, so staff can write templates without code.
TEMPLATE_PLACEHOLDERS = ("name", "first_name", "member_number", "branch", "company")
# One-time code messages carry the code and how many minutes it lasts.
OTP_PLACEHOLDERS = ("code", "minutes")


class SaccoSmsTemplate(models.Model):
    _name = "sacco.sms.template"
    _description = "SMS Template"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    body = fields.Text(
        required=True,
        translate=True,
        help="Placeholders: {name}, {first_name}, {member_number}, {branch}, {company}.",
    )
    segments = fields.Integer(compute="_compute_segments", help="SMS parts per message.")
    active = fields.Boolean(default=True)

    @api.depends("body")
    def _compute_segments(self):
        for template in self:
            template.segments = sms_segments(template.body or "")

    def _placeholders(self):
        """The names a body may use: the member's, plus those add-ons pass as values."""
        return TEMPLATE_PLACEHOLDERS + OTP_PLACEHOLDERS

    @api.constrains("body")
    def _check_body(self):
        sample = dict.fromkeys(self._placeholders(), "x")
        for template in self:
            try:
                render_sms(template.body, sample)
            except SaccoRuleError as error:
                raise ValidationError(str(error)) from error

    def _render_for(self, member, values=None):
        """The body for ``member``; ``values`` fill the other placeholders (empty if not
        given, so no body the check allows can fail)."""
        self.ensure_one()
        return self._render_with(
            {
                "name": member.name,
                "member_number": member.member_number,
                "branch": member.branch_id.name,
                "company": member.company_id.name,
                **(values or {}),
            }
        )

    def _render_with(self, values):
        """The body with ``values`` (the member's ``name``, ``member_number``, ``branch``,
        ``company`` and any other placeholder); ``first_name`` comes from ``name``. For
        callers that read the member's details in bulk with SQL."""
        self.ensure_one()
        name = values.get("name") or ""
        return render_sms(
            self.body,
            {
                **dict.fromkeys(self._placeholders(), ""),
                **{key: value or "" for key, value in values.items()},
                "name": name,
                "first_name": name.split(" ")[0],
            },
        )
