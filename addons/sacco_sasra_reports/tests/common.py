from datetime import timedelta
from decimal import Decimal

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.sacco_loans.tests.cob_common import SaccoLoanCobCommon


class SaccoFreshCompanyCase(TransactionCase):
    """The SACCO factories' company is a fresh one with the generic chart, so the returns
    see the test's books only (never the demo SACCO's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kes = cls.env.ref("base.KES")
        kes.active = True
        company = cls.env["res.company"].create({"name": "Test SASRA SACCO", "currency_id": kes.id})
        cls.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        cls.env.user.company_ids |= company
        cls.env.user.company_id = company
        # Dates default to today in UTC, as the period end does (a user ahead of UTC would
        # otherwise join members "tomorrow" late in the UTC evening).
        cls.env.user.tz = "UTC"
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=[company.id]))


class SaccoSasraCommon(SaccoLoanCobCommon, SaccoFreshCompanyCase):
    """A SACCO's month through the real engines: shares and deposits, a loan in every SASRA
    class, income and expenses, a fixed asset and an investment, closed by the month-end
    close of business."""

    with_fosa_savings = True  # members also hold withdrawable FOSA savings (a deposit-taking SACCO)

    @classmethod
    def _period_end(cls):
        """The month the test builds: the last ended one."""
        return fields.Date.today().replace(day=1) - timedelta(days=1)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Return = cls.env["sacco.sasra.return"]
        cls.month_end = cls._period_end()
        cls.month_start = cls.month_end.replace(day=1)
        day = cls.month_start
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        for index, member in enumerate([cls.member, cls.other, cls.guarantor, *cls.borrowers]):
            cls._account(member, cls.shares).deposit(5000, journal=cls.cash, date=day)
            cls._account(member, cls.deposits).deposit(
                30000 + 40000 * index, journal=cls.cash, date=day
            )
        if cls.with_fosa_savings:
            cls._account(cls.member, cls.fosa).deposit(120000, journal=cls.bank, date=day)
            cls._account(cls.other, cls.fosa).deposit(1500000, journal=cls.bank, date=day)
        members = cls.env["sacco.member"].search([("company_id", "=", cls.company.id)])
        members.join_date = cls.month_start - timedelta(days=40)
        cls.borrowers[0].sacco_insider_role = "director"
        cls.loans = cls._class_loans(cls.month_end)
        cls.loans["watch"].economic_sector = "agriculture"
        cls.loans["watch"].repay(500, journal=cls.cash, date=cls.month_end)
        Account = cls.env["account.account"]
        cls.equipment = Account.create(
            {"code": "160100", "name": "Office Equipment", "account_type": "asset_fixed"}
        )
        cls.investment = Account.create(
            {
                "code": "150100",
                "name": "Shares in KUSCCO",
                "account_type": "asset_non_current",
                "sacco_sasra_line": "financial_investments",
            }
        )
        cls.salaries = Account.create(
            {"code": "610100", "name": "Staff Salaries", "account_type": "expense"}
        )
        cls.company._sacco_sasra_map_accounts()
        bank_account = cls.bank.default_account_id
        for account, amount in ((cls.equipment, 80000), (cls.investment, 40000)):
            cls._post(account, bank_account, amount, "Purchase")
        cls._post(cls.salaries, cls.cash.default_account_id, 15000, "Salaries")
        cls.Run.run_close_of_business(cls.month_end, cls.company)

    @classmethod
    def _post(cls, debit, credit, amount, label, date=None):
        nobody = cls.env["res.partner"]
        return cls.env["sacco.ledger"]._post_entry(
            cls.env["account.journal"].search(
                [("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1
            ),
            date or cls.month_start + timedelta(days=9),
            label,
            [
                {"account": debit, "partner": nobody, "name": label, "debit": amount},
                {"account": credit, "partner": nobody, "name": label, "credit": amount},
            ],
        )

    def _compute(self, user=None, date_to=None):
        return self.Return.with_user(user or self.accountant)._compute_month(
            self.company, date_to or self.month_end
        )

    def _gl(self, domain, date_from=None):
        """Debit minus credit of the test company's posted journal items to the month end."""
        domain = [
            ("company_id", "=", self.company.id),
            ("parent_state", "=", "posted"),
            ("date", "<=", self.month_end),
            *domain,
        ]
        if date_from:
            domain.append(("date", ">=", date_from))
        groups = self.env["account.move.line"]._read_group(domain, [], ["balance:sum"])
        return Decimal(str(round(groups[0][0] or 0.0, 2)))
