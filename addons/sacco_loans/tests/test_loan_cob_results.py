import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from odoo.addons.sacco_loans.tools.loan_book_generator import generate

# A seeded book (the benchmark's generator: every state, SASRA class and product) closed
# night after night from the end of January to early March: month ends with provisioning,
# penalty anniversaries of 29, 30 and 31 January falling on 28 February, reminders of both
# kinds, accruals on weekly and monthly products.
BOOK = 300
AS_OF = date(2026, 1, 27)
NIGHTS = 35
# What the close of business wrote each night, as digests of its results (see _digest),
# recorded from the implementation before the set-based rewrite of issue 13: the faster
# close of business must give the same accruals, penalties, standing, provisions, journal
# items and SMS, to the cent.
EXPECTED = Path(__file__).with_name("data") / "cob_results.json"

# Each result of a night, one row per item, in a stable order (%(loans)s: the book's loans,
# %(run)s and %(moves)s: the night's run and its entries).
RESULTS = {
    "standing": """
        SELECT l.name, l.days_past_due, ROUND(l.arrears_principal, 2),
               ROUND(l.arrears_interest, 2), ROUND(l.arrears_fee, 2),
               ROUND(l.arrears_penalty, 2), ROUND(l.arrears_total, 2), l.sasra_class,
               ROUND(l.provision_required, 2)
          FROM sacco_loan l WHERE l.id = ANY(%(loans)s) ORDER BY l.name
    """,
    "installments": """
        SELECT l.name, i.number, ROUND(i.penalty, 2), ROUND(i.interest_receivable, 2),
               ROUND(i.amount_due, 2), i.paid
          FROM sacco_loan_installment i JOIN sacco_loan l ON l.id = i.loan_id
         WHERE l.id = ANY(%(loans)s) ORDER BY l.name, i.number
    """,
    "charges": """
        SELECT l.name, i.number, c.kind, c.period, ROUND(c.amount, 2), m.name
          FROM sacco_loan_cob_charge c
          JOIN sacco_loan_installment i ON i.id = c.installment_id
          JOIN sacco_loan l ON l.id = c.loan_id
          LEFT JOIN account_move m ON m.id = c.move_id
         WHERE c.run_id = %(run)s ORDER BY l.name, i.number, c.kind
    """,
    "entries": """
        SELECT m.name, m.ref, m.date, m.state, j.code, m.move_type,
               ROUND(SUM(aml.debit), 2), ROUND(SUM(aml.credit), 2), ROUND(SUM(aml.balance), 2)
          FROM account_move m
          JOIN account_journal j ON j.id = m.journal_id
          JOIN account_move_line aml ON aml.move_id = m.id
         WHERE m.id = ANY(%(moves)s)
         GROUP BY m.id, j.code ORDER BY m.name
    """,
    "items": """
        SELECT m.name, a.code_store::text, a.account_type, p.name, l.name, aml.name, aml.date,
               ROUND(aml.debit, 2), ROUND(aml.credit, 2), ROUND(aml.balance, 2),
               ROUND(aml.amount_currency, 2), aml.currency_id = c.currency_id,
               aml.parent_state, aml.display_type
          FROM account_move m
          JOIN account_move_line aml ON aml.move_id = m.id
          JOIN account_account a ON a.id = aml.account_id
          JOIN res_company c ON c.id = aml.company_id
          LEFT JOIN res_partner p ON p.id = aml.partner_id
          LEFT JOIN sacco_loan l ON l.id = aml.sacco_loan_id
         WHERE m.id = ANY(%(moves)s)
         ORDER BY m.name, a.code_store::text, l.name NULLS FIRST, aml.debit, aml.credit
    """,
    "sms": """
        SELECT s.phone, s.body, s.state, t.name, s.company_id = %(company)s
          FROM sacco_sms_message s
          JOIN sacco_member mb ON mb.id = s.member_id
          LEFT JOIN sacco_sms_template t ON t.id = s.template_id
         WHERE mb.id = ANY(%(members)s) AND s.id > %(last_sms)s
         ORDER BY s.phone, s.body
    """,
}


@tagged("post_install", "-at_install")
class TestLoanCobResults(TransactionCase):
    """The close of business gives, night after night, the results recorded before it was
    made set-based: same standing, charges, entries, journal items and SMS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        generate(cls.env, BOOK, AS_OF, prefix="CR")
        cls.loans = cls.env["sacco.loan"].search([("name", "=like", "CR%")])
        cls.members = cls.loans.member_id

    def _digest(self, run, last_sms):
        """Per result: the number of rows and a SHA-256 of them."""
        self.env.flush_all()
        params = {
            "loans": self.loans.ids,
            "members": self.members.ids,
            "run": run.id,
            "moves": run.move_ids.ids,
            "company": self.company.id,
            "last_sms": last_sms,
        }
        digest = {}
        for name, sql in RESULTS.items():
            self.env.cr.execute(sql, params)
            rows = self.env.cr.fetchall()
            text = json.dumps(rows, default=str)
            digest[name] = [len(rows), hashlib.sha256(text.encode()).hexdigest()[:16]]
        digest["run"] = [
            run.loan_count,
            run.accrual_line_count,
            round(run.accrual_amount, 2),
            run.penalty_line_count,
            round(run.penalty_amount, 2),
            run.reminder_count,
            round(run.provision_amount, 2),
            round(run.provision_change, 2),
        ]
        return digest

    def _last_sms(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM sacco_sms_message")
        return self.env.cr.fetchone()[0]

    def test_nights_give_the_recorded_results(self):
        expected = json.loads(EXPECTED.read_text())
        actual = {}
        for night in range(NIGHTS):
            day = AS_OF + timedelta(days=night)
            last_sms = self._last_sms()
            run = self.env["sacco.loan.cob.run"].run_close_of_business(day, self.company)
            actual[str(day)] = self._digest(run, last_sms)
        differing = [day for day in actual if actual[day] != expected.get(day)]
        self.assertFalse(
            differing,
            "nights differing from the recorded results: "
            + json.dumps({day: [expected.get(day), actual[day]] for day in differing}),
        )
        self.assertEqual(set(actual), set(expected))
