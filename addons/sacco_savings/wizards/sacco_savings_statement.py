from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.xlsx import download_action, xlsx_table

STATEMENT_COLUMNS = ("date", "reference", "description", "debit", "credit", "balance")


class SaccoSavingsStatement(models.TransientModel):
    """Print or export a member account's statement for any period."""

    _name = "sacco.savings.statement"
    _description = "Account Statement"

    account_id = fields.Many2one("sacco.savings.account", required=True)
    member_id = fields.Many2one(related="account_id.member_id")
    currency_id = fields.Many2one(related="account_id.currency_id")
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(month=1, day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        if any(wizard.date_from > wizard.date_to for wizard in self):
            raise ValidationError(self.env._("The statement period ends before it starts."))

    def _statement_data(self):
        self.ensure_one()
        return self.account_id._statement(self.date_from, self.date_to)

    def action_print_pdf(self):
        return self.env.ref("sacco_savings.sacco_savings_statement_report_action").report_action(
            self
        )

    def action_export_xlsx(self):
        self.ensure_one()
        account = self.account_id
        filename = f"Statement {account.name} {self.date_from} {self.date_to}.xlsx"
        return download_action(account, filename, self._xlsx_content())

    def _xlsx_content(self):
        statement = self._statement_data()
        account = self.account_id
        title_rows = [
            (self.env._("Account"), account.display_name),
            (self.env._("Member"), account.member_id.display_name),
            (self.env._("From"), self.date_from),
            (self.env._("To"), self.date_to),
        ]
        header = [self.env._("Date"), self.env._("Reference"), self.env._("Description")]
        header += [self.env._("Debit"), self.env._("Credit"), self.env._("Balance")]
        rows = [
            (self.date_from, "", self.env._("Opening balance"), None, None, statement["opening"])
        ]
        rows += [tuple(line[key] for key in STATEMENT_COLUMNS) for line in statement["lines"]]
        totals = (statement["total_debit"], statement["total_credit"], statement["closing"])
        rows.append((self.date_to, "", self.env._("Closing balance"), *totals))
        return xlsx_table(
            self.env._("Statement"), title_rows, header, rows, money_columns=(3, 4, 5)
        )
