from fastapi import Request

from ..schemas import (
    EligibilityOut,
    GuaranteeAcceptIn,
    GuaranteeDeclineIn,
    GuaranteeRequestOut,
    InstallmentOut,
    LoanApplicationOut,
    LoanApplyIn,
    LoanOut,
    LoanProductOut,
    LoanTransactionOut,
    PaymentOut,
    RepayIn,
    TopUpIn,
)
from .common import IdempotencyKey, RecordId, SignedIn, idempotent, mobile_router

router = mobile_router(prefix="/loans", tags=["loans"])
LOAN = "sacco.loan"
GUARANTOR = "sacco.loan.guarantor"


@router.get("", response_model=list[LoanOut])
def loans(caller: SignedIn):
    return caller.api._loans(caller.member)


@router.get("/products", response_model=list[LoanProductOut])
def products(caller: SignedIn):
    """Loan products members may apply for in the app."""
    return caller.api._loan_products(caller.member)


@router.get("/eligibility/{product_id}", response_model=EligibilityOut)
def eligibility(product_id: RecordId, caller: SignedIn):
    """How much the member may borrow now, over which terms, or why not."""
    return caller.api._eligibility(caller.member, product_id)


@router.get("/guarantee-requests", response_model=list[GuaranteeRequestOut], tags=["guarantees"])
def guarantee_requests(caller: SignedIn):
    """Other members' applications asking this member to guarantee them."""
    return caller.api._guarantee_requests(caller.member)


@router.post(
    "/guarantee-requests/{guarantor_id}/accept",
    response_model=GuaranteeRequestOut,
    tags=["guarantees"],
)
def accept_guarantee(guarantor_id: RecordId, body: GuaranteeAcceptIn, caller: SignedIn):
    """Pledge (part of) one's deposits for the loan; needs the PIN."""
    return caller.api._answer_guarantee(caller.member, guarantor_id, True, body.pin, body.amount)


@router.post(
    "/guarantee-requests/{guarantor_id}/decline",
    response_model=GuaranteeRequestOut,
    tags=["guarantees"],
)
def decline_guarantee(guarantor_id: RecordId, body: GuaranteeDeclineIn, caller: SignedIn):
    return caller.api._answer_guarantee(caller.member, guarantor_id, False, body.pin)


@router.post("/apply", status_code=201, response_model=LoanApplicationOut)
def apply(body: LoanApplyIn, request: Request, caller: SignedIn, key: IdempotencyKey = None):
    """Apply within eligibility; each guarantor (by member number) gets the consent
    request they answer in the app or by USSD. Needs the PIN."""

    def run():
        caller.api._check_pin(caller.api._credential(caller.member), body.pin)
        result = caller.api._apply_loan(
            caller.member,
            body.product_id,
            body.amount,
            body.term_months,
            [(g.member_number, g.amount) for g in body.guarantors],
        )
        return 201, LoanApplicationOut(**result).model_dump(mode="json"), 0

    return idempotent(caller, key, request, body, run)


@router.get("/{loan_id}", response_model=LoanOut)
def loan(loan_id: RecordId, caller: SignedIn):
    return caller.api._loan_data(caller.api._own(caller.member, LOAN, loan_id))


@router.get("/{loan_id}/schedule", response_model=list[InstallmentOut])
def schedule(loan_id: RecordId, caller: SignedIn):
    return caller.api._own(caller.member, LOAN, loan_id)._statement_schedule()


@router.get("/{loan_id}/transactions", response_model=list[LoanTransactionOut])
def transactions(loan_id: RecordId, caller: SignedIn):
    return caller.api._own(caller.member, LOAN, loan_id)._statement()["lines"]


def _active_loan(caller, loan_id):
    """The member's active loan, looked up inside the idempotent run: a replay answers
    from its key even once the loan it paid or topped up is closed."""
    return caller.api._own(caller.member, LOAN, loan_id, [("state", "=", "active")])


@router.post("/{loan_id}/repay", status_code=202, response_model=PaymentOut)
def repay(
    loan_id: RecordId, body: RepayIn, request: Request, caller: SignedIn, key: IdempotencyKey = None
):
    """An M-Pesa prompt to pay the loan; the payment posts when M-Pesa confirms."""

    def run():
        found = _active_loan(caller, loan_id)
        payment = caller.api._deposit(caller.member, found, body.amount, body.phone, key)
        return 202, PaymentOut(**payment).model_dump(mode="json"), 0

    return idempotent(caller, key, request, body, run)


@router.post("/{loan_id}/top-up", status_code=201, response_model=LoanApplicationOut)
def top_up(
    loan_id: RecordId, body: TopUpIn, request: Request, caller: SignedIn, key: IdempotencyKey = None
):
    """A new loan of the same product that first pays this one off; needs the PIN."""

    def run():
        found = _active_loan(caller, loan_id)
        caller.api._check_pin(caller.api._credential(caller.member), body.pin)
        result = caller.api._top_up(caller.member, found, body.amount, body.term_months)
        return 201, LoanApplicationOut(**result).model_dump(mode="json"), 0

    return idempotent(caller, key, request, body, run)
