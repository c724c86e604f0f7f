from collections import defaultdict
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, models

from sacco_core.money import to_money
from sacco_core.savings import (
    BalanceChange,
    compound_maturity_value,
    early_withdrawal_penalty,
    interest_for_period,
)

from .sacco_savings_transaction import Movement

PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "annually": 12}
# BOSA deposits and shares earn at year-end (interest rebate and dividends); fixed deposits
# at maturity.
PERIODIC_KINDS = ("fosa_savings", "target_savings")


def last_complete_period(months, today):
    """The latest calendar period of ``months`` months that ended before ``today``."""
    first_of_month = today.replace(day=1)
    end_month_index = (first_of_month.month - 1) // months * months  # periods align on January
    period_end = date(first_of_month.year, end_month_index + 1, 1) - relativedelta(days=1)
    return period_end - relativedelta(months=months) + relativedelta(days=1), period_end


class SaccoSavingsInterestRun(models.AbstractModel):
    """Periodic interest on withdrawable savings: one posting per product and period."""

    _name = "sacco.savings.interest.run"
    _description = "Savings Interest Posting"

    @api.model
    def _cron_post_interest(self, today=None):
        today = today or date.today()
        products = self.env["sacco.savings.product"].search(
            [("kind", "in", PERIODIC_KINDS), ("interest_rate", ">", 0)]
        )
        return [
            self._post_period(
                product, *last_complete_period(PERIOD_MONTHS[product.interest_posting], today)
            )
            for product in products
        ]

    @api.model
    def _post_period(self, product, start, end):
        """Post ``product``'s interest for [start, end] once; returns the transactions."""
        reference = f"INT/{product.code}/{end:%Y-%m-%d}"
        Transaction = self.env["sacco.savings.transaction"]
        if Transaction.search_count([("external_ref", "=", reference)]):
            return Transaction
        movements = [
            Movement(account, "interest", float(amount))
            for account, amount in self._interest_by_account(product, start, end).items()
            if amount > 0
        ]
        if not movements:
            return Transaction
        total = sum(movement.amount for movement in movements)
        label = self.env._("Interest %(start)s to %(end)s", start=start, end=end)
        account = movements[0].account
        return Transaction._post_movements(
            movements,
            [
                {
                    "account": product._interest_expense_account(),
                    "partner": product.company_id.partner_id,
                    "name": label,
                    "debit": total,
                }
            ],
            account._system_journal(),
            end,
            "system",
            external_ref=reference,
            narration=label,
        )

    @api.model
    def _interest_by_account(self, product, start, end):
        """Interest per open account from one grouped query over the product's history."""
        self.env["sacco.savings.transaction"].flush_model()
        self.env.cr.execute(
            """
            SELECT txn.account_id, txn.date, SUM(txn.amount)
              FROM sacco_savings_transaction txn
              JOIN sacco_savings_account account ON account.id = txn.account_id
             WHERE account.product_id = %s AND account.state != 'closed' AND txn.date <= %s
             GROUP BY txn.account_id, txn.date
             ORDER BY txn.account_id, txn.date
            """,
            [product.id, end],
        )
        history = defaultdict(list)
        for account_id, day, amount in self.env.cr.fetchall():
            history[account_id].append((day, to_money(amount, strict=False)))
        rate = to_money(product.interest_rate, strict=False)
        return {
            self.env["sacco.savings.account"].browse(account_id): interest_for_period(
                *self._opening_and_changes(days, start),
                start,
                end,
                rate,
                product.interest_method,
                int(product.days_in_year),
            )
            for account_id, days in history.items()
        }

    @staticmethod
    def _opening_and_changes(days, start):
        balance, opening, changes = to_money(0), None, []
        for day, amount in days:
            balance += amount
            if day < start:
                opening = balance
            else:
                changes.append(BalanceChange(on=day, balance=balance))
        return opening if opening is not None else to_money(0), changes

    # ---------------------------------------------------------------- fixed deposits

    @api.model
    def _cron_mature_fixed_deposits(self, today=None):
        """Pay compound interest on matured fixed deposits, then roll over or move to FOSA."""
        today = today or date.today()
        accounts = self.env["sacco.savings.account"].search(
            [
                ("kind", "=", "fixed_deposit"),
                ("state", "=", "active"),
                ("locked_until", "<=", today),
            ]
        )
        for account in accounts.filtered("balance"):
            self._mature(account)
        return accounts

    @api.model
    def _mature(self, account):
        product, maturity = account.product_id, account.locked_until
        reference = f"FD/{account.name}/{maturity:%Y-%m-%d}"
        if not self.env["sacco.savings.transaction"].search_count(
            [("external_ref", "=", reference)]
        ):
            interest = self._fixed_deposit_interest(account, product.term_months)
            if interest > 0:
                account.post_interest(
                    float(interest),
                    maturity,
                    narration=self.env._("Interest at maturity"),
                    external_ref=reference,
                )
        if product.maturity_action == "rollover":
            account.locked_until = maturity + relativedelta(months=product.term_months)
        else:
            account.transfer_to(
                account._member_fosa_account(),
                account.balance,
                narration=self.env._("Matured fixed deposit %s", account.name),
            )
            account.action_close()

    @api.model
    def _fixed_deposit_interest(self, account, months):
        principal = to_money(account.balance, strict=False)
        compounding = account.product_id.interest_posting
        value = compound_maturity_value(
            principal, to_money(account.product_id.interest_rate, strict=False), months, compounding
        )
        return value - principal

    @api.model
    def _break_fixed_deposit(self, account, today):
        """Early withdrawal: interest for the whole months held, less the product's penalty,
        then everything to the member's FOSA account."""
        held = relativedelta(today, account.opened_on)
        months = held.years * 12 + held.months
        earned = self._fixed_deposit_interest(account, months) if months else to_money(0)
        penalty = early_withdrawal_penalty(
            earned, to_money(account.product_id.early_withdrawal_penalty, strict=False)
        )
        if earned - penalty > 0:
            account.post_interest(
                float(earned - penalty),
                today,
                narration=self.env._("Interest on early withdrawal, less %s penalty", penalty),
            )
        account.locked_until = False
        account.transfer_to(
            account._member_fosa_account(),
            account.balance,
            narration=self.env._("Fixed deposit %s broken early", account.name),
        )
        account.action_close()
