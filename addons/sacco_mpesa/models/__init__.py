from . import (
    sacco_loan,
    sacco_loan_application,
    sacco_member,
    sacco_mpesa_callback,
    sacco_mpesa_config,
    sacco_mpesa_request,
    sacco_mpesa_statement,
    sacco_mpesa_statement_line,
    sacco_mpesa_target_mixin,
    sacco_mpesa_token,
    sacco_mpesa_transaction,
    sacco_sms_template,
)
