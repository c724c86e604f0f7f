import base64
import io
from decimal import Decimal
from unittest.mock import patch

import openpyxl
import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.sacco_loans.models.sacco_loan_import import SaccoLoanImport

from sacco_core.loan_import import COLUMNS

from .common import SaccoLoansCommon

HEADER = [header for header, _aliases in COLUMNS.values()]


def xlsx_file(rows):
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("Loans")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADER)
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row):
            if hasattr(value, "isoformat"):
                sheet.write_datetime(number, column, value, day)
            else:
                sheet.write(number, column, value)
    workbook.close()
    return output.getvalue()


def csv_file(rows):
    text = [",".join(HEADER)]
    text += [",".join("" if value is None else str(value) for value in row) for row in rows]
    return "\n".join(text).encode()


@tagged("post_install", "-at_install")
class TestLoanImport(SaccoLoansCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["sacco.loan.import"].with_user(cls.manager)
        cls.up_to_date = cls.today - relativedelta(months=6, days=3)
        cls.behind = cls.today - relativedelta(months=5, days=3)
        cls.repaid = cls.today - relativedelta(months=8, days=3)

    def _rows(self):
        """Three loans: up to date (member number), two installments behind (ID number,
        product rate) and closed; with the figures each should open at."""
        dev = self.Import._schedule(self.product, 120000, 12, 12, self.up_to_date)
        emg = self.Import._schedule(self.emergency, 60000, 12, 10, self.behind)
        due_dev = sum(1 for row in dev if row.due_on <= self.today)
        due_emg = sum(1 for row in emg if row.due_on <= self.today)
        self.assertEqual((due_dev, due_emg), (6, 5))
        arrears = emg[3].total + emg[4].total
        self.expected = {
            self.member: (dev[5].balance, Decimal(0)),
            self.other: (emg[2].balance, arrears),
            self.guarantor: (Decimal(0), Decimal(0)),
        }
        return [
            [self.member.member_number, "", "Njeri", "", "T-DEV", 120000, 12, 12,
             self.up_to_date, float(dev[5].balance), 0, "active"],
            ["", self.other.id_number, "Otieno", "", "T-EMG", 60000, "", 10,
             self.behind, float(emg[2].balance), float(arrears), "Active"],
            [self.guarantor.member_number, "", "Achieng", "", "T-EMG", 10000, 12, 6,
             self.repaid, 0, 0, "closed"],
        ]  # fmt: skip

    def _upload(self, content, name="loan book.xlsx", **vals):
        return self.Import.create({"file": base64.b64encode(content), "file_name": name, **vals})

    def _imported_loans(self, record):
        return record.line_ids.loan_id.sorted(lambda loan: loan.member_id.id)

    def assertOpenedAsInFile(self, record):
        self.assertEqual(record.state, "done")
        self.assertEqual(record.progress, 100.0)
        loans = record.line_ids.loan_id
        self.assertEqual(len(loans), 3)
        for loan in loans:
            outstanding, arrears = self.expected[loan.member_id]
            due = loan.installment_ids.filtered(lambda line: line.due_date <= self.today)
            self.assertAlmostEqual(loan.principal_outstanding, float(outstanding), places=2)
            self.assertAlmostEqual(sum(due.mapped("amount_due")), float(arrears), places=2)
            self.assertEqual(len(loan.installment_ids), loan.term)
            self.assertEqual(loan.company_id, self.company)
        behind = loans.filtered(lambda loan: loan.member_id == self.other)
        self.assertEqual(behind.interest_rate, self.emergency.interest_rate)
        unpaid = behind.installment_ids.filtered(lambda line: not line.paid)
        self.assertEqual(unpaid.sorted("number")[:1].number, 4, "arrears on the oldest unpaid")
        closed = loans.filtered(lambda loan: loan.member_id == self.guarantor)
        self.assertEqual(closed.state, "closed")
        self.assertTrue(all(closed.installment_ids.mapped("paid")))
        active = loans - closed
        self.assertEqual(set(active.mapped("state")), {"active"})
        # On accrual products the interest in arrears opens in interest receivable.
        receivable = sum(active.installment_ids.mapped("interest_receivable"))
        unpaid_interest = behind.installment_ids.filtered(lambda line: line.number in (4, 5))
        self.assertAlmostEqual(receivable, sum(unpaid_interest.mapped("interest")), places=2)
        # One opening entry for the batch: Dr portfolio and interest receivable per loan,
        # Cr opening balances.
        self.assertEqual(len(record.move_ids), 1)
        loan_lines = record.move_ids.line_ids.filtered("sacco_loan_id")
        self.assertEqual(loan_lines.sacco_loan_id, active)
        for line in loan_lines:
            self.assertEqual(line.partner_id, line.sacco_loan_id.member_id.partner_id)
        total = sum(active.mapped("principal_outstanding"))
        self.assertAlmostEqual(self._portfolio_gl(), total, places=2)
        self.assertAlmostEqual(
            self._gl("sacco_account_interest_receivable_id"), receivable, places=2
        )
        self.assertAlmostEqual(
            self._gl("sacco_account_opening_balance_id"), -total - receivable, places=2
        )
        self.assertLoanBookMatches()

    def _gl(self, account_field):
        posted = self.env["account.move.line"].search(
            [("account_id", "=", self.company[account_field].id), ("parent_state", "=", "posted")]
        )
        return sum(posted.mapped("balance"))

    def test_xlsx_file_opens_the_loans_as_in_the_file(self):
        record = self._upload(xlsx_file(self._rows()))
        record.action_validate()
        self.assertEqual(record.state, "validated", record.error_message)
        self.assertEqual((record.valid_count, record.error_count, record.missing_count), (3, 0, 0))
        preview = record.line_ids.filtered(lambda line: line.member_id == self.member)
        self.assertEqual((preview.installments_due, preview.installments_paid), (6, 6))
        self.assertTrue(preview.installment_amount > 0 and preview.maturity_date)
        record.action_import()
        self.assertOpenedAsInFile(record)
        self.assertEqual(record.action_view_loans()["domain"][0][2], record.line_ids.loan_id.ids)

    def test_csv_file_opens_the_loans_as_in_the_file(self):
        rows = self._rows()
        for row in rows:
            row[8] = row[8].strftime("%d/%m/%Y")
        record = self._upload(csv_file(rows), name="book.csv")
        record.action_validate()
        self.assertEqual(record.state, "validated", record.error_message)
        record.action_import()
        self.assertOpenedAsInFile(record)

    def test_bad_rows_are_reported_and_nothing_is_posted(self):
        good = self._rows()[0]
        bad = [
            good,
            [*good[:4], "NOPE", *good[5:]],
            [*good[:5], 1000, *good[6:9], 2000, 0, "active"],
            [*good[:8], self.today + relativedelta(days=1), *good[9:]],
            [*good[:11], "defaulted"],
            ["XX-404", "99999999", "Kariuki Maina", "0700111222", *good[4:]],
            # 18 months of equal principal: 10000 / 18 = 555.56 a month, 5 of them paid.
            [self.other.member_number, "", "", "", "T-EMG", 10000, 12, 18, self.behind, 7222.20,
             0, "active"],
        ]  # fmt: skip
        record = self._upload(xlsx_file(bad))
        record.action_validate()
        self.assertEqual(record.state, "draft")
        self.assertEqual((record.valid_count, record.error_count, record.missing_count), (1, 5, 1))
        self.assertIn("nothing can be imported", record.error_message)
        with self.assertRefused(UserError, "Validate the file"):
            record.action_import()
        self.assertFalse(self.env["sacco.loan"].search([("company_id", "=", self.company.id)]))
        self.assertFalse(record.move_ids)
        messages = {line.line_number: line.message for line in record.line_ids}
        self.assertIn("No active loan product has the code NOPE", messages[3])
        self.assertIn("more than the principal", messages[4])
        self.assertIn("after the cut-over date", messages[5])
        self.assertIn("not one of", messages[6])
        self.assertIn("No member with number XX-404", messages[7])
        self.assertIn("outside T-EMG's limits", messages[8])
        # Unknown members are listed with what the file says of them.
        self.assertEqual(record.missing_line_ids.mapped("name"), ["Kariuki Maina"])
        self.assertEqual(record.missing_line_ids.phone, "0700111222")
        # The error report lists every bad row with its errors.
        self.assertEqual(record.action_download_errors()["type"], "ir.actions.act_url")
        sheet = openpyxl.load_workbook(io.BytesIO(record._error_report_xlsx())).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Line")
        self.assertEqual(rows[0][-1], "Errors")
        self.assertEqual([row[0] for row in rows[1:]], [3, 4, 5, 6, 7, 8])
        self.assertEqual(rows[1][5], "NOPE")
        self.assertIn("NOPE", rows[1][-1])
        # A term outside the product's limits may be allowed for migration.
        record.allow_outside_limits = True
        record.action_validate()
        self.assertEqual(
            record.line_ids.filtered(lambda line: line.line_number == 8).state, "valid"
        )

    def test_auditors_read_but_do_not_import(self):
        record = self._upload(xlsx_file(self._rows()))
        record.action_validate()
        as_auditor = record.with_user(self.auditor)
        self.assertEqual(as_auditor.valid_count, 3)
        self.assertEqual(as_auditor.action_download_template()["type"], "ir.actions.act_url")
        with self.assertRefused(AccessError, "not allowed"):
            as_auditor.action_import()
        self.assertFalse(self.env["sacco.loan"].search([("company_id", "=", self.company.id)]))

    def test_the_same_file_is_refused_twice(self):
        content = xlsx_file(self._rows())
        record = self._upload(content)
        record.action_validate()
        record.action_import()
        with self.assertRefused(UserError, f"already uploaded as loan-book import {record.name}"):
            self._upload(content, name="copy.xlsx")
        other = self._upload(csv_file(self._rows()[:1]), name="other.csv")
        with self.assertRefused(UserError, "already uploaded"):
            other.file = base64.b64encode(content)
        # The same loans in another file are already in the books.
        other.action_validate()
        self.assertIn("already in the books", other.line_ids.message)
        self.assertEqual(
            len(self.env["sacco.loan"].search([("company_id", "=", self.company.id)])), 3
        )

    def test_large_files_import_in_batches_with_progress(self):
        record = self._upload(xlsx_file(self._rows()), batch_size=2)
        record.action_validate()
        record.action_import()
        self.assertEqual((record.state, record.progress), ("importing", 0.0))
        self.Import._cron_import_batches()
        self.assertAlmostEqual(record.progress, 200 / 3, places=2)
        self.Import._cron_import_batches()
        self.assertEqual(record.state, "done")
        # Never one entry per loan: one per batch (the closed loan posts nothing).
        self.assertEqual(len(record.move_ids), 1)
        # Two portfolio lines, the arrears loan's interest receivable, opening balances.
        self.assertEqual(len(record.move_ids.line_ids), 4)
        self.assertLoanBookMatches()

    def test_a_failed_batch_is_rolled_back_and_resumed(self):
        record = self._upload(xlsx_file(self._rows()), batch_size=1)
        record.action_validate()
        record.action_import()
        original = SaccoLoanImport._post_opening_balances
        calls = []

        def flaky(self_, loans):
            calls.append(loans)
            if len(calls) == 2:
                raise UserError(self.env._("The ledger is locked."))
            return original(self_, loans)

        with (
            patch.object(SaccoLoanImport, "_post_opening_balances", flaky),
            self.assertLogs("odoo.addons.sacco_loans.models.sacco_loan_import", "WARNING"),
        ):
            self.Import._cron_import_batches()
            self.Import._cron_import_batches()
        self.assertEqual(record.state, "failed")
        self.assertIn(
            "line 3 failed and was rolled back: The ledger is locked.", record.error_message
        )
        self.assertEqual(
            len(self.env["sacco.loan"].search([("company_id", "=", self.company.id)])), 1
        )
        self.assertEqual(record.imported_count, 1)
        self.assertEqual(len(record.move_ids), 1)
        record.action_import()
        self.Import._cron_import_batches()
        self.Import._cron_import_batches()
        self.assertEqual(record.state, "done")
        self.assertEqual(
            len(self.env["sacco.loan"].search([("company_id", "=", self.company.id)])), 3
        )
        self.assertLoanBookMatches()

    def test_unreadable_file_writes_nothing(self):
        record = self._upload(b"Name,Phone\nJane,0712", name="book.csv")
        with self.assertRefused(UserError, "no column Member Number or ID Number"):
            record.action_validate()
        self.assertFalse(record.line_ids)
        with self.assertRefused(UserError, "cut-over date cannot be in the future"):
            self._upload(b"x", name="x.csv", cutover_date=self.today + relativedelta(days=1))

    def test_template_is_a_readable_workbook(self):
        record = self.Import.create({})
        self.assertEqual(record.action_download_template()["type"], "ir.actions.act_url")
        workbook = openpyxl.load_workbook(io.BytesIO(record._template_xlsx()))
        loans, notes = workbook.worksheets
        rows = list(loans.iter_rows(values_only=True))
        self.assertEqual(list(rows[0]), HEADER)
        self.assertIn(rows[1][4], self.env["sacco.loan.product"].search([]).mapped("code"))
        self.assertEqual([row[0] for row in notes.iter_rows(min_row=2, values_only=True)], HEADER)
