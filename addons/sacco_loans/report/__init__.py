from . import sacco_loan_report_base  # the reports below inherit it

# isort: split
from . import (
    sacco_loan_collection_report,
    sacco_loan_disbursement_report,
    sacco_loan_guarantor_exposure,
    sacco_loan_portfolio_report,
)
