from odoo import fields, models

from odoo.addons.sacco_loans.report.sacco_loan_portfolio_report import SASRA_CLASSES


class SaccoSasraLoanSnapshot(models.Model):
    """Each active loan's standing as the month-end close of business left it: the loan
    sub-ledger Form 4 is computed from, and what its figures drill down to."""

    _name = "sacco.sasra.loan.snapshot"
    _description = "Loan Standing at Month-end Close of Business"
    _order = "date desc, loan_id"
    _rec_name = "loan_id"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    loan_id = fields.Many2one("sacco.loan", required=True, readonly=True, ondelete="cascade")
    member_id = fields.Many2one("sacco.member", readonly=True)
    product_id = fields.Many2one("sacco.loan.product", readonly=True)
    branch_id = fields.Many2one("sacco.branch", readonly=True)
    sasra_class = fields.Selection(SASRA_CLASSES, string="SASRA Class", readonly=True)
    rescheduled = fields.Boolean(readonly=True)
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    principal_outstanding = fields.Monetary(readonly=True)
    provision_required = fields.Monetary(readonly=True)

    _sql_constraints = [
        ("loan_date_unique", "unique(loan_id, date)", "A loan has one standing per day."),
    ]

    def _take(self, company, date):
        """Record the company's active loans' standing on ``date`` (replacing an earlier
        take of that day, so a resumed close of business records it once)."""
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM sacco_sasra_loan_snapshot WHERE company_id = %s AND date = %s",
            [company.id, date],
        )
        self.env.cr.execute(
            """
            INSERT INTO sacco_sasra_loan_snapshot
                (date, company_id, loan_id, member_id, product_id, branch_id, sasra_class,
                 rescheduled, days_past_due, principal_outstanding, provision_required,
                 create_uid, create_date, write_uid, write_date)
            SELECT %(date)s, l.company_id, l.id, l.member_id, l.product_id, l.branch_id,
                   COALESCE(l.sasra_class, 'performing'), COALESCE(l.rescheduled, FALSE),
                   COALESCE(l.days_past_due, 0), COALESCE(l.principal_outstanding, 0),
                   COALESCE(l.provision_required, 0),
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM sacco_loan l
             WHERE l.company_id = %(company)s AND l.state = 'active'
            """,
            {"date": date, "company": company.id, "uid": self.env.uid},
        )
        self.invalidate_model()
