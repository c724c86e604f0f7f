from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.sacco_savings.tools.xlsx import download_action, xlsx_workbook

from sacco_core.money import to_money

from ..report.sacco_loan_portfolio_report import SASRA_CLASSES

PERIOD_REPORTS = ("disbursements", "collection")


def _money(value):
    return to_money(value or 0, strict=False)


def _percent(part, whole):
    """``part`` as a percentage of ``whole`` to 2 decimals; 0 when there is no whole."""
    whole = _money(whole)
    if not whole:
        return 0.0
    return float((_money(part) * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP))


class SaccoLoanReportPrint(models.TransientModel):
    """Portfolio reports printed to PDF or exported to XLSX. Each report is a list of
    sections (a title, a header, typed columns, rows and a totals row) shared by both."""

    _name = "sacco.loan.report.print"
    _description = "Portfolio Reports"

    report = fields.Selection(
        [
            ("par", "Portfolio at Risk"),
            ("aging", "Aging by SASRA Class"),
            ("arrears", "Arrears List"),
            ("disbursements", "Disbursement Register"),
            ("collection", "Repayments vs Expected"),
            ("exposure", "Guarantor Exposure"),
        ],
        required=True,
        default="par",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    as_of = fields.Date(
        string="As of",
        required=True,
        default=fields.Date.context_today,
        help="Loans disbursed on or before this date. Days past due, arrears, classes and "
        "provisions are those computed by the last close of business.",
    )
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.context_today(self).replace(day=1)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    is_period = fields.Boolean(compute="_compute_is_period")

    @api.depends("report")
    def _compute_is_period(self):
        for wizard in self:
            wizard.is_period = wizard.report in PERIOD_REPORTS

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period must start before it ends."))

    # ---------------------------------------------------------------- actions

    def action_pdf(self):
        self.ensure_one()
        return self.env.ref("sacco_loans.sacco_loan_portfolio_pdf_action").report_action(self)

    def action_xlsx(self):
        self.ensure_one()
        return download_action(self, f"{self._title()}.xlsx", self._xlsx())

    def _xlsx(self):
        return xlsx_workbook(
            [
                (
                    section["title"][:31],
                    self._title_rows(),
                    section["header"],
                    [*section["rows"], section["totals"]],
                    tuple(i for i, kind in enumerate(section["kinds"]) if kind == "money"),
                )
                for section in self._sections()
            ]
        )

    def _title(self):
        return dict(self._fields["report"]._description_selection(self.env))[self.report]

    def _title_rows(self):
        rows = [
            (self.env._("Report"), self._title()),
            (self.env._("Company"), self.company_id.name),
        ]
        if self.report in PERIOD_REPORTS:
            return [*rows, (self.env._("From"), self.date_from), (self.env._("To"), self.date_to)]
        return [*rows, (self.env._("As of"), self.as_of)]

    def _sections(self):
        """The report as ``{title, header, kinds, rows, totals}`` sections; kinds are text,
        int, money, percent or date."""
        self.ensure_one()
        return getattr(self, f"_sections_{self.report}")()

    def _section(self, title, columns, rows, totals):
        return {
            "title": title,
            "header": [label for label, _kind in columns],
            "kinds": [kind for _label, kind in columns],
            "rows": rows,
            "totals": [self.env._("Total"), *totals],
        }

    def _sum(self, records, field):
        total = sum(records.mapped(field))
        return total if isinstance(total, int) else self.company_id.currency_id.round(total)

    def _loan_domain(self):
        return [("company_id", "=", self.company_id.id), ("disbursed_on", "<=", self.as_of)]

    # ---------------------------------------------------------------- portfolio at risk

    def _sections_par(self):
        groupings = (
            ("product_id", self.env._("PAR by Product"), self.env._("Product")),
            ("branch_id", self.env._("PAR by Branch"), self.env._("Branch")),
            ("officer_id", self.env._("PAR by Loan Officer"), self.env._("Loan Officer")),
        )
        return [self._par_section(*grouping) for grouping in groupings]

    def _par_section(self, groupby, title, label):
        columns = [
            (label, "text"),
            (self.env._("Loans"), "int"),
            (self.env._("Outstanding"), "money"),
        ]
        for days in (1, 30, 90):
            columns += [
                (self.env._("PAR %s", days), "money"),
                (self.env._("PAR %s %%", days), "percent"),
            ]
        aggregates = ["__count", "principal_outstanding:sum", "par1:sum", "par30:sum", "par90:sum"]
        domain = [*self._loan_domain(), ("state", "=", "active")]
        Report = self.env["sacco.loan.portfolio.report"]
        rows = [
            [group.display_name or self.env._("Undefined"), *self._par_cells(*values)]
            for group, *values in Report._read_group(domain, [groupby], aggregates)
        ]
        (totals,) = Report._read_group(domain, [], aggregates)
        return self._section(title, columns, rows, self._par_cells(*totals))

    @staticmethod
    def _par_cells(count, outstanding, *par):
        cells = [count, outstanding]
        for amount in par:
            cells += [amount, _percent(amount, outstanding)]
        return cells

    # ---------------------------------------------------------------- aging

    def _sections_aging(self):
        blocks = (
            (self.env._("Regular Loans"), [("rescheduled", "=", False)]),
            (self.env._("Rescheduled Loans"), [("rescheduled", "=", True)]),
            (self.env._("All Loans"), []),
        )
        return [self._aging_section(title, domain) for title, domain in blocks]

    def _aging_section(self, title, domain):
        columns = [
            (self.env._("SASRA Class"), "text"),
            (self.env._("Loans"), "int"),
            (self.env._("Outstanding"), "money"),
            (self.env._("Arrears"), "money"),
            (self.env._("Provision Required"), "money"),
            (self.env._("Provision %"), "percent"),
        ]
        aggregates = [
            "__count",
            "principal_outstanding:sum",
            "arrears_total:sum",
            "provision_required:sum",
        ]
        domain = [*self._loan_domain(), ("state", "=", "active"), *domain]
        Report = self.env["sacco.loan.portfolio.report"]
        found = {
            sasra_class: values
            for sasra_class, *values in Report._read_group(domain, ["sasra_class"], aggregates)
        }
        labels = dict(Report._fields["sasra_class"]._description_selection(self.env))
        rows = [
            [labels[key], *self._aging_cells(*found.get(key, (0, 0.0, 0.0, 0.0)))]
            for key, _label in SASRA_CLASSES
        ]
        (totals,) = Report._read_group(domain, [], aggregates)
        return self._section(title, columns, rows, self._aging_cells(*totals))

    @staticmethod
    def _aging_cells(count, outstanding, arrears, provision):
        return [count, outstanding, arrears, provision, _percent(provision, outstanding)]

    # ---------------------------------------------------------------- arrears list

    def _sections_arrears(self):
        columns = [
            (self.env._("Loan"), "text"),
            (self.env._("Member"), "text"),
            (self.env._("Member Phone"), "text"),
            (self.env._("Guarantor Phones"), "text"),
            (self.env._("Product"), "text"),
            (self.env._("Branch"), "text"),
            (self.env._("Loan Officer"), "text"),
            (self.env._("Days Past Due"), "int"),
            (self.env._("SASRA Class"), "text"),
            (self.env._("Outstanding"), "money"),
            (self.env._("Arrears"), "money"),
        ]
        loans = self.env["sacco.loan.portfolio.report"].search(
            [*self._loan_domain(), ("state", "=", "active"), ("days_past_due", ">", 0)]
        )
        labels = dict(loans._fields["sasra_class"]._description_selection(self.env))
        rows = [
            [
                loan.name,
                loan.member_id.display_name,
                loan.member_phone or "",
                loan.guarantor_phones or "",
                loan.product_id.name,
                loan.branch_id.name or "",
                loan.officer_id.name or "",
                loan.days_past_due,
                labels[loan.sasra_class],
                loan.principal_outstanding,
                loan.arrears_total,
            ]
            for loan in loans
        ]
        totals = [""] * 8 + [
            self._sum(loans, "principal_outstanding"),
            self._sum(loans, "arrears_total"),
        ]
        return [self._section(self.env._("Arrears List"), columns, rows, totals)]

    # ---------------------------------------------------------------- disbursement register

    def _sections_disbursements(self):
        columns = [
            (self.env._("Date"), "date"),
            (self.env._("Loan"), "text"),
            (self.env._("Member"), "text"),
            (self.env._("Product"), "text"),
            (self.env._("Branch"), "text"),
            (self.env._("Loan Officer"), "text"),
            (self.env._("Channel"), "text"),
            (self.env._("Principal"), "money"),
            (self.env._("Processing Fee"), "money"),
            (self.env._("Insurance"), "money"),
            (self.env._("Excise Duty"), "money"),
            (self.env._("Net Disbursed"), "money"),
        ]
        loans = self.env["sacco.loan.disbursement.report"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("disbursed_on", ">=", self.date_from),
                ("disbursed_on", "<=", self.date_to),
            ],
            order="disbursed_on, id",
        )
        channels = dict(loans._fields["disbursement_channel"]._description_selection(self.env))
        amounts = ("principal", "processing_fee", "insurance_fee", "excise_duty", "net_disbursed")
        rows = [
            [
                loan.disbursed_on,
                loan.name,
                loan.member_id.display_name,
                loan.product_id.name,
                loan.branch_id.name or "",
                loan.officer_id.name or "",
                channels.get(loan.disbursement_channel, ""),
                *(loan[amount] for amount in amounts),
            ]
            for loan in loans
        ]
        totals = [""] * 6 + [self._sum(loans, amount) for amount in amounts]
        return [self._section(self.env._("Disbursement Register"), columns, rows, totals)]

    # ---------------------------------------------------------------- repayments vs expected

    def _sections_collection(self):
        columns = [
            (self.env._("Month"), "text"),
            (self.env._("Product"), "text"),
            (self.env._("Branch"), "text"),
            (self.env._("Expected"), "money"),
            (self.env._("Collected"), "money"),
            (self.env._("Shortfall"), "money"),
            (self.env._("Collection Rate %"), "percent"),
        ]
        domain = [
            ("company_id", "=", self.company_id.id),
            ("month", ">=", self.date_from.replace(day=1)),
            ("month", "<=", self.date_to),
        ]
        aggregates = ["expected:sum", "collected:sum"]
        Report = self.env["sacco.loan.collection.report"]
        groups = Report._read_group(
            domain, ["month:month", "product_id", "branch_id"], aggregates, order="month:month"
        )
        rows = [
            [
                month.strftime("%Y-%m"),
                product.name,
                branch.name or "",
                *self._collection_cells(expected, collected),
            ]
            for month, product, branch, expected, collected in groups
        ]
        (totals,) = Report._read_group(domain, [], aggregates)
        return [
            self._section(
                self.env._("Repayments vs Expected"),
                columns,
                rows,
                ["", "", *self._collection_cells(*totals)],
            )
        ]

    def _collection_cells(self, expected, collected):
        shortfall = self.company_id.currency_id.round(expected - collected)
        return [expected, collected, shortfall, _percent(collected, expected)]

    # ---------------------------------------------------------------- guarantor exposure

    def _sections_exposure(self):
        columns = [
            (self.env._("Guarantor"), "text"),
            (self.env._("Phone"), "text"),
            (self.env._("Branch"), "text"),
            (self.env._("Loans Guaranteed"), "int"),
            (self.env._("Loans in Arrears"), "int"),
            (self.env._("Total Pledged"), "money"),
            (self.env._("Outstanding Exposure"), "money"),
            (self.env._("Still Held"), "money"),
            (self.env._("Exposure in Arrears"), "money"),
        ]
        members = self.env["sacco.loan.guarantor.exposure"].search(
            [("company_id", "=", self.company_id.id)]
        )
        numbers = ("loan_count", "loans_in_arrears")
        amounts = ("pledged", "exposure", "held", "exposure_in_arrears")
        rows = [
            [
                row.member_id.display_name,
                row.member_phone or "",
                row.branch_id.name or "",
                *(row[field] for field in numbers + amounts),
            ]
            for row in members
        ]
        totals = ["", "", *(self._sum(members, field) for field in numbers + amounts)]
        return [self._section(self.env._("Guarantor Exposure"), columns, rows, totals)]
