"""The ``MemberView`` the USSD engine reads, filled from the database on demand.

The engine reads only what the screen in hand shows (a balance request touches accounts
and loans, never loan eligibility or guarantees), so each part is loaded the first time
the engine reads it."""

from functools import cached_property

from odoo import fields

from sacco_core.money import to_money
from sacco_core.ussd import (
    AccountView,
    Exposure,
    GuaranteeRequestView,
    LoanProductView,
    LoanView,
    MemberView,
    ProductRate,
    StatementLine,
)
from sacco_core.ussd_texts import LANGUAGES

# Accounts M-Pesa deposits go to (a fixed deposit is placed at the counter).
DEPOSIT_KINDS = ("share_capital", "bosa_deposit", "fosa_savings", "target_savings")
OPEN_STATES = ("active", "dormant")
# The order accounts are listed in: the everyday account first.
KIND_ORDER = ("fosa_savings", "bosa_deposit", "share_capital", "target_savings", "fixed_deposit")


def _money(value):
    return to_money(value or 0.0, strict=False)


class LiveMemberView(MemberView):
    """A ``MemberView`` whose parts are read from the database when first used. Built
    with ``LiveMemberView.load(member, channel, credential)``; the language, PIN and lock
    come with the credential (every request checks them), the name and birth year are
    read when a screen shows or checks them."""

    @classmethod
    def load(cls, member, channel, credential):
        view = object.__new__(cls)
        language = credential.language or channel.default_language
        for name, value in (
            ("language", language if language in LANGUAGES else channel.default_language),
            ("pin_set", bool(credential.pin_hash)),
            ("locked", credential.locked),
        ):
            object.__setattr__(view, name, value)
        object.__setattr__(view, "_member", member)
        object.__setattr__(view, "_channel", channel)
        return view

    @cached_property
    def name(self):
        return self._member.name

    @cached_property
    def birth_year(self):
        birth = self._member.date_of_birth
        return birth.year if birth else None

    # Accounts ------------------------------------------------------------------------

    @cached_property
    def _accounts(self):
        accounts = (
            self._member.env["sacco.savings.account"]
            .sudo()
            .search_fetch(
                [("member_id", "=", self._member.id), ("state", "in", OPEN_STATES)],
                ["kind", "state", "balance", "product_id", "company_id"],
                order="id",
            )
        )
        return accounts.sorted(
            lambda a: KIND_ORDER.index(a.kind) if a.kind in KIND_ORDER else len(KIND_ORDER)
        )

    @cached_property
    def accounts(self):
        recent = self._recent(self._accounts)
        return tuple(
            AccountView(
                ref=account.id,
                name=account.product_id.name,
                balance=_money(account.balance),
                available=_money(account.available_balance),
                deposit=account.kind in DEPOSIT_KINDS,
                withdraw=account.kind == "fosa_savings" and account.state == "active",
                recent=recent.get(account.id, ()),
            )
            for account in self._accounts
        )

    @staticmethod
    def _recent(accounts, limit=5):
        """The last ``limit`` transactions of each account, newest first, in one query."""
        if not accounts:
            return {}
        env = accounts.env
        env.cr.execute(
            """
            SELECT account_id, date, kind, amount FROM (
                SELECT account_id, date, kind, amount,
                       row_number() OVER (PARTITION BY account_id ORDER BY date DESC, id DESC) AS n
                  FROM sacco_savings_transaction WHERE account_id IN %s
            ) last WHERE n <= %s ORDER BY account_id, n
            """,
            [tuple(accounts.ids), limit],
        )
        kinds = dict(env["sacco.savings.transaction"]._fields["kind"]._description_selection(env))
        recent = {}
        for account_id, on, kind, amount in env.cr.fetchall():
            line = StatementLine(on, kinds.get(kind, kind), _money(amount))
            recent.setdefault(account_id, []).append(line)
        return {key: tuple(lines) for key, lines in recent.items()}

    # Loans ---------------------------------------------------------------------------

    @cached_property
    def loans(self):
        env = self._member.env
        loans = (
            env["sacco.loan"]
            .sudo()
            .search([("member_id", "=", self._member.id), ("state", "=", "active")], order="id")
        )
        if not loans:
            return ()
        unpaid = (
            env["sacco.loan.installment"]
            .sudo()
            .search([("loan_id", "in", loans.ids), ("paid", "=", False)], order="due_date, number")
        )
        by_loan = unpaid.grouped("loan_id")
        views = []
        for loan in loans:
            left = by_loan.get(loan, unpaid.browse())
            following = left[:1]
            views.append(
                LoanView(
                    ref=loan.id,
                    name=f"{loan.product_id.name} {loan.name}",
                    outstanding=_money(loan.principal_outstanding)
                    + _money(loan.arrears_interest)
                    + _money(loan.arrears_penalty),
                    next_amount=_money(following.amount_due) if following else None,
                    next_date=following.due_date if following else None,
                    arrears=_money(loan.arrears_total),
                    installments_left=len(left),
                )
            )
        return tuple(views)

    @cached_property
    def loan_products(self):
        env = self._member.env
        Application = env["sacco.loan.application"].sudo()
        products = (
            env["sacco.loan.product"]
            .sudo()
            .search([("company_id", "=", self._member.company_id.id), ("channel_ok", "=", True)])
        )
        views = []
        for product in products:
            eligibility = Application._sacco_channel_eligibility(self._member, product)
            views.append(
                LoanProductView(
                    ref=product.id,
                    name=product.name,
                    max_amount=_money(eligibility["max_amount"]),
                    min_amount=_money(eligibility["min_amount"]),
                    terms=tuple(eligibility["terms"]),
                    rate=_money(product.interest_rate),
                )
            )
        return tuple(views)

    # Guarantees ----------------------------------------------------------------------

    @cached_property
    def guarantee_requests(self):
        return tuple(
            GuaranteeRequestView(
                ref=line.id,
                borrower=line.application_id.member_id.name,
                loan_amount=_money(line.application_id.amount),
                amount=_money(line.requested_amount),
            )
            for line in self._member.sudo()._sacco_guarantee_requests()
        )

    @cached_property
    def exposure(self):
        member = self._member.sudo()
        guarantees = member._sacco_guarantee_exposure()
        account = member._bosa_deposit_account()
        free = _money(account.balance) - _money(account.held_amount) if account else _money(0)
        return Exposure(
            loans=len(guarantees.loan_id) or len(guarantees),
            total=sum((_money(g.held_amount) for g in guarantees), _money(0)),
            free_deposits=max(free, _money(0)),
        )

    # Rates and limits ----------------------------------------------------------------

    @cached_property
    def rates(self):
        env, company = self._member.env, self._member.company_id
        savings = (
            env["sacco.savings.product"]
            .sudo()
            .search(
                [("company_id", "=", company.id), ("interest_rate", ">", 0)], order="sequence, id"
            )
        )
        loans = (
            env["sacco.loan.product"].sudo().search([("company_id", "=", company.id)], order="id")
        )
        return tuple(
            ProductRate(product.name, _money(product.interest_rate)) for product in savings
        ) + tuple(ProductRate(product.name, _money(product.interest_rate)) for product in loans)

    @cached_property
    def limits(self):
        fosa = self._accounts.filtered(lambda account: account.kind == "fosa_savings")[:1]
        tiers = fosa.product_id.charge_tier_ids._as_core_tiers() if fosa else ()
        excise = _money(self._member.company_id.sacco_excise_rate)
        return self._channel._limits(self._withdrawn_today(), tuple(tiers), excise)

    def _withdrawn_today(self):
        """What the member has withdrawn to M-Pesa today (payouts not failed)."""
        env = self._member.env
        start = fields.Datetime.to_datetime(fields.Date.context_today(env["res.partner"]))
        groups = (
            env["sacco.mpesa.request"]
            .sudo()
            ._read_group(
                [
                    ("member_id", "=", self._member.id),
                    ("kind", "=", "b2c"),
                    ("purpose", "=", "withdrawal"),
                    ("state", "!=", "failed"),
                    ("create_date", ">=", start),
                ],
                [],
                ["amount:sum"],
            )
        )
        return _money(groups[0][0])
