import io
from datetime import date
from decimal import Decimal

import openpyxl

from odoo.exceptions import UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from sacco_core.loan_cost import effective_annual_rate, total_interest
from sacco_core.loans import build_schedule

TELLER = "sacco_base.sacco_base_group_teller"
AUDITOR = "sacco_base.sacco_base_group_auditor"
METHODS = ["flat", "annuity", "equal_principal", "interest_only", "daily_reducing", "rule_of_78"]
JAN_1 = date(2024, 1, 1)


class LoanCalculatorCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.teller = new_test_user(cls.env, "sacco.calc.teller", groups=TELLER)
        cls.auditor = new_test_user(cls.env, "sacco.calc.auditor", groups=AUDITOR)

    def _wizard(self, user=None, **values):
        env = self.env(user=user or self.teller)
        vals = {
            "amount": 12000,
            "installments": 4,
            "frequency": "monthly",
            "annual_rate": 24,
            "method": "annuity",
            "disbursed_on": JAN_1,
        }
        vals.update(values)
        return env["sacco.loan.calculator"].create(vals)


@tagged("post_install", "-at_install")
class TestLoanCalculator(LoanCalculatorCommon):
    def test_reference_annuity_schedule(self):
        wizard = self._wizard()
        action = wizard.action_calculate()
        self.assertEqual((action["res_model"], action["res_id"]), (wizard._name, wizard.id))
        lines = wizard.line_ids
        self.assertEqual(lines.mapped("number"), [1, 2, 3, 4])
        self.assertEqual(lines.mapped("principal"), [2911.49, 2969.72, 3029.11, 3089.68])
        self.assertEqual(lines.mapped("interest"), [240.00, 181.77, 122.38, 61.79])
        self.assertEqual(lines.mapped("total"), [3151.49, 3151.49, 3151.49, 3151.47])
        self.assertEqual(lines.mapped("balance"), [9088.51, 6118.79, 3089.68, 0.0])
        self.assertEqual(lines.mapped("due_date"), [date(2024, m, 1) for m in (2, 3, 4, 5)])
        self.assertEqual(wizard.monthly_rate, 2)
        self.assertEqual(wizard.installment_amount, 3151.49)
        self.assertAlmostEqual(wizard.total_interest, 605.94, places=2)
        self.assertAlmostEqual(wizard.total_cost, 605.94, places=2)
        self.assertAlmostEqual(wizard.total_repayable, 12605.94, places=2)
        # 2 % a month compounded: 1.02 ** 12 - 1 = 26.82 %.
        self.assertEqual(wizard.effective_rate, 26.82)

    def test_fees_add_to_the_cost_and_the_rate(self):
        wizard = self._wizard(fee_amount=240)
        wizard.action_calculate()
        self.assertAlmostEqual(wizard.total_cost, 845.94, places=2)
        self.assertGreater(wizard.effective_rate, 26.82)
        self.assertEqual(
            wizard.comparison_ids.filtered(lambda c: c.method == "annuity").total_cost, 845.94
        )

    def test_recalculating_replaces_the_results(self):
        wizard = self._wizard()
        wizard.action_calculate()
        wizard.write({"installments": 6, "method": "flat"})
        wizard.action_calculate()
        self.assertEqual(len(wizard.line_ids), 6)
        self.assertEqual(len(wizard.comparison_ids), 6)
        # Flat 2 % a month on 12,000: 240.00 interest each month.
        self.assertEqual(set(wizard.line_ids.mapped("interest")), {240.0})

    def test_comparison_of_the_six_methods(self):
        wizard = self._wizard(installments=12, annual_rate=12, fee_amount=120)
        wizard.action_calculate()
        rows = wizard.comparison_ids
        self.assertEqual(sorted(rows.mapped("method")), sorted(METHODS))
        for row in rows:
            schedule = build_schedule(
                Decimal("12000.00"), Decimal("12"), 12, "monthly", row.method, JAN_1
            )
            self.assertEqual(row.first_installment, float(schedule[0].total), row.method)
            self.assertEqual(row.last_installment, float(schedule[-1].total), row.method)
            self.assertEqual(row.total_interest, float(total_interest(schedule)), row.method)
            self.assertAlmostEqual(
                row.total_cost, float(total_interest(schedule)) + 120, places=2, msg=row.method
            )
            rate = effective_annual_rate(Decimal("12000"), schedule, JAN_1, Decimal("120"))
            self.assertEqual(row.effective_rate, float(rate), row.method)
        annuity = rows.filtered(lambda row: row.method == "annuity")
        flat = rows.filtered(lambda row: row.method == "flat")
        self.assertEqual(annuity.total_interest, wizard.total_interest)
        self.assertGreater(flat.effective_rate, annuity.effective_rate)
        self.assertEqual(flat.total_interest, 1440)

    def test_grace_and_rounding_terms_reach_the_schedule(self):
        wizard = self._wizard(
            installments=6, principal_grace=2, installment_multiple=5, rounding="half_up"
        )
        wizard.action_calculate()
        schedule = build_schedule(
            Decimal("12000.00"),
            Decimal("24"),
            6,
            "monthly",
            "annuity",
            JAN_1,
            principal_grace=2,
            installment_multiple=Decimal("5.00"),
            rounding="half_up",
        )
        self.assertEqual(wizard.line_ids.mapped("total"), [float(row.total) for row in schedule])
        self.assertEqual(wizard.line_ids[:2].mapped("principal"), [0.0, 0.0])

    def test_bad_inputs_are_refused(self):
        cases = [
            ({"amount": 0}, "Loan amount must be greater than zero"),
            ({"amount": -500}, "Loan amount must be greater than zero"),
            ({"installments": 0}, "Number of installments must be 1 or more"),
            ({"annual_rate": -1}, "Annual interest rate -1.0000 must be 0 % or more"),
            ({"fee_amount": -10}, "Fees -10.00 must be 0 or more"),
            ({"fee_amount": 12000}, "must be less than the loan amount"),
            ({"principal_grace": 4}, "Principal grace must be less than"),
            ({"first_due_on": JAN_1}, "must be after the disbursement date"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                wizard = self._wizard(**values)
                with self.assertRaisesRegex(UserError, message):
                    wizard.action_calculate()
                self.assertFalse(wizard.calculated)

    def test_auditor_can_use_the_calculator(self):
        wizard = self._wizard(user=self.auditor)
        wizard.action_calculate()
        self.assertEqual(len(wizard.line_ids), 4)

    def test_form_shows_the_monthly_rate(self):
        form = Form(self.env(user=self.teller)["sacco.loan.calculator"])
        form.amount = 50000
        form.annual_rate = 18
        self.assertEqual(form.monthly_rate, 1.5)
        self.assertEqual(form.method, "annuity")
        wizard = form.save()
        wizard.action_calculate()
        self.assertEqual(len(wizard.line_ids), 12)

    def test_product_fills_the_terms_and_fees(self):
        product = self.env["sacco.loan.product"].create(
            {
                "name": "Test Calculator Product",
                "code": "T-CALC",
                "method": "flat",
                "interest_rate": 18,
                "frequency": "weekly",
                "installment_multiple": 5,
                "rounding": "half_up",
                "principal_grace": 1,
                "min_term": 2,
                "max_term": 24,
                "processing_fee_type": "percent",
                "processing_fee": 1,
                "insurance_rate": 0.5,
            }
        )
        form = Form(self.env(user=self.teller)["sacco.loan.calculator"])
        form.installments = 48
        form.product_id = product
        form.amount = 10000
        self.assertEqual(
            (form.method, form.annual_rate, form.frequency, form.rounding),
            ("flat", 18, "weekly", "half_up"),
        )
        self.assertEqual((form.installment_multiple, form.principal_grace), (5, 1))
        self.assertEqual(form.installments, 24)
        fees = sum(product._disbursement_fees(10000))
        self.assertGreaterEqual(fees, Decimal("150.00"))
        self.assertEqual(form.fee_amount, float(fees))
        wizard = form.save()
        wizard.action_calculate()
        self.assertEqual(len(wizard.line_ids), 24)
        self.assertEqual(wizard.line_ids[0].principal, 0)
        self.assertAlmostEqual(wizard.total_cost, wizard.total_interest + float(fees), places=2)

    def test_pdf_renders_the_schedule_and_comparison(self):
        wizard = self._wizard(fee_amount=100)
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "sacco_loans.sacco_loan_calculator_report")
        self.assertTrue(wizard.calculated)
        html, _kind = wizard.env["ir.actions.report"]._render_qweb_pdf(
            "sacco_loans.sacco_loan_calculator_report_action", wizard.ids
        )
        html = html.decode()
        self.assertIn("Repayment Schedule", html)
        self.assertIn("Method Comparison", html)
        for amount in ("12,000.00", "2,911.49", "3,089.68", "3,151.47", "605.94", "705.94"):
            self.assertIn(amount, html)
        for label in ("Flat Rate", "Rule of 78", "Daily Reducing Balance", "Interest Only"):
            self.assertIn(label, html)

    def test_xlsx_has_the_schedule_and_comparison_sheets(self):
        wizard = self._wizard()
        action = wizard.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = wizard.env["ir.attachment"].browse(attachment_id)
        self.assertEqual((attachment.res_model, attachment.res_id), (wizard._name, wizard.id))
        workbook = openpyxl.load_workbook(io.BytesIO(attachment.raw))
        self.assertEqual(workbook.sheetnames, ["Schedule", "Comparison"])
        rows = list(workbook["Schedule"].iter_rows(values_only=True))
        header = ("No.", "Due date", "Principal", "Interest", "Installment", "Balance")
        table = rows[rows.index(header) + 1 :]
        self.assertEqual(
            [(row[0], row[1].date(), *row[2:]) for row in table],
            [
                (1, date(2024, 2, 1), 2911.49, 240, 3151.49, 9088.51),
                (2, date(2024, 3, 1), 2969.72, 181.77, 3151.49, 6118.79),
                (3, date(2024, 4, 1), 3029.11, 122.38, 3151.49, 3089.68),
                (4, date(2024, 5, 1), 3089.68, 61.79, 3151.47, 0),
            ],
        )
        self.assertIn(("APR (%)", 26.82), [row[:2] for row in rows])
        rows = list(workbook["Comparison"].iter_rows(values_only=True))
        header = (
            "Method",
            "First installment",
            "Last installment",
            "Total interest",
            "Total cost",
            "APR (%)",
        )
        table = rows[rows.index(header) + 1 :]
        self.assertEqual(len(table), 6)
        by_method = {row[0]: row for row in table}
        self.assertEqual(
            by_method["Reducing Balance (Annuity)"][1:5], (3151.49, 3151.47, 605.94, 605.94)
        )
        self.assertEqual(by_method["Flat Rate"][3], 960)
