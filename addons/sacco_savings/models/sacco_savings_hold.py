from odoo import api, fields, models
from odoo.exceptions import UserError


class SaccoSavingsHold(models.Model):
    """A lien on part of an account's balance (guarantor pledge, staff hold, court order)."""

    _name = "sacco.savings.hold"
    _description = "Savings Account Hold"
    _order = "id desc"

    account_id = fields.Many2one(
        "sacco.savings.account", required=True, ondelete="restrict", index=True
    )
    member_id = fields.Many2one(related="account_id.member_id", store=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    currency_id = fields.Many2one(related="account_id.currency_id")
    amount = fields.Monetary(required=True)
    reason = fields.Char(required=True)
    source_model = fields.Char(help="Model of the record that placed the hold, if any.")
    source_id = fields.Many2oneReference(model_field="source_model")
    state = fields.Selection(
        [("active", "Active"), ("released", "Released")], default="active", required=True
    )
    released_on = fields.Datetime(readonly=True)

    @api.constrains("amount")
    def _check_amount(self):
        if any(hold.currency_id.compare_amounts(hold.amount, 0) <= 0 for hold in self):
            raise UserError(self.env._("A hold must be greater than zero."))

    def action_release(self):
        self.filtered(lambda hold: hold.state == "active").write(
            {"state": "released", "released_on": fields.Datetime.now()}
        )
