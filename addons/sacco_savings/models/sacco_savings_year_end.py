from collections import defaultdict
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from sacco_core.money import to_money
from sacco_core.savings import (
    BalanceChange,
    dividend_on_closing,
    dividend_on_weighted,
    minimum_balance_pro_rata,
    month_end_balances,
    month_end_pro_rata,
    monthly_minimum_balances,
    withholding_tax,
)

from ..tools.xlsx import download_action, xlsx_table
from .sacco_savings_transaction import Movement

YEAR_END_STATES = [
    ("draft", "Draft"),
    ("computed", "Computed"),
    ("posted", "Posted"),
    ("paid", "Paid"),
]
PAYOUT_METHODS = [
    ("credit_fosa", "Credit FOSA savings"),
    ("capitalise", "Capitalise to shares / deposits"),
    ("offset_loans", "Offset loan arrears"),
]
# Basis -> (the 12 monthly balances it uses, the sacco_core rule earning on them).
MONTHLY_BASES = {
    "month_end": (month_end_balances, month_end_pro_rata),
    "minimum_monthly": (monthly_minimum_balances, minimum_balance_pro_rata),
    "weighted": (month_end_balances, dividend_on_weighted),
}
# What may still change once the entries exist.
LOCKED_WHEN_POSTED = {
    "company_id",
    "year",
    "date_from",
    "date_to",
    "product_ids",
    "deposit_rate",
    "dividend_rate",
    "wht_interest_rate",
    "wht_dividend_rate",
    "journal_id",
    "accounting_date",
}
LOCKED_WHEN_PAID = LOCKED_WHEN_POSTED | {"payout_method", "payment_date"}


class SaccoSavingsYearEnd(models.Model):
    """Year-end interest (rebate) on deposits and dividends on share capital.

    Compute previews one line per member account; Post books the gross as expense (interest)
    or appropriation of equity (dividends) against the net payables and withholding tax in one
    entry; Pay clears the payables to the members' accounts in one entry.
    """

    _name = "sacco.savings.year.end"
    _description = "Year-end Interest and Dividends"
    _inherit = ["mail.thread"]
    _order = "date_to desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        YEAR_END_STATES, default="draft", required=True, readonly=True, tracking=True, copy=False
    )
    year = fields.Integer(
        required=True,
        default=lambda self: fields.Date.context_today(self).year - 1,
        help="The financial year ending in this calendar year.",
    )
    date_from = fields.Date(
        compute="_compute_dates", store=True, readonly=False, required=True, precompute=True
    )
    date_to = fields.Date(
        compute="_compute_dates", store=True, readonly=False, required=True, precompute=True
    )
    product_ids = fields.Many2many(
        "sacco.savings.product",
        string="Products",
        check_company=True,
        compute="_compute_product_ids",
        store=True,
        readonly=False,
        domain="[('kind', 'in', ('bosa_deposit', 'share_capital'))]",
        help="Deposit products earn interest at the deposit rate on their year-end basis; share "
        "products earn the dividend on their dividend basis.",
    )
    deposit_rate = fields.Float(string="Interest on Deposits (% a year)", digits=(6, 3))
    dividend_rate = fields.Float(string="Dividend on Shares (%)", digits=(6, 3))
    wht_interest_rate = fields.Float(
        string="WHT on Interest (%)", compute="_compute_wht_rates", store=True, readonly=False
    )
    wht_dividend_rate = fields.Float(
        string="WHT on Dividends (%)", compute="_compute_wht_rates", store=True, readonly=False
    )
    payout_method = fields.Selection(
        PAYOUT_METHODS, default="credit_fosa", required=True, tracking=True
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    accounting_date = fields.Date(
        string="Posting Date",
        compute="_compute_accounting_date",
        store=True,
        readonly=False,
        help="Date of the payable entry; by default the last day of the financial year.",
    )
    payment_date = fields.Date(default=fields.Date.context_today)
    line_ids = fields.One2many("sacco.savings.year.end.line", "year_end_id", string="Lines")
    move_id = fields.Many2one("account.move", string="Payable Entry", readonly=True, copy=False)
    payment_move_id = fields.Many2one(
        "account.move", string="Payout Entry", readonly=True, copy=False
    )
    member_count = fields.Integer(compute="_compute_totals")
    interest_gross = fields.Monetary(compute="_compute_totals")
    interest_wht = fields.Monetary(string="Interest WHT", compute="_compute_totals")
    interest_net = fields.Monetary(compute="_compute_totals")
    dividend_gross = fields.Monetary(compute="_compute_totals")
    dividend_wht = fields.Monetary(string="Dividend WHT", compute="_compute_totals")
    dividend_net = fields.Monetary(compute="_compute_totals")

    @api.depends("year")
    def _compute_name(self):
        for record in self:
            record.name = self.env._("Year-end %s", record.year)

    @api.depends("year", "company_id")
    def _compute_dates(self):
        for record in self:
            if record.year < 1900:
                record.date_from = record.date_to = False
                continue
            company = record.company_id
            last_month = date(record.year, int(company.fiscalyear_last_month), 1)
            dates = company.compute_fiscalyear_dates(last_month)
            record.date_from, record.date_to = dates["date_from"], dates["date_to"]

    @api.depends("company_id")
    def _compute_product_ids(self):
        for record in self:
            record.product_ids = self.env["sacco.savings.product"].search(
                [
                    ("company_id", "=", record.company_id.id),
                    ("kind", "in", ("bosa_deposit", "share_capital")),
                ]
            )

    @api.depends("company_id")
    def _compute_wht_rates(self):
        for record in self:
            record.wht_interest_rate = record.company_id.sacco_wht_interest_rate
            record.wht_dividend_rate = record.company_id.sacco_wht_dividend_rate

    @api.depends("company_id")
    def _compute_journal_id(self):
        for record in self:
            record.journal_id = self.env["account.journal"].search(
                [("type", "=", "general"), ("company_id", "=", record.company_id.id)], limit=1
            )

    @api.depends("date_to")
    def _compute_accounting_date(self):
        for record in self:
            record.accounting_date = record.date_to

    @api.depends("line_ids.kind", "line_ids.gross", "line_ids.wht", "line_ids.net")
    def _compute_totals(self):
        for record in self:
            for kind in ("interest", "dividend"):
                lines = record.line_ids.filtered(lambda line, kind=kind: line.kind == kind)
                for field in ("gross", "wht", "net"):
                    record[f"{kind}_{field}"] = _money_sum(lines.mapped(field))
            record.member_count = len(record.line_ids.member_id)

    @api.constrains("date_from", "date_to")
    def _check_financial_year(self):
        for record in self:
            if record.date_from.day != 1 or record.date_to != (
                record.date_from + relativedelta(years=1, days=-1)
            ):
                raise ValidationError(
                    self.env._("The financial year must be 12 whole months from a month's 1st.")
                )

    @api.constrains("deposit_rate", "dividend_rate", "wht_interest_rate", "wht_dividend_rate")
    def _check_rates(self):
        for record in self:
            rates = (record.deposit_rate, record.dividend_rate)
            taxes = (record.wht_interest_rate, record.wht_dividend_rate)
            if min(rates + taxes) < 0 or max(taxes) > 100:
                raise ValidationError(
                    self.env._("Rates are percentages: at least 0, and taxes at most 100.")
                )

    def write(self, vals):
        for record in self:
            locked = {"posted": LOCKED_WHEN_POSTED, "paid": LOCKED_WHEN_PAID}.get(record.state)
            if locked and locked.intersection(vals):
                raise UserError(
                    self.env._("%s is already posted; its figures cannot change.", record.name)
                )
        result = super().write(vals)
        if "payout_method" in vals:
            self.line_ids.filtered(lambda line: not line.paid)._set_payout_accounts()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_if_not_posted(self):
        if any(record.state in ("posted", "paid") for record in self):
            raise UserError(self.env._("A posted year-end cannot be deleted."))

    # ---------------------------------------------------------------- compute

    def action_compute(self):
        for record in self:
            record._check_state("draft", "computed")
            record.line_ids.unlink()
            record.line_ids = [Command.create(vals) for vals in record._prepare_line_vals()]
            record.line_ids._set_payout_accounts()
            record.state = "computed"
        return True

    def action_reset(self):
        for record in self:
            record._check_state("computed")
            record.line_ids.unlink()
            record.state = "draft"
        return True

    def _prepare_line_vals(self):
        """One line per open member account of the products that earns anything."""
        self.ensure_one()
        history = self._balance_history()
        accounts = self.env["sacco.savings.account"].browse(sorted(history))
        vals_list = []
        for account in accounts:
            opening, changes = history[account.id]
            vals = self._prepare_account_line_vals(account, opening, changes)
            if vals:
                vals_list.append(vals)
        return vals_list

    def _prepare_account_line_vals(self, account, opening, changes):
        if account.kind == "share_capital":
            kind, basis = "dividend", account.product_id.dividend_basis
            rate, tax_rate = self.dividend_rate, self.wht_dividend_rate
        else:
            kind, basis = "interest", account.product_id.year_end_basis
            rate, tax_rate = self.deposit_rate, self.wht_interest_rate
        base, gross = self._earnings(basis, opening, changes, _decimal(rate))
        if not gross:
            return None
        wht, net = withholding_tax(gross, _decimal(tax_rate))
        return {
            "account_id": account.id,
            "member_id": account.member_id.id,
            "kind": kind,
            "basis": basis,
            "base": float(base),
            "gross": float(gross),
            "wht": float(wht),
            "net": float(net),
        }

    def _earnings(self, basis, opening, changes, rate):
        """(base, gross): the balance the rate applies to and what it earns on ``basis``."""
        if basis == "closing":
            closing = max(changes[-1].balance if changes else opening, Decimal(0))
            return closing, dividend_on_closing(closing, rate)
        balances_rule, earnings_rule = MONTHLY_BASES[basis]
        balances = balances_rule(opening, changes, self.date_from)
        return to_money(sum(balances) / 12, strict=False), earnings_rule(balances, rate)

    def _balance_history(self):
        """{account id: (balance carried into the year, [BalanceChange] within it)} for every
        open account of the products, from one query over all their transactions."""
        self.ensure_one()
        self.env["sacco.savings.transaction"].flush_model(["account_id", "date", "amount"])
        self.env["sacco.savings.account"].flush_model(["product_id", "state"])
        if not self.product_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT txn.account_id,
                       CASE WHEN txn.date < %(date_from)s THEN NULL ELSE txn.date END AS day,
                       SUM(txn.amount)
                  FROM sacco_savings_transaction txn
                  JOIN sacco_savings_account account ON account.id = txn.account_id
                 WHERE account.product_id IN %(products)s
                   AND account.state != 'closed'
                   AND txn.date <= %(date_to)s
                 GROUP BY txn.account_id, day
                 ORDER BY txn.account_id, day NULLS FIRST
                """,
                date_from=self.date_from,
                date_to=self.date_to,
                products=tuple(self.product_ids.ids),
            )
        )
        history = defaultdict(lambda: (Decimal(0), []))
        for account_id, day, total in self.env.cr.fetchall():
            amount = to_money(total, strict=False)  # Odoo reads numeric columns as floats
            opening, changes = history[account_id]
            if day is None:
                history[account_id] = (amount, changes)
            else:
                previous = changes[-1].balance if changes else opening
                changes.append(BalanceChange(day, previous + amount))
        return history

    # ---------------------------------------------------------------- post

    def action_post(self):
        self._lock()
        for record in self:
            record._check_state("computed")
            if not record.line_ids:
                raise UserError(self.env._("%s has nothing to post.", record.name))
            record._check_not_posted_before()
            record.move_id = (
                self.env["sacco.ledger"]
                .sudo()
                ._post_entry(
                    record.journal_id,
                    record.accounting_date,
                    record.name,
                    record._payable_entry_lines(),
                )
            )
            record.state = "posted"
        return True

    def _check_not_posted_before(self):
        """The same product cannot earn twice for overlapping financial years."""
        self.ensure_one()
        earlier = self.search(
            [
                ("id", "!=", self.id),
                ("company_id", "=", self.company_id.id),
                ("state", "in", ("posted", "paid")),
                ("date_from", "<=", self.date_to),
                ("date_to", ">=", self.date_from),
                ("line_ids.product_id", "in", self.line_ids.product_id.ids),
            ],
            limit=1,
        )
        if earlier:
            raise UserError(
                self.env._(
                    "%(earlier)s already paid interest or dividends on these products for "
                    "this period.",
                    earlier=earlier.name,
                )
            )

    def _payable_entry_lines(self):
        """Dr expense / dividends declared (gross); Cr payable (net) and WHT payable (tax),
        each with the member as partner."""
        self.ensure_one()
        wht_account = self.company_id._sacco_account("sacco_account_wht_payable_id")
        entry = []
        for line in self.line_ids:
            label = f"{self.name} {line.account_id.name}"
            entry.append(line._ledger_line(line._expense_account(), label, debit=line.gross))
            entry.append(line._ledger_line(line._payable_account(), label, credit=line.net))
            if line.wht:
                tax_label = self.env._("%s withholding tax", label)
                entry.append(line._ledger_line(wht_account, tax_label, credit=line.wht))
        return entry

    # ---------------------------------------------------------------- pay

    def action_pay(self):
        self._lock()
        for record in self:
            record._check_state("posted")
            lines = record.line_ids.filtered(lambda line: not line.paid)
            if record.payout_method == "offset_loans":
                record._year_end_offset_loans(lines)
            else:
                record._pay_to_accounts(lines)
            record.state = "paid"
        return True

    def _pay_to_accounts(self, lines):
        """One entry: Dr the payables, Cr each line's payout account with its net amount."""
        self.ensure_one()
        lines._set_payout_accounts()
        missing = lines.filtered(lambda line: not line.payout_account_id)
        if missing:
            raise UserError(
                self.env._(
                    "No open account to pay into for: %s",
                    ", ".join(missing.member_id.mapped("display_name")),
                )
            )
        lines = lines.filtered("net")
        if not lines:
            return
        counter = [
            line._ledger_line(line._payable_account(), self.name, debit=line.net) for line in lines
        ]
        transactions = self.env["sacco.savings.transaction"]._post_movements(
            [Movement(line.payout_account_id, line.kind, line.net) for line in lines],
            counter,
            self.journal_id,
            self.payment_date,
            "system",
            narration=self.name,
        )
        for line, transaction in zip(lines, transactions, strict=True):
            line.write({"paid": True, "transaction_id": transaction.id})
        self.payment_move_id = transactions.move_id

    def _year_end_offset_loans(self, lines):
        """Apply the net amounts of ``lines`` to the members' loan arrears.

        Loans live in sacco_loans, which overrides this (recover arrears, then pay what is left
        with ``_pay_to_accounts``). Without it nothing can be offset, so refuse rather than
        guess another payout.
        """
        raise UserError(
            self.env._(
                "Install the SACCO Loans module to offset loan arrears, or choose another "
                "payout method."
            )
        )

    # ---------------------------------------------------------------- helpers

    def _check_state(self, *states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s; this needs it %(needed)s.",
                    name=self.name,
                    state=labels[self.state],
                    needed=" / ".join(labels[state] for state in states),
                )
            )

    def _lock(self):
        """Row-lock the records so two users cannot post or pay the same year-end twice."""
        self.flush_recordset()
        self.env.cr.execute(
            SQL("SELECT id FROM sacco_savings_year_end WHERE id IN %s FOR UPDATE", tuple(self.ids))
        )
        self.invalidate_recordset(["state"])

    def action_export_xlsx(self):
        self.ensure_one()
        return download_action(self, f"{self.name}.xlsx", self._xlsx_content())

    def _xlsx_content(self):
        """One row per member: interest and dividend base, gross, tax and net, and the total."""
        title_rows = [
            (self.env._("Year-end"), self.name),
            (self.env._("From"), self.date_from),
            (self.env._("To"), self.date_to),
            (self.env._("Interest rate (%)"), self.deposit_rate),
            (self.env._("Dividend rate (%)"), self.dividend_rate),
        ]
        header = [
            self.env._("Member No."),
            self.env._("Member"),
            self.env._("Interest Base"),
            self.env._("Interest Gross"),
            self.env._("Interest WHT"),
            self.env._("Interest Net"),
            self.env._("Dividend Base"),
            self.env._("Dividend Gross"),
            self.env._("Dividend WHT"),
            self.env._("Dividend Net"),
            self.env._("Total Net"),
            self.env._("Payout Account"),
        ]
        by_member = self.line_ids.grouped("member_id")
        members = self.line_ids.member_id.sorted(lambda member: member.member_number or "")
        rows = [self._xlsx_member_row(member, by_member[member]) for member in members]
        columns = list(zip(*rows, strict=True))[2:11] if rows else []
        rows.append(("", self.env._("Total"), *(_money_sum(column) for column in columns)))
        return xlsx_table(
            self.env._("Year-end"), title_rows, header, rows, money_columns=range(2, 11)
        )

    def _xlsx_member_row(self, member, lines):
        row = [member.member_number or "", member.name]
        for kind in ("interest", "dividend"):
            own = lines.filtered(lambda line, kind=kind: line.kind == kind)
            row += [_money_sum(own.mapped(field)) for field in ("base", "gross", "wht", "net")]
        row.append(_money_sum(lines.mapped("net")))
        row.append(", ".join(lines.payout_account_id.mapped("name")))
        return tuple(row)


def _decimal(rate):
    """A float percentage field as the exact Decimal the user typed."""
    return Decimal(str(rate))


def _money_sum(amounts):
    return float(sum((to_money(amount, strict=False) for amount in amounts), Decimal(0)))
