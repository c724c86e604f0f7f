from odoo import fields, models


class SaccoMemberRegistrationPayment(models.TransientModel):
    _name = "sacco.member.registration.payment"
    _description = "Registration Fee Payment"

    member_id = fields.Many2one("sacco.member", required=True, readonly=True)
    company_id = fields.Many2one(related="member_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('cash', 'bank')), ('company_id', '=', company_id)]",
    )
    amount = fields.Monetary(required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)

    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        member = self.env["sacco.member"].browse(values.get("member_id"))
        company = member.company_id or self.env.company
        if "amount" in fields_list:
            values.setdefault("amount", company.sacco_registration_fee)
        if "journal_id" in fields_list and "journal_id" not in values:
            journal = self.env["account.journal"].search(
                [("type", "=", "cash"), ("company_id", "=", company.id)], limit=1
            )
            values["journal_id"] = journal.id
        return values

    def action_post(self):
        self.ensure_one()
        self.member_id._post_registration_fee(self.journal_id, self.amount, self.date)
        return {"type": "ir.actions.act_window_close"}
