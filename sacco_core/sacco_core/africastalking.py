"""Africa's Talking SMS API: send responses and delivery report callbacks.

Formats as documented at developers.africastalking.com. A send response is JSON::

    {"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000",
      "Recipients": [{"statusCode": 101, "number": "+254711XXXYYY", "status": "Success",
                      "cost": "KES 0.8000", "messageId": "ATPid_SampleTxnId123"}]}}

Rejected recipients come back with ``"cost": "0"`` and ``"messageId": "None"``.
Costs stay at Africa's Talking's 4 decimal places; they are not ``money`` amounts.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sacco_core.exceptions import SaccoRuleError

STATUS_NAMES: dict[int, str] = {
    100: "Processed",
    101: "Success",
    102: "Queued",
    401: "RiskHold",
    402: "InvalidSenderId",
    403: "InvalidPhoneNumber",
    404: "UnsupportedNumberType",
    405: "InsufficientBalance",
    406: "UserInBlacklist",
    407: "CouldNotRoute",
    409: "DoNotDisturbRejection",
    500: "InternalServerError",
    501: "GatewayError",
    502: "RejectedByGateway",
}
ACCEPTED_CODES = frozenset({100, 101, 102})
RETRYABLE_CODES = frozenset({401, 405, 500, 501, 502})

DELIVERY_OUTCOMES: dict[str, str] = {
    "Success": "delivered",
    "Rejected": "failed",
    "Failed": "failed",
    "AbsentSubscriber": "failed",
    "Expired": "failed",
    "Sent": "pending",
    "Submitted": "pending",
    "Buffered": "pending",
}

_NO_MESSAGE_ID = "None"
_COST_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class SendResult:
    """Outcome of one recipient of a send request.

    ``accepted``: Africa's Talking took the message (100, 101, 102). ``retryable``: sending
    again later may succeed (401, 405, 500, 501, 502 and unknown codes from 500 up).
    Neither: a permanent failure. ``cost`` is None when the response has no cost.
    """

    number: str
    status_code: int
    status: str
    message_id: str | None
    cost: Decimal | None
    currency: str | None
    accepted: bool
    retryable: bool


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery report callback; ``outcome`` is "delivered", "failed" or "pending"."""

    message_id: str
    status: str
    phone: str | None
    network_code: str | None
    failure_reason: str | None
    retry_count: int
    outcome: str


def parse_send_response(body: Mapping) -> list[SendResult]:
    """Return one ``SendResult`` per recipient of a decoded send response.

    A body without ``SMSMessageData`` or with no recipients (how Africa's Talking reports
    errors such as an invalid sender ID) raises ``SaccoRuleError`` quoting its ``Message``.
    """
    data = body.get("SMSMessageData") if isinstance(body, Mapping) else None
    recipients = data.get("Recipients") if isinstance(data, Mapping) else None
    if not recipients or not isinstance(recipients, list):
        detail = data.get("Message") if isinstance(data, Mapping) else None
        raise SaccoRuleError(
            "Africa's Talking accepted no recipients" + (f": {detail}." if detail else ".")
        )
    return [_parse_recipient(recipient) for recipient in recipients]


def build_send_response(recipients: list[dict]) -> dict:
    """Build the send response Africa's Talking would return (for test servers).

    Each recipient is ``{"number", "status_code", "message_id", "cost"}``; ``message_id``
    defaults to ``"None"`` and ``cost`` to ``"0"`` as Africa's Talking sends them for
    rejected numbers. Codes must be in ``STATUS_NAMES``; costs must share one currency.
    """
    rows = [_build_recipient(recipient) for recipient in recipients]
    sent = sum(row["statusCode"] in ACCEPTED_CODES for row in rows)
    total = f"Sent to {sent}/{len(rows)} Total Cost: {_total_cost(rows)}"
    return {"SMSMessageData": {"Message": total, "Recipients": rows}}


def parse_delivery_report(form: Mapping[str, str]) -> DeliveryReport:
    """Read the form fields Africa's Talking POSTs to the delivery report callback.

    ``id`` and a known ``status`` are required; empty optional fields become None and a
    missing ``retryCount`` 0.
    """
    message_id = _optional(form.get("id"))
    if message_id is None:
        raise SaccoRuleError("Delivery report has no message id.")
    status = _optional(form.get("status"))
    if status is None:
        raise SaccoRuleError("Delivery report has no status.")
    if status not in DELIVERY_OUTCOMES:
        raise SaccoRuleError(f"Delivery report has unknown status '{status}'.")
    return DeliveryReport(
        message_id=message_id,
        status=status,
        phone=_optional(form.get("phoneNumber")),
        network_code=_optional(form.get("networkCode")),
        failure_reason=_optional(form.get("failureReason")),
        retry_count=_parse_int(form.get("retryCount") or 0, "retryCount"),
        outcome=DELIVERY_OUTCOMES[status],
    )


def is_retryable(status_code: int) -> bool:
    """Whether a send with this status code may succeed when tried again later."""
    return status_code in RETRYABLE_CODES or (
        status_code >= 500 and status_code not in STATUS_NAMES
    )


def parse_cost(cost: object) -> tuple[Decimal | None, str | None]:
    """Split ``"KES 0.8000"`` into ``(Decimal("0.8000"), "KES")``.

    ``"0"`` gives ``(Decimal("0"), None)``; a missing or empty cost ``(None, None)``.
    """
    text = _optional(cost)
    if text is None:
        return None, None
    currency, _, amount = text.rpartition(" ")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise SaccoRuleError(f"Africa's Talking cost '{text}' is not understood.") from None
    if not value.is_finite() or (currency and not currency.isalpha()):
        raise SaccoRuleError(f"Africa's Talking cost '{text}' is not understood.")
    return value, currency or None


def _parse_recipient(recipient: object) -> SendResult:
    """One ``Recipients`` entry as a ``SendResult``."""
    if not isinstance(recipient, Mapping) or "statusCode" not in recipient:
        raise SaccoRuleError(f"Africa's Talking recipient {recipient!r} has no statusCode.")
    code = _parse_int(recipient["statusCode"], "statusCode")
    message_id = _optional(recipient.get("messageId"))
    cost, currency = parse_cost(recipient.get("cost"))
    return SendResult(
        number=str(recipient.get("number") or ""),
        status_code=code,
        status=_optional(recipient.get("status")) or STATUS_NAMES.get(code, "Unknown"),
        message_id=None if message_id == _NO_MESSAGE_ID else message_id,
        cost=cost,
        currency=currency,
        accepted=code in ACCEPTED_CODES,
        retryable=is_retryable(code),
    )


def _build_recipient(recipient: Mapping) -> dict:
    """One ``Recipients`` entry in Africa's Talking's key order."""
    code = recipient["status_code"]
    if code not in STATUS_NAMES:
        raise SaccoRuleError(f"Unknown Africa's Talking status code {code!r}.")
    return {
        "statusCode": code,
        "number": recipient["number"],
        "status": STATUS_NAMES[code],
        "cost": recipient.get("cost") or "0",
        "messageId": recipient.get("message_id") or _NO_MESSAGE_ID,
    }


def _total_cost(rows: list[dict]) -> str:
    """``"KES 1.6000"`` for the summed costs, or ``"0"`` when none has a currency."""
    costs = [parse_cost(row["cost"]) for row in rows]
    currencies = {currency for _, currency in costs if currency}
    if len(currencies) > 1:
        raise SaccoRuleError(f"Costs mix currencies: {', '.join(sorted(currencies))}.")
    if not currencies:
        return "0"
    total = sum((value for value, _ in costs if value is not None), Decimal(0))
    return f"{currencies.pop()} {total.quantize(_COST_PLACES)}"


def _optional(value: object) -> str | None:
    """Stripped text, or None when missing or empty."""
    text = "" if value is None else str(value).strip()
    return text or None


def _parse_int(value: object, field: str) -> int:
    """An int from JSON (int) or form data (decimal text), or ``SaccoRuleError``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    raise SaccoRuleError(f"Africa's Talking field {field} must be an integer, not {value!r}.")
