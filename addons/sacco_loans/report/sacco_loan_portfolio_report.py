from odoo import api, fields, models

from .sacco_loan_report_base import LOAN_FIELDS

SASRA_CLASSES = [
    ("performing", "Performing"),
    ("watch", "Watch"),
    ("substandard", "Substandard"),
    ("doubtful", "Doubtful"),
    ("loss", "Loss"),
]


class SaccoLoanPortfolioReport(models.Model):
    """One row per active or written-off loan with its standing as kept by the nightly close
    of business: portfolio at risk, aging by SASRA class, provisions and the arrears list."""

    _name = "sacco.loan.portfolio.report"
    _inherit = "sacco.loan.report.base"
    _description = "Loan Portfolio Report"
    _auto = False
    _order = "days_past_due desc, id"
    _rec_name = "name"
    # Flushed before the view is read, so pending writes show up in the report.
    _depends = {
        "sacco.loan": [
            *LOAN_FIELDS,
            "state",
            "disbursed_on",
            "principal",
            "principal_outstanding",
            "days_past_due",
            "sasra_class",
            "rescheduled",
            "arrears_principal",
            "arrears_interest",
            "arrears_fee",
            "arrears_penalty",
            "arrears_total",
            "provision_required",
        ],
        "sacco.member": ["partner_id"],
        "res.partner": ["phone"],
    }

    name = fields.Char(string="Loan Number", readonly=True)
    loan_id = fields.Many2one("sacco.loan", readonly=True)
    member_id = fields.Many2one("sacco.member", readonly=True)
    member_phone = fields.Char(readonly=True)
    guarantor_phones = fields.Char(
        compute="_compute_guarantor_phones", help="Phones of the members guaranteeing the loan."
    )
    state = fields.Selection([("active", "Active"), ("written_off", "Written Off")], readonly=True)
    disbursed_on = fields.Date(readonly=True)
    sasra_class = fields.Selection(SASRA_CLASSES, string="SASRA Class", readonly=True)
    rescheduled = fields.Boolean(readonly=True)
    days_past_due = fields.Integer(readonly=True, aggregator="max")
    principal = fields.Monetary(readonly=True)
    principal_outstanding = fields.Monetary(readonly=True)
    par1 = fields.Monetary(
        string="PAR 1", readonly=True, help="Principal outstanding of loans 1 day or more past due."
    )
    par30 = fields.Monetary(
        string="PAR 30",
        readonly=True,
        help="Principal outstanding of loans 30 days or more past due.",
    )
    par90 = fields.Monetary(
        string="PAR 90",
        readonly=True,
        help="Principal outstanding of loans 90 days or more past due.",
    )
    arrears_principal = fields.Monetary(readonly=True)
    arrears_interest = fields.Monetary(readonly=True)
    arrears_fee = fields.Monetary(readonly=True)
    arrears_penalty = fields.Monetary(readonly=True)
    arrears_total = fields.Monetary(readonly=True)
    provision_required = fields.Monetary(readonly=True)

    def _query(self):
        return f"""
            SELECT
                {self._loan_columns()},
                p.phone AS member_phone,
                l.state,
                l.disbursed_on,
                COALESCE(l.sasra_class, 'performing') AS sasra_class,
                COALESCE(l.rescheduled, FALSE) AS rescheduled,
                COALESCE(l.days_past_due, 0) AS days_past_due,
                l.principal,
                l.principal_outstanding,
                CASE WHEN l.days_past_due >= 1 THEN l.principal_outstanding ELSE 0 END AS par1,
                CASE WHEN l.days_past_due >= 30 THEN l.principal_outstanding ELSE 0 END AS par30,
                CASE WHEN l.days_past_due >= 90 THEN l.principal_outstanding ELSE 0 END AS par90,
                COALESCE(l.arrears_principal, 0) AS arrears_principal,
                COALESCE(l.arrears_interest, 0) AS arrears_interest,
                COALESCE(l.arrears_fee, 0) AS arrears_fee,
                COALESCE(l.arrears_penalty, 0) AS arrears_penalty,
                COALESCE(l.arrears_total, 0) AS arrears_total,
                COALESCE(l.provision_required, 0) AS provision_required
            FROM sacco_loan l
            JOIN sacco_member m ON m.id = l.member_id
            JOIN res_partner p ON p.id = m.partner_id
            WHERE l.state IN ('active', 'written_off')
        """

    @api.depends("loan_id")
    def _compute_guarantor_phones(self):
        # Guarantors may belong to other branches than the staff member's; only their phones
        # are shown, so recovery staff can call them.
        for row in self:
            members = row.loan_id.sudo().guarantor_ids.member_id
            row.guarantor_phones = ", ".join(phone for phone in members.mapped("phone") if phone)
