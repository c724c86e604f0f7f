import odoo
from odoo.tests import get_db_name, tagged

from odoo.addons.sacco_mpesa.models.sacco_mpesa_callback import DRAINING_LOCK, PROCESS_CRON

from .common import SaccoMpesaCommon


@tagged("post_install", "-at_install")
class TestBatchProcessing(SaccoMpesaCommon):
    """A batch of callbacks is recorded with one INSERT and posted as bulk entries that keep
    one journal item per payment, with the member as partner; acknowledgements wake the
    background job only when it is not draining the queue already."""

    def _triggers(self):
        cron = self.env.ref(PROCESS_CRON)
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def test_batch_posts_an_item_per_payment(self):
        other_fosa = self._account(self.other, self.fosa)
        payments = {
            "BAT0000001": (self.member_fosa, 120),
            "BAT0000002": (other_fosa, 250.5),
            "BAT0000003": (self.member_fosa, 80),
        }
        for receipt, (account, amount) in payments.items():
            self._c2b(receipt, f"{amount:.2f}", account.name)
        self._c2b("BAT0000002", "250.50", other_fosa.name)  # delivered twice, same batch
        self._c2b("BAT0000004", "75.00", "NOBODY-HERE")
        self._c2b("BAT0000005", "25.00", "")
        self._process()

        deposits = self.env["sacco.mpesa.transaction"].search(
            [("name", "in", list(payments))], order="name"
        )
        self.assertEqual(set(deposits.mapped("state")), {"posted"})
        move = deposits.move_id
        self.assertEqual(len(move), 1)
        bank = move.line_ids.filtered(
            lambda line: line.account_id == self.config.outstanding_account_id
        )
        self.assertEqual(len(bank), 3)
        for receipt, (account, amount) in payments.items():
            line = bank.filtered(lambda line, r=receipt: r in line.name)
            self.assertEqual((line.partner_id, line.debit), (account.member_id.partner_id, amount))
        members = move.line_ids.filtered("sacco_savings_account_id")
        self.assertEqual(len(members), 3)
        self.assertEqual(sorted(members.mapped("credit")), [80, 120, 250.5])
        for line in members:
            self.assertEqual(line.partner_id, line.sacco_savings_account_id.member_id.partner_id)

        suspense = self.env["sacco.mpesa.transaction"].search(
            [("name", "in", ["BAT0000004", "BAT0000005"])]
        )
        self.assertEqual(set(suspense.mapped("state")), {"suspense"})
        self.assertEqual(len(suspense.move_id.line_ids), 4)
        callbacks = self.env["sacco.mpesa.callback"].search([("receipt", "=", "BAT0000002")])
        self.assertEqual(sorted(callbacks.mapped("duplicate")), [False, True])
        self.assertEqual(len(callbacks.transaction_id), 1)
        self.assertMpesaBooksMatch()
        run = self.env["sacco.integrity.run"]._run_for(self.company, "manual")
        self.assertEqual(run.state, "clean", run.summary)

    def test_ack_wakes_the_job_unless_it_drains(self):
        before = self._triggers()
        # Another connection holds the lock of a job draining the queue: no trigger (the
        # job sees the callback before it stops). Taken first: an acknowledgement's locks
        # last as long as this test's transaction.
        with odoo.sql_db.db_connect(get_db_name()).cursor() as job:
            job.execute("SELECT pg_try_advisory_lock(%s)", [DRAINING_LOCK])
            self.assertTrue(job.fetchone()[0])
            try:
                self._c2b("WAK0000001", "100.00", self.member_fosa.name)
                self.assertEqual(self._triggers(), before)
            finally:
                job.execute("SELECT pg_advisory_unlock(%s)", [DRAINING_LOCK])
        self._c2b("WAK0000002", "100.00", self.member_fosa.name)
        self.assertEqual(self._triggers(), before + 1)
        self._process()
        for receipt in ("WAK0000001", "WAK0000002"):
            self.assertEqual(self._transaction(receipt).state, "posted")
