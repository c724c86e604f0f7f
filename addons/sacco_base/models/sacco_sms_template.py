from odoo import api, fields, models
from odoo.exceptions import ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.sms import render_sms, sms_segments

# What a template may refer to, so staff can write templates without code.
TEMPLATE_PLACEHOLDERS = ("name", "first_name", "member_number", "branch", "company")


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
        return TEMPLATE_PLACEHOLDERS

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
        return render_sms(
            self.body,
            {
                **dict.fromkeys(self._placeholders(), ""),
                "name": member.name,
                "first_name": (member.name or "").split(" ")[0],
                "member_number": member.member_number or "",
                "branch": member.branch_id.name,
                "company": member.company_id.name,
                **(values or {}),
            },
        )
