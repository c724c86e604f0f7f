from odoo import api, fields, models
from odoo.tools.sql import create_index, drop_index, index_exists

from sacco_core.loan_rules import Due
from sacco_core.money import to_money


class SaccoLoanInstallment(models.Model):
    _name = "sacco.loan.installment"
    _description = "Loan Installment"
    _order = "loan_id, number"

    # Not indexed on their own (see init): the loan's installments are found through the
    # unique (loan_id, number) index, unpaid ones through the two partial indexes.
    loan_id = fields.Many2one("sacco.loan", required=True, ondelete="cascade")
    member_id = fields.Many2one(related="loan_id.member_id", store=True)
    branch_id = fields.Many2one(related="loan_id.branch_id", store=True)
    company_id = fields.Many2one(related="loan_id.company_id", store=True)
    currency_id = fields.Many2one(related="loan_id.currency_id")
    number = fields.Integer(required=True, readonly=True)
    due_date = fields.Date(required=True, readonly=True, index=True)
    principal = fields.Monetary(readonly=True)
    interest = fields.Monetary(readonly=True)
    fee = fields.Monetary(readonly=True, help="Loan fees spread over the installments.")
    total = fields.Monetary(compute="_compute_amounts", store=True)
    principal_paid = fields.Monetary(readonly=True)
    interest_paid = fields.Monetary(readonly=True)
    fee_paid = fields.Monetary(readonly=True)
    penalty = fields.Monetary(readonly=True, help="Penalties charged on this installment.")
    penalty_paid = fields.Monetary(readonly=True)
    interest_receivable = fields.Monetary(
        readonly=True,
        help="Interest of this installment accrued to interest receivable and not yet paid.",
    )
    interest_waived = fields.Monetary(
        readonly=True, help="Interest not yet earned when the loan was settled early."
    )
    amount_due = fields.Monetary(string="Unpaid", compute="_compute_amounts", store=True)
    paid = fields.Boolean(compute="_compute_amounts", store=True)

    _sql_constraints = [
        ("loan_number_uniq", "unique(loan_id, number)", "Installment numbers are unique."),
    ]

    def init(self):
        # The close of business writes to thousands of installments a night (accruals,
        # penalties): every index of the table is one more random write per row, which
        # at a million loans no longer fits the cache. No index of their own for the loan
        # (the unique index starts with it), the company or the paid flag; and room on each
        # page, so a change of unindexed amounts (interest receivable) stays in place (HOT).
        for column in ("loan_id", "company_id", "paid"):
            drop_index(self.env.cr, f"{self._table}__{column}_index", self._table)
        # Each page written to loses its all-visible bit, and the next night's standing then
        # reads that page for every unpaid installment on it instead of only the index: at
        # a million loans a night's writes touched 40 % of those entries. By default
        # autovacuum waits for 20 % of the table to be dead (years of nights); after 10,000
        # dead rows it cleans up after each night instead.
        self.env.cr.execute(
            f"ALTER TABLE {self._table} SET (fillfactor = 90, "
            "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000)"
        )
        # The nightly close of business reads the unpaid installments by loan and due date.
        create_index(
            self.env.cr,
            "sacco_loan_installment_unpaid_idx",
            self._table,
            ["loan_id", "due_date"],
            where="NOT paid",
        )
        # ... and, for all loans at once, the unpaid installments due by a date: what the
        # standing and penalties sum is in the index itself (an index-only scan of the few
        # installments in arrears, not of the whole schedule table).
        if not index_exists(self.env.cr, "sacco_loan_installment_unpaid_due_idx"):
            self.env.cr.execute(
                """
                CREATE INDEX sacco_loan_installment_unpaid_due_idx
                    ON sacco_loan_installment (due_date)
                    INCLUDE (id, loan_id, number, total, principal, principal_paid, interest,
                             interest_paid, interest_waived, fee, fee_paid, penalty,
                             penalty_paid)
                 WHERE NOT paid
                """
            )

    @api.depends(
        "principal",
        "interest",
        "fee",
        "penalty",
        "principal_paid",
        "interest_paid",
        "interest_waived",
        "fee_paid",
        "penalty_paid",
    )
    def _compute_amounts(self):
        for line in self:
            line.total = line.principal + line.interest + line.fee
            paid = line.principal_paid + line.interest_paid + line.fee_paid + line.penalty_paid
            due = line.total + line.penalty - paid - line.interest_waived
            line.amount_due = line.currency_id.round(due)
            line.paid = line.currency_id.is_zero(line.amount_due)

    def _due(self):
        """What is still owed on this installment, for sacco_core.loan_rules.allocate."""
        self.ensure_one()
        return Due(
            penalty=to_money(self.penalty - self.penalty_paid, strict=False),
            fee=to_money(self.fee - self.fee_paid, strict=False),
            interest=to_money(
                self.interest - self.interest_paid - self.interest_waived, strict=False
            ),
            principal=to_money(self.principal - self.principal_paid, strict=False),
        )

    def _receivable_part(self, part):
        """How much of the interest in ``part`` settles accrued interest receivable."""
        self.ensure_one()
        return min(part.interest, to_money(self.interest_receivable, strict=False))

    def _apply_payment(self, part):
        self.ensure_one()
        self.write(
            {
                "principal_paid": self.principal_paid + float(part.principal),
                "interest_paid": self.interest_paid + float(part.interest),
                "fee_paid": self.fee_paid + float(part.fee),
                "penalty_paid": self.penalty_paid + float(part.penalty),
                "interest_receivable": self.interest_receivable
                - float(self._receivable_part(part)),
            }
        )
