import time

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .account_move import fingerprint_query

ACCOUNTANT_GROUP = "sacco_base.sacco_base_group_accountant"
# A run stores at most this many findings per check (and says how many there were): a broken
# mapping can make every loan differ, and the first thousand show the pattern.
FINDINGS_PER_CHECK = 1000


class SaccoIntegrityRun(models.Model):
    """One pass of the ledger integrity checks over a company's books.

    Every check is one set-based query returning only the differences. Add-ons add their
    checks by extending ``_integrity_checks``.
    """

    _name = "sacco.integrity.run"
    _description = "Ledger Integrity Check"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    trigger = fields.Selection(
        [("cron", "Nightly"), ("manual", "On request")], required=True, readonly=True
    )
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    state = fields.Selection(
        [("clean", "Clean"), ("findings", "Differences found")],
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    check_count = fields.Integer(string="Checks Run", readonly=True)
    finding_count = fields.Integer(string="Differences", readonly=True)
    duration = fields.Float(string="Duration (s)", digits=(16, 2), readonly=True)
    summary = fields.Text(readonly=True, help="Each check and how many differences it found.")
    finding_ids = fields.One2many("sacco.integrity.finding", "run_id", readonly=True)

    # ---------------------------------------------------------------- running

    def action_run_now(self):
        """The accountants' button: check the current company's books now."""
        if not (self.env.is_superuser() or self.env.user.has_group(ACCOUNTANT_GROUP)):
            raise AccessError(self.env._("Only an accountant can run the ledger integrity check."))
        run = self.sudo()._run_for(self.env.company, "manual", self.env.user)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_run_integrity_check(self):
        # A handful of companies at most: one run each.
        for company in self.env["res.company"].search([]):  # pylint: disable=no-search-all
            self._run_for(company, "cron")

    @api.model
    def _run_for(self, company, trigger, user=None):
        """Run every check over ``company``'s books and store the run with its findings."""
        self.env.flush_all()
        start = time.perf_counter()
        findings, summary = [], []
        checks = self._integrity_checks()
        for code, label, check in checks:
            found = check(company)
            summary.append(
                self.env._("%(label)s: %(count)s", label=label, count=len(found) or "OK")
            )
            findings += [
                {"check": code, "check_name": label, **vals} for vals in found[:FINDINGS_PER_CHECK]
            ]
        run = self.create(
            {
                "name": self.env._(
                    "Integrity check %(company)s %(at)s",
                    company=company.name,
                    at=fields.Datetime.to_string(fields.Datetime.now()),
                ),
                "company_id": company.id,
                "trigger": trigger,
                "user_id": user.id if user else False,
                "state": "findings" if findings else "clean",
                "check_count": len(checks),
                "finding_count": len(findings),
                "summary": "\n".join(summary),
                "finding_ids": [fields.Command.create(vals) for vals in findings],
                "duration": time.perf_counter() - start,
            }
        )
        if findings:
            run._notify_accountants()
        return run

    def _notify_accountants(self):
        self.ensure_one()
        accountants = (
            self.env.ref(ACCOUNTANT_GROUP)
            .users.filtered(lambda user: self.company_id in user.company_ids)
            .partner_id
        )
        self.message_post(
            body=self.env._(
                "The ledger integrity check found %(count)s differences in the books of "
                "%(company)s. Open the run to see each one and its journal items.",
                count=self.finding_count,
                company=self.company_id.name,
            ),
            partner_ids=accountants.ids,
            subtype_xmlid="mail.mt_comment",
        )

    # ---------------------------------------------------------------- the checks

    @api.model
    def _integrity_checks(self):
        """``(code, label, check)`` triples; ``check(company)`` returns finding values (dicts
        of ``sacco.integrity.finding`` fields) from one set-based query. Add-ons append
        theirs (savings: member accounts, loans: the loan book)."""
        return [
            ("move_unbalanced", self.env._("Every posted entry balances"), self._check_balanced),
            (
                "move_edited",
                self.env._("No posted SACCO entry edited since posting"),
                self._check_sealed,
            ),
        ]

    @api.model
    def _fetch(self, query):
        self.env.cr.execute(query)
        return self.env.cr.dictfetchall()

    @api.model
    def _check_balanced(self, company):
        rows = self._fetch(
            SQL(
                """
                SELECT m.id, m.name, SUM(l.debit) AS debit, SUM(l.credit) AS credit
                  FROM account_move m JOIN account_move_line l ON l.move_id = m.id
                 WHERE m.state = 'posted' AND m.company_id = %s
                 GROUP BY m.id
                HAVING round(SUM(l.debit) - SUM(l.credit), 2) <> 0
                """,
                company.id,
            )
        )
        return [
            {
                "name": self.env._("Entry %s does not balance (debit vs credit)", row["name"]),
                "move_id": row["id"],
                "res_model": "account.move",
                "res_id": row["id"],
                "item_field": "move_id",
                "expected": row["debit"],
                "actual": row["credit"],
            }
            for row in rows
        ]

    @api.model
    def _check_sealed(self, company):
        """Sealed entries no longer posted, or whose fingerprint changed."""
        rows = self._fetch(
            SQL(
                """
                SELECT m.id, m.name, m.state
                  FROM account_move m
                  LEFT JOIN (%s) f ON f.move_id = m.id
                 WHERE m.sacco_fingerprint IS NOT NULL AND m.company_id = %s
                   AND (m.state <> 'posted' OR f.fingerprint IS DISTINCT FROM m.sacco_fingerprint)
                """,
                fingerprint_query(
                    SQL("m.sacco_fingerprint IS NOT NULL AND m.company_id = %s", company.id)
                ),
                company.id,
            )
        )
        return [
            {
                "name": (
                    self.env._("Entry %s was edited after posting", row["name"])
                    if row["state"] == "posted"
                    else self.env._("Entry %s is no longer posted", row["name"])
                ),
                "move_id": row["id"],
                "res_model": "account.move",
                "res_id": row["id"],
                "item_field": "move_id",
            }
            for row in rows
        ]

    @api.model
    def _check_control_accounts(self, company, expected, gl_sign, describe):
        """Per control account: the sub-ledger total it must carry vs all its posted items.
        ``expected`` is SQL of (account_id, expected) rows, summed per account; ``gl_sign``
        turns the GL balance into the sub-ledger's sign (-1 for liabilities)."""
        query = SQL(
            """
            WITH sub AS (
                SELECT account_id, SUM(expected) AS expected FROM (%(expected)s) e GROUP BY 1),
            gl AS (
                SELECT account_id, %(sign)s * SUM(balance) AS balance
                  FROM account_move_line
                 WHERE account_id IN (SELECT account_id FROM sub)
                   AND parent_state = 'posted' AND company_id = %(company)s
                 GROUP BY 1)
            SELECT sub.account_id AS id, sub.account_id, sub.expected,
                   COALESCE(gl.balance, 0) AS actual
              FROM sub LEFT JOIN gl ON gl.account_id = sub.account_id
             WHERE round(sub.expected - COALESCE(gl.balance, 0), 2) <> 0
            """,
            expected=expected,
            sign=gl_sign,
            company=company.id,
        )
        return self._check_sub_ledger(
            company,
            query,
            lambda row: describe(self.env["account.account"].browse(row["account_id"])),
            "account.account",
            "account_id",
        )

    @api.model
    def _check_sub_ledger(self, company, query, describe, res_model, item_field):
        """Findings of a "sub-ledger vs GL" query returning ``id``, ``account_id``,
        ``expected`` (the sub-ledger) and ``actual`` (the GL) per differing record;
        ``describe(row)`` words the finding."""
        return [
            {
                "name": describe(row),
                "res_model": res_model,
                "res_id": row["id"],
                "item_field": item_field,
                "account_id": row["account_id"],
                "expected": row["expected"],
                "actual": row["actual"],
            }
            for row in self._fetch(query)
        ]
