from collections import defaultdict
from decimal import Decimal

from odoo import fields, models

from ..tools.xlsx import download_action, xlsx_table

ZERO = Decimal("0.00")


class SaccoCheckoffAdvice(models.TransientModel):
    """The monthly check-off advice sent to an employer: what to deduct from each member."""

    _name = "sacco.checkoff.advice"
    _description = "Check-off Advice"

    employer_id = fields.Many2one(
        "res.partner", required=True, domain=[("sacco_is_employer", "=", True)]
    )
    period = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="The payroll month; any day of it.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    def action_export(self):
        """XLSX with one row per member of the employer and one column per product (or loan
        kind); its "Amount" column is what the remittance file expects back."""
        self.ensure_one()
        header, rows = self._advice_table(self.period.replace(day=1))
        content = xlsx_table(
            self.env._("Advice %s", self.period.strftime("%Y-%m")),
            (),
            header,
            rows,
            money_columns=range(3, len(header)),
        )
        filename = self.env._(
            "Check-off advice %(employer)s %(period)s.xlsx",
            employer=self.employer_id.name,
            period=self.period.strftime("%Y-%m"),
        )
        return download_action(self.employer_id.sudo(), filename, content)

    def _advice_table(self, period):
        members = self.env["sacco.member"]._checkoff_advice_members(
            self.employer_id, self.company_id
        )
        amounts, priorities = {}, {}
        for member in members:
            amounts[member] = defaultdict(Decimal)
            for expectation in member._checkoff_expectations(period):
                label = member._checkoff_key_label(expectation.key)
                amounts[member][label] += expectation.amount
                priorities[label] = min(
                    priorities.get(label, expectation.priority), expectation.priority
                )
        columns = sorted(priorities, key=lambda label: (priorities[label], label))
        # The columns a remittance file is read by stay untranslated, so the employer can
        # fill in the sheet and send it back.
        header = ["Payroll Number", "Member Number", self.env._("Name"), *columns, "Amount"]
        rows = [
            [
                member.payroll_number or "",
                member.member_number,
                member.name,
                *(float(amounts[member].get(label, ZERO)) for label in columns),
                float(sum(amounts[member].values(), ZERO)),
            ]
            for member in members
        ]
        return header, rows
