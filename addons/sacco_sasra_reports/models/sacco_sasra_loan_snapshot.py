from odoo import fields, models

from odoo.addons.sacco_loans.report.sacco_loan_portfolio_report import SASRA_CLASSES

from sacco_core.sasra import INSIDER_ROLES, SECTORS


class SaccoSasraLoanSnapshot(models.Model):
    """Each active loan's standing as the month-end close of business left it: the loan
    sub-ledger Forms 4, 8, 9 and the sectoral return are computed from, and what their
    figures drill down to. Loans without a sector (an imported book) count as household."""

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
    interest_in_suspense = fields.Monetary(
        readonly=True, help="Overdue unpaid interest not recognised in interest receivable."
    )
    economic_sector = fields.Selection(SECTORS, readonly=True)
    insider_role = fields.Selection(INSIDER_ROLES, readonly=True)
    disbursed_on = fields.Date(readonly=True)
    principal = fields.Monetary(readonly=True)

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
                 interest_in_suspense, economic_sector, insider_role, disbursed_on, principal,
                 create_uid, create_date, write_uid, write_date)
            SELECT %(date)s, l.company_id, l.id, l.member_id, l.product_id, l.branch_id,
                   COALESCE(l.sasra_class, 'performing'), COALESCE(l.rescheduled, FALSE),
                   COALESCE(l.days_past_due, 0), COALESCE(l.principal_outstanding, 0),
                   COALESCE(l.provision_required, 0), COALESCE(suspense.amount, 0),
                   COALESCE(l.economic_sector, 'household'), m.sacco_insider_role,
                   l.disbursed_on, COALESCE(l.principal, 0),
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM sacco_loan l
              JOIN sacco_member m ON m.id = l.member_id
              LEFT JOIN LATERAL (
                  SELECT GREATEST(SUM(i.interest - COALESCE(i.interest_paid, 0)
                                      - COALESCE(i.interest_waived, 0)
                                      - COALESCE(i.interest_receivable, 0)), 0) AS amount
                    FROM sacco_loan_installment i
                   WHERE i.loan_id = l.id AND i.due_date <= %(date)s
              ) suspense ON TRUE
             WHERE l.company_id = %(company)s AND l.state = 'active'
            """,
            {"date": date, "company": company.id, "uid": self.env.uid},
        )
        self.invalidate_model()
