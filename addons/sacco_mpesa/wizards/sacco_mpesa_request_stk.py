from odoo import api, fields, models


class SaccoMpesaRequestStk(models.TransientModel):
    """ "Request M-Pesa payment": an STK Push to the member's phone for one account or loan."""

    _name = "sacco.mpesa.request.stk"
    _inherit = ["sacco.mpesa.target.mixin"]
    _description = "Request M-Pesa Payment"

    phone = fields.Char(required=True)
    amount = fields.Monetary(required=True)
    currency_id = fields.Many2one(related="member_id.currency_id")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model, record_id = self.env.context.get("active_model"), self.env.context.get("active_id")
        if model in ("sacco.member", "sacco.savings.account", "sacco.loan") and record_id:
            record = self.env[model].browse(record_id)
            member = record if model == "sacco.member" else record.member_id
            values.update(member_id=member.id, phone=member.phone)
            deposits = member.savings_account_ids.filtered(
                lambda a: a.kind == "bosa_deposit" and a.state == "active"
            )
            values["savings_account_id"] = deposits[:1].id
            if model == "sacco.savings.account":
                values["savings_account_id"] = record.id
            elif model == "sacco.loan":
                values.update(target="loan", loan_id=record.id)
        return values

    def action_request(self):
        self.ensure_one()
        request = self.env["sacco.mpesa.request"].request_stk_push(
            self.member_id, self.phone, self.amount, self._target()
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.mpesa.request",
            "res_id": request.id,
            "view_mode": "form",
        }
