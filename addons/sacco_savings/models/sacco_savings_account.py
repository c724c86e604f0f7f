from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.savings import excise_duty, withdrawal_charge

from .sacco_savings_transaction import MEMBER_KINDS, Movement

ACCOUNT_STATES = [
    ("active", "Active"),
    ("dormant", "Dormant"),
    ("frozen", "Frozen"),
    ("closed", "Closed"),
]


class SaccoSavingsAccount(models.Model):
    _name = "sacco.savings.account"
    _description = "Member Savings / Share Account"
    _inherit = ["mail.thread"]
    _order = "member_id, product_id"
    _check_company_auto = True

    name = fields.Char(string="Account Number", readonly=True, copy=False, index=True)
    member_id = fields.Many2one(
        "sacco.member", required=True, index=True, check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="member_id.partner_id", store=True)
    branch_id = fields.Many2one(related="member_id.branch_id", store=True)
    product_id = fields.Many2one(
        "sacco.savings.product", required=True, check_company=True, ondelete="restrict"
    )
    kind = fields.Selection(related="product_id.kind", store=True)
    company_id = fields.Many2one(related="product_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        ACCOUNT_STATES, default="active", required=True, tracking=True, index=True, copy=False
    )
    # The transactions are its audit trail; a new account holds 0.00, not NULL.
    balance = fields.Monetary(readonly=True, copy=False, default=0.0)
    held_amount = fields.Monetary(compute="_compute_available_balance")
    available_balance = fields.Monetary(compute="_compute_available_balance")
    hold_ids = fields.One2many("sacco.savings.hold", "account_id", string="Holds")
    transaction_ids = fields.One2many("sacco.savings.transaction", "account_id")
    opened_on = fields.Date(default=fields.Date.context_today, required=True)
    closed_on = fields.Date(readonly=True, copy=False)
    locked_until = fields.Date(
        help="No withdrawals before this date: the maturity of a fixed deposit, the end of the "
        "lock of target/junior savings."
    )
    last_activity_date = fields.Date(readonly=True, copy=False)
    shares = fields.Float(compute="_compute_shares", digits=(16, 2))

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "The account number must be unique."),
    ]

    @api.depends("member_id", "product_id", "name")
    def _compute_display_name(self):
        for account in self:
            account.display_name = f"{account.name or ''} {account.product_id.name or ''}".strip()

    @api.depends("balance", "hold_ids.amount", "hold_ids.state", "product_id.minimum_balance")
    def _compute_available_balance(self):
        for account in self:
            held = sum(account.hold_ids.filtered(lambda h: h.state == "active").mapped("amount"))
            account.held_amount = held
            reserve = (
                account.product_id.minimum_balance if account.product_id.is_withdrawable else 0
            )
            account.available_balance = max(account.balance - held - reserve, 0.0)

    @api.depends("balance", "product_id.share_price", "kind")
    def _compute_shares(self):
        for account in self:
            price = account.product_id.share_price
            account.shares = (
                account.balance / price if account.kind == "share_capital" and price else 0
            )

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        for account in accounts:
            account.name = account.product_id.sequence_id.sudo().next_by_id()
            lock_months = (
                account.product_id.term_months
                if account.kind == "fixed_deposit"
                else account.product_id.locked_until_months
            )
            if lock_months and not account.locked_until:
                # A fixed deposit is locked until it matures.
                account.locked_until = account.opened_on + relativedelta(months=lock_months)
        return accounts

    @api.model
    def _open_mandatory_accounts(self, members):
        """One account per mandatory product for each member that has none yet."""
        products = self.env["sacco.savings.product"].search([("mandatory", "=", True)])
        existing = {
            (account.member_id.id, account.product_id.id)
            for account in self.search([("member_id", "in", members.ids)])
        }
        return self.create(
            [
                {"member_id": member.id, "product_id": product.id}
                for member in members
                for product in products
                if product.company_id == member.company_id
                and (member.id, product.id) not in existing
            ]
        )

    # ---------------------------------------------------------------- locking and checks

    def _lock_for_posting(self):
        """Row-lock the accounts (in id order, so two postings cannot deadlock) and reread them."""
        self.flush_recordset()
        self.env.cr.execute(
            "SELECT id FROM sacco_savings_account WHERE id IN %s ORDER BY id FOR UPDATE",
            [tuple(self.ids)],
        )
        self.invalidate_recordset(["balance", "state"])
        self.hold_ids.invalidate_recordset(["amount", "state"])

    def _check_can_move(self, kind, amount):
        """Refuse a movement the account's state or product forbids (amount < 0 is a debit)."""
        self.ensure_one()
        if self.state == "closed":
            raise UserError(self.env._("Account %s is closed.", self.name))
        if amount > 0:
            return
        if self.state == "frozen":
            raise UserError(self.env._("Account %s is frozen: no debits allowed.", self.name))
        if self.state == "dormant" and kind in MEMBER_KINDS:
            raise UserError(
                self.env._("Account %s is dormant; reactivate it before a withdrawal.", self.name)
            )
        product = self.product_id
        if kind == "withdrawal" and not product.is_withdrawable:
            raise UserError(
                self.env._(
                    "%(product)s cannot be withdrawn while a member (account %(account)s).",
                    product=product.name,
                    account=self.name,
                )
            )
        if kind == "transfer_out" and self.kind == "bosa_deposit":
            raise UserError(self.env._("BOSA deposits cannot be transferred out while a member."))
        if kind == "transfer_out" and self.kind == "share_capital" and not product.transferable:
            raise UserError(self.env._("Shares of %s are not transferable.", product.name))
        today = fields.Date.context_today(self)
        if kind in MEMBER_KINDS and self.locked_until and today < self.locked_until:
            raise UserError(
                self.env._(
                    "Account %(account)s is locked until %(date)s.",
                    account=self.name,
                    date=self.locked_until,
                )
            )

    def _check_available(self, debit_total, keep_minimum=True):
        """After locking: the debits must fit in the available balance."""
        self.ensure_one()
        available = self.available_balance
        if not keep_minimum:
            available = self.balance - self.held_amount
        if self.currency_id.compare_amounts(debit_total, available) > 0:
            raise UserError(
                self.env._(
                    "Insufficient funds on %(account)s: available %(available)s, "
                    "needed %(needed)s.",
                    account=self.name,
                    available=self.currency_id.format(available),
                    needed=self.currency_id.format(debit_total),
                )
            )

    @api.model
    def _validated_amount(self, amount):
        """A positive KES amount with at most 2 decimals, as a float for the ORM."""
        try:
            value = to_money(amount)
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        if value <= 0:
            raise UserError(self.env._("The amount must be greater than zero."))
        return float(value)

    # ---------------------------------------------------------------- holds (API for other modules)

    def _place_hold(self, amount, reason, source=None):
        """Put a lien on the available balance; returns the hold."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        self._lock_for_posting()
        self._check_available(amount)
        return self.env["sacco.savings.hold"].create(
            {
                "account_id": self.id,
                "amount": amount,
                "reason": reason,
                "source_model": source._name if source else False,
                "source_id": source.id if source else False,
            }
        )

    # ---------------------------------------------------------------- state changes

    def action_freeze(self):
        self.filtered(lambda a: a.state in ("active", "dormant")).write({"state": "frozen"})

    def action_activate(self):
        self.filtered(lambda a: a.state in ("dormant", "frozen")).write({"state": "active"})

    def action_close(self):
        for account in self:
            if not account.currency_id.is_zero(account.balance):
                raise UserError(
                    self.env._("Account %s still has a balance; pay it out first.", account.name)
                )
            if account.hold_ids.filtered(lambda h: h.state == "active"):
                raise UserError(self.env._("Account %s has active holds.", account.name))
        self.write({"state": "closed", "closed_on": fields.Date.context_today(self)})

    @api.model
    def _cron_flag_dormant(self):
        """Set-based: flag active accounts without member activity for their product's months."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE sacco_savings_account account
               SET state = 'dormant', write_date = now() AT TIME ZONE 'UTC'
              FROM sacco_savings_product product
             WHERE product.id = account.product_id
               AND account.state = 'active'
               AND product.dormancy_months > 0
               AND COALESCE(account.last_activity_date, account.opened_on)
                   < CURRENT_DATE - make_interval(months => product.dormancy_months)
            RETURNING account.id
            """
        )
        flagged = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state"])
        return self.browse(flagged)

    # ---------------------------------------------------------------- statements

    def _mini_statement(self, limit=5):
        """The last ``limit`` transactions, newest first, for USSD and the mobile API."""
        self.ensure_one()
        transactions = self.env["sacco.savings.transaction"].search(
            [("account_id", "=", self.id)], order="date desc, id desc", limit=limit
        )
        return [
            {
                "date": txn.date,
                "reference": txn.name,
                "description": txn._description_text(),
                "amount": txn.amount,
                "balance": txn.balance_after,
            }
            for txn in transactions
        ]

    # ---------------------------------------------------------------- money movements

    def _journal_for(self, channel, journal=None):
        self.ensure_one()
        if journal:
            return journal
        journal_type = {"cash": "cash", "bank": "bank", "cheque": "bank"}.get(channel)
        if not journal_type:
            raise UserError(self.env._("Choose the journal for %s postings.", channel))
        if journal_type == "cash":
            till = self.env.user.sacco_cash_journal_id or self.branch_id.cash_journal_id
            if till.company_id == self.company_id:
                return till
        found = (
            self.env["account.journal"]
            .sudo()
            .search([("type", "=", journal_type), ("company_id", "=", self.company_id.id)], limit=1)
        )
        if not found:
            raise UserError(self.env._("No %s journal is configured.", journal_type))
        return found

    def _system_journal(self):
        self.ensure_one()
        return (
            self.env["account.journal"]
            .sudo()
            .search([("type", "=", "general"), ("company_id", "=", self.company_id.id)], limit=1)
        )

    def _counter_line(self, gl_account, label, debit=0.0, credit=0.0):
        return self.env["sacco.ledger"]._line(gl_account, self.partner_id, label, debit, credit)

    def deposit(
        self, amount, channel="cash", journal=None, date=None, external_ref=None, narration=None
    ):
        """Money in (cash, bank, cheque, M-Pesa, check-off...): Dr journal, Cr account."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        if self.kind == "share_capital":
            self._check_share_limits(amount)
        journal = self._journal_for(channel, journal)
        label = narration or self.env._("Deposit")
        return self.env["sacco.savings.transaction"]._post_movements(
            [Movement(self, "deposit", amount)],
            [self._counter_line(journal._sacco_money_account("inbound"), label, debit=amount)],
            journal,
            date or fields.Date.context_today(self),
            channel,
            external_ref=external_ref,
            narration=narration,
        )

    def withdraw(
        self, amount, channel="cash", journal=None, date=None, external_ref=None, narration=None
    ):
        """Cash out of a withdrawable account, with the product's tiered charge and excise duty."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        journal = self._journal_for(channel, journal)
        charge, excise = self._withdrawal_charges(amount)
        label = narration or self.env._("Withdrawal")
        movements = [Movement(self, "withdrawal", -amount)]
        counter = [
            self._counter_line(journal._sacco_money_account("outbound"), label, credit=amount)
        ]
        if charge:
            movements.append(Movement(self, "charge", -charge))
            counter.append(
                self._counter_line(
                    self.product_id._charge_income_account(),
                    self.env._("Withdrawal charge"),
                    credit=charge,
                )
            )
        if excise:
            movements.append(Movement(self, "excise", -excise))
            counter.append(
                self._counter_line(
                    self.company_id._sacco_account("sacco_account_excise_payable_id"),
                    self.env._("Excise duty on charges"),
                    credit=excise,
                )
            )
        return self.env["sacco.savings.transaction"]._post_movements(
            movements,
            counter,
            journal,
            date or fields.Date.context_today(self),
            channel,
            external_ref=external_ref,
            narration=narration,
        )

    def _withdrawal_charges(self, amount):
        charge = withdrawal_charge(
            to_money(amount), self.product_id.charge_tier_ids._as_core_tiers()
        )
        excise = excise_duty(charge, to_money(self.company_id.sacco_excise_rate, strict=False))
        return float(charge), float(excise)

    def _withdrawal_charge(self, amount, channel="mpesa"):
        """What a withdrawal of ``amount`` costs the member on top (the product's tiered
        charge plus excise duty, Decimal), to show before it is made: ``withdraw`` posts
        the same. The tiers are the product's whatever the ``channel``."""
        self.ensure_one()
        charge, excise = self._withdrawal_charges(amount)
        return to_money(charge, strict=False) + to_money(excise, strict=False)

    def transfer_to(
        self, destination, amount, channel="system", date=None, external_ref=None, narration=None
    ):
        """Between accounts (own or another member's): share purchases from FOSA and share
        transfers between members are transfers too."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        if destination == self:
            raise UserError(self.env._("Choose a different destination account."))
        if destination.company_id != self.company_id:
            raise UserError(self.env._("Both accounts must belong to the same company."))
        if self.kind == "share_capital" and destination.kind != "share_capital":
            raise UserError(self.env._("Shares are transferred to another member's shares only."))
        if destination.kind == "share_capital":
            destination._check_share_limits(amount)
        return self.env["sacco.savings.transaction"]._post_movements(
            [Movement(self, "transfer_out", -amount), Movement(destination, "transfer_in", amount)],
            [],
            self._system_journal(),
            date or fields.Date.context_today(self),
            channel,
            external_ref=external_ref,
            narration=narration
            or self.env._(
                "Transfer %(from)s to %(to)s", **{"from": self.name, "to": destination.name}
            ),
        )

    def charge(self, amount, narration, date=None):
        """A fee debited to the account (Cr the product's charges income)."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        return self.env["sacco.savings.transaction"]._post_movements(
            [Movement(self, "charge", -amount)],
            [
                self._counter_line(
                    self.product_id._charge_income_account(), narration, credit=amount
                )
            ],
            self._system_journal(),
            date or fields.Date.context_today(self),
            "system",
            narration=narration,
        )

    def post_interest(self, amount, date, narration=None, external_ref=None):
        """Interest earned credited to the account (Dr interest expense)."""
        self.ensure_one()
        amount = self._validated_amount(amount)
        label = narration or self.env._("Interest")
        return self.env["sacco.savings.transaction"]._post_movements(
            [Movement(self, "interest", amount)],
            [self._counter_line(self.product_id._interest_expense_account(), label, debit=amount)],
            self._system_journal(),
            date,
            "system",
            external_ref=external_ref,
            narration=label,
        )

    def _member_fosa_account(self):
        self.ensure_one()
        fosa = self.member_id.savings_account_ids.filtered(
            lambda a: a.kind == "fosa_savings" and a.state in ("active", "dormant")
        )
        if not fosa:
            raise UserError(self.env._("%s has no open FOSA account.", self.member_id.name))
        return fosa[0]

    def action_break_fixed_deposit(self):
        """Withdraw a fixed deposit before maturity (interest less the product's penalty)."""
        self.ensure_one()
        if self.kind != "fixed_deposit" or self.state != "active":
            raise UserError(self.env._("Only an active fixed deposit can be broken."))
        self.env["sacco.savings.interest.run"]._break_fixed_deposit(
            self, fields.Date.context_today(self)
        )

    def _check_share_limits(self, amount):
        """A member's shares may not exceed the product's maximum share of all capital."""
        self.ensure_one()
        limit = self.product_id.maximum_holding_percent
        if not limit:
            return
        self.flush_model(["balance"])
        self.env.cr.execute(
            "SELECT COALESCE(SUM(balance), 0) FROM sacco_savings_account WHERE product_id = %s",
            [self.product_id.id],
        )
        total_after = self.env.cr.fetchone()[0] + amount
        if (self.balance + amount) * 100 > limit * total_after:
            raise UserError(
                self.env._(
                    "%(member)s would hold more than %(limit)s %% of the share capital.",
                    member=self.member_id.name,
                    limit=limit,
                )
            )

    @api.model
    def _open_mandatory_accounts_for_active_members(self):
        """Used when mandatory products are added after members were activated."""
        members = self.env["sacco.member"].search([("state", "in", ("active", "dormant"))])
        return self._open_mandatory_accounts(members)

    # ---------------------------------------------------------------- full statements

    def _statement(self, date_from, date_to):
        """The account's statement for ``date_from`` to ``date_to`` inclusive.

        Returns a dict with ``opening`` (balance carried into ``date_from``), ``lines`` (dicts
        of date, reference, description, debit, credit and the running balance, in date
        order), ``closing``, ``total_debit`` and ``total_credit``. Reversed transactions and
        their reversals are both listed: each is a transaction of its own date.
        """
        self.ensure_one()
        # The transaction searches below would silently hide another branch's account.
        self.check_access("read")
        if date_from > date_to:
            raise UserError(self.env._("The statement period ends before it starts."))
        Transaction = self.env["sacco.savings.transaction"]
        [(opening,)] = Transaction._read_group(
            [("account_id", "=", self.id), ("date", "<", date_from)], aggregates=["amount:sum"]
        )
        transactions = Transaction.search(
            [("account_id", "=", self.id), ("date", ">=", date_from), ("date", "<=", date_to)],
            order="date, id",
        )
        balance = opening = to_money(opening or 0.0, strict=False)
        total_debit = total_credit = to_money(0)
        lines = []
        for txn in transactions:
            amount = to_money(txn.amount, strict=False)
            balance += amount
            debit, credit = (-amount, 0) if amount < 0 else (0, amount)
            total_debit += debit
            total_credit += credit
            lines.append(
                {
                    "date": txn.date,
                    "reference": txn.name,
                    "description": txn._description_text(),
                    "debit": float(debit),
                    "credit": float(credit),
                    "balance": float(balance),
                }
            )
        return {
            "opening": float(opening),
            "lines": lines,
            "closing": float(balance),
            "total_debit": float(total_debit),
            "total_credit": float(total_credit),
        }

    def action_open_statement(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_savings.sacco_savings_statement_action"
        )
        action["context"] = {"default_account_id": self.id}
        return action
