"""Request and response bodies of the members' API (pydantic), with examples."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Pin = Annotated[str, Field(min_length=4, max_length=6, pattern=r"^[0-9]+$", examples=["4827"])]
Code = Annotated[str, Field(min_length=6, max_length=6, pattern=r"^[0-9]+$", examples=["123456"])]
Phone = Annotated[str, Field(min_length=9, max_length=20, examples=["+254712345678"])]
DeviceId = Annotated[
    str,
    Field(
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9._:-]+$",
        examples=["a3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"],
    ),
]
# Record ids as PostgreSQL stores them (int4): a larger number is a 422, not a 500.
RecordId = Annotated[int, Field(ge=1, le=2_147_483_647, examples=[7])]
Amount = Annotated[
    Decimal,
    Field(gt=0, max_digits=12, decimal_places=2, examples=["1500.00"]),
]


class Strict(BaseModel):
    """A request body: unknown fields refused, and NUL characters in text (no database
    column stores one)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


# ---------------------------------------------------------------- errors


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["Not found."])


class ErrorBody(BaseModel):
    """Every refusal: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


# ---------------------------------------------------------------- auth


class RegisterIn(Strict):
    identifier: str = Field(
        min_length=1, max_length=32, description="Member number or ID number.", examples=["M0042"]
    )
    phone: Phone


class CodeSent(BaseModel):
    """Sent when the details match a member; the same answer otherwise."""

    message: str = Field(examples=["If the details match a member, a code was sent by SMS."])
    expires_in: int = Field(examples=[300], description="Seconds the code stays valid.")


class VerifyOtpIn(Strict):
    phone: Phone
    device_id: DeviceId
    device_name: str | None = Field(default=None, max_length=64, examples=["Pixel 7"])
    purpose: Literal["register", "device"] = Field(
        description="register: ``pin`` becomes the app PIN; device: ``pin`` is the member's."
    )
    code: Code
    pin: Pin


class LoginIn(Strict):
    phone: Phone
    pin: Pin
    device_id: DeviceId
    device_name: str | None = Field(default=None, max_length=64, examples=["Pixel 7"])


class MemberSummary(BaseModel):
    member_number: str = Field(examples=["M0042"])
    name: str = Field(examples=["Njeri Mwangi"])
    phone: str = Field(examples=["+254712345678"])


class TokenPair(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."])
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(examples=[600])
    refresh_token: str = Field(examples=["Jm2X0...single-use"])
    member: MemberSummary


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=1, max_length=128)
    device_id: DeviceId


class ForgotPinIn(Strict):
    phone: Phone


class ResetPinIn(Strict):
    phone: Phone
    code: Code
    new_pin: Pin


class ChangePinIn(Strict):
    current_pin: Pin
    new_pin: Pin


class Done(BaseModel):
    message: str = Field(examples=["Done."])


# ---------------------------------------------------------------- accounts


class AccountOut(BaseModel):
    id: int = Field(examples=[7])
    number: str = Field(examples=["FS000042"])
    product: str = Field(examples=["FOSA Savings"])
    kind: str = Field(examples=["fosa_savings"])
    state: str = Field(examples=["active"])
    balance: float = Field(examples=[12500.0])
    available_balance: float = Field(examples=[12400.0])
    currency: str = Field(examples=["KES"])


class BalanceOut(BaseModel):
    id: int
    number: str
    balance: float = Field(examples=[12500.0])
    available_balance: float = Field(examples=[12400.0])
    currency: str = Field(examples=["KES"])


class MiniStatementLine(BaseModel):
    date: date
    reference: str = Field(examples=["SV/2026/00042"])
    description: str = Field(examples=["Deposit (M-Pesa RKT12AB34C)"])
    amount: float = Field(examples=[1500.0])
    balance: float = Field(examples=[12500.0])


class StatementLine(BaseModel):
    date: date
    reference: str
    description: str
    debit: float
    credit: float
    balance: float


class StatementOut(BaseModel):
    date_from: date
    date_to: date
    opening: float
    closing: float
    total_debit: float
    total_credit: float
    total_lines: int = Field(description="Lines in the whole period, across pages.")
    page: int
    page_size: int
    lines: list[StatementLine]


class DepositIn(Strict):
    amount: Amount
    phone: Phone | None = Field(default=None, description="Default: the member's phone.")


class WithdrawIn(Strict):
    amount: Amount
    pin: Pin


class PaymentOut(BaseModel):
    """An M-Pesa request; poll ``GET /payments/{id}`` for its outcome."""

    id: int = Field(examples=[31])
    reference: str = Field(examples=["STK/31"])
    kind: Literal["deposit", "withdrawal"]
    state: str = Field(examples=["pending"])
    amount: float = Field(examples=[1500.0])
    phone: str = Field(examples=["+254712345678"])
    receipt: str | None = Field(default=None, examples=["RKT12AB34C"])
    result: str | None = None


class TransferPreviewIn(Strict):
    to_member_number: str = Field(min_length=1, max_length=32, examples=["M0043"])
    amount: Amount


class TransferPreviewOut(BaseModel):
    recipient_name: str = Field(examples=["Otieno O."])
    member_number: str = Field(examples=["M0043"])
    amount: float
    confirmation: str = Field(description="Quote it in the transfer within 5 minutes.")


class TransferIn(Strict):
    from_account_id: RecordId
    amount: Amount
    pin: Pin
    to_account_id: RecordId | None = Field(default=None, description="One of your own accounts.")
    confirmation: str | None = Field(
        default=None,
        max_length=1024,
        description="To another member: the confirmation of POST /accounts/transfer/preview.",
    )


class TransferOut(BaseModel):
    reference: str
    from_account: str
    to_account: str | None
    recipient_name: str
    amount: float
    balance_after: float


# ---------------------------------------------------------------- loans


class LoanOut(BaseModel):
    id: int
    number: str = Field(examples=["LN/2026/0007"])
    product: str
    state: str = Field(examples=["active"])
    principal: float
    principal_outstanding: float
    arrears: float
    days_past_due: int
    disbursed_on: date | None
    next_due_date: date | None = None
    next_due_amount: float | None = None


class InstallmentOut(BaseModel):
    number: int
    due_date: date
    principal: float
    interest: float
    fee: float
    penalty: float
    total: float
    amount_due: float = Field(description="Still unpaid.")


class LoanTransactionOut(BaseModel):
    date: date
    reference: str
    kind: str
    description: str
    disbursed: float
    principal: float
    interest: float
    charges: float
    balance: float


class LoanProductOut(BaseModel):
    id: int
    code: str
    name: str
    interest_rate: float = Field(description="% a year.")
    min_amount: float
    max_amount: float
    max_term: int
    instant_approval: bool


class EligibilityOut(BaseModel):
    product_id: int
    eligible: bool
    min_amount: float
    max_amount: float
    terms: list[int]
    reasons: list[str]


class GuarantorIn(Strict):
    member_number: str = Field(min_length=1, max_length=32, examples=["M0043"])
    amount: Amount


class LoanApplyIn(Strict):
    product_id: RecordId
    amount: Amount
    term_months: int = Field(ge=1, le=360, examples=[12])
    pin: Pin
    guarantors: list[GuarantorIn] = Field(default_factory=list, max_length=10)


class LoanApplicationOut(BaseModel):
    id: int
    number: str
    state: str = Field(examples=["submitted"])
    amount: float
    term_months: int
    loan_id: int | None = None


class RepayIn(Strict):
    amount: Amount
    phone: Phone | None = None


class TopUpIn(Strict):
    amount: Amount = Field(description="The new loan's amount; it pays off this one first.")
    term_months: int = Field(ge=1, le=360)
    pin: Pin


class GuaranteeRequestOut(BaseModel):
    id: int
    borrower_name: str = Field(examples=["Njeri M."])
    product: str
    loan_amount: float
    requested_amount: float
    state: Literal["requested", "accepted", "declined"]


class GuaranteeAcceptIn(Strict):
    amount: Amount | None = Field(default=None, description="Default: the amount asked for.")
    pin: Pin


class GuaranteeDeclineIn(Strict):
    pin: Pin


# ---------------------------------------------------------------- profile


class KinOut(BaseModel):
    name: str
    relationship: str | None
    phone: str | None
    allocation_percent: float


class ProfileOut(MemberSummary):
    email: str | None
    id_number: str
    branch: str | None
    joined_on: date
    next_of_kin: list[KinOut]


class ProfileIn(Strict):
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        examples=["njeri@example.com"],
    )
    phone: Phone | None = Field(default=None, description="A new phone: first without a code.")
    code: Code | None = Field(default=None, description="The code sent to the new phone.")


class ProfileUpdateOut(BaseModel):
    profile: ProfileOut
    phone_change: Literal["code_sent", "pending_approval"] | None = None


class DocumentOut(BaseModel):
    id: int
    document_type: str = Field(examples=["National ID"])
    file_name: str = Field(examples=["id-front.jpg"])
    state: Literal["pending", "verified", "rejected"]
    uploaded_on: datetime


class NotificationOut(BaseModel):
    id: int
    title: str
    body: str
    kind: Literal["sms", "event"]
    read: bool
    created_on: datetime


class Page(BaseModel):
    page: int
    page_size: int
    total: int


class NotificationPage(Page):
    items: list[NotificationOut]
