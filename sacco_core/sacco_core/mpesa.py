"""Safaricom Daraja (M-Pesa) message formats: request payloads, callback parsers, routing.

Built field for field to the Daraja 3.0 documentation (see shared/research/mpesa-ussd-mobile.md
§1): payload builders return the exact JSON objects Daraja documents (including its spellings
``Occassion`` in B2C and ``RecieverIdentifierType`` in reversals); parsers accept the documented
type quirks -- ``ResultCode`` as a number or a string (``0``, ``"0"``, ``"SFC_IC0003"``), amounts
as numbers or strings, ``CallbackMetadata`` items missing or without ``Value``, result parameters
with duplicate keys, ``ReferenceItem`` as an object or a list, masked (v2) or hashed (v1) C2B
MSISDNs. Malformed input raises ``MpesaFormatError`` with a sentence saying what is wrong.
"""

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_CEILING, Decimal

from sacco_core.exceptions import SaccoRuleError
from sacco_core.money import to_money
from sacco_core.savings import ChargeTier, withdrawal_charge

SANDBOX_URL = "https://sandbox.safaricom.co.ke"
PRODUCTION_URL = "https://api.safaricom.co.ke"

PATHS = {
    "oauth": "/oauth/v1/generate?grant_type=client_credentials",
    "stk_push": "/mpesa/stkpush/v1/processrequest",
    "stk_query": "/mpesa/stkpushquery/v1/query",
    "c2b_register": "/mpesa/c2b/{version}/registerurl",
    "b2c": "/mpesa/b2c/v3/paymentrequest",
    "status": "/mpesa/transactionstatus/v1/query",
    "reversal": "/mpesa/reversal/v1/request",
    "balance": "/mpesa/accountbalance/v1/query",
}

# Synchronous error codes meaning "the bearer token is not (or no longer) valid" (STK, C2B,
# Balance pages each document their own).
INVALID_TOKEN_CODES = frozenset({"404.001.03", "400.003.01", "401.002.01"})
# "The transaction is being processed": an STK Query asked too early, not a failure.
STILL_PROCESSING_CODE = "500.001.1001"
STK_SUCCESS = "0"
C2B_ACCEPT = {"ResultCode": "0", "ResultDesc": "Accepted"}
C2B_REJECT_ACCOUNT = {"ResultCode": "C2B00012", "ResultDesc": "Rejected"}
C2B_REJECT_AMOUNT = {"ResultCode": "C2B00013", "ResultDesc": "Rejected"}
C2B_REJECT_SHORTCODE = {"ResultCode": "C2B00015", "ResultDesc": "Rejected"}
CALLBACK_ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}

ACCOUNT_REFERENCE_MAX = 12
TRANSACTION_DESC_MAX = 13
REMARKS_MAX = 100
_UNSAFE_TEXT = re.compile(r"[^A-Za-z0-9 \-_/.]")
_SPACES = re.compile(r"\s+")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_DARAJA_TIME = "%Y%m%d%H%M%S"
_B2C_TIME = "%d.%m.%Y %H:%M:%S"


class MpesaFormatError(SaccoRuleError):
    """A Daraja message or an M-Pesa value is malformed."""


# ---------------------------------------------------------------- values


def timestamp(moment: datetime) -> str:
    """Daraja's ``Timestamp``: ``YYYYMMDDHHmmss`` (East Africa Time is the caller's concern)."""
    return moment.strftime(_DARAJA_TIME)


def stk_password(shortcode: str, passkey: str, stamp: str) -> str:
    """``base64(Shortcode + Passkey + Timestamp)``, the STK Push and STK Query password."""
    return base64.b64encode(f"{shortcode}{passkey}{stamp}".encode()).decode()


def whole_shillings(amount: Decimal | int | str) -> int:
    """An amount Daraja accepts: whole shillings, at least 1. Cents are refused, not dropped
    (a collection asks the member for the rounded-up amount before calling this)."""
    value = parse_amount(amount)
    if value != value.to_integral_value():
        raise MpesaFormatError(f"M-Pesa takes whole shillings only, not {value}.")
    return int(value)


def round_up_shillings(amount: Decimal) -> Decimal:
    """The whole-shilling amount to collect for ``amount`` (rounded up, never down)."""
    return amount.to_integral_value(rounding=ROUND_CEILING)


def parse_amount(value: object) -> Decimal:
    """A positive amount sent as a number (``1.00``, ``10``) or a string (``"5.00"``)."""
    if isinstance(value, bool) or value is None or value == "":
        raise MpesaFormatError(f"'{value}' is not an amount.")
    text = value.replace(",", "").strip() if isinstance(value, str) else value
    try:
        amount = to_money(text, strict=False)
    except SaccoRuleError:
        raise MpesaFormatError(f"'{value}' is not an amount.") from None
    if amount <= 0:
        raise MpesaFormatError(f"The amount must be greater than zero, not {amount}.")
    return amount


def parse_result_code(value: object) -> str:
    """``ResultCode``/``ResponseCode`` as text: ``0`` and ``"0"`` give ``"0"``; ``"SFC_IC0003"``
    stays. Missing codes are malformed."""
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        raise MpesaFormatError("The message has no result code.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_time(value: object) -> datetime | None:
    """``YYYYMMDDHHmmss`` (number or string) or B2C's ``DD.MM.YYYY HH:MM:SS``; None if absent."""
    if value in (None, ""):
        return None
    text = str(int(value)) if isinstance(value, int | float) else str(value).strip()
    for pattern in (_DARAJA_TIME, _B2C_TIME):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise MpesaFormatError(f"'{value}' is not an M-Pesa date and time.")


def daraja_msisdn(e164: str) -> str:
    """Daraja's phone form ``2547XXXXXXXX`` from E.164 ``+2547XXXXXXXX``."""
    digits = e164.lstrip("+")
    if not digits.isdigit() or len(digits) != 12 or not digits.startswith("254"):
        raise MpesaFormatError(f"'{e164}' is not a Kenyan mobile number for M-Pesa.")
    return digits


def clean_text(text: str, limit: int) -> str:
    """Free text Daraja accepts: no special characters (they fail silently), at most
    ``limit`` characters, never empty (an empty Remarks is refused)."""
    cleaned = _SPACES.sub(" ", _UNSAFE_TEXT.sub("", text or "")).strip()[:limit].strip()
    if not cleaned:
        raise MpesaFormatError("The M-Pesa description must not be empty.")
    return cleaned


def originator_conversation_id(prefix: str, request_id: int) -> str:
    """Our ``OriginatorConversationID``: fixed by our request's id, so retrying the same
    request can never pay twice (Daraja refuses a duplicate with 500.002.1001)."""
    if request_id <= 0:
        raise MpesaFormatError("A request id is a positive number.")
    return f"{prefix}-{request_id:010d}"


def is_masked_msisdn(value: str | None) -> bool:
    """C2B v2 masks the payer (``"2547 ***** 126"``), v1 sent a SHA-256 hash."""
    text = (value or "").strip()
    return "*" in text or bool(_SHA256.match(text))


# ---------------------------------------------------------------- request payloads


def stk_push_payload(
    *,
    shortcode: str,
    passkey: str,
    stamp: str,
    amount: Decimal | int,
    phone: str,
    callback_url: str,
    account_reference: str,
    description: str,
    till_number: str | None = None,
) -> dict:
    """``POST /mpesa/stkpush/v1/processrequest``; a till pays ``PartyB`` = the till number
    with ``CustomerBuyGoodsOnline``."""
    msisdn = daraja_msisdn(phone)
    return {
        "BusinessShortCode": shortcode,
        "Password": stk_password(shortcode, passkey, stamp),
        "Timestamp": stamp,
        "TransactionType": "CustomerBuyGoodsOnline" if till_number else "CustomerPayBillOnline",
        "Amount": str(whole_shillings(amount)),
        "PartyA": msisdn,
        "PartyB": till_number or shortcode,
        "PhoneNumber": msisdn,
        "CallBackURL": callback_url,
        "AccountReference": clean_text(account_reference, ACCOUNT_REFERENCE_MAX),
        "TransactionDesc": clean_text(description, TRANSACTION_DESC_MAX),
    }


def stk_query_payload(*, shortcode: str, passkey: str, stamp: str, checkout_request_id: str):
    """``POST /mpesa/stkpushquery/v1/query``."""
    return {
        "BusinessShortCode": shortcode,
        "Password": stk_password(shortcode, passkey, stamp),
        "Timestamp": stamp,
        "CheckoutRequestID": checkout_request_id,
    }


def c2b_register_payload(
    *, shortcode: str, confirmation_url: str, validation_url: str, response_type: str
) -> dict:
    """``POST /mpesa/c2b/v1|v2/registerurl``; ``ResponseType`` is what M-Pesa does when the
    validation URL does not answer in time, spelled exactly ``Completed`` or ``Cancelled``."""
    if response_type not in ("Completed", "Cancelled"):
        raise MpesaFormatError("ResponseType must be 'Completed' or 'Cancelled'.")
    return {
        "ShortCode": shortcode,
        "ResponseType": response_type,
        "ConfirmationURL": confirmation_url,
        "ValidationURL": validation_url,
    }


def b2c_payload(
    *,
    originator_id: str,
    initiator: str,
    security_credential: str,
    amount: Decimal | int,
    shortcode: str,
    phone: str,
    remarks: str,
    result_url: str,
    timeout_url: str,
    command_id: str = "BusinessPayment",
    occasion: str = "",
) -> dict:
    """``POST /mpesa/b2c/v3/paymentrequest`` (note Daraja's ``Occassion`` spelling)."""
    if command_id not in ("BusinessPayment", "SalaryPayment", "PromotionPayment"):
        raise MpesaFormatError(f"'{command_id}' is not a B2C command.")
    payload = {
        "OriginatorConversationID": originator_id,
        "InitiatorName": initiator,
        "SecurityCredential": security_credential,
        "CommandID": command_id,
        "Amount": str(whole_shillings(amount)),
        "PartyA": shortcode,
        "PartyB": daraja_msisdn(phone),
        "Remarks": clean_text(remarks, REMARKS_MAX),
        "QueueTimeOutURL": timeout_url,
        "ResultURL": result_url,
    }
    if occasion:
        payload["Occassion"] = clean_text(occasion, REMARKS_MAX)
    return payload


def transaction_status_payload(
    *,
    originator_id: str,
    initiator: str,
    security_credential: str,
    shortcode: str,
    result_url: str,
    timeout_url: str,
    receipt: str = "",
    original_conversation_id: str = "",
    remarks: str = "Status",
) -> dict:
    """``POST /mpesa/transactionstatus/v1/query`` by M-Pesa receipt or by the
    OriginatorConversationID of the transaction checked (the parameter table's spelling)."""
    if not receipt and not original_conversation_id:
        raise MpesaFormatError("A status query needs the receipt or the conversation id.")
    payload = {
        "Initiator": initiator,
        "SecurityCredential": security_credential,
        "CommandID": "TransactionStatusQuery",
        "TransactionID": receipt,
        "OriginatorConversationID": originator_id,
        "PartyA": shortcode,
        "IdentifierType": "4",
        "ResultURL": result_url,
        "QueueTimeOutURL": timeout_url,
        "Remarks": clean_text(remarks, REMARKS_MAX),
        "Occasion": "",
    }
    if original_conversation_id:
        payload["OriginalConversationID"] = original_conversation_id
    return payload


def reversal_payload(
    *,
    originator_id: str,
    initiator: str,
    security_credential: str,
    receipt: str,
    amount: Decimal | int,
    shortcode: str,
    result_url: str,
    timeout_url: str,
    remarks: str,
) -> dict:
    """``POST /mpesa/reversal/v1/request`` (``RecieverIdentifierType`` misspelled as Daraja
    requires, value "11")."""
    return {
        "Initiator": initiator,
        "SecurityCredential": security_credential,
        "CommandID": "TransactionReversal",
        "TransactionID": receipt,
        "OriginatorConversationID": originator_id,
        "Amount": str(whole_shillings(amount)),
        "ReceiverParty": shortcode,
        "RecieverIdentifierType": "11",
        "ResultURL": result_url,
        "QueueTimeOutURL": timeout_url,
        "Remarks": clean_text(remarks, REMARKS_MAX),
    }


def account_balance_payload(
    *,
    originator_id: str,
    initiator: str,
    security_credential: str,
    shortcode: str,
    result_url: str,
    timeout_url: str,
) -> dict:
    """``POST /mpesa/accountbalance/v1/query``."""
    return {
        "Initiator": initiator,
        "SecurityCredential": security_credential,
        "CommandID": "AccountBalance",
        "OriginatorConversationID": originator_id,
        "PartyA": shortcode,
        "IdentifierType": "4",
        "Remarks": "Balance",
        "QueueTimeOutURL": timeout_url,
        "ResultURL": result_url,
    }


# ---------------------------------------------------------------- synchronous answers


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int


def parse_token(body: object) -> Token:
    """The OAuth answer; ``expires_in`` is a number (3.0 docs) or a string (2017 docs)."""
    body = _mapping(body, "OAuth answer")
    token = body.get("access_token")
    try:
        expires = int(str(body.get("expires_in", "")).strip())
    except ValueError:
        expires = 0
    if not token or expires <= 0:
        raise MpesaFormatError("The OAuth answer has no access token or lifetime.")
    return Token(str(token), expires)


@dataclass(frozen=True)
class SyncAnswer:
    """Daraja's synchronous answer: accepted (``ResponseCode`` "0") or an error envelope."""

    accepted: bool
    code: str
    description: str
    ids: dict = field(default_factory=dict)

    @property
    def invalid_token(self) -> bool:
        return self.code in INVALID_TOKEN_CODES

    @property
    def still_processing(self) -> bool:
        return self.code == STILL_PROCESSING_CODE


_ID_KEYS = (
    "MerchantRequestID",
    "CheckoutRequestID",
    "ConversationID",
    "OriginatorConversationID",
    "OriginatorCoversationID",
    "ResultCode",
    "ResultDesc",
)


def parse_sync_answer(body: object) -> SyncAnswer:
    """Accepted when ``ResponseCode`` is "0" (or C2B v2's "00000000"); else the error
    envelope ``{"errorCode", "errorMessage"}``."""
    body = _mapping(body, "Daraja answer")
    ids = {key: str(body[key]) for key in _ID_KEYS if body.get(key) not in (None, "")}
    if "errorCode" in body:
        return SyncAnswer(False, str(body["errorCode"]), str(body.get("errorMessage", "")), ids)
    code = parse_result_code(body.get("ResponseCode"))
    accepted = code.strip("0") == ""
    return SyncAnswer(accepted, code, str(body.get("ResponseDescription", "")), ids)


# ---------------------------------------------------------------- callbacks


@dataclass(frozen=True)
class StkResult:
    merchant_request_id: str
    checkout_request_id: str
    result_code: str
    result_desc: str
    amount: Decimal | None = None
    receipt: str = ""
    paid_at: datetime | None = None
    phone: str = ""

    @property
    def success(self) -> bool:
        return self.result_code == STK_SUCCESS


def parse_stk_callback(body: object) -> StkResult:
    """``{"Body": {"stkCallback": {...}}}``; metadata only on success, items may lack
    ``Value`` (``Balance``) or be missing."""
    envelope = _mapping(_mapping(body, "STK callback").get("Body"), "Body")
    callback = _mapping(envelope.get("stkCallback"), "stkCallback")
    checkout = callback.get("CheckoutRequestID")
    if not checkout:
        raise MpesaFormatError("The STK callback has no CheckoutRequestID.")
    code = parse_result_code(callback.get("ResultCode"))
    result = StkResult(
        merchant_request_id=str(callback.get("MerchantRequestID") or ""),
        checkout_request_id=str(checkout),
        result_code=code,
        result_desc=str(callback.get("ResultDesc") or ""),
    )
    if not result.success:
        return result
    items = _name_values(callback.get("CallbackMetadata"), "Item", "Name")
    receipt = str(items.get("MpesaReceiptNumber") or "").strip()
    if not receipt:
        raise MpesaFormatError("A successful STK callback has no MpesaReceiptNumber.")
    return replace(
        result,
        amount=parse_amount(items.get("Amount")),
        receipt=receipt.upper(),
        paid_at=parse_time(items.get("TransactionDate")),
        phone=_phone_text(items.get("PhoneNumber")),
    )


@dataclass(frozen=True)
class C2BPayment:
    trans_id: str
    paid_at: datetime | None
    amount: Decimal
    shortcode: str
    bill_ref: str
    msisdn: str
    payer_name: str
    transaction_type: str = ""
    org_balance: Decimal | None = None
    third_party_id: str = ""

    @property
    def phone_known(self) -> bool:
        return bool(self.msisdn) and not is_masked_msisdn(self.msisdn)


def parse_c2b(body: object) -> C2BPayment:
    """A C2B validation or confirmation (same shape; ``OrgAccountBalance`` blank on
    validation, the MSISDN masked on v2)."""
    body = _mapping(body, "C2B message")
    trans_id = str(body.get("TransID") or "").strip()
    shortcode = str(body.get("BusinessShortCode") or "").strip()
    if not trans_id or not shortcode:
        raise MpesaFormatError("The C2B message has no TransID or BusinessShortCode.")
    balance = body.get("OrgAccountBalance")
    names = (body.get(key) or "" for key in ("FirstName", "MiddleName", "LastName"))
    return C2BPayment(
        trans_id=trans_id.upper(),
        paid_at=parse_time(body.get("TransTime")),
        amount=parse_amount(body.get("TransAmount")),
        shortcode=shortcode,
        bill_ref=str(body.get("BillRefNumber") or "").strip(),
        msisdn=str(body.get("MSISDN") or "").strip(),
        payer_name=" ".join(str(name).strip() for name in names if str(name).strip()),
        transaction_type=str(body.get("TransactionType") or ""),
        org_balance=_optional_amount(balance),
        third_party_id=str(body.get("ThirdPartyTransID") or ""),
    )


@dataclass(frozen=True)
class AsyncResult:
    """A B2C, Transaction Status, Reversal or Account Balance result (``{"Result": ...}``)."""

    result_code: str
    result_desc: str
    originator_conversation_id: str
    conversation_id: str
    transaction_id: str
    parameters: dict
    result_type: str = "0"

    @property
    def success(self) -> bool:
        return self.result_code == "0"

    def amount(self, *keys: str) -> Decimal | None:
        for key in keys:
            if self.parameters.get(key) not in (None, ""):
                return parse_amount(self.parameters[key])
        return None


def parse_result(body: object) -> AsyncResult:
    """Tolerant of parameters without ``Value``, duplicate keys (the first wins), keys with
    spaces (2017 docs) and failures without ``ResultParameters``."""
    result = _mapping(_mapping(body, "result").get("Result"), "Result")
    originator = str(result.get("OriginatorConversationID") or "").strip()
    if not originator and not result.get("ConversationID"):
        raise MpesaFormatError("The result has no OriginatorConversationID or ConversationID.")
    return AsyncResult(
        result_code=parse_result_code(result.get("ResultCode")),
        result_desc=str(result.get("ResultDesc") or ""),
        originator_conversation_id=originator,
        conversation_id=str(result.get("ConversationID") or ""),
        transaction_id=str(result.get("TransactionID") or ""),
        parameters=_name_values(result.get("ResultParameters"), "ResultParameter", "Key"),
        result_type=str(result.get("ResultType", "0")),
    )


def parse_timeout(body: object) -> str:
    """The OriginatorConversationID of a QueueTimeOutURL notification. Daraja publishes no
    sample, so a ``Result`` wrapper and a flat body are both read."""
    body = _mapping(body, "timeout notification")
    inner = body.get("Result") if isinstance(body.get("Result"), Mapping) else body
    originator = str(inner.get("OriginatorConversationID") or "").strip()
    if not originator:
        raise MpesaFormatError("The timeout notification has no OriginatorConversationID.")
    return originator


@dataclass(frozen=True)
class AccountBalance:
    name: str
    currency: str
    available: Decimal
    uncleared: Decimal
    reserved: Decimal


def parse_account_balances(value: str) -> list[AccountBalance]:
    """``Working Account|KES|700000.00|700000.00|0.00|0.00&Utility Account|KES|...``."""
    balances = []
    for chunk in filter(None, (value or "").split("&")):
        parts = chunk.split("|")
        if len(parts) < 5:
            raise MpesaFormatError(f"'{chunk}' is not an M-Pesa account balance.")
        try:
            amounts = [Decimal(part.replace(",", "")) for part in parts[2:5]]
        except ArithmeticError:
            raise MpesaFormatError(f"'{chunk}' is not an M-Pesa account balance.") from None
        balances.append(AccountBalance(parts[0].strip(), parts[1].strip(), *amounts))
    return balances


# ---------------------------------------------------------------- account references


@dataclass(frozen=True)
class AccountReference:
    """What the member typed, normalised: ``key`` (a member, savings account or loan number)
    and, for ``<member number>#<product code>``, the product code."""

    key: str
    product_code: str = ""


def normalize_reference(text: str | None) -> str:
    """Upper case without any whitespace, so "ta-000 12" and "TA-00012" match."""
    return _SPACES.sub("", text or "").upper()


def parse_account_reference(text: str | None) -> AccountReference:
    """``BillRefNumber`` / ``AccountReference`` split into its key and product code."""
    normalized = normalize_reference(text)
    key, _, product = normalized.partition("#")
    if not key or ("#" in normalized and not product):
        raise MpesaFormatError(f"'{text or ''}' is not an account number.")
    return AccountReference(key, product)


# ---------------------------------------------------------------- B2C charges

# Safaricom's B2C "transfer to M-Pesa registered customers" business tariff (2023 card);
# the SACCO edits its own copy on the configuration.
DEFAULT_B2C_TIERS = (
    (Decimal("100"), Decimal("0")),
    (Decimal("1500"), Decimal("5")),
    (Decimal("5000"), Decimal("9")),
    (Decimal("20000"), Decimal("11")),
    (Decimal("250000"), Decimal("13")),
)


def b2c_charge(amount: Decimal, tiers: Sequence[tuple[Decimal | None, Decimal]]) -> Decimal:
    """The B2C charge of the first tier ``(up_to, charge)`` covering ``amount``."""
    try:
        return withdrawal_charge(amount, [ChargeTier(up_to, charge) for up_to, charge in tiers])
    except SaccoRuleError as error:
        raise MpesaFormatError(str(error).replace("withdrawal", "B2C")) from None


# ---------------------------------------------------------------- organisation statement


@dataclass(frozen=True)
class StatementRow:
    line: int
    receipt: str
    completed_at: datetime | None
    details: str
    status: str
    paid_in: Decimal
    withdrawn: Decimal
    balance: Decimal | None
    other_party: str
    account_ref: str

    @property
    def is_charge(self) -> bool:
        """M-Pesa's charge for a transaction: a withdrawn row on the transaction's receipt
        whose details name a charge ("Business Payment Charge")."""
        return bool(self.withdrawn) and bool(_CHARGE_DETAILS.search(self.details))


# The statement shows a transaction's charge as a row of its own, on the same receipt.
_CHARGE_DETAILS = re.compile(r"\bcharges?\b", re.IGNORECASE)
_STATEMENT_COLUMNS = {
    "receipt no.": "receipt",
    "receipt no": "receipt",
    "completion time": "completed_at",
    "details": "details",
    "transaction status": "status",
    "paid in": "paid_in",
    "withdrawn": "withdrawn",
    "balance": "balance",
    "other party info": "other_party",
    "a/c no.": "account_ref",
    "account no.": "account_ref",
    "account no": "account_ref",
}
_REQUIRED_COLUMNS = ("receipt", "completed_at", "paid_in", "withdrawn")
_STATEMENT_TIMES = ("%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d")


def parse_statement(rows: Sequence[Sequence[str]]) -> tuple[list[StatementRow], list[str]]:
    """The organisation statement export (the portal's CSV/XLSX: a preamble, then a header
    row with "Receipt No.", "Completion Time", "Details", "Transaction Status", "Paid In",
    "Withdrawn", "Balance", "Other Party Info", "A/C No."). Returns the rows and the errors
    (one sentence per bad line, numbered as in the file); the caller posts nothing when
    there is any error."""
    header_index, columns = _statement_header(rows)
    parsed, errors, seen = [], [], set()
    for index, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {name: (row[i] if i < len(row) else "").strip() for name, i in columns.items()}
        if not any(cells.values()):
            continue
        try:
            parsed_row = _statement_row(index, cells)
        except MpesaFormatError as error:
            errors.append(f"Line {index}: {error}")
            continue
        key = (parsed_row.receipt, parsed_row.is_charge)
        if key in seen:
            what = "the charge of receipt" if parsed_row.is_charge else "receipt"
            errors.append(f"Line {index}: {what} {parsed_row.receipt} appears twice.")
            continue
        seen.add(key)
        parsed.append(parsed_row)
    return parsed, errors


def _statement_header(rows):
    for index, row in enumerate(rows):
        names = [cell.strip().lower() for cell in row]
        columns = {}
        for position, name in enumerate(names):
            if name in _STATEMENT_COLUMNS:
                columns.setdefault(_STATEMENT_COLUMNS[name], position)
        if all(column in columns for column in _REQUIRED_COLUMNS):
            return index, columns
    raise MpesaFormatError(
        "This is not an M-Pesa organisation statement: no header row with Receipt No., "
        "Completion Time, Paid In and Withdrawn."
    )


def _statement_row(line, cells):
    receipt = cells.get("receipt", "").upper()
    if not receipt:
        raise MpesaFormatError("the receipt number is missing.")
    paid_in = _statement_amount(cells.get("paid_in"))
    withdrawn = _statement_amount(cells.get("withdrawn"))
    if paid_in and withdrawn:
        raise MpesaFormatError(f"receipt {receipt} is both paid in and withdrawn.")
    if not paid_in and not withdrawn:
        raise MpesaFormatError(f"receipt {receipt} has no amount.")
    return StatementRow(
        line=line,
        receipt=receipt,
        completed_at=_statement_time(cells.get("completed_at", "")),
        details=cells.get("details", ""),
        status=cells.get("status", ""),
        paid_in=paid_in,
        withdrawn=withdrawn,
        balance=_optional_amount(cells.get("balance"), signed=True),
        other_party=cells.get("other_party", ""),
        account_ref=cells.get("account_ref", ""),
    )


def _statement_amount(text):
    if not text:
        return Decimal("0.00")
    try:
        return abs(to_money(text.replace(",", ""), strict=False))
    except SaccoRuleError:
        raise MpesaFormatError(f"'{text}' is not an amount.") from None


def _statement_time(text):
    for pattern in _STATEMENT_TIMES:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise MpesaFormatError(f"'{text}' is not a completion time.")


# ---------------------------------------------------------------- helpers


def _mapping(value, what):
    if not isinstance(value, Mapping):
        raise MpesaFormatError(f"The {what} is missing or not a JSON object.")
    return value


def _name_values(container, list_key, name_key):
    """``{"Item": [{"Name": n, "Value": v}, ...]}`` as ``{n: v}``; a missing container, a
    single object instead of a list and items without a value are all tolerated."""
    if not isinstance(container, Mapping):
        return {}
    items = container.get(list_key) or []
    if isinstance(items, Mapping):
        items = [items]
    values = {}
    for item in items:
        if isinstance(item, Mapping) and item.get(name_key):
            name = str(item[name_key]).replace(" ", "")
            values.setdefault(name, item.get("Value"))
    return values


def _optional_amount(value, signed=False):
    if value in (None, ""):
        return None
    try:
        amount = to_money(str(value).replace(",", "").strip(), strict=False)
    except SaccoRuleError:
        raise MpesaFormatError(f"'{value}' is not an amount.") from None
    return amount if signed or amount >= 0 else None


def _phone_text(value):
    if value in (None, ""):
        return ""
    return str(int(value)) if isinstance(value, int | float) else str(value).strip()
