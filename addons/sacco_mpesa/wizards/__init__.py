from . import (
    sacco_mpesa_request_stk,
    sacco_mpesa_transaction_allocate,
    sacco_mpesa_transaction_refund,
    sacco_mpesa_transaction_reverse,
    sacco_mpesa_withdrawal,
)
