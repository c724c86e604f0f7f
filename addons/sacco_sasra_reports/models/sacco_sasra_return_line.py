from odoo import fields, models
from odoo.exceptions import UserError

from sacco_core.portfolio import CLASSES, NON_PERFORMING
from sacco_core.sasra import DEPOSIT_BANDS, GL_LINE_CODES, INCOME_LINES, deposit_band

from .sacco_sasra_return import DEPOSIT_TYPE_OF_KIND

# Figures of Forms 1, 2, 5, 2A, 2B and 2E that are a Form 6 line under another name.
GL_ALIASES = {
    "cash": "cash_in_hand",
    "local_notes": "cash_in_hand",
    "notes_total": "cash_in_hand",
    "bank_balances": "cash_at_bank",
    "net_bank_balances": "cash_at_bank",
    "sacco_balances": "placements",
    "net_fi_balances": "placements",
    "treasury_bills": "government_securities",
    "loans": "gross_loans",
    "investments": "financial_investments",
    "equity_investments": "financial_investments",
    "subsidiary_investments": "investment_subsidiary",
    "other_investments": "government_securities",
    "land_buildings": "property_equipment",
}
GL_FORMS = ("1", "2", "5", "6", "7", "2A", "2B", "2E", "2F", "2G")
LOAN_FORMS = ("4", "8", "9", "sectoral", "2D", "2H")


class SaccoSasraReturnLine(models.Model):
    """One frozen figure of a return, at its cell of the portal's template."""

    _name = "sacco.sasra.return.line"
    _description = "SASRA Return Figure"
    _order = "return_id, sequence"

    return_id = fields.Many2one("sacco.sasra.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    form = fields.Selection(related="return_id.form")
    sequence = fields.Integer()
    code = fields.Char(required=True, readonly=True)
    cell = fields.Char(required=True, readonly=True)
    label = fields.Char(readonly=True)
    value = fields.Float(digits=(16, 2), readonly=True)

    def action_drill_down(self):
        """The journal items, member deposit accounts or loans behind the figure."""
        self.ensure_one()
        gl_line = GL_ALIASES.get(self.code, self.code)
        if self.form in GL_FORMS and gl_line in GL_LINE_CODES:
            return self._gl_items(gl_line)
        if self.form in ("3", "2C") and self.code != "total_count":
            return self._deposit_accounts()
        if self._loan_figure():
            return self._loans()
        raise UserError(self.env._("This figure is computed from the other figures of the form."))

    def _gl_items(self, gl_line):
        ret = self.return_id
        domain = [
            ("company_id", "=", ret.company_id.id),
            ("parent_state", "=", "posted"),
            ("account_id.sacco_sasra_line", "=", gl_line),
            ("date", "<=", ret.date_to),
        ]
        if gl_line in INCOME_LINES:
            year = ret.company_id.compute_fiscalyear_dates(ret.date_to)["date_from"]
            domain.append(("date", ">=", year))
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.label} ({self.cell})",
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": domain,
            "context": {"search_default_group_by_account": 1},
        }

    def _loan_figure(self):
        """Whether the figure adds up month-end loan standings."""
        if self.form not in LOAN_FORMS or "rate_" in self.code:
            return False
        if self.form == "2H":
            return self.code.split("_")[0] in (
                "gross",
                "interest",
                "total",
                "npl",
                "net",
                "insider",
            )
        return True

    def _deposit_accounts(self):
        ret = self.return_id
        # count|amount, band, type (Form 2C: non-withdrawable deposits only)
        parts = (self.code + "_non_withdrawable" * (self.form == "2C")).split("_", 2)
        ids = [
            account_id
            for account_id, kind, balance in ret._deposit_rows(ret.company_id, ret.date_to)
            if self.code == "total_deposits"
            or (deposit_band(balance) == int(parts[1]) and DEPOSIT_TYPE_OF_KIND[kind] == parts[2])
        ]
        band = DEPOSIT_BANDS[int(parts[1])][0] if self.code != "total_deposits" else ""
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.label} {band} ({self.cell})",
            "res_model": "sacco.savings.account",
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
        }

    def _loans(self):
        ret = self.return_id
        domain = [
            ("company_id", "=", ret.company_id.id),
            ("date", "=", ret.date_to),
            *self._loan_domain(),
        ]
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.label} ({self.cell})",
            "res_model": "sacco.sasra.loan.snapshot",
            "view_mode": "list,form",
            "domain": domain,
        }

    def _loan_domain(self):
        """The month-end loan standings behind the figure."""
        form, code = self.form, self.code
        words = code.split("_")
        domain = []
        if words[-1] in CLASSES:
            domain.append(("sasra_class", "=", words[-1]))
        if form in ("4", "2D") and not code.startswith("total_"):
            domain.append(("rescheduled", "=", code.startswith("rescheduled_")))
        elif form == "2H" and code.startswith("insider_"):
            roles = {"directors": ["director", "committee"], "employees": ["staff"]}
            domain.append(
                ("insider_role", "in", roles[words[1]])
                if words[1] in roles
                else ("insider_role", "!=", False)
            )
        elif form == "2H":
            domain.append(("sasra_class", "in", list(NON_PERFORMING)))
        elif form == "8":
            if code.startswith("insider_"):
                role = words[1]
                domain.append(
                    ("insider_role", "!=", False)
                    if role == "total"
                    else ("insider_role", "=", role)
                )
            else:
                domain.append(("sasra_class", "in", list(NON_PERFORMING)))
        elif form == "9":
            domain.append(
                ("insider_role", "!=", False)
                if words[0] == "total"
                else ("insider_role", "=", words[0])
            )
            if "new" in words:
                domain.append(("disbursed_on", ">=", self.return_id.date_from))
        elif form == "sectoral" and words[0] != "total":
            sector = code.split("_count_")[0].split("_amount_")[0]
            domain.append(("economic_sector", "=", sector))
        return domain
