from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sacco_core.africastalking import (
    DELIVERY_OUTCOMES,
    STATUS_NAMES,
    DeliveryReport,
    SendResult,
    build_send_response,
    is_retryable,
    parse_cost,
    parse_delivery_report,
    parse_send_response,
)
from sacco_core.exceptions import SaccoRuleError

DOCUMENTED_RESPONSE = {
    "SMSMessageData": {
        "Message": "Sent to 1/1 Total Cost: KES 0.8000",
        "Recipients": [
            {
                "statusCode": 101,
                "number": "+254711XXXYYY",
                "status": "Success",
                "cost": "KES 0.8000",
                "messageId": "ATPid_SampleTxnId123",
            }
        ],
    }
}


def test_parse_documented_response():
    assert parse_send_response(DOCUMENTED_RESPONSE) == [
        SendResult(
            number="+254711XXXYYY",
            status_code=101,
            status="Success",
            message_id="ATPid_SampleTxnId123",
            cost=Decimal("0.8000"),
            currency="KES",
            accepted=True,
            retryable=False,
        )
    ]


def test_parse_rejected_recipient():
    body = {
        "SMSMessageData": {
            "Message": "Sent to 0/1 Total Cost: 0",
            "Recipients": [
                {
                    "statusCode": 403,
                    "number": "+2547",
                    "status": "InvalidPhoneNumber",
                    "cost": "0",
                    "messageId": "None",
                }
            ],
        }
    }
    (result,) = parse_send_response(body)
    assert result.message_id is None
    assert (result.cost, result.currency) == (Decimal(0), None)
    assert (result.accepted, result.retryable) == (False, False)


def test_parse_fills_missing_fields():
    body = {"SMSMessageData": {"Recipients": [{"statusCode": "405"}]}}
    (result,) = parse_send_response(body)
    assert result == SendResult(
        number="",
        status_code=405,
        status="InsufficientBalance",
        message_id=None,
        cost=None,
        currency=None,
        accepted=False,
        retryable=True,
    )


def test_parse_unknown_code_keeps_its_status_or_says_unknown():
    body = {"SMSMessageData": {"Recipients": [{"statusCode": 503}, {"statusCode": 499}]}}
    server_error, client_error = parse_send_response(body)
    assert (server_error.status, server_error.retryable) == ("Unknown", True)
    assert (client_error.status, client_error.retryable) == ("Unknown", False)


@pytest.mark.parametrize(
    ("code", "accepted", "retryable"),
    [
        (100, True, False),
        (101, True, False),
        (102, True, False),
        (401, False, True),
        (402, False, False),
        (403, False, False),
        (404, False, False),
        (405, False, True),
        (406, False, False),
        (407, False, False),
        (409, False, False),
        (500, False, True),
        (501, False, True),
        (502, False, True),
        (599, False, True),
        (408, False, False),
    ],
)
def test_status_code_classification(code, accepted, retryable):
    body = {"SMSMessageData": {"Recipients": [{"statusCode": code, "number": "+254711000000"}]}}
    (result,) = parse_send_response(body)
    assert (result.accepted, result.retryable) == (accepted, retryable)
    assert is_retryable(code) is retryable
    assert result.status == STATUS_NAMES.get(code, "Unknown")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, r"^Africa's Talking accepted no recipients\.$"),
        ([], r"^Africa's Talking accepted no recipients\.$"),
        ({"SMSMessageData": "oops"}, r"^Africa's Talking accepted no recipients\.$"),
        (
            {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}},
            r"^Africa's Talking accepted no recipients: InvalidSenderId\.$",
        ),
        (
            {"SMSMessageData": {"Message": "InvalidSenderId"}},
            r"^Africa's Talking accepted no recipients: InvalidSenderId\.$",
        ),
        ({"SMSMessageData": {"Recipients": {"statusCode": 101}}}, "accepted no recipients"),
        ({"SMSMessageData": {"Recipients": [{"number": "+254"}]}}, "has no statusCode"),
        ({"SMSMessageData": {"Recipients": ["+254"]}}, "has no statusCode"),
        (
            {"SMSMessageData": {"Recipients": [{"statusCode": "abc"}]}},
            "field statusCode must be an integer, not 'abc'",
        ),
        ({"SMSMessageData": {"Recipients": [{"statusCode": True}]}}, "must be an integer"),
        ({"SMSMessageData": {"Recipients": [{"statusCode": 101.0}]}}, "must be an integer"),
        (
            {"SMSMessageData": {"Recipients": [{"statusCode": 101, "cost": "KES x"}]}},
            "cost 'KES x' is not understood",
        ),
    ],
)
def test_parse_send_response_refuses(body, message):
    with pytest.raises(SaccoRuleError, match=message):
        parse_send_response(body)


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("KES 0.8000", (Decimal("0.8000"), "KES")),
        ("USD 0.0100", (Decimal("0.0100"), "USD")),
        (" KES 1.6000 ", (Decimal("1.6000"), "KES")),
        ("0", (Decimal(0), None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_parse_cost(cost, expected):
    assert parse_cost(cost) == expected


@pytest.mark.parametrize("cost", ["KES", "KES0.8", "KES NaN", "K3S 0.8", "0.8 KES"])
def test_parse_cost_refuses(cost):
    with pytest.raises(SaccoRuleError, match="is not understood"):
        parse_cost(cost)


def test_build_documented_response():
    recipients = [
        {
            "number": "+254711XXXYYY",
            "status_code": 101,
            "message_id": "ATPid_SampleTxnId123",
            "cost": "KES 0.8000",
        }
    ]
    assert build_send_response(recipients) == DOCUMENTED_RESPONSE


def test_build_totals_accepted_and_cost():
    body = build_send_response(
        [
            {"number": "+254711000001", "status_code": 101, "message_id": "a", "cost": "KES 0.8"},
            {"number": "+254711000002", "status_code": 102, "message_id": "b", "cost": "KES 0.8"},
            {"number": "+254711000003", "status_code": 406},
        ]
    )
    data = body["SMSMessageData"]
    assert data["Message"] == "Sent to 2/3 Total Cost: KES 1.6000"
    assert data["Recipients"][2] == {
        "statusCode": 406,
        "number": "+254711000003",
        "status": "UserInBlacklist",
        "cost": "0",
        "messageId": "None",
    }


def test_build_without_cost():
    body = build_send_response([{"number": "+254711000001", "status_code": 403}])
    assert body["SMSMessageData"]["Message"] == "Sent to 0/1 Total Cost: 0"


def test_build_refuses_unknown_code():
    with pytest.raises(SaccoRuleError, match="Unknown Africa's Talking status code 418"):
        build_send_response([{"number": "+254711000001", "status_code": 418}])


def test_build_refuses_mixed_currencies():
    recipients = [
        {"number": "+254711000001", "status_code": 101, "cost": "KES 0.8000"},
        {"number": "+256711000001", "status_code": 101, "cost": "UGX 25.0000"},
    ]
    with pytest.raises(SaccoRuleError, match="Costs mix currencies: KES, UGX."):
        build_send_response(recipients)


recipient_rows = st.fixed_dictionaries(
    {
        "number": st.from_regex(r"\+2547[0-9]{8}", fullmatch=True),
        "status_code": st.sampled_from(sorted(STATUS_NAMES)),
    },
    optional={
        "message_id": st.from_regex(r"ATXid_[0-9a-f]{8}", fullmatch=True),
        "cost": st.decimals(min_value=0, max_value=100, places=4).map(lambda d: f"KES {d}"),
    },
)


@given(st.lists(recipient_rows, min_size=1, max_size=5))
def test_build_then_parse_round_trip(recipients):
    results = parse_send_response(build_send_response(recipients))
    assert len(results) == len(recipients)
    for row, result in zip(recipients, results, strict=True):
        assert result.number == row["number"]
        assert result.status_code == row["status_code"]
        assert result.status == STATUS_NAMES[row["status_code"]]
        assert result.message_id == row.get("message_id")
        expected_cost = parse_cost(row["cost"]) if "cost" in row else (Decimal(0), None)
        assert (result.cost, result.currency) == expected_cost
        assert result.accepted == (row["status_code"] in (100, 101, 102))


def test_send_result_is_frozen():
    (result,) = parse_send_response(DOCUMENTED_RESPONSE)
    with pytest.raises(FrozenInstanceError):
        result.status_code = 500


def test_parse_delivery_report_failed():
    form = {
        "id": "ATXid_1",
        "status": "Failed",
        "phoneNumber": "+254711000001",
        "networkCode": "63902",
        "failureReason": "InsufficientCredit",
        "retryCount": "2",
    }
    assert parse_delivery_report(form) == DeliveryReport(
        message_id="ATXid_1",
        status="Failed",
        phone="+254711000001",
        network_code="63902",
        failure_reason="InsufficientCredit",
        retry_count=2,
        outcome="failed",
    )


def test_parse_delivery_report_minimal():
    report = parse_delivery_report({"id": " ATXid_2 ", "status": "Success", "failureReason": ""})
    assert (report.message_id, report.outcome, report.retry_count) == ("ATXid_2", "delivered", 0)
    assert (report.phone, report.network_code, report.failure_reason) == (None, None, None)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("Success", "delivered"),
        ("Rejected", "failed"),
        ("Failed", "failed"),
        ("AbsentSubscriber", "failed"),
        ("Expired", "failed"),
        ("Sent", "pending"),
        ("Submitted", "pending"),
        ("Buffered", "pending"),
    ],
)
def test_delivery_outcomes(status, outcome):
    assert parse_delivery_report({"id": "x", "status": status}).outcome == outcome
    assert DELIVERY_OUTCOMES[status] == outcome


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"status": "Success"}, r"^Delivery report has no message id\.$"),
        ({"id": " ", "status": "Success"}, r"^Delivery report has no message id\.$"),
        ({"id": "x"}, r"^Delivery report has no status\.$"),
        ({"id": "x", "status": "success"}, r"^Delivery report has unknown status 'success'\.$"),
        (
            {"id": "x", "status": "Success", "retryCount": "two"},
            "field retryCount must be an integer, not 'two'",
        ),
        ({"id": "x", "status": "Success", "retryCount": "-1"}, "must be an integer"),
    ],
)
def test_parse_delivery_report_refuses(form, message):
    with pytest.raises(SaccoRuleError, match=message):
        parse_delivery_report(form)


@given(
    st.text(min_size=1).filter(str.strip),
    st.sampled_from(sorted(DELIVERY_OUTCOMES)),
    st.integers(min_value=0, max_value=100),
)
def test_delivery_report_fields_round_trip(message_id, status, retry_count):
    form = {"id": message_id, "status": status, "retryCount": str(retry_count)}
    report = parse_delivery_report(form)
    assert report.message_id == message_id.strip()
    assert report.retry_count == retry_count
    assert report.outcome == DELIVERY_OUTCOMES[status]
