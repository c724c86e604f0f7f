import base64
import io
import logging
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.sasra import (
    BALANCE_LINES,
    DAILY,
    DAILY_CHECKS,
    FORM_NAMES,
    FORM_ROWS,
    FREQUENCIES,
    GL_LINES,
    HEADER_CELLS,
    INCOME_LINES,
    INSIDER_COLUMNS,
    INSIDER_PARTS,
    NWDT_CHECKS,
    RATIO_FORM,
    InsiderLoan,
    LoanStanding,
    compute_forms,
    compute_nwdt_forms,
    daily_liquidity,
    due_date,
    form_label,
    forms_due,
    insider_detail_checks,
    insider_detail_layout,
    month_bounds,
    nwdt_prudential_ratios,
    period_start,
    prudential_ratios,
    run_checks,
)

_logger = logging.getLogger(__name__)

MANAGER = "sacco_base.sacco_base_group_manager"
# Savings product kinds -> Form 3 deposit type (share capital is not a deposit).
DEPOSIT_TYPE_OF_KIND = {
    "bosa_deposit": "non_withdrawable",
    "fosa_savings": "savings",
    "target_savings": "savings",
    "fixed_deposit": "term",
}
# Column of the row labels in the portal templates (Form 3 also names the type in C); the
# printed index numbers of the NWDT and daily forms go in the column before.
LABEL_COLUMN = {
    **dict.fromkeys(("1", "2", "2A", "2B", "2E", "daily"), "C"),
    **dict.fromkeys(("3", "4", "5", "6", "7", "8", "9", "sectoral"), "B"),
    **dict.fromkeys(("2C", "2D", "2F", "2G", "2H"), "B"),
}
NATURE = {code: nature for code, _label, nature in GL_LINES}
DEPOSIT_LINES = ("non_withdrawable_deposits", "savings_deposits", "term_deposits")

# Each account's balance at the period end and over the financial year to date.
GL_SQL = """
SELECT a.id, a.code_store->>%(company_key)s, a.name->>'en_US', a.sacco_sasra_line,
       COALESCE(SUM(aml.balance), 0),
       COALESCE(SUM(aml.balance) FILTER (WHERE aml.date >= %(year_start)s), 0)
  FROM account_move_line aml
  JOIN account_account a ON a.id = aml.account_id
 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
   AND aml.date <= %(date_to)s AND a.account_type != 'off_balance'
 GROUP BY a.id
"""
# Each member deposit account's balance at the period end, from its transactions.
DEPOSITS_SQL = """
SELECT a.id, p.kind, SUM(t.amount)
  FROM sacco_savings_transaction t
  JOIN sacco_savings_account a ON a.id = t.account_id
  JOIN sacco_savings_product p ON p.id = a.product_id
 WHERE a.company_id = %(company)s AND t.date <= %(date_to)s AND p.kind != 'share_capital'
 GROUP BY a.id, p.kind
HAVING SUM(t.amount) != 0
"""


class SaccoSasraReturn(models.Model):
    _name = "sacco.sasra.return"
    _description = "SASRA Return"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_to desc, form"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    form = fields.Selection(list(FORM_NAMES.items()), required=True, readonly=True)
    date_from = fields.Date(string="Period Start", required=True, readonly=True)
    date_to = fields.Date(string="Period End", required=True, readonly=True, index=True)
    due_date = fields.Date(readonly=True, help="When SASRA expects the return.")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("computed", "Computed"),
            ("reviewed", "Reviewed"),
            ("submitted", "Submitted"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    computed_on = fields.Datetime(readonly=True)
    computed_by_id = fields.Many2one("res.users", readonly=True)
    reviewed_on = fields.Datetime(readonly=True)
    reviewed_by_id = fields.Many2one("res.users", readonly=True)
    submitted_on = fields.Datetime(readonly=True)
    submitted_by_id = fields.Many2one("res.users", readonly=True)
    line_ids = fields.One2many("sacco.sasra.return.line", "return_id", readonly=True)
    ratio_ids = fields.One2many("sacco.sasra.return.ratio", "return_id", readonly=True)
    check_ids = fields.One2many("sacco.sasra.return.check", "return_id", readonly=True)
    insider_loan_ids = fields.One2many(
        "sacco.sasra.return.insider.loan", "return_id", string="Insider Loans", readonly=True
    )
    failed_check_count = fields.Integer(compute="_compute_failed", store=True)
    failed_ratio_count = fields.Integer(compute="_compute_failed", store=True)
    override_reason = fields.Text(
        tracking=True, help="Why the return is exported although cross-form checks fail."
    )
    override_by_id = fields.Many2one("res.users", string="Overridden By", readonly=True)
    override_on = fields.Datetime(readonly=True)
    xlsx_file = fields.Binary(string="Excel Return", readonly=True, attachment=True)
    xlsx_filename = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "form_period_unique",
            "unique(company_id, form, date_to)",
            "There is one return per form and period.",
        ),
    ]

    @api.depends("form", "date_to")
    def _compute_name(self):
        for record in self:
            record.name = (
                f"{FORM_NAMES.get(record.form, '')} {record.date_to:%Y-%m}"
                if record.date_to
                else FORM_NAMES.get(record.form, "")
            )

    @api.depends("check_ids.passed", "ratio_ids.passed")
    def _compute_failed(self):
        for record in self:
            record.failed_check_count = len(record.check_ids.filtered(lambda c: not c.passed))
            record.failed_ratio_count = len(record.ratio_ids.filtered(lambda r: not r.passed))

    # ------------------------------------------------------------------ computing

    @api.model
    def _compute_month(self, company, date_to):
        """Compute every form of the company's regime (DT Forms 1-9, NWDT Forms 2A-2H)
        falling due for the month ending ``date_to`` from the posted GL and the
        sub-ledgers, freezing the figures on one return per form."""
        date_from, month_end = month_bounds(date_to)
        if date_to != month_end:
            raise UserError(self.env._("A monthly return ends on the last day of a month."))
        self._check_ended(date_to)
        returns = self._returns_for(company, date_to)
        returns._check_recomputable()
        regime = company.sacco_sasra_regime
        balances, income = self._gl_figures(company, date_to)
        deposits = self._deposit_balances(company, date_to)
        loans = self._loan_standing(company, date_from, date_to)
        thresholds, rates = company._sacco_sasra_thresholds(), company._sacco_cob_rates()
        try:
            if regime == "dt":
                forms = compute_forms(balances, income, deposits, loans, thresholds, rates)
                ratios = prudential_ratios(forms, thresholds)
                checks = run_checks(forms)
            else:
                prior = self._figures_of(company, "2H", date_to.replace(year=date_to.year - 1))
                forms = compute_nwdt_forms(
                    balances, income, deposits, loans, thresholds, rates, prior
                )
                ratios = nwdt_prudential_ratios(forms, thresholds)
                checks = run_checks(forms, NWDT_CHECKS)
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        for record in returns:
            mine = [r for r in ratios if RATIO_FORM[regime][r.code] == record.form]
            record._store(forms[record.form], mine, checks)
        returns.filtered(lambda r: r.form == "9")._store_insider_loans(forms.get("9"))
        return returns

    @api.model
    def _compute_day(self, company, day):
        """Compute the company's daily liquidity return for ``day`` from the posted GL."""
        self._check_ended(day)
        ret = self._returns_for(company, day, [DAILY])
        ret._check_recomputable()
        self.env["account.move.line"].flush_model()
        opening, closing = (
            self._liquid_balances(company, edge) for edge in (day - timedelta(days=1), day)
        )
        receipts, payments = self._liquid_flows(company, day)
        balances, _income = self._gl_figures(company, day)
        deposits = (
            balances["non_withdrawable_deposits"],
            balances["savings_deposits"] + balances["term_deposits"],
        )
        figures = daily_liquidity(opening, receipts, payments, closing, deposits)
        ret._store(figures, [], run_checks({DAILY: figures}, DAILY_CHECKS))
        return ret

    @api.model
    def _liquid_accounts(self, company):
        """Account id -> daily liquidity bucket of the company's liquid money: bank
        journals, tellers' and branch tills, other cash (treasury), M-Pesa, placements."""
        Journal = self.env["account.journal"].sudo()
        tills = (
            self.env["sacco.branch"]
            .sudo()
            .search([("company_id", "=", company.id)])
            .cash_journal_id
            | self.env["res.users"]
            .sudo()
            .search([("sacco_cash_journal_id.company_id", "=", company.id)])
            .sacco_cash_journal_id
        )
        buckets = {
            account.id: "placements"
            for account in self.env["account.account"]
            .sudo()
            .search([("company_ids", "in", company.id), ("sacco_sasra_line", "=", "placements")])
        }
        for journal in Journal.search(
            [("company_id", "=", company.id), ("type", "in", ("bank", "cash"))]
        ):
            kind = (
                "bank" if journal.type == "bank" else "tellers" if journal in tills else "treasury"
            )
            buckets[journal.default_account_id.id] = kind
            for account in journal._sacco_outstanding_accounts():
                buckets[account.id] = kind
        buckets[company.sacco_account_mpesa_clearing_id.id] = "mobile"
        buckets.pop(False, None)
        return buckets

    @api.model
    def _liquid_balances(self, company, date):
        """Liquid balances by bucket at the close of ``date``."""
        buckets = self._liquid_accounts(company)
        self.env.cr.execute(
            """
            SELECT account_id, SUM(balance) FROM account_move_line
             WHERE company_id = %s AND parent_state = 'posted' AND date <= %s
               AND account_id = ANY(%s)
             GROUP BY account_id
            """,
            [company.id, date, list(buckets)],
        )
        totals = dict.fromkeys(buckets.values(), Decimal(0))
        for account_id, balance in self.env.cr.fetchall():
            totals[buckets[account_id]] += Decimal(str(balance))
        return totals

    @api.model
    def _liquid_flows(self, company, day):
        """The day's receipts and payments of liquid money by kind: each entry that moved
        money in or out (transfers between liquid accounts net to nothing) is a member
        deposit/withdrawal when it moves a deposit account of the GL map, a loan repayment or
        payment to a member when it moves a loan, otherwise other."""
        deposit_accounts = (
            self.env["account.account"]
            .sudo()
            .search(
                [
                    ("company_ids", "in", company.id),
                    ("sacco_sasra_line", "in", DEPOSIT_LINES),
                ]
            )
        )
        self.env.cr.execute(
            """
            WITH moved AS (
                SELECT move_id, SUM(balance) AS net FROM account_move_line
                 WHERE company_id = %(company)s AND parent_state = 'posted' AND date = %(day)s
                   AND account_id = ANY(%(liquid)s)
                 GROUP BY move_id HAVING SUM(balance) != 0
            )
            SELECT m.net,
                   EXISTS (SELECT 1 FROM account_move_line o
                            WHERE o.move_id = m.move_id AND o.account_id = ANY(%(deposits)s)),
                   EXISTS (SELECT 1 FROM account_move_line o
                            WHERE o.move_id = m.move_id AND o.sacco_loan_id IS NOT NULL)
              FROM moved m
            """,
            {
                "company": company.id,
                "day": day,
                "liquid": list(self._liquid_accounts(company)),
                "deposits": deposit_accounts.ids,
            },
        )
        receipts = dict.fromkeys(("deposits", "loan_repayments", "other"), Decimal(0))
        payments = dict.fromkeys(("withdrawals", "members", "other"), Decimal(0))
        for net, member_deposit, loan in self.env.cr.fetchall():
            amount = Decimal(str(net))
            if amount > 0:
                kind = "deposits" if member_deposit else "loan_repayments" if loan else "other"
                receipts[kind] += amount
            else:
                kind = "withdrawals" if member_deposit else "members" if loan else "other"
                payments[kind] -= amount
        return receipts, payments

    def _store_insider_loans(self, form9):
        """Freeze Form 9's loan-by-loan parts and check them against its totals and the
        loan portfolio accounts of the GL."""
        for record in self:
            pairs = record._insider_loans()
            loans = [loan for _loan_id, loan in pairs]
            loan_ids = {id(loan): loan_id for loan_id, loan in pairs}
            rows = [
                fields.Command.create(
                    {
                        "part": part,
                        "sequence": index,
                        "row": row,
                        "loan_id": loan_ids[id(loan)],
                        **{name: getattr(loan, name) for name, _column, _label in INSIDER_COLUMNS},
                    }
                )
                for part, _title, _heading, listed in insider_detail_layout(loans)
                for index, (row, loan) in enumerate(listed)
            ]
            checks = insider_detail_checks(form9, loans, record._gl_loan_balance(loan_ids.values()))
            record.write(
                {
                    "insider_loan_ids": [fields.Command.clear(), *rows],
                    "check_ids": self._check_commands(checks),
                }
            )

    def _insider_loans(self):
        """``(loan id, InsiderLoan)`` of each insider's loan in the month-end standing."""
        self.env.cr.execute(
            """
            SELECT s.loan_id, l.name, p.name, COALESCE(m.member_number, ''), s.insider_role,
                   prod.name->>'en_US', COALESCE(app.amount, l.principal), l.principal,
                   COALESCE(app.approved_on::date, l.disbursed_on), COALESCE(dep.amount, 0),
                   COALESCE('Guarantors: ' || g.names, 'Own deposits'), inst.first_due,
                   COALESCE(l.term, 0), s.principal_outstanding, s.sasra_class,
                   COALESCE(s.disbursed_on >= %(start)s, FALSE)
              FROM sacco_sasra_loan_snapshot s
              JOIN sacco_loan l ON l.id = s.loan_id
              JOIN sacco_member m ON m.id = s.member_id
              JOIN res_partner p ON p.id = m.partner_id
              JOIN sacco_loan_product prod ON prod.id = l.product_id
              LEFT JOIN sacco_loan_application app ON app.id = l.application_id
              LEFT JOIN LATERAL (
                  SELECT SUM(t.amount) AS amount
                    FROM sacco_savings_transaction t
                    JOIN sacco_savings_account a ON a.id = t.account_id
                   WHERE a.member_id = s.member_id AND a.kind = 'bosa_deposit'
                     AND t.date <= %(date)s
              ) dep ON TRUE
              LEFT JOIN LATERAL (
                  SELECT string_agg(gp.name, ', ' ORDER BY gp.name) AS names
                    FROM sacco_loan_guarantor g
                    JOIN sacco_member gm ON gm.id = g.member_id
                    JOIN res_partner gp ON gp.id = gm.partner_id
                   WHERE g.application_id = l.application_id AND g.active
              ) g ON TRUE
              LEFT JOIN LATERAL (
                  SELECT MIN(i.due_date) AS first_due FROM sacco_loan_installment i
                   WHERE i.loan_id = l.id
              ) inst ON TRUE
             WHERE s.company_id = %(company)s AND s.date = %(date)s
               AND s.insider_role IS NOT NULL
             ORDER BY p.name, l.name
            """,
            {"company": self.company_id.id, "date": self.date_to, "start": self.date_from},
        )
        return [
            (
                loan_id,
                InsiderLoan(
                    name,
                    borrower,
                    number,
                    role,
                    product,
                    Decimal(str(applied)),
                    Decimal(str(granted)),
                    approved,
                    Decimal(str(bosa)),
                    security,
                    first_due,
                    term,
                    Decimal(str(outstanding)),
                    sasra_class,
                    new,
                ),
            )
            for (
                loan_id,
                name,
                borrower,
                number,
                role,
                product,
                applied,
                granted,
                approved,
                bosa,
                security,
                first_due,
                term,
                outstanding,
                sasra_class,
                new,
            ) in self.env.cr.fetchall()
        ]

    def _gl_loan_balance(self, loan_ids):
        """Balance of the listed loans' journal items on their products' loan portfolio
        accounts at the period end."""
        listed = self.env["sacco.loan"].browse(list(loan_ids))
        accounts = {product._portfolio_account().id for product in listed.product_id}
        self.env.cr.execute(
            """
            SELECT COALESCE(SUM(balance), 0) FROM account_move_line
             WHERE company_id = %s AND parent_state = 'posted' AND date <= %s
               AND account_id = ANY(%s) AND sacco_loan_id = ANY(%s)
            """,
            [self.company_id.id, self.date_to, list(accounts), listed.ids],
        )
        return Decimal(str(self.env.cr.fetchone()[0]))

    @api.model
    def _cron_daily_liquidity(self):
        """Yesterday's daily liquidity return of every deposit-taking SACCO."""
        yesterday = fields.Date.context_today(self) - timedelta(days=1)
        Run = self.env["sacco.loan.cob.run"].sudo()
        for company in Run._lending_companies().filtered(lambda c: c.sacco_sasra_regime == "dt"):
            ret = self.search(
                [("company_id", "=", company.id), ("form", "=", DAILY), ("date_to", "=", yesterday)]
            )
            if ret.state not in ("reviewed", "submitted"):
                try:
                    with self.env.cr.savepoint():
                        self.with_company(company)._compute_day(company, yesterday)
                except UserError as error:
                    _logger.warning(
                        "Daily liquidity return of %s for %s not computed: %s",
                        company.name,
                        yesterday,
                        error,
                    )

    def _check_ended(self, date_to):
        if date_to >= fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "The period ending %s has not ended yet; compute it afterwards.", date_to
                )
            )

    def _check_recomputable(self):
        frozen = self.filtered(lambda r: r.state in ("reviewed", "submitted"))
        if frozen:
            raise UserError(
                self.env._(
                    "%s already reviewed; its figures are frozen and cannot be recomputed.",
                    ", ".join(frozen.mapped("name")),
                )
            )

    @api.model
    def _figures_of(self, company, form, date_to):
        """Code -> value of the company's return of ``form`` for the period ending
        ``date_to``, if there is one."""
        ret = self.search(
            [("company_id", "=", company.id), ("form", "=", form), ("date_to", "=", date_to)]
        )
        return {line.code: Decimal(str(line.value)) for line in ret.line_ids} or None

    @api.model
    def _demo_compute_last_month(self):
        """Demo data: the returns of the last ended month of every company with loans (and
        its last day's daily liquidity return), from the standing its month-end close of
        business left (recorded here when that night ran before this add-on was installed)."""
        month_end = fields.Date.context_today(self).replace(day=1) - timedelta(days=1)
        Run = self.env["sacco.loan.cob.run"].sudo()
        for company in Run._lending_companies():
            company._sacco_sasra_map_accounts()
            latest = Run.search(
                [("company_id", "=", company.id), ("state", "=", "done")],
                order="date desc",
                limit=1,
            )
            Run.run_close_of_business(month_end, company)
            if not self.env["sacco.sasra.loan.snapshot"].search_count(
                [("company_id", "=", company.id), ("date", "=", month_end)]
            ):
                Run._update_standing(company, month_end)
                self.env["sacco.sasra.loan.snapshot"]._take(company, month_end)
            if latest.date and latest.date > month_end:
                Run._update_standing(company, latest.date)  # back to the latest night's
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._compute_month(company, month_end)
                    self.with_company(company)._compute_day(company, month_end)
            except UserError as error:
                _logger.info("Demo SASRA returns of %s not computed: %s", company.name, error)

    def _returns_for(self, company, date_to, forms=None):
        """The company's returns of ``forms`` (those its regime files for the period ending
        ``date_to``), created with their due dates and the filing reminder if missing."""
        regime = company.sacco_sasra_regime
        frequency = {**FREQUENCIES[regime], DAILY: DAILY}
        due = forms or forms_due(regime, date_to)
        if not due:
            raise UserError(
                self.env._(
                    "No return of the non-withdrawable-deposit (NWDT) regime falls due for "
                    "the period ending %s: Forms 2A-2H are filed quarterly (2E yearly).",
                    date_to,
                )
            )
        existing = self.search(
            [("company_id", "=", company.id), ("date_to", "=", date_to), ("form", "in", due)]
        )
        missing = [form for form in due if form not in existing.mapped("form")]
        created = self.create(
            [
                {
                    "company_id": company.id,
                    "form": form,
                    "date_from": period_start(frequency[form], date_to),
                    "date_to": date_to,
                    "due_date": due_date(frequency[form], date_to),
                }
                for form in missing
            ]
        )
        for record in created.filtered(lambda r: r.form != DAILY):
            # The filing reminder: overdue in the accountant's activities after the due date.
            record.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=record.due_date,
                summary=self.env._("Submit to SASRA"),
                user_id=self.env.uid,
            )
        return existing | created

    @api.model
    def _gl_figures(self, company, date_to):
        """The balance sheet lines at ``date_to`` (earlier years' results in retained
        earnings) and the income statement lines of the financial year to date. Refuses
        when an account with a balance has no SASRA line."""
        year_start = company.compute_fiscalyear_dates(date_to)["date_from"]
        self.env["account.move.line"].flush_model()
        self.env["account.account"].flush_model()
        self.env.cr.execute(
            GL_SQL,
            {
                "company": company.id,
                "company_key": str(company.root_id.id),
                "date_to": date_to,
                "year_start": year_start,
            },
        )
        currency = company.currency_id
        balances = dict.fromkeys(BALANCE_LINES, Decimal(0))
        income = dict.fromkeys(INCOME_LINES, Decimal(0))
        unmapped = []
        for _id, code, name, line, total, year in self.env.cr.fetchall():
            if not line:
                if not currency.is_zero(float(total)):
                    unmapped.append(f"{code} {name}")
                continue
            sign = 1 if NATURE[line] == "debit" else -1
            if line in INCOME_LINES:
                income[line] += sign * Decimal(year)
                balances["retained_earnings"] -= Decimal(total) - Decimal(year)
            else:
                balances[line] += sign * Decimal(total)
        if unmapped:
            raise UserError(
                self.env._(
                    "Map these accounts to a SASRA return line (Accounting > SASRA > "
                    "Account Mapping) before computing the returns:\n%s",
                    "\n".join(sorted(unmapped)),
                )
            )
        return balances, income

    @api.model
    def _deposit_balances(self, company, date_to):
        """(Form 3 deposit type, balance) of each member deposit account at ``date_to``."""
        return [
            (DEPOSIT_TYPE_OF_KIND[kind], Decimal(balance))
            for _id, kind, balance in self._deposit_rows(company, date_to)
        ]

    @api.model
    def _deposit_rows(self, company, date_to):
        self.env["sacco.savings.transaction"].flush_model()
        self.env.cr.execute(DEPOSITS_SQL, {"company": company.id, "date_to": date_to})
        return self.env.cr.fetchall()

    @api.model
    def _loan_standing(self, company, date_from, date_to):
        """Each loan's ``LoanStanding`` as the close of business of ``date_to`` left it;
        refuses when that night did not run."""
        # Loans alike in every reported attribute come grouped: one row per kind, not loan.
        self.env.cr.execute(
            """
            SELECT sasra_class, rescheduled, SUM(principal_outstanding),
                   SUM(provision_required), SUM(interest_in_suspense), economic_sector,
                   insider_role, COALESCE(disbursed_on >= %s, FALSE) AS new, SUM(principal),
                   COUNT(*)
              FROM sacco_sasra_loan_snapshot WHERE company_id = %s AND date = %s
             GROUP BY sasra_class, rescheduled, economic_sector, insider_role, new
            """,
            [date_from, company.id, date_to],
        )
        rows = self.env.cr.fetchall()
        if not rows and not self.env["sacco.loan.cob.run"].sudo().search_count(
            [("company_id", "=", company.id), ("date", "=", date_to), ("state", "=", "done")]
        ):
            raise UserError(
                self.env._(
                    "Run the loans' close of business for %s first: Form 4 reports the "
                    "portfolio as the month-end close of business left it.",
                    date_to,
                )
            )
        return [
            LoanStanding(
                sasra_class,
                rescheduled,
                Decimal(outstanding),
                Decimal(provision),
                Decimal(suspense),
                sector,
                insider,
                new,
                Decimal(principal),
                count,
            )
            for (
                sasra_class,
                rescheduled,
                outstanding,
                provision,
                suspense,
                sector,
                insider,
                new,
                principal,
                count,
            ) in rows
        ]

    def _store(self, figures, ratios, checks):
        """Freeze this return's figures, its ratios and the checks that involve its form."""
        self.ensure_one()
        form = self.form
        self.write(
            {
                "state": "computed",
                "computed_on": fields.Datetime.now(),
                "computed_by_id": self.env.uid,
                "override_reason": False,
                "override_by_id": False,
                "override_on": False,
                "xlsx_file": False,
                "line_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {
                            "sequence": index,
                            "code": row.code,
                            "cell": row.cell,
                            "label": row.label,
                            "value": float(figures[row.code]),
                        }
                    )
                    for index, row in enumerate(FORM_ROWS[form])
                ],
                "ratio_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {
                            "code": ratio.code,
                            "label": ratio.label,
                            "value": float(ratio.value),
                            "limit": float(ratio.limit),
                            "is_minimum": ratio.is_minimum,
                            "excess": float(ratio.excess),
                            "passed": ratio.passed,
                        }
                    )
                    for ratio in ratios
                ],
                "check_ids": [
                    fields.Command.clear(),
                    *self._check_commands(
                        check for check in checks if f"{form_label(form)} " in check.description
                    ),
                ],
            }
        )

    @staticmethod
    def _check_commands(checks):
        """A check line to create for each of the ``sacco_core.sasra`` ``checks``."""
        return [
            fields.Command.create(
                {
                    "label": check.label,
                    "description": check.description,
                    "left": float(check.left),
                    "right": float(check.right),
                    "passed": check.passed,
                }
            )
            for check in checks
        ]

    # ------------------------------------------------------------------ workflow

    def action_recompute(self):
        for period in {(r.company_id, r.date_to) for r in self}:
            self._compute_month(*period)
        return True

    def action_review(self):
        if self.filtered(lambda r: r.state != "computed"):
            raise UserError(self.env._("Only computed returns are reviewed."))
        self.write(
            {
                "state": "reviewed",
                "reviewed_on": fields.Datetime.now(),
                "reviewed_by_id": self.env.uid,
            }
        )
        return True

    def action_submit(self):
        if self.filtered(lambda r: r.state != "reviewed"):
            raise UserError(self.env._("Review a return before submitting it."))
        self._check_exportable()
        self.write(
            {
                "state": "submitted",
                "submitted_on": fields.Datetime.now(),
                "submitted_by_id": self.env.uid,
            }
        )
        self.activity_feedback(["mail.mail_activity_data_todo"])
        return True

    def action_override(self):
        """A manager lets a return with failed checks be exported, saying why."""
        if not self.env.user.has_group(MANAGER):
            raise UserError(self.env._("Only a manager overrides failed cross-form checks."))
        for record in self:
            if not (record.override_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Give the reason for exporting %s despite its failed checks.", record.name
                    )
                )
        self.write({"override_by_id": self.env.uid, "override_on": fields.Datetime.now()})
        return True

    def _check_exportable(self):
        for record in self:
            if record.state == "draft":
                raise UserError(self.env._("Compute %s before exporting it.", record.name))
            failed = record.check_ids.filtered(lambda c: not c.passed)
            if failed and not record.override_by_id:
                raise UserError(
                    self.env._(
                        "%(name)s fails the portal's cross-form checks; fix them or have a "
                        "manager override with a reason:\n%(checks)s",
                        name=record.name,
                        checks="\n".join(
                            f"{c.label}: {c.description} ({c.left:,.2f} vs {c.right:,.2f})"
                            for c in failed
                        ),
                    )
                )

    # ------------------------------------------------------------------ export

    def action_export_xlsx(self):
        self.ensure_one()
        self._check_exportable()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._xlsx()),
                "xlsx_filename": f"SASRA_{form_label(self.form).replace(' ', '')}_"
                f"{self.date_to:%Y%m}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/xlsx_file/{self.xlsx_filename}"
            "?download=true",
            "target": "download",
        }

    def _xlsx(self):
        """The return in the portal's layout: first worksheet, header and figures at the
        cells of the form's cell map, values (no formulas)."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(form_label(self.form))
        money = workbook.add_format({"num_format": "#,##0.00"})
        period, start, end = HEADER_CELLS[self.form]
        sheet.write("A1", self.company_id.name)
        sheet.write("A2", FORM_NAMES[self.form])
        sheet.write(period, f"{self.date_to:%B %Y}")
        sheet.write(start, self.date_from.isoformat())
        sheet.write(end, self.date_to.isoformat())
        indexes = {row.code: row.index for row in FORM_ROWS[self.form]}
        for line in self.line_ids:
            column = LABEL_COLUMN[self.form]
            if self.form == "3" and line.code.startswith("count_"):
                column = "C"  # the deposit type, next to the size band in B
            if line.cell[0] != column:
                sheet.write(f"{column}{line.cell[1:]}", line.label)
            if indexes.get(line.code):
                sheet.write(f"{chr(ord(column) - 1)}{line.cell[1:]}", indexes[line.code])
            sheet.write_number(line.cell, line.value, money)
        if self.form == "9":
            self._xlsx_insider_loans(workbook, sheet, money)
        workbook.close()
        return output.getvalue()

    def _xlsx_insider_loans(self, workbook, sheet, money):
        """Form 9's Part 1 and Part 2 tables below its totals, a loan a row."""
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        titles = dict(INSIDER_PARTS)
        rows = {(line.part, line.row): line for line in self.insider_loan_ids}
        new = self.insider_loan_ids.filtered(lambda line: line.part == "new").loan_id
        layout = insider_detail_layout(
            [
                SimpleNamespace(new=line.loan_id in new)
                for line in self.insider_loan_ids
                if line.part == "outstanding"
            ]
        )
        for part, title_row, heading_row, listed in layout:
            sheet.write(f"B{title_row}", titles[part])
            for _name, column, label in INSIDER_COLUMNS:
                sheet.write(f"{column}{heading_row}", label)
            for row, _loan in listed:
                line = rows[(part, row)]
                for name, column, _label in INSIDER_COLUMNS:
                    value, cell = line[name], f"{column}{row}"
                    if isinstance(value, float):
                        sheet.write_number(cell, value, money)
                    elif name in ("approved_on", "repayment_start") and value:
                        sheet.write_datetime(cell, fields.Datetime.to_datetime(value), date_format)
                    elif name in ("position", "sasra_class"):
                        sheet.write(
                            cell, dict(line._fields[name].selection)[value] if value else ""
                        )
                    else:
                        sheet.write(cell, value or "")
