from datetime import date
from typing import Annotated

from fastapi import Query, Request

from odoo import fields

from sacco_core.mobile_api import page_bounds, statement_period

from ..schemas import (
    AccountOut,
    BalanceOut,
    DepositIn,
    MiniStatementLine,
    PaymentOut,
    StatementOut,
    TransferIn,
    TransferOut,
    TransferPreviewIn,
    TransferPreviewOut,
    WithdrawIn,
)
from .common import IdempotencyKey, RecordId, SignedIn, idempotent, mobile_router

router = mobile_router(prefix="/accounts", tags=["accounts"])
ACCOUNT = "sacco.savings.account"
OPEN = [("state", "!=", "closed")]


@router.get("", response_model=list[AccountOut])
def accounts(caller: SignedIn):
    """The member's open accounts: shares, deposits, FOSA savings, fixed deposits."""
    return caller.api._accounts(caller.member)


@router.get("/{account_id}/balance", response_model=BalanceOut)
def balance(account_id: RecordId, caller: SignedIn):
    account = caller.api._own(caller.member, ACCOUNT, account_id)
    return caller.api._account_data(account)


@router.get("/{account_id}/mini-statement", response_model=list[MiniStatementLine])
def mini_statement(account_id: RecordId, caller: SignedIn):
    """The last five transactions, newest first."""
    return caller.api._own(caller.member, ACCOUNT, account_id)._mini_statement()


@router.get("/{account_id}/statement", response_model=StatementOut)
def statement(
    account_id: RecordId,
    caller: SignedIn,
    date_from: Annotated[date | None, Query(description="Default: 30 days before date_to.")] = None,
    date_to: Annotated[date | None, Query(description="Default: today.")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
):
    """Transactions of a period (at most 366 days, none in the future), oldest first, with
    opening and closing balances and running balance."""
    account = caller.api._own(caller.member, ACCOUNT, account_id)
    first, last = statement_period(date_from, date_to, fields.Date.context_today(account))
    offset, limit = page_bounds(page, page_size)
    result = caller.api._account_statement(account, first, last, offset, limit)
    return {**result, "page": page, "page_size": page_size}


@router.post("/{account_id}/deposit", status_code=202, response_model=PaymentOut)
def deposit(
    account_id: RecordId,
    body: DepositIn,
    request: Request,
    caller: SignedIn,
    key: IdempotencyKey = None,
):
    """An M-Pesa prompt (STK Push) on the phone; the deposit posts when M-Pesa confirms."""
    account = caller.api._own(caller.member, ACCOUNT, account_id, OPEN)

    def run():
        payment = caller.api._deposit(caller.member, account, body.amount, body.phone, key)
        return 202, PaymentOut(**payment).model_dump(mode="json"), 0

    return idempotent(caller, key, request, body, run)


@router.post("/{account_id}/withdraw", status_code=202, response_model=PaymentOut)
def withdraw(
    account_id: RecordId,
    body: WithdrawIn,
    request: Request,
    caller: SignedIn,
    key: IdempotencyKey = None,
):
    """FOSA savings to the member's own M-Pesa (B2C), with the product's charge, within
    the per-transaction and daily limits; needs the PIN."""
    account = caller.api._own(caller.member, ACCOUNT, account_id, OPEN)

    def run():
        caller.api._check_pin(caller.api._credential(caller.member), body.pin)
        payment = caller.api._withdraw(caller.member, account, body.amount)
        return 202, PaymentOut(**payment).model_dump(mode="json"), body.amount

    return idempotent(caller, key, request, body, run)


@router.post("/transfer/preview", response_model=TransferPreviewOut)
def transfer_preview(body: TransferPreviewIn, caller: SignedIn):
    """Step 1 of a transfer to another member: whose account the member number is (name
    shortened) and the confirmation the transfer quotes."""
    return caller.api._transfer_preview(caller.member, body.to_member_number, body.amount)


@router.post("/transfer", response_model=TransferOut)
def transfer(body: TransferIn, request: Request, caller: SignedIn, key: IdempotencyKey = None):
    """Between the member's own accounts (``to_account_id``) or to another member
    (``confirmation`` from the preview); needs the PIN."""
    source = caller.api._own(caller.member, ACCOUNT, body.from_account_id, OPEN)

    def run():
        caller.api._check_pin(caller.api._credential(caller.member), body.pin)
        result, outflow = caller.api._transfer(
            caller.member, source, body.amount, body.to_account_id, body.confirmation
        )
        return 200, TransferOut(**result).model_dump(mode="json"), outflow

    return idempotent(caller, key, request, body, run)
