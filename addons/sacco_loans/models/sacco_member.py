from odoo import fields, models


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

    def _bosa_deposit_account(self):
        self.ensure_one()
        return self.sudo().savings_account_ids.filtered(
            lambda a: a.kind == "bosa_deposit" and a.state in ("active", "dormant")
        )[:1]
