from odoo import fields, models, tools

# One row per company, month of the last twelve and branch for what members and loans say;
# one more per company and month (no branch) for what the GL and the returns say.
DASHBOARD_SQL = """
WITH bounds AS (
    SELECT c.id AS company_id, m.month_start::date AS month_start,
           (m.month_start + INTERVAL '1 month - 1 day')::date AS month_end
      FROM res_company c
     CROSS JOIN generate_series(date_trunc('month', now()) - INTERVAL '11 months',
                                date_trunc('month', now()), INTERVAL '1 month') m(month_start)
), members AS (
    SELECT b.company_id, b.month_end, mb.branch_id,
           COUNT(*) FILTER (WHERE mb.join_date <= b.month_end
                            AND NOT (mb.state IN ('exited', 'deceased')
                                     AND mb.state_date <= b.month_end)) AS members_active,
           COUNT(*) FILTER (WHERE mb.join_date BETWEEN b.month_start AND b.month_end)
               AS members_new,
           COUNT(*) FILTER (WHERE mb.state IN ('exited', 'deceased')
                            AND mb.state_date BETWEEN b.month_start AND b.month_end)
               AS members_exited
      FROM bounds b
      JOIN sacco_member mb ON mb.company_id = b.company_id
       AND mb.state NOT IN ('applicant', 'rejected')
     GROUP BY 1, 2, 3
), portfolio AS (
    SELECT s.company_id, s.date AS month_end, s.branch_id,
           SUM(s.principal_outstanding) AS gross_loans,
           SUM(s.principal_outstanding) FILTER (WHERE s.days_past_due >= 30) AS par30,
           SUM(s.principal_outstanding)
               FILTER (WHERE s.sasra_class IN ('substandard', 'doubtful', 'loss')) AS npl,
           SUM(s.provision_required) AS provisions
      FROM sacco_sasra_loan_snapshot s
      JOIN bounds b ON b.company_id = s.company_id AND b.month_end = s.date
     GROUP BY 1, 2, 3
), disbursed AS (
    SELECT b.company_id, b.month_end, l.branch_id, SUM(l.principal) AS disbursements
      FROM bounds b
      JOIN sacco_loan l ON l.company_id = b.company_id
       AND l.disbursed_on BETWEEN b.month_start AND b.month_end
     GROUP BY 1, 2, 3
), collected AS (
    SELECT b.company_id, b.month_end, l.branch_id, SUM(aml.credit) AS collections
      FROM bounds b
      JOIN res_company c ON c.id = b.company_id
      JOIN account_move_line aml ON aml.company_id = b.company_id
       AND aml.account_id = c.sacco_account_loan_portfolio_id
       AND aml.parent_state = 'posted' AND aml.date BETWEEN b.month_start AND b.month_end
      JOIN sacco_loan l ON l.id = aml.sacco_loan_id
     GROUP BY 1, 2, 3
), branch_rows AS (
    SELECT COALESCE(m.company_id, p.company_id, d.company_id, k.company_id) AS company_id,
           COALESCE(m.month_end, p.month_end, d.month_end, k.month_end) AS month_end,
           COALESCE(m.branch_id, p.branch_id, d.branch_id, k.branch_id) AS branch_id,
           m.members_active, m.members_new, m.members_exited, p.gross_loans, p.par30, p.npl,
           p.provisions, d.disbursements, k.collections
      FROM members m
      FULL JOIN portfolio p USING (company_id, month_end, branch_id)
      FULL JOIN disbursed d USING (company_id, month_end, branch_id)
      FULL JOIN collected k USING (company_id, month_end, branch_id)
), ledger AS (
    SELECT b.company_id, b.month_end,
           -SUM(aml.balance) FILTER (WHERE a.sacco_sasra_line IN
               ('savings_deposits', 'term_deposits', 'non_withdrawable_deposits')) AS deposits,
           -SUM(aml.balance) FILTER (WHERE a.sacco_sasra_line = 'share_capital')
               AS share_capital,
           SUM(aml.balance) FILTER (WHERE a.account_type LIKE 'asset%') AS total_assets,
           -SUM(aml.balance) FILTER (WHERE a.account_type LIKE 'equity%'
                                     OR a.account_type LIKE 'income%'
                                     OR a.account_type LIKE 'expense%') AS total_equity,
           -SUM(aml.balance) FILTER (WHERE aml.date >= b.month_start
                                     AND (a.account_type LIKE 'income%'
                                          OR a.account_type LIKE 'expense%')) AS net_income,
           -SUM(aml.balance) FILTER (WHERE aml.date >= b.month_start
                                     AND a.account_type LIKE 'income%') AS income,
           SUM(aml.balance) FILTER (WHERE aml.date >= b.month_start
                                    AND a.sacco_sasra_line IN
                                    ('personnel_expense', 'governance_expense',
                                     'marketing_expense', 'depreciation',
                                     'administrative_expense')) AS operating_costs,
           SUM(aml.debit) FILTER (WHERE aml.date >= b.month_start
                                  AND aml.account_id = c.sacco_account_mpesa_clearing_id)
               AS mpesa_collections
      FROM bounds b
      JOIN res_company c ON c.id = b.company_id
      JOIN account_move_line aml ON aml.company_id = b.company_id
       AND aml.parent_state = 'posted' AND aml.date <= b.month_end
      JOIN account_account a ON a.id = aml.account_id
     GROUP BY 1, 2
), ratios AS (
    SELECT r.company_id, r.date_to AS month_end,
           MAX(q.value) FILTER (WHERE q.code = 'liquidity') AS liquidity_ratio,
           MAX(q.value) FILTER (WHERE q.code = 'cc_ta') AS cc_ta,
           MAX(q.value) FILTER (WHERE q.code = 'ic_ta') AS ic_ta,
           MAX(q.value) FILTER (WHERE q.code = 'cc_td') AS cc_td
      FROM sacco_sasra_return r
      JOIN sacco_sasra_return_ratio q ON q.return_id = r.id
     GROUP BY 1, 2
)
SELECT row_number() OVER (ORDER BY company_id, month_end, branch_id) AS id, *
  FROM (
    SELECT company_id, month_end, branch_id, members_active, members_new, members_exited,
           gross_loans, par30, npl, provisions, disbursements, collections,
           NULL::numeric AS deposits, NULL::numeric AS share_capital,
           NULL::numeric AS par30_ratio, NULL::numeric AS npl_ratio,
           NULL::numeric AS provision_coverage, NULL::numeric AS liquidity_ratio,
           NULL::numeric AS cc_ta, NULL::numeric AS ic_ta, NULL::numeric AS cc_td,
           NULL::numeric AS roa, NULL::numeric AS roe, NULL::numeric AS cost_to_income,
           NULL::numeric AS mpesa_collections
      FROM branch_rows
    UNION ALL
    SELECT g.company_id, g.month_end, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, g.deposits, g.share_capital,
           100 * p.par30 / NULLIF(p.gross_loans, 0), 100 * p.npl / NULLIF(p.gross_loans, 0),
           100 * p.provisions / NULLIF(p.npl, 0), t.liquidity_ratio, t.cc_ta, t.ic_ta,
           t.cc_td, 1200 * g.net_income / NULLIF(g.total_assets, 0),
           1200 * g.net_income / NULLIF(g.total_equity, 0),
           100 * g.operating_costs / NULLIF(g.income, 0), g.mpesa_collections
      FROM ledger g
      LEFT JOIN (SELECT company_id, month_end, SUM(par30) AS par30, SUM(npl) AS npl,
                        SUM(gross_loans) AS gross_loans, SUM(provisions) AS provisions
                   FROM portfolio GROUP BY 1, 2) p USING (company_id, month_end)
      LEFT JOIN ratios t USING (company_id, month_end)
  ) rows
"""


class SaccoSasraDashboard(models.Model):
    """Management dashboard: the last twelve months of members, deposits, shares, loans,
    portfolio quality, liquidity, capital, returns and M-Pesa collections."""

    _name = "sacco.sasra.dashboard"
    _description = "SACCO Management Dashboard"
    _auto = False
    _order = "month_end, branch_id"
    _rec_name = "month_end"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month_end = fields.Date(string="Month", readonly=True)
    branch_id = fields.Many2one("sacco.branch", readonly=True)
    members_active = fields.Integer(string="Active Members", readonly=True)
    members_new = fields.Integer(string="New Members", readonly=True)
    members_exited = fields.Integer(string="Exits", readonly=True)
    gross_loans = fields.Monetary(string="Gross Loan Portfolio", readonly=True)
    par30 = fields.Monetary(string="PAR 30", readonly=True)
    npl = fields.Monetary(string="Non-performing Loans", readonly=True)
    provisions = fields.Monetary(readonly=True)
    disbursements = fields.Monetary(readonly=True)
    collections = fields.Monetary(string="Principal Collected", readonly=True)
    deposits = fields.Monetary(string="Member Deposits", readonly=True)
    share_capital = fields.Monetary(readonly=True)
    par30_ratio = fields.Float(string="PAR 30 (%)", readonly=True, aggregator="avg")
    npl_ratio = fields.Float(string="NPL Ratio (%)", readonly=True, aggregator="avg")
    provision_coverage = fields.Float(
        string="Provision Coverage (%)", readonly=True, aggregator="avg"
    )
    liquidity_ratio = fields.Float(string="Liquidity Ratio (%)", readonly=True, aggregator="avg")
    cc_ta = fields.Float(string="Core Capital / Assets (%)", readonly=True, aggregator="avg")
    ic_ta = fields.Float(
        string="Institutional Capital / Assets (%)", readonly=True, aggregator="avg"
    )
    cc_td = fields.Float(string="Core Capital / Deposits (%)", readonly=True, aggregator="avg")
    roa = fields.Float(string="ROA (% a year)", readonly=True, aggregator="avg")
    roe = fields.Float(string="ROE (% a year)", readonly=True, aggregator="avg")
    cost_to_income = fields.Float(string="Cost to Income (%)", readonly=True, aggregator="avg")
    mpesa_collections = fields.Monetary(string="M-Pesa Collections", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # A constant query and the model's table name: nothing comes from users.
        self.env.cr.execute(f"CREATE VIEW {self._table} AS ({DASHBOARD_SQL})")  # pylint: disable=sql-injection
