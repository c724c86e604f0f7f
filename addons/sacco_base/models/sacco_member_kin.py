from odoo import api, fields, models
from odoo.exceptions import ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.phones import normalize_msisdn


class SaccoMemberKin(models.Model):
    _name = "sacco.member.kin"
    _description = "Member's Next of Kin"
    _order = "member_id, allocation_percent desc, id"

    member_id = fields.Many2one("sacco.member", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="member_id.company_id", store=True)
    name = fields.Char(required=True)
    relationship = fields.Selection(
        [
            ("spouse", "Spouse"),
            ("child", "Child"),
            ("parent", "Parent"),
            ("sibling", "Sibling"),
            ("other", "Other"),
        ],
        required=True,
        default="spouse",
    )
    phone = fields.Char()
    id_number = fields.Char(string="ID Number")
    date_of_birth = fields.Date()
    allocation_percent = fields.Float(
        string="Allocation (%)", digits=(5, 2), required=True, default=100.0
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._normalize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._normalize_vals(vals))

    @api.model
    def _normalize_vals(self, vals):
        if vals.get("phone"):
            try:
                vals = dict(vals, phone=normalize_msisdn(vals["phone"]))
            except SaccoRuleError as error:
                raise ValidationError(self.env._("Next of kin: %s", error)) from error
        return vals

    @api.constrains("allocation_percent")
    def _check_allocation_percent(self):
        if any(not 0 < kin.allocation_percent <= 100 for kin in self):
            raise ValidationError(
                self.env._("A next of kin's allocation must be above 0 % and at most 100 %.")
            )
        self.member_id._check_kin_allocation()
