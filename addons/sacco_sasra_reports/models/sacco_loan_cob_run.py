from datetime import timedelta

from odoo import models


class SaccoLoanCobRun(models.Model):
    _inherit = "sacco.loan.cob.run"

    def _phase_provisioning(self):
        """At the month end, also keep each loan's standing for the SASRA returns."""
        result = super()._phase_provisioning()
        if (self.date + timedelta(days=1)).month != self.date.month:
            self.env["sacco.sasra.loan.snapshot"].sudo()._take(self.company_id, self.date)
        return result
