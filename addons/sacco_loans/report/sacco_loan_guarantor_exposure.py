from odoo import fields, models, tools


class SaccoLoanGuarantorExposure(models.Model):
    """What each member has guaranteed on loans still on the books (active or written off);
    guarantors replaced by a substitution are left out."""

    _name = "sacco.loan.guarantor.exposure"
    _description = "Guarantor Exposure"
    _auto = False
    _order = "exposure desc, id"
    _rec_name = "member_id"
    _depends = {
        "sacco.loan.guarantor": [
            "member_id",
            "loan_id",
            "amount",
            "hold_id",
            "active",
            "consent_state",
        ],
        "sacco.loan": ["state", "principal", "principal_outstanding", "days_past_due"],
        "sacco.member": ["partner_id", "company_id", "branch_id"],
        "res.partner": ["phone"],
        "sacco.savings.hold": ["state", "amount"],
    }

    member_id = fields.Many2one("sacco.member", string="Guarantor", readonly=True)
    member_phone = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    branch_id = fields.Many2one("sacco.branch", readonly=True)
    loan_count = fields.Integer(string="Loans Guaranteed", readonly=True)
    loans_in_arrears = fields.Integer(readonly=True)
    pledged = fields.Monetary(string="Total Pledged", readonly=True)
    exposure = fields.Monetary(
        string="Outstanding Exposure",
        readonly=True,
        help="Each pledge times the loan's principal outstanding over its principal.",
    )
    held = fields.Monetary(
        string="Still Held", readonly=True, help="Pledges still held on the guarantor's deposits."
    )
    exposure_in_arrears = fields.Monetary(
        readonly=True, help="Outstanding exposure on loans that are past due."
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT
                    e.member_id AS id,
                    e.member_id,
                    e.member_phone,
                    e.company_id,
                    e.branch_id,
                    COUNT(DISTINCT e.loan_id) AS loan_count,
                    COUNT(DISTINCT e.loan_id) FILTER (WHERE e.days_past_due > 0)
                        AS loans_in_arrears,
                    SUM(e.pledged) AS pledged,
                    SUM(e.exposure) AS exposure,
                    SUM(e.held) AS held,
                    COALESCE(SUM(e.exposure) FILTER (WHERE e.days_past_due > 0), 0)
                        AS exposure_in_arrears
                FROM (
                    SELECT
                        g.member_id,
                        p.phone AS member_phone,
                        m.company_id,
                        m.branch_id,
                        g.loan_id,
                        COALESCE(l.days_past_due, 0) AS days_past_due,
                        g.amount AS pledged,
                        ROUND(g.amount * l.principal_outstanding / NULLIF(l.principal, 0), 2)
                            AS exposure,
                        CASE WHEN h.state = 'active' THEN h.amount ELSE 0 END AS held
                    FROM sacco_loan_guarantor g
                    JOIN sacco_loan l ON l.id = g.loan_id
                    JOIN sacco_member m ON m.id = g.member_id
                    JOIN res_partner p ON p.id = m.partner_id
                    LEFT JOIN sacco_savings_hold h ON h.id = g.hold_id
                    WHERE l.state IN ('active', 'written_off') AND g.active IS NOT FALSE
                      AND g.consent_state = 'accepted'
                ) e
                GROUP BY e.member_id, e.member_phone, e.company_id, e.branch_id
            )
            """
        )
