import base64
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core import mpesa
from sacco_core.mpesa import MpesaFormatError

D = Decimal
PASSKEY = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"

STK_SUCCESS = {
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": "ws_CO_191220191020363925",
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {
                "Item": [
                    {"Name": "Amount", "Value": 1.00},
                    {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                    {"Name": "Balance"},
                    {"Name": "TransactionDate", "Value": 20191219102115},
                    {"Name": "PhoneNumber", "Value": 254708374149},
                ]
            },
        }
    }
}
STK_CANCELLED = {
    "Body": {
        "stkCallback": {
            "MerchantRequestID": "f1e2-4b95-a71d-b30d3cdbb7a7942864",
            "CheckoutRequestID": "ws_CO_21072024125243250722943992",
            "ResultCode": 1032,
            "ResultDesc": "Request cancelled by user",
        }
    }
}
C2B_V2 = {
    "TransactionType": "Pay Bill",
    "TransID": "RKL51ZDR4F",
    "TransTime": "20231121121325",
    "TransAmount": "5.00",
    "BusinessShortCode": "600966",
    "BillRefNumber": "Sample Transaction",
    "InvoiceNumber": "",
    "OrgAccountBalance": "25.00",
    "ThirdPartyTransID": "",
    "MSISDN": "2547 ***** 126",
    "FirstName": "NICHOLAS",
    "MiddleName": "",
    "LastName": "",
}
B2C_SUCCESS = {
    "Result": {
        "ResultType": 0,
        "ResultCode": 0,
        "ResultDesc": "The service request is processed successfully.",
        "OriginatorConversationID": "53e3-4aa8-9fe0-8fb5e4092cdd3533373",
        "ConversationID": "AG_20240706_2010364430d9bbdaf872",
        "TransactionID": "SG632NMUAB",
        "ResultParameters": {
            "ResultParameter": [
                {"Key": "TransactionAmount", "Value": 10},
                {"Key": "TransactionReceipt", "Value": "SG632NMUAB"},
                {"Key": "TransactionCompletedDateTime", "Value": "06.07.2024 22:48:52"},
                {"Key": "B2CChargesPaidAccountAvailableFunds", "Value": -1980.00},
            ]
        },
        "ReferenceData": {"ReferenceItem": {"Key": "QueueTimeoutURL", "Value": "https://x"}},
    }
}
BALANCE_RESULT = {
    "Result": {
        "ResultType": "0",
        "ResultCode": "0",
        "ResultDesc": "The service request is processed successfully",
        "OriginatorConversationID": "16917-22577599-3",
        "ConversationID": "AG_20200206_00005e091a8ec6b9eac5",
        "TransactionID": "OA90000000",
        "ResultParameters": {
            "ResultParameter": [
                {
                    "Key": "AccountBalance",
                    "Value": "Working Account|KES|700000.00|700000.00|0.00|0.00&Utility Account"
                    "|KES|228037.00|228037.00|0.00|0.00&Charges Paid Account|KES|-1540.00"
                    "|-1540.00|0.00|0.00",
                },
                {"Key": "BOCompletedTime", "Value": "20200109125710"},
            ]
        },
    }
}


def test_password_is_the_portal_sample():
    # The portal's sample password decodes to shortcode + passkey + timestamp.
    expected = base64.b64encode(f"174379{PASSKEY}20210628092408".encode()).decode()
    assert mpesa.stk_password("174379", PASSKEY, "20210628092408") == expected
    assert mpesa.timestamp(datetime(2021, 6, 28, 9, 24, 8)) == "20210628092408"


def test_stk_push_payload_paybill_and_till():
    payload = mpesa.stk_push_payload(
        shortcode="174379",
        passkey=PASSKEY,
        stamp="20210628092408",
        amount=D("150"),
        phone="+254708374149",
        callback_url="https://sacco.example/sacco/mpesa/t/stk",
        account_reference="TA-00012#T-SHR-too-long",
        description="Deposit & shares!",
    )
    assert payload["TransactionType"] == "CustomerPayBillOnline"
    assert payload["PartyA"] == payload["PhoneNumber"] == "254708374149"
    assert payload["PartyB"] == "174379"
    assert payload["Amount"] == "150"
    assert len(payload["AccountReference"]) <= 12
    assert payload["TransactionDesc"] == "Deposit share"
    till = mpesa.stk_push_payload(
        shortcode="174379",
        passkey=PASSKEY,
        stamp="20210628092408",
        amount=10,
        phone="+254708374149",
        callback_url="https://x/stk",
        account_reference="A",
        description="d",
        till_number="5123456",
    )
    assert till["TransactionType"] == "CustomerBuyGoodsOnline"
    assert till["PartyB"] == "5123456"


@pytest.mark.parametrize("amount", ["10.50", 0, -5, "abc", None])
def test_stk_amount_must_be_whole_positive(amount):
    with pytest.raises(MpesaFormatError):
        mpesa.whole_shillings(amount)


def test_round_up_for_collections():
    assert mpesa.round_up_shillings(D("100.01")) == D("101")
    assert mpesa.round_up_shillings(D("100.00")) == D("100")


def test_phone_must_be_kenyan_mobile_digits():
    with pytest.raises(MpesaFormatError):
        mpesa.daraja_msisdn("+14155550100")


def test_outbound_payloads_use_daraja_spellings():
    common = {
        "originator_id": "SACCO-0000000007",
        "initiator": "testapi",
        "security_credential": "CRED",
        "shortcode": "600992",
        "result_url": "https://x/r",
        "timeout_url": "https://x/t",
    }
    b2c = mpesa.b2c_payload(
        **common, amount=500, phone="+254705912645", remarks="Loan LN1", occasion="Loan"
    )
    assert b2c["Occassion"] == "Loan"
    assert b2c["PartyB"] == "254705912645"
    assert b2c["CommandID"] == "BusinessPayment"
    reversal = mpesa.reversal_payload(
        **common, receipt="PDU91HIVIT", amount=200, remarks="Payment reversal"
    )
    assert reversal["RecieverIdentifierType"] == "11"
    assert reversal["ReceiverParty"] == "600992"
    status = mpesa.transaction_status_payload(**common, receipt="NEF61H8J60")
    assert status["CommandID"] == "TransactionStatusQuery"
    assert status["IdentifierType"] == "4"
    balance = mpesa.account_balance_payload(**common)
    assert balance["CommandID"] == "AccountBalance"
    with pytest.raises(MpesaFormatError):
        mpesa.transaction_status_payload(**common)
    with pytest.raises(MpesaFormatError):
        mpesa.b2c_payload(**common, amount=5, phone="+254705912645", remarks="x", command_id="X")
    register = mpesa.c2b_register_payload(
        shortcode="600984", confirmation_url="c", validation_url="v", response_type="Completed"
    )
    assert register["ResponseType"] == "Completed"
    with pytest.raises(MpesaFormatError):
        mpesa.c2b_register_payload(
            shortcode="1", confirmation_url="c", validation_url="v", response_type="Complete"
        )
    query = mpesa.stk_query_payload(
        shortcode="174379", passkey=PASSKEY, stamp="20160216165627", checkout_request_id="ws_1"
    )
    assert query["CheckoutRequestID"] == "ws_1"


def test_originator_conversation_id_is_fixed_by_request_id():
    assert mpesa.originator_conversation_id("SACCO", 42) == "SACCO-0000000042"
    assert mpesa.originator_conversation_id("SACCO", 42) == mpesa.originator_conversation_id(
        "SACCO", 42
    )
    with pytest.raises(MpesaFormatError):
        mpesa.originator_conversation_id("SACCO", 0)


def test_token_expiry_number_or_string():
    assert mpesa.parse_token({"access_token": "abc", "expires_in": 3599}).expires_in == 3599
    assert mpesa.parse_token({"access_token": "abc", "expires_in": "3599"}).expires_in == 3599
    with pytest.raises(MpesaFormatError):
        mpesa.parse_token({"access_token": "", "expires_in": 1})


def test_sync_answers():
    ok = mpesa.parse_sync_answer(
        {
            "MerchantRequestID": "2654-4b64",
            "CheckoutRequestID": "ws_CO_1",
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
        }
    )
    assert ok.accepted and ok.ids["CheckoutRequestID"] == "ws_CO_1"
    assert mpesa.parse_sync_answer({"ResponseCode": "00000000"}).accepted
    bad = mpesa.parse_sync_answer(
        {"requestId": "1", "errorCode": "404.001.03", "errorMessage": "Invalid Access Token"}
    )
    assert not bad.accepted and bad.invalid_token
    busy = mpesa.parse_sync_answer({"errorCode": "500.001.1001", "errorMessage": "processing"})
    assert busy.still_processing
    with pytest.raises(MpesaFormatError):
        mpesa.parse_sync_answer(["not", "an", "object"])


def test_stk_success_callback_tolerates_balance_without_value():
    result = mpesa.parse_stk_callback(STK_SUCCESS)
    assert result.success
    assert result.receipt == "NLJ7RT61SV"
    assert result.amount == D("1.00")
    assert result.paid_at == datetime(2019, 12, 19, 10, 21, 15)
    assert result.phone == "254708374149"


def test_stk_failure_and_string_codes():
    cancelled = mpesa.parse_stk_callback(STK_CANCELLED)
    assert not cancelled.success and cancelled.result_code == "1032"
    body = {"Body": {"stkCallback": {**STK_CANCELLED["Body"]["stkCallback"]}}}
    body["Body"]["stkCallback"]["ResultCode"] = "SFC_IC0003"
    assert mpesa.parse_stk_callback(body).result_code == "SFC_IC0003"
    string_zero = {"Body": {"stkCallback": {**STK_SUCCESS["Body"]["stkCallback"]}}}
    string_zero["Body"]["stkCallback"]["ResultCode"] = "0"
    assert mpesa.parse_stk_callback(string_zero).success


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"Body": {}},
        {"Body": {"stkCallback": {"ResultCode": 0}}},
        {"Body": {"stkCallback": {"CheckoutRequestID": "ws", "ResultCode": 0}}},
        "text",
    ],
)
def test_stk_malformed(body):
    with pytest.raises(MpesaFormatError):
        mpesa.parse_stk_callback(body)


def test_c2b_v2_masked_msisdn():
    payment = mpesa.parse_c2b(C2B_V2)
    assert payment.trans_id == "RKL51ZDR4F"
    assert payment.amount == D("5.00")
    assert payment.org_balance == D("25.00")
    assert not payment.phone_known
    assert payment.payer_name == "NICHOLAS"
    hashed = mpesa.parse_c2b({**C2B_V2, "MSISDN": "a" * 64, "TransAmount": 5})
    assert not hashed.phone_known and hashed.amount == D("5.00")
    assert mpesa.parse_c2b({**C2B_V2, "MSISDN": "254708374149"}).phone_known


@pytest.mark.parametrize("amount", ["-5", "0", "0.00", "five", "", None, True])
def test_c2b_bad_amounts(amount):
    with pytest.raises(MpesaFormatError):
        mpesa.parse_c2b({**C2B_V2, "TransAmount": amount})


def test_c2b_requires_ids():
    with pytest.raises(MpesaFormatError):
        mpesa.parse_c2b({**C2B_V2, "TransID": ""})


def test_b2c_result_and_failure():
    result = mpesa.parse_result(B2C_SUCCESS)
    assert result.success and result.transaction_id == "SG632NMUAB"
    assert result.amount("TransactionAmount") == D("10.00")
    assert mpesa.parse_time(result.parameters["TransactionCompletedDateTime"]) == datetime(
        2024, 7, 6, 22, 48, 52
    )
    failure = {"Result": {**B2C_SUCCESS["Result"], "ResultCode": 2001}}
    del failure["Result"]["ResultParameters"]
    parsed = mpesa.parse_result(failure)
    assert not parsed.success and parsed.result_code == "2001" and parsed.parameters == {}


def test_status_result_duplicate_keys_and_missing_values():
    body = {
        "Result": {
            "ConversationID": "AG_1",
            "OriginatorConversationID": "3213-416199-2",
            "ResultCode": 0,
            "ResultParameters": {
                "ResultParameter": [
                    {"Key": "DebitPartyName", "Value": "600310 - Safaricom333"},
                    {"Key": "DebitPartyName", "Value": "254708374149 - John Doe"},
                    {"Key": "TransactionReason"},
                    {"Key": "Receipt No", "Value": "MBN31H462N"},
                ]
            },
        }
    }
    result = mpesa.parse_result(body)
    assert result.parameters["DebitPartyName"] == "600310 - Safaricom333"
    assert result.parameters["TransactionReason"] is None
    assert result.parameters["ReceiptNo"] == "MBN31H462N"


def test_balance_result_strings():
    result = mpesa.parse_result(BALANCE_RESULT)
    assert result.success
    balances = mpesa.parse_account_balances(result.parameters["AccountBalance"])
    assert [b.name for b in balances] == [
        "Working Account",
        "Utility Account",
        "Charges Paid Account",
    ]
    assert balances[1].available == D("228037.00")
    assert balances[2].available == D("-1540.00")
    with pytest.raises(MpesaFormatError):
        mpesa.parse_account_balances("Utility|KES|x")


def test_timeout_notification_shapes():
    assert mpesa.parse_timeout({"Result": {"OriginatorConversationID": "A-1"}}) == "A-1"
    assert mpesa.parse_timeout({"OriginatorConversationID": "A-2"}) == "A-2"
    with pytest.raises(MpesaFormatError):
        mpesa.parse_timeout({})


@pytest.mark.parametrize(
    ("text", "key", "product"),
    [
        ("TA-00012", "TA-00012", ""),
        (" ta-000 12 ", "TA-00012", ""),
        ("ta-00012#t-shr", "TA-00012", "T-SHR"),
        ("LN/2026/00001", "LN/2026/00001", ""),
    ],
)
def test_account_reference(text, key, product):
    assert mpesa.parse_account_reference(text) == mpesa.AccountReference(key, product)


@pytest.mark.parametrize("text", ["", "   ", None, "#SHR", "TA-1#"])
def test_account_reference_refused(text):
    with pytest.raises(MpesaFormatError):
        mpesa.parse_account_reference(text)


@given(st.text(alphabet="abcXYZ0129-# \t", min_size=1, max_size=20))
def test_reference_normalisation_is_idempotent(text):
    once = mpesa.normalize_reference(text)
    assert mpesa.normalize_reference(once) == once
    assert once == once.upper() and " " not in once


def test_b2c_charges_by_tier():
    tiers = mpesa.DEFAULT_B2C_TIERS
    assert mpesa.b2c_charge(D("100"), tiers) == D("0.00")
    assert mpesa.b2c_charge(D("101"), tiers) == D("5.00")
    assert mpesa.b2c_charge(D("250000"), tiers) == D("13.00")
    with pytest.raises(MpesaFormatError, match="B2C"):
        mpesa.b2c_charge(D("250001"), tiers)


STATEMENT = [
    ["Account Holder:", "Test SACCO"],
    ["Short Code:", "600000"],
    [],
    [
        "Receipt No.",
        "Completion Time",
        "Initiation Time",
        "Details",
        "Transaction Status",
        "Paid In",
        "Withdrawn",
        "Balance",
        "Balance Confirmed",
        "Reason Type",
        "Other Party Info",
        "Linked Transaction ID",
        "A/C No.",
    ],
    [
        "RKL51ZDR4F",
        "2023-11-21 12:13:25",
        "2023-11-21 12:13:25",
        "Pay Bill from 2547****126",
        "Completed",
        "1,500.00",
        "",
        "26,500.00",
        "true",
        "Pay Bill Online",
        "2547****126 - NICHOLAS",
        "",
        "ta-00012",
    ],
    ["SG632NMUAB", "06-07-2024 22:48:52", "", "Business Payment", "Completed", "", "-10.00"],
    [],
]


def test_statement_rows():
    rows, errors = mpesa.parse_statement(STATEMENT)
    assert errors == []
    assert [row.receipt for row in rows] == ["RKL51ZDR4F", "SG632NMUAB"]
    assert rows[0].paid_in == D("1500.00") and rows[0].account_ref == "ta-00012"
    assert rows[0].line == 5
    assert rows[1].withdrawn == D("10.00") and rows[1].paid_in == D("0.00")


def test_statement_row_errors_and_foreign_file():
    bad = [*STATEMENT[:4], ["", "2023-11-21 12:13:25", "", "", "", "5"], STATEMENT[4], STATEMENT[4]]
    bad.append(["X1", "yesterday", "", "", "", "5"])
    bad.append(["X2", "2023-11-21 12:13:25", "", "", "", "abc"])
    _rows, errors = mpesa.parse_statement(bad)
    assert len(errors) == 4
    assert errors[0].startswith("Line 5:") and "appears twice" in errors[1]
    with pytest.raises(MpesaFormatError, match="not an M-Pesa organisation statement"):
        mpesa.parse_statement([["Name", "Amount"], ["x", "1"]])


def test_statement_charge_row_shares_the_payout_receipt():
    payout = ["SG632NMUAB", "06-07-2024 22:48:52", "", "Business Payment", "Completed", "", "-900"]
    charge = [*payout[:3], "Business Payment Charge", "Completed", "", "-9.00"]
    rows, errors = mpesa.parse_statement([*STATEMENT[:4], payout, charge])
    assert errors == []
    assert [(row.receipt, row.is_charge, row.withdrawn) for row in rows] == [
        ("SG632NMUAB", False, D("900.00")),
        ("SG632NMUAB", True, D("9.00")),
    ]
    _rows, errors = mpesa.parse_statement([*STATEMENT[:4], payout, charge, charge, payout])
    assert errors == [
        "Line 7: the charge of receipt SG632NMUAB appears twice.",
        "Line 8: receipt SG632NMUAB appears twice.",
    ]
    # Paid in, a row naming a charge is no charge of ours: the receipt is still unique.
    refund = [*STATEMENT[4][:3], "Charge refund", "Completed", "10.00", ""]
    _rows, errors = mpesa.parse_statement([*STATEMENT[:5], refund])
    assert errors == ["Line 6: receipt RKL51ZDR4F appears twice."]
