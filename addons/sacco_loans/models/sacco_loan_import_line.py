from odoo import fields, models


class SaccoLoanImportLine(models.Model):
    """One row of a loan-book file: its values, what it matched and its problems, then the
    summary of the schedule rebuilt for it and the loan it became."""

    _name = "sacco.loan.import.line"
    _description = "Loan-book Import Row"
    _order = "import_id, line_number"

    import_id = fields.Many2one(
        "sacco.loan.import", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="import_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="import_id.currency_id")
    line_number = fields.Integer(string="Line", readonly=True)
    cells = fields.Json(readonly=True, help="The row as read from the file, by column.")
    state = fields.Selection(
        [
            ("error", "Error"),
            ("missing", "Member Missing"),
            ("valid", "Valid"),
            ("imported", "Imported"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    message = fields.Text(string="Errors", readonly=True)
    member_number = fields.Char(readonly=True)
    id_number = fields.Char(string="ID Number", readonly=True)
    name = fields.Char(readonly=True)
    phone = fields.Char(readonly=True)
    product_code = fields.Char(readonly=True)
    member_id = fields.Many2one("sacco.member", readonly=True)
    product_id = fields.Many2one("sacco.loan.product", readonly=True)
    principal = fields.Monetary(readonly=True)
    annual_rate = fields.Float(string="Rate (% a year)", digits=(16, 4), readonly=True)
    term = fields.Integer(string="Installments", readonly=True)
    disbursed_on = fields.Date(readonly=True)
    outstanding_principal = fields.Monetary(readonly=True)
    arrears_amount = fields.Monetary(readonly=True)
    status = fields.Char(readonly=True)
    installment_amount = fields.Monetary(
        string="First Installment", readonly=True, help="Principal and interest."
    )
    total_interest = fields.Monetary(readonly=True)
    installments_due = fields.Integer(
        string="Due", readonly=True, help="Installments due by the cut-over date."
    )
    installments_paid = fields.Integer(string="Paid", readonly=True)
    maturity_date = fields.Date(readonly=True)
    loan_id = fields.Many2one("sacco.loan", readonly=True, index="btree_not_null")
