import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module
from odoo.tools import SQL

from odoo.addons.sacco_base.models.sacco_ledger import split_item_columns as split_columns

from sacco_core.sms import sms_amount

# Phases in the order they run; each one is committed with its marker, so a run that
# stopped half-way resumes at the first phase not marked done.
PHASES = ("standing", "accrual", "penalties", "provisioning", "reminders")


def split_item_columns(Line):
    """The stored columns of a journal item copied into its per-loan parts, and the
    amounts scaled to each loan's share (partner, loan and label vary)."""
    return split_columns(Line, ("partner_id", "sacco_loan_id", "name"))


# The catch-up cron closes at most this many missed days.
CATCH_UP_DAYS = 31
# Code of the journal the close of business posts accruals, penalties and provisions in.
COB_JOURNAL_CODE = "LCOB"

STANDING_FIELDS = [
    "days_past_due",
    "arrears_principal",
    "arrears_interest",
    "arrears_fee",
    "arrears_penalty",
    "arrears_total",
    "sasra_class",
    "provision_required",
]

# Installments with what is unpaid of each component (unset amounts count as zero); the
# planner inlines it, so the callers' filters reach the table and its indexes.
INSTALLMENTS = """
    SELECT id, loan_id, number, due_date, paid, COALESCE(total, 0) AS total,
           COALESCE(penalty, 0) AS charged,
           COALESCE(interest_receivable, 0) AS receivable,
           COALESCE(principal, 0) - COALESCE(principal_paid, 0) AS principal,
           COALESCE(interest, 0) - COALESCE(interest_paid, 0) - COALESCE(interest_waived, 0)
               AS interest,
           COALESCE(fee, 0) - COALESCE(fee_paid, 0) AS fee,
           COALESCE(penalty, 0) - COALESCE(penalty_paid, 0) AS penalty
      FROM sacco_loan_installment
"""

# The standing of loans as of a date (close of business): sacco_core.portfolio in SQL.
# Only rows whose standing changes are written.
STANDING_SQL = f"""
WITH line AS ({INSTALLMENTS}), arrears AS (
    -- Paid installments owe nothing: only unpaid ones due by the date are summed, per loan
    -- before meeting the loans (grouping the few loans in arrears, not every loan).
    SELECT loan_id, MIN(due_date) AS oldest, SUM(principal) AS principal,
           SUM(interest) AS interest, SUM(fee) AS fee, SUM(penalty) AS penalty
      FROM line
     WHERE due_date <= %(as_of)s AND NOT paid {{only_installments}}
     GROUP BY loan_id
), due AS (
    SELECT l.id,
           COALESCE(l.principal_outstanding, 0) AS principal_outstanding,
           i.oldest,
           COALESCE(i.principal, 0) AS principal,
           COALESCE(i.interest, 0) AS interest,
           COALESCE(i.fee, 0) AS fee,
           COALESCE(i.penalty, 0) AS penalty
      FROM sacco_loan l
      LEFT JOIN arrears i ON i.loan_id = l.id
     WHERE l.company_id = %(company)s AND l.state = 'active' {{only}}
), classed AS (
    SELECT due.*,
           COALESCE(%(as_of)s::date - due.oldest, 0) AS days,
           CASE WHEN COALESCE(%(as_of)s::date - due.oldest, 0) = 0 THEN 'performing'
                WHEN %(as_of)s::date - due.oldest <= %(watch)s THEN 'watch'
                WHEN %(as_of)s::date - due.oldest <= %(substandard)s THEN 'substandard'
                WHEN %(as_of)s::date - due.oldest <= %(doubtful)s THEN 'doubtful'
                ELSE 'loss'
           END AS sasra_class
      FROM due
), standing AS (
    SELECT classed.*,
           ROUND(principal_outstanding * CASE sasra_class
                 WHEN 'performing' THEN %(performing)s WHEN 'watch' THEN %(watch_rate)s
                 WHEN 'substandard' THEN %(substandard_rate)s
                 WHEN 'doubtful' THEN %(doubtful_rate)s ELSE %(loss_rate)s
           END / 100, 2) AS provision
      FROM classed
)
UPDATE sacco_loan l
   SET days_past_due = s.days, arrears_principal = s.principal, arrears_interest = s.interest,
       arrears_fee = s.fee, arrears_penalty = s.penalty,
       arrears_total = s.principal + s.interest + s.fee + s.penalty,
       sasra_class = s.sasra_class, provision_required = s.provision
  FROM standing s
 WHERE l.id = s.id
   AND (l.days_past_due, l.arrears_principal, l.arrears_interest, l.arrears_fee,
        l.arrears_penalty, l.sasra_class, l.provision_required)
       IS DISTINCT FROM (s.days, s.principal, s.interest, s.fee, s.penalty, s.sasra_class,
                         s.provision)
"""

# Each unpaid installment whose monthly anniversary after the grace days falls on the date:
# rate % of its overdue amount, within the product's cap and, on non-performing loans,
# within what the in-duplum rule leaves (sacco_core.portfolio).
PENALTY_SQL = f"""
WITH line AS ({INSTALLMENTS}), anniversary AS (
    -- The days from the oldest unpaid due date (after each product's grace days) whose
    -- monthly anniversary is the date: the only due dates penalised tonight, read from the
    -- index, instead of every installment in arrears.
    SELECT p.id AS product_id, s.start, s.start - COALESCE(p.penalty_grace_days, 0) AS due_date,
           ((EXTRACT(YEAR FROM %(as_of)s) - EXTRACT(YEAR FROM s.start)) * 12
            + EXTRACT(MONTH FROM %(as_of)s) - EXTRACT(MONTH FROM s.start))::int AS period
      FROM sacco_loan_product p,
           LATERAL (
               SELECT day::date AS start
                 FROM generate_series(
                     (SELECT MIN(due_date) FROM sacco_loan_installment WHERE NOT paid)
                         + COALESCE(p.penalty_grace_days, 0),
                     %(as_of)s::date - 1, INTERVAL '1 day') day
           ) s
     WHERE p.penalty_rate > 0
), candidate AS (
    SELECT i.id, i.loan_id, i.number, a.start, a.period,
           i.principal + i.interest + i.fee AS overdue, i.total, i.charged,
           p.penalty_rate::numeric AS rate, COALESCE(p.penalty_cap_percent, 0)::numeric AS cap,
           l.sasra_class,
           COALESCE(l.principal_outstanding, 0) - COALESCE(l.arrears_interest, 0)
               - COALESCE(l.arrears_penalty, 0) AS room
      FROM anniversary a
      JOIN line i ON i.due_date = a.due_date
      JOIN sacco_loan l ON l.id = i.loan_id AND l.product_id = a.product_id
      JOIN sacco_loan_product p ON p.id = l.product_id
     WHERE a.period >= 1 AND (a.start + a.period * INTERVAL '1 month')::date = %(as_of)s
       AND l.company_id = %(company)s AND l.state = 'active' AND NOT i.paid
       AND i.due_date < %(as_of)s
), charge AS (
    SELECT c.*,
           CASE WHEN c.cap > 0
                THEN GREATEST(LEAST(ROUND(c.overdue * c.rate / 100, 2),
                                    ROUND(c.total * c.cap / 100, 2) - c.charged), 0)
                ELSE ROUND(c.overdue * c.rate / 100, 2)
           END AS amount
      FROM candidate c
     WHERE c.overdue > 0
), capped AS (
    SELECT c.*,
           CASE WHEN c.sasra_class IN ('substandard', 'doubtful', 'loss')
                THEN GREATEST(LEAST(c.amount, GREATEST(c.room, 0)
                     - (SUM(c.amount) OVER (PARTITION BY c.loan_id ORDER BY c.number)
                        - c.amount)), 0)
                ELSE c.amount
           END AS charged_now
      FROM charge c
)
INSERT INTO sacco_loan_cob_charge
    (run_id, company_id, installment_id, loan_id, kind, period, amount)
SELECT %(run)s, %(company)s, id, loan_id, 'penalty', period, charged_now
  FROM capped WHERE charged_now > 0
ON CONFLICT (installment_id, kind, period) DO NOTHING
RETURNING id, loan_id, amount
"""

# The night's new penalties (%s: the charge log rows as ``c``) added to their loans' arrears.
PENALTY_ARREARS_SQL = """
UPDATE sacco_loan l
   SET arrears_penalty = COALESCE(l.arrears_penalty, 0) + c.amount,
       arrears_total = COALESCE(l.arrears_total, 0) + c.amount
  FROM (SELECT c.loan_id, SUM(c.amount) AS amount FROM %s GROUP BY c.loan_id) c
 WHERE l.id = c.loan_id
"""

# The unpaid interest not yet accrued of installments due on the date, on accrual products
# (not on Doubtful and Loss loans when accrual stops there).
ACCRUAL_SQL = f"""
WITH line AS ({INSTALLMENTS})
INSERT INTO sacco_loan_cob_charge
    (run_id, company_id, installment_id, loan_id, kind, period, amount)
SELECT %(run)s, %(company)s, i.id, l.id, 'accrual', 0, i.interest - i.receivable
  FROM line i
  JOIN sacco_loan l ON l.id = i.loan_id
  JOIN sacco_loan_product p ON p.id = l.product_id
 WHERE i.due_date = %(as_of)s AND l.company_id = %(company)s AND l.state = 'active'
   AND p.accounting_basis = 'accrual'
   AND NOT (%(stop)s AND l.sasra_class IN ('doubtful', 'loss'))
   AND i.interest - i.receivable > 0
ON CONFLICT (installment_id, kind, period) DO NOTHING
RETURNING id, loan_id, amount
"""


def _new_charges(charge_ids):
    """The charge log rows ``charge_ids`` as ``c``, read by id (a nested loop on the
    primary key, whatever the size of the log)."""
    return SQL("unnest(%s::int[]) AS n(id) JOIN sacco_loan_cob_charge c ON c.id = n.id", charge_ids)


# The SMS template of each kind of reminder.
REMINDER_TEMPLATES = {
    "upcoming": "sacco_loans.sacco_sms_template_loan_installment_reminder",
    "arrears": "sacco_loans.sacco_sms_template_loan_arrears",
}

# Who gets a reminder on a date, with what the message says: unpaid installments falling
# due on %(due)s, and loans on their first day in arrears or each 30 days in arrears.
REMINDERS_SQL = """
WITH reminder AS (
    SELECT 'upcoming' AS kind, l.id AS loan_id, i.number, i.due_date, i.amount_due AS amount,
           NULL::int AS days
      FROM sacco_loan_installment i JOIN sacco_loan l ON l.id = i.loan_id
     WHERE l.company_id = %(company)s AND l.state = 'active' AND i.due_date = %(due)s
       AND NOT i.paid
    UNION ALL
    SELECT 'arrears', l.id, 0, NULL, l.arrears_total, l.days_past_due
      FROM sacco_loan l
     WHERE l.company_id = %(company)s AND l.state = 'active'
       AND (l.days_past_due = 1 OR (l.days_past_due > 0 AND l.days_past_due %% 30 = 0))
)
SELECT r.kind, r.due_date, r.amount, r.days, l.name AS loan, m.id AS member_id,
       m.company_id, p.phone, p.name, m.member_number, b.name AS branch, c.name AS company
  FROM reminder r
  JOIN sacco_loan l ON l.id = r.loan_id
  JOIN sacco_member m ON m.id = l.member_id
  JOIN res_partner p ON p.id = m.partner_id
  LEFT JOIN sacco_branch b ON b.id = m.branch_id
  JOIN res_company c ON c.id = m.company_id
 WHERE COALESCE(p.phone, '') != ''
 ORDER BY r.kind DESC, r.loan_id, r.number
"""


class SaccoLoanCobRun(models.Model):
    """One nightly close of business of a company's loan portfolio for one date."""

    _name = "sacco.loan.cob.run"
    _description = "Loan Close of Business Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True, index=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")], default="running", required=True, readonly=True
    )
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    phases_done = fields.Char(readonly=True, default="", help="Phases finished and committed.")
    standing_seconds = fields.Float(string="Standing (s)", digits=(16, 3), readonly=True)
    accrual_seconds = fields.Float(string="Accrual (s)", digits=(16, 3), readonly=True)
    penalties_seconds = fields.Float(string="Penalties (s)", digits=(16, 3), readonly=True)
    provisioning_seconds = fields.Float(string="Provisioning (s)", digits=(16, 3), readonly=True)
    reminders_seconds = fields.Float(string="Reminders (s)", digits=(16, 3), readonly=True)
    total_seconds = fields.Float(string="Total (s)", digits=(16, 3), readonly=True)
    loan_count = fields.Integer(string="Loans Classified", readonly=True)
    accrual_line_count = fields.Integer(string="Accruals", readonly=True)
    accrual_amount = fields.Monetary(string="Interest Accrued", readonly=True)
    penalty_line_count = fields.Integer(string="Penalties", readonly=True)
    penalty_amount = fields.Monetary(string="Penalties Charged", readonly=True)
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    provision_amount = fields.Monetary(string="Provision Required", readonly=True)
    provision_change = fields.Monetary(readonly=True, help="Posted by this month-end run.")
    move_ids = fields.Many2many("account.move", string="Journal Entries", readonly=True)

    _sql_constraints = [
        ("company_date_uniq", "unique(company_id, date)", "One close of business per day."),
    ]

    @api.depends("company_id", "date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "Close of business %(date)s (%(company)s)",
                date=run.date,
                company=run.company_id.name,
            )

    # ---------------------------------------------------------------- entry points

    @api.model
    def run_close_of_business(self, run_date, company=None):
        """Close the loan portfolio of every company (or ``company``) for ``run_date``.

        Idempotent: a date already closed is left as it is; a run that stopped half-way
        resumes at its first unfinished phase, and every posting phase records its charges
        under a unique key, so nothing is posted twice. Returns the run records.
        """
        run_date = fields.Date.to_date(run_date)
        if run_date > fields.Date.context_today(self):
            raise UserError(self.env._("The close of business cannot run for a future date."))
        companies = company or self._lending_companies()
        runs = self.browse()
        for each in companies:
            runs |= self._run_for(each, run_date)
        return runs

    @api.model
    def _cron_close_of_business(self):
        """Close today, after any day missed since the last run (at most CATCH_UP_DAYS)."""
        today = fields.Date.context_today(self)
        for company in self._lending_companies():
            last = self.sudo().search(
                [("company_id", "=", company.id), ("state", "=", "done")],
                order="date desc",
                limit=1,
            )
            day = today
            if last:
                day = max(last.date + timedelta(days=1), today - timedelta(days=CATCH_UP_DAYS))
            while day <= today:
                self.run_close_of_business(day, company)
                day += timedelta(days=1)

    @api.model
    def _lending_companies(self):
        self.env["sacco.loan"].flush_model(["company_id"])
        # One index probe per company, not a scan of every loan.
        self.env.cr.execute(
            "SELECT id FROM res_company c "
            "WHERE EXISTS (SELECT 1 FROM sacco_loan l WHERE l.company_id = c.id) ORDER BY id"
        )
        return self.env["res.company"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    def action_resume(self):
        for run in self.filtered(lambda r: r.state == "running"):
            run._execute()
        return True

    # ---------------------------------------------------------------- driver

    @api.model
    def _run_for(self, company, run_date):
        run = self.sudo().search([("company_id", "=", company.id), ("date", "=", run_date)])
        if run.state == "done":
            return run
        if not run:
            run = self.sudo().create(
                {"company_id": company.id, "date": run_date, "started_at": fields.Datetime.now()}
            )
            self._commit()
        run._execute()
        return run

    def _execute(self):
        self.ensure_one()
        run = self.sudo()
        for phase in PHASES:
            if phase in run._done_phases():
                continue
            started = time.perf_counter()
            # Few, large statements: room to hash and sort in memory, and no JIT compiling
            # (it costs more than it saves on queries of a second); for this phase only.
            self.env.cr.execute("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")
            getattr(run, f"_phase_{phase}")()
            run.write(
                {
                    f"{phase}_seconds": time.perf_counter() - started,
                    "phases_done": ",".join([*run._done_phases(), phase]),
                }
            )
            self._commit()
        seconds = sum(run[f"{phase}_seconds"] for phase in PHASES)
        run.write({"state": "done", "finished_at": fields.Datetime.now(), "total_seconds": seconds})
        self._commit()

    def _done_phases(self):
        return [phase for phase in (self.phases_done or "").split(",") if phase]

    def _commit(self):
        # Each phase is committed with its marker so a crash resumes where it stopped; the
        # tests run in one transaction they roll back, and so does the demo history, loaded
        # inside the module installation's savepoint.
        if not (module.current_test or self.env.context.get("sacco_cob_no_commit")):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ---------------------------------------------------------------- phases

    def _phase_standing(self):
        self._update_standing(self.company_id, self.date)
        self.env.cr.execute(
            "SELECT count(*) FROM sacco_loan WHERE company_id = %s AND state = 'active'",
            [self.company_id.id],
        )
        self.loan_count = self.env.cr.fetchone()[0]

    def _phase_accrual(self):
        params = {"stop": self.company_id.sacco_cob_stop_accrual}
        self._charge_installments(
            "accrual",
            ACCRUAL_SQL,
            params,
            self.env._("Interest accrual"),
            lambda product: product._interest_receivable_account(),
            lambda product: product._interest_income_account(),
            ["interest_receivable"],
        )

    def _phase_penalties(self):
        # A penalty only falls on an unpaid installment, which it leaves unpaid.
        charges = self._charge_installments(
            "penalty",
            PENALTY_SQL,
            {},
            self.env._("Penalty"),
            lambda product: product._penalty_receivable_account(),
            lambda product: product._penalty_income_account(),
            ["penalty", "amount_due"],
        )
        if charges:
            # The penalties fall on installments in arrears: they add to the arrears as they
            # are, the rest of the standing is unchanged.
            ids = [charge[0] for charge in charges]
            self.env.cr.execute(SQL(PENALTY_ARREARS_SQL, _new_charges(ids)))
            self.env["sacco.loan"].invalidate_model(["arrears_penalty", "arrears_total"])

    def _charge_installments(self, kind, sql, params, label, debit, credit, columns):
        """Log the night's charges (``sql`` inserts them and returns the new (charge id, loan
        id, amount) rows), post them, add each to ``columns`` of its installment and count
        them on the run as ``kind``. Returns the new charges."""
        self.env.flush_all()
        self.env.cr.execute(
            sql, {"run": self.id, "company": self.company_id.id, "as_of": self.date, **params}
        )
        charges = self.env.cr.fetchall()
        self._post_charges(charges, label, debit, credit)
        increments = SQL(", ").join(
            SQL(
                "%s = COALESCE(%s, 0) + c.amount",
                SQL.identifier(column),
                SQL.identifier("i", column),
            )
            for column in columns
        )
        # Only this attempt's new charges: a phase resumed after a crash may find its
        # charges of the first attempt in the log, already applied.
        self.env.cr.execute(
            SQL(
                "UPDATE sacco_loan_installment i SET %s FROM %s WHERE c.installment_id = i.id",
                increments,
                _new_charges([charge[0] for charge in charges]),
            )
        )
        self.env["sacco.loan.installment"].invalidate_model(columns)
        self.write(
            {
                f"{kind}_line_count": len(charges),
                f"{kind}_amount": float(sum(charge[2] for charge in charges)),
            }
        )
        return charges

    def _phase_provisioning(self):
        """On the last day of a month, bring the loan-loss provision to the required total."""
        company, currency = self.company_id, self.company_id.currency_id
        self.env.cr.execute(
            "SELECT COALESCE(SUM(provision_required), 0) FROM sacco_loan "
            "WHERE company_id = %s AND state = 'active'",
            [company.id],
        )
        required = float(self.env.cr.fetchone()[0])
        self.provision_amount = required
        if (self.date + timedelta(days=1)).month == self.date.month:
            return
        provision = company._sacco_account("sacco_account_provision_id")
        expense = company._sacco_account("sacco_account_provision_expense_id")
        self.env["account.move.line"].flush_model()
        self.env.cr.execute(
            """
            SELECT COALESCE(SUM(credit - debit), 0) FROM account_move_line
             WHERE account_id = %s AND company_id = %s AND parent_state = 'posted' AND date <= %s
            """,
            [provision.id, company.id, self.date],
        )
        change = currency.round(required - float(self.env.cr.fetchone()[0]))
        if currency.is_zero(change):
            return
        label = self.env._("Loan loss provision at %s", self.date)
        debit, credit = (expense, provision) if change > 0 else (provision, expense)
        move = self._post_total(label, label, debit, credit, abs(change))
        self.write({"provision_change": change, "move_ids": [fields.Command.link(move.id)]})

    def _phase_reminders(self):
        self.reminder_count = self._queue_reminders(self.company_id, self.date)

    # ---------------------------------------------------------------- standing and reminders

    @api.model
    def _update_standing(self, company, as_of, loan_ids=None):
        """Days past due, arrears by component, SASRA class and provision required of the
        company's active loans (or ``loan_ids``) as of a date, in one UPDATE mirroring
        sacco_core.portfolio; loans no longer active drop their arrears and provision."""
        self.env.flush_all()
        params = {
            "company": company.id,
            "as_of": as_of,
            "ids": loan_ids,
            **company._sacco_cob_sql_params(),
        }
        only = "AND l.id = ANY(%(ids)s)" if loan_ids is not None else ""
        only_installments = "AND loan_id = ANY(%(ids)s)" if loan_ids is not None else ""
        self.env.cr.execute(
            STANDING_SQL.format(only=only, only_installments=only_installments), params
        )
        changed = self.env.cr.rowcount
        self.env.cr.execute(
            f"""
            UPDATE sacco_loan l
               SET days_past_due = 0, arrears_principal = 0, arrears_interest = 0,
                   arrears_fee = 0, arrears_penalty = 0, arrears_total = 0,
                   provision_required = 0
             WHERE l.company_id = %(company)s AND l.state != 'active' {only}
               AND (l.days_past_due != 0 OR l.arrears_total != 0 OR l.provision_required != 0)
            """,
            params,
        )
        self.env["sacco.loan"].invalidate_model(STANDING_FIELDS)
        return changed

    @api.model
    def _queue_reminders(self, company, as_of):
        """Queue the SMS reminders of a date: installments due in the company's reminder
        days, and loans on their first day in arrears or each 30 days in arrears. One
        SELECT reads every recipient, one INSERT queues them. Returns the number queued."""
        self.env.flush_all()
        self.env.cr.execute(
            REMINDERS_SQL,
            {
                "company": company.id,
                "due": as_of + timedelta(days=company.sacco_cob_reminder_days),
            },
        )
        rows = self.env.cr.dictfetchall()
        currency = company.currency_id.name
        queued = 0
        for kind, xmlid in REMINDER_TEMPLATES.items():
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if not template or not template.active:
                continue
            messages = [
                (
                    row["member_id"],
                    row["company_id"],
                    row["phone"],
                    template._render_with(self._reminder_values(row, currency)),
                )
                for row in rows
                if row["kind"] == kind
            ]
            queued += self.env["sacco.sms.message"]._queue_rendered(template, messages)
        return queued

    @api.model
    def _reminder_values(self, row, currency):
        values = {key: row[key] for key in ("name", "member_number", "branch", "company", "loan")}
        values["amount"] = sms_amount(currency, row["amount"])
        if row["kind"] == "upcoming":
            values["due_date"] = str(row["due_date"])
        else:
            values["days"] = str(row["days"])
        return values

    # ---------------------------------------------------------------- posting

    def _post_charges(self, charges, label, debit_account, credit_account):
        """Post ``(charge id, loan id, amount)`` rows: Dr ``debit_account`` per loan (the
        member as partner, the loan on the item), Cr ``credit_account`` in total, one entry
        per pair of product accounts."""
        # The loans' products in one query (browsing tens of thousands of loans would read
        # every column of each, a thousand at a time).
        self.env.cr.execute(
            "SELECT product_id, array_agg(id) FROM sacco_loan WHERE id = ANY(%s) "
            "GROUP BY product_id ORDER BY product_id",
            [list({charge[1] for charge in charges})],
        )
        by_accounts = defaultdict(list)
        for product_id, loan_ids in self.env.cr.fetchall():
            product = self.env["sacco.loan.product"].browse(product_id)
            by_accounts[(debit_account(product), credit_account(product))] += loan_ids
        moves = self.env["account.move"]
        for (debit, credit), loan_ids in by_accounts.items():
            ids = set(loan_ids)
            group = [charge for charge in charges if charge[1] in ids]
            moves |= self._post_group(group, label, debit, credit)
        if moves:
            self.write({"move_ids": [fields.Command.link(move.id) for move in moves]})
        return moves

    def _post_group(self, charges, label, debit, credit):
        """One entry posted by the ORM with the total on each side; its debit item is then
        split into one item per loan by a single INSERT ... SELECT copying it (every stored
        column, amounts scaled to the loan's share), so the entry stays balanced and posted
        while thousands of loans cost one statement, not thousands of ORM records."""
        total = sum(charge[2] for charge in charges)
        ref = self.env._("%(label)s %(date)s", label=label, date=self.date)
        move = self._post_total(ref, label, debit, credit, total)
        template = move.line_ids.filtered(lambda line: line.debit)
        self.env.flush_all()
        Line = self.env["account.move.line"]
        copied, scaled = split_item_columns(Line)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_move_line (%s, partner_id, sacco_loan_id, name, %s)
                SELECT %s, m.partner_id, l.id, %s || ' ' || l.name, %s
                  FROM account_move_line t, sacco_loan_cob_charge c
                  JOIN sacco_loan l ON l.id = c.loan_id
                  JOIN sacco_member m ON m.id = l.member_id
                 WHERE t.id = %s AND c.id = ANY(%s)
                """,
                SQL(", ").join(SQL.identifier(name) for name in copied),
                SQL(", ").join(SQL.identifier(name) for name in scaled),
                SQL(", ").join(SQL.identifier("t", name) for name in copied),
                label,
                SQL(", ").join(
                    SQL("ROUND((%s * c.amount / %s)::numeric, 2)", SQL.identifier("t", name), total)
                    for name in scaled
                ),
                template.id,
                [charge[0] for charge in charges],
            )
        )
        self.env.cr.execute("DELETE FROM account_move_line WHERE id = %s", [template.id])
        self.env.cr.execute(
            "UPDATE sacco_loan_cob_charge SET move_id = %s WHERE id = ANY(%s)",
            [move.id, [charge[0] for charge in charges]],
        )
        Line.invalidate_model()
        move.invalidate_recordset(["line_ids"])
        return move

    def _post_total(self, ref, label, debit, credit, amount):
        """Post ``amount`` from ``credit`` to ``debit`` in the close-of-business journal."""
        ledger, nobody = self.env["sacco.ledger"].sudo(), self.env["res.partner"]
        return ledger._post_entry(
            self._journal(),
            self.date,
            ref,
            [
                ledger._line(debit, nobody, label, debit=amount),
                ledger._line(credit, nobody, label, credit=amount),
            ],
        )

    def _journal(self):
        """The company's "Loan Close of Business" journal, created on first use."""
        Journal = self.env["account.journal"].sudo()
        domain = [("code", "=", COB_JOURNAL_CODE), ("company_id", "=", self.company_id.id)]
        return Journal.search(domain, limit=1) or Journal.create(
            {
                "name": self.env._("Loan Close of Business"),
                "code": COB_JOURNAL_CODE,
                "type": "general",
                "company_id": self.company_id.id,
            }
        )
