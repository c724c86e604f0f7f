"""A local HTTP server that answers like Safaricom's Daraja, for tests.

It speaks the documented formats (shared/research/mpesa-ussd-mobile.md §1): OAuth with HTTP
Basic auth (``expires_in`` as a string, as the 2017 docs show it), STK Push and STK Query
(checking the password rule), C2B URL registration, and the error envelopes for a bad token.
The callbacks Daraja would post (STK results, C2B validation and confirmation) are queued and
posted over real HTTP to the URLs we gave it by ``deliver()`` -- or at once from a thread of
its own with ``auto_deliver`` (for browser tours, where the test thread only waits).
"""

import base64
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

import requests

from odoo.addons.sacco_base.tests.local_http_server import LocalHttpServer


class DarajaTestServer(LocalHttpServer):
    def __init__(self, consumer_key, consumer_secret, passkey):
        self.credentials = base64.b64encode(f"{consumer_key}:{consumer_secret}".encode()).decode()
        self.passkey = passkey
        self.reset()
        self._ids = itertools.count(1)
        super().__init__()

    def reset(self):
        """Forget what earlier tests did (the server lives as long as the test class)."""
        self.requests = []
        self.token_count = 0
        self.token = None
        self.gateway_failures = 0  # answer this many next calls with a 503 HTML page
        self.stk_outcomes = {}  # CheckoutRequestID -> callback body
        self.stk_result = {"code": 0, "receipt": None}  # what the next STK push ends in
        self.registered = {}
        self.outbox = []
        self.auto_deliver = False
        self.b2c_result_code = 0  # what the next B2C payments end in
        self.originators = set()
        self.status_outcome = "Completed"
        self.reversal_result_code = 0  # what the next reversals end in ("R000001"...)

    def calls(self, path):
        return [r for r in self.requests if r["path"].startswith(path)]

    # ---------------------------------------------------------------- callbacks

    def queue(self, url, body):
        self.outbox.append((url, body))
        if self.auto_deliver:
            threading.Thread(target=self.deliver, daemon=True).start()

    def deliver(self):
        """Post the queued callbacks; returns the JSON answers."""
        answers = []
        while self.outbox:
            url, body = self.outbox.pop(0)
            raw = body if isinstance(body, str) else json.dumps(body)
            response = requests.post(
                url, data=raw, headers={"Content-Type": "application/json"}, timeout=30
            )
            answers.append((response.status_code, response.text))
        return answers

    @staticmethod
    def c2b_payment(
        trans_id, amount, bill_ref, shortcode, msisdn="2547 ***** 126", trans_time="20261203121325"
    ):
        """A paybill payment as Daraja's C2B v2 confirmation documents it (masked MSISDN,
        amount as a string, time in East Africa Time)."""
        return {
            "TransactionType": "Pay Bill",
            "TransID": trans_id,
            "TransTime": trans_time,
            "TransAmount": amount,
            "BusinessShortCode": shortcode,
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "25000.00",
            "ThirdPartyTransID": "",
            "MSISDN": msisdn,
            "FirstName": "NICHOLAS",
            "MiddleName": "",
            "LastName": "",
        }

    # ---------------------------------------------------------------- answers

    def _oauth(self, handler):
        if handler.headers.get("Authorization") != f"Basic {self.credentials}":
            return 400, {"errorCode": "400.008.01", "errorMessage": "Invalid Authentication passed"}
        self.token_count += 1
        self.token = f"token-{self.token_count}"
        return 200, {"access_token": self.token, "expires_in": "3599"}

    def _stk_push(self, body):
        expected = base64.b64encode(
            f"{body['BusinessShortCode']}{self.passkey}{body['Timestamp']}".encode()
        ).decode()
        if body.get("Password") != expected:
            return 500, {
                "requestId": "1",
                "errorCode": "500.001.1001",
                "errorMessage": "Wrong credentials",
            }
        n = next(self._ids)
        checkout = f"ws_CO_0312202612{n:012d}"
        merchant = f"29115-34620561-{n}"
        code, receipt = self.stk_result["code"], self.stk_result["receipt"]
        callback = {
            "MerchantRequestID": merchant,
            "CheckoutRequestID": checkout,
            "ResultCode": code,
            "ResultDesc": "The service request is processed successfully."
            if code == 0
            else "Request cancelled by user",
        }
        if code == 0:
            callback["CallbackMetadata"] = {
                "Item": [
                    {"Name": "Amount", "Value": float(body["Amount"])},
                    {"Name": "MpesaReceiptNumber", "Value": receipt or f"TST{n:07d}"},
                    {"Name": "Balance"},
                    {"Name": "TransactionDate", "Value": 20261203102115},
                    {"Name": "PhoneNumber", "Value": int(body["PhoneNumber"])},
                ]
            }
        self.stk_outcomes[checkout] = callback
        self.queue(body["CallBackURL"], {"Body": {"stkCallback": callback}})
        return 200, {
            "MerchantRequestID": merchant,
            "CheckoutRequestID": checkout,
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing",
        }

    def _stk_query(self, body):
        outcome = self.stk_outcomes.get(body["CheckoutRequestID"])
        if not outcome:
            return 500, {
                "errorCode": "500.001.1001",
                "errorMessage": "The transaction is being processed",
            }
        return 200, {
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": outcome["MerchantRequestID"],
            "CheckoutRequestID": outcome["CheckoutRequestID"],
            "ResultCode": str(outcome["ResultCode"]),
            "ResultDesc": outcome["ResultDesc"],
        }

    def _c2b_register(self, body):
        self.registered[body["ShortCode"]] = body
        return 200, {
            "OriginatorCoversationID": "6e86-45dd-91ac-fd5d4178ab523408729",
            "ResponseCode": "0",
            "ResponseDescription": "Success",
        }

    def _b2c(self, body):
        """B2C v3: a duplicate OriginatorConversationID is refused; the result (documented
        success or failure shape) is queued for the ResultURL."""
        originator = body["OriginatorConversationID"]
        if originator in self.originators:
            return 500, {
                "requestId": "1",
                "errorCode": "500.002.1001",
                "errorMessage": "Duplicate OriginatorConversationID.",
            }
        self.originators.add(originator)
        n = next(self._ids)
        conversation = f"AG_20261203_{n:020d}"
        result = {
            "ResultType": 0,
            "ResultCode": self.b2c_result_code,
            "ResultDesc": "The service request is processed successfully."
            if self.b2c_result_code == 0
            else "The initiator information is invalid.",
            "OriginatorConversationID": originator,
            "ConversationID": conversation,
            "TransactionID": f"TB{n:08d}",
            "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": "https://x"}},
        }
        if self.b2c_result_code == 0:
            result["ResultParameters"] = {
                "ResultParameter": [
                    {"Key": "TransactionAmount", "Value": int(body["Amount"])},
                    {"Key": "TransactionReceipt", "Value": f"TB{n:08d}"},
                    {"Key": "TransactionCompletedDateTime", "Value": "03.12.2026 22:48:52"},
                    {"Key": "B2CRecipientIsRegisteredCustomer", "Value": "Y"},
                ]
            }
        self.queue(body["ResultURL"], {"Result": result})
        return 200, {
            "ConversationID": conversation,
            "OriginatorConversationID": originator,
            "ResponseCode": "0",
            "ResponseDescription": "Accept the service request successfully.",
        }

    def _status(self, body):
        """Transaction Status: the documented result (parameters as Key/Value, a key
        without Value) for the payout asked about, queued for the ResultURL."""
        n = next(self._ids)
        result = {
            "ConversationID": f"AG_20261203_{n:020d}",
            "OriginatorConversationID": body["OriginatorConversationID"],
            "ReferenceData": {"ReferenceItem": {"Key": "Occasion"}},
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "ResultParameters": {
                "ResultParameter": [
                    {"Key": "DebitPartyName", "Value": "174379 - Test SACCO"},
                    {"Key": "TransactionReason"},
                    {"Key": "TransactionStatus", "Value": self.status_outcome},
                    {"Key": "Amount", "Value": "1000"},
                    {"Key": "ReceiptNo", "Value": f"TS{n:08d}"},
                ]
            },
            "ResultType": 0,
            "TransactionID": "MBN0000000",
        }
        self.queue(body["ResultURL"], {"Result": result})
        return 200, self._accepted(body, n)

    def _reversal(self, body):
        """Reversal: the documented success result (parameters with numbers and strings)
        or a failure without parameters, queued for the ResultURL."""
        n = next(self._ids)
        code = self.reversal_result_code
        result = {
            "ResultType": 0,
            "ResultCode": code,
            "ResultDesc": "The service request is processed successfully."
            if code == 0
            else "The transaction has already been reversed."
            if code == "R000001"
            else "The OriginalTransactionID is invalid.",
            "OriginatorConversationID": body["OriginatorConversationID"],
            "ConversationID": f"AG_20261203_{n:020d}",
            "TransactionID": f"TR{n:08d}",
            "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": "https://x"}},
        }
        if code == 0:
            result["ResultParameters"] = {
                "ResultParameter": [
                    {
                        "Key": "DebitAccountBalance",
                        "Value": "Utility Account|KES|7722179.62|7722179.62|0.00|0.00",
                    },
                    {"Key": "Amount", "Value": float(body["Amount"])},
                    {"Key": "TransCompletedTime", "Value": 20261203132711},
                    {"Key": "OriginalTransactionID", "Value": body["TransactionID"]},
                    {"Key": "Charge", "Value": 0.00},
                    {"Key": "CreditPartyPublicName", "Value": "254705912645 - NICHOLAS"},
                    {"Key": "DebitPartyPublicName", "Value": f"{body['ReceiverParty']} - SACCO"},
                ]
            }
        self.queue(body["ResultURL"], {"Result": result})
        return 200, self._accepted(body, n)

    def _balance(self, body):
        n = next(self._ids)
        result = {
            "ResultType": "0",
            "ResultCode": "0",
            "ResultDesc": "The service request is processed successfully",
            "OriginatorConversationID": body["OriginatorConversationID"],
            "ConversationID": f"AG_20261203_{n:020d}",
            "TransactionID": "OA90000000",
            "ResultParameters": {
                "ResultParameter": [
                    {
                        "Key": "AccountBalance",
                        "Value": "Working Account|KES|700000.00|700000.00|0.00|0.00"
                        "&Utility Account|KES|228037.00|228037.00|0.00|0.00"
                        "&Charges Paid Account|KES|-1540.00|-1540.00|0.00|0.00",
                    },
                    {"Key": "BOCompletedTime", "Value": "20261203125710"},
                ]
            },
        }
        self.queue(body["ResultURL"], {"Result": result})
        return 200, self._accepted(body, n)

    @staticmethod
    def _accepted(body, n):
        return {
            "OriginatorConversationID": body["OriginatorConversationID"],
            "ConversationID": f"AG_20261203_{n:020d}",
            "ResponseCode": "0",
            "ResponseDescription": "Accept the service request successfully.",
        }

    def _answer(self, handler, path, body):
        if path.startswith("/oauth/v1/generate"):
            return self._oauth(handler)
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 404, {
                "requestId": "1",
                "errorCode": "404.001.03",
                "errorMessage": "Invalid Access Token",
            }
        if self.gateway_failures:
            self.gateway_failures -= 1
            return 503, "<html>Service Unavailable</html>"
        routes = {
            "/mpesa/stkpush/v1/processrequest": self._stk_push,
            "/mpesa/stkpushquery/v1/query": self._stk_query,
            "/mpesa/c2b/v2/registerurl": self._c2b_register,
            "/mpesa/c2b/v1/registerurl": self._c2b_register,
            "/mpesa/b2c/v3/paymentrequest": self._b2c,
            "/mpesa/transactionstatus/v1/query": self._status,
            "/mpesa/accountbalance/v1/query": self._balance,
            "/mpesa/reversal/v1/request": self._reversal,
        }
        if path not in routes:
            return 404, {
                "requestId": "1",
                "errorCode": "404.001.01",
                "errorMessage": "Resource not found",
            }
        return routes[path](body)

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, body):
                path = urlparse(self.path).path
                server.requests.append({"path": path, "headers": dict(self.headers), "body": body})
                status, answer = server._answer(self, path, body)
                raw = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "text/html" if isinstance(answer, str) else "application/json"
                )
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                self._serve(None)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                self._serve(json.loads(self.rfile.read(length) or b"null"))

            def log_message(self, *args):
                pass

        return Handler
