import base64
import json

from odoo import Command, api, fields, models

from .sacco_mpesa_request import EAT, timestamp_now

DARAJA_IP = "196.201.214.200"
STATEMENT_HEADER = (
    "Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,"
    "Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,"
    "A/C No."
)


class SaccoMpesaCallback(models.Model):
    """Demo data: the corrections staff make on the M-Pesa channel. The sandbox is never
    called: each request is recorded as Daraja accepted it and its documented result is
    delivered to the raw log, then processed like the background job does."""

    _inherit = "sacco.mpesa.callback"

    @api.model
    def _demo_corrections(self, config_id, accountant_id, manager_id, payer_id, payout_member_ids):
        config = self.env["sacco.mpesa.config"].browse(config_id)
        accountant = self.env["res.users"].browse(accountant_id)
        manager = self.env["res.users"].browse(manager_id)
        Transaction = self.env["sacco.mpesa.transaction"]
        company = config.company_id
        # A payment to an unknown account number refunded: proposed, approved by another.
        refund = Transaction.search([("name", "=", "TLD0000006"), ("company_id", "=", company.id)])
        payer = self.env["sacco.member"].browse(payer_id)
        refund.with_user(accountant).propose_refund(payer.phone, payer)
        refund.with_user(manager).action_approve()
        # A contribution paid twice, reversed by M-Pesa after a second approval.
        twice = Transaction.search([("name", "=", "TLD0000002"), ("company_id", "=", company.id)])
        twice.with_user(accountant).propose_reversal("Contribution paid twice")
        twice.with_user(manager).action_approve()
        # This year's dividend sent by M-Pesa to the members who chose it.
        members = self.env["sacco.member"].browse(payout_member_ids)
        members.mpesa_payout = True
        self._demo_interim_dividend(company, accountant)
        requests = self.env["sacco.mpesa.request"].search(
            [("config_id", "=", config.id), ("state", "=", "draft")]
        )
        for request in requests:
            request._mark_submitted()
            request.state = "pending"
            kind = "reversal_result" if request.kind == "reversal" else "b2c_result"
            self._store(config, kind, json.dumps(self._demo_result(request)), {}, DARAJA_IP)
        self.search([("state", "=", "pending"), ("config_id", "=", config.id)])._process()

    @api.model
    def _demo_interim_dividend(self, company, accountant):
        """This year's dividend on shares, declared early (last year's was paid to FOSA)."""
        today = fields.Date.context_today(self)
        shares = self.env["sacco.savings.product"].search(
            [("company_id", "=", company.id), ("kind", "=", "share_capital")]
        )
        year_end = (
            self.env["sacco.savings.year.end"]
            .with_user(accountant)
            .create(
                {
                    "company_id": company.id,
                    "year": today.year,
                    "product_ids": [Command.set(shares.ids)],
                    "deposit_rate": 0.0,
                    "dividend_rate": 2.0,
                    "accounting_date": today,
                }
            )
        )
        year_end.action_compute()
        year_end.action_post()
        year_end.payment_date = today
        year_end.action_pay()

    @api.model
    def _demo_result(self, request):
        """The documented success result of a B2C payment or a reversal."""
        n = request.id
        parameters = (
            [
                {"Key": "Amount", "Value": request.amount},
                {"Key": "TransCompletedTime", "Value": int(timestamp_now())},
                {"Key": "OriginalTransactionID", "Value": request.transaction_id.name},
                {"Key": "Charge", "Value": 0.0},
            ]
            if request.kind == "reversal"
            else [
                {"Key": "TransactionAmount", "Value": request.amount},
                {"Key": "TransactionReceipt", "Value": f"TLB{n:07d}"},
                {"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
            ]
        )
        return {
            "Result": {
                "ResultType": 0,
                "ResultCode": 0,
                "ResultDesc": "The service request is processed successfully.",
                "OriginatorConversationID": request.originator_id,
                "ConversationID": f"AG_DEMO_{n:012d}",
                "TransactionID": f"TLB{n:07d}",
                "ResultParameters": {"ResultParameter": parameters},
            }
        }

    @api.model
    def _demo_statement(self, config_id, accountant_id):
        """The day's organisation statement imported by the accountant: the receipts kept
        and the payouts made (and their charges, rows of their own) reconcile; the sweep of
        the utility account to the bank stays open in the Bank and M-Pesa Reconciliation
        screen."""
        config = self.env["sacco.mpesa.config"].browse(config_id)
        receipts = self.env["sacco.mpesa.transaction"].search(
            [("config_id", "=", config.id), ("state", "not in", ("reversed", "reversing"))],
            order="paid_at, id",
        )
        payouts = self.env["sacco.mpesa.request"].search(
            [("config_id", "=", config.id), ("kind", "=", "b2c"), ("state", "=", "done")],
            order="id",
        )
        rows = [
            self._demo_statement_row(
                txn.name, txn.paid_at or txn.create_date, "Pay Bill", paid_in=txn.amount
            )
            for txn in receipts
        ]
        for payout in payouts:
            rows.append(
                self._demo_statement_row(
                    payout.receipt, payout.write_date, "Business Payment", withdrawn=payout.amount
                )
            )
            if payout.charge:
                rows.append(
                    self._demo_statement_row(
                        payout.receipt,
                        payout.write_date,
                        "Business Payment Charge",
                        withdrawn=payout.charge,
                    )
                )
        rows.append(
            self._demo_statement_row(
                "TLS0000001", fields.Datetime.now(), "Settlement to bank", withdrawn=1000
            )
        )
        text = "\n".join(["Short Code:," + config.shortcode, "", STATEMENT_HEADER, *rows])
        statement = (
            self.env["sacco.mpesa.statement"]
            .with_user(accountant_id)
            .create(
                {
                    "config_id": config.id,
                    "file": base64.b64encode(text.encode()),
                    "filename": f"ORG_{config.shortcode}_Statement.csv",
                }
            )
        )
        statement.action_import()

    @api.model
    def _demo_statement_row(self, receipt, utc_time, details, paid_in=0.0, withdrawn=0.0):
        when = (utc_time + EAT).strftime("%Y-%m-%d %H:%M:%S")
        paid_in = f"{paid_in:.2f}" if paid_in else ""
        withdrawn = f"{withdrawn:.2f}" if withdrawn else ""
        return f"{receipt},{when},{when},{details},Completed,{paid_in},{withdrawn},,true,,,,"
