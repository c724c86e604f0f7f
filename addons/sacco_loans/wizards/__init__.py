from . import (
    sacco_loan_calculator,
    sacco_loan_calculator_comparison,
    sacco_loan_calculator_line,
    sacco_loan_repay,
)
