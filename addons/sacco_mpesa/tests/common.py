import json
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from odoo import fields
from odoo.tests import HttpCase
from odoo.tools import config as odoo_config

from odoo.addons.sacco_loans.tests.common import SaccoLoansCommon

from .daraja_server import DarajaTestServer

CONSUMER_KEY, CONSUMER_SECRET = "test-consumer-key", "test-consumer-secret"
PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"
SHORTCODE = "174379"
INITIATOR_PASSWORD = "Safaricom999!*!"


def _certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "apicrypt.safaricom.co.ke")])
    now = fields.Datetime.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now.replace(year=now.year + 1))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


class SaccoMpesaCommon(HttpCase, SaccoLoansCommon):
    """A shortcode configured against a local Daraja server; callbacks come back to our
    routes over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Members of long standing: loan eligibility does not hang on the time zone of
        # "today" when the tests run near midnight in Nairobi.
        (cls.member | cls.other | cls.guarantor).join_date = cls.today - timedelta(days=730)
        cls.daraja = cls.enterClassContext(DarajaTestServer(CONSUMER_KEY, CONSUMER_SECRET, PASSKEY))
        Config = cls.env["sacco.mpesa.config"]
        Config.search([]).active = False  # the demo shortcode, if any
        cls.config = Config.create(
            {
                "name": "Test Paybill",
                "shortcode": SHORTCODE,
                "environment": "custom",
                "base_url": cls.daraja.base_url,
                "consumer_key": CONSUMER_KEY,
                "consumer_secret": CONSUMER_SECRET,
                "passkey": PASSKEY,
                "callback_base_url": f"http://127.0.0.1:{odoo_config['http_port']}",
            }
        )
        cls.journal = cls.config.journal_id
        cls.token = cls.config.callback_token
        cls.bosa = cls._account(cls.member, cls.deposits)
        cls.member_fosa = cls._account(cls.member, cls.fosa)

    @classmethod
    def _configure_initiator(cls, password=INITIATOR_PASSWORD):
        """The initiator's credentials B2C, status and reversal calls need, encrypted with
        a test certificate; its private key (to read the security credential back)."""
        key, pem = _certificate()
        cls.config.sudo().write(
            {"initiator_name": "testapi", "initiator_password": password, "certificate": pem}
        )
        return key

    def setUp(self):
        super().setUp()
        self.daraja.reset()

    def _url(self, kind, token=None):
        return f"/sacco/mpesa/{token or self.token}/{kind}"

    def _post(self, kind, body, token=None):
        raw = body if isinstance(body, str) else json.dumps(body)
        return self.url_open(
            self._url(kind, token), data=raw, headers={"Content-Type": "application/json"}
        )

    def _c2b(self, trans_id, amount, bill_ref, shortcode=SHORTCODE, **payment):
        body = self.daraja.c2b_payment(trans_id, amount, bill_ref, shortcode, **payment)
        response = self._post("c2b/confirmation", body)
        self.assertEqual(response.json(), {"ResultCode": 0, "ResultDesc": "Accepted"})
        return response

    def _process(self):
        self.env["sacco.mpesa.callback"]._cron_process()

    def _transaction(self, receipt):
        return self.env["sacco.mpesa.transaction"].search([("name", "=", receipt)])

    def _gl(self, account):
        lines = self.env["account.move.line"].search(
            [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        )
        return sum(lines.mapped("balance"))

    def assertMpesaBooksMatch(self):
        """Every M-Pesa entry balanced and posted; the M-Pesa account holds each receipt's
        money once, less the payouts made and their charges; B2C clearing equals the payouts
        under way and suspense the payments waiting in it; member sub-ledgers equal the GL."""
        transactions = self.env["sacco.mpesa.transaction"].search(
            [("config_id", "=", self.config.id)]
        )
        requests = self.env["sacco.mpesa.request"].search([("config_id", "=", self.config.id)])
        moves = (
            transactions.move_id
            | transactions.allocation_move_id
            | transactions.reversal_move_id
            | requests.source_move_id
            | requests.settle_move_id
        )
        for move in moves:
            self.assertEqual(move.state, "posted")
            self.assertEqual(
                move.currency_id.compare_amounts(
                    sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
                ),
                0,
            )
        payouts = self.env["sacco.mpesa.request"].search(
            [("config_id", "=", self.config.id), ("kind", "=", "b2c")]
        )
        paid = payouts.filtered(lambda r: r.state == "done")
        # A deferred payout (draft) already moved its money into clearing.
        open_payouts = payouts.filtered(
            lambda r: r.state in ("draft", "submitted", "pending", "unknown")
        )
        kept = transactions.filtered(lambda t: t.state != "reversed")
        # M-Pesa money: the paybill's bank account (moved by imported statements only) and
        # the outstanding receipts/payments not yet seen on a statement. A statement row not
        # reconciled (not ours) is money on the bank account waiting in the bank suspense.
        bank = self.journal.default_account_id
        outstanding = self.config.outstanding_account_id
        bank_lines = self.env["account.bank.statement.line"].search(
            [("journal_id", "=", self.journal.id)]
        )
        open_rows = bank_lines.filtered(lambda line: not line.is_reconciled)
        self.assertAlmostEqual(
            self._gl(bank) + self._gl(outstanding) - sum(open_rows.mapped("amount")),
            sum(kept.mapped("amount")) - sum(paid.mapped("amount")) - sum(paid.mapped("charge")),
            2,
        )
        self.assertAlmostEqual(self._gl(bank), sum(bank_lines.mapped("amount")), 2)
        for line in bank_lines - open_rows:
            matched = line.move_id.line_ids.filtered(lambda item: item.account_id == outstanding)
            self.assertTrue(matched)
            self.assertTrue(all(matched.mapped("reconciled")))
        self.assertAlmostEqual(
            -self._gl(self.config.clearing_account_id), sum(open_payouts.mapped("amount")), 2
        )
        waiting = transactions.filtered(
            lambda t: (
                t.state == "suspense"
                or (t.state == "reversing" and t.reversed_from_state == "suspense")
            )
        )
        suspense = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.config.suspense_account_id.id),
                ("journal_id", "in", (self.journal | self.config.suspense_journal_id).ids),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertAlmostEqual(-sum(suspense.mapped("balance")), sum(waiting.mapped("amount")), 2)
        self.assertLoanBookMatches()
