from odoo import api, fields, models
from odoo.exceptions import UserError


class SaccoSavingsTeller(models.TransientModel):
    """The counter screen: find the member, see balances, post, print the receipt."""

    _name = "sacco.savings.teller"
    _description = "Teller Transaction"

    member_id = fields.Many2one(
        "sacco.member", required=True, domain="[('state', '!=', 'applicant')]"
    )
    company_id = fields.Many2one(related="member_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    operation = fields.Selection(
        [("deposit", "Deposit"), ("withdrawal", "Withdrawal"), ("transfer", "Transfer")],
        required=True,
        default="deposit",
    )
    account_id = fields.Many2one(
        "sacco.savings.account",
        required=True,
        domain="[('member_id', '=', member_id), ('state', '!=', 'closed')]",
    )
    balance = fields.Monetary(related="account_id.balance")
    available_balance = fields.Monetary(related="account_id.available_balance")
    destination_account_id = fields.Many2one(
        "sacco.savings.account",
        domain="[('id', '!=', account_id), ('state', '!=', 'closed')]",
    )
    amount = fields.Monetary(required=True)
    channel = fields.Selection(
        [("cash", "Cash"), ("bank", "Bank"), ("cheque", "Cheque")], default="cash", required=True
    )
    external_ref = fields.Char(string="Cheque / Bank Reference")
    narration = fields.Char()
    account_summary_ids = fields.Many2many(
        "sacco.savings.account", compute="_compute_account_summary_ids", string="Accounts"
    )

    @api.depends("member_id")
    def _compute_account_summary_ids(self):
        for wizard in self:
            wizard.account_summary_ids = wizard.member_id.savings_account_ids

    @api.onchange("member_id", "operation")
    def _onchange_member_id(self):
        accounts = self.member_id.savings_account_ids.filtered(lambda a: a.state != "closed")
        preferred = accounts.filtered(lambda a: a.kind == "fosa_savings") or accounts
        if self.account_id not in accounts:
            self.account_id = preferred[:1]

    def action_post(self):
        self.ensure_one()
        account = self.account_id
        if account.member_id != self.member_id:
            raise UserError(self.env._("The account does not belong to this member."))
        options = {"external_ref": self.external_ref or None, "narration": self.narration or None}
        if self.operation == "deposit":
            transactions = account.deposit(self.amount, channel=self.channel, **options)
        elif self.operation == "withdrawal":
            transactions = account.withdraw(self.amount, channel=self.channel, **options)
        else:
            if not self.destination_account_id:
                raise UserError(self.env._("Choose the account to transfer to."))
            transactions = account.transfer_to(self.destination_account_id, self.amount, **options)
        return self.env.ref("sacco_savings.sacco_savings_receipt_report_action").report_action(
            transactions
        )
