from odoo import fields, models

from ..models.sacco_loan_application import DISBURSEMENT_CHANNELS
from .sacco_loan_report_base import LOAN_FIELDS


class SaccoLoanDisbursementReport(models.Model):
    """Disbursement register: every disbursed loan with its fees and the net paid out."""

    _name = "sacco.loan.disbursement.report"
    _inherit = "sacco.loan.report.base"
    _description = "Loan Disbursement Register"
    _auto = False
    _order = "disbursed_on desc, id desc"
    _rec_name = "name"
    _depends = {
        "sacco.loan": [
            *LOAN_FIELDS,
            "topup_loan_id",
            "disbursed_on",
            "disbursement_channel",
            "principal",
            "processing_fee",
            "insurance_fee",
            "excise_duty",
            "net_disbursed",
            "state",
        ],
    }

    name = fields.Char(string="Loan Number", readonly=True)
    loan_id = fields.Many2one("sacco.loan", readonly=True)
    member_id = fields.Many2one("sacco.member", readonly=True)
    topup_loan_id = fields.Many2one("sacco.loan", string="Topped-up Loan", readonly=True)
    disbursed_on = fields.Date(readonly=True)
    disbursement_channel = fields.Selection(DISBURSEMENT_CHANNELS, string="Channel", readonly=True)
    principal = fields.Monetary(readonly=True)
    processing_fee = fields.Monetary(readonly=True)
    insurance_fee = fields.Monetary(readonly=True)
    excise_duty = fields.Monetary(readonly=True)
    fees_total = fields.Monetary(string="Fees", readonly=True)
    net_disbursed = fields.Monetary(readonly=True)
    state = fields.Selection(
        [("active", "Active"), ("closed", "Closed"), ("written_off", "Written Off")],
        readonly=True,
    )

    def _query(self):
        return f"""
            SELECT
                {self._loan_columns()},
                l.topup_loan_id,
                l.disbursed_on,
                l.disbursement_channel,
                l.principal,
                COALESCE(l.processing_fee, 0) AS processing_fee,
                COALESCE(l.insurance_fee, 0) AS insurance_fee,
                COALESCE(l.excise_duty, 0) AS excise_duty,
                COALESCE(l.processing_fee, 0) + COALESCE(l.insurance_fee, 0)
                    + COALESCE(l.excise_duty, 0) AS fees_total,
                l.net_disbursed,
                l.state
            FROM sacco_loan l
            WHERE l.disbursed_on IS NOT NULL
        """
