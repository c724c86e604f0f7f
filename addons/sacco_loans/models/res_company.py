from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from sacco_core.exceptions import SaccoRuleError
from sacco_core.portfolio import Bands, Rates


class ResCompany(models.Model):
    _inherit = "res.company"

    sacco_loan_officer_limit = fields.Monetary(
        string="Loan Officer Approval Limit",
        currency_field="currency_id",
        default=100000.0,
        help="Loan officers approve loans up to this amount; the credit committee above it.",
    )
    # Close of business: SASRA bands (upper days past due), provision rates, accrual, SMS.
    sacco_cob_watch_days = fields.Integer(string="Watch up to (days)", default=30)
    sacco_cob_substandard_days = fields.Integer(string="Substandard up to (days)", default=180)
    sacco_cob_doubtful_days = fields.Integer(string="Doubtful up to (days)", default=360)
    sacco_provision_performing = fields.Float(string="Performing Provision (%)", default=1.0)
    sacco_provision_watch = fields.Float(string="Watch Provision (%)", default=5.0)
    sacco_provision_substandard = fields.Float(string="Substandard Provision (%)", default=25.0)
    sacco_provision_doubtful = fields.Float(string="Doubtful Provision (%)", default=50.0)
    sacco_provision_loss = fields.Float(string="Loss Provision (%)", default=100.0)
    sacco_cob_stop_accrual = fields.Boolean(
        string="Stop Accrual on Doubtful and Loss",
        default=True,
        help="Interest of Doubtful and Loss loans is kept memorandum (in suspense).",
    )
    sacco_cob_reminder_days = fields.Integer(
        string="Repayment Reminder (days before)",
        default=3,
        help="An SMS reminds borrowers this many days before an installment falls due.",
    )

    @api.constrains(
        "sacco_cob_watch_days",
        "sacco_cob_substandard_days",
        "sacco_cob_doubtful_days",
        "sacco_provision_performing",
        "sacco_provision_watch",
        "sacco_provision_substandard",
        "sacco_provision_doubtful",
        "sacco_provision_loss",
        "sacco_cob_reminder_days",
    )
    def _check_sacco_cob_settings(self):
        for company in self:
            try:
                company._sacco_cob_bands()
                company._sacco_cob_rates()
            except SaccoRuleError as error:
                raise ValidationError(str(error)) from error
            if company.sacco_cob_reminder_days < 0:
                raise ValidationError(self.env._("Reminder days cannot be negative."))

    def _sacco_cob_bands(self):
        self.ensure_one()
        return Bands(
            self.sacco_cob_watch_days, self.sacco_cob_substandard_days, self.sacco_cob_doubtful_days
        )

    def _sacco_cob_rates(self):
        self.ensure_one()
        return Rates(
            *(
                Decimal(str(self[f"sacco_provision_{name}"]))
                for name in ("performing", "watch", "substandard", "doubtful", "loss")
            )
        )

    def _sacco_cob_sql_params(self):
        """The bands and rates as parameters of the standing SQL."""
        bands, rates = self._sacco_cob_bands(), self._sacco_cob_rates()
        return {
            "watch": bands.watch,
            "substandard": bands.substandard,
            "doubtful": bands.doubtful,
            "performing": rates.performing,
            "watch_rate": rates.watch,
            "substandard_rate": rates.substandard,
            "doubtful_rate": rates.doubtful,
            "loss_rate": rates.loss,
        }
