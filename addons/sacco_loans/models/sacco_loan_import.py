import base64
import logging
import math
from datetime import timedelta
from decimal import Decimal

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.sacco_savings.tools.xlsx import download_action, xlsx_table, xlsx_workbook

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_import import (
    COLUMNS,
    STATUSES,
    opening_position,
    parse_loan_rows,
    read_loan_table,
)
from sacco_core.loans import build_schedule
from sacco_core.money import to_money

_logger = logging.getLogger(__name__)
# Members who cannot hold a migrated loan: not yet admitted, or gone.
NO_LOAN_MEMBER_STATES = ("applicant", "exited")
ZERO = Decimal("0.00")
INSTALLMENT_COLUMNS = (
    "loan_id",
    "number",
    "due_date",
    "principal",
    "interest",
    "total",
    "principal_paid",
    "interest_paid",
    "interest_waived",
    "interest_receivable",
    "amount_due",
    "paid",
    "member_id",
    "branch_id",
    "company_id",
)
INSERT_INSTALLMENTS = """
INSERT INTO sacco_loan_installment
    (loan_id, number, due_date, principal, interest, total, principal_paid, interest_paid,
     interest_waived, interest_receivable, amount_due, paid, member_id, branch_id, company_id,
     fee, fee_paid, penalty, penalty_paid, create_uid, write_uid, create_date, write_date)
SELECT v.*, 0, 0, 0, 0, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
  FROM unnest(
        %(loan_id)s::int[], %(number)s::int[], %(due_date)s::date[], %(principal)s::numeric[],
        %(interest)s::numeric[], %(total)s::numeric[], %(principal_paid)s::numeric[],
        %(interest_paid)s::numeric[], %(interest_waived)s::numeric[],
        %(interest_receivable)s::numeric[], %(amount_due)s::numeric[], %(paid)s::bool[],
        %(member_id)s::int[], %(branch_id)s::int[], %(company_id)s::int[]
       ) AS v
"""
# Changing these after validation sends the import back to draft.
REVALIDATE_FIELDS = ("file", "cutover_date", "allow_outside_limits", "company_id")


def _money(value):
    return to_money(value, strict=False)


class SaccoLoanImport(models.Model):
    """Moving an existing SACCO's loan book in: the file is read and every row checked
    (nothing can be imported while one row is wrong), then the loans are created with their
    schedules rebuilt from the product and opened at the file's outstanding principal and
    arrears, in batches each posting one opening-balance entry (Dr portfolio per loan, Cr
    opening balances). A batch is all or nothing; from the cron each batch is committed."""

    _name = "sacco.loan.import"
    _description = "Loan-book Import"
    _inherit = ["mail.thread", "sacco.uploaded.file.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cutover_date = fields.Date(
        string="Cut-over Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Installments due by this date are paid or in arrears as the file says; the "
        "opening balances are posted on it.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain=[("type", "=", "general")],
        default=lambda self: self._default_journal(),
    )
    allow_outside_limits = fields.Boolean(
        string="Allow Terms and Amounts outside Product Limits",
        help="Migrated loans may have been granted under older limits of their product.",
    )
    batch_size = fields.Integer(default=500, help="Loans created and posted per batch.")
    file = fields.Binary(string="Loan-book File")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("validated", "Validated"),
            ("importing", "Importing"),
            ("failed", "Failed"),
            ("done", "Imported"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    line_ids = fields.One2many("sacco.loan.import.line", "import_id", string="Rows")
    missing_line_ids = fields.One2many(
        "sacco.loan.import.line",
        "import_id",
        string="Missing Members",
        domain=[("state", "=", "missing")],
    )
    move_ids = fields.Many2many("account.move", string="Opening Entries", readonly=True, copy=False)
    line_count = fields.Integer(string="Rows Read", compute="_compute_counts")
    error_count = fields.Integer(string="Rows with Errors", compute="_compute_counts")
    missing_count = fields.Integer(string="Members Missing", compute="_compute_counts")
    valid_count = fields.Integer(string="Rows to Import", compute="_compute_counts")
    imported_count = fields.Integer(string="Loans Imported", compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts", help="Share of the rows imported.")
    total_outstanding = fields.Monetary(string="Principal Outstanding", compute="_compute_counts")
    total_arrears = fields.Monetary(string="Arrears", compute="_compute_counts")

    _sql_constraints = [
        ("batch_size_positive", "CHECK(batch_size > 0)", "The batch size must be above zero."),
    ]

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search(
            [
                ("type", "=", "general"),
                *self.env["account.journal"]._check_company_domain(self.env.company),
            ],
            limit=1,
        )

    @api.depends("line_ids.state")
    def _compute_counts(self):
        groups = self.env["sacco.loan.import.line"]._read_group(
            [("import_id", "in", self.ids)],
            ["import_id", "state"],
            ["__count", "outstanding_principal:sum", "arrears_amount:sum"],
        )
        counts = {}
        for record, state, count, outstanding, arrears in groups:
            counts.setdefault(record.id, {})[state] = (count, outstanding, arrears)
        for record in self:
            mine = counts.get(record._origin.id, {})
            count = {state: mine.get(state, (0, 0.0, 0.0))[0] for state in ("error", "missing")}
            valid, imported = mine.get("valid", (0, 0.0, 0.0)), mine.get("imported", (0, 0.0, 0.0))
            total = sum(value[0] for value in mine.values())
            record.update(
                {
                    "line_count": total,
                    "error_count": count["error"],
                    "missing_count": count["missing"],
                    "valid_count": valid[0],
                    "imported_count": imported[0],
                    "progress": 100.0 * imported[0] / total if total else 0.0,
                    "total_outstanding": valid[1] + imported[1],
                    "total_arrears": valid[2] + imported[2],
                }
            )

    @api.constrains("cutover_date")
    def _check_cutover_date(self):
        for record in self:
            if record.cutover_date > fields.Date.context_today(record):
                raise ValidationError(self.env._("The cut-over date cannot be in the future."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("sacco.loan.import")
                )
        return super().create(vals_list)

    def write(self, vals):
        if any(name in vals for name in REVALIDATE_FIELDS):
            if any(record.state not in ("draft", "validated") for record in self):
                raise UserError(self.env._("An import under way or done cannot be changed."))
            self.line_ids.unlink()
            vals = {**vals, "state": "draft", "error_message": False}
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_imported(self):
        if any(record.state in ("importing", "failed", "done") for record in self):
            raise UserError(self.env._("An import that created loans cannot be deleted."))

    def _uploaded_file_description(self):
        self.ensure_one()
        return self.env._(
            "loan-book import %(name)s (%(state)s)",
            name=self.name,
            state=dict(self._fields["state"].selection)[self.state],
        )

    # ---------------------------------------------------------------- validation

    def action_validate(self):
        """Read the file and check every row; rows are kept with their problems, and the
        import is validated only when none has any."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("draft", "validated"):
            raise UserError(self.env._("Only an import not yet started can be validated."))
        if not self.file:
            raise UserError(self.env._("Upload the loan-book file first."))
        try:
            table = read_loan_table(base64.b64decode(self.file), self.file_name or "")
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        self.line_ids.unlink()
        parsed = parse_loan_rows(table, self.cutover_date)
        self.env["sacco.loan.import.line"].create(self._prepare_line_vals(parsed))
        bad = self.error_count + self.missing_count
        message = bad and self.env._(
            "%(bad)s of %(rows)s rows have errors or unknown members and nothing can be "
            "imported. Download the error report, correct the file (or register the missing "
            "members) and validate again.",
            bad=bad,
            rows=self.line_count,
        )
        self.write({"state": "draft" if bad else "validated", "error_message": message})
        return True

    def _prepare_line_vals(self, parsed):
        loans = [row.loan for row in parsed if row.loan]
        members = self._match_members(loans)
        products = {
            product.code: product
            for product in self.env["sacco.loan.product"].search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("code", "in", [loan.product_code for loan in loans]),
                ]
            )
        }
        existing = self._existing_loans(members)
        vals_list = []
        for row in parsed:
            vals = {
                "import_id": self.id,
                "line_number": row.line,
                "cells": row.cells,
                "member_number": row.cells["member_number"],
                "id_number": row.cells["id_number"],
                "name": row.cells["name"],
                "phone": row.cells["phone"],
                "product_code": row.cells["product_code"],
                "state": "error",
                "message": "\n".join(row.messages),
            }
            if row.loan:
                member = members.get(row.loan.member_number) or members.get(
                    ("id", row.loan.id_number)
                )
                product = products.get(row.loan.product_code)
                vals.update(self._check_loan(row.loan, member, product, existing))
            vals_list.append(vals)
        return vals_list

    def _match_members(self, loans):
        """Member number -> member, and ("id", ID number) -> member, in the company."""
        numbers = [loan.member_number for loan in loans if loan.member_number]
        ids = [loan.id_number for loan in loans if loan.id_number]
        found = self.env["sacco.member"].search(
            [
                ("company_id", "=", self.company_id.id),
                "|",
                ("member_number", "in", numbers),
                ("id_number", "in", ids),
            ]
        )
        result = {member.member_number: member for member in found if member.member_number}
        result.update({("id", member.id_number): member for member in found})
        return result

    def _existing_loans(self, members):
        """(member, product, disbursement date, principal) -> loan already in the books."""
        loans = self.env["sacco.loan"].search(
            [("member_id", "in", [member.id for member in members.values()])]
        )
        return {
            (loan.member_id.id, loan.product_id.id, loan.disbursed_on, _money(loan.principal)): loan
            for loan in loans
        }

    def _check_loan(self, loan, member, product, existing):
        """The line values of a row whose cells are valid, with what its member, product
        and rebuilt schedule say about it."""
        messages = []
        if not member:
            messages.append(
                self.env._(
                    "No member with number %(number)s or ID number %(id)s; register the "
                    "member, then validate again.",
                    number=loan.member_number or "-",
                    id=loan.id_number or "-",
                )
            )
        elif member.state in NO_LOAN_MEMBER_STATES:
            messages.append(
                self.env._(
                    "Member %(member)s is %(state)s and cannot hold a loan.",
                    member=member.member_number or member.name,
                    state=dict(member._fields["state"].selection)[member.state].lower(),
                )
            )
        vals = {
            "member_id": member.id if member else False,
            "principal": float(loan.principal),
            "term": loan.term,
            "disbursed_on": loan.disbursed_on,
            "outstanding_principal": float(loan.outstanding),
            "arrears_amount": float(loan.arrears),
            "status": loan.status,
        }
        if not product:
            messages.append(
                self.env._("No active loan product has the code %s.", loan.product_code)
            )
        else:
            vals["product_id"] = product.id
            messages += self._check_limits(loan, product)
            if member and (member.id, product.id, loan.disbursed_on, loan.principal) in existing:
                messages.append(
                    self.env._(
                        "Loan %s has the same member, product, disbursement date and "
                        "principal; it is already in the books.",
                        existing[(member.id, product.id, loan.disbursed_on, loan.principal)].name,
                    )
                )
            schedule_vals, schedule_error = self._schedule_summary(loan, product)
            vals.update(schedule_vals)
            messages += schedule_error
        state = "valid" if not messages else ("error" if member else "missing")
        return dict(vals, state=state, message="\n".join(messages))

    def _check_limits(self, loan, product):
        if self.allow_outside_limits:
            return []
        messages = []
        if not product.min_term <= loan.term <= product.max_term:
            messages.append(
                self.env._(
                    "Term %(term)s is outside %(product)s's limits (%(min)s to %(max)s "
                    "installments); allow terms outside product limits to import it.",
                    term=loan.term,
                    product=product.code,
                    min=product.min_term,
                    max=product.max_term,
                )
            )
        cur = product.currency_id
        if (
            cur.compare_amounts(float(loan.principal), product.min_amount) < 0
            or cur.compare_amounts(float(loan.principal), product.max_amount) > 0
        ):
            messages.append(
                self.env._(
                    "Principal %(principal)s is outside %(product)s's limits (%(min)s to "
                    "%(max)s); allow amounts outside product limits to import it.",
                    principal=loan.principal,
                    product=product.code,
                    min=cur.format(product.min_amount),
                    max=cur.format(product.max_amount),
                )
            )
        return messages

    def _schedule_summary(self, loan, product):
        """The preview of a row's rebuilt schedule and its opening position, and the
        reason (as a one-message list) when they cannot be built."""
        rate = loan.annual_rate
        if rate is None:
            rate = Decimal(str(product.interest_rate))
        vals = {"annual_rate": float(rate)}
        try:
            rows = self._schedule(product, loan.principal, rate, loan.term, loan.disbursed_on)
            due = sum(1 for row in rows if row.due_on <= self.cutover_date)
            paid = opening_position(
                [(row.principal, row.interest) for row in rows], due, loan.outstanding, loan.arrears
            )
        except SaccoRuleError as error:
            return vals, [str(error)]
        vals.update(
            {
                "installment_amount": float(rows[0].total),
                "total_interest": float(sum((row.interest for row in rows), Decimal(0))),
                "installments_due": due,
                "installments_paid": sum(
                    1
                    for row, (principal, interest) in zip(rows, paid, strict=True)
                    if principal + interest == row.total
                ),
                "maturity_date": rows[-1].due_on,
            }
        )
        return vals, []

    @api.model
    def _schedule(self, product, principal, rate, term, disbursed_on):
        """The product's schedule at the row's principal, rate, term and disbursement date."""
        return build_schedule(
            _money(principal),
            Decimal(str(rate)),
            term,
            product.frequency,
            product.method,
            disbursed_on,
            principal_grace=product.principal_grace,
            interest_grace=product.interest_grace,
            installment_multiple=_money(product.installment_multiple),
            rounding=product.rounding,
        )

    # ---------------------------------------------------------------- import

    def action_import(self):
        """Import a validated file: at once when it fits in one batch, else in the
        background (the cron imports and commits one batch at a time)."""
        self.ensure_one()
        self.check_access("write")
        if self.state not in ("validated", "failed"):
            raise UserError(self.env._("Validate the file without errors before importing it."))
        if self.error_count or self.missing_count:
            raise UserError(self.env._("Rows with errors or unknown members: nothing imported."))
        self.company_id._sacco_account("sacco_account_opening_balance_id")
        self.write({"state": "importing", "error_message": False})
        if self.valid_count <= self.batch_size:
            self._import_batch()
        else:
            self.env.ref("sacco_loans.ir_cron_sacco_loan_import")._trigger()
        return True

    @api.model
    def _cron_import_batches(self):
        """Import one batch of the oldest import under way; the cron commits it and calls
        again while batches remain."""
        imports = self.search([("state", "=", "importing")], order="id")
        if not imports:
            return
        imports[0]._import_batch()
        left = self.env["sacco.loan.import.line"].search_count(
            [("import_id", "in", imports.ids), ("state", "=", "valid")]
        )
        self.env["ir.cron"]._notify_progress(
            done=1, remaining=math.ceil(left / imports[0].batch_size)
        )

    def _import_batch(self):
        """Create the loans of the next batch of rows and post their opening balances in a
        savepoint: on any error the whole batch is rolled back and the import fails (a new
        Import resumes from that batch)."""
        self.ensure_one()
        lines = self.env["sacco.loan.import.line"].search(
            [("import_id", "=", self.id), ("state", "=", "valid")],
            order="line_number",
            limit=self.batch_size,
        )
        try:
            with self.env.cr.savepoint():
                loans = self._create_loans(lines)
                self._post_opening_balances(loans)
                self.env.cr.execute(
                    """UPDATE sacco_loan_import_line AS line
                          SET state = 'imported', loan_id = row.loan_id
                         FROM unnest(%s::int[], %s::int[]) AS row(id, loan_id)
                        WHERE line.id = row.id""",
                    [lines.ids, loans.ids],
                )
                lines.invalidate_recordset(["state", "loan_id"])
                self.invalidate_recordset()
        except (UserError, SaccoRuleError, psycopg2.Error) as error:
            _logger.warning("Loan-book import %s failed: %s", self.name, error)
            self.write(
                {
                    "state": "failed",
                    "error_message": self.env._(
                        "The batch from line %(line)s failed and was rolled back: %(error)s",
                        line=lines[:1].line_number,
                        error=error,
                    ),
                }
            )
            return
        if not self.valid_count:
            self.state = "done"

    def _create_loans(self, lines):
        """The loans by the ORM, their installments by one INSERT (the ORM takes
        milliseconds per installment), then the loans' totals computed from them."""
        prepared = [self._prepare_loan(line) for line in lines]
        Loan = self.env["sacco.loan"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        loans = Loan.create([vals for vals, _installments in prepared])
        self._insert_installments(loans, [installments for _vals, installments in prepared])
        loans.invalidate_recordset(["installment_ids"])
        for field in Loan._fields.values():
            depends = field.get_depends(Loan)[0] if field.store and field.compute else ()
            if any(path.startswith("installment_ids") for path in depends):
                self.env.add_to_compute(field, loans)
        self.env.flush_all()
        return loans

    def _prepare_loan(self, line):
        """The loan's values and its installments' (amounts as Decimals): the schedule
        rebuilt for the row, opened at its outstanding principal and arrears."""
        rows = self._schedule(
            line.product_id, line.principal, line.annual_rate, line.term, line.disbursed_on
        )
        due = sum(1 for row in rows if row.due_on <= self.cutover_date)
        paid = opening_position(
            [(row.principal, row.interest) for row in rows],
            due,
            _money(line.outstanding_principal),
            _money(line.arrears_amount),
        )
        closed = line.status == "closed"
        accrual = not closed and line.product_id.accounting_basis == "accrual"
        installments = []
        for row, (principal, interest) in zip(rows, paid, strict=True):
            unpaid_interest = row.interest - interest
            installments.append(
                {
                    "number": row.number,
                    "due_date": row.due_on,
                    "principal": row.principal,
                    "interest": row.interest,
                    "principal_paid": principal,
                    "interest_paid": interest,
                    # A closed loan owes no interest that had not fallen due.
                    "interest_waived": unpaid_interest if closed else ZERO,
                    # On accrual products the interest in arrears was income of the old
                    # books: it opens in interest receivable.
                    "interest_receivable": (
                        unpaid_interest if accrual and row.number <= due else ZERO
                    ),
                }
            )
        vals = {
            "member_id": line.member_id.id,
            "company_id": self.company_id.id,
            "product_id": line.product_id.id,
            "principal": line.principal,
            "interest_rate": line.annual_rate,
            "term": line.term,
            "disbursed_on": line.disbursed_on,
            "net_disbursed": line.principal,
            "state": "closed" if closed else "active",
            "closed_on": closed and self.cutover_date,
        }
        return vals, installments

    def _insert_installments(self, loans, installments):
        """One INSERT of the installments of ``loans``, with the stored totals the
        installment model computes (total, amount unpaid, paid) and its related fields."""
        columns = {name: [] for name in INSTALLMENT_COLUMNS}
        for loan, rows in zip(loans, installments, strict=True):
            for row in rows:
                total = row["principal"] + row["interest"]
                unpaid = (
                    total - row["principal_paid"] - row["interest_paid"] - row["interest_waived"]
                )
                values = dict(
                    row,
                    loan_id=loan.id,
                    member_id=loan.member_id.id,
                    branch_id=loan.branch_id.id or None,
                    company_id=loan.company_id.id,
                    total=total,
                    amount_due=unpaid,
                    paid=not unpaid,
                )
                for name, column in columns.items():
                    column.append(values[name])
        self.env.cr.execute(INSERT_INSTALLMENTS, {"uid": self.env.uid, **columns})

    def _post_opening_balances(self, loans):
        """One entry for the batch: Dr each loan's portfolio account with its principal
        outstanding and its interest receivable (member, loan) / Cr the opening-balance
        account with the total."""
        loans = loans.filtered(lambda loan: loan.state == "active")
        if not loans:
            return
        label = self.env._("Opening balance %s", self.name)
        lines, total = [], Decimal(0)
        for loan in loans:
            product = loan.product_id
            receivable = _money(sum(loan.installment_ids.mapped("interest_receivable")))
            principal = _money(loan.principal_outstanding)
            lines += [
                loan._line(product._portfolio_account(), label, debit=principal, loan=True),
                loan._line(
                    product._interest_receivable_account(), label, debit=receivable, loan=True
                ),
            ]
            total += principal + receivable
        opening = self.company_id._sacco_account("sacco_account_opening_balance_id")
        nobody = self.env["res.partner"]
        lines.append(self.env["sacco.ledger"]._line(opening, nobody, label, credit=total))
        move = (
            self.env["sacco.ledger"]
            .sudo()
            ._post_entry(
                self.journal_id, self.cutover_date, self.name, [line for line in lines if line]
            )
        )
        self.move_ids = [Command.link(move.id)]

    # ---------------------------------------------------------------- downloads

    def action_view_loans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sacco_loans.sacco_loan_action")
        action["domain"] = [("id", "in", self.line_ids.loan_id.ids)]
        action["context"] = {}
        return action

    def action_download_template(self):
        self.ensure_one()
        self.check_access("read")
        return download_action(self.sudo(), "Loan book template.xlsx", self._template_xlsx())

    def action_download_errors(self):
        self.ensure_one()
        self.check_access("read")
        if not (self.error_count or self.missing_count):
            raise UserError(self.env._("No row has errors."))
        filename = self.env._("Loan import errors %s.xlsx", self.name.replace("/", "-"))
        return download_action(self.sudo(), filename, self._error_report_xlsx())

    def _error_report_xlsx(self):
        lines = self.line_ids.filtered(lambda line: line.state in ("error", "missing"))
        header = [
            self.env._("Line"),
            *(header for header, _aliases in COLUMNS.values()),
            self.env._("Errors"),
        ]
        rows = [
            [line.line_number, *((line.cells or {}).get(c, "") for c in COLUMNS), line.message]
            for line in lines
        ]
        return xlsx_table(self.env._("Errors"), [], header, rows)

    def _template_xlsx(self):
        product = self.env["sacco.loan.product"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        sample = [
            "BR1-00001",
            "12345678",
            "Jane Wanjiku",
            "+254712345678",
            product.code or "DEV",
            120000.0,
            product.interest_rate or 12.0,
            12,
            self.cutover_date - timedelta(days=95),
            90000.0,
            0.0,
            "active",
        ]
        loans = (
            self.env._("Loans"),
            [],
            [header for header, _aliases in COLUMNS.values()],
            [sample],
            (5, 9, 10),
        )
        notes = (
            self.env._("Validation Notes"),
            [],
            [self.env._("Column"), self.env._("Required"), self.env._("Rules")],
            self._template_notes(),
            (),
        )
        return xlsx_workbook([loans, notes])

    def _template_notes(self):
        yes, no = self.env._("Yes"), self.env._("No")
        return [
            [
                "Member Number",
                self.env._("One of the two"),
                self.env._("The member's number; the member must be registered first."),
            ],
            ["ID Number", self.env._("One of the two"), self.env._("Used when no number.")],
            ["Name", no, self.env._("For the list of missing members.")],
            ["Phone", no, self.env._("For the list of missing members.")],
            ["Product Code", yes, self.env._("Code of an active loan product.")],
            ["Principal", yes, self.env._("Amount disbursed, above zero, 2 decimals.")],
            ["Annual Rate", no, self.env._("% a year, 0 to 100; empty: the product's.")],
            [
                "Term",
                yes,
                self.env._(
                    "Installments, within the product's limits unless allowed on the import."
                ),
            ],
            [
                "Disbursement Date",
                yes,
                self.env._("YYYY-MM-DD or DD/MM/YYYY, not after the cut-over date."),
            ],
            [
                "Outstanding Principal",
                yes,
                self.env._("At the cut-over date; from 0 to the principal."),
            ],
            [
                "Arrears Amount",
                no,
                self.env._(
                    "Principal and interest due by the cut-over date and unpaid; left unpaid "
                    "on the oldest unpaid installments of the rebuilt schedule."
                ),
            ],
            [
                "Status",
                yes,
                self.env._(
                    "%(statuses)s; a closed loan has no outstanding principal nor arrears.",
                    statuses=", ".join(STATUSES),
                ),
            ],
        ]
