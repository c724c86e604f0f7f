from odoo import api, fields, models

from sacco_core.checkoff import Expectation
from sacco_core.money import to_money

ACCOUNT_KEY_PREFIX = "account:"
# Members an employer's check-off advice lists, and members a remittance row may pay.
ADVICE_STATES = ("active", "dormant")
PAYABLE_STATES = ("active", "dormant", "suspended")


def account_key(account):
    """The allocation key of a savings account, e.g. "account:42"."""
    return f"{ACCOUNT_KEY_PREFIX}{account.id}"


def account_id_of(key):
    """The savings account id an allocation key names, or None for other targets (loans)."""
    return int(key.removeprefix(ACCOUNT_KEY_PREFIX)) if key.startswith(ACCOUNT_KEY_PREFIX) else None


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    savings_account_ids = fields.One2many("sacco.savings.account", "member_id")
    savings_account_count = fields.Integer(compute="_compute_savings_totals")
    share_capital = fields.Monetary(compute="_compute_savings_totals")
    deposits = fields.Monetary(string="BOSA Deposits", compute="_compute_savings_totals")
    savings = fields.Monetary(string="FOSA Savings", compute="_compute_savings_totals")

    def _compute_savings_totals(self):
        totals = {
            (member.id, kind): balance
            for member, kind, balance in self.env["sacco.savings.account"]._read_group(
                [("member_id", "in", self.ids)], ["member_id", "kind"], ["balance:sum"]
            )
        }
        counts = dict(
            self.env["sacco.savings.account"]._read_group(
                [("member_id", "in", self.ids)], ["member_id"], ["__count"]
            )
        )
        for member in self:
            member.savings_account_count = counts.get(member, 0)
            member.share_capital = totals.get((member.id, "share_capital"), 0.0)
            member.deposits = totals.get((member.id, "bosa_deposit"), 0.0)
            member.savings = sum(
                totals.get((member.id, kind), 0.0)
                for kind in ("fosa_savings", "fixed_deposit", "target_savings")
            )

    def action_approve(self):
        result = super().action_approve()
        self.env["sacco.savings.account"].sudo()._open_mandatory_accounts(self)
        return result

    def action_view_savings_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "sacco_savings.sacco_savings_account_action"
        )
        action["domain"] = [("member_id", "=", self.id)]
        action["context"] = {"default_member_id": self.id}
        return action

    def _exit_obligations(self):
        """What the member still owes at exit (the loans module adds loans and guarantees)."""
        self.ensure_one()
        return 0.0

    def action_exit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sacco.member.exit",
            "view_mode": "form",
            "context": {"default_member_id": self.id},
        }

    # ---------------------------------------------------------------- check-off hooks
    @api.model
    def _checkoff_advice_members(self, employer, company):
        return self.search(
            [
                ("employer_id", "=", employer.id),
                ("company_id", "=", company.id),
                ("state", "in", ADVICE_STATES),
            ]
        )

    def _checkoff_accounts(self):
        self.ensure_one()
        return self.savings_account_ids.filtered(lambda account: account.state != "closed")

    def _checkoff_expectations(self, period):
        """What the employer should deduct from this member's pay for ``period`` (the first
        of the month): one ``Expectation`` per open account whose product has a monthly
        check-off amount, keyed ``account:<id>``, with the product's check-off priority.

        This is the hook the loans module extends: ``super()`` plus the loan installments due
        in the period (its own keys, which it also labels, resolves and posts).
        """
        self.ensure_one()
        expectations = []
        for account in self._checkoff_accounts():
            product = account.product_id
            monthly = (
                product.minimum_monthly_contribution
                if product.kind == "bosa_deposit"
                else product.checkoff_amount
            )
            amount = to_money(monthly, strict=False)
            if amount > 0:
                expectations.append(
                    Expectation(account_key(account), product.checkoff_priority, amount)
                )
        return expectations

    def _checkoff_key_label(self, key):
        """The advice column for an expectation key: the product's name for accounts."""
        account_id = account_id_of(key)
        if account_id is None:
            return key
        return self.env["sacco.savings.account"].browse(account_id).product_id.name

    def _checkoff_key_for_code(self, code):
        """The key a row's product code directs money to: the member's open account of the
        product with that code (case-insensitive), or None."""
        self.ensure_one()
        wanted = code.strip().upper()
        account = self._checkoff_accounts().filtered(
            lambda acc: acc.product_id.code.upper() == wanted
        )[:1]
        return account_key(account) if account else None

    def _checkoff_excess_account(self):
        """Where money beyond the member's expectations goes: the BOSA deposit account."""
        self.ensure_one()
        return self._checkoff_accounts().filtered(lambda acc: acc.kind == "bosa_deposit")[:1]
