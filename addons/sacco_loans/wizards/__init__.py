from . import (
    sacco_loan_calculator,
    sacco_loan_calculator_comparison,
    sacco_loan_calculator_line,
    sacco_loan_guarantor_substitute,
    sacco_loan_recover_deposits,
    sacco_loan_recovery,
    sacco_loan_repay,
    sacco_loan_repayment_reverse,
    sacco_loan_report_print,
    sacco_loan_reschedule,
    sacco_loan_write_off,
)
