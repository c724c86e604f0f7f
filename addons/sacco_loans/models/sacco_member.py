from dateutil.relativedelta import relativedelta

from odoo import fields, models

from sacco_core.checkoff import Expectation

from .sacco_checkoff_batch import (
    LOAN_CHECKOFF_PRIORITY,
    loan_amount_due,
    loan_id_of,
    loan_key,
)


class SaccoMember(models.Model):
    _inherit = "sacco.member"

    loan_ids = fields.One2many("sacco.loan", "member_id", string="Loans", readonly=True)

    def _exit_obligations(self):
        """Loans still owed count against the exit refund."""
        owed = super()._exit_obligations()
        active = self.loan_ids.filtered(lambda loan: loan.state == "active")
        return owed + sum(active.mapped("principal_outstanding"))

    def _loan_exposure(self):
        """Principal the member still owes on active loans."""
        self.ensure_one()
        active = self.sudo().loan_ids.filtered(lambda loan: loan.state == "active")
        return sum(active.mapped("principal_outstanding"))

    def _in_loan_arrears(self, on_date):
        """An installment of an active loan past its due date and unpaid."""
        self.ensure_one()
        return bool(
            self.env["sacco.loan.installment"]
            .sudo()
            .search_count(
                [
                    ("loan_id.member_id", "=", self.id),
                    ("loan_id.state", "=", "active"),
                    ("due_date", "<", on_date),
                    ("paid", "=", False),
                ],
                limit=1,
            )
        )

    def _sacco_guarantee_requests(self):
        """The member's guarantor lines awaiting their consent, on applications still open."""
        self.ensure_one()
        return self.env["sacco.loan.guarantor"].search(
            [
                ("member_id", "=", self.id),
                ("consent_state", "=", "requested"),
                ("application_id.state", "in", ("draft", "submitted")),
            ]
        )

    def _sacco_guarantee_exposure(self):
        """The member's guarantees still holding part of their deposits (``held_amount``)."""
        self.ensure_one()
        return self.env["sacco.loan.guarantor"].search(
            [
                ("member_id", "=", self.id),
                ("hold_id.state", "=", "active"),
                ("hold_id.amount", ">", 0),
            ]
        )

    def _bosa_deposit_account(self):
        self.ensure_one()
        return self.sudo().savings_account_ids.filtered(
            lambda a: a.kind == "bosa_deposit" and a.state in ("active", "dormant")
        )[:1]

    # ---------------------------------------------------------------- check-off hooks

    def _checkoff_loans(self):
        """Active loans whose installments the employer deducts from the member's pay."""
        self.ensure_one()
        return self.sudo().loan_ids.filtered(lambda loan: loan.state == "active").sorted("id")

    def _checkoff_expectations(self, period):
        """Savings expectations plus, per active loan, what falls due by the end of
        ``period``'s month: that month's installment and any arrears, keyed ``loan:<id>``
        and served before savings (``LOAN_CHECKOFF_PRIORITY``)."""
        expectations = super()._checkoff_expectations(period)
        month_end = period + relativedelta(day=31)
        for loan in self._checkoff_loans():
            amount = loan_amount_due(loan, month_end)
            if amount > 0:
                expectations.append(Expectation(loan_key(loan), LOAN_CHECKOFF_PRIORITY, amount))
        return expectations

    def _checkoff_key_label(self, key):
        """The advice column of a loan key is its product's name."""
        loan_id = loan_id_of(key)
        if loan_id is None:
            return super()._checkoff_key_label(key)
        return self.env["sacco.loan"].sudo().browse(loan_id).product_id.name
