"""The ``MemberView`` the USSD engine reads, filled from the database on demand.

The engine reads only what the screen in hand shows (a balance request touches accounts
and loans, never loan eligibility or guarantees), so each part is loaded the first time
the engine reads it."""

from functools import cached_property

from odoo import fields

from odoo.addons.sacco_savings.models.sacco_savings_product import WITHDRAWABLE_KINDS

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
# The last transactions of each account a mini-statement shows.
RECENT = 5
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
        """The open accounts with their product's name, the available balance (less active
        holds and a withdrawable product's minimum balance) and the last transactions, in
        one query: every screen but the first reads them."""
        env = self._member.env
        env.flush_all()
        env.cr.execute(
            """
            SELECT a.id, a.kind, a.state, a.balance,
                   COALESCE(p.name->>%(lang)s, p.name->>'en_US'),
                   GREATEST(a.balance - COALESCE(h.held, 0)
                            - CASE WHEN p.kind IN %(withdrawable)s
                                   THEN COALESCE(p.minimum_balance, 0) ELSE 0 END, 0),
                   r.recent
              FROM sacco_savings_account a
              JOIN sacco_savings_product p ON p.id = a.product_id
              LEFT JOIN LATERAL (
                    SELECT SUM(amount) AS held FROM sacco_savings_hold
                     WHERE account_id = a.id AND state = 'active'
              ) h ON TRUE
              LEFT JOIN LATERAL (
                    SELECT json_agg(json_build_array(t.date, t.kind, t.amount)) AS recent
                      FROM (SELECT date, kind, amount FROM sacco_savings_transaction
                             WHERE account_id = a.id ORDER BY date DESC, id DESC LIMIT %(recent)s) t
              ) r ON TRUE
             WHERE a.member_id = %(member)s AND a.state IN %(states)s
             ORDER BY a.id
            """,
            {
                "lang": env.lang or "en_US",
                "recent": RECENT,
                "member": self._member.id,
                "states": OPEN_STATES,
                "withdrawable": WITHDRAWABLE_KINDS,
            },
        )
        fetched = env.cr.fetchall()
        kinds = dict(env["sacco.savings.transaction"]._fields["kind"]._description_selection(env))
        rows = sorted(
            fetched,
            key=lambda row: KIND_ORDER.index(row[1]) if row[1] in KIND_ORDER else len(KIND_ORDER),
        )
        return tuple(
            AccountView(
                ref=account_id,
                name=product,
                balance=_money(balance),
                available=_money(available),
                deposit=kind in DEPOSIT_KINDS,
                withdraw=kind == "fosa_savings" and state == "active",
                recent=tuple(
                    StatementLine(fields.Date.to_date(on), kinds.get(what, what), _money(amount))
                    for on, what, amount in recent or ()
                ),
            )
            for account_id, kind, state, balance, product, available, recent in rows
        )

    # Loans ---------------------------------------------------------------------------

    @cached_property
    def loans(self):
        """The running loans with their product's name, next unpaid installment and the
        number left, in one query."""
        env = self._member.env
        env.flush_all()
        env.cr.execute(
            """
            SELECT l.id, COALESCE(p.name->>%(lang)s, p.name->>'en_US') || ' ' || l.name,
                   l.principal_outstanding, l.arrears_interest, l.arrears_penalty,
                   l.arrears_total, n.amount_due, n.due_date, c.left_count
              FROM sacco_loan l
              JOIN sacco_loan_product p ON p.id = l.product_id
              LEFT JOIN LATERAL (
                    SELECT amount_due, due_date FROM sacco_loan_installment
                     WHERE loan_id = l.id AND NOT paid ORDER BY due_date, number LIMIT 1
              ) n ON TRUE
              LEFT JOIN LATERAL (
                    SELECT count(*) AS left_count FROM sacco_loan_installment
                     WHERE loan_id = l.id AND NOT paid
              ) c ON TRUE
             WHERE l.member_id = %(member)s AND l.state = 'active'
             ORDER BY l.id
            """,
            {"lang": env.lang or "en_US", "member": self._member.id},
        )
        return tuple(
            LoanView(
                ref=row[0],
                name=row[1],
                outstanding=_money(row[2]) + _money(row[3]) + _money(row[4]),
                arrears=_money(row[5]),
                next_amount=_money(row[6]) if row[7] else None,
                next_date=row[7],
                installments_left=row[8],
            )
            for row in env.cr.fetchall()
        )

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
