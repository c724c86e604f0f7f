from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.sacco_savings.models.sacco_checkoff_batch import money_sum

from sacco_core.exceptions import SaccoRuleError
from sacco_core.loan_rules import allocate
from sacco_core.money import to_money

LOAN_KEY_PREFIX = "loan:"
# Check-off priority of loan installments: savings products default to 10 (lower is
# served first), so a short remittance pays the loans before deposits and shares.
LOAN_CHECKOFF_PRIORITY = 5


def loan_key(loan):
    """The check-off allocation key of a loan, e.g. "loan:7"."""
    return f"{LOAN_KEY_PREFIX}{loan.id}"


def loan_id_of(key):
    """The loan id a check-off key names, or None for other targets (savings accounts)."""
    return int(key.removeprefix(LOAN_KEY_PREFIX)) if key.startswith(LOAN_KEY_PREFIX) else None


def loan_amount_due(loan, until):
    """What ``loan`` asks for by ``until``: unpaid installments due then or before."""
    due = loan.installment_ids.filtered(lambda line: not line.paid and line.due_date <= until)
    return money_sum(due.mapped("amount_due"))


class SaccoCheckoffBatch(models.Model):
    """Check-off allocations to loans post in the batch's one entry as loan repayments."""

    _inherit = "sacco.checkoff.batch"

    def _prepare_allocation_vals(self, member, key, amount, is_excess=False):
        vals = super()._prepare_allocation_vals(member, key, amount, is_excess=is_excess)
        vals["loan_id"] = loan_id_of(key) or False
        return vals

    def _prepare_posting(self, label, suspense_vals):
        """Add, per loan, the credits of a repayment (sacco.loan._repayment_lines),
        allocated over the installments by the product's order; the installments are paid
        in the same transaction as the entry."""
        movements, counter_lines = super()._prepare_posting(label, suspense_vals)
        for loan, allocations in self._loan_allocations().items():
            amount = money_sum(allocations.mapped("amount"))
            counter_lines += self._repay_loan_lines(loan, amount, label)
        return movements, counter_lines

    def _post(self):
        """The loans' repayments (recorded while the entry was prepared) get the entry,
        then release guarantees and close repaid loans, as a repayment at the counter."""
        result = super()._post()
        repayments = (
            self.env["sacco.loan.repayment"]
            .sudo()
            .search([("checkoff_batch_id", "=", self.id), ("move_id", "=", False)])
        )
        repayments.loan_id._cob_after_repayment(self.date)
        for loan in repayments.loan_id:
            loan._after_payment(self.date)
        repayments.move_id = self.move_id
        repayments.filtered(lambda r: r.loan_id.state == "closed").closed_loan = True
        return result

    def _loan_allocations(self):
        allocations = self.allocation_ids.filtered("loan_id")
        return {loan.sudo(): allocs for loan, allocs in allocations.grouped("loan_id").items()}

    def _repay_loan_lines(self, loan, amount, label):
        loan._lock()
        loan._check_active()
        unpaid = loan.installment_ids.filtered(lambda line: not line.paid).sorted("number")
        allocation = list(zip(unpaid, self._split_loan_payment(loan, amount, unpaid), strict=True))
        lines = loan._repayment_lines(allocation, label)
        applied = loan._applied_parts(allocation)
        for line, part in allocation:
            if part.total:
                line._apply_payment(part)
        self.env["sacco.loan.repayment"]._record(
            loan,
            self.env["account.move"],
            applied,
            amount=amount,
            channel="checkoff",
            date=self.date,
            holds=loan._hold_amounts(),
            checkoff_batch_id=self.id,
        )
        return lines

    def _reverse_loan_repayment(self, repayment, label):
        """Take ``repayment``'s credits out of this remittance's entry: its money goes to
        check-off suspense (Dr the loan's accounts, Cr suspense), an open suspense item
        for staff to allocate to the right account. Returns the entry."""
        self.ensure_one()
        loan = repayment.loan_id
        Ledger = self.env["sacco.ledger"].sudo()
        items = self.move_id.line_ids.filtered(lambda item: item.sacco_loan_id == loan)
        amount = self.currency_id.round(sum(items.mapped("credit")) - sum(items.mapped("debit")))
        suspense = self.company_id._sacco_account("sacco_account_suspense_id")
        lines = [
            Ledger._line(
                item.account_id,
                item.partner_id,
                label,
                debit=item.credit,
                credit=item.debit,
                sacco_loan_id=loan.id,
            )
            for item in items
        ]
        lines.append(Ledger._line(suspense, self.employer_id, label, credit=amount))
        move = Ledger._post_entry(self.journal_id, fields.Date.context_today(self), label, lines)
        member = loan.member_id
        self.env["sacco.checkoff.suspense"].sudo().create(
            {
                "name": self.env._(
                    "%(batch)s reversed repayment of %(loan)s", batch=self.name, loan=loan.name
                ),
                "batch_id": self.id,
                "member_id": member.id,
                "payroll_number": member.payroll_number,
                "member_number": member.member_number,
                "amount": amount,
                "note": label,
            }
        )
        return move

    def _split_loan_payment(self, loan, amount, unpaid):
        try:
            parts, left = allocate(
                to_money(amount, strict=False),
                [line._due() for line in unpaid],
                loan.product_id._allocation_components(),
            )
        except SaccoRuleError as error:
            raise UserError(str(error)) from error
        if left > 0:
            raise UserError(
                self.env._(
                    "Loan %(loan)s now owes less than batch %(batch)s allocates to it; reset "
                    "the batch to draft and validate it again.",
                    loan=loan.name,
                    batch=self.name,
                )
            )
        return parts
