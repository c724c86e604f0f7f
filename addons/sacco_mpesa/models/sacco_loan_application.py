from odoo import fields, models

MPESA_CHANNEL = [("mpesa", "M-Pesa (B2C)")]


class SaccoLoanApplication(models.Model):
    _inherit = "sacco.loan.application"

    disbursement_channel = fields.Selection(
        selection_add=MPESA_CHANNEL, ondelete={"mpesa": "set default"}
    )

    def _disburse(self, date=None):
        """M-Pesa disbursements post the net into B2C clearing (the clearing journal pays
        them out), then send the B2C payment to the member's phone (by the background job
        under the context key ``sacco_mpesa_defer``, for channels that must answer at once)."""
        Request = self.env["sacco.mpesa.request"]
        for app in self.filtered(lambda a: a.disbursement_channel == "mpesa"):
            app.disbursement_journal_id = Request._config_for(app.member_id).clearing_journal_id
        loans = super()._disburse(date=date)
        for loan in loans.filtered(lambda loan: loan.disbursement_channel == "mpesa"):
            Request.request_b2c(
                loan.member_id,
                loan.member_id.phone,
                loan.net_disbursed,
                loan,
                defer=self.env.context.get("sacco_mpesa_defer", False),
            )
        return loans
