from . import (
    account_move_line,
    res_company,
    res_config_settings,
    sacco_loan,
    sacco_loan_application,
    sacco_loan_guarantor,
    sacco_loan_installment,
    sacco_loan_product,
    sacco_member,
)
