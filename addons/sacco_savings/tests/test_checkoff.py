import base64
import io

import openpyxl
import xlsxwriter

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import SaccoSavingsCommon


class CheckoffCommon(SaccoSavingsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shares.write({"checkoff_amount": 500, "checkoff_priority": 10})
        cls.deposits.write({"minimum_monthly_contribution": 2000, "checkoff_priority": 20})
        cls.employer = cls.env["res.partner"].create(
            {"name": "Test Power Ltd", "is_company": True, "sacco_is_employer": True}
        )
        cls.member.write({"employer_id": cls.employer.id, "payroll_number": "KP001"})
        cls.other.write({"employer_id": cls.employer.id, "payroll_number": "KP002"})
        cls.outsider = cls._create_member(name="Achieng Otieno")
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.period = fields.Date.today().replace(day=1)
        cls.suspense_gl = cls.company.sacco_account_suspense_id

    @staticmethod
    def _csv(*rows, header=("Payroll No", "Amount")):
        return "\n".join(",".join(str(cell) for cell in row) for row in (header, *rows)).encode()

    @staticmethod
    def _xlsx(*rows):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet()
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
        workbook.close()
        return buffer.getvalue()

    def _batch(self, content, file_name="remittance.csv", user=None):
        env = self.env(user=user or self.accountant)
        return env["sacco.checkoff.batch"].create(
            {
                "employer_id": self.employer.id,
                "period": self.period,
                "journal_id": self.bank.id,
                "file": base64.b64encode(content),
                "file_name": file_name,
            }
        )

    def _attachment(self, action):
        """The attachment an act_url download action points to."""
        path = action["url"].removesuffix("?download=true")
        return self.env["ir.attachment"].browse(int(path.rsplit("/", 1)[1]))

    def _balance(self, member, product):
        return self._account(member, product).balance

    def _suspense_gl_balance(self):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", self.suspense_gl.id), ("parent_state", "=", "posted")]
        )
        return -sum(lines.mapped("balance"))

    def assertSuspenseMatchesQueue(self):
        items = self.env["sacco.checkoff.suspense"].search(
            [("state", "=", "open"), ("company_id", "=", self.company.id)]
        )
        self.assertAlmostEqual(self._suspense_gl_balance(), sum(items.mapped("amount")), places=2)


@tagged("post_install", "-at_install")
class TestCheckoffAdvice(CheckoffCommon):
    def _export(self, user):
        wizard = (
            self.env["sacco.checkoff.advice"]
            .with_user(user)
            .create({"employer_id": self.employer.id, "period": self.period})
        )
        attachment = self._attachment(wizard.action_export())
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("res.partner", self.employer.id)
        )
        return attachment.raw

    def test_advice_lists_each_member_of_the_employer(self):
        content = self._export(self.teller_a)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        header, *rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(
            header,
            ("Payroll Number", "Member Number", "Name", "Test Shares", "Test Deposits", "Amount"),
        )
        self.assertEqual(
            sorted(rows),
            [
                ("KP001", self.member.member_number, "Njeri Mwangi", 500, 2000, 2500),
                ("KP002", self.other.member_number, "Otieno Odhiambo", 500, 2000, 2500),
            ],
        )

    def test_advice_sent_back_as_remittance_has_no_variance(self):
        batch = self._batch(self._export(self.accountant), "advice.xlsx")
        batch.action_validate()
        self.assertEqual(batch.state, "validated", batch.error_message)
        self.assertFalse(batch.variance_ids)
        self.assertEqual((batch.amount_expected, batch.amount_received), (5000, 5000))


@tagged("post_install", "-at_install")
class TestCheckoffImport(CheckoffCommon):
    def test_good_file_posts_one_balanced_move_by_priority(self):
        moves = self.env["account.move"].search_count([])
        batch = self._batch(self._csv(("KP001", 3000), ("KP002", 1500), ("KP999", 700)))
        self.assertTrue(batch.name.startswith("CO/"))
        batch.action_validate()
        self.assertEqual(batch.state, "validated")
        self.assertEqual(batch.line_ids.mapped("state"), ["matched", "matched", "unknown"])
        batch.action_post()
        self.assertEqual(batch.state, "posted")
        self.assertEqual(self.env["account.move"].search_count([]), moves + 1)
        move = batch.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.bank)
        bank_line = move.line_ids.filtered(
            lambda line: line.account_id == self.bank._sacco_money_account("inbound")
        )
        self.assertEqual((bank_line.debit, bank_line.partner_id), (5200, self.employer))
        # Shares (priority 10) before deposits (20); the excess goes to deposits.
        self.assertEqual(self._balance(self.member, self.shares), 500)
        self.assertEqual(self._balance(self.member, self.deposits), 2500)
        self.assertEqual(self._balance(self.other, self.shares), 500)
        self.assertEqual(self._balance(self.other, self.deposits), 1000)
        self.assertEqual(self._balance(self.member, self.fosa), 0)
        transactions = self.env["sacco.savings.transaction"].search([("move_id", "=", move.id)])
        self.assertEqual(set(transactions.mapped("channel")), {"checkoff"})
        self.assertEqual(len(transactions), 4)
        self.assertEqual(
            (
                batch.amount_expected,
                batch.amount_received,
                batch.amount_allocated,
                batch.amount_excess,
                batch.amount_suspense,
            ),
            (5000, 5200, 4500, 500, 700),
        )
        self.assertLedgerMatches()
        self.assertEqual(self._suspense_gl_balance(), 700)
        self.assertSuspenseMatchesQueue()

    def test_variances_report_short_excess_and_unknown(self):
        batch = self._batch(self._csv(("KP001", 3000), ("KP002", 1500), ("KP999", 700)))
        batch.action_validate()
        variances = {
            v.member_id: (v.expected, v.received, v.difference, v.excess, v.status)
            for v in batch.variance_ids
        }
        self.assertEqual(
            variances,
            {
                self.member: (2500, 3000, 500, 500, "over"),
                self.other: (2500, 1500, -1000, 0, "short"),
            },
        )
        excess = batch.allocation_ids.filtered("is_excess")
        self.assertEqual(
            (excess.account_id, excess.amount), (self._account(self.member, self.deposits), 500)
        )
        unknown = batch.line_ids.filtered(lambda line: line.state == "unknown")
        self.assertEqual((unknown.payroll_number, unknown.suspense_amount), ("KP999", 700))
        attachment = self._attachment(batch.with_user(self.auditor).action_export_variances())
        rows = list(openpyxl.load_workbook(io.BytesIO(attachment.raw)).active.values)
        self.assertEqual(rows[0][:3], ("Member Number", "Payroll Number", "Name"))
        self.assertEqual(
            [row[1:] for row in rows[1:]],
            [
                ("KP001", "Njeri Mwangi", 2500, 3000, 500, 500, "Over"),
                ("KP002", "Otieno Odhiambo", 2500, 1500, -1000, 0, "Short"),
                ("KP999", None, 0, 700, 700, 0, "Unknown member"),
            ],
        )

    def test_priority_is_configurable(self):
        self.deposits.checkoff_priority = 5
        batch = self._batch(self._csv(("KP002", 1500)))
        batch.action_validate()
        batch.action_post()
        self.assertEqual(self._balance(self.other, self.deposits), 1500)
        self.assertEqual(self._balance(self.other, self.shares), 0)
        # A member who remitted nothing is reported as not remitted.
        missing = batch.variance_ids.filtered(lambda v: v.member_id == self.member)
        self.assertEqual((missing.received, missing.status), (0, "missing"))
        self.assertLedgerMatches()

    def test_xlsx_split_per_product_and_member_numbers(self):
        content = self._xlsx(
            ("Member No.", "Product Code", "Amount"),
            (self.member.member_number, "t-shr", 800),
            (self.member.member_number, None, 2000),
            (self.outsider.member_number, None, 1000),
        )
        batch = self._batch(content, "remittance.xlsx")
        batch.action_validate()
        self.assertEqual(batch.state, "validated", batch.error_message)
        batch.action_post()
        # Directed money goes to its product in full; the rest by priority.
        self.assertEqual(self._balance(self.member, self.shares), 800)
        self.assertEqual(self._balance(self.member, self.deposits), 2000)
        self.assertEqual(self._balance(self.outsider, self.shares), 500)
        self.assertEqual(self._balance(self.outsider, self.deposits), 500)
        self.assertEqual(batch.amount_excess, 0)
        self.assertEqual(
            {v.member_id: v.difference for v in batch.variance_ids},
            {self.member: 300, self.other: -2500, self.outsider: -1500},
        )
        self.assertLedgerMatches()

    def test_member_without_account_of_the_product_code_is_allocated_by_priority(self):
        batch = self._batch(
            self._csv(("KP001", "LOAN", 700), header=("Payroll No", "Product", "Amount"))
        )
        batch.action_validate()
        self.assertIn("no open LOAN account", batch.line_ids.message)
        batch.action_post()
        self.assertEqual(self._balance(self.member, self.shares), 500)
        self.assertEqual(self._balance(self.member, self.deposits), 200)

    def test_same_file_twice_refused(self):
        content = self._csv(("KP001", 2500))
        batch = self._batch(content)
        batch.action_validate()
        batch.action_post()
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(UserError, f"already uploaded as check-off batch {batch.name}"):
            self._batch(content, "renamed.csv")
        draft = self._batch(self._csv(("KP002", 2500)))
        with self.assertRefused(UserError, "already uploaded"):
            draft.file = base64.b64encode(content)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self._balance(self.member, self.deposits), 2000)

    def test_bad_rows_are_listed_and_nothing_is_posted(self):
        moves = self.env["account.move"].search_count([])
        batch = self._batch(self._csv(("KP001", "12a"), ("KP002", 1500), ("", 10), ("KP003", -5)))
        batch.action_validate()
        self.assertEqual(batch.state, "draft")
        self.assertIn("3 row(s) of the file have errors", batch.error_message)
        errors = batch.line_ids.filtered(lambda line: line.state == "error")
        self.assertEqual(errors.mapped("line_number"), [2, 4, 5])
        self.assertIn("'12a' is not a valid amount.", errors[0].message)
        self.assertIn("Neither a payroll number nor a member number", errors[1].message)
        self.assertIn("must be greater than zero", errors[2].message)
        self.assertFalse(batch.allocation_ids)
        with self.assertRefused(UserError, "Validate the file"):
            batch.action_post()
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        # The corrected file replaces the rows and can be posted.
        batch.write(
            {"file": base64.b64encode(self._csv(("KP001", 2500))), "file_name": "fixed.csv"}
        )
        self.assertFalse(batch.line_ids or batch.error_message)
        batch.action_validate()
        batch.action_post()
        self.assertEqual(self.env["account.move"].search_count([]), moves + 1)

    def test_unreadable_files_are_refused_before_any_row(self):
        moves = self.env["account.move"].search_count([])
        cases = [
            (self._csv(("KP001", 100), header=("Payroll No", "Total")), "a.csv", "no 'amount'"),
            (self._csv(("KP001", 100)), "a.txt", "not supported"),
            (b"not a workbook", "a.xlsx", "cannot be read"),
        ]
        for content, name, message in cases:
            batch = self._batch(content, name)
            batch.action_validate()
            self.assertEqual(batch.state, "draft")
            self.assertIn(message, batch.error_message)
            self.assertFalse(batch.line_ids)
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    def test_teller_cannot_validate_or_post(self):
        batch = self._batch(self._csv(("KP001", 2500)))
        with self.assertRefused(AccessError, "not allowed to modify"):
            batch.with_user(self.teller_a).action_validate()
        batch.action_validate()
        moves = self.env["account.move"].search_count([])
        with self.assertRefused(AccessError, "not allowed to modify"):
            batch.with_user(self.teller_a).action_post()
        self.assertEqual(batch.state, "validated")
        self.assertEqual(self.env["account.move"].search_count([]), moves)

    def test_period_is_stored_as_the_first_of_the_month(self):
        batch = self._batch(self._csv(("KP001", 2500)))
        batch.period = self.period.replace(day=17)
        self.assertEqual(batch.period, self.period)

    def test_posted_batch_cannot_be_deleted(self):
        batch = self._batch(self._csv(("KP001", 2500)))
        batch.action_validate()
        batch.action_post()
        with self.assertRefused(UserError, "cannot be deleted"):
            batch.with_user(self.manager).unlink()


@tagged("post_install", "-at_install")
class TestCheckoffSuspense(CheckoffCommon):
    def setUp(self):
        super().setUp()
        batch = self._batch(self._csv(("KP001", 2500), ("KP999", 700)))
        batch.action_validate()
        batch.action_post()
        self.item = batch.suspense_ids
        self.target = self._account(self.outsider, self.fosa)

    def test_unknown_member_money_waits_in_the_queue(self):
        self.assertEqual(
            (self.item.state, self.item.payroll_number, self.item.amount), ("open", "KP999", 700)
        )
        self.assertEqual(self.item.employer_id, self.employer)
        self.assertSuspenseMatchesQueue()

    def test_allocating_posts_and_closes_the_item(self):
        item = self.item.with_user(self.accountant)
        with self.assertRefused(UserError, "Choose the member account"):
            item.action_allocate()
        item.action_allocate(self.target)
        self.assertEqual(item.state, "allocated")
        self.assertEqual(self.target.balance, 700)
        self.assertEqual(item.move_id.state, "posted")
        suspense_line = item.move_id.line_ids.filtered(
            lambda line: line.account_id == self.suspense_gl
        )
        self.assertEqual((suspense_line.debit, suspense_line.partner_id), (700, self.employer))
        self.assertEqual(self._suspense_gl_balance(), 0)
        self.assertSuspenseMatchesQueue()
        self.assertLedgerMatches()
        with self.assertRefused(UserError, "already allocated"):
            item.action_allocate(self.target)
        self.assertEqual(self.target.balance, 700)
